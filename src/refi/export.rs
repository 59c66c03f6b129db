//! Writing a study as REFI-QDA: the codebook alone (`.qdc`) or the whole project (`.qdpx`).
//!
//! Mapping: each codebook becomes a top-level non-codable code (its folder) holding the codebook's
//! tree; code definitions become `Description` (include/exclude/example as labelled paragraphs);
//! coders become `User`s; each coder's segments on one span with one comment become one
//! `PlainTextSelection` holding one `Coding` per code, the coder on both; the segment comment is
//! the selection's `Description`; memos become `Note`s referenced from their code, transcript,
//! segment or the project; participants become `Case`s, and attribute columns `Variable`s whose
//! values sit on the case when every transcript of the participant agrees, else on the source.
//! Nothing here reads the clock: the same study always gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;

use crate::model::{Code, Codebook, Segment};
use crate::refi::guid::{normalise_guid, GuidSpace};
use crate::refi::xml::{escape_attr, escape_text};
use crate::refi::{RefiError, CODEBOOK_NS, PROJECT_NS};
use crate::study::{LoadedCodebook, Study};

/// What an export wrote, and what it could not represent.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExportSummary {
    /// The file written.
    pub path: PathBuf,
    /// Transcripts written as text sources.
    pub transcripts: usize,
    /// Codebooks (one top-level folder code each).
    pub codebooks: usize,
    /// Codes, folder codes excluded.
    pub codes: usize,
    /// Coders written as users.
    pub coders: Vec<String>,
    /// Plain-text selections written.
    pub selections: usize,
    /// Codings written (one per exported segment).
    pub codings: usize,
    /// Memos written as notes.
    pub memos: usize,
    /// Participants written as cases.
    pub cases: usize,
    /// Attribute columns written as variables.
    pub variables: usize,
    /// Everything left out or simplified, one line each.
    pub not_exported: Vec<String>,
}

/// Label of the inclusion criteria inside an exported code description.
pub(crate) const INCLUDE_LABEL: &str = "Include: ";
/// Label of the exclusion criteria inside an exported code description.
pub(crate) const EXCLUDE_LABEL: &str = "Exclude: ";
/// Label of the example inside an exported code description.
pub(crate) const EXAMPLE_LABEL: &str = "Example: ";

/// The text of `Code/Description`: the description, then labelled paragraphs for the other
/// definition fields that are set.
pub(crate) fn code_description(code: &Code) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !code.description.trim().is_empty() {
        parts.push(code.description.clone());
    }
    for (label, value) in [
        (INCLUDE_LABEL, &code.include),
        (EXCLUDE_LABEL, &code.exclude),
        (EXAMPLE_LABEL, &code.example),
    ] {
        if !value.trim().is_empty() {
            parts.push(format!("{label}{value}"));
        }
    }
    parts.join("\n\n")
}

/// The description of the folder code standing for a whole codebook; import recognises it.
pub(crate) fn codebook_folder_description(loaded: &LoadedCodebook) -> String {
    format!(
        "Codebook \"{}\" (codebooks/{}.json), exported by thema.",
        loaded.codebook.name, loaded.file
    )
}

/// A `#rrggbb` colour, or `None` when the stored one is not a colour the schema accepts.
fn schema_color(color: &str) -> Option<String> {
    let hex = color.trim().strip_prefix('#')?;
    let ok = (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|c| c.is_ascii_hexdigit());
    ok.then(|| format!("#{}", hex.to_ascii_uppercase()))
}

/// An `xs:dateTime` in UTC with seconds precision from an RFC 3339 time or a bare date.
pub(crate) fn xs_datetime(text: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let text = text.trim();
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return t.to_offset(time::UtcOffset::UTC).format(&format).ok();
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &date_format)
        .ok()
        .map(|d| format!("{d}T00:00:00Z"))
}

