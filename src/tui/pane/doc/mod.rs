//! The transcript pane: the open transcript, its selection (anchor and head in bytes, on
//! grapheme boundaries), the scroll position and lazily wrapped lines, with the motions and
//! scrolling that change them. It never writes; the app codes and uncodes through the study.

pub mod draw;

use std::cell::RefCell;
use std::sync::Arc;

use ratatui::layout::Rect;

use crate::model::Transcript;
use crate::study::Study;
use crate::tui::action::Action;
use crate::tui::pane::FollowUp;
use crate::tui::selection::{self as sel, Motion, Range};
use crate::tui::wrap::{cell_width, turn_bytes, TurnBytes, WrapCache};

/// The size of the transcript's text area, in cells (each at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
}

/// A screen row of the transcript: `row` counts the turn's wrapped lines, then one blank row
/// between turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct RowPos {
    /// Turn index.
    pub turn: usize,
    /// Line within the turn (equal to the number of lines for the blank row after it).
    pub row: usize,
}

/// A screen row of the transcript located in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisualRow {
    /// Where it is.
    pub pos: RowPos,
    /// First byte shown.
    pub start: usize,
    /// Byte past the last one shown (a trailing newline excluded).
    pub end: usize,
    /// The blank row between two turns.
    pub blank: bool,
}

/// This coder's segment in the open transcript, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedSpan {
    /// First byte.
    pub start: usize,
    /// Byte past the end.
    pub end: usize,
    /// Code id.
    pub code: String,
    /// Segment id.
    pub segment: String,
}

/// The open transcript: selection, scroll position and lazily wrapped lines.
#[derive(Debug)]
pub struct Doc {
    /// Position of the transcript in `study.transcripts()`.
    pub transcript: usize,
    /// The transcript itself.
    pub text: Arc<Transcript>,
    /// Its turns in bytes.
    pub turns: Vec<TurnBytes>,
    /// The selection (anchor and head in bytes).
    pub sel: Range,
    /// The first row on screen.
    pub top: RowPos,
    /// The column up/down motions aim for.
    pub goal_col: Option<usize>,
    /// Wrapped line starts per turn.
    pub wrap: RefCell<WrapCache>,
    /// This coder's segments here, sorted by start.
    pub coded: Vec<CodedSpan>,
}

impl Doc {
    /// Opens transcript `t` (position `transcript` in the study) at its first turn.
    pub fn new(transcript: usize, t: Arc<Transcript>) -> Doc {
        let turns = turn_bytes(&t);
        let start = turns.first().map_or(0, |t| t.body_start);
        Doc {
            transcript,
            text: t,
            wrap: RefCell::new(WrapCache::new(turns.len())),
            turns,
            sel: Range::point(start),
            top: RowPos::default(),
            goal_col: None,
            coded: Vec::new(),
        }
    }

    fn lines(&self, text: &str, turn: usize, width: usize) -> std::rc::Rc<[usize]> {
        self.wrap.borrow_mut().lines(text, &self.turns, turn, width)
    }

    /// Rows a turn takes: its lines and, except after the last turn, one blank row.
    pub fn rows_of(&self, text: &str, turn: usize, width: usize) -> usize {
        self.lines(text, turn, width).len() + usize::from(turn + 1 < self.turns.len())
    }

    /// The row after `pos`.
    pub fn next_row(&self, text: &str, pos: RowPos, width: usize) -> Option<RowPos> {
        if pos.row + 1 < self.rows_of(text, pos.turn, width) {
            Some(RowPos {
                turn: pos.turn,
                row: pos.row + 1,
            })
        } else if pos.turn + 1 < self.turns.len() {
            Some(RowPos {
                turn: pos.turn + 1,
                row: 0,
            })
        } else {
            None
        }
    }

    /// The row before `pos`.
    pub fn prev_row(&self, text: &str, pos: RowPos, width: usize) -> Option<RowPos> {
        if pos.row > 0 {
            Some(RowPos {
                turn: pos.turn,
                row: pos.row - 1,
            })
        } else if pos.turn > 0 {
            let turn = pos.turn - 1;
            Some(RowPos {
                turn,
                row: self.rows_of(text, turn, width) - 1,
            })
        } else {
            None
        }
    }

