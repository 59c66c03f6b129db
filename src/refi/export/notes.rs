//! Memos as REFI-QDA notes and descriptions.
//!
//! A memo becomes a `Note` under the GUID it was imported with (front matter `guid`), else one
//! derived from its file name; its `description` field becomes the note's `Description`, its
//! coder the `creatingUser`, `created` and `modified` its dates. It is referenced from the
//! segment's selection, code or transcript it names, else from the project. A memo that holds a
//! description (`describes: project|transcript|case`) is written back as that `Description`.

use std::collections::{BTreeMap, BTreeSet};

use crate::refi::export::data::StudyData;
use crate::refi::export::out::{some, Out};
use crate::refi::export::selections::Selections;
use crate::refi::export::values::xs_datetime;
use crate::refi::guid::{normalise_guid, GuidSpace};
use crate::refi::{
    RefiError, DESCRIBES_CASE, DESCRIBES_PROJECT, DESCRIBES_TRANSCRIPT, MEMO_DESCRIBES, MEMO_GUID,
};
use crate::study::Memo;

/// Front matter fields a note carries; any other is reported as not exported.
const NOTE_FIELDS: [&str; 12] = [
    "title",
    "modified_by",
    "case",
    "coder",
    "code",
    "transcript",
    "segment",
    "created",
    "modified",
    "description",
    MEMO_GUID,
    MEMO_DESCRIBES,
];

/// The GUID a memo's note is exported under: the one it was imported with, else derived from
/// its file name. `None` for a memo that holds a description.
pub(crate) fn memo_guid(space: &GuidSpace, memo: &Memo) -> Option<String> {
    if memo.field(MEMO_DESCRIBES).is_some() {
        return None;
    }
    memo.field(MEMO_GUID)
        .and_then(normalise_guid)
        .or_else(|| Some(space.derived("memo", &memo_key(memo))))
}

/// A stable key for a memo: its file stem.
fn memo_key(memo: &Memo) -> String {
    memo.path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| memo.title())
}

/// Where every memo goes.
pub(super) struct NotesPlan<'a> {
    /// Memos written as notes, with their GUIDs, in file order.
    pub notes: Vec<(&'a Memo, String)>,
    /// Note GUIDs referenced from each code (by code id).
    pub code_notes: BTreeMap<String, Vec<String>>,
    /// Note GUIDs referenced from each source (by transcript id).
    pub transcript_notes: BTreeMap<String, Vec<String>>,
    /// Note GUIDs referenced from each selection (by selection GUID).
    pub selection_notes: BTreeMap<String, Vec<String>>,
    /// Note GUIDs referenced from the project.
    pub project_notes: Vec<String>,
    /// The project's description.
    pub project_description: Option<&'a str>,
    /// Descriptions of sources, by transcript id.
    pub transcript_descriptions: BTreeMap<String, &'a str>,
    /// Descriptions of cases, by participant.
    pub case_descriptions: BTreeMap<String, &'a str>,
    /// Lines for the export report.
    pub skipped: Vec<String>,
}

impl NotesPlan<'_> {
    /// The GUIDs of the notes written.
    pub fn guids(&self) -> BTreeSet<String> {
        self.notes.iter().map(|(_, g)| g.clone()).collect()
    }
}