/// The type of a variable whose values are all of one lexical kind; text otherwise.
fn variable_type<'a>(values: impl Iterator<Item = &'a str>) -> &'static str {
    let values: Vec<&str> = values.filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return "Text";
    }
    let integer = |v: &str| {
        let digits = v.strip_prefix('-').unwrap_or(v);
        !digits.is_empty()
            && digits.len() <= 18
            && digits.chars().all(|c| c.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'))
            && v != "-0"
    };
    let float = |v: &str| {
        let body = v.strip_prefix('-').unwrap_or(v);
        match body.split_once('.') {
            Some((a, b)) => {
                !a.is_empty()
                    && !b.is_empty()
                    && a.chars().all(|c| c.is_ascii_digit())
                    && b.chars().all(|c| c.is_ascii_digit())
            }
            None => false,
        }
    };
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    let date = |v: &str| v.len() == 10 && time::Date::parse(v, &date_format).is_ok();
    if values.iter().all(|v| integer(v)) {
        "Integer"
    } else if values.iter().all(|v| integer(v) || float(v)) {
        "Float"
    } else if values.iter().all(|v| *v == "true" || *v == "false") {
        "Boolean"
    } else if values.iter().all(|v| date(v)) {
        "Date"
    } else {
        "Text"
    }
}

fn value_element(kind: &str) -> &'static str {
    match kind {
        "Integer" => "IntegerValue",
        "Float" => "FloatValue",
        "Boolean" => "BooleanValue",
        "Date" => "DateValue",
        _ => "TextValue",
    }
}

/// XML output with the escaping rules of [`crate::refi::xml`].
struct Out {
    writer: Writer<Vec<u8>>,
}

type Attrs<'a> = Vec<(&'a str, Option<String>)>;

impl Out {
    fn new() -> Result<Self, RefiError> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        writer
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .map_err(write_error)?;
        Ok(Out { writer })
    }

    fn start<'a>(name: &'a str, attrs: &Attrs<'_>) -> BytesStart<'a> {
        let mut start = BytesStart::new(name);
        for (key, value) in attrs {
            if let Some(value) = value {
                start.push_attribute(Attribute {
                    key: QName(key.as_bytes()),
                    value: escape_attr(value).into_bytes().into(),
                });
            }
        }
        start
    }

    fn open(&mut self, name: &str, attrs: Attrs<'_>) -> Result<(), RefiError> {
        self.writer
            .write_event(Event::Start(Self::start(name, &attrs)))
            .map_err(write_error)
    }

    fn empty(&mut self, name: &str, attrs: Attrs<'_>) -> Result<(), RefiError> {
        self.writer
            .write_event(Event::Empty(Self::start(name, &attrs)))
            .map_err(write_error)
    }

    fn close(&mut self, name: &str) -> Result<(), RefiError> {
        self.writer
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(write_error)
    }

    fn text(&mut self, name: &str, attrs: Attrs<'_>, text: &str) -> Result<(), RefiError> {
        self.writer
            .write_event(Event::Start(Self::start(name, &attrs)))
            .map_err(write_error)?;
        self.writer
            .write_event(Event::Text(BytesText::from_escaped(escape_text(text))))
            .map_err(write_error)?;
        self.close(name)
    }

    fn finish(self) -> Result<String, RefiError> {
        let mut bytes = self.writer.into_inner();
        bytes.push(b'\n');
        String::from_utf8(bytes).map_err(|e| RefiError::Invalid(format!("XML output: {e}")))
    }
}

fn write_error(e: impl std::fmt::Display) -> RefiError {
    RefiError::Invalid(format!("writing XML: {e}"))
}

fn some(value: impl Into<String>) -> Option<String> {
    Some(value.into())
}

