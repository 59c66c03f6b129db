//! The code tree and the sets of an export (both documents: `.qdc` and `project.qde`).
//!
//! Codebooks are laid out as [`crate::refi::codebooks`] describes: one codebook at the top; several
//! side by side, each named by a set, a codebook under a folder code of its name only when its
//! top-level names clash with another's. Codes keep their GUID, name, codability, colour (none
//! when they have none) and order among siblings.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Codebook;
use crate::refi::codebooks::{code_description, set_description};
use crate::refi::export::data::StudyData;
use crate::refi::export::out::{some, Out};
use crate::refi::RefiError;
use crate::study::LoadedCodebook;

/// A `#RRGGBB` colour, or `None` when the stored one is empty or not a colour the schema accepts.
pub(super) fn schema_color(color: &str) -> Option<String> {
    let hex = color.trim().strip_prefix('#')?;
    let ok = (hex.len() == 6 || hex.len() == 3) && hex.chars().all(|c| c.is_ascii_hexdigit());
    ok.then(|| format!("#{}", hex.to_ascii_uppercase()))
}

/// Each codebook with a content, and whether it goes under a folder code of its name.
pub(super) fn layout<'s>(data: &StudyData<'s>) -> Vec<(&'s LoadedCodebook, bool)> {
    let tops = |book: &Codebook| -> BTreeSet<String> {
        book.children(None)
            .iter()
            .map(|c| c.name.trim().to_lowercase())
            .collect()
    };
    let names: Vec<BTreeSet<String>> = data.codebooks.iter().map(|b| tops(&b.codebook)).collect();
    data.codebooks
        .iter()
        .enumerate()
        .map(|(i, book)| {
            let clash = names
                .iter()
                .enumerate()
                .any(|(j, other)| j != i && !names[i].is_disjoint(other));
            (*book, clash)
        })
        .collect()
}

/// The GUID of the folder code standing for codebook `file` (as earlier versions wrote it).
fn folder_guid(data: &StudyData<'_>, file: &str) -> String {
    data.space.derived("codebook", file)
}

/// Writes `Codes`: every codebook's tree; returns the number of codes written (folders for
/// codebooks not counted). `notes_of` gives the note GUIDs to reference from each code.
pub(super) fn write_codes(
    out: &mut Out,
    data: &StudyData<'_>,
    notes_of: &BTreeMap<String, Vec<String>>,
) -> Result<usize, RefiError> {
    let mut count = 0;
    out.open("Codes", vec![])?;
    for (book, folder) in layout(data) {
        count += book.codebook.codes.len();
        if folder {
            out.open(
                "Code",
                vec![
                    ("guid", some(folder_guid(data, &book.file))),
                    ("name", some(book.codebook.name.as_str())),
                    ("isCodable", some("false")),
                ],
            )?;
            write_tree(out, data, &book.codebook, None, notes_of)?;
            out.close("Code")?;
        } else {
            write_tree(out, data, &book.codebook, None, notes_of)?;
        }
    }
    out.close("Codes")?;
    Ok(count)
}