    /// Locates a row in the text.
    pub fn visual_row(&self, text: &str, pos: RowPos, width: usize) -> VisualRow {
        let Some(turn) = self.turns.get(pos.turn) else {
            return VisualRow {
                pos,
                start: 0,
                end: 0,
                blank: true,
            };
        };
        let lines = self.lines(text, pos.turn, width);
        match lines.get(pos.row) {
            Some(&start) => {
                let mut end = lines.get(pos.row + 1).copied().unwrap_or(turn.end);
                if end > start && text.as_bytes().get(end - 1) == Some(&b'\n') {
                    end -= 1;
                }
                VisualRow {
                    pos,
                    start,
                    end,
                    blank: false,
                }
            }
            None => {
                let next = self.turns.get(pos.turn + 1).map_or(turn.end, |t| t.start);
                VisualRow {
                    pos,
                    start: turn.end,
                    end: next,
                    blank: true,
                }
            }
        }
    }

    /// The row and column of byte `pos`.
    pub fn locate(&self, text: &str, pos: usize, width: usize) -> (RowPos, usize) {
        let turn = sel::turn_at(&self.turns, pos);
        let lines = self.lines(text, turn, width);
        let row = lines.partition_point(|&s| s <= pos).saturating_sub(1);
        let start = lines.get(row).copied().unwrap_or(0).min(pos);
        let col = text.get(start..pos).map_or(0, |s| {
            unicode_segmentation::UnicodeSegmentation::graphemes(s, true)
                .map(cell_width)
                .sum()
        });
        (RowPos { turn, row }, col)
    }

    /// The byte at column `col` of a row (the row's end when the column is past it).
    pub fn byte_at(&self, text: &str, pos: RowPos, col: usize, width: usize) -> usize {
        let row = self.visual_row(text, pos, width);
        if row.blank {
            return self.turns.get(pos.turn).map_or(0, |t| t.end);
        }
        let mut x = 0;
        for (offset, g) in unicode_segmentation::UnicodeSegmentation::grapheme_indices(
            &text[row.start..row.end],
            true,
        ) {
            let w = cell_width(g);
            if col < x + w.max(1) {
                return row.start + offset;
            }
            x += w;
        }
        row.end
    }

    /// The rows on screen from the top, at most `height`.
    pub fn visible_rows(&self, text: &str, width: usize, height: usize) -> Vec<VisualRow> {
        let mut out = Vec::with_capacity(height);
        let mut pos = Some(self.top);
        while let Some(p) = pos {
            if out.len() >= height {
                break;
            }
            out.push(self.visual_row(text, p, width));
            pos = self.next_row(text, p, width);
        }
        out
    }

    /// Handles a motion or selection action (motions extend the selection when `extend`);
    /// `None` when the action is not the transcript's.
    pub fn update(&mut self, action: &Action, extend: bool, view: Viewport) -> Option<FollowUp> {
        match *action {
            Action::Move(m) => self.motion(m, extend, view),
            Action::Extend(m) => self.motion(m, true, view),
            Action::SelectTurn | Action::SelectSentence => {
                self.select_unit(*action == Action::SelectTurn, view)
            }
            Action::CollapseSelection => self.sel = Range::point(self.sel.head),
            Action::NextSegment | Action::PrevSegment => {
                if !self.jump_segment(*action == Action::NextSegment, view) {
                    return Some(FollowUp::Say("no more segments of yours this way"));
                }
            }
            _ => return None,
        }
        Some(FollowUp::Done)
    }

    /// The selected text.
    pub fn selected_text(&self) -> &str {
        self.text
            .text
            .get(self.sel.from()..self.sel.to())
            .unwrap_or("")
    }

    /// Reads `coder`'s segments in this transcript again.
    pub fn refresh_coded(&mut self, study: &Study, coder: &str) {
        let t = Arc::clone(&self.text);
        let mut coded: Vec<CodedSpan> = study
            .layer(coder)
            .unwrap_or(&[])
            .iter()
            .filter(|s| s.transcript == t.id && !s.is_unanchored())
            .map(|s| CodedSpan {
                start: t.index.byte_of(&t.text, s.start),
                end: t.index.byte_of(&t.text, s.end),
                code: s.code.clone(),
                segment: s.id.clone(),
            })
            .collect();
        coded.sort_by_key(|c| (c.start, c.end));
        self.coded = coded;
    }

    /// Selects the code-point range `[start, end)`, cursor at its start.
    pub fn select_chars(&mut self, start: usize, end: usize) {
        let t = Arc::clone(&self.text);
        let a = t.index.byte_of(&t.text, start);
        let b = t.index.byte_of(&t.text, end);
        self.sel = Range::new(b, a);
        self.goal_col = None;
    }

