//! The catalogue (`.thema/catalogue.json`): what every process needs to know about the study's
//! transcripts without reading them — id, content fingerprint, length, word and turn counts,
//! speakers — so opening a study costs a directory listing and one small file, not a parse of
//! every transcript.
//!
//! Derived data, like the search index: deleting it loses nothing, the next process rebuilds it.
//! Each entry is keyed by the file's *stamp* (size, modification and change times, inode). A file
//! whose stamp differs is read and fingerprinted; if its content is what the catalogue
//! describes, only the stamp is updated, otherwise it is parsed again. A stamp taken within
//! [`SETTLE`] of the file's last change is not trusted on its own (a second write in the same
//! clock tick could leave every part of the stamp unchanged): such a file is fingerprinted
//! again by the next process, as git does with "racily clean" index entries.
//!
//! Writers race safely: the file is replaced atomically, and every entry is a fact about
//! content (this stamp had this fingerprint, this fingerprint has these counts), so the last
//! writer can only lose facts, which the next process recomputes, never record a wrong one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::model::fingerprint::hash_bytes;
use crate::model::Transcript;
use crate::study::files::read_text;
use crate::study::{Result, StudyError};

/// Where the catalogue lives inside a study.
pub const CATALOGUE_FILE: &str = ".thema/catalogue.json";
/// Format version; another version is ignored and rebuilt.
const VERSION: u32 = 1;
/// How long after a file's last change its stamp is trusted without reading the file.
pub const SETTLE: Duration = Duration::from_secs(2);

/// What the catalogue knows of one transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptInfo {
    /// The transcript id (its file stem).
    pub id: String,
    /// Fingerprint of the canonical text.
    pub hash: u64,
    /// Length in code points.
    pub chars: usize,
    /// Words spoken (speaker turns only, labels excluded).
    pub words: usize,
    /// Paragraphs: speaker turns and notes.
    pub paragraphs: usize,
    /// Speaker turns.
    pub speaker_turns: usize,
    /// Distinct speaker labels, in order of first appearance.
    pub speakers: Vec<String>,
}

impl TranscriptInfo {
    /// What a parsed transcript contributes to the catalogue.
    pub fn of(transcript: &Transcript) -> TranscriptInfo {
        TranscriptInfo {
            id: transcript.id.clone(),
            hash: hash_bytes(transcript.text.as_bytes()),
            chars: transcript.len_chars(),
            words: transcript.words,
            paragraphs: transcript.turns.len(),
            speaker_turns: transcript.speaker_turns().count(),
            speakers: transcript
                .speakers()
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }
}

/// What identifies a version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Size in bytes.
    pub len: u64,
    /// Modification time, nanoseconds since the epoch.
    pub modified: i128,
    /// Status change time (Unix), nanoseconds since the epoch; 0 elsewhere.
    pub changed: i128,
    /// Inode (Unix); every atomic write makes a new one. 0 elsewhere.
    pub inode: u64,
}

impl Stamp {
    /// The stamp of a file's metadata.
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        let nanos = |t: std::io::Result<SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128)
        };
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt;
            (
                i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
                meta.ino(),
            )
        };
        #[cfg(not(unix))]
        let (changed, inode) = (0, 0);
        Stamp {
            len: meta.len(),
            modified: nanos(meta.modified()),
            changed,
            inode,
        }
    }

    /// The stamp of the file at `path`, `None` when it cannot be read.
    pub fn of_path(path: &Path) -> Option<Stamp> {
        std::fs::metadata(path).ok().map(|m| Stamp::of(&m))
    }

    /// Whether the file's last change was long enough before `now` that a later change would
    /// show in the stamp.
    pub fn settled(&self, now: SystemTime) -> bool {
        let now = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        let last = self.modified.max(self.changed);
        now - last > SETTLE.as_nanos() as i128
    }
}

/// One transcript in the catalogue file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    info: TranscriptInfo,
    stamp: Stamp,
    /// Whether the stamp was settled when taken, so it alone vouches for the content.
    settled: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CatalogueFile {
    version: u32,
    transcripts: Vec<Entry>,
}

/// The study's transcripts as the catalogue describes them, checked against the files.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// Sorted by id.
    infos: Vec<TranscriptInfo>,
}

/// What opening the catalogue did.
#[derive(Debug, Default)]
pub struct Opened {
    /// The catalogue, true to the files.
    pub catalogue: Catalogue,
    /// Transcripts that had to be parsed (new or changed), ready for use.
    pub parsed: Vec<Transcript>,
    /// Transcripts whose file was read to check it (parsed or not).
    pub read: usize,
}

