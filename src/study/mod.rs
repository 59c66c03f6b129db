//! A study on disk: finding it, loading every file kind, saving atomically, locking coders,
//! and checking it for problems.
//!
//! This is the only layer that touches the study's files. The CLI and the TUI call these
//! functions; neither reads nor writes study files itself.

pub mod atomic;
pub mod check;
pub mod coder;
pub mod coding;
pub mod consensus;
pub mod files;
pub mod framework;
pub mod lock;
pub mod memo;
pub mod rounds;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::{Attributes, Code, Codebook, Segment, Transcript};

pub use check::Problem;
pub use lock::CoderLock;
pub use memo::Memo;

/// Errors of the study layer. Each names the file and, where it applies, the line.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// No study folder above the working directory.
    #[error("no study found in {0} or any folder above it (a study is a folder with transcripts/); run `thema init DIR` or pass -C DIR")]
    NotFound(PathBuf),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// A file's content is malformed.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// Another process holds this coder's lock.
    #[error("coder '{coder}' is already coding in another thema process; close it first (or code as another coder with --coder)")]
    Locked {
        /// The coder.
        coder: String,
    },
    /// Writing needs the coder's lock, which this process does not hold.
    #[error("coder '{coder}' is open read-only in this process")]
    ReadOnly {
        /// The coder.
        coder: String,
    },
    /// A codebook changed on disk since it was read.
    #[error("{0} changed on disk since thema read it (another process or a git pull); nothing was written: run the command again")]
    ChangedOnDisk(PathBuf),
    /// Something the user asked for does not exist or cannot be done.
    #[error("{0}")]
    Invalid(String),
}

impl StudyError {
    /// A parse error at a line of a file.
    pub fn parse(path: &Path, line: usize, message: impl Into<String>) -> Self {
        StudyError::Parse {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

/// Result of study operations.
pub type Result<T, E = StudyError> = std::result::Result<T, E>;

/// Study settings from `thema.json` (all optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Study name shown in the status bar and reports.
    pub name: String,
    /// Attribution template for quotes; `{column}` is replaced by attribute values.
    pub attribution: String,
    /// Language of the transcripts, for stemming (`en`).
    pub language: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            name: String::new(),
            attribution: "{participant}, {wave}".to_string(),
            language: "en".to_string(),
        }
    }
}

/// A codebook as loaded, with what is needed to detect changes on disk before writing.
#[derive(Debug, Clone)]
pub struct LoadedCodebook {
    /// File stem: `link-workers` for `codebooks/link-workers.json`.
    pub file: String,
    /// The framework.
    pub codebook: Codebook,
    /// Bytes of the file when read (to refuse clobbering a concurrent change).
    pub(crate) on_disk: Option<Vec<u8>>,
}

/// A whole study in memory.
#[derive(Debug)]
pub struct Study {
    /// The study folder.
    pub root: PathBuf,
    /// `thema.json`.
    pub settings: Settings,
    /// Transcripts sorted by id.
    pub transcripts: Vec<Transcript>,
    /// `transcripts/attributes.csv`.
    pub attributes: Attributes,
    /// Codebooks sorted by file name.
    pub codebooks: Vec<LoadedCodebook>,
    /// Segments by coder, each list in file order.
    pub codings: BTreeMap<String, Vec<Segment>>,
    /// Analytic memos.
    pub memos: Vec<Memo>,
    /// What loading noticed and repaired in memory (segments re-anchored or flagged).
    pub notices: Vec<Problem>,
    locks: HashMap<String, CoderLock>,
    /// Size and modification time of each coder file when it was read.
    stamps: HashMap<String, FileStamp>,
}

/// What identifies a version of a file cheaply: its size and modification time.
/// File times are coarse (a kernel tick, or seconds on FAT and network drives), so the stamp
/// also holds the file's identity: every atomic write makes a new file (inode) on Unix.
type FileStamp = (u64, Option<std::time::SystemTime>, u64);

fn stamp(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let identity = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let identity = 0;
    Some((meta.len(), meta.modified().ok(), identity))
}

/// The coder id of the layer a team builds in meetings.
pub const CONSENSUS: &str = "consensus";

impl Study {
    /// Finds the study folder: `dir` itself or its nearest ancestor holding `transcripts/`.
    pub fn discover(dir: &Path) -> Result<PathBuf> {
        let start = dir.canonicalize().map_err(|source| StudyError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        start
            .ancestors()
            .find(|d| d.join("transcripts").is_dir())
            .map(Path::to_path_buf)
            .ok_or(StudyError::NotFound(start))
    }

    /// Creates an empty study in `dir` (which may exist but must not already be a study).
    pub fn init(dir: &Path, name: &str) -> Result<PathBuf> {
        if dir.join("transcripts").is_dir() {
            return Err(StudyError::Invalid(format!(
                "{} is already a study",
                dir.display()
            )));
        }
        for sub in ["transcripts", "codebooks", "codings", "memos"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|source| StudyError::Io {
                path: dir.join(sub),
                source,
            })?;
        }
        let settings = Settings {
            name: name.to_string(),
            ..Settings::default()
        };
        files::save_settings(dir, &settings)?;
        atomic::write_atomic(
            &dir.join("transcripts/attributes.csv"),
            b"transcript,participant\n",
        )?;
        // derived data, and the temporary files a crash mid-write can leave (atomic.rs)
        atomic::write_atomic(&dir.join(".gitignore"), b".thema/\n.thema-*.tmp\n")?;
        // two people refining one codebook on different clones both append to its history:
        // a union merge keeps both lines instead of stopping with a conflict
        atomic::write_atomic(
            &dir.join(".gitattributes"),
            b"codebooks/*.log.jsonl merge=union\n",
        )?;
        Ok(dir.to_path_buf())
    }

