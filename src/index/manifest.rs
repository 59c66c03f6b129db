//! The index manifest (`.thema/index/manifest.json`): what the index was built from, as content
//! fingerprints, and the comparison that tells a refresh what to re-index.
//!
//! Transcripts are fingerprinted by the catalogue (their text), coder files by their bytes, per
//! transcript: what is indexed follows from those (segments are re-anchored against the text
//! they are indexed with). A small second file holds a [`quick_print`] of the whole, so a
//! process whose study did not change opens the index without reading the manifest. This module
//! computes and compares; it writes nothing but those two files.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::index::schema::SCHEMA_VERSION;
use crate::index::IndexError;
use crate::model::fingerprint::{hex, Fingerprint};
use crate::study::catalogue::Stamp;
use crate::study::files::codings_path;
use crate::study::layer_file::LayerFile;
use crate::study::Study;

/// File name of the manifest inside the index folder.
pub(crate) const MANIFEST: &str = "manifest.json";
/// File name of the quick fingerprint inside the index folder.
const QUICK: &str = "manifest.quick";

/// The quick fingerprint the index was last refreshed to, if any.
pub(crate) fn load_quick(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join(QUICK))
        .ok()
        .map(|s| s.trim().to_string())
}

/// Records the quick fingerprint of the state just indexed, or removes a stale one.
pub(crate) fn save_quick(dir: &Path, quick: Option<&str>) -> Result<(), IndexError> {
    let path = dir.join(QUICK);
    match quick {
        Some(q) => crate::study::atomic::replace(&path, q.as_bytes())?,
        None => {
            if let Err(source) = std::fs::remove_file(&path) {
                if source.kind() != std::io::ErrorKind::NotFound {
                    return Err(IndexError::Io { path, source });
                }
            }
        }
    }
    Ok(())
}

/// What the index holds, in fingerprints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// [`SCHEMA_VERSION`] of the index.
    pub schema: u32,
    /// Stemming language setting.
    pub language: String,
    /// Attribute columns that became fields, in file order.
    pub columns: Vec<String>,
    /// Fingerprint of every codebook's code paths.
    pub codebooks: String,
    /// Per transcript: the fingerprint of its text.
    pub transcripts: BTreeMap<String, String>,
    /// Per coder: the whole layer and its segments per transcript.
    pub coders: BTreeMap<String, CoderPrint>,
    /// Facet path of every code, by id.
    pub codes: BTreeMap<String, String>,
}

/// Fingerprints of one coder's file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CoderPrint {
    /// The whole file's bytes.
    pub layer: String,
    /// The bytes of each transcript's lines.
    pub transcripts: BTreeMap<String, String>,
    /// The file's stamp when it was fingerprinted, kept only when settled (then an equal stamp
    /// later vouches for equal fingerprints without reading the file).
    #[serde(default)]
    pub stamp: Option<Stamp>,
}

/// What differs between the index and the study.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// Transcripts whose text changed, or that were added or removed: all their documents are
    /// re-indexed.
    pub transcripts: BTreeSet<String>,
    /// (coder, transcript) layers whose segments changed, outside `transcripts`.
    pub layers: BTreeSet<(String, String)>,
    /// Codes whose facet path changed (renamed, moved, added, deleted).
    pub codes: BTreeSet<String>,
}

impl Changes {
    /// Whether nothing needs re-indexing.
    pub fn is_empty(&self) -> bool {
        self.transcripts.is_empty() && self.layers.is_empty() && self.codes.is_empty()
    }

    /// Coders whose segments are touched, as far as the manifest tells.
    pub fn coders(&self, manifest: &Manifest) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.layers.iter().map(|(c, _)| c.clone()).collect();
        for (coder, print) in &manifest.coders {
            if print
                .transcripts
                .keys()
                .any(|t| self.transcripts.contains(t))
            {
                out.insert(coder.clone());
            }
        }
        if !self.codes.is_empty() {
            out.extend(manifest.coders.keys().cloned());
        }
        out
    }
}

/// The fingerprint of everything [`Manifest::of`] depends on, computed without reading any
/// coder file: `None` while a coder file's stamp is not settled (then only its bytes tell).
pub(crate) fn quick_print(
    study: &Study,
    language: &str,
    columns: &[String],
    codes: &HashMap<String, String>,
) -> Option<String> {
    let mut print = Fingerprint::new();
    print.add_u64(u64::from(SCHEMA_VERSION));
    print.add_str(language);
    for column in columns {
        print.add_str(column);
    }
    for t in study.transcripts() {
        print.add_str(&t.id);
        print.add_u64(t.hash);
    }
    let mut sorted: Vec<(&String, &String)> = codes.iter().collect();
    sorted.sort();
    for (id, path) in sorted {
        print.add_str(id);
        print.add_str(path);
    }
    let now = std::time::SystemTime::now();
    for coder in study.coders() {
        print.add_str(coder);
        match Stamp::of_path(&codings_path(&study.root, coder)) {
            Some(stamp) if stamp.settled(now) => {
                print.add_u64(stamp.len);
                print.add_u64(stamp.modified as u64);
                print.add_u64((stamp.modified >> 64) as u64);
                print.add_u64(stamp.changed as u64);
                print.add_u64((stamp.changed >> 64) as u64);
                print.add_u64(stamp.inode);
            }
            Some(_) => return None,
            None => print.add_u64(0),
        }
    }
    Some(print.finish())
}