/// Writes the codes below `parent`, depth first, siblings in the codebook's order.
fn write_tree(
    out: &mut Out,
    data: &StudyData<'_>,
    codebook: &Codebook,
    parent: Option<&str>,
    notes_of: &BTreeMap<String, Vec<String>>,
) -> Result<(), RefiError> {
    for code in codebook.children(parent) {
        let attrs = vec![
            ("guid", some(data.code_guid(&code.id))),
            ("name", some(code.name.as_str())),
            (
                "isCodable",
                some(if code.codable { "true" } else { "false" }),
            ),
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
        write_tree(out, data, codebook, Some(&code.id), notes_of)?;
        out.close("Code")?;
    }
    Ok(())
}

/// One set as written.
pub(super) struct SetOut {
    guid: String,
    name: String,
    description: Option<String>,
    codes: Vec<String>,
    sources: Vec<String>,
    notes: Vec<String>,
}

/// The sets of an export: one per codebook when there are several, then the sets kept from an
/// import, with the members that still exist (`notes` holds the note GUIDs written). Members
/// that no longer exist are counted in `missing`.
pub(super) fn sets(
    data: &StudyData<'_>,
    notes: &BTreeSet<String>,
    missing: &mut usize,
) -> Vec<SetOut> {
    let mut out = Vec::new();
    let layout = layout(data);
    if layout.len() > 1 {
        for (book, folder) in layout {
            let mut codes = Vec::new();
            if folder {
                codes.push(folder_guid(data, &book.file));
            }
            codes.extend(
                book.codebook
                    .tree()
                    .iter()
                    .map(|(c, _)| data.code_guid(&c.id)),
            );
            out.push(SetOut {
                guid: data.space.derived("codebook-set", &book.file),
                name: book.codebook.name.clone(),
                description: Some(set_description(&book.file, folder)),
                codes,
                sources: Vec::new(),
                notes: Vec::new(),
            });
        }
    }
    // a scope has no place in REFI-QDA: a set of the transcripts the codebook is for
    for book in &data.codebooks {
        let Some(scope) = &book.codebook.scope else {
            continue;
        };
        out.push(SetOut {
            guid: data.space.derived("scope-set", &book.file),
            name: format!("Transcripts for {}", book.codebook.name),
            description: Some(crate::refi::codebooks::scope_set_description(
                &book.file, scope,
            )),
            codes: Vec::new(),
            sources: data
                .transcripts
                .iter()
                .filter(|t| scope.contains(&t.id, data.attributes))
                .map(|t| data.transcript_guid(&t.id))
                .collect(),
            notes: Vec::new(),
        });
    }
    for set in &data.record.sets {
        let mut keep = |exists: bool| {
            *missing += usize::from(!exists);
            exists
        };
        let codes = set
            .codes
            .iter()
            .filter(|id| keep(data.code(id).is_some()))
            .map(|id| data.code_guid(id))
            .collect();
        let sources = set
            .sources
            .iter()
            .filter(|id| keep(data.transcript(id).is_some()))
            .map(|id| data.transcript_guid(id))
            .collect();
        let members = set
            .notes
            .iter()
            .filter(|g| keep(notes.contains(*g)))
            .cloned()
            .collect();
        out.push(SetOut {
            guid: set.guid.clone(),
            name: set.name.clone(),
            description: set.description.clone(),
            codes,
            sources,
            notes: members,
        });
    }
    out
}

/// Writes `Sets` (nothing when there are none). A codebook document (`qdc`) names member codes
/// by `guid` and holds no sources or notes; a project names members by `targetGUID`.
pub(super) fn write_sets(out: &mut Out, sets: &[SetOut], qdc: bool) -> Result<(), RefiError> {
    let sets: Vec<&SetOut> = sets
        .iter()
        .filter(|s| !qdc || !s.codes.is_empty())
        .collect();
    if sets.is_empty() {
        return Ok(());
    }
    let key = if qdc { "guid" } else { "targetGUID" };
    out.open("Sets", vec![])?;
    for set in sets {
        out.open(
            "Set",
            vec![
                ("guid", some(set.guid.as_str())),
                ("name", some(set.name.as_str())),
            ],
        )?;
        if let Some(d) = &set.description {
            out.text("Description", vec![], d)?;
        }
        for code in &set.codes {
            out.empty("MemberCode", vec![(key, some(code.as_str()))])?;
        }
        if !qdc {
            for source in &set.sources {
                out.empty("MemberSource", vec![(key, some(source.as_str()))])?;
            }
            for note in &set.notes {
                out.empty("MemberNote", vec![(key, some(note.as_str()))])?;
            }
        }
        out.close("Set")?;
    }
    out.close("Sets")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_made_schema_valid() {
        assert_eq!(schema_color("#4e79a7").as_deref(), Some("#4E79A7"));
        assert_eq!(schema_color(""), None);
        assert_eq!(schema_color("rgb(1,2,3)"), None);
    }
}
