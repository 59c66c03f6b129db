//! The project document (`project.qde`): a plan of what goes in — selections, variables and
//! cases, where each memo goes, the users, the project's dates — then one writer per section, in
//! the schema's order (users, codebook, variables, cases, sources, notes, sets, the project's
//! description and notes).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Transcript;
use crate::refi::export::data::StudyData;
use crate::refi::export::notes::NotesPlan;
use crate::refi::export::out::{some, Out};
use crate::refi::export::selections::{coding_guid, excerpt, Selection, Selections};
use crate::refi::export::values::{xs_datetime, VariablePlan};
use crate::refi::export::{codes, notes, selections, values, ExportSummary};
use crate::refi::units::{TextFormat, WrittenText};
use crate::refi::{RefiError, PROJECT_NS};

/// The project document (`project.qde`) and what went into it; `texts` are the transcripts as
/// written, in the order of `data.transcripts`.
pub(super) fn project_xml(
    data: &StudyData<'_>,
    format: &TextFormat,
    texts: &[(String, WrittenText)],
) -> Result<(String, ExportSummary), RefiError> {
    let plan = ProjectPlan::new(data, format, texts);
    let mut summary = ExportSummary {
        format: format.describe(),
        not_exported: plan.selections.skipped.clone(),
        ..ExportSummary::default()
    };
    summary
        .not_exported
        .extend(plan.notes.skipped.iter().cloned());
    let mut out = Out::new()?;
    plan.open_project(&mut out)?;
    plan.write_users(&mut out, &mut summary)?;
    plan.write_codebook(&mut out, &mut summary)?;
    plan.write_variables(&mut out, &mut summary)?;
    plan.write_cases(&mut out, &mut summary)?;
    plan.count_orphan_rows(&mut summary);
    plan.write_sources(&mut out, &mut summary)?;
    plan.write_notes(&mut out, &mut summary)?;
    plan.write_sets(&mut out, &mut summary)?;
    plan.close_project(&mut out, &mut summary)?;
    Ok((out.finish()?, summary))
}

/// Everything the project document holds, decided before the first element is written.
struct ProjectPlan<'a> {
    data: &'a StudyData<'a>,
    format: &'a TextFormat,
    /// The transcripts as written, with their GUIDs, in the order of `data.transcripts`.
    texts: &'a [(String, WrittenText)],
    /// Each coder's segments as selections.
    selections: Selections<'a>,
    /// Attribute columns as variables.
    variables: Vec<VariablePlan>,
    /// Participants (cases) and their transcripts.
    participants: BTreeMap<String, Vec<String>>,
    /// Where each memo goes.
    notes: NotesPlan<'a>,
    /// Every coder written as a user.
    users: BTreeSet<&'a str>,
    /// Their user GUIDs.
    user_guids: BTreeSet<String>,
    /// The project's creation date.
    created: Option<String>,
    /// The project's modification date.
    modified: Option<String>,
}

impl<'a> ProjectPlan<'a> {
    /// Plans the project document of `data`.
    fn new(
        data: &'a StudyData<'a>,
        format: &'a TextFormat,
        texts: &'a [(String, WrittenText)],
    ) -> Self {
        let selections = selections::plan(data);
        let (variables, participants) = values::plan_variables(data);
        let participant_names: BTreeSet<&str> = participants.keys().map(String::as_str).collect();
        let notes = notes::plan(data, &selections, &participant_names);
        let users = users(data, &selections);
        let user_guids = users.iter().map(|c| data.coder_guid(c)).collect();
        let (created, modified) = project_dates(data, &selections);
        ProjectPlan {
            data,
            format,
            texts,
            selections,
            variables,
            participants,
            notes,
            users,
            user_guids,
            created,
            modified,
        }
    }

    /// A recorded user GUID, when that user is written (else the attribute is left out).
    fn known_user(&self, guid: &Option<String>) -> Option<String> {
        guid.clone().filter(|g| self.user_guids.contains(g))
    }

    /// A coder's user GUID.
    fn user(&self, coder: &str) -> String {
        self.data.coder_guid(coder)
    }