/// Writes the codes of one codebook below `parent` (depth first, siblings by name).
fn write_codes(
    out: &mut Out,
    codebook: &Codebook,
    parent: Option<&str>,
    space: &GuidSpace,
    notes_of: &BTreeMap<String, Vec<String>>,
) -> Result<(), RefiError> {
    for code in codebook.children(parent) {
        let attrs = vec![
            ("guid", some(space.guid("code", &code.id))),
            ("name", some(code.name.as_str())),
            ("isCodable", some("true")),
            ("color", schema_color(&code.color)),
        ];
        let description = code_description(code);
        let notes = notes_of.get(&code.id).map(Vec::as_slice).unwrap_or(&[]);
        let has_children = !codebook.children(Some(&code.id)).is_empty();
        if description.is_empty() && notes.is_empty() && !has_children {
            out.empty("Code", attrs)?;
            continue;
        }
        out.open("Code", attrs)?;
        if !description.is_empty() {
            out.text("Description", vec![], &description)?;
        }
        for note in notes {
            out.empty("NoteRef", vec![("targetGUID", some(note.as_str()))])?;
        }
        write_codes(out, codebook, Some(&code.id), space, notes_of)?;
        out.close("Code")?;
    }
    Ok(())
}

/// Writes `Codes` with one folder code per codebook.
fn write_codebooks(
    out: &mut Out,
    study: &Study,
    space: &GuidSpace,
    notes_of: &BTreeMap<String, Vec<String>>,
) -> Result<usize, RefiError> {
    let mut count = 0;
    out.open("Codes", vec![])?;
    for loaded in study
        .codebooks
        .iter()
        .filter(|c| !c.codebook.codes.is_empty())
    {
        count += loaded.codebook.codes.len();
        out.open(
            "Code",
            vec![
                ("guid", some(space.derived("codebook", &loaded.file))),
                ("name", some(loaded.codebook.name.as_str())),
                ("isCodable", some("false")),
            ],
        )?;
        out.text("Description", vec![], &codebook_folder_description(loaded))?;
        write_codes(out, &loaded.codebook, None, space, notes_of)?;
        out.close("Code")?;
    }
    out.close("Codes")?;
    Ok(count)
}

/// The codebooks of a study as a REFI-QDA codebook document (`.qdc`): one folder code per
/// codebook holding its tree. Refused when the study has no codes (the schema needs one).
pub fn export_qdc(study: &Study) -> Result<String, RefiError> {
    if study.codebooks.iter().all(|c| c.codebook.codes.is_empty()) {
        return Err(RefiError::EmptyCodebook);
    }
    let space = GuidSpace::for_study(&study.name());
    let mut out = Out::new()?;
    out.open(
        "CodeBook",
        vec![("xmlns", some(CODEBOOK_NS)), ("origin", some(origin()))],
    )?;
    write_codebooks(&mut out, study, &space, &BTreeMap::new())?;
    out.close("CodeBook")?;
    out.finish()
}

fn origin() -> String {
    format!("thema {}", env!("CARGO_PKG_VERSION"))
}

/// The GUID of a coding: kept from an import (`coder-<guid>`), else derived from the segment id.
fn coding_guid(space: &GuidSpace, segment_id: &str) -> String {
    let kept = segment_id
        .len()
        .checked_sub(36)
        .and_then(|cut| segment_id.get(cut..))
        .and_then(normalise_guid);
    kept.unwrap_or_else(|| space.derived("segment", segment_id))
}

/// A selection name: the start of the quote, as ATLAS.ti and QualCoder write it.
fn excerpt(quote: &str) -> String {
    const MAX: usize = 100;
    if quote.chars().count() <= MAX {
        return quote.to_string();
    }
    let mut cut: String = quote.chars().take(MAX).collect();
    cut.push('…');
    cut
}

/// One exported selection: one coder's segments on one span with one comment.
struct Selection<'a> {
    coder: &'a str,
    start: usize,
    end: usize,
    memo: Option<&'a str>,
    segments: Vec<&'a Segment>,
}

/// Everything the project document needs, gathered and ordered before writing.
struct Plan<'a> {
    space: GuidSpace,
    users: BTreeSet<String>,
    selections: BTreeMap<&'a str, Vec<Selection<'a>>>,
    /// Note GUIDs referenced from codes, transcripts, selections (by selection GUID) and project.
    code_notes: BTreeMap<String, Vec<String>>,
    transcript_notes: BTreeMap<String, Vec<String>>,
    selection_notes: BTreeMap<String, Vec<String>>,
    project_notes: Vec<String>,
    skipped: Vec<String>,
}

