//! Undo and redo for a session: every change the app makes through the study is recorded with
//! what it takes to reverse it, as helix records invertible transactions rather than snapshots.
//!
//! This module only keeps the record; the app replays a change's inverse through the same study
//! functions that made it (apply ↔ uncode via `restore_segment`, rename back, move back, a new
//! code deleted ↔ restored with its id). One action's changes form a [`Change::Group`]. A merge
//! cannot be replayed backwards: it is recorded as [`Change::Merged`], and the changes before it
//! are rewritten to name the code merged into, so undo goes on past it.

use crate::model::codebook::Description;
use crate::model::{Code, Segment};

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
    /// A code was created (undo: delete it unless something else uses it by then; redo: put it
    /// back with the same id).
    Added {
        /// The code as created.
        code: Code,
        /// Its codebook file stem.
        book: String,
    },
    /// A code created in this session was deleted again (the inverse of [`Change::Added`]).
    Removed {
        /// The code as it was.
        code: Code,
        /// Its codebook file stem.
        book: String,
    },
    /// Changes one action made, undone and redone together, in order (an in-vivo coding: the
    /// new code, then the segment).
    Group(Vec<Change>),
    /// A code was merged into another. A merge moves every coder's segments and cannot be
    /// replayed backwards here: undoing it only says so (the codebook history keeps it).
    Merged {
        /// Path of the code merged away.
        from: String,
        /// Path of the code it went into.
        into: String,
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
            Change::Added { code, book } => Change::Removed {
                code: code.clone(),
                book: book.clone(),
            },
            Change::Removed { code, book } => Change::Added {
                code: code.clone(),
                book: book.clone(),
            },
            Change::Group(changes) => {
                Change::Group(changes.iter().rev().map(Change::inverse).collect())
            }
            Change::Merged { .. } => self.clone(),
        }
    }

    /// The change after code `from` was merged into `into`: segments and children of `from`
    /// now belong to `into`; a change to `from` itself no longer applies (`None`).
    fn after_merge(self, from: &str, into: &str) -> Option<Change> {
        let moved = |id: Option<String>| id.map(|c| if c == from { into.to_string() } else { c });
        let recoded = |mut s: Segment| {
            if s.code == from {
                s.code = into.to_string();
            }
            s
        };
        match self {
            Change::Coded(s) => Some(Change::Coded(recoded(s))),
            Change::Uncoded(s) => Some(Change::Uncoded(recoded(s))),
            Change::Moved { code, .. } if code == from => None,
            Change::Moved { code, from: f, to } => Some(Change::Moved {
                code,
                from: moved(f),
                to: moved(to),
            }),
            Change::Renamed { ref code, .. } | Change::Described { ref code, .. }
                if code == from =>
            {
                None
            }
            Change::Added { ref code, .. } | Change::Removed { ref code, .. }
                if code.id == from =>
            {
                None
            }
            Change::Group(changes) => {
                let kept: Vec<Change> = changes
                    .into_iter()
                    .filter_map(|c| c.after_merge(from, into))
                    .collect();
                (!kept.is_empty()).then_some(Change::Group(kept))
            }
            other => Some(other),
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

    /// Records that code `from` (id) was merged into `into` (id): earlier changes are rewritten
    /// to name `into` where they named `from` (changes to `from` itself are dropped), so undo
    /// goes on working past the merge; the merge itself is recorded as [`Change::Merged`].
    pub fn merged(&mut self, from: &str, into: &str, merge: Change) {
        let done = std::mem::take(&mut self.done);
        self.done = done
            .into_iter()
            .filter_map(|c| c.after_merge(from, into))
            .collect();
        self.record(merge);
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

    fn segment(code: &str) -> Segment {
        Segment {
            id: "r1-s1".into(),
            transcript: "T1".into(),
            start: 0,
            end: 4,
            code: code.into(),
            quote: "text".into(),
            at: String::new(),
            memo: None,
            starred: false,
            flag: None,
            extra: serde_json::Map::new(),
        }
    }

    #[test]
    fn a_merge_rewrites_what_came_before_and_drops_changes_to_the_merged_code() {
        let mut h = History::default();
        h.record(Change::Coded(segment("old")));
        h.record(Change::Group(vec![Change::Uncoded(segment("other"))]));
        h.record(Change::Renamed {
            code: "old".into(),
            from: "a".into(),
            to: "b".into(),
        });
        h.record(Change::Moved {
            code: "child".into(),
            from: Some("old".into()),
            to: None,
        });
        let merge = Change::Merged {
            from: "Old".into(),
            into: "New".into(),
        };
        h.merged("old", "new", merge.clone());
        assert_eq!(h.take_undo(), Some(merge));
        assert_eq!(
            h.take_undo(),
            Some(Change::Moved {
                code: "child".into(),
                from: Some("new".into()),
                to: None,
            })
        );
        assert_eq!(
            h.take_undo(),
            Some(Change::Group(vec![Change::Uncoded(segment("other"))]))
        );
        assert_eq!(h.take_undo(), Some(Change::Coded(segment("new"))));
        assert_eq!(h.take_undo(), None, "the rename of the merged code is gone");
    }

    #[test]
    fn a_group_is_undone_in_reverse() {
        let g = Change::Group(vec![
            Change::Renamed {
                code: "c".into(),
                from: "a".into(),
                to: "b".into(),
            },
            Change::Coded(segment("c")),
        ]);
        let Change::Group(inv) = g.inverse() else {
            panic!("not a group")
        };
        assert_eq!(inv[0], Change::Uncoded(segment("c")));
        assert_eq!(g.inverse().inverse(), g);
    }
}
