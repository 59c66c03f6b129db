//! The code tree pane: one row per codebook heading (when the study has several) and per code,
//! with hidden subtrees. It reads the codebooks; the app changes them.

pub mod draw;

use std::collections::BTreeSet;

use crate::study::Study;
use crate::tui::action::Action;
use crate::tui::pane::{FollowUp, ListCursor};

/// One row of the code tree: a codebook heading (when the study has several) or a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    /// Code id; `None` for a codebook heading.
    pub code: Option<String>,
    /// Codebook position in the study.
    pub book: usize,
    /// Whether the codebook is meant for the open transcript (its scope holds it).
    pub in_scope: bool,
    /// Indentation level.
    pub depth: usize,
    /// Whether the code has child codes.
    pub has_children: bool,
    /// Whether its children are shown.
    pub expanded: bool,
}

/// The code tree's state.
#[derive(Debug, Default)]
pub struct Tree {
    /// Visible rows, in order.
    pub rows: Vec<TreeRow>,
    /// Highlighted row and scroll.
    pub list: ListCursor,
    /// Codes whose children are hidden.
    pub collapsed: BTreeSet<String>,
}

impl Tree {
    /// Handles showing and hiding children (`open`: the transcript whose codebooks come
    /// first); `None` when the action is not the tree's.
    pub fn update(
        &mut self,
        action: &Action,
        study: &Study,
        open: Option<&str>,
    ) -> Option<FollowUp> {
        match action {
            Action::Expand => self.expand(study, open, Some(true)),
            Action::ToggleExpand => self.expand(study, open, None),
            Action::Collapse => {
                return Some(match self.collapse(study, open) {
                    Some(parent) => FollowUp::Retrieve(parent),
                    None => FollowUp::Done,
                })
            }
            _ => return None,
        }
        Some(FollowUp::Done)
    }

    /// The code highlighted.
    pub fn highlighted(&self) -> Option<String> {
        self.rows
            .get(self.list.selected)
            .and_then(|r| r.code.clone())
    }

    /// The highlighted row.
    pub fn row(&self) -> Option<&TreeRow> {
        self.rows.get(self.list.selected)
    }

    /// Lays the rows out again from the study's codebooks (those meant for transcript `open`
    /// first), keeping `keep` (else the highlighted code) highlighted.
    pub fn rebuild(&mut self, study: &Study, open: Option<&str>, keep: Option<String>) {
        let keep = keep.or_else(|| self.highlighted());
        let several = study.codebooks.len() > 1;
        let mut rows = Vec::new();
        for (b, in_scope) in crate::tui::scope::books_in_order(study, open) {
            let Some(loaded) = study.codebooks.get(b) else {
                continue;
            };
            let book = &loaded.codebook;
            if several {
                rows.push(TreeRow {
                    code: None,
                    book: b,
                    in_scope,
                    depth: 0,
                    has_children: !book.codes.is_empty(),
                    expanded: true,
                });
            }
            let base = usize::from(several);
            let parents: BTreeSet<&str> = book
                .codes
                .iter()
                .filter_map(|c| c.parent.as_deref())
                .collect();
            let mut hidden_below: Option<usize> = None;
            for (code, depth) in book.tree() {
                if let Some(d) = hidden_below {
                    if depth > d {
                        continue;
                    }
                    hidden_below = None;
                }
                let has_children = parents.contains(code.id.as_str());
                let expanded = !self.collapsed.contains(&code.id);
                if has_children && !expanded {
                    hidden_below = Some(depth);
                }
                rows.push(TreeRow {
                    code: Some(code.id.clone()),
                    book: b,
                    in_scope,
                    depth: depth + base,
                    has_children,
                    expanded,
                });
            }
        }
        self.rows = rows;
        if let Some(keep) = keep {
            if let Some(i) = self
                .rows
                .iter()
                .position(|r| r.code.as_ref() == Some(&keep))
            {
                self.list.selected = i;
                return;
            }
        }
        self.list.clamp(self.rows.len());
    }

    /// Shows (`Some(true)`), hides (`Some(false)`) or toggles the highlighted code's children.
    pub fn expand(&mut self, study: &Study, open: Option<&str>, to: Option<bool>) {
        let Some(row) = self.rows.get(self.list.selected) else {
            return;
        };
        let Some(code) = row.code.clone() else {
            return;
        };
        if !row.has_children {
            return;
        }
        let expand = to.unwrap_or(!row.expanded);
        if expand {
            self.collapsed.remove(&code);
        } else {
            self.collapsed.insert(code.clone());
        }
        self.rebuild(study, open, Some(code));
    }

    /// Hides the highlighted code's children, or goes to its parent, returning the parent to
    /// retrieve.
    pub fn collapse(&mut self, study: &Study, open: Option<&str>) -> Option<String> {
        let row = self.rows.get(self.list.selected).cloned()?;
        if row.has_children && row.expanded {
            self.expand(study, open, Some(false));
            return None;
        }
        // go to the parent
        if let Some(parent) = row
            .code
            .as_deref()
            .and_then(|c| study.code(c))
            .and_then(|c| c.parent.clone())
        {
            self.rebuild(study, open, Some(parent.clone()));
            return Some(parent);
        }
        None
    }
}