fn selection_guid(space: &GuidSpace, transcript: &str, sel: &Selection<'_>) -> String {
    space.derived(
        "selection",
        &format!(
            "{}\u{1f}{transcript}\u{1f}{}\u{1f}{}\u{1f}{}",
            sel.coder,
            sel.start,
            sel.end,
            sel.memo.unwrap_or("")
        ),
    )
}

fn plan(study: &Study) -> Plan<'_> {
    let space = GuidSpace::for_study(&study.name());
    let mut skipped = Vec::new();
    let mut users = BTreeSet::new();
    let mut groups: BTreeMap<(&str, usize, usize, &str, &str), Vec<&Segment>> = BTreeMap::new();
    let (mut unanchored, mut orphans, mut unknown_codes, mut starred) = (0, 0, 0, 0);
    let mut undated = 0;
    for (coder, segments) in &study.codings {
        // every coder with a layer is a user, even one whose segments were all left out
        users.insert(coder.clone());
        for segment in segments {
            let Some(transcript) = study.transcript(&segment.transcript) else {
                orphans += 1;
                continue;
            };
            if segment.is_unanchored()
                || segment.start >= segment.end
                || segment.end > transcript.len_chars()
            {
                unanchored += 1;
                continue;
            }
            if study.code(&segment.code).is_none() {
                unknown_codes += 1;
                continue;
            }
            if segment.starred {
                starred += 1;
            }
            if xs_datetime(&segment.at).is_none() {
                undated += 1;
            }
            let memo = segment.memo.as_deref().unwrap_or("");
            groups
                .entry((
                    transcript.id.as_str(),
                    segment.start,
                    segment.end,
                    coder.as_str(),
                    memo,
                ))
                .or_default()
                .push(segment);
        }
    }
    for (count, what) in [
        (
            unanchored,
            "unanchored segments (their quote is no longer in the transcript; run `thema check`)",
        ),
        (orphans, "segments of transcripts that do not exist"),
        (unknown_codes, "segments whose code no codebook defines"),
    ] {
        if count > 0 {
            skipped.push(format!("{count} {what} were left out"));
        }
    }
    if undated > 0 {
        skipped.push(format!(
            "{undated} segments have no readable time ('at' is not RFC 3339): their codings carry no creationDateTime"
        ));
    }
    if starred > 0 {
        skipped.push(format!(
            "{starred} starred marks: REFI-QDA has no place for them (the segments were exported)"
        ));
    }
    let mut selections: BTreeMap<&str, Vec<Selection<'_>>> = BTreeMap::new();
    for ((transcript, start, end, coder, memo), mut segments) in groups {
        // by GUID, which an import keeps, so a re-export of an import orders them the same
        segments.sort_by_cached_key(|s| (space.guid("code", &s.code), coding_guid(&space, &s.id)));
        selections.entry(transcript).or_default().push(Selection {
            coder,
            start,
            end,
            memo: (!memo.trim().is_empty()).then_some(memo),
            segments,
        });
    }
    let mut plan = Plan {
        space,
        users,
        selections,
        code_notes: BTreeMap::new(),
        transcript_notes: BTreeMap::new(),
        selection_notes: BTreeMap::new(),
        project_notes: Vec::new(),
        skipped,
    };
    let mut memos: Vec<_> = study.memos.iter().collect();
    memos.sort_by(|a, b| a.path.cmp(&b.path));
    for memo in memos {
        let guid = plan.space.derived("memo", &memo_key(memo));
        if let Some(coder) = memo.field("coder").filter(|c| !c.trim().is_empty()) {
            plan.users.insert(coder.to_string());
        }
        let mut attached = false;
        if let Some(id) = memo.field("segment") {
            let found = plan.selections.iter().find_map(|(transcript, sels)| {
                sels.iter()
                    .find(|s| s.segments.iter().any(|seg| seg.id == id))
                    .map(|s| selection_guid(&plan.space, transcript, s))
            });
            if let Some(sel) = found {
                plan.selection_notes
                    .entry(sel)
                    .or_default()
                    .push(guid.clone());
                attached = true;
            }
        }
        if let Some(code) = memo.field("code").filter(|c| study.code(c).is_some()) {
            plan.code_notes
                .entry(code.to_string())
                .or_default()
                .push(guid.clone());
            attached = true;
        }
        if let Some(t) = memo.field("transcript").and_then(|t| study.transcript(t)) {
            plan.transcript_notes
                .entry(t.id.clone())
                .or_default()
                .push(guid.clone());
            attached = true;
        }
        let links = ["segment", "code", "transcript"]
            .iter()
            .any(|k| memo.field(k).is_some());
        if !attached {
            if links {
                plan.skipped.push(format!(
                    "memo '{}' links to something that no longer exists: attached to the project",
                    memo.title()
                ));
            }
            plan.project_notes.push(guid);
        }
    }
    plan
}

