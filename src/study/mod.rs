//! A study on disk: finding it, loading every file kind, saving atomically, locking coders,
//! and checking it for problems.
//!
//! This is the only layer that touches the study's files. The CLI and the TUI call these
//! functions; neither reads nor writes study files itself.

mod anchors;
pub mod atomic;
pub mod batch;
pub mod catalogue;
pub mod check;
pub mod coder;
pub mod coding;
pub mod coding_error;
pub mod consensus;
pub mod consensus_view;
pub mod files;
pub mod framework;
pub mod layer_file;
pub mod lock;
pub mod media;
pub mod memo;
pub mod rounds;
pub mod scope;
mod texts;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::model::fingerprint::hash_bytes;
use crate::model::suggest::{self, Candidate};
use crate::model::{Attributes, Code, Codebook, Segment, Transcript};
use crate::study::anchors::Anchors;
use crate::study::catalogue::{Catalogue, Stamp};
use crate::study::coding_error::{CodingError, NewTranscriptError};
use crate::study::layer_file::{LayerFile, LayerRuns};
use crate::study::texts::{RawPlan, RawTexts, TextCache};

pub use catalogue::TranscriptInfo;
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
    /// No transcript has this id; `suggestions` are the closest ids ([`Study::no_transcript`]).
    #[error("no transcript '{id}'{} (`thema transcripts` lists them)", suggest::did_you_mean(.suggestions))]
    NoTranscript {
        /// The id as given.
        id: String,
        /// Up to three ids close to it.
        suggestions: Vec<String>,
    },
    /// No code has this id or path; `suggestions` are the closest code paths.
    #[error("no code '{reference}'{} (give a path like \"Theme/Sub-theme/Code\" or a code id; `thema codebook list` shows them)", suggest::did_you_mean(.suggestions))]
    NoCode {
        /// The reference as given.
        reference: String,
        /// Up to three code paths close to it.
        suggestions: Vec<String>,
    },
    /// A change to the coding framework that cannot be made.
    #[error(transparent)]
    Framework(framework::FrameworkError),
    /// A coding, an uncoding or a batch that cannot be made.
    #[error(transparent)]
    Coding(#[from] coding_error::CodingError),
    /// A transcript that cannot be added.
    #[error(transparent)]
    NewTranscript(#[from] coding_error::NewTranscriptError),
    /// No coder was named and none could be found (environment, git).
    #[error("who is coding? no coder is set")]
    NoCoder,
    /// A coder name that makes no file name.
    #[error(
        "'{0}' cannot be a coder name: use letters, digits, '-', '_' or '.' (e.g. r1, jane-smith)"
    )]
    BadCoderName(String),
    /// No coder of this name has codings.
    #[error("no codings for '{coder}' (coders: {})", .coders.join(", "))]
    NoCodings {
        /// The coder as given.
        coder: String,
        /// The coders with codings.
        coders: Vec<String>,
    },
    /// A round name that makes no file name.
    #[error("'{0}' cannot be a round name: use letters, digits, '-', '_' or '.' (e.g. round-2)")]
    BadRoundName(String),
    /// A round's start that is not an RFC 3339 time.
    #[error("'{0}' is not a time (RFC 3339, e.g. 2024-06-14T09:00:00Z)")]
    BadTime(String),
    /// A round without transcripts.
    #[error("a round needs at least one transcript")]
    EmptyRound,
    /// A round of this name exists.
    #[error("round '{name}' already exists ({})", .path.display())]
    RoundExists {
        /// The round's name.
        name: String,
        /// Its file.
        path: PathBuf,
    },
    /// A scope filters on an attribute column the study does not have.
    #[error("no attribute column '{column}'; columns: {}", .columns.join(", "))]
    NoColumn {
        /// The column as given.
        column: String,
        /// The study's attribute columns.
        columns: Vec<String>,
    },
    /// A scope that holds no transcript.
    #[error("the scope '{scope}' holds no transcript (values in the study: {})", .values.join("; "))]
    EmptyScope {
        /// The scope, described.
        scope: String,
        /// Each filtered column with the values the study has.
        values: Vec<String>,
    },
    /// Scoping a codebook to the scope it already has.
    #[error("'{0}' already has that scope")]
    SameScope(String),
    /// A segment written among the segments of another transcript.
    #[error("segment {segment} belongs to {belongs}, not {transcript}")]
    ForeignSegment {
        /// The segment's id.
        segment: String,
        /// Its transcript.
        belongs: String,
        /// The transcript being written.
        transcript: String,
    },
    /// Adjusting a boundary to an empty span.
    #[error("adjusting a boundary needs a non-empty span")]
    EmptyAdjustment,
    /// A transcript's recording is not on this computer; `what` says why.
    #[error("no recording for '{transcript}': {what} (looked at {}). Recordings are often kept out of git: copy the file there, or point this clone at your copy in {}, e.g. {{\"media_dir\": \"/path/to/recordings\"}}", .tried.join(", "), media::LOCAL_FILE)]
    NoRecording {
        /// The transcript id.
        transcript: String,
        /// Why none was found.
        what: String,
        /// Every place looked at.
        tried: Vec<String>,
    },
    /// A value could not be written out as JSON or CSV.
    #[error("{0}")]
    Encode(String),
}

