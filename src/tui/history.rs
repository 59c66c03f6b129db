//! Undo and redo for a session: every change the app makes through the study is recorded with
//! what it takes to reverse it, as helix records invertible transactions rather than snapshots.
//!
//! This module only keeps the record; the app replays a change's inverse through the same study
//! functions that made it (apply ↔ uncode via `restore_segment`, rename back, move back).

use crate::model::codebook::Description;
use crate::model::Segment;

/// One change made in this session.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A segment was coded (undo: uncode it; redo: restore it with the same id).
    Coded(Segment),
    /// A segment was uncoded (undo: restore it; redo: uncode it again).
    Uncoded(Segment),
    /// A code was renamed.
    Renamed {
        /// Code id.
        code: String,
        /// Name before.
        from: String,
        /// Name after.
        to: String,
    },
    /// A code moved to another parent.
    Moved {
        /// Code id.
        code: String,
        /// Parent before (`None`: a top-level theme).
        from: Option<String>,
        /// Parent after.
        to: Option<String>,
    },
    /// Every hit of a search was coded as one batch (undo: `Study::undo_batch`).
    Batch {
        /// The batch id.
        batch: String,
        /// The code applied.
        code: String,
        /// Segments written.
        passages: usize,
    },
    /// A batch was undone (cannot be redone: the search is run again instead).
    Unbatched {
        /// The batch id.
        batch: String,
        /// The code applied.
        code: String,
        /// Segments written.
        passages: usize,
    },
    /// A code's description changed.
    Described {
        /// Code id.
        code: String,
        /// Fields before.
        before: Description,
        /// Fields after.
        after: Description,
    },
}

impl Change {
    /// The change that reverses this one.
    pub fn inverse(&self) -> Change {
        match self {
            Change::Coded(s) => Change::Uncoded(s.clone()),
            Change::Uncoded(s) => Change::Coded(s.clone()),
            Change::Renamed { code, from, to } => Change::Renamed {
                code: code.clone(),
                from: to.clone(),
                to: from.clone(),
            },
            Change::Moved { code, from, to } => Change::Moved {
                code: code.clone(),
                from: to.clone(),
                to: from.clone(),
            },
            Change::Batch {
                batch,
                code,
                passages,
            } => Change::Unbatched {
                batch: batch.clone(),
                code: code.clone(),
                passages: *passages,
            },
            Change::Unbatched {
                batch,
                code,
                passages,
            } => Change::Batch {
                batch: batch.clone(),
                code: code.clone(),
                passages: *passages,
            },
            Change::Described {
                code,
                before,
                after,
            } => Change::Described {
                code: code.clone(),
                before: after.clone(),
                after: before.clone(),
            },
        }
    }
}

/// The session's done and undone changes.
#[derive(Debug, Default)]
pub struct History {
    done: Vec<Change>,
    undone: Vec<Change>,
}

impl History {
    /// Records a new change; whatever was undone can no longer be redone.
    pub fn record(&mut self, change: Change) {
        self.done.push(change);
        self.undone.clear();
    }

    /// The change to reverse next, taken off the done list.
    pub fn take_undo(&mut self) -> Option<Change> {
        self.done.pop()
    }

    /// The change to make again next, taken off the undone list.
    pub fn take_redo(&mut self) -> Option<Change> {
        self.undone.pop()
    }

    /// Files a change that was undone (so it can be redone).
    pub fn push_undone(&mut self, change: Change) {
        self.undone.push(change);
    }

    /// Files a change that was redone (so it can be undone), keeping the redo list.
    pub fn push_redone(&mut self, change: Change) {
        self.done.push(change);
    }

    /// Puts back a change whose undo or redo failed, where it came from.
    pub fn restore(&mut self, change: Change, was_undo: bool) {
        if was_undo {
            self.done.push(change);
        } else {
            self.undone.push(change);
        }
    }

    /// How many changes can be undone and redone.
    pub fn depth(&self) -> (usize, usize) {
        (self.done.len(), self.undone.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_inverse_is_the_change() {
        let c = Change::Renamed {
            code: "c1".into(),
            from: "a".into(),
            to: "b".into(),
        };
        assert_eq!(c.inverse().inverse(), c);
        let mut h = History::default();
        h.record(c.clone());
        let undo = h.take_undo().unwrap();
        h.push_undone(undo);
        assert_eq!(h.depth(), (0, 1));
        h.record(c);
        assert_eq!(h.depth(), (1, 0), "a new change clears redo");
    }
}
