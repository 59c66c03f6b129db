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
mod selections;
mod values;

use std::collections::BTreeSet;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use crate::refi::export::data::StudyData;
use crate::refi::export::out::{some, Out};
use crate::refi::export::selections::{coding_guid, excerpt};
use crate::refi::units::{ExportOptions, TextFormat, WrittenText};
use crate::refi::{RefiError, CODEBOOK_NS, PROJECT_NS};
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

/// The project document (`project.qde`) and what went into it; `texts` are the transcripts as
/// written, in the order of `data.transcripts`.
fn project_xml(
    data: &StudyData<'_>,
    format: &TextFormat,
    texts: &[(String, WrittenText)],
) -> Result<(String, ExportSummary), RefiError> {
    let selections = selections::plan(data);
    let (variables, participants) = values::plan_variables(data);
    let participant_names: BTreeSet<&str> = participants.keys().map(String::as_str).collect();
    let notes = notes::plan(data, &selections, &participant_names);
    let mut summary = ExportSummary {
        format: format.describe(),
        not_exported: selections.skipped.clone(),
        ..ExportSummary::default()
    };
    summary.not_exported.extend(notes.skipped.iter().cloned());
    // users: every coder known by name, with a layer, or named by a memo
    let mut users: BTreeSet<&str> = data.coders.coders.keys().map(String::as_str).collect();
    users.extend(selections.coders.iter().copied());
    users.extend(
        data.memos
            .iter()
            .flat_map(|m| [m.field("coder"), m.field("modified_by")])
            .flatten()
            .filter(|c| !c.trim().is_empty()),
    );
    let user_guids: BTreeSet<String> = users.iter().map(|c| data.coder_guid(c)).collect();
    let known_user = |guid: &Option<String>| guid.clone().filter(|g| user_guids.contains(g));
    let user = |coder: &str| data.coder_guid(coder);
    // dates of the project: as recorded, else the earliest and latest of the data
    let mut dates: Vec<String> = selections
        .by_transcript
        .values()
        .flatten()
        .flat_map(|s| s.segments.iter().filter_map(|seg| xs_datetime(&seg.at)))
        .collect();
    dates.extend(
        data.memos
            .iter()
            .filter_map(|m| m.field("created").and_then(xs_datetime)),
    );
    dates.sort();
    // a project imported keeps its own dates (none when it had none)
    let stamps = &data.record.project;
    let (created, modified) = if data.record.origin.is_empty() {
        (dates.first().cloned(), dates.last().cloned())
    } else {
        (
            stamps.created.as_deref().and_then(xs_datetime),
            stamps.modified.as_deref().and_then(xs_datetime),
        )
    };
    let mut out = Out::new()?;
    out.open(
        "Project",
        vec![
            ("xmlns", some(PROJECT_NS)),
            (
                "xmlns:xsi",
                some("http://www.w3.org/2001/XMLSchema-instance"),
            ),
            (
                "xsi:schemaLocation",
                some(format!(
                    "{PROJECT_NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
                )),
            ),
            ("name", some(data.name.as_str())),
            ("origin", some(format.origin())),
            ("creatingUserGUID", known_user(&stamps.creating_user)),
            ("creationDateTime", created),
            ("modifyingUserGUID", known_user(&stamps.modifying_user)),
            ("modifiedDateTime", modified),
        ],
    )?;
    // Users
    if !users.is_empty() {
        out.open("Users", vec![])?;
        for coder in &users {
            let (name, initials) = match data.coders.get(coder) {
                Some(identity) => (
                    if identity.name.is_empty() {
                        coder.to_string()
                    } else {
                        identity.name.clone()
                    },
                    identity.initials.clone(),
                ),
                None => (coder.to_string(), Some(coder.to_string())),
            };
            out.empty(
                "User",
                vec![
                    ("guid", some(user(coder))),
                    ("name", some(name)),
                    ("id", initials),
                ],
            )?;
        }
        out.close("Users")?;
    }
    summary.coders = users.iter().map(|c| c.to_string()).collect();
    // CodeBook
    if !data.codebooks.is_empty() {
        out.open("CodeBook", vec![])?;
        summary.codes = codes::write_codes(&mut out, data, &notes.code_notes)?;
        out.close("CodeBook")?;
        summary.codebooks = data.codebooks.len();
    }
    // Variables and Cases
    if !variables.is_empty() {
        out.open("Variables", vec![])?;
        for v in &variables {
            let attrs = vec![
                ("guid", some(v.guid.as_str())),
                ("name", some(v.column.as_str())),
                ("typeOfVariable", some(v.kind.as_str())),
            ];
            match &v.description {
                Some(d) => {
                    out.open("Variable", attrs)?;
                    out.text("Description", vec![], d)?;
                    out.close("Variable")?;
                }
                None => out.empty("Variable", attrs)?,
            }
        }
        out.close("Variables")?;
    }
    summary.variables = variables.len();
    if !participants.is_empty() {
        out.open("Cases", vec![])?;
        for (participant, ids) in &participants {
            out.open(
                "Case",
                vec![
                    ("guid", some(values::case_guid(data, participant))),
                    ("name", some(participant.as_str())),
                ],
            )?;
            if let Some(d) = notes.case_descriptions.get(participant) {
                out.text("Description", vec![], d)?;
                summary.descriptions += 1;
            }
            for v in variables.iter().filter(|v| v.on_case) {
                if let Some(value) = data.attributes.get(&ids[0], &v.column) {
                    values::write_value(&mut out, v, value)?;
                }
            }
            for id in ids {
                out.empty(
                    "SourceRef",
                    vec![("targetGUID", some(data.transcript_guid(id)))],
                )?;
            }
            out.close("Case")?;
        }
        out.close("Cases")?;
    }
    summary.cases = participants.len();
    let orphan_rows = data
        .attributes
        .rows
        .keys()
        .filter(|id| data.transcript(id).is_none())
        .count();
    if orphan_rows > 0 {
        summary.not_exported.push(format!(
            "{orphan_rows} attribute rows of transcripts that do not exist were left out"
        ));
    }
    // Sources
    if !data.transcripts.is_empty() {
        out.open("Sources", vec![])?;
        for (transcript, (guid, written)) in data.transcripts.iter().zip(texts) {
            let recorded = data.record.sources.get(&transcript.id);
            let name = recorded
                .and_then(|r| r.name.clone())
                .or_else(|| {
                    data.attributes
                        .get(&transcript.id, crate::study::SOURCE_NAME_COLUMN)
                        .map(str::to_string)
                })
                .unwrap_or_else(|| transcript.id.clone());
            let source_stamps = recorded.map(|r| r.stamps.clone()).unwrap_or_default();
            out.open(
                "TextSource",
                vec![
                    ("guid", some(guid.as_str())),
                    ("name", some(name)),
                    ("plainTextPath", some(format!("internal://{guid}.txt"))),
                    ("creatingUser", known_user(&source_stamps.creating_user)),
                    (
                        "creationDateTime",
                        source_stamps.created.as_deref().and_then(xs_datetime),
                    ),
                    ("modifyingUser", known_user(&source_stamps.modifying_user)),
                    (
                        "modifiedDateTime",
                        source_stamps.modified.as_deref().and_then(xs_datetime),
                    ),
                ],
            )?;
            if let Some(d) = notes.transcript_descriptions.get(&transcript.id) {
                out.text("Description", vec![], d)?;
                summary.descriptions += 1;
            }
            for sel in selections
                .by_transcript
                .get(transcript.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                let first_date = sel.segments.iter().filter_map(|s| xs_datetime(&s.at)).min();
                out.open(
                    "PlainTextSelection",
                    vec![
                        ("guid", some(sel.guid.as_str())),
                        ("name", some(excerpt(transcript.slice(sel.start, sel.end)))),
                        (
                            "startPosition",
                            some(written.position(sel.start).to_string()),
                        ),
                        ("endPosition", some(written.position(sel.end).to_string())),
                        ("creatingUser", some(user(sel.coder))),
                        ("creationDateTime", first_date),
                    ],
                )?;
                if let Some(memo) = sel.memo {
                    out.text("Description", vec![], memo)?;
                }
                for segment in &sel.segments {
                    out.open(
                        "Coding",
                        vec![
                            ("guid", some(coding_guid(&data.space, &segment.id))),
                            ("creatingUser", some(user(sel.coder))),
                            ("creationDateTime", xs_datetime(&segment.at)),
                        ],
                    )?;
                    out.empty(
                        "CodeRef",
                        vec![("targetGUID", some(data.code_guid(&segment.code)))],
                    )?;
                    out.close("Coding")?;
                    summary.codings += 1;
                }
                for note in notes.selection_notes.get(&sel.guid).into_iter().flatten() {
                    out.empty("NoteRef", vec![("targetGUID", some(note.as_str()))])?;
                }
                out.close("PlainTextSelection")?;
                summary.selections += 1;
            }
            for note in notes
                .transcript_notes
                .get(&transcript.id)
                .into_iter()
                .flatten()
            {
                out.empty("NoteRef", vec![("targetGUID", some(note.as_str()))])?;
            }
            for v in variables.iter().filter(|v| !v.on_case) {
                if let Some(value) = data.attributes.get(&transcript.id, &v.column) {
                    values::write_value(&mut out, v, value)?;
                }
            }
            out.close("TextSource")?;
        }
        out.close("Sources")?;
    }
    summary.transcripts = data.transcripts.len();
    // Notes
    notes::write_notes(&mut out, &notes, &user)?;
    summary.memos = notes.notes.len();
    // Sets
    let mut missing = 0;
    let sets = codes::sets(data, &notes.guids(), &mut missing);
    codes::write_sets(&mut out, &sets, false)?;
    summary.sets = sets.len();
    if missing > 0 {
        summary.not_exported.push(format!(
            "{missing} set members no longer exist and were left out of their sets"
        ));
    }
    // the project's description and notes
    if let Some(d) = notes.project_description {
        out.text("Description", vec![], d)?;
        summary.descriptions += 1;
    }
    for note in &notes.project_notes {
        out.empty("NoteRef", vec![("targetGUID", some(note.as_str()))])?;
    }
    out.close("Project")?;
    Ok((out.finish()?, summary))
}