impl StudyError {
    /// A value that could not be written out (see [`StudyError::Encode`]).
    pub fn encode(err: impl std::fmt::Display) -> Self {
        StudyError::Encode(err.to_string())
    }

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
    /// The media player command for everyone on the study (`THEMA_PLAYER` and
    /// `thema.local.json` override it), e.g. `"mpv --volume=70"` or
    /// `"myplayer --start={seconds} {file}"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub player: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            name: String::new(),
            attribution: "{participant}, {wave}, {time}".to_string(),
            language: "en".to_string(),
            player: None,
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

/// A study opened from its folder.
///
/// Opening reads the small files (settings, attributes, codebooks, memos) and the catalogue of
/// transcripts; transcript texts and coder layers are read on first use, so a command costs
/// what it touches. Loading a layer re-anchors, in memory, segments whose transcript changed
/// and reports each in [`Study::notices`].
#[derive(Debug)]
pub struct Study {
    /// The study folder.
    pub root: PathBuf,
    /// `thema.json`.
    pub settings: Settings,
    /// `transcripts/attributes.csv`.
    pub attributes: Attributes,
    /// Codebooks sorted by file name.
    pub codebooks: Vec<LoadedCodebook>,
    /// Analytic memos.
    pub memos: Vec<Memo>,
    catalogue: Catalogue,
    texts: TextCache,
    raw: RawTexts,
    layers: BTreeMap<String, OnceLock<Layer>>,
    /// The consensus view, derived when first asked for and forgotten when a layer changes.
    consensus: OnceLock<consensus_view::ConsensusView>,
    pub(crate) anchors: Anchors,
    notices: Mutex<Vec<Problem>>,
    locks: HashMap<String, CoderLock>,
}

/// Bytes `[start, end)` of a file as text; `None` when they cannot be read or do not fall on
/// character boundaries.
fn read_range(path: &Path, (start, end): (usize, usize)) -> Option<String> {
    if end < start {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let mut buf = vec![0u8; end - start];
    #[cfg(unix)]
    std::os::unix::fs::FileExt::read_exact_at(&file, &mut buf, start as u64).ok()?;
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek};
        let mut file = file;
        file.seek(std::io::SeekFrom::Start(start as u64)).ok()?;
        file.read_exact(&mut buf).ok()?;
    }
    String::from_utf8(buf).ok()
}

/// One coder's segments as loaded.
#[derive(Debug, Default)]
struct Layer {
    /// Segments in file order.
    segments: Vec<Segment>,
    /// The file's stamp when it was read, if it did not change while being read.
    stamp: Option<Stamp>,
}