impl Manifest {
    /// The fingerprints of a study: transcripts from the catalogue, coder files from their
    /// bytes — or from `old` for a file whose settled stamp has not changed. Coder files read
    /// here are left in `files`, when given, for the refresh.
    pub fn of(
        study: &Study,
        language: &str,
        columns: &[String],
        codes: &HashMap<String, String>,
        old: Option<&Manifest>,
        mut files: Option<&mut HashMap<String, LayerFile>>,
    ) -> Result<Manifest, IndexError> {
        let transcripts = study
            .transcripts()
            .iter()
            .map(|t| (t.id.clone(), hex(t.hash)))
            .collect();
        let now = std::time::SystemTime::now();
        let mut coders = BTreeMap::new();
        for coder in study.coders() {
            let path = codings_path(&study.root, coder);
            let before = Stamp::of_path(&path);
            let known = old
                .and_then(|m| m.coders.get(coder))
                .filter(|p| p.stamp.is_some() && p.stamp == before);
            if let Some(print) = known {
                coders.insert(coder.to_string(), print.clone());
                continue;
            }
            let file = LayerFile::read(&path)?;
            let stamp = before.filter(|b| b.settled(now) && Some(*b) == Stamp::of_path(&path));
            let per: BTreeMap<String, String> = file
                .transcripts()
                .filter_map(|t| file.print(t).map(|p| (t.to_string(), hex(p))))
                .collect();
            coders.insert(
                coder.to_string(),
                CoderPrint {
                    layer: hex(file.whole_print()),
                    transcripts: per,
                    stamp,
                },
            );
            if let Some(files) = files.as_deref_mut() {
                files.insert(coder.to_string(), file);
            }
        }
        let codes: BTreeMap<String, String> =
            codes.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut books = Fingerprint::new();
        for (id, path) in &codes {
            books.add_str(id);
            books.add_str(path);
        }
        Ok(Manifest {
            schema: SCHEMA_VERSION,
            language: language.to_string(),
            columns: columns.to_vec(),
            codebooks: books.finish(),
            transcripts,
            coders,
            codes,
        })
    }

    /// Whether an index described by `self` can be refreshed into `current` (same schema, same
    /// attribute fields, same analysers) rather than rebuilt.
    pub fn compatible(&self, current: &Manifest) -> bool {
        self.schema == current.schema
            && self.language == current.language
            && self.columns == current.columns
    }

    /// What must be re-indexed to turn an index described by `self` into `current`.
    pub fn changes(&self, current: &Manifest) -> Changes {
        let mut changes = Changes::default();
        for id in keys(&self.transcripts, &current.transcripts) {
            if self.transcripts.get(id) != current.transcripts.get(id) {
                changes.transcripts.insert(id.clone());
            }
        }
        let empty = CoderPrint::default();
        for coder in keys(&self.coders, &current.coders) {
            let old = self.coders.get(coder).unwrap_or(&empty);
            let new = current.coders.get(coder).unwrap_or(&empty);
            if old.layer == new.layer && old.transcripts == new.transcripts {
                continue;
            }
            for t in keys(&old.transcripts, &new.transcripts) {
                if old.transcripts.get(t) != new.transcripts.get(t)
                    && !changes.transcripts.contains(t)
                {
                    changes.layers.insert((coder.clone(), t.clone()));
                }
            }
        }
        if self.codebooks != current.codebooks {
            for id in keys(&self.codes, &current.codes) {
                if self.codes.get(id) != current.codes.get(id) {
                    changes.codes.insert(id.clone());
                }
            }
        }
        changes
    }

    /// Reads the manifest of an index folder; `None` when it is absent or unreadable (the
    /// index is then rebuilt).
    pub fn load(dir: &Path) -> Option<Manifest> {
        let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Writes the manifest atomically.
    pub fn save(&self, dir: &Path) -> Result<(), IndexError> {
        let path = dir.join(MANIFEST);
        let bytes = serde_json::to_vec(self).map_err(|e| IndexError::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        crate::study::atomic::replace(&path, &bytes)?;
        Ok(())
    }
}

/// The union of the keys of two maps, sorted.
fn keys<'a, V>(a: &'a BTreeMap<String, V>, b: &'a BTreeMap<String, V>) -> BTreeSet<&'a String> {
    a.keys().chain(b.keys()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_what_differs() {
        let mut old = Manifest::default();
        old.transcripts.insert("t1".into(), "a".into());
        old.coders.insert(
            "r1".into(),
            CoderPrint {
                layer: "L".into(),
                transcripts: [("t1".to_string(), "s".to_string())].into(),
                stamp: None,
            },
        );
        old.codes.insert("c1".into(), "/a".into());
        old.codebooks = "B".into();
        let mut new = old.clone();
        assert!(old.changes(&new).is_empty());
        let r1 = new.coders.get_mut("r1").unwrap();
        r1.layer = "L2".into();
        r1.transcripts.insert("t2".into(), "s2".into());
        new.codes.insert("c1".into(), "/b".into());
        new.codebooks = "B2".into();
        let changes = old.changes(&new);
        assert_eq!(
            changes.layers,
            [("r1".to_string(), "t2".to_string())].into()
        );
        assert_eq!(changes.codes, ["c1".to_string()].into());
        assert!(changes.transcripts.is_empty());
    }
}
