//! The users of an imported project as the study's coders.
//!
//! A user the study already knows (same GUID in `coders.json`) keeps the coder id the study gave
//! them, even if the other program spells their name differently now; a new user whose id is
//! another person's in the study gets a free one (`anna-2`). Segment ids (`CODER-GUID`) and the
//! memos that name a coder or a segment follow the new ids.

use std::collections::{BTreeMap, BTreeSet};

use crate::refi::import::RefiProject;
use crate::refi::users::{CoderIdentity, CoderTable};

/// Coder ids of `project` that change to fit the study's table, old → new.
pub(super) fn renames(project: &RefiProject, table: &CoderTable) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut taken: BTreeSet<String> = table.coders.keys().cloned().collect();
    let mut fresh = Vec::new();
    for coder in &project.coders {
        match table.coder_with_guid(&coder.guid) {
            Some(known) => {
                if known != coder.id {
                    out.insert(coder.id.clone(), known.to_string());
                }
            }
            None => fresh.push(coder),
        }
    }
    let known: BTreeSet<&str> = project
        .coders
        .iter()
        .filter_map(|c| table.coder_with_guid(&c.guid))
        .collect();
    for coder in fresh {
        let clash = table
            .get(&coder.id)
            .is_some_and(|c| !c.guid.is_empty() && c.guid != coder.guid)
            || known.contains(coder.id.as_str());
        if !clash {
            taken.insert(coder.id.clone());
            continue;
        }
        let mut n = 2;
        let mut id = format!("{}-{n}", coder.id);
        while taken.contains(&id) || project.coders.iter().any(|c| c.id == id) {
            n += 1;
            id = format!("{}-{n}", coder.id);
        }
        taken.insert(id.clone());
        out.insert(coder.id.clone(), id);
    }
    out
}

/// `project` with coder ids renamed: coders, segment layers and ids, memo fields.
pub(super) fn rename(project: &RefiProject, renames: &BTreeMap<String, String>) -> RefiProject {
    let mut out = project.clone();
    if renames.is_empty() {
        return out;
    }
    let new_id = |id: &str| renames.get(id).cloned().unwrap_or_else(|| id.to_string());
    let new_segment = |segment: &str| {
        renames
            .iter()
            .find_map(|(old, new)| {
                segment
                    .strip_prefix(old.as_str())
                    .and_then(|rest| rest.strip_prefix('-'))
                    .map(|rest| format!("{new}-{rest}"))
            })
            .unwrap_or_else(|| segment.to_string())
    };
    for coder in &mut out.coders {
        coder.id = new_id(&coder.id);
    }
    out.segments = std::mem::take(&mut out.segments)
        .into_iter()
        .map(|(coder, mut segments)| {
            if renames.contains_key(&coder) {
                for s in &mut segments {
                    s.id = new_segment(&s.id);
                }
            }
            (new_id(&coder), segments)
        })
        .collect();
    for memo in &mut out.memos {
        for key in ["coder", "modified_by"] {
            if let Some(coder) = memo.fields.get_mut(key) {
                *coder = new_id(coder);
            }
        }
        if let Some(segment) = memo.fields.get_mut("segment") {
            *segment = new_segment(segment);
        }
    }
    out
}

/// Adds the project's users to the table; returns whether it changed.
pub(super) fn record(project: &RefiProject, table: &mut CoderTable) -> bool {
    let mut changed = false;
    for coder in &project.coders {
        changed |= table.record(
            &coder.id,
            &CoderIdentity {
                name: coder.name.clone(),
                guid: coder.guid.clone(),
                initials: coder.initials.clone(),
            },
        );
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refi::import::ImportedCoder;

    fn coder(id: &str, guid: &str) -> ImportedCoder {
        ImportedCoder {
            id: id.into(),
            name: id.into(),
            guid: guid.into(),
            initials: None,
        }
    }

    #[test]
    fn known_users_keep_their_coder_and_strangers_do_not_join_one() {
        let mut table = CoderTable::default();
        for (id, guid) in [("gergo", "g-1"), ("anna", "a-1")] {
            table.record(
                id,
                &CoderIdentity {
                    name: id.into(),
                    guid: guid.into(),
                    initials: None,
                },
            );
        }
        let project = RefiProject {
            // Gergő renamed in the other program; another Anna; someone new
            coders: vec![
                coder("gergo-kiss", "g-1"),
                coder("anna", "a-2"),
                coder("zoe", "z-1"),
            ],
            ..RefiProject::default()
        };
        let renames = renames(&project, &table);
        assert_eq!(
            renames,
            BTreeMap::from([
                ("anna".to_string(), "anna-2".to_string()),
                ("gergo-kiss".to_string(), "gergo".to_string()),
            ])
        );
        let mut with_segments = project.clone();
        with_segments.segments.insert(
            "gergo-kiss".into(),
            vec![crate::model::Segment {
                id: "gergo-kiss-abc".into(),
                transcript: "t".into(),
                start: 0,
                end: 1,
                code: "c".into(),
                quote: "x".into(),
                at: String::new(),
                memo: None,
                starred: false,
                flag: None,
                extra: Default::default(),
            }],
        );
        let renamed = rename(&with_segments, &renames);
        assert_eq!(renamed.segments["gergo"][0].id, "gergo-abc");
        let ids: Vec<&str> = renamed.coders.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["gergo", "anna-2", "zoe"]);
    }
}