/// The `.gitignore` of a new study.
pub const GITIGNORE: &str = ".thema/\n.thema-*.tmp\nthema.local.json\n# recordings: delete this line only if the team may share them through git\nmedia/\n";

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
            return Err(NewTranscriptError::AlreadyAStudy(dir.to_path_buf()).into());
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
        // and this computer's own settings; recordings stay out of git unless a team decides
        // otherwise (interview audio usually may not leave the researchers' machines)
        atomic::write_atomic(&dir.join(".gitignore"), GITIGNORE.as_bytes())?;
        // two people refining one codebook on different clones both append to its history:
        // a union merge keeps both lines instead of stopping with a conflict
        atomic::write_atomic(
            &dir.join(".gitattributes"),
            b"codebooks/*.log.jsonl merge=union\n",
        )?;
        Ok(dir.to_path_buf())
    }

    /// Opens the study at `root`: the small files and the transcript catalogue (brought up to
    /// date with the files, parsing only transcripts that are new or changed). Fails on the
    /// first malformed file, naming it.
    pub fn open(root: &Path) -> Result<Study> {
        // the catalogue (mostly waiting on the file system) is brought up to date while the
        // small files are read
        let (opened, small) = std::thread::scope(|scope| {
            let catalogue = scope.spawn(|| Catalogue::open(root));
            let small = Study::small_files(root);
            let opened = catalogue.join().unwrap_or_else(|_| Catalogue::open(root));
            (opened, small)
        });
        let (settings, attributes, codebooks, layers, memos) = small?;
        let opened = opened?;
        let texts = TextCache::default();
        for transcript in opened.parsed {
            texts.put(Arc::new(transcript));
        }
        Ok(Study {
            root: root.to_path_buf(),
            settings,
            attributes,
            codebooks,
            memos,
            catalogue: opened.catalogue,
            texts,
            raw: RawTexts::default(),
            layers,
            consensus: OnceLock::new(),
            anchors: Anchors::new(root),
            notices: Mutex::new(Vec::new()),
            locks: HashMap::new(),
        })
    }

    /// Settings, attributes, codebooks, the coders with a file, and memos.
    #[allow(clippy::type_complexity)]
    fn small_files(
        root: &Path,
    ) -> Result<(
        Settings,
        Attributes,
        Vec<LoadedCodebook>,
        BTreeMap<String, OnceLock<Layer>>,
        Vec<Memo>,
    )> {
        let settings = files::load_settings(root)?;
        let attributes = files::load_attributes(root)?;
        let codebooks = files::load_codebooks(root)?;
        let layers = files::coder_files(root)?
            .into_iter()
            .map(|coder| (coder, OnceLock::new()))
            .collect();
        let memos = memo::load_memos(root)?;
        Ok((settings, attributes, codebooks, layers, memos))
    }

    /// Opens the study and loads every coder's layer, so [`Study::notices`] lists everything
    /// loading moved or flagged.
    pub fn open_all(root: &Path) -> Result<Study> {
        let study = Study::open(root)?;
        study.layers()?;
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

    /// What loading layers so far re-anchored or flagged (segments moved, lost or orphaned).
    pub fn notices(&self) -> Vec<Problem> {
        self.notices
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    // ----- transcripts -----

    /// Every transcript as the catalogue describes it, sorted by id (no text is read).
    pub fn transcripts(&self) -> &[TranscriptInfo] {
        self.catalogue.infos()
    }

    /// What the catalogue knows of a transcript (exact id, then ignoring ASCII case).
    pub fn transcript_info(&self, id: &str) -> Option<&TranscriptInfo> {
        self.catalogue.get(id)
    }

    /// Whether the study has a transcript with this id (exact, then ignoring ASCII case).
    pub fn has_transcript(&self, id: &str) -> bool {
        self.catalogue.get(id).is_some()
    }

    /// The transcript with this id (exact, then ignoring ASCII case), read on first use.
    pub fn transcript(&self, id: &str) -> Result<Arc<Transcript>> {
        let info = self
            .catalogue
            .get(id)
            .ok_or_else(|| self.no_transcript(id))?;
        if let Some(t) = self.texts.get(&info.id) {
            return Ok(t);
        }
        let transcript = self.read_transcript(info)?;
        self.texts.put(Arc::clone(&transcript));
        Ok(transcript)
    }

    /// [`Study::transcript`] without keeping it: for work that goes through many transcripts
    /// once each (a batch over the whole study), so memory holds one at a time.
    pub fn transcript_passing(&self, id: &str) -> Result<Arc<Transcript>> {
        let info = self
            .catalogue
            .get(id)
            .ok_or_else(|| self.no_transcript(id))?;
        match self.texts.get(&info.id) {
            Some(t) => Ok(t),
            None => self.read_transcript(info),
        }
    }

    /// Reads a transcript from its file, checking it against the catalogue.
    fn read_transcript(&self, info: &TranscriptInfo) -> Result<Arc<Transcript>> {
        let text = files::read_text(&files::transcript_path(&self.root, &info.id))?;
        let transcript = if hash_bytes(text.as_bytes()) == info.hash {
            Transcript::with_words(info.id.clone(), text, info.words)
        } else {
            // changed on disk since the study was opened: count it afresh
            Transcript::parse(info.id.clone(), text)
        };
        Ok(Arc::new(transcript))
    }

    /// The text of a passage whose place is known in code points (`chars`) and in bytes of the
    /// file (`bytes`, as the search index stores it): sliced from the transcript when the
    /// study holds it, else read from the file at those bytes without parsing it (the file's
    /// stamp was checked against the catalogue when the study was opened), else — offsets
    /// from another version of the file — from the transcript parsed afresh. Empty for an
    /// unknown transcript.
    pub fn passage(
        &self,
        id: &str,
        chars: (usize, usize),
        bytes: (usize, usize),
    ) -> Result<String> {
        let Some(info) = self.catalogue.get(id) else {
            return Ok(String::new());
        };
        if let Some(t) = self.texts.get(&info.id) {
            return Ok(t.slice(chars.0, chars.1).to_string());
        }
        let path = files::transcript_path(&self.root, &info.id);
        let cut = match self.raw.plan(&info.id) {
            RawPlan::Have(text) => text.get(bytes.0..bytes.1).map(str::to_string),
            RawPlan::ReadRange => read_range(&path, bytes),
            RawPlan::ReadWhole => {
                let text: Arc<str> = files::read_text(&path)?.into();
                if hash_bytes(text.as_bytes()) == info.hash {
                    let cut = text.get(bytes.0..bytes.1).map(str::to_string);
                    self.raw.keep(&info.id, text);
                    cut
                } else {
                    None
                }
            }
        };
        match cut {
            Some(text) => Ok(text),
            // offsets from another version of the file: parse it after all
            None => Ok(self
                .transcript(&info.id)?
                .slice(chars.0, chars.1)
                .to_string()),
        }
    }

    /// Refuses an attribute column the study does not have (`transcript`, the id, is one).
    pub fn require_column(&self, column: &str) -> Result<()> {
        if column == "transcript" || self.attributes.columns.iter().any(|c| c == column) {
            Ok(())
        } else {
            Err(StudyError::NoColumn {
                column: column.to_string(),
                columns: self.attributes.columns.clone(),
            })
        }
    }

    /// The error for a transcript id that names none, suggesting up to three ids close to it
    /// (by id and by file path, `transcripts/ID.txt`).
    pub fn no_transcript(&self, id: &str) -> StudyError {
        let candidates: Vec<Candidate> = self
            .transcripts()
            .iter()
            .map(|t| Candidate {
                shown: t.id.clone(),
                spellings: vec![t.id.clone(), format!("transcripts/{}.txt", t.id)],
            })
            .collect();
        StudyError::NoTranscript {
            id: id.to_string(),
            suggestions: suggest::closest(id, &candidates, MAX_SUGGESTIONS),
        }
    }

    /// The transcript with this id if the study has one; `Ok(None)` when it has not.
    pub fn find_transcript(&self, id: &str) -> Result<Option<Arc<Transcript>>> {
        if self.has_transcript(id) {
            self.transcript(id).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Every transcript in id order, each read when the iterator reaches it and not kept by the
    /// study afterwards, for commands that go through the whole study.
    pub fn each_transcript(&self) -> impl Iterator<Item = Result<Arc<Transcript>>> + '_ {
        self.catalogue
            .infos()
            .iter()
            .map(|info| match self.texts.get(&info.id) {
                Some(t) => Ok(t),
                None => self.read_transcript(info),
            })
    }

    /// Every transcript, read (a convenience for small studies and tests; commands that go
    /// through a large study use [`Study::each_transcript`]).
    pub fn all_transcripts(&self) -> Result<Vec<Arc<Transcript>>> {
        self.each_transcript().collect()
    }

    // ----- coders and their layers -----

    /// Coders with a layer (on disk or written by this process), in name order.
    pub fn coders(&self) -> Vec<&str> {
        self.layers.keys().map(String::as_str).collect()
    }

    /// Whether `coder` has a layer.
    pub fn has_coder(&self, coder: &str) -> bool {
        self.layers.contains_key(coder)
    }

    /// Segments of one coder in file order, read on first use (empty if the coder has none).
    pub fn layer(&self, coder: &str) -> Result<&[Segment]> {
        let Some(slot) = self.layers.get(coder) else {
            return Ok(&[]);
        };
        if let Some(layer) = slot.get() {
            return Ok(&layer.segments);
        }
        let layer = self.load_layer(coder)?;
        let _ = slot.set(layer);
        Ok(slot.get().map_or(&[], |l| l.segments.as_slice()))
    }

    /// Every coder's segments, in coder name order (reading the layers not yet read).
    pub fn layers(&self) -> Result<Vec<(&str, &[Segment])>> {
        let mut out = Vec::with_capacity(self.layers.len());
        for coder in self.layers.keys() {
            out.push((coder.as_str(), self.layer(coder)?));
        }
        Ok(out)
    }

    /// Calls `visit` with every segment of one coder, in file order, re-anchored as loading
    /// the layer would. A layer not in memory is read run by run and not kept: for commands
    /// that go through whole layers once (agreement on a large study would otherwise hold
    /// every coder's segments at once).
    pub fn each_segment(&self, coder: &str, mut visit: impl FnMut(&Segment)) -> Result<()> {
        if let Some(segments) = self.loaded_layer(coder) {
            segments.iter().for_each(visit);
            return Ok(());
        }
        if !self.has_coder(coder) {
            return Ok(());
        }
        let Some(mut runs) = LayerRuns::open(&files::codings_path(&self.root, coder))? else {
            return Ok(());
        };
        while let Some((transcript, mut segments, print)) = runs.next_run()? {
            self.reanchor_run(&transcript, Some(print), &mut segments)?;
            segments.iter().for_each(&mut visit);
        }
        self.anchors.save();
        Ok(())
    }

    /// The consensus view (see [`consensus_view`]): the team's decisions, the passages the
    /// compared coders agree on and the transcripts one coder coded alone.
    pub fn consensus_view(&self) -> Result<&consensus_view::ConsensusView> {
        if let Some(view) = self.consensus.get() {
            return Ok(view);
        }
        let view = consensus_view::build(self)?;
        Ok(self.consensus.get_or_init(|| view))
    }

    /// Segments of one coder if they are in memory already.
    pub(crate) fn loaded_layer(&self, coder: &str) -> Option<&[Segment]> {
        self.layers
            .get(coder)
            .and_then(OnceLock::get)
            .map(|l| l.segments.as_slice())
    }

    /// Segments of one coder for changing them; the layer is read first if needed.
    pub(crate) fn layer_mut(&mut self, coder: &str) -> Result<&mut Vec<Segment>> {
        self.consensus = OnceLock::new();
        let loaded = self
            .layers
            .get(coder)
            .is_some_and(|slot| slot.get().is_some());
        if !loaded {
            let layer = self.load_layer(coder)?;
            self.layers.insert(coder.to_string(), OnceLock::from(layer));
        }
        self.layers
            .get_mut(coder)
            .and_then(OnceLock::get_mut)
            .map(|layer| &mut layer.segments)
            .ok_or_else(|| CodingError::NoLayer(coder.to_string()).into())
    }

    /// Forgets a loaded layer, so the next use reads the file again.
    pub(crate) fn forget_layer(&mut self, coder: &str) {
        self.consensus = OnceLock::new();
        self.layers.insert(coder.to_string(), OnceLock::new());
    }

    /// Reads one coder's file and re-anchors segments whose transcript changed since they
    /// were last known to sit exactly (`.thema/anchors.json`).
    fn load_layer(&self, coder: &str) -> Result<Layer> {
        let path = files::codings_path(&self.root, coder);
        let before = Stamp::of_path(&path);
        let file = LayerFile::read(&path)?;
        let stamp = before.filter(|b| Some(*b) == Stamp::of_path(&path));
        let mut segments = file.all()?;
        let found = self.reanchor_layer(&file, &mut segments)?;
        let notices = coding::notices(&path, found);
        if !notices.is_empty() {
            self.notices
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .extend(notices);
        }
        self.anchors.save();
        Ok(Layer { segments, stamp })
    }

    /// Re-anchors the segments of a layer read from `file`, run of transcript by run; returns
    /// the 1-based position of each segment moved, lost or orphaned.
    pub(crate) fn reanchor_layer(
        &self,
        file: &LayerFile,
        segments: &mut [Segment],
    ) -> Result<Vec<(usize, coding::Reanchored)>> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < segments.len() {
            let id = segments[start].transcript.clone();
            let len = segments[start..]
                .iter()
                .take_while(|s| s.transcript == id)
                .count();
            // a run's fingerprint stands for all the transcript's lines only in a sorted file
            let print = if file.is_sorted() {
                file.print(&id)
            } else {
                None
            };
            let found = self.reanchor_run(&id, print, &mut segments[start..start + len])?;
            out.extend(found.into_iter().map(|(i, what)| (start + i, what)));
            start += len;
        }
        Ok(out)
    }

    /// Re-anchors segments of one transcript whose lines' bytes have fingerprint `print`,
    /// unless they are known to sit exactly in its current text; learns that they do when
    /// none moved. Positions are 1-based within `segments`.
    pub(crate) fn reanchor_run(
        &self,
        transcript: &str,
        print: Option<u64>,
        segments: &mut [Segment],
    ) -> Result<Vec<(usize, coding::Reanchored)>> {
        self.reanchor_in(transcript, None, print, segments)
    }

    /// [`Study::reanchor_run`] with the transcript at hand when the caller has read it.
    pub(crate) fn reanchor_in(
        &self,
        transcript: &str,
        text: Option<&Transcript>,
        print: Option<u64>,
        segments: &mut [Segment],
    ) -> Result<Vec<(usize, coding::Reanchored)>> {
        let Some(info) = self
            .catalogue
            .position(transcript)
            .map(|i| &self.catalogue.infos()[i])
        else {
            return Ok(segments
                .iter()
                .enumerate()
                .map(|(i, s)| (i + 1, coding::Reanchored::Orphan { id: s.id.clone() }))
                .collect());
        };
        if print.is_some_and(|p| self.anchors.knows(p, info.hash)) {
            return Ok(Vec::new());
        }
        let loaded;
        let text = match text {
            Some(t) => t,
            None => {
                loaded = self.transcript(transcript)?;
                &loaded
            }
        };
        let mut out = Vec::new();
        for (i, segment) in segments.iter_mut().enumerate() {
            if let Some(what) = coding::reanchor_one(text, segment) {
                out.push((i + 1, what));
            }
        }
        if out.is_empty() {
            if let Some(print) = print {
                self.anchors.learn(print, info.hash);
            }
        }
        Ok(out)
    }

    // ----- codebooks -----

    /// The codebook holding a code id.
    pub fn codebook_of(&self, code: &str) -> Option<&Codebook> {
        self.codebooks
            .iter()
            .map(|c| &c.codebook)
            .find(|cb| cb.contains(code))
    }

    /// The file stem of the codebook holding a code id.
    pub fn codebook_file_of(&self, code: &str) -> Option<&str> {
        self.codebooks
            .iter()
            .find(|c| c.codebook.contains(code))
            .map(|c| c.file.as_str())
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
                    return Err(framework::FrameworkError::NoCodebook {
                        name: name.to_string(),
                        known: self.codebook_names(),
                    }
                    .into());
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
            [] => Err(no_code(reference, &books)),
            _ => Err(framework::FrameworkError::AmbiguousCode(reference.to_string()).into()),
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
            .ok_or_else(|| framework::FrameworkError::Orphan(reference.to_string()))?;
        Ok(cb.subtree(&code.id))
    }

    /// File stems of the codebooks.
    pub fn codebook_names(&self) -> Vec<String> {
        self.codebooks.iter().map(|c| c.file.clone()).collect()
    }

    // ----- writing a layer -----

    /// Takes the coder's lock for this process. A layer already in memory is read again unless
    /// it is provably the version on disk, so what is in memory is exactly what is on disk.
    /// Needed before any write to the coder's layer.
    pub fn lock(&mut self, coder: &str) -> Result<()> {
        if self.locks.contains_key(coder) {
            return Ok(());
        }
        coder::validate(coder)?;
        let lock = lock::lock_coder(&self.root, coder)?;
        let path = files::codings_path(&self.root, coder);
        let loaded = self.layers.get(coder).and_then(OnceLock::get);
        if let Some(layer) = loaded {
            let unchanged = layer.stamp.is_some() && layer.stamp == Stamp::of_path(&path);
            if !unchanged {
                self.forget_layer(coder);
            }
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
        let root = self.root.clone();
        let segments = self.layer_mut(coder)?;
        crate::model::segment::sort_segments(segments);
        files::save_codings(&root, coder, segments)?;
        let stamp = Stamp::of_path(&files::codings_path(&root, coder));
        if let Some(layer) = self.layers.get_mut(coder).and_then(OnceLock::get_mut) {
            layer.stamp = stamp;
        }
        Ok(())
    }

    /// Index of the codebook holding a code.
    pub(crate) fn codebook_slot(&self, code: &str) -> Option<usize> {
        self.codebooks
            .iter()
            .position(|c| c.codebook.contains(code))
    }
}

/// How many "did you mean" suggestions an error offers.
const MAX_SUGGESTIONS: usize = 3;

/// The error for a code reference that names no code in `books`, suggesting up to three code
/// paths close to it (by id, name and path).
fn no_code(reference: &str, books: &[&LoadedCodebook]) -> StudyError {
    let candidates: Vec<Candidate> = books
        .iter()
        .flat_map(|b| {
            b.codebook.codes.iter().map(|code| {
                let path = b.codebook.path(&code.id);
                Candidate {
                    spellings: vec![code.id.clone(), code.name.clone(), path.clone()],
                    shown: path,
                }
            })
        })
        .collect();
    StudyError::NoCode {
        reference: reference.to_string(),
        suggestions: suggest::closest(reference, &candidates, MAX_SUGGESTIONS),
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
        Err(NewTranscriptError::BadId(id.to_string()).into())
    }
}

/// A transcript id made from a file name: `LW7 year 1.docx` → `LW7-year-1`.
pub fn transcript_id_from_file(name: &str) -> String {
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    transcript_id_from_name(stem.strip_suffix(".transcript").unwrap_or(&stem))
}

/// A transcript id made from a source's name: spaces and every other character awkward on a
/// command line or in a file name become `-` (one for a run of them), so
/// `Interview 7 (María)` → `Interview-7-María`. Empty when nothing usable is left.
pub fn transcript_id_from_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches(['-', '.']).to_string()
}

/// The attribute column keeping a source's own name when its transcript id had to differ
/// (`Interview 7` imported as `Interview-7`).
pub const SOURCE_NAME_COLUMN: &str = "source_name";

impl Study {
    /// Adds transcripts: every id is checked (valid, not already in the study, not twice in the
    /// batch) before anything is written; then each transcript and the attribute table are
    /// written atomically.
    pub fn add_transcripts(&mut self, batch: Vec<NewTranscript>) -> Result<Vec<String>> {
        let mut seen = std::collections::BTreeSet::new();
        for t in &batch {
            validate_transcript_id(&t.id)?;
            if self.has_transcript(&t.id) || files::transcript_path(&self.root, &t.id).exists() {
                return Err(NewTranscriptError::Exists(t.id.clone()).into());
            }
            if !seen.insert(t.id.to_lowercase()) {
                return Err(NewTranscriptError::SameId(t.id.clone()).into());
            }
            if t.text.trim().is_empty() {
                return Err(NewTranscriptError::Empty(t.id.clone()).into());
            }
        }
        let mut batch = batch;
        for t in &mut batch {
            if !t.attributes.iter().any(|(k, _)| k == "participant")
                && self.attributes.get(&t.id, "participant").is_none()
            {
                t.attributes.push(("participant".to_string(), t.id.clone()));
            }
        }
        write_new_transcripts(&self.root, &mut self.attributes, &batch)?;
        let mut added = Vec::new();
        for t in batch {
            let transcript = Transcript::parse(t.id.clone(), t.text);
            self.catalogue.insert(TranscriptInfo::of(&transcript));
            self.texts.remove(&transcript.id);
            self.raw.remove(&transcript.id);
            self.texts.put(Arc::new(transcript));
            added.push(t.id);
        }
        Ok(added)
    }
}

/// Writes new transcripts with their attribute rows: the one way every import (`thema import`,
/// a REFI-QDA project) adds transcripts. Every transcript gets a row, holding the values given
/// over any already there. The attribute table is written first, then each transcript, each
/// write atomic, so a crash leaves each transcript either whole with its row or absent; a row
/// left without its transcript is read by nothing, `thema check` warns of it, and importing the
/// transcript again fills it.
pub fn write_new_transcripts(
    root: &Path,
    attributes: &mut Attributes,
    batch: &[NewTranscript],
) -> Result<()> {
    for t in batch {
        if attributes.columns.is_empty() {
            attributes.columns.push("transcript".to_string());
        }
        attributes.rows.entry(t.id.clone()).or_default();
        for (k, v) in &t.attributes {
            attributes.set(&t.id, k, v);
        }
    }
    files::save_attributes(root, attributes)?;
    for t in batch {
        files::save_transcript(root, &t.id, &t.text)?;
    }
    Ok(())
}
