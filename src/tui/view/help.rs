//! The help screen, written from the key table, so it lists exactly the keys that work.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::keymap::help_sections;
use crate::tui::view::{centered, fit, overlay_block};

/// The help screen's lines.
pub fn lines(width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let key_w = 16.min(width / 3);
    for (heading, rows) in help_sections() {
        if rows.is_empty() {
            continue;
        }
        out.push(Line::from(Span::styled(
            fit(heading, width),
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )));
        for (keys, help) in rows {
            let keys = fit(&keys, key_w);
            let pad = key_w.saturating_sub(unicode_width::UnicodeWidthStr::width(keys.as_str()));
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {keys}{}", " ".repeat(pad)),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(" "),
                Span::raw(fit(help, width.saturating_sub(key_w + 3))),
            ]));
        }
        out.push(Line::default());
    }
    out
}

/// Draws the help over the screen from line `scroll`.
pub fn draw(frame: &mut Frame, scroll: usize, area: Rect) {
    let rect = centered(
        area,
        area.width.saturating_sub(4).max(area.width.min(20)),
        area.height.saturating_sub(2).max(area.height.min(5)),
    );
    let inside = overlay_block(frame, rect, " Keys · Esc closes · j/k scroll ".to_string());
    if inside.width == 0 || inside.height == 0 {
        return;
    }
    let all = lines(usize::from(inside.width));
    let start = scroll.min(all.len().saturating_sub(usize::from(inside.height)));
    for (i, line) in all
        .iter()
        .skip(start)
        .take(usize::from(inside.height))
        .enumerate()
    {
        let y = inside.y + u16::try_from(i).unwrap_or(u16::MAX);
        frame.buffer_mut().set_line(inside.x, y, line, inside.width);
    }
}

/// Rows of the help screen (for scrolling bounds).
pub fn help_len() -> usize {
    crate::tui::keymap::help_sections()
        .iter()
        .map(|(_, rows)| rows.len() + 2)
        .sum()
}
