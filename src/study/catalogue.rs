//! The catalogue (`.thema/catalogue.tsv`): what every process needs to know about the study's
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

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::model::fingerprint::hash_bytes;
use crate::model::Transcript;
use crate::study::files::read_text;
use crate::study::{Result, StudyError};

/// Where the catalogue lives inside a study.
pub const CATALOGUE_FILE: &str = ".thema/catalogue.tsv";
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
    /// Words spoken (speaker turns only, labels excluded); in a document, every word.
    pub words: usize,
    /// Paragraphs: speaker turns and notes.
    pub paragraphs: usize,
    /// Speaker turns; 0 in a document, whose units are its paragraphs.
    pub speaker_turns: usize,
    /// Distinct speaker labels, in order of first appearance.
    pub speakers: Vec<String>,
}

impl TranscriptInfo {
    /// Numbered turns (see `Turn::number`): speaker turns, or the paragraphs of a document
    /// without speakers.
    pub fn turns(&self) -> usize {
        if self.speaker_turns > 0 {
            self.speaker_turns
        } else {
            self.paragraphs
        }
    }

    /// Whether it is a document without speaker labels rather than an interview.
    pub fn is_document(&self) -> bool {
        self.speaker_turns == 0 && self.paragraphs > 0
    }

    /// What a parsed transcript contributes to the catalogue.
    pub fn of(transcript: &Transcript) -> TranscriptInfo {
        TranscriptInfo {
            id: transcript.id.clone(),
            hash: hash_bytes(transcript.text.as_bytes()),
            chars: transcript.len_chars(),
            words: transcript.words,
            paragraphs: transcript.turns.len(),
            speaker_turns: if transcript.is_document() {
                0
            } else {
                transcript.speaker_turns().count()
            },
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
#[derive(Debug, Clone)]
struct Entry {
    info: TranscriptInfo,
    stamp: Stamp,
    /// Whether the stamp was settled when taken, so it alone vouches for the content.
    settled: bool,
}

/// First line of the catalogue file; another one means another format, rebuilt.
/// (5: a note may carry a timestamp; 6: a transcript mostly of unlabelled paragraphs is a
/// document.)
const HEADER: &str = "thema catalogue 6";

impl Entry {
    /// One line of the file: tab-separated numbers, the id and the speakers JSON-quoted (so
    /// no tab or newline in them can break the line). Every process reads the whole file, so
    /// it is kept simple to split.
    fn write(&self, out: &mut String) {
        use std::fmt::Write;
        let i = &self.info;
        let quoted = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
        let _ = write!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{:016x}\t{}\t{}\t{}\t{}\t{}",
            quoted(&i.id),
            self.stamp.len,
            self.stamp.modified,
            self.stamp.changed,
            self.stamp.inode,
            u8::from(self.settled),
            i.hash,
            i.chars,
            i.words,
            i.paragraphs,
            i.speaker_turns,
            i.speakers.len(),
        );
        for speaker in &i.speakers {
            out.push('\t');
            out.push_str(&quoted(speaker));
        }
        out.push('\n');
    }

    /// Reads a line written by [`Entry::write`]; `None` for anything else (a torn line).
    fn read(line: &str) -> Option<Entry> {
        let mut cells = line.split('\t');
        let mut next = || cells.next();
        let unquote = |s: &str| -> Option<String> {
            if s.contains('\\') {
                serde_json::from_str(s).ok()
            } else {
                s.strip_prefix('"')?.strip_suffix('"').map(str::to_string)
            }
        };
        let id = unquote(next()?)?;
        let len = next()?.parse().ok()?;
        let modified = next()?.parse().ok()?;
        let changed = next()?.parse().ok()?;
        let inode = next()?.parse().ok()?;
        let settled = next()? == "1";
        let hash = u64::from_str_radix(next()?, 16).ok()?;
        let chars = next()?.parse().ok()?;
        let words = next()?.parse().ok()?;
        let paragraphs = next()?.parse().ok()?;
        let speaker_turns = next()?.parse().ok()?;
        let count: usize = next()?.parse().ok()?;
        let speakers = cells.map(unquote).collect::<Option<Vec<String>>>()?;
        if speakers.len() != count {
            return None;
        }
        Some(Entry {
            info: TranscriptInfo {
                id,
                hash,
                chars,
                words,
                paragraphs,
                speaker_turns,
                speakers,
            },
            stamp: Stamp {
                len,
                modified,
                changed,
                inode,
            },
            settled,
        })
    }
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
        let path = root.join(CATALOGUE_FILE);
        // the stored catalogue is read while the files are listed
        let (files, stored) = std::thread::scope(|scope| {
            let stored = scope.spawn(|| read_stored(&path));
            let files = transcript_files(root);
            (files, stored.join().unwrap_or_default())
        });
        let mut files = files?;
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut changed = files.len() != stored.len();
        // both lists in id order: each file meets its stored entry, if any, in one pass
        let mut stored = stored.into_iter().peekable();
        let now = SystemTime::now();
        let mut entries = Vec::with_capacity(files.len());
        let mut parsed = Vec::new();
        let mut read = 0;
        for (id, file, stamp) in files {
            while stored.next_if(|e| e.info.id < id).is_some() {
                changed = true; // a transcript that is gone
            }
            let old = stored.next_if(|e| e.info.id == id);
            let old = match old {
                Some(old) if old.settled && old.stamp == stamp => {
                    entries.push(old);
                    continue;
                }
                other => other,
            };
            read += 1;
            let text = read_text(&file)?;
            let hash = hash_bytes(text.as_bytes());
            let settled = stamp.settled(now);
            let info = match old.filter(|e| e.info.hash == hash) {
                Some(old) => {
                    changed |= old.stamp != stamp || old.settled != settled;
                    old.info
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
        changed |= stored.next().is_some();
        if changed {
            let mut text = String::with_capacity(64 + entries.len() * 96);
            text.push_str(HEADER);
            text.push('\n');
            for entry in &entries {
                entry.write(&mut text);
            }
            let _ = crate::study::atomic::replace(&path, text.as_bytes());
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

/// The stored catalogue in id order, or an empty one when it is absent, unreadable or of
/// another format. A torn line is left out (its transcript is read again).
fn read_stored(path: &Path) -> Vec<Entry> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    // a line is whole only with its newline: a file cut short ends in a partial line
    let mut lines = text
        .split_inclusive('\n')
        .filter_map(|l| l.strip_suffix('\n'));
    if lines.next() != Some(HEADER) {
        return Vec::new();
    }
    let mut entries: Vec<Entry> = lines.filter_map(Entry::read).collect();
    if !entries.is_sorted_by(|a, b| a.info.id < b.info.id) {
        entries.sort_by(|a, b| a.info.id.cmp(&b.info.id));
        entries.dedup_by(|a, b| a.info.id == b.info.id);
    }
    entries
}

/// Every `transcripts/*.txt` with its id and stamp, in no particular order. The files are
/// looked at by two threads: on a large study this is most of what opening costs.
fn transcript_files(root: &Path) -> Result<Vec<(String, PathBuf, Stamp)>> {
    let dir = root.join("transcripts");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StudyError::Io { path, source }
    };
    let listing = match std::fs::read_dir(&dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&dir)(e)),
    };
    let mut entries = Vec::new();
    for entry in listing {
        let entry = entry.map_err(io(&dir))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(id) = name.strip_suffix(".txt") else {
            continue;
        };
        if name.starts_with('.') || id.is_empty() {
            continue;
        }
        entries.push((id.to_string(), entry));
    }
    let look = |part: &[(String, std::fs::DirEntry)]| -> Result<Vec<(String, PathBuf, Stamp)>> {
        let mut out = Vec::with_capacity(part.len());
        for (id, entry) in part {
            let path = entry.path();
            // relative to the open folder (no walk of the whole path), following a symlink
            // only when the entry is one
            let meta = match entry.file_type() {
                Ok(kind) if !kind.is_symlink() => entry.metadata(),
                _ => std::fs::metadata(&path),
            };
            let meta = match meta {
                Ok(meta) => meta,
                // removed between listing and looking: it is not part of the study any more
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(&path)(e)),
            };
            if meta.is_file() {
                out.push((id.clone(), path, Stamp::of(&meta)));
            }
        }
        Ok(out)
    };
    if entries.len() < 64 {
        return look(&entries);
    }
    let (first, second) = entries.split_at(entries.len() / 2);
    let (mine, theirs) = std::thread::scope(|scope| {
        let other = scope.spawn(|| look(second));
        (look(first), other.join())
    });
    let mut out = mine?;
    out.extend(match theirs {
        Ok(found) => found?,
        // the helper thread died: look at its half here
        Err(_) => look(second)?,
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_back_as_written() {
        let entry = Entry {
            info: TranscriptInfo {
                id: "LW7\ty1 \"x\"".into(),
                hash: 0xfeed_0000_0000_0001,
                chars: 12,
                words: 3,
                paragraphs: 4,
                speaker_turns: 2,
                speakers: vec!["Siân".into(), "A\\B".into()],
            },
            stamp: Stamp {
                len: 9,
                modified: -5,
                changed: 1_700_000_000_123_456_789,
                inode: 42,
            },
            settled: true,
        };
        let mut line = String::new();
        entry.write(&mut line);
        assert_eq!(line.matches('\n').count(), 1);
        let back = Entry::read(line.trim_end_matches('\n')).unwrap();
        assert_eq!(back.info, entry.info);
        assert_eq!(back.stamp, entry.stamp);
        assert!(back.settled);
        assert!(Entry::read(&line[..line.len() / 2]).is_none());
    }

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
