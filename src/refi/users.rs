//! `coders.json`: who each coder is beyond the file-safe id that names their codings file.
//!
//! A REFI-QDA user has a display name ("Friedrich Markgraf"), a GUID and sometimes a short id
//! (NVivo writes initials). thema's coder id must name a file, so it is a slug of the name
//! (`friedrich-markgraf`); this table keeps the rest, for every user of an imported project —
//! also those who coded nothing — so that exporting gives the same users back:
//!
//! ```json
//! {
//!   "friedrich-markgraf": {
//!     "name": "Friedrich Markgraf",
//!     "guid": "ad68fbe7-e1ee-4a82-a279-23cc698c89eb"
//!   }
//! }
//! ```
//!
//! Keys are sorted, fields left out when empty; a coder without an entry is exported under their
//! id with a GUID derived from it. The file is optional and written atomically.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::refi::RefiError;
use crate::study::atomic::write_atomic;
use crate::study::files::read_text;
use crate::study::StudyError;

/// The file name, at the study's root.
pub const CODERS_FILE: &str = "coders.json";

/// One coder's identity beyond their id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoderIdentity {
    /// Display name as written, with its case, spaces and accents.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The REFI-QDA user GUID (lowercase).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guid: String,
    /// The short id another program keeps (REFI-QDA `User@id`; NVivo: initials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
}

/// Every coder's identity, by coder id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CoderTable {
    /// Identities by coder id.
    pub coders: BTreeMap<String, CoderIdentity>,
}

impl CoderTable {
    /// The path of the table in the study at `root`.
    pub fn path(root: &Path) -> PathBuf {
        root.join(CODERS_FILE)
    }

    /// Reads the table of the study at `root`; empty when the file is absent.
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
                    "column {}: {e}; expected {{\"CODER\": {{\"name\": ..., \"guid\": ..., \"initials\": ...}}}}",
                    e.column()
                ),
            ))
        })
    }

    /// Writes the table atomically.
    pub fn save(&self, root: &Path) -> Result<(), RefiError> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| RefiError::Invalid(format!("writing {CODERS_FILE}: {e}")))?;
        text.push('\n');
        write_atomic(&Self::path(root), text.as_bytes())?;
        Ok(())
    }

    /// The identity of coder `id`.
    pub fn get(&self, id: &str) -> Option<&CoderIdentity> {
        self.coders.get(id)
    }

    /// The coder whose user GUID is `guid` (compared lowercase).
    pub fn coder_with_guid(&self, guid: &str) -> Option<&str> {
        let guid = guid.to_ascii_lowercase();
        self.coders
            .iter()
            .find(|(_, c)| !c.guid.is_empty() && c.guid == guid)
            .map(|(id, _)| id.as_str())
    }

    /// Adds or updates coder `id`; fields empty in `identity` keep their old value. Returns
    /// whether the table changed.
    pub fn record(&mut self, id: &str, identity: &CoderIdentity) -> bool {
        let entry = self.coders.entry(id.to_string()).or_default();
        let before = entry.clone();
        if !identity.name.is_empty() {
            entry.name.clone_from(&identity.name);
        }
        if !identity.guid.is_empty() {
            entry.guid.clone_from(&identity.guid);
        }
        if identity.initials.is_some() {
            entry.initials.clone_from(&identity.initials);
        }
        *entry != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_round_trips_and_leaves_out_empty_fields() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(CoderTable::load(dir.path()).unwrap(), CoderTable::default());
        let mut table = CoderTable::default();
        let markgraf = CoderIdentity {
            name: "Friedrich Markgraf".into(),
            guid: "ad68fbe7-e1ee-4a82-a279-23cc698c89eb".into(),
            initials: None,
        };
        assert!(table.record("friedrich-markgraf", &markgraf));
        assert!(!table.record("friedrich-markgraf", &markgraf));
        assert!(table.record(
            "cp",
            &CoderIdentity {
                name: "cp".into(),
                guid: String::new(),
                initials: Some("C".into()),
            }
        ));
        table.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(CODERS_FILE)).unwrap();
        assert_eq!(
            text,
            "{\n  \"cp\": {\n    \"name\": \"cp\",\n    \"initials\": \"C\"\n  },\n  \"friedrich-markgraf\": {\n    \"name\": \"Friedrich Markgraf\",\n    \"guid\": \"ad68fbe7-e1ee-4a82-a279-23cc698c89eb\"\n  }\n}\n"
        );
        let back = CoderTable::load(dir.path()).unwrap();
        assert_eq!(back, table);
        assert_eq!(
            back.coder_with_guid("AD68FBE7-E1EE-4A82-A279-23CC698C89EB"),
            Some("friedrich-markgraf")
        );
    }

    #[test]
    fn a_broken_table_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CODERS_FILE),
            "{\n  \"a\": {\"name\": 3}\n}\n",
        )
        .unwrap();
        let err = CoderTable::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("coders.json:2"), "{err}");
    }
}
