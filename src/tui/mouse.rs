//! The mouse: a press focuses the pane under it and picks the row (a second press on the same
//! row opens it), a drag in the transcript extends the selection, the wheel scrolls.

use crate::tui::action::{Mouse, Pane};
use crate::tui::app::App;
use crate::tui::selection::Range;

impl App {
    fn list_row(&self, pane: Pane, y: u16) -> Option<usize> {
        let rect = self.panes().rect(pane)?;
        let inner_top = rect.y + 1;
        if y < inner_top || y + 1 >= rect.bottom() {
            return None;
        }
        let row = usize::from(y - inner_top);
        let offset = match pane {
            Pane::Transcripts => self.transcripts.offset.get(),
            Pane::Codes => self.tree.list.offset.get(),
            _ => return None,
        };
        Some(offset + row)
    }

    /// The retrieved segment or search hit drawn at screen row `y`.
    fn entry_at(&self, pane: Pane, y: u16) -> Option<usize> {
        let rect = self.panes().rect(pane)?;
        let inner_top = rect.y + 1;
        if y < inner_top || y + 1 >= rect.bottom() {
            return None;
        }
        let row = usize::from(y - inner_top);
        match pane {
            Pane::Search => self.search.entry_at(row),
            Pane::Retrieval => self
                .retrieval
                .entry_at(row, usize::from(rect.width.saturating_sub(2))),
            _ => None,
        }
    }

    /// The byte under a screen cell of the transcript, clamped into the text area; a cell
    /// above or below it scrolls the view.
    fn byte_at_cell(&mut self, x: u16, y: u16) -> Option<usize> {
        let (_, text_rect) = self.transcript_viewport();
        if text_rect.width == 0 || text_rect.height == 0 {
            return None;
        }
        let view = self.viewport();
        let doc = self.doc.as_mut()?;
        if y < text_rect.y {
            doc.scroll(-1, view);
        } else if y >= text_rect.bottom() {
            doc.scroll(1, view);
        }
        let row = usize::from(y.clamp(text_rect.y, text_rect.bottom() - 1) - text_rect.y);
        let col = usize::from(x.saturating_sub(text_rect.x));
        doc.byte_at_screen(row, col, usize::from(text_rect.width))
    }

    /// A mouse press, drag, release or wheel turn.
    pub(crate) fn mouse(&mut self, m: Mouse) {
        if self.overlay.is_some() {
            if let Mouse::Down(..) = m {
                self.overlay = None;
            }
            return;
        }
        let panes = self.panes();
        match m {
            Mouse::Down(x, y) => {
                let Some(pane) = panes.hit(x, y) else {
                    return;
                };
                let was = self.focus;
                self.focus(pane);
                match pane {
                    Pane::Transcript => {
                        if let Some(pos) = self.byte_at_cell(x, y) {
                            if let Some(doc) = self.doc.as_mut() {
                                doc.sel = Range::point(pos);
                                doc.goal_col = None;
                            }
                            self.dragging = true;
                        }
                    }
                    Pane::Transcripts => {
                        if let Some(row) = self.list_row(pane, y) {
                            if row < self.study.transcripts().len() {
                                if row == self.transcripts.selected && was == pane {
                                    self.open();
                                } else {
                                    self.open_transcript(row);
                                }
                            }
                        }
                    }
                    Pane::Codes => {
                        if let Some(row) = self.list_row(pane, y) {
                            if row < self.tree.rows.len() {
                                if row == self.tree.list.selected && was == pane {
                                    self.expand(None);
                                } else {
                                    self.tree.list.selected = row;
                                    let code = self.highlighted_code();
                                    if code.is_some() {
                                        self.retrieve(code);
                                    }
                                }
                            }
                        }
                    }
                    Pane::Retrieval | Pane::Search => {
                        if let Some(row) = self.entry_at(pane, y) {
                            let selected = match pane {
                                Pane::Retrieval => &mut self.retrieval.list.selected,
                                _ => &mut self.search.list.selected,
                            };
                            if *selected == row && was == pane {
                                self.open();
                            } else {
                                *selected = row;
                            }
                        }
                    }
                }
            }
            Mouse::Drag(x, y) => {
                if self.dragging {
                    if let Some(pos) = self.byte_at_cell(x, y) {
                        if let Some(doc) = self.doc.as_mut() {
                            doc.sel.head = pos;
                        }
                    }
                }
            }
            Mouse::Up(..) => self.dragging = false,
            Mouse::ScrollUp(x, y) | Mouse::ScrollDown(x, y) => {
                let by: isize = if matches!(m, Mouse::ScrollUp(..)) {
                    -3
                } else {
                    3
                };
                match panes.hit(x, y) {
                    Some(Pane::Transcript) => {
                        let view = self.viewport();
                        if let Some(doc) = self.doc.as_mut() {
                            doc.scroll(by, view);
                        }
                    }
                    Some(pane) => {
                        let focus = self.focus;
                        self.focus = pane;
                        self.step(by);
                        self.focus = focus;
                    }
                    None => {}
                }
            }
        }
    }
}
