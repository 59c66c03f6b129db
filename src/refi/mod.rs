//! REFI-QDA interchange: export a study as a codebook (`.qdc`) or a whole project (`.qdpx`), and
//! import either (also a bare `project.qde` or an unpacked project folder) from NVivo, ATLAS.ti,
//! MAXQDA, QualCoder and others.
//!
//! Export is strict: schema order, no empty containers, `internal://` paths, UTF-8/LF text with
//! code-point offsets, and GUIDs derived from thema ids so two exports of the same study agree.
//! Import is lenient (any `urn:QDA-XML` namespace, `Sources/` or `sources/`, GUIDs in any case,
//! the offset unit detected per file) and returns plain data with a warning for everything it
//! could not map; [`apply_to_study`] then writes that data through the `study` layer's save
//! functions. This module never edits study files any other way, and never changes the model.

pub mod codebooks;
pub mod guid;
pub mod offsets;
pub mod record;
pub mod units;
pub mod users;
pub mod xml;

mod apply;
mod export;
mod import;

use std::path::PathBuf;

use crate::study::StudyError;

pub use apply::{apply_to_study, ImportSummary};
pub use export::{export_qdc, export_qdpx, ExportSummary};
pub use import::{
    import_refi, ImportedCodebook, ImportedCoder, ImportedTranscript, RefiProject, IMPORTED_CODER,
    SELECTION_FIELD,
};
pub use offsets::{OffsetUnit, UnitChoice};
pub use units::{ExportOptions, LineEndings, PositionUnit, Target, TextFormat};

/// Namespace of REFI-QDA project files (`project.qde`).
pub const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
/// Namespace of REFI-QDA codebook files (`.qdc`).
pub const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";

/// Memo front matter field holding the GUID of the REFI-QDA note the memo came from: a second
/// import of the same project updates that memo, and an export writes the note under it again.
pub const MEMO_GUID: &str = "guid";
/// Memo front matter field marking a memo that holds a REFI-QDA `Description` (of the project,
/// a source or a case) rather than a note; an export writes it back as that description.
pub const MEMO_DESCRIBES: &str = "describes";
/// `describes: project`.
pub const DESCRIBES_PROJECT: &str = "project";
/// `describes: transcript` (with `transcript: ID`).
pub const DESCRIBES_TRANSCRIPT: &str = "transcript";
/// `describes: case` (with `case: PARTICIPANT`).
pub const DESCRIBES_CASE: &str = "case";

/// Errors of REFI-QDA import and export, naming the file (and line) concerned.
#[derive(Debug, thiserror::Error)]
pub enum RefiError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The archive is not a readable ZIP file.
    #[error("{path}: not a readable .qdpx (ZIP) archive: {message}")]
    Zip {
        /// The archive.
        path: PathBuf,
        /// What the ZIP reader said.
        message: String,
    },
    /// An XML document is malformed.
    #[error("{file}:{line}: {message}")]
    Xml {
        /// The document (`project.qde`, or a path inside the archive).
        file: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// The file is readable but is not a REFI-QDA project or codebook thema can use.
    #[error("{path}: {message}")]
    Format {
        /// The file given.
        path: PathBuf,
        /// What was expected and what was found.
        message: String,
    },
    /// A `.qdc` must hold at least one code.
    #[error(
        "the study has no codes: a REFI-QDA codebook must hold at least one code (add codes first)"
    )]
    EmptyCodebook,
    /// Importing would overwrite a transcript the study already has.
    #[error("transcript '{id}' already exists in {root}; nothing was written (remove or rename it first)")]
    TranscriptExists {
        /// The transcript id.
        id: String,
        /// The study folder.
        root: PathBuf,
    },
    /// An error of the study layer while writing the import.
    #[error(transparent)]
    Study(#[from] StudyError),
    /// Something asked for cannot be done.
    #[error("{0}")]
    Invalid(String),
}

impl RefiError {
    /// An XML error at a line of a document.
    pub fn xml(file: &str, line: usize, message: impl Into<String>) -> Self {
        RefiError::Xml {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}
