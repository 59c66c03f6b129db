//! Which coder layers are known to sit exactly on their transcripts (`.thema/anchors.json`).
//!
//! Every segment keeps its quote, and loading a layer checks each quote against the
//! transcript, moving or flagging segments whose transcript changed. That check needs the
//! transcript's text; this file lets a process skip it. Each entry is a fact about content:
//! "the segment lines whose bytes have fingerprint P all sit exactly in a transcript whose text
//! has fingerprint H". A fact never goes stale — a changed layer or transcript simply has other
//! fingerprints — so racing writers and a lost file only cost time. Derived data: deleting it
//! loses nothing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

/// Where the facts live inside a study.
pub const ANCHORS_FILE: &str = ".thema/anchors.json";
/// Format version; another version is ignored.
const VERSION: u32 = 1;
/// Facts kept beyond those seen by this process, before old ones are dropped.
const KEEP: usize = 200_000;

#[derive(Debug, Default, Serialize, Deserialize)]
struct AnchorsFile {
    version: u32,
    /// (lines fingerprint, text fingerprint) pairs.
    exact: Vec<(u64, u64)>,
}

/// The facts, read on first use and written back when this process learnt new ones.
#[derive(Debug)]
pub(crate) struct Anchors {
    path: PathBuf,
    inner: Mutex<Option<State>>,
}

#[derive(Debug, Default)]
struct State {
    known: HashSet<(u64, u64)>,
    /// Facts this process confirmed or learnt.
    seen: HashSet<(u64, u64)>,
    learnt: bool,
}

impl Anchors {
    /// The facts of the study at `root` (nothing is read yet).
    pub fn new(root: &Path) -> Anchors {
        Anchors {
            path: root.join(ANCHORS_FILE),
            inner: Mutex::new(None),
        }
    }

    fn state(&self) -> MutexGuard<'_, Option<State>> {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            let known = std::fs::read(&self.path)
                .ok()
                .and_then(|b| serde_json::from_slice::<AnchorsFile>(&b).ok())
                .filter(|f| f.version == VERSION)
                .map(|f| f.exact.into_iter().collect())
                .unwrap_or_default();
            *guard = Some(State {
                known,
                ..State::default()
            });
        }
        guard
    }

    /// Whether segment lines with fingerprint `lines` are known to sit exactly in a text with
    /// fingerprint `text`.
    pub fn knows(&self, lines: u64, text: u64) -> bool {
        let mut guard = self.state();
        let Some(state) = guard.as_mut() else {
            return false;
        };
        let known = state.known.contains(&(lines, text));
        if known {
            state.seen.insert((lines, text));
        }
        known
    }

    /// Records that the lines sit exactly in the text.
    pub fn learn(&self, lines: u64, text: u64) {
        let mut guard = self.state();
        if let Some(state) = guard.as_mut() {
            state.seen.insert((lines, text));
            state.learnt |= state.known.insert((lines, text));
        }
    }

    /// Writes the facts back if this process learnt any (a failure only costs time later).
    pub fn save(&self) {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(state) = guard.as_mut() else {
            return;
        };
        if !state.learnt {
            return;
        }
        // merge with what other processes wrote meanwhile, then bound the size
        if let Some(disk) = std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice::<AnchorsFile>(&b).ok())
            .filter(|f| f.version == VERSION)
        {
            state.known.extend(disk.exact);
        }
        if state.known.len() > state.seen.len() + KEEP {
            let seen = &state.seen;
            state.known.retain(|fact| seen.contains(fact));
        }
        let mut exact: Vec<(u64, u64)> = state.known.iter().copied().collect();
        exact.sort_unstable();
        let file = AnchorsFile {
            version: VERSION,
            exact,
        };
        if let Ok(bytes) = serde_json::to_vec(&file) {
            if crate::study::atomic::replace(&self.path, &bytes).is_ok() {
                state.learnt = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_survive_a_new_process_and_a_lost_file() {
        let dir = tempfile::tempdir().unwrap();
        let anchors = Anchors::new(dir.path());
        assert!(!anchors.knows(1, 2));
        anchors.learn(1, 2);
        anchors.save();
        let again = Anchors::new(dir.path());
        assert!(again.knows(1, 2));
        assert!(!again.knows(1, 3));
        std::fs::write(dir.path().join(ANCHORS_FILE), b"{torn").unwrap();
        assert!(!Anchors::new(dir.path()).knows(1, 2));
    }
}