    /// Loads the study at `root`, failing on the first malformed file. Segments whose transcript
    /// changed are re-anchored in memory and reported in `notices`.
    pub fn open(root: &Path) -> Result<Study> {
        let settings = files::load_settings(root)?;
        let transcripts = files::load_transcripts(root)?;
        let attributes = files::load_attributes(root)?;
        let codebooks = files::load_codebooks(root)?;
        let mut codings = BTreeMap::new();
        let mut stamps = HashMap::new();
        for coder in files::coder_files(root)? {
            let path = files::codings_path(root, &coder);
            let before = stamp(&path);
            let segments = files::load_codings(root, &coder)?;
            if let Some(before) = before.filter(|b| Some(*b) == stamp(&path)) {
                stamps.insert(coder.clone(), before);
            }
            codings.insert(coder, segments);
        }
        let memos = memo::load_memos(root)?;
        let mut study = Study {
            root: root.to_path_buf(),
            settings,
            transcripts,
            attributes,
            codebooks,
            codings,
            memos,
            notices: Vec::new(),
            locks: HashMap::new(),
            stamps,
        };
        study.notices = coding::reanchor_all(&mut study);
        Ok(study)
    }

    /// Display name: the settings' name or the folder name.
    pub fn name(&self) -> String {
        if !self.settings.name.is_empty() {
            return self.settings.name.clone();
        }
        self.root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "study".to_string())
    }

    /// The transcript with this id (exact, then case-insensitive).
    pub fn transcript(&self, id: &str) -> Option<&Transcript> {
        match self.transcripts.binary_search_by(|t| t.id.as_str().cmp(id)) {
            Ok(i) => self.transcripts.get(i),
            Err(_) => self
                .transcripts
                .iter()
                .find(|t| t.id.eq_ignore_ascii_case(id)),
        }
    }

    /// Coders with a coding file, in name order.
    pub fn coders(&self) -> Vec<&str> {
        self.codings.keys().map(String::as_str).collect()
    }

    /// Segments of one coder (empty if the coder has none).
    pub fn segments_of(&self, coder: &str) -> &[Segment] {
        self.codings.get(coder).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The codebook holding a code id.
    pub fn codebook_of(&self, code: &str) -> Option<&Codebook> {
        self.codebooks
            .iter()
            .map(|c| &c.codebook)
            .find(|cb| cb.contains(code))
    }

    /// The code with this id, in whichever codebook holds it.
    pub fn code(&self, id: &str) -> Option<&Code> {
        self.codebook_of(id).and_then(|cb| cb.get(id))
    }

    /// Full path of a code id (`Challenges/Transport`), or the id itself if unknown.
    pub fn code_path(&self, id: &str) -> String {
        self.codebook_of(id)
            .map(|cb| cb.path(id))
            .unwrap_or_else(|| id.to_string())
    }

    /// Resolves a code reference (id or path), optionally within one codebook (by file stem or name).
    pub fn resolve_code(&self, reference: &str, codebook: Option<&str>) -> Result<&Code> {
        let books: Vec<&LoadedCodebook> = match codebook {
            Some(name) => {
                let found: Vec<_> = self
                    .codebooks
                    .iter()
                    .filter(|c| c.file == name || c.codebook.name.eq_ignore_ascii_case(name))
                    .collect();
                if found.is_empty() {
                    return Err(StudyError::Invalid(format!(
                        "no codebook '{name}'; codebooks: {}",
                        self.codebook_names().join(", ")
                    )));
                }
                found
            }
            None => self.codebooks.iter().collect(),
        };
        let hits: Vec<&Code> = books
            .iter()
            .filter_map(|b| b.codebook.resolve(reference))
            .collect();
        match hits.as_slice() {
            [one] => Ok(one),
            [] => Err(StudyError::Invalid(format!(
                "no code '{reference}' (give a path like \"Theme/Sub-theme/Code\" or a code id; `thema codebook list` shows them)"
            ))),
            _ => Err(StudyError::Invalid(format!(
                "'{reference}' names codes in several codebooks; add --codebook NAME"
            ))),
        }
    }

    /// The ids a code reference selects: the code and its descendants, or the code alone.
    pub fn code_selection(
        &self,
        reference: &str,
        exact: bool,
    ) -> Result<std::collections::BTreeSet<String>> {
        let code = self.resolve_code(reference, None)?;
        if exact {
            return Ok([code.id.clone()].into());
        }
        let cb = self
            .codebook_of(&code.id)
            .ok_or_else(|| StudyError::Invalid(format!("code '{reference}' has no codebook")))?;
        Ok(cb.subtree(&code.id))
    }

    /// File stems of the codebooks.
    pub fn codebook_names(&self) -> Vec<String> {
        self.codebooks.iter().map(|c| c.file.clone()).collect()
    }

    /// Takes the coder's lock for this process and re-reads the coder's file, so what is in
    /// memory is exactly what is on disk. Needed before any write to the coder's layer.
    pub fn lock(&mut self, coder: &str) -> Result<()> {
        if self.locks.contains_key(coder) {
            return Ok(());
        }
        coder::validate(coder)?;
        let lock = lock::lock_coder(&self.root, coder)?;
        // re-read the layer unless it is provably the version already in memory
        let path = files::codings_path(&self.root, coder);
        let unchanged = self
            .stamps
            .get(coder)
            .is_some_and(|s| Some(*s) == stamp(&path));
        if unchanged {
            self.locks.insert(coder.to_string(), lock);
            return Ok(());
        }
        let mut fresh = files::load_codings(&self.root, coder)?;
        if let Some(transcripts) = Some(&self.transcripts) {
            let _ = coding::reanchor_segments(transcripts, &mut fresh);
        }
        if fresh.is_empty() {
            self.codings.remove(coder);
        } else {
            self.codings.insert(coder.to_string(), fresh);
        }
        self.locks.insert(coder.to_string(), lock);
        Ok(())
    }

    /// Whether this process holds the coder's lock.
    pub fn holds_lock(&self, coder: &str) -> bool {
        self.locks.contains_key(coder)
    }

    /// Writes one coder's layer atomically (the lock must be held).
    pub fn save_coder(&mut self, coder: &str) -> Result<()> {
        if !self.holds_lock(coder) {
            return Err(StudyError::ReadOnly {
                coder: coder.to_string(),
            });
        }
        let segments = self.codings.entry(coder.to_string()).or_default();
        crate::model::segment::sort_segments(segments);
        files::save_codings(&self.root, coder, segments)
    }

    /// Index of the codebook with this file stem.
    pub(crate) fn codebook_slot(&self, code: &str) -> Option<usize> {
        self.codebooks
            .iter()
            .position(|c| c.codebook.contains(code))
    }
}

