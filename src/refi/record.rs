//! `refi.json`: what a REFI-QDA import keeps so that exporting the study gives the other program
//! back what it gave — the program and the position unit its files use, the GUIDs, names and
//! dates of its sources, the GUIDs and declared types of its variables, its cases' GUIDs, its
//! sets (groups of codes, sources and notes), and the project's own dates:
//!
//! ```json
//! {
//!   "origin": "NVivo for Windows 12.6",
//!   "target": "nvivo",
//!   "offsets": "utf16",
//!   "project": { "creating_user": "eaac2cd0-…", "created": "2025-02-21T15:09:07Z" },
//!   "sources": {
//!     "videos_10_selected": { "guid": "68bbdc14-…", "created": "2025-06-16T17:07:29Z" }
//!   }
//! }
//! ```
//!
//! Everything is optional and left out when empty; the file is written atomically. None of it is
//! needed to read the study: it only makes the way back faithful.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::refi::units::{PositionUnit, Target};
use crate::refi::RefiError;
use crate::study::atomic::write_atomic;
use crate::study::files::read_text;
use crate::study::StudyError;

/// The file name, at the study's root.
pub const RECORD_FILE: &str = "refi.json";

/// Who created and last changed something, and when (REFI-QDA user GUIDs, `xs:dateTime`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamps {
    /// `creatingUser` (`creatingUserGUID` on the project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creating_user: Option<String>,
    /// `creationDateTime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// `modifyingUser` (`modifyingUserGUID` on the project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modifying_user: Option<String>,
    /// `modifiedDateTime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

impl Stamps {
    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        *self == Stamps::default()
    }
}

/// A text source a transcript came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// Its GUID.
    pub guid: String,
    /// Its name, when it is not the transcript id (`Mabel.txt` for transcript `Mabel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its users and dates.
    #[serde(flatten)]
    pub stamps: Stamps,
}

/// A variable an attribute column came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariableRecord {
    /// Its GUID.
    pub guid: String,
    /// Its declared type (`Text`, `Integer`, `Float`, `Boolean`, `Date`, `DateTime`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether its values sat on the sources (document variables) rather than on cases.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub on_sources: bool,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A set: a named group of codes, sources and notes (MAXQDA document sets, ATLAS.ti groups).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRecord {
    /// Its GUID.
    pub guid: String,
    /// Its name.
    pub name: String,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Member codes (code ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<String>,
    /// Member sources (transcript ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Member notes (memo GUIDs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Everything an import keeps for the way back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefiRecord {
    /// `Project@origin` of the last project imported.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
    /// The program that origin names, whose conventions an export follows by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The unit its selection positions were found in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsets: Option<PositionUnit>,
    /// The project's users and dates.
    #[serde(default, skip_serializing_if = "Stamps::is_empty")]
    pub project: Stamps,
    /// Sources by transcript id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, SourceRecord>,
    /// Variables by attribute column.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, VariableRecord>,
    /// Case GUIDs by participant.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cases: BTreeMap<String, String>,
    /// Sets other than thema's codebooks, in the order read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<SetRecord>,
}

impl RefiRecord {
    /// The path of the record in the study at `root`.
    pub fn path(root: &Path) -> PathBuf {
        root.join(RECORD_FILE)
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        *self == RefiRecord::default()
    }

    /// Reads the record of the study at `root`; empty when the file is absent.
    pub fn load(root: &Path) -> Result<Self, RefiError> {
        let path = Self::path(root);
        if !path.exists() {
            return Ok(Self::default());
        }
        let text = read_text(&path)?;
        serde_json::from_str(&text).map_err(|e| {
            RefiError::Study(StudyError::parse(
                &path,
                e.line(),
                format!(
                    "column {}: {e}; expected the fields origin, target, offsets, project, sources, variables, cases, sets",
                    e.column()
                ),
            ))
        })
    }

    /// Writes the record atomically.
    pub fn save(&self, root: &Path) -> Result<(), RefiError> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| RefiError::Invalid(format!("writing {RECORD_FILE}: {e}")))?;
        text.push('\n');
        write_atomic(&Self::path(root), text.as_bytes())?;
        Ok(())
    }

    /// Folds a later import into this record: what `newer` says wins, entries it does not
    /// mention stay, sets with the same GUID are replaced.
    pub fn merge(&mut self, newer: &RefiRecord) {
        if !newer.origin.is_empty() {
            self.origin.clone_from(&newer.origin);
            self.target = newer.target;
            self.offsets = newer.offsets;
        }
        if !newer.project.is_empty() {
            self.project = newer.project.clone();
        }
        self.sources
            .extend(newer.sources.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.variables
            .extend(newer.variables.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.cases
            .extend(newer.cases.iter().map(|(k, v)| (k.clone(), v.clone())));
        for set in &newer.sets {
            match self.sets.iter_mut().find(|s| s.guid == set.guid) {
                Some(old) => *old = set.clone(),
                None => self.sets.push(set.clone()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_record_writes_an_empty_object_and_fields_round_trip() {
        assert_eq!(serde_json::to_string(&RefiRecord::default()).unwrap(), "{}");
        let mut record = RefiRecord {
            origin: "NVivo for Windows 12.6".into(),
            target: Some(Target::Nvivo),
            offsets: Some(PositionUnit::Utf16),
            ..RefiRecord::default()
        };
        record.sources.insert(
            "Mabel".into(),
            SourceRecord {
                guid: "17fb9cb8-7858-4291-a162-65424b9942ec".into(),
                name: Some("Mabel.txt".into()),
                stamps: Stamps {
                    created: Some("2018-03-27T18:01:07Z".into()),
                    ..Stamps::default()
                },
            },
        );
        let dir = tempfile::tempdir().unwrap();
        record.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(RECORD_FILE)).unwrap();
        assert!(text.contains("\"target\": \"nvivo\""), "{text}");
        assert!(text.contains("\"offsets\": \"utf16\""), "{text}");
        assert!(
            text.contains("\"created\": \"2018-03-27T18:01:07Z\""),
            "{text}"
        );
        assert!(
            !text.contains("\"project\"") && !text.contains("\"sets\""),
            "{text}"
        );
        assert_eq!(RefiRecord::load(dir.path()).unwrap(), record);
    }

    #[test]
    fn a_later_import_wins_and_sets_are_replaced_by_guid() {
        let set = |guid: &str, name: &str| SetRecord {
            guid: guid.into(),
            name: name.into(),
            ..SetRecord::default()
        };
        let mut old = RefiRecord {
            origin: "ATLAS.ti 8".into(),
            sets: vec![set("a", "Coke"), set("b", "Feelings")],
            ..RefiRecord::default()
        };
        old.cases.insert("P1".into(), "g1".into());
        let mut newer = RefiRecord {
            sets: vec![set("b", "Feelings (renamed)"), set("c", "New")],
            ..RefiRecord::default()
        };
        newer.cases.insert("P2".into(), "g2".into());
        old.merge(&newer);
        assert_eq!(
            old.origin, "ATLAS.ti 8",
            "a codebook import keeps the origin"
        );
        let names: Vec<&str> = old.sets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Coke", "Feelings (renamed)", "New"]);
        assert_eq!(old.cases.len(), 2);
    }
}
