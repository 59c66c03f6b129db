//! Drawing: the whole screen from `&App`. Each pane draws itself (`tui/pane/*/draw.rs`); here
//! are the screen's composition, the drawings that belong to no pane (status bar, help, compare
//! panel, saturation chart) and the helpers they share. Views change nothing but the scroll
//! offsets they keep in `Cell`s; everything they show comes from the app's state.

pub mod compare;
pub mod help;
pub mod saturation;
pub mod status;

use std::cell::Cell;

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, BorderType, Borders, Clear};
use ratatui::Frame;

use crate::tui::action::Pane;
use crate::tui::app::{App, Overlay};
use crate::tui::pane::{doc, picker, prompt, retrieval, search, transcripts, tree};

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let (panes, panel) = app.screen(area, app.focus);
    if let Some(r) = panes.transcripts {
        transcripts::draw(frame, app, r);
    }
    if let Some(r) = panes.codes {
        tree::draw::draw(frame, app, r);
    }
    if let Some(r) = panes.transcript {
        doc::draw::draw(frame, app, r);
    }
    if let (Some(r), Some(pane)) = (panes.right, panes.right_pane) {
        match pane {
            Pane::Search => search::draw::draw(frame, app, r),
            _ => retrieval::draw::draw(frame, app, r),
        }
    }
    if let (Some(r), Some(c)) = (panel, app.compare.as_ref()) {
        compare::draw_panel(frame, app, c, r);
    }
    status::draw(frame, app, panes.status);
    match &app.overlay {
        Some(Overlay::Help { scroll }) => help::draw(frame, *scroll, area),
        Some(Overlay::Picker(p)) => picker::draw::draw(frame, p, area),
        Some(Overlay::Prompt(p)) => prompt::draw::draw(frame, p, area),
        Some(Overlay::Resolve(id)) => compare::draw_resolve(frame, app, id, area),
        Some(Overlay::Saturation(chart)) => saturation::draw(frame, chart, area),
        None => {}
    }
}

/// The bordered block of a pane, highlighted when focused.
pub fn pane_block(title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::default().fg(Color::Cyan)
    } else {
        Style::default().fg(Color::DarkGray)
    };
    let title_style = if focused {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(ratatui::text::Span::styled(title, title_style))
}

/// Inside a block's borders.
pub fn inner(rect: Rect) -> Rect {
    Rect::new(
        rect.x.saturating_add(1),
        rect.y.saturating_add(1),
        rect.width.saturating_sub(2),
        rect.height.saturating_sub(2),
    )
}

/// A code's `#rrggbb` colour (grey when it has none or it is malformed).
pub fn code_color(hex: &str) -> Color {
    let parse = |s: &str| u8::from_str_radix(s, 16).ok();
    if hex.len() == 7 && hex.starts_with('#') && hex.is_ascii() {
        if let (Some(r), Some(g), Some(b)) =
            (parse(&hex[1..3]), parse(&hex[3..5]), parse(&hex[5..7]))
        {
            return Color::Rgb(r, g, b);
        }
    }
    Color::Gray
}

/// Keeps `selected` within the `height` rows shown from the stored offset; returns the offset.
pub fn scrolled(offset: &Cell<usize>, selected: usize, len: usize, height: usize) -> usize {
    let height = height.max(1);
    let mut top = offset.get().min(len.saturating_sub(1));
    if selected < top {
        top = selected;
    } else if selected >= top + height {
        top = selected + 1 - height;
    }
    offset.set(top);
    top
}

/// A rectangle of `width` × `height` centred in `area` (shrunk to fit).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// A dialog window centred in `area`, `height` rows tall and up to 72 columns wide, with its
/// title; returns the inside, or `None` when nothing fits.
pub fn dialog(frame: &mut Frame, area: Rect, height: u16, title: &str) -> Option<Rect> {
    let rect = centered(
        area,
        72.min(area.width.saturating_sub(2)).max(area.width.min(10)),
        height,
    );
    let title = format!(" {title} ");
    let inside = overlay_block(
        frame,
        rect,
        fit(&title, usize::from(rect.width.saturating_sub(2))),
    );
    (inside.width > 0 && inside.height > 0).then_some(inside)
}

/// Writes a dim one-line hint at the top of an empty pane.
pub fn empty_hint(frame: &mut Frame, area: Rect, hint: &str) {
    let hint = fit(hint, usize::from(area.width));
    frame.buffer_mut().set_string(
        area.x,
        area.y,
        hint,
        Style::default().add_modifier(Modifier::DIM),
    );
}

/// Clears an overlay's rectangle and draws its block; returns the inside.
pub fn overlay_block(frame: &mut Frame, rect: Rect, title: String) -> Rect {
    frame.render_widget(Clear, rect);
    let block = pane_block(title, true);
    let inside = block.inner(rect);
    frame.render_widget(block, rect);
    inside
}

/// Cuts `text` to at most `width` cells, with `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let mut out = String::new();
    let mut used = 0;
    let total: usize = text.graphemes(true).map(crate::tui::wrap::cell_width).sum();
    if total <= width {
        return text.to_string();
    }
    for g in text.graphemes(true) {
        let w = crate::tui::wrap::cell_width(g);
        if used + w + 1 > width {
            break;
        }
        out.push_str(g);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Wraps plain text into at most `max` lines of `width` cells (the last cut with `…`).
pub fn wrap_plain(text: &str, width: usize, max: usize) -> Vec<String> {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let starts = crate::tui::wrap::wrap(&flat, 0, flat.len(), width.max(1));
    let mut out = Vec::new();
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(flat.len());
        if out.len() + 1 == max && i + 1 < starts.len() {
            out.push(fit(&format!("{}…", flat[s..].trim_end()), width));
            break;
        }
        out.push(flat[s..e].trim_end().to_string());
        if out.len() >= max {
            break;
        }
    }
    out
}