/// Places every memo.
pub(super) fn plan<'a>(
    data: &StudyData<'a>,
    selections: &Selections<'_>,
    participants: &BTreeSet<&str>,
) -> NotesPlan<'a> {
    let mut plan = NotesPlan {
        notes: Vec::new(),
        code_notes: BTreeMap::new(),
        transcript_notes: BTreeMap::new(),
        selection_notes: BTreeMap::new(),
        project_notes: Vec::new(),
        project_description: None,
        transcript_descriptions: BTreeMap::new(),
        case_descriptions: BTreeMap::new(),
        skipped: Vec::new(),
    };
    let mut memos: Vec<&Memo> = data.memos.iter().collect();
    memos.sort_by(|a, b| a.path.cmp(&b.path));
    let mut used = BTreeSet::new();
    for memo in memos {
        if let Some(what) = memo.field(MEMO_DESCRIBES) {
            let body = memo.body.as_str();
            let placed = match what {
                DESCRIBES_PROJECT if plan.project_description.is_none() => {
                    plan.project_description = Some(body);
                    true
                }
                DESCRIBES_TRANSCRIPT => memo
                    .field("transcript")
                    .filter(|t| data.transcript(t).is_some())
                    .filter(|t| !plan.transcript_descriptions.contains_key(*t))
                    .map(|t| plan.transcript_descriptions.insert(t.to_string(), body))
                    .is_some(),
                DESCRIBES_CASE => memo
                    .field("case")
                    .filter(|c| participants.contains(c))
                    .filter(|c| !plan.case_descriptions.contains_key(*c))
                    .map(|c| plan.case_descriptions.insert(c.to_string(), body))
                    .is_some(),
                _ => false,
            };
            if placed {
                continue;
            }
            plan.skipped.push(format!(
                "memo '{}' describes {what} {}, which has a description already or no longer exists: written as a note",
                memo.title(),
                memo.field("transcript").or(memo.field("case")).unwrap_or("")
            ));
        }
        let mut guid = memo
            .field(MEMO_GUID)
            .and_then(normalise_guid)
            .unwrap_or_else(|| data.space.derived("memo", &memo_key(memo)));
        if !used.insert(guid.clone()) {
            guid = data.space.derived("memo", &memo_key(memo));
            used.insert(guid.clone());
        }
        let mut attached = false;
        if let Some(sel) = memo
            .field("segment")
            .and_then(|id| selections.of_segment(id))
        {
            plan.selection_notes
                .entry(sel.to_string())
                .or_default()
                .push(guid.clone());
            attached = true;
        }
        if let Some(code) = memo.field("code").filter(|c| data.code(c).is_some()) {
            plan.code_notes
                .entry(code.to_string())
                .or_default()
                .push(guid.clone());
            attached = true;
        }
        if let Some(t) = memo.field("transcript").and_then(|t| data.transcript(t)) {
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
            if links && memo.field(MEMO_DESCRIBES).is_none() {
                plan.skipped.push(format!(
                    "memo '{}' links to something that no longer exists: attached to the project",
                    memo.title()
                ));
            }
            plan.project_notes.push(guid.clone());
        }
        let extra: Vec<&str> = memo
            .fields
            .keys()
            .map(String::as_str)
            .filter(|k| !NOTE_FIELDS.contains(k))
            .collect();
        if !extra.is_empty() {
            plan.skipped.push(format!(
                "memo '{}': front matter fields {} have no REFI-QDA equivalent",
                memo.title(),
                extra.join(", ")
            ));
        }
        plan.notes.push((memo, guid));
    }
    plan
}

/// Writes `Notes` (nothing when there are none); `user` gives a coder's user GUID.
pub(super) fn write_notes(
    out: &mut Out,
    plan: &NotesPlan<'_>,
    user: &dyn Fn(&str) -> String,
) -> Result<(), RefiError> {
    if plan.notes.is_empty() {
        return Ok(());
    }
    out.open("Notes", vec![])?;
    for (memo, guid) in &plan.notes {
        let coder = memo.field("coder").filter(|c| !c.trim().is_empty());
        out.open(
            "Note",
            vec![
                ("guid", some(guid.as_str())),
                ("name", some(memo.title())),
                ("creatingUser", coder.map(user)),
                (
                    "creationDateTime",
                    memo.field("created").and_then(xs_datetime),
                ),
                (
                    "modifyingUser",
                    memo.field("modified_by")
                        .filter(|c| !c.trim().is_empty())
                        .map(user),
                ),
                (
                    "modifiedDateTime",
                    memo.field("modified").and_then(xs_datetime),
                ),
            ],
        )?;
        if let Some(d) = memo.field("description").filter(|d| !d.trim().is_empty()) {
            out.text("Description", vec![], d)?;
        }
        out.text("PlainTextContent", vec![], &memo.body)?;
        out.close("Note")?;
    }
    out.close("Notes")
}