/// A stable key for a memo: its file stem.
fn memo_key(memo: &crate::study::Memo) -> String {
    memo.path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| memo.title())
}

/// Attribute columns as variables: their type, and whether values sit on the case.
struct VariablePlan {
    column: String,
    kind: &'static str,
    on_case: bool,
}

fn plan_variables(study: &Study) -> (Vec<VariablePlan>, BTreeMap<String, Vec<String>>) {
    let attrs = &study.attributes;
    let mut participants: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in &study.transcripts {
        if let Some(p) = attrs.get(&t.id, "participant") {
            participants
                .entry(p.to_string())
                .or_default()
                .push(t.id.clone());
        }
    }
    let variables = attrs
        .columns
        .iter()
        .filter(|c| *c != "transcript" && *c != "participant")
        .map(|column| {
            let kind = variable_type(
                study
                    .transcripts
                    .iter()
                    .filter_map(|t| attrs.get(&t.id, column)),
            );
            let on_case = !participants.is_empty()
                && participants.values().all(|ids| {
                    ids.iter()
                        .all(|id| attrs.get(id, column) == attrs.get(&ids[0], column))
                });
            VariablePlan {
                column: column.clone(),
                kind,
                on_case,
            }
        })
        .collect();
    (variables, participants)
}

fn write_value(out: &mut Out, guid: &str, kind: &str, value: &str) -> Result<(), RefiError> {
    out.open("VariableValue", vec![])?;
    out.empty("VariableRef", vec![("targetGUID", some(guid))])?;
    out.text(value_element(kind), vec![], value)?;
    out.close("VariableValue")
}