/// A transcript about to be added to a study.
#[derive(Debug, Clone)]
pub struct NewTranscript {
    /// Its id (the file stem).
    pub id: String,
    /// Canonical text.
    pub text: String,
    /// Attribute values to set (`participant`, `role`, ...).
    pub attributes: Vec<(String, String)>,
}

/// Checks that a transcript id can name a file: letters, digits, `-`, `_`, `.`.
pub fn validate_transcript_id(id: &str) -> Result<()> {
    if coder::is_file_safe(id, 80) {
        Ok(())
    } else {
        Err(StudyError::Invalid(format!(
            "'{id}' cannot be a transcript id: use letters, digits, '-', '_' or '.' (e.g. LW7-y1); pass --id"
        )))
    }
}

/// A transcript id made from a file name: `LW7 year 1.docx` → `LW7-year-1`.
pub fn transcript_id_from_file(name: &str) -> String {
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = stem
        .strip_suffix(".transcript")
        .unwrap_or(&stem)
        .to_string();
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches(['-', '.']).to_string()
}

impl Study {
    /// Adds transcripts: every id is checked (valid, not already in the study, not twice in the
    /// batch) before anything is written; then each transcript and the attribute table are
    /// written atomically.
    pub fn add_transcripts(&mut self, batch: Vec<NewTranscript>) -> Result<Vec<String>> {
        let mut seen = std::collections::BTreeSet::new();
        for t in &batch {
            validate_transcript_id(&t.id)?;
            if self.transcript(&t.id).is_some()
                || files::transcript_path(&self.root, &t.id).exists()
            {
                return Err(StudyError::Invalid(format!(
                    "transcript '{}' already exists; nothing was imported (pass --id to choose another id)",
                    t.id
                )));
            }
            if !seen.insert(t.id.to_lowercase()) {
                return Err(StudyError::Invalid(format!(
                    "two files would both become transcript '{}'; nothing was imported",
                    t.id
                )));
            }
            if t.text.trim().is_empty() {
                return Err(StudyError::Invalid(format!(
                    "transcript '{}' has no text",
                    t.id
                )));
            }
        }
        let mut added = Vec::new();
        for t in batch {
            files::save_transcript(&self.root, &t.id, &t.text)?;
            if !t.attributes.iter().any(|(k, _)| k == "participant")
                && self.attributes.get(&t.id, "participant").is_none()
            {
                self.attributes.set(&t.id, "participant", &t.id);
            }
            for (k, v) in &t.attributes {
                self.attributes.set(&t.id, k, v);
            }
            let transcript = Transcript::parse(t.id.clone(), t.text);
            let pos = self.transcripts.partition_point(|x| x.id < transcript.id);
            self.transcripts.insert(pos, transcript);
            added.push(t.id);
        }
        files::save_attributes(&self.root, &self.attributes)?;
        Ok(added)
    }
}
