//! The code tree: codes in their codebook's colours, indented by level, with this coder's
//! segment count; collapsed codes show the count of everything beneath them.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::action::Pane;
use crate::tui::app::App;
use crate::tui::view::{code_color, empty_hint, fit, inner, pane_block, scrolled};

/// Draws the tree.
pub fn draw(frame: &mut Frame, app: &App, rect: Rect) {
    let focused = app.focus == Pane::Codes && app.overlay.is_none();
    let title = if app.codebook_mode {
        " Codes · CODEBOOK MODE ".to_string()
    } else {
        " Codes ".to_string()
    };
    frame.render_widget(pane_block(title, focused), rect);
    let area = inner(rect);
    if area.width == 0 || area.height == 0 {
        return;
    }
    let rows = &app.tree.rows;
    if rows.is_empty() {
        empty_hint(frame, area, "no codes yet: C then A adds a theme");
        return;
    }
    let height = usize::from(area.height);
    let width = usize::from(area.width);
    let top = scrolled(
        &app.tree.list.offset,
        app.tree.list.selected,
        rows.len(),
        height,
    );
    for (i, row) in rows.iter().enumerate().skip(top).take(height) {
        let mut spans = vec![Span::raw("  ".repeat(row.depth.min(width / 4)))];
        let (name, color, count) = match &row.code {
            None => {
                let name = app
                    .study
                    .codebooks
                    .get(row.book)
                    .map(|b| b.codebook.name.clone())
                    .unwrap_or_default();
                (name, None, 0)
            }
            Some(id) => {
                let code = app.study.code(id);
                let count = if row.has_children && !row.expanded {
                    app.study
                        .codebook_of(id)
                        .map(|b| b.subtree(id))
                        .unwrap_or_default()
                        .iter()
                        .map(|c| app.counts.get(c).copied().unwrap_or(0))
                        .sum()
                } else {
                    app.counts.get(id).copied().unwrap_or(0)
                };
                (
                    code.map(|c| c.name.clone()).unwrap_or_else(|| id.clone()),
                    code.map(|c| code_color(&c.color)),
                    count,
                )
            }
        };
        spans.push(Span::raw(match (row.has_children, row.expanded) {
            (true, true) => "▾ ",
            (true, false) => "▸ ",
            _ => "  ",
        }));
        if let Some(c) = color {
            spans.push(Span::styled("■ ", Style::default().fg(c)));
        }
        let count_text = if count > 0 {
            format!(" {count}")
        } else {
            String::new()
        };
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let room = width.saturating_sub(used + count_text.chars().count());
        let name = fit(&name, room);
        // a codebook not meant for the open transcript is dimmed, its heading says so
        let name = if row.code.is_none() && !row.in_scope {
            fit(&format!("{name} (not for this transcript)"), room)
        } else {
            name
        };
        let name_style = match (row.code.is_none(), row.in_scope) {
            (true, true) => Style::default().add_modifier(Modifier::BOLD),
            (true, false) => Style::default().add_modifier(Modifier::BOLD | Modifier::DIM),
            (false, true) => Style::default(),
            (false, false) => Style::default().add_modifier(Modifier::DIM),
        };
        let pad = room.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
        spans.push(Span::styled(name, name_style));
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(
            count_text,
            Style::default().add_modifier(Modifier::DIM),
        ));
        let mut line = Line::from(spans);
        if i == app.tree.list.selected {
            line = line.style(if focused {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default().add_modifier(Modifier::UNDERLINED)
            });
        }
        let y = area.y + u16::try_from(i - top).unwrap_or(0);
        frame.buffer_mut().set_line(area.x, y, &line, area.width);
    }
}