/// The project document (`project.qde`) and what went into it.
fn project_xml(study: &Study) -> Result<(String, ExportSummary), RefiError> {
    let plan = plan(study);
    let space = &plan.space;
    let mut summary = ExportSummary {
        not_exported: plan.skipped.clone(),
        ..ExportSummary::default()
    };
    let user_guid = |coder: &str| space.guid("coder", coder);
    // dates of the project: earliest and latest of the data
    let mut dates: Vec<String> = plan
        .selections
        .values()
        .flatten()
        .flat_map(|s| s.segments.iter().filter_map(|seg| xs_datetime(&seg.at)))
        .collect();
    dates.extend(
        study
            .memos
            .iter()
            .filter_map(|m| m.field("created").and_then(xs_datetime)),
    );
    dates.sort();
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
            ("name", some(study.name())),
            ("origin", some(origin())),
            ("creationDateTime", dates.first().cloned()),
            ("modifiedDateTime", dates.last().cloned()),
        ],
    )?;
    // Users
    if !plan.users.is_empty() {
        out.open("Users", vec![])?;
        for coder in &plan.users {
            out.empty(
                "User",
                vec![
                    ("guid", some(user_guid(coder))),
                    ("name", some(coder.as_str())),
                    ("id", some(coder.as_str())),
                ],
            )?;
        }
        out.close("Users")?;
    }
    summary.coders = plan.users.iter().cloned().collect();
    // CodeBook
    if study.codebooks.iter().any(|c| !c.codebook.codes.is_empty()) {
        out.open("CodeBook", vec![])?;
        summary.codes = write_codebooks(&mut out, study, space, &plan.code_notes)?;
        out.close("CodeBook")?;
        summary.codebooks = study
            .codebooks
            .iter()
            .filter(|c| !c.codebook.codes.is_empty())
            .count();
    }
    // Variables and Cases
    let (variables, participants) = plan_variables(study);
    let var_guid = |column: &str| space.guid("variable", column);
    if !variables.is_empty() {
        out.open("Variables", vec![])?;
        for v in &variables {
            out.empty(
                "Variable",
                vec![
                    ("guid", some(var_guid(&v.column))),
                    ("name", some(v.column.as_str())),
                    ("typeOfVariable", some(v.kind)),
                ],
            )?;
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
                    ("guid", some(space.guid("case", participant))),
                    ("name", some(participant.as_str())),
                ],
            )?;
            for v in variables.iter().filter(|v| v.on_case) {
                if let Some(value) = study.attributes.get(&ids[0], &v.column) {
                    write_value(&mut out, &var_guid(&v.column), v.kind, value)?;
                }
            }
            for id in ids {
                out.empty(
                    "SourceRef",
                    vec![("targetGUID", some(space.guid("transcript", id)))],
                )?;
            }
            out.close("Case")?;
        }
        out.close("Cases")?;
    }
    summary.cases = participants.len();
    let orphan_rows = study
        .attributes
        .rows
        .keys()
        .filter(|id| study.transcript(id).is_none())
        .count();
    if orphan_rows > 0 {
        summary.not_exported.push(format!(
            "{orphan_rows} attribute rows of transcripts that do not exist were left out"
        ));
    }
    // Sources
    if !study.transcripts.is_empty() {
        out.open("Sources", vec![])?;
        for transcript in &study.transcripts {
            let guid = space.guid("transcript", &transcript.id);
            out.open(
                "TextSource",
                vec![
                    ("guid", some(guid.as_str())),
                    ("name", some(transcript.id.as_str())),
                    ("plainTextPath", some(format!("internal://{guid}.txt"))),
                ],
            )?;
            for sel in plan
                .selections
                .get(transcript.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                let sel_guid = selection_guid(space, &transcript.id, sel);
                let first_date = sel.segments.iter().filter_map(|s| xs_datetime(&s.at)).min();
                out.open(
                    "PlainTextSelection",
                    vec![
                        ("guid", some(sel_guid.as_str())),
                        ("name", some(excerpt(transcript.slice(sel.start, sel.end)))),
                        ("startPosition", some(sel.start.to_string())),
                        ("endPosition", some(sel.end.to_string())),
                        ("creatingUser", some(user_guid(sel.coder))),
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
                            ("guid", some(coding_guid(space, &segment.id))),
                            ("creatingUser", some(user_guid(sel.coder))),
                            ("creationDateTime", xs_datetime(&segment.at)),
                        ],
                    )?;
                    out.empty(
                        "CodeRef",
                        vec![("targetGUID", some(space.guid("code", &segment.code)))],
                    )?;
                    out.close("Coding")?;
                    summary.codings += 1;
                }
                for note in plan.selection_notes.get(&sel_guid).into_iter().flatten() {
                    out.empty("NoteRef", vec![("targetGUID", some(note.as_str()))])?;
                }
                out.close("PlainTextSelection")?;
                summary.selections += 1;
            }
            for note in plan
                .transcript_notes
                .get(&transcript.id)
                .into_iter()
                .flatten()
            {
                out.empty("NoteRef", vec![("targetGUID", some(note.as_str()))])?;
            }
            for v in variables.iter().filter(|v| !v.on_case) {
                if let Some(value) = study.attributes.get(&transcript.id, &v.column) {
                    write_value(&mut out, &var_guid(&v.column), v.kind, value)?;
                }
            }
            out.close("TextSource")?;
        }
        out.close("Sources")?;
    }
    summary.transcripts = study.transcripts.len();
    // Notes
    if !study.memos.is_empty() {
        let mut memos: Vec<_> = study.memos.iter().collect();
        memos.sort_by(|a, b| a.path.cmp(&b.path));
        out.open("Notes", vec![])?;
        for memo in memos {
            let coder = memo.field("coder").filter(|c| !c.trim().is_empty());
            out.open(
                "Note",
                vec![
                    ("guid", some(space.derived("memo", &memo_key(memo)))),
                    ("name", some(memo.title())),
                    ("creatingUser", coder.map(user_guid)),
                    (
                        "creationDateTime",
                        memo.field("created").and_then(xs_datetime),
                    ),
                ],
            )?;
            out.text("PlainTextContent", vec![], &memo.body)?;
            out.close("Note")?;
            let known = ["title", "coder", "code", "transcript", "segment", "created"];
            let extra: Vec<&str> = memo
                .fields
                .keys()
                .map(String::as_str)
                .filter(|k| !known.contains(k))
                .collect();
            if !extra.is_empty() {
                summary.not_exported.push(format!(
                    "memo '{}': front matter fields {} have no REFI-QDA equivalent",
                    memo.title(),
                    extra.join(", ")
                ));
            }
        }
        out.close("Notes")?;
    }
    summary.memos = study.memos.len();
    for note in &plan.project_notes {
        out.empty("NoteRef", vec![("targetGUID", some(note.as_str()))])?;
    }
    out.close("Project")?;
    Ok((out.finish()?, summary))
}

