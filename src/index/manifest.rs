//! The index manifest (`.thema/index/manifest.json`): what the index was built from, as content
//! fingerprints, and the comparison that tells a refresh what to re-index.
//!
//! Fingerprints are taken from the study in memory (which is what gets indexed, re-anchored
//! segments included), never from the files. This module computes and compares; it writes
//! nothing but the manifest file itself.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::index::schema::SCHEMA_VERSION;
use crate::index::IndexError;
use crate::study::Study;

/// File name of the manifest inside the index folder.
pub(crate) const MANIFEST: &str = "manifest.json";

/// What the index holds, in fingerprints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// [`SCHEMA_VERSION`] of the index.
    pub schema: u32,
    /// Stemming language setting.
    pub language: String,
    /// Attribute columns that became fields, in file order.
    pub columns: Vec<String>,
    /// Fingerprint of the whole attribute table.
    pub attributes: String,
    /// Fingerprint of every codebook's code paths.
    pub codebooks: String,
    /// Per transcript: its text and its attribute row.
    pub transcripts: BTreeMap<String, TranscriptPrint>,
    /// Per coder: the whole layer and its segments per transcript.
    pub coders: BTreeMap<String, CoderPrint>,
    /// Facet path of every code, by id.
    pub codes: BTreeMap<String, String>,
}

/// Fingerprints of one transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TranscriptPrint {
    /// The canonical text.
    pub text: String,
    /// Its row of attributes.
    pub attributes: String,
}

/// Fingerprints of one coder's layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CoderPrint {
    /// Every segment of the layer.
    pub layer: String,
    /// The segments of each transcript.
    pub transcripts: BTreeMap<String, String>,
}

/// What differs between the index and the study.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// Transcripts whose text or attributes changed, or that were added or removed: all their
    /// documents are re-indexed.
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

    /// Coders whose segments are touched.
    pub fn coders(&self, study: &Study) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.layers.iter().map(|(c, _)| c.clone()).collect();
        if !self.transcripts.is_empty() || !self.codes.is_empty() {
            for (coder, segments) in &study.codings {
                if segments.iter().any(|s| {
                    self.transcripts.contains(&s.transcript) || self.codes.contains(&s.code)
                }) {
                    out.insert(coder.clone());
                }
            }
        }
        out
    }
}