    /// Selects the next (or previous) segment of this coder's; `false` when there is none.
    pub fn jump_segment(&mut self, forward: bool, view: Viewport) -> bool {
        let at = self.sel.from();
        let target = if forward {
            self.coded.iter().find(|c| c.start > at)
        } else {
            self.coded.iter().rev().find(|c| c.start < at)
        };
        let Some(c) = target else {
            return false;
        };
        self.sel = Range::new(c.end, c.start);
        self.goal_col = None;
        self.scroll_to_cursor(view);
        true
    }

    /// The byte under row `row`, column `col` of the text area (`None` past the last row).
    pub fn byte_at_screen(&self, row: usize, col: usize, width: usize) -> Option<usize> {
        let t = &self.text;
        let mut pos = self.top;
        for _ in 0..row {
            pos = self.next_row(&t.text, pos, width)?;
        }
        Some(self.byte_at(&t.text, pos, col, width))
    }

    /// This coder's segment under the cursor: the one the selection matches, else the
    /// shortest covering the cursor.
    pub fn segment_under_cursor(&self) -> Option<&CodedSpan> {
        let doc = self;
        let (from, to) = (doc.sel.from(), doc.sel.to());
        if let Some(exact) = doc.coded.iter().find(|c| c.start == from && c.end == to) {
            return Some(exact);
        }
        let at = doc.sel.head;
        doc.coded
            .iter()
            .filter(|c| c.start <= at && (at < c.end || (at == c.end && at > c.start && at == to)))
            .min_by_key(|c| c.end - c.start)
    }

    /// Moves the cursor by `m`, extending the selection when `extend`, and keeps it on screen.
    pub fn motion(&mut self, m: Motion, extend: bool, view: Viewport) {
        let (width, height) = (view.width, view.height);
        let doc = self;
        let t = Arc::clone(&doc.text);
        let text = &t.text;
        let turns = &doc.turns;
        let head = doc.sel.head;
        let vertical = |doc: &mut Doc, rows: isize| -> usize {
            let (mut pos, col) = doc.locate(text, doc.sel.head, width);
            let goal = *doc.goal_col.get_or_insert(col);
            let mut left = rows.unsigned_abs();
            while left > 0 {
                let next = if rows > 0 {
                    doc.next_row(text, pos, width)
                } else {
                    doc.prev_row(text, pos, width)
                };
                let Some(next) = next else { break };
                pos = next;
                if !doc.visual_row(text, pos, width).blank {
                    left -= 1;
                }
            }
            if doc.visual_row(text, pos, width).blank {
                // ran out of rows on the blank line after the last turn
                return doc.sel.head;
            }
            doc.byte_at(text, pos, goal, width)
        };
        let new = match m {
            Motion::CharLeft => sel::char_left(text, turns, head),
            Motion::CharRight => sel::char_right(text, turns, head),
            Motion::WordNext => sel::word_next(text, turns, head),
            Motion::WordEnd => sel::word_end(text, turns, head),
            Motion::WordPrev => sel::word_prev(text, turns, head),
            Motion::SentenceNext => sel::sentence_next(text, turns, head),
            Motion::SentencePrev => sel::sentence_prev(text, turns, head),
            Motion::TurnNext => sel::turn_next(turns, head),
            Motion::TurnPrev => sel::turn_prev(turns, head),
            Motion::Start => turns.first().map_or(0, |t| t.start),
            Motion::End => turns.last().map_or(0, |t| t.end),
            Motion::LineDown => vertical(doc, 1),
            Motion::LineUp => vertical(doc, -1),
            Motion::PageDown | Motion::PageUp => {
                let rows = height.saturating_sub(1).max(1) as isize;
                let rows = if m == Motion::PageUp { -rows } else { rows };
                let new = vertical(doc, rows);
                // scroll the view by the same amount
                for _ in 0..rows.unsigned_abs() {
                    let next = if rows > 0 {
                        doc.next_row(text, doc.top, width)
                    } else {
                        doc.prev_row(text, doc.top, width)
                    };
                    match next {
                        Some(p) => doc.top = p,
                        None => break,
                    }
                }
                new
            }
        };
        if !matches!(
            m,
            Motion::LineDown | Motion::LineUp | Motion::PageDown | Motion::PageUp
        ) {
            doc.goal_col = None;
        }
        doc.sel = doc.sel.put(new, extend);
        doc.scroll_to_cursor(view);
    }

