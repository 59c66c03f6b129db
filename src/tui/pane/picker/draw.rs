//! The fuzzy code picker: the question, the filter as typed, and the matching code paths with the
//! matched letters picked out.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::app::Picker;
use crate::tui::view::{code_color, dialog, fit, scrolled};

/// Draws the picker.
pub fn draw(frame: &mut Frame, picker: &Picker, area: Rect) {
    let height = u16::try_from(picker.candidates.len() + 4)
        .unwrap_or(u16::MAX)
        .clamp(5, 22);
    let Some(inside) = dialog(frame, area, height, &picker.title) else {
        return;
    };
    let width = usize::from(inside.width);
    let filter = Line::from(vec![
        Span::styled("› ", Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(fit(&format!("{}█", picker.query), width.saturating_sub(2))),
        Span::styled(
            format!("  {}/{}", picker.matches.len(), picker.candidates.len()),
            Style::default().add_modifier(Modifier::DIM),
        ),
    ]);
    frame
        .buffer_mut()
        .set_line(inside.x, inside.y, &filter, inside.width);
    let list_h = usize::from(inside.height.saturating_sub(1));
    if list_h == 0 {
        return;
    }
    let top = scrolled(
        &picker.list.offset,
        picker.list.selected,
        picker.matches.len(),
        list_h,
    );
    for (row, (index, m)) in picker.matches.iter().enumerate().skip(top).take(list_h) {
        let Some(candidate) = picker.candidates.get(*index) else {
            continue;
        };
        let selected = row == picker.list.selected;
        let mut spans = vec![Span::raw(if selected { "▶ " } else { "  " })];
        if candidate.code.is_some() {
            spans.push(Span::styled(
                "■ ",
                Style::default().fg(code_color(&candidate.color)),
            ));
        } else {
            spans.push(Span::raw("  "));
        }
        let label = fit(&candidate.label, width.saturating_sub(4));
        // codes of a codebook not meant for the open transcript are dimmed
        let base = if candidate.in_scope {
            Style::default()
        } else {
            Style::default().add_modifier(Modifier::DIM)
        };
        for (i, c) in label.chars().enumerate() {
            let style = if m.positions.contains(&i) {
                base.add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
            } else {
                base
            };
            spans.push(Span::styled(c.to_string(), style));
        }
        let mut line = Line::from(spans);
        if selected {
            line = line.style(Style::default().add_modifier(Modifier::REVERSED));
        }
        let y = inside.y + 1 + u16::try_from(row - top).unwrap_or(u16::MAX);
        frame
            .buffer_mut()
            .set_line(inside.x, y, &line, inside.width);
    }
}
