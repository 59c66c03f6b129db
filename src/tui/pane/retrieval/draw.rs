//! The retrieval pane: every segment of the highlighted code and the codes beneath it, across
//! transcripts, each with where it comes from and who said it ("LW7, first year").

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::action::Pane;
use crate::tui::app::{App, Retrieved};
use crate::tui::view::{code_color, fit, inner, pane_block, wrap_plain};

/// Most quote lines shown per segment.
const QUOTE_LINES: usize = 3;

/// Rows one segment takes in a pane `inner_width` cells wide: its header and quote lines.
pub fn entry_height(quote: &str, inner_width: usize) -> usize {
    1 + wrap_plain(quote, inner_width.saturating_sub(3), QUOTE_LINES).len()
}

fn entry_lines(app: &App, r: &Retrieved, width: usize, selected: bool) -> Vec<Line<'static>> {
    let mut head = vec![Span::styled(
        if selected { "▶ " } else { "  " },
        Style::default().add_modifier(Modifier::BOLD),
    )];
    let color = app
        .study
        .code(&r.code)
        .map(|c| code_color(&c.color))
        .unwrap_or_default();
    head.push(Span::styled("▌", Style::default().fg(color)));
    // "(LW7, first year) ¶5", the transcript id when there are no attributes to cite
    // worked out here, for the entries on screen only
    let attribution = app
        .study
        .attributes
        .attribution(&r.transcript, &app.study.settings.attribution);
    let turn = app
        .study
        .transcript(&r.transcript)
        .ok()
        .and_then(|t| t.turn_at(r.start).map(|t| t.number))
        .filter(|n| *n > 0)
        .unwrap_or(0);
    let mut where_ = if attribution.is_empty() {
        format!("{} ¶{turn}", r.transcript)
    } else {
        format!("({attribution}) ¶{turn}")
    };
    if app.retrieval.code.as_deref() != Some(r.code.as_str()) {
        if let Some(code) = app.study.code(&r.code) {
            where_.push_str(&format!(" · {}", code.name));
        }
    }
    if r.coder != app.coder {
        where_.push_str(&format!(" [{}]", r.coder));
    }
    let style = if selected {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        Style::default().add_modifier(Modifier::DIM)
    };
    head.push(Span::styled(fit(&where_, width.saturating_sub(3)), style));
    let mut out = vec![Line::from(head)];
    for line in wrap_plain(&r.quote, width.saturating_sub(3), QUOTE_LINES) {
        out.push(Line::from(vec![Span::raw("   "), Span::raw(line)]));
    }
    out
}

/// Draws the pane.
pub fn draw(frame: &mut Frame, app: &App, rect: Rect) {
    let focused = app.focus == Pane::Retrieval && app.overlay.is_none();
    let r = &app.retrieval;
    let title = match &r.code {
        Some(code) => format!(
            " Retrieval: {} · {} segment{}{} ",
            app.study.code_path(code),
            r.rows.len(),
            if r.rows.len() == 1 { "" } else { "s" },
            if r.all_coders { " (all coders)" } else { "" }
        ),
        None => " Retrieval ".to_string(),
    };
    frame.render_widget(
        pane_block(
            fit(&title, usize::from(rect.width.saturating_sub(2))),
            focused,
        ),
        rect,
    );
    let area = inner(rect);
    if area.width == 0 || area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let height = usize::from(area.height);
    if r.rows.is_empty() {
        let hint = if r.code.is_some() {
            "no segments yet"
        } else {
            "highlight a code in the tree"
        };
        frame.buffer_mut().set_string(
            area.x,
            area.y,
            fit(hint, width),
            Style::default().add_modifier(Modifier::DIM),
        );
        return;
    }
    // keep the highlighted segment on screen; entries differ in height, and only those between
    // the first row shown and the highlighted one are measured
    let height_of = |row: &Retrieved| entry_height(&row.quote, width);
    let selected = r.list.selected.min(r.rows.len() - 1);
    let mut top = r.list.offset.get().min(selected);
    let mut used: usize = r.rows[top..=selected].iter().map(height_of).sum();
    while top < selected && used > height {
        used -= height_of(&r.rows[top]);
        top += 1;
    }
    r.list.offset.set(top);
    let mut y = 0;
    for (i, row) in r.rows.iter().enumerate().skip(top) {
        if y >= height {
            break;
        }
        for line in entry_lines(app, row, width, i == selected) {
            if y >= height {
                break;
            }
            let yy = area.y + u16::try_from(y).unwrap_or(u16::MAX);
            frame.buffer_mut().set_line(area.x, yy, &line, area.width);
            y += 1;
        }
    }
}