    /// Selects the sentence (or turn) around the cursor, or grows the selection by one more.
    pub fn select_unit(&mut self, turn: bool, view: Viewport) {
        let doc = self;
        let t = Arc::clone(&doc.text);
        let text = &t.text;
        let turns = &doc.turns;
        let unit = |pos: usize| {
            if turn {
                sel::turn_around(turns, pos)
            } else {
                sel::sentence_around(text, turns, pos)
            }
        };
        let (from, to) = (doc.sel.from(), doc.sel.to());
        let (a, b) = if doc.sel.is_empty() {
            unit(doc.sel.head)
        } else {
            let first = unit(from);
            let last = unit(to.saturating_sub(1).max(from));
            let grown = (from.min(first.0), to.max(last.1));
            if grown == (from, to) {
                // the selection already covers whole units: add the next one
                let next = if turn {
                    sel::turn_next(turns, to)
                } else {
                    sel::sentence_next(text, turns, to)
                };
                (from, to.max(unit(next).1))
            } else {
                grown
            }
        };
        doc.sel = Range::new(a, b);
        doc.goal_col = None;
        doc.scroll_to_cursor(view);
    }

    /// Scrolls the transcript so the cursor is on screen, laying out only the rows it passes.
    pub fn scroll_to_cursor(&mut self, view: Viewport) {
        let (width, height) = (view.width, view.height);
        let doc = self;
        let t = Arc::clone(&doc.text);
        let text = &t.text;
        if doc.top.turn >= doc.turns.len() {
            doc.top = RowPos::default();
        }
        let top_rows = doc.rows_of(text, doc.top.turn, width);
        if doc.top.row >= top_rows {
            doc.top.row = top_rows.saturating_sub(1);
        }
        let (cursor, _) = doc.locate(text, doc.sel.head, width);
        if cursor < doc.top {
            doc.top = cursor;
            return;
        }
        // every turn takes at least one row, so a cursor this far down is off screen
        let mut visible = cursor.turn <= doc.top.turn + height;
        if visible {
            let mut pos = doc.top;
            let mut rows = 0;
            while pos < cursor {
                rows += 1;
                if rows >= height {
                    visible = false;
                    break;
                }
                match doc.next_row(text, pos, width) {
                    Some(p) => pos = p,
                    None => break,
                }
            }
        }
        if !visible {
            let mut top = cursor;
            for _ in 0..height.saturating_sub(1) {
                match doc.prev_row(text, top, width) {
                    Some(p) => top = p,
                    None => break,
                }
            }
            doc.top = top;
        }
    }

    /// Scrolls the view by `rows` (negative: up), leaving the cursor where it is.
    pub fn scroll(&mut self, rows: isize, view: Viewport) {
        let width = view.width;
        let doc = self;
        let t = Arc::clone(&doc.text);
        for _ in 0..rows.unsigned_abs() {
            let next = if rows > 0 {
                doc.next_row(&t.text, doc.top, width)
            } else {
                doc.prev_row(&t.text, doc.top, width)
            };
            match next {
                Some(p) => doc.top = p,
                None => break,
            }
        }
    }

    /// Scrolls so the cursor's line is a quarter of the way down, leaving room below it for
    /// the passage that starts there.
    pub fn scroll_cursor_high(&mut self, view: Viewport) {
        let (width, height) = (view.width, view.height);
        let doc = self;
        let t = Arc::clone(&doc.text);
        let (mut top, _) = doc.locate(&t.text, doc.sel.head, width);
        for _ in 0..height / 4 {
            match doc.prev_row(&t.text, top, width) {
                Some(p) => top = p,
                None => break,
            }
        }
        doc.top = top;
    }
}

/// The coding-stripe gutter and the text area inside a transcript pane's borders.
pub fn text_areas(pane: Rect) -> (Rect, Rect) {
    let inner = Rect::new(
        pane.x.saturating_add(1),
        pane.y.saturating_add(1),
        pane.width.saturating_sub(2),
        pane.height.saturating_sub(2),
    );
    let stripes: u16 = match inner.width {
        w if w >= 60 => 6,
        w if w >= 24 => 3,
        _ => 0,
    };
    let gutter_w = if stripes > 0 { stripes + 1 } else { 0 };
    (
        Rect::new(inner.x, inner.y, stripes, inner.height),
        Rect::new(
            inner.x + gutter_w,
            inner.y,
            inner.width - gutter_w,
            inner.height,
        ),
    )
}