impl Catalogue {
    /// Lists `transcripts/*.txt`, reads the stored catalogue and brings it up to date: only
    /// files whose stamp changed (or is not yet settled) are read, and only those whose
    /// content changed are parsed. Writes the catalogue back when anything changed (a failure
    /// to write it is ignored: it only costs the next process time). Fails on a transcript that
    /// cannot be read or is not UTF-8, naming it.
    pub fn open(root: &Path) -> Result<Opened> {
        let files = transcript_files(root)?;
        let path = root.join(CATALOGUE_FILE);
        let stored = read_stored(&path);
        let mut known: HashMap<&str, &Entry> = stored
            .transcripts
            .iter()
            .map(|e| (e.info.id.as_str(), e))
            .collect();
        let now = SystemTime::now();
        let mut entries = Vec::with_capacity(files.len());
        let mut parsed = Vec::new();
        let mut read = 0;
        let mut changed = files.len() != stored.transcripts.len();
        for (id, file, stamp) in files {
            let old = known.remove(id.as_str());
            if let Some(old) = old.filter(|e| e.settled && e.stamp == stamp) {
                entries.push(old.clone());
                continue;
            }
            read += 1;
            let text = read_text(&file)?;
            let hash = hash_bytes(text.as_bytes());
            let settled = stamp.settled(now);
            let info = match old.filter(|e| e.info.hash == hash && e.info.id == id) {
                Some(old) => {
                    changed |= old.stamp != stamp || old.settled != settled;
                    old.info.clone()
                }
                None => {
                    changed = true;
                    let transcript = Transcript::parse(id, text);
                    let info = TranscriptInfo::of(&transcript);
                    parsed.push(transcript);
                    info
                }
            };
            entries.push(Entry {
                info,
                stamp,
                settled,
            });
        }
        changed |= !known.is_empty();
        entries.sort_by(|a, b| a.info.id.cmp(&b.info.id));
        if changed {
            let file = CatalogueFile {
                version: VERSION,
                transcripts: entries,
            };
            if let Ok(bytes) = serde_json::to_vec(&file) {
                let _ = crate::study::atomic::replace(&path, &bytes);
            }
            entries = file.transcripts;
        }
        Ok(Opened {
            catalogue: Catalogue {
                infos: entries.into_iter().map(|e| e.info).collect(),
            },
            parsed,
            read,
        })
    }

    /// Every transcript, sorted by id.
    pub fn infos(&self) -> &[TranscriptInfo] {
        &self.infos
    }

    /// Position of the transcript with exactly this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.infos.binary_search_by(|t| t.id.as_str().cmp(id)).ok()
    }

    /// The transcript with this id: exact, then ignoring ASCII case.
    pub fn get(&self, id: &str) -> Option<&TranscriptInfo> {
        match self.position(id) {
            Some(i) => self.infos.get(i),
            None => self.infos.iter().find(|t| t.id.eq_ignore_ascii_case(id)),
        }
    }

    /// Records a transcript added or rewritten by this process.
    pub fn insert(&mut self, info: TranscriptInfo) {
        match self.infos.binary_search_by(|t| t.id.as_str().cmp(&info.id)) {
            Ok(i) => self.infos[i] = info,
            Err(i) => self.infos.insert(i, info),
        }
    }
}

/// The stored catalogue, or an empty one when it is absent, unreadable or of another version.
fn read_stored(path: &Path) -> CatalogueFile {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<CatalogueFile>(&bytes).ok())
        .filter(|c| c.version == VERSION)
        .unwrap_or_default()
}

/// Every `transcripts/*.txt` with its id and stamp, in no particular order.
fn transcript_files(root: &Path) -> Result<Vec<(String, PathBuf, Stamp)>> {
    let dir = root.join("transcripts");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StudyError::Io { path, source }
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(&dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(id) = name.strip_suffix(".txt") else {
            continue;
        };
        if name.starts_with('.') || id.is_empty() {
            continue;
        }
        let path = entry.path();
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            // removed between listing and looking: it is not part of the study any more
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&path)(e)),
        };
        if meta.is_file() {
            out.push((id.to_string(), path, Stamp::of(&meta)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_stamp_is_not_settled() {
        let stamp = Stamp {
            len: 1,
            modified: 10 * 1_000_000_000,
            changed: 11 * 1_000_000_000,
            inode: 1,
        };
        let at = |s: u64| UNIX_EPOCH + Duration::from_secs(s);
        assert!(!stamp.settled(at(12)));
        assert!(stamp.settled(at(14)));
    }
}
