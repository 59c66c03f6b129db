//! A study's own export, recognised on the way back in.
//!
//! thema exports a code whose id is not a GUID under a GUID derived from the study's name and
//! the id (`refi::guid`). When that project comes back into the same study, each such GUID is
//! mapped back to the code it was derived from, so the codebook is found "already there" and the
//! codings land on the same codes instead of duplicating the framework.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::refi::guid::GuidSpace;
use crate::refi::import::RefiProject;
use crate::refi::RefiError;
use crate::study::{files, LoadedCodebook};

/// The GUID space the study at `root` exports under (its name, else its folder's name).
pub(super) fn study_space(root: &Path) -> Result<GuidSpace, RefiError> {
    let settings = files::load_settings(root)?;
    let name = if settings.name.is_empty() {
        root.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "study".to_string())
    } else {
        settings.name
    };
    Ok(GuidSpace::for_study(&name))
}

/// Imported code ids that are the exported GUIDs of codes the study has, imported → study id.
pub(super) fn code_renames(
    project: &RefiProject,
    existing: &[LoadedCodebook],
    space: &GuidSpace,
) -> BTreeMap<String, String> {
    let by_guid: HashMap<String, &str> = existing
        .iter()
        .flat_map(|c| c.codebook.codes.iter())
        .map(|c| (space.guid("code", &c.id), c.id.as_str()))
        .collect();
    project
        .codebooks
        .iter()
        .flat_map(|c| c.codebook.codes.iter())
        .filter_map(|c| {
            by_guid
                .get(&c.id)
                .filter(|id| **id != c.id)
                .map(|id| (c.id.clone(), id.to_string()))
        })
        .collect()
}

/// `project` with code ids renamed in codebooks, segments, memos and sets.
pub(super) fn rename_codes(project: &mut RefiProject, renames: &BTreeMap<String, String>) {
    if renames.is_empty() {
        return;
    }
    let new_id = |id: &mut String| {
        if let Some(new) = renames.get(id.as_str()) {
            id.clone_from(new);
        }
    };
    for book in &mut project.codebooks {
        for code in &mut book.codebook.codes {
            new_id(&mut code.id);
            if let Some(parent) = &mut code.parent {
                new_id(parent);
            }
        }
        book.codebook.normalise();
    }
    for segment in project.segments.values_mut().flatten() {
        new_id(&mut segment.code);
    }
    for memo in &mut project.memos {
        if let Some(code) = memo.fields.get_mut("code") {
            new_id(code);
        }
    }
    for set in &mut project.record.sets {
        set.codes.iter_mut().for_each(new_id);
    }
}