impl Manifest {
    /// The fingerprints of a study as it is in memory.
    pub fn of(
        study: &Study,
        language: &str,
        columns: &[String],
        codes: &HashMap<String, String>,
    ) -> Manifest {
        let mut transcripts = BTreeMap::new();
        for t in &study.transcripts {
            let mut row = Fingerprint::new();
            for column in columns {
                row.add_str(column);
                row.add_str(study.attributes.get(&t.id, column).unwrap_or(""));
            }
            transcripts.insert(
                t.id.clone(),
                TranscriptPrint {
                    text: hex(hash_bytes(t.text.as_bytes())),
                    attributes: row.finish(),
                },
            );
        }
        let mut coders = BTreeMap::new();
        for (coder, segments) in &study.codings {
            let mut partial: HashMap<&str, Fingerprint> = HashMap::new();
            // layers are sorted by transcript, so the running print is usually the right one
            let mut running: Option<(&str, Fingerprint)> = None;
            for s in segments {
                if running.as_ref().map(|(t, _)| *t) != Some(s.transcript.as_str()) {
                    if let Some((t, print)) = running.take() {
                        partial.insert(t, print);
                    }
                    let print = partial.remove(s.transcript.as_str()).unwrap_or_default();
                    running = Some((s.transcript.as_str(), print));
                }
                if let Some((_, print)) = running.as_mut() {
                    let span = ((s.start as u64) << 32) ^ s.end as u64;
                    print.add_u64((short_hash(&s.id) ^ span).wrapping_mul(K) ^ short_hash(&s.code));
                }
            }
            if let Some((t, print)) = running.take() {
                partial.insert(t, print);
            }
            let per: BTreeMap<String, String> = partial
                .into_iter()
                .map(|(t, print)| (t.to_string(), print.finish()))
                .collect();
            let mut layer = Fingerprint::new();
            for (t, print) in &per {
                layer.add_str(t);
                layer.add_str(print);
            }
            coders.insert(
                coder.clone(),
                CoderPrint {
                    layer: layer.finish(),
                    transcripts: per,
                },
            );
        }
        let codes: BTreeMap<String, String> =
            codes.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut books = Fingerprint::new();
        for (id, path) in &codes {
            books.add_str(id);
            books.add_str(path);
        }
        let mut table = Fingerprint::new();
        for print in transcripts.values() {
            table.add_str(&print.attributes);
        }
        Manifest {
            schema: SCHEMA_VERSION,
            language: language.to_string(),
            columns: columns.to_vec(),
            attributes: table.finish(),
            codebooks: books.finish(),
            transcripts,
            coders,
            codes,
        }
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
            if old.layer == new.layer {
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
        crate::study::atomic::write_atomic(&path, &bytes)?;
        Ok(())
    }
}

/// The union of the keys of two maps, sorted.
fn keys<'a, V>(a: &'a BTreeMap<String, V>, b: &'a BTreeMap<String, V>) -> BTreeSet<&'a String> {
    a.keys().chain(b.keys()).collect()
}

/// Multiplier of the fingerprint (an odd constant, so every step is a bijection).
const K: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

/// A 64-bit content fingerprint for change detection (not cryptographic): four independent
/// lanes over 32-byte blocks, so long texts hash at memory speed. A change to any one 8-byte
/// word always changes the result, since every step is a bijection of the lane.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut lanes = [K, K ^ 0x5555, K ^ 0xAAAA, K ^ 0xFFFF];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&block[i * 8..i * 8 + 8]);
            *lane = (*lane ^ u64::from_le_bytes(w))
                .wrapping_mul(K)
                .rotate_left(29);
        }
    }
    let mut h = bytes.len() as u64;
    for chunk in blocks.remainder().chunks(8) {
        h = (h ^ word(chunk)).wrapping_mul(K).rotate_left(29);
    }
    for lane in lanes {
        h = mix(h ^ lane);
    }
    h
}

/// A quick hash of a short string such as an id (longer ones go through [`hash_bytes`]).
fn short_hash(s: &str) -> u64 {
    let b = s.as_bytes();
    if b.len() > 16 {
        return hash_bytes(b);
    }
    let (head, tail) = b.split_at(b.len().min(8));
    (word(head) ^ (b.len() as u64) << 59)
        .wrapping_mul(K)
        .rotate_left(31)
        ^ word(tail)
}

fn hex(h: u64) -> String {
    format!("{h:016x}")
}

/// A running fingerprint over several values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint::new()
    }
}

impl Fingerprint {
    /// An empty fingerprint.
    pub fn new() -> Self {
        Fingerprint(K)
    }

    /// Adds a string (its length too, so `ab`+`c` differs from `a`+`bc`).
    pub fn add_str(&mut self, s: &str) {
        self.add_u64(s.len() as u64);
        if s.len() <= 8 {
            self.add_u64(word(s.as_bytes()));
        } else {
            self.add_u64(hash_bytes(s.as_bytes()));
        }
    }

    /// Adds a number.
    pub fn add_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(K).rotate_left(29);
    }

    /// The result in hex.
    pub fn finish(self) -> String {
        hex(mix(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_see_every_change() {
        let text = "LW7: the bus stopped running in March, so I walk now.".repeat(20);
        let base = hash_bytes(text.as_bytes());
        assert_eq!(base, hash_bytes(text.clone().as_bytes()));
        for i in [0, 7, 31, 32, 500, text.len() - 1] {
            let mut changed = text.clone().into_bytes();
            changed[i] ^= 1;
            assert_ne!(base, hash_bytes(&changed), "byte {i}");
        }
        assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
        let mut a = Fingerprint::new();
        a.add_str("ab");
        a.add_str("c");
        let mut b = Fingerprint::new();
        b.add_str("a");
        b.add_str("bc");
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn changes_name_what_differs() {
        let mut old = Manifest::default();
        old.transcripts.insert(
            "t1".into(),
            TranscriptPrint {
                text: "a".into(),
                attributes: "x".into(),
            },
        );
        old.coders.insert(
            "r1".into(),
            CoderPrint {
                layer: "L".into(),
                transcripts: [("t1".to_string(), "s".to_string())].into(),
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
