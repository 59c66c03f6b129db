//! The panes and overlays, each owning its state, the updates that concern only it and its
//! drawing (`draw.rs` beside it): [`doc`] the open transcript, [`tree`] the code tree,
//! [`retrieval`] the segments of a code, [`search`] full-text search, [`picker`] the fuzzy picker
//! and [`prompt`] the one-line prompt; [`transcripts`] draws the transcripts list, whose state is
//! a bare [`ListCursor`]. A pane's update changes the pane and returns what the app has to do
//! next (the parent code to retrieve, whether a segment was found); only the app writes to the
//! study. Draws read `&App` for what the panes share (focus, counts, the study) and change
//! nothing but the scroll offsets they keep in `Cell`s.

use std::cell::Cell;

pub mod doc;
pub mod picker;
pub mod prompt;
pub mod retrieval;
pub mod search;
pub mod transcripts;
pub mod tree;

use crate::tui::saturation::SaturationChart;

/// What a pane's update asks of the app next: a synchronous form of gitui's queue, so a pane
/// never reaches into another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUp {
    /// Nothing more.
    Done,
    /// Fill the retrieval pane with this code.
    Retrieve(String),
    /// Say this in the status bar.
    Say(&'static str),
}

/// A list's highlighted row and the first row shown: the one cursor every list uses.
#[derive(Debug, Default)]
pub struct ListCursor {
    /// Highlighted row.
    pub selected: usize,
    /// First row shown (kept by the view).
    pub offset: Cell<usize>,
}

impl ListCursor {
    /// Moves the highlight by `by` rows, staying inside a list of `len` rows.
    pub fn step(&mut self, by: isize, len: usize) {
        self.selected = if len == 0 {
            0
        } else {
            self.selected.saturating_add_signed(by).min(len - 1)
        };
    }

    /// Keeps the highlight inside a list of `len` rows.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// Back to the first row, scrolled to the top.
    pub fn reset(&mut self) {
        self.selected = 0;
        self.offset.set(0);
    }
}

/// A window over the screen: the overlays drawn above the panes.
#[derive(Debug)]
pub enum Overlay {
    /// The list of keys.
    Help {
        /// First line shown.
        scroll: usize,
    },
    /// The fuzzy code picker.
    Picker(picker::Picker),
    /// A one-line text prompt.
    Prompt(prompt::Prompt),
    /// What to take for the disagreement with this id.
    Resolve(String),
    /// The saturation chart.
    Saturation(SaturationChart),
}

#[cfg(test)]
mod tests {
    use super::ListCursor;

    #[test]
    fn the_cursor_stays_in_the_list() {
        let mut c = ListCursor::default();
        c.step(5, 3);
        assert_eq!(c.selected, 2);
        c.step(-10, 3);
        assert_eq!(c.selected, 0);
        c.step(1, 0);
        assert_eq!(c.selected, 0);
        c.selected = 7;
        c.clamp(4);
        assert_eq!(c.selected, 3);
    }
}
