//! Where each imported memo goes: the memo already made from the same REFI-QDA note (its `guid`,
//! or for a memo written in thema the GUID its export gives it) or the same description
//! (`describes` and its target) is updated in place, so importing a project twice does not
//! duplicate memos; anything else gets a new file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::refi::guid::GuidSpace;
use crate::refi::{MEMO_DESCRIBES, MEMO_GUID};
use crate::study::Memo;

/// What identifies the source of a memo: its note's GUID, or what its description describes.
fn key(memo: &Memo) -> Option<String> {
    if let Some(guid) = memo.field(MEMO_GUID).filter(|g| !g.is_empty()) {
        return Some(format!("note {}", guid.to_ascii_lowercase()));
    }
    let describes = memo.field(MEMO_DESCRIBES)?;
    let target = ["transcript", "case"]
        .iter()
        .find_map(|k| memo.field(k))
        .unwrap_or("");
    Some(format!("describes {describes} {target}"))
}

/// The study's memos by key, path relative to the study; a memo without a note GUID is keyed
/// by the one its export gets in `space`.
pub(super) fn existing(
    root: &Path,
    memos: &[Memo],
    space: &GuidSpace,
) -> BTreeMap<String, PathBuf> {
    memos
        .iter()
        .filter_map(|m| {
            let relative = m.path.strip_prefix(root).unwrap_or(&m.path).to_path_buf();
            let key = key(m)
                .or_else(|| crate::refi::export::memo_guid(space, m).map(|g| format!("note {g}")));
            key.map(|k| (k, relative))
        })
        .collect()
}

/// Where to write `imported`: `(path relative to the study, whether it updates a memo)`.
pub(super) fn place(
    root: &Path,
    imported: &Memo,
    existing: &BTreeMap<String, PathBuf>,
) -> (PathBuf, bool) {
    if let Some(path) = key(imported).and_then(|k| existing.get(&k)) {
        return (path.clone(), true);
    }
    (unique_memo_path(root, &imported.path), false)
}

/// The fields of an updated memo: the imported ones, plus any the researcher added. A value
/// that says the same as the old one in another form (a date as `2025-03-02` or
/// `2025-03-02T00:00:00Z`; the note GUID a memo written in thema is exported under) keeps the
/// old form, so importing a study's own export changes nothing.
pub(super) fn merged_fields(
    old: Option<&Memo>,
    imported: &BTreeMap<String, String>,
    space: &GuidSpace,
) -> BTreeMap<String, String> {
    let Some(old) = old else {
        return imported.clone();
    };
    let mut fields = old.fields.clone();
    for (key, value) in imported {
        let same = match (key.as_str(), old.field(key)) {
            (_, Some(v)) if v == value => true,
            ("created" | "modified", Some(v)) => {
                let xs = crate::refi::export::xs_datetime;
                xs(v).is_some() && xs(v) == xs(value)
            }
            (MEMO_GUID, None) => {
                crate::refi::export::memo_guid(space, old).as_deref() == Some(value.as_str())
            }
            _ => false,
        };
        if !same {
            fields.insert(key.clone(), value.clone());
        }
    }
    fields
}

/// `memos/x.md`, or `memos/x-2.md`... if taken.
fn unique_memo_path(root: &Path, relative: &Path) -> PathBuf {
    let stem = relative
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "note".to_string());
    let mut candidate = PathBuf::from("memos").join(format!("{stem}.md"));
    let mut n = 2;
    while root.join(&candidate).exists() {
        candidate = PathBuf::from("memos").join(format!("{stem}-{n}.md"));
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memo(path: &str, fields: &[(&str, &str)]) -> Memo {
        Memo {
            path: PathBuf::from(path),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: String::new(),
        }
    }

    #[test]
    fn notes_and_descriptions_find_their_memo_again() {
        let root = Path::new("/study");
        let on_disk = [
            memo(
                "/study/memos/plan.md",
                &[("guid", "ce15250d-46ad-42c2-b90f-a509b8d64ec8")],
            ),
            memo(
                "/study/memos/about-mabel.md",
                &[("describes", "transcript"), ("transcript", "Mabel")],
            ),
            memo("/study/memos/mine.md", &[("title", "Mine")]),
        ];
        let existing = existing(root, &on_disk, &GuidSpace::for_study("s"));
        let again = memo(
            "memos/research-plan.md",
            &[("guid", "CE15250D-46AD-42C2-B90F-A509B8D64EC8")],
        );
        assert_eq!(
            place(root, &again, &existing),
            (PathBuf::from("memos/plan.md"), true)
        );
        let description = memo(
            "memos/description-of-mabel.md",
            &[("describes", "transcript"), ("transcript", "Mabel")],
        );
        assert_eq!(
            place(root, &description, &existing).0,
            PathBuf::from("memos/about-mabel.md")
        );
        let other = memo(
            "memos/x.md",
            &[("describes", "transcript"), ("transcript", "Simon")],
        );
        assert!(!place(root, &other, &existing).1);
        let space = GuidSpace::for_study("s");
        let kept = merged_fields(
            Some(&memo(
                "m",
                &[
                    ("title", "Old"),
                    ("tags", "methods"),
                    ("created", "2025-03-02"),
                ],
            )),
            &memo(
                "m",
                &[("title", "New"), ("created", "2025-03-02T00:00:00Z")],
            )
            .fields,
            &space,
        );
        assert_eq!(kept["title"], "New");
        assert_eq!(kept["tags"], "methods");
        assert_eq!(kept["created"], "2025-03-02");
    }
}