/// Writes the study as a REFI-QDA project archive at `out`: `project.qde` plus every transcript
/// as `sources/<guid>.txt` (UTF-8, LF, code-point offsets). The file is replaced atomically.
pub fn export_qdpx(study: &Study, out: &Path) -> Result<ExportSummary, RefiError> {
    let (xml, mut summary) = project_xml(study)?;
    let space = GuidSpace::for_study(&study.name());
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
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
    zip.start_file("project.qde", options).map_err(zip_error)?;
    zip.write_all(xml.as_bytes()).map_err(io_error)?;
    for transcript in &study.transcripts {
        let guid = space.guid("transcript", &transcript.id);
        zip.start_file(format!("sources/{guid}.txt"), options)
            .map_err(zip_error)?;
        zip.write_all(transcript.text.as_bytes())
            .map_err(io_error)?;
    }
    let bytes = zip.finish().map_err(zip_error)?.into_inner();
    crate::study::atomic::write_atomic(out, &bytes)?;
    summary.path = out.to_path_buf();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_types_follow_every_value() {
        assert_eq!(variable_type(["34", "-2", "0"].into_iter()), "Integer");
        assert_eq!(variable_type(["007"].into_iter()), "Text");
        assert_eq!(variable_type(["1.5", "2"].into_iter()), "Float");
        assert_eq!(variable_type(["true", "false"].into_iter()), "Boolean");
        assert_eq!(variable_type(["2024-11-02"].into_iter()), "Date");
        assert_eq!(variable_type(["2024-13-02"].into_iter()), "Text");
        assert_eq!(variable_type(["", "nurse"].into_iter()), "Text");
    }

    #[test]
    fn dates_and_colours_are_made_schema_valid() {
        assert_eq!(
            xs_datetime("2025-01-15T10:41:00+01:00").as_deref(),
            Some("2025-01-15T09:41:00Z")
        );
        assert_eq!(
            xs_datetime("2025-03-02").as_deref(),
            Some("2025-03-02T00:00:00Z")
        );
        assert_eq!(xs_datetime("yesterday"), None);
        assert_eq!(schema_color("#4e79a7").as_deref(), Some("#4E79A7"));
        assert_eq!(schema_color("rgb(1,2,3)"), None);
    }

    #[test]
    fn descriptions_carry_the_definition_fields() {
        let code = Code {
            id: "c1".into(),
            name: "Time".into(),
            parent: None,
            description: "Lack of time.".into(),
            include: "Any mention of rotas".into(),
            exclude: String::new(),
            example: "No lunch".into(),
            color: String::new(),
            codable: true,
            order: None,
        };
        assert_eq!(
            code_description(&code),
            "Lack of time.\n\nInclude: Any mention of rotas\n\nExample: No lunch"
        );
    }
}
