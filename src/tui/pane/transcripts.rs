//! The transcripts list: each transcript with its key attributes and this coder's segment count.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::study::media::MEDIA_COLUMN;
use crate::tui::action::Pane;
use crate::tui::app::App;
use crate::tui::view::{empty_hint, fit, inner, pane_block, scrolled};

/// Attribute values worth showing next to a transcript id: participant first, then the rest
/// (not the recording's path).
pub fn key_attributes(app: &App, id: &str) -> Vec<String> {
    let attrs = &app.study.attributes;
    let mut out = Vec::new();
    if let Some(p) = attrs.get(id, "participant") {
        if p != id {
            out.push(p.to_string());
        }
    }
    for column in &attrs.columns {
        if column == "transcript" || column == "participant" || column == MEDIA_COLUMN {
            continue;
        }
        if let Some(v) = attrs.get(id, column) {
            out.push(v.to_string());
        }
    }
    out
}

/// Draws the list.
pub fn draw(frame: &mut Frame, app: &App, rect: Rect) {
    let focused = app.focus == Pane::Transcripts && app.overlay.is_none();
    let n = app.study.transcripts().len();
    frame.render_widget(pane_block(format!(" Transcripts ({n}) "), focused), rect);
    let area = inner(rect);
    if area.width == 0 || area.height == 0 {
        return;
    }
    if n == 0 {
        empty_hint(frame, area, "no transcripts: thema import FILE");
        return;
    }
    let height = usize::from(area.height);
    let top = scrolled(&app.transcripts.offset, app.transcripts.selected, n, height);
    let width = usize::from(area.width);
    for (row, t) in app
        .study
        .transcripts()
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
    {
        let selected = row == app.transcripts.selected;
        let open = app.doc.as_ref().is_some_and(|d| d.transcript == row);
        let count = app.transcript_counts.get(&t.id).copied().unwrap_or(0);
        let count_text = if count > 0 {
            format!(" {count}")
        } else {
            String::new()
        };
        let attrs = key_attributes(app, &t.id).join(" · ");
        let marker = if open { "▸" } else { " " };
        let id_style = if open {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        let room = width.saturating_sub(count_text.chars().count() + 1);
        let id_text = fit(&t.id, room.saturating_sub(1));
        let attr_room = room.saturating_sub(id_text.chars().count() + 2);
        let attr_text = if attrs.is_empty() || attr_room < 3 {
            String::new()
        } else {
            format!(" {}", fit(&attrs, attr_room))
        };
        let used = 1 + id_text.chars().count() + attr_text.chars().count();
        let pad = width.saturating_sub(used + count_text.chars().count());
        let mut line = Line::from(vec![
            Span::raw(marker),
            Span::styled(id_text, id_style),
            Span::styled(attr_text, Style::default().add_modifier(Modifier::DIM)),
            Span::raw(" ".repeat(pad)),
            Span::styled(count_text, Style::default().add_modifier(Modifier::DIM)),
        ]);
        if selected {
            line = line.style(if focused {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default().add_modifier(Modifier::UNDERLINED)
            });
        }
        let y = area.y + u16::try_from(row - top).unwrap_or(0);
        frame.buffer_mut().set_line(area.x, y, &line, area.width);
    }
}