    /// Opens `Project` with its namespace, name, origin, users and dates.
    fn open_project(&self, out: &mut Out) -> Result<(), RefiError> {
        let data = self.data;
        let stamps = &data.record.project;
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
                ("origin", some(self.format.origin())),
                ("creatingUserGUID", self.known_user(&stamps.creating_user)),
                ("creationDateTime", self.created.clone()),
                ("modifyingUserGUID", self.known_user(&stamps.modifying_user)),
                ("modifiedDateTime", self.modified.clone()),
            ],
        )
    }

    /// `Users`: each coder under their name (else their id) and initials.
    fn write_users(&self, out: &mut Out, summary: &mut ExportSummary) -> Result<(), RefiError> {
        if !self.users.is_empty() {
            out.open("Users", vec![])?;
            for coder in &self.users {
                let (name, initials) = match self.data.coders.get(coder) {
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
                        ("guid", some(self.user(coder))),
                        ("name", some(name)),
                        ("id", initials),
                    ],
                )?;
            }
            out.close("Users")?;
        }
        summary.coders = self.users.iter().map(|c| c.to_string()).collect();
        Ok(())
    }

    /// `CodeBook`: the codebooks' codes, with the notes on each code.
    fn write_codebook(&self, out: &mut Out, summary: &mut ExportSummary) -> Result<(), RefiError> {
        if !self.data.codebooks.is_empty() {
            out.open("CodeBook", vec![])?;
            summary.codes = codes::write_codes(out, self.data, &self.notes.code_notes)?;
            out.close("CodeBook")?;
            summary.codebooks = self.data.codebooks.len();
        }
        Ok(())
    }

    /// `Variables`: one per attribute column.
    fn write_variables(&self, out: &mut Out, summary: &mut ExportSummary) -> Result<(), RefiError> {
        if !self.variables.is_empty() {
            out.open("Variables", vec![])?;
            for v in &self.variables {
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
        summary.variables = self.variables.len();
        Ok(())
    }

    /// `Cases`: one per participant, with its description, the values of case variables and
    /// its transcripts.
    fn write_cases(&self, out: &mut Out, summary: &mut ExportSummary) -> Result<(), RefiError> {
        let data = self.data;
        if !self.participants.is_empty() {
            out.open("Cases", vec![])?;
            for (participant, ids) in &self.participants {
                out.open(
                    "Case",
                    vec![
                        ("guid", some(values::case_guid(data, participant))),
                        ("name", some(participant.as_str())),
                    ],
                )?;
                if let Some(d) = self.notes.case_descriptions.get(participant) {
                    out.text("Description", vec![], d)?;
                    summary.descriptions += 1;
                }
                for v in self.variables.iter().filter(|v| v.on_case) {
                    if let Some(value) = data.attributes.get(&ids[0], &v.column) {
                        values::write_value(out, v, value)?;
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
        summary.cases = self.participants.len();
        Ok(())
    }

    /// Counts the attribute rows of transcripts that do not exist, which are left out.
    fn count_orphan_rows(&self, summary: &mut ExportSummary) {
        let orphan_rows = self
            .data
            .attributes
            .rows
            .keys()
            .filter(|id| self.data.transcript(id).is_none())
            .count();
        if orphan_rows > 0 {
            summary.not_exported.push(format!(
                "{orphan_rows} attribute rows of transcripts that do not exist were left out"
            ));
        }
    }

    /// `Sources`: one `TextSource` per transcript.
    fn write_sources(&self, out: &mut Out, summary: &mut ExportSummary) -> Result<(), RefiError> {
        if !self.data.transcripts.is_empty() {
            out.open("Sources", vec![])?;
            for (transcript, (guid, written)) in self.data.transcripts.iter().zip(self.texts) {
                self.write_source(out, transcript, guid, written, summary)?;
            }
            out.close("Sources")?;
        }
        summary.transcripts = self.data.transcripts.len();
        Ok(())
    }

    /// One transcript's `TextSource`: its recorded name and stamps, description, selections,
    /// notes and the values of source variables.
    fn write_source(
        &self,
        out: &mut Out,
        transcript: &Transcript,
        guid: &str,
        written: &WrittenText,
        summary: &mut ExportSummary,
    ) -> Result<(), RefiError> {
        let data = self.data;
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
                ("guid", some(guid)),
                ("name", some(name)),
                ("plainTextPath", some(format!("internal://{guid}.txt"))),
                (
                    "creatingUser",
                    self.known_user(&source_stamps.creating_user),
                ),
                (
                    "creationDateTime",
                    source_stamps.created.as_deref().and_then(xs_datetime),
                ),
                (
                    "modifyingUser",
                    self.known_user(&source_stamps.modifying_user),
                ),
                (
                    "modifiedDateTime",
                    source_stamps.modified.as_deref().and_then(xs_datetime),
                ),
            ],
        )?;
        if let Some(d) = self.notes.transcript_descriptions.get(&transcript.id) {
            out.text("Description", vec![], d)?;
            summary.descriptions += 1;
        }
        for sel in self
            .selections
            .by_transcript
            .get(transcript.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            self.write_selection(out, transcript, written, sel, summary)?;
        }
        for note in self
            .notes
            .transcript_notes
            .get(&transcript.id)
            .into_iter()
            .flatten()
        {
            out.empty("NoteRef", vec![("targetGUID", some(note.as_str()))])?;
        }
        for v in self.variables.iter().filter(|v| !v.on_case) {
            if let Some(value) = data.attributes.get(&transcript.id, &v.column) {
                values::write_value(out, v, value)?;
            }
        }
        out.close("TextSource")
    }

    /// One `PlainTextSelection`: its span in the written text, the segment comment, one
    /// `Coding` per segment and the notes on it.
    fn write_selection(
        &self,
        out: &mut Out,
        transcript: &Transcript,
        written: &WrittenText,
        sel: &Selection<'_>,
        summary: &mut ExportSummary,
    ) -> Result<(), RefiError> {
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
                ("creatingUser", some(self.user(sel.coder))),
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
                    ("guid", some(coding_guid(&self.data.space, &segment.id))),
                    ("creatingUser", some(self.user(sel.coder))),
                    ("creationDateTime", xs_datetime(&segment.at)),
                ],
            )?;
            out.empty(
                "CodeRef",
                vec![("targetGUID", some(self.data.code_guid(&segment.code)))],
            )?;
            out.close("Coding")?;
            summary.codings += 1;
        }
        for note in self
            .notes
            .selection_notes
            .get(&sel.guid)
            .into_iter()
            .flatten()
        {
            out.empty("NoteRef", vec![("targetGUID", some(note.as_str()))])?;
        }
        out.close("PlainTextSelection")?;
        summary.selections += 1;
        Ok(())
    }

    /// `Notes`: the memos written as notes.
    fn write_notes(&self, out: &mut Out, summary: &mut ExportSummary) -> Result<(), RefiError> {
        notes::write_notes(out, &self.notes, &|coder: &str| self.user(coder))?;
        summary.memos = self.notes.notes.len();
        Ok(())
    }

    /// `Sets`: one per codebook when there are several, and those kept from an import.
    fn write_sets(&self, out: &mut Out, summary: &mut ExportSummary) -> Result<(), RefiError> {
        let mut missing = 0;
        let sets = codes::sets(self.data, &self.notes.guids(), &mut missing);
        codes::write_sets(out, &sets, false)?;
        summary.sets = sets.len();
        if missing > 0 {
            summary.not_exported.push(format!(
                "{missing} set members no longer exist and were left out of their sets"
            ));
        }
        Ok(())
    }

    /// The project's description and notes, then closes `Project`.
    fn close_project(&self, out: &mut Out, summary: &mut ExportSummary) -> Result<(), RefiError> {
        if let Some(d) = self.notes.project_description {
            out.text("Description", vec![], d)?;
            summary.descriptions += 1;
        }
        for note in &self.notes.project_notes {
            out.empty("NoteRef", vec![("targetGUID", some(note.as_str()))])?;
        }
        out.close("Project")
    }
}

/// The users: every coder known by name, with a layer, or named by a memo.
fn users<'a>(data: &'a StudyData<'a>, selections: &Selections<'a>) -> BTreeSet<&'a str> {
    let mut users: BTreeSet<&str> = data.coders.coders.keys().map(String::as_str).collect();
    users.extend(selections.coders.iter().copied());
    users.extend(
        data.memos
            .iter()
            .flat_map(|m| [m.field("coder"), m.field("modified_by")])
            .flatten()
            .filter(|c| !c.trim().is_empty()),
    );
    users
}

/// The project's creation and modification dates: as recorded, else the earliest and latest
/// of the data.
fn project_dates(
    data: &StudyData<'_>,
    selections: &Selections<'_>,
) -> (Option<String>, Option<String>) {
    // a project imported keeps its own dates (none when it had none)
    if !data.record.origin.is_empty() {
        let stamps = &data.record.project;
        return (
            stamps.created.as_deref().and_then(xs_datetime),
            stamps.modified.as_deref().and_then(xs_datetime),
        );
    }
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
    (dates.first().cloned(), dates.last().cloned())
}
