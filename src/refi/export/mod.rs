//! Writing a study as REFI-QDA: the codebook alone (`.qdc`) or the whole project (`.qdpx`).
//!
//! Mapping: the codebooks as [`crate::refi::codebooks`] lays them out (codes keep GUID, name,
//! codability, colour and order); code definitions become `Description`; coders become `User`s
//! under the names and GUIDs of `coders.json`; each coder's segments on one span (or from one
//! imported selection) become one `PlainTextSelection` holding one `Coding` per code, the coder on
//! both; the segment comment is the selection's `Description`; memos become `Note`s (or the
//! `Description`s they hold); participants become `Case`s and attribute columns `Variable`s;
//! sets kept from an import are written back. Sources, variables, cases and the project keep the
//! GUIDs, names and dates `refi.json` recorded. Texts and positions are written in the
//! [`TextFormat`] chosen for the target program. Nothing here reads the clock: the same study
//! always gives the same bytes.

mod codes;
mod data;
mod notes;
mod out;
mod project;
mod selections;
mod values;

use std::collections::BTreeSet;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use crate::refi::export::data::StudyData;
use crate::refi::export::out::{some, Out};
use crate::refi::export::project::project_xml;
use crate::refi::units::{ExportOptions, TextFormat, WrittenText};
use crate::refi::{RefiError, CODEBOOK_NS};
use crate::study::Study;

pub(crate) use notes::memo_guid;
pub(crate) use values::xs_datetime;

/// What an export wrote, and what it could not represent.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExportSummary {
    /// The file written.
    pub path: PathBuf,
    /// How texts and positions were written, and why.
    pub format: String,
    /// Transcripts written as text sources.
    pub transcripts: usize,
    /// Codebooks with codes.
    pub codebooks: usize,
    /// Codes, folder codes standing for codebooks excluded.
    pub codes: usize,
    /// Coders written as users.
    pub coders: Vec<String>,
    /// Plain-text selections written.
    pub selections: usize,
    /// Codings written (one per exported segment).
    pub codings: usize,
    /// Memos written as notes.
    pub memos: usize,
    /// Memos written as the description of the project, a source or a case.
    pub descriptions: usize,
    /// Participants written as cases.
    pub cases: usize,
    /// Attribute columns written as variables.
    pub variables: usize,
    /// Sets written (one per codebook when there are several, and those kept from an import).
    pub sets: usize,
    /// Everything left out or simplified, one line each.
    pub not_exported: Vec<String>,
}

/// The codebooks of a study as a REFI-QDA codebook document (`.qdc`), laid out as in a project.
/// Refused when the study has no codes (the schema needs one).
pub fn export_qdc(study: &Study) -> Result<String, RefiError> {
    let data = StudyData::gather(study)?;
    if data.codebooks.is_empty() {
        return Err(RefiError::EmptyCodebook);
    }
    let mut out = Out::new()?;
    out.open(
        "CodeBook",
        vec![
            ("xmlns", some(CODEBOOK_NS)),
            ("origin", some(TextFormat::standard().origin())),
        ],
    )?;
    codes::write_codes(&mut out, &data, &Default::default())?;
    let mut missing = 0;
    let sets = codes::sets(&data, &BTreeSet::new(), &mut missing);
    codes::write_sets(&mut out, &sets, true)?;
    out.close("CodeBook")?;
    out.finish()
}

/// Writes the study as a REFI-QDA project archive at `out`: `project.qde` plus every transcript
/// as `sources/<guid>.txt`, in the format `options` ask for (else the one the study's import
/// recorded, else the standard: UTF-8, LF, code points). The file is replaced atomically.
pub fn export_qdpx(
    study: &Study,
    out: &Path,
    options: &ExportOptions,
) -> Result<ExportSummary, RefiError> {
    let data = StudyData::gather(study)?;
    let format = TextFormat::choose(
        options,
        data.record.target,
        data.record.offsets,
        &data.record.origin,
    );
    let texts: Vec<(String, WrittenText)> = data
        .transcripts
        .iter()
        .map(|t| {
            (
                data.transcript_guid(&t.id),
                WrittenText::new(&t.text, &format),
            )
        })
        .collect();
    let (xml, mut summary) = project_xml(&data, &format, &texts)?;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let zip_options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let zip_error = |e: zip::result::ZipError| RefiError::Zip {
        path: out.to_path_buf(),
        message: e.to_string(),
    };
    let io_error = |source| RefiError::Io {
        path: out.to_path_buf(),
        source,
    };
    zip.start_file("project.qde", zip_options)
        .map_err(zip_error)?;
    zip.write_all(xml.as_bytes()).map_err(io_error)?;
    for (guid, text) in &texts {
        zip.start_file(format!("sources/{guid}.txt"), zip_options)
            .map_err(zip_error)?;
        zip.write_all(text.bytes()).map_err(io_error)?;
    }
    let bytes = zip.finish().map_err(zip_error)?.into_inner();
    crate::study::atomic::write_atomic(out, &bytes)?;
    summary.path = out.to_path_buf();
    Ok(summary)
}
