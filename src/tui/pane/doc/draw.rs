//! The open transcript: only the rows on screen are laid out and drawn. Speaker labels bold,
//! timestamps dim, this coder's segments in their code's colour, the selection reversed, and a
//! gutter of coding stripes: one coloured column per code covering the line, as NVivo draws them.
//! In compare mode the spans and the gutter are the two coders' (drawn by [`crate::tui::view::compare`]).
//! While a recording plays, the turn being spoken has its timestamp and label in green and its
//! number in the title.

use std::collections::HashMap;

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use unicode_segmentation::UnicodeSegmentation;

use crate::tui::action::Pane;
use crate::tui::app::{App, CodedSpan, Doc, VisualRow};
use crate::tui::pane::doc::text_areas;
use crate::tui::view::{code_color, fit, pane_block};
use crate::tui::wrap::{cell_width, TurnBytes};

/// Draws the pane.
pub fn draw(frame: &mut Frame, app: &App, rect: Rect) {
    let focused = app.focus == Pane::Transcript && app.overlay.is_none();
    let (doc, t) = match (app.doc.as_ref(), app.transcript()) {
        (Some(d), Some(t)) => (d, t),
        _ => {
            frame.render_widget(pane_block(" Transcript ".to_string(), focused), rect);
            return;
        }
    };
    // the same numbering as `--turn N` and `thema transcripts ID --turns`
    let here = doc
        .turns
        .get(crate::tui::selection::turn_at(&doc.turns, doc.sel.head))
        .map_or(0, |turn| turn.number);
    let attribution = app
        .study
        .attributes
        .attribution(&t.id, &app.study.settings.attribution);
    let total = t.turn_count();
    let place = if here > 0 {
        format!("turn {here}/{total}")
    } else {
        format!("note · {total} turns")
    };
    let mut title = format!(" {} · {} · {place} ", t.id, attribution);
    if !doc.sel.is_empty() {
        let chars = app.selected_text().chars().count();
        title = format!("{title}· {chars} selected ");
    }
    let spoken = app.player.spoken_in(&t.id);
    if let Some(turn) = spoken.and_then(|i| doc.turns.get(i)) {
        title = format!("{title}· ▶ turn {} ", turn.number);
    }
    let title = fit(&title, usize::from(rect.width.saturating_sub(2)));
    frame.render_widget(pane_block(title, focused), rect);
    let (gutter, area) = text_areas(rect);
    if area.width == 0 || area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let rows = doc.visible_rows(&t.text, width, usize::from(area.height));
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return;
    };
    let (vis_start, vis_end) = (first.start, last.end.max(first.start));
    if let Some(compare) = &app.compare {
        crate::tui::view::compare::draw_gutter(frame, compare, gutter, &rows);
        for (i, row) in rows.iter().enumerate() {
            let y = area.y + u16::try_from(i).unwrap_or(u16::MAX);
            if row.blank {
                continue;
            }
            let paint = crate::tui::view::compare::row_painter(compare, row.start, row.end);
            let line = row_line(doc, &t.text, row, &paint, focused, width, spoken);
            frame.buffer_mut().set_line(area.x, y, &line, area.width);
        }
        return;
    }
    let visible: Vec<&CodedSpan> = doc
        .coded
        .iter()
        .filter(|c| c.start < vis_end.max(vis_start + 1) && c.end > vis_start)
        .collect();
    let colors = code_colors(app, &visible);
    draw_stripes(frame, app, gutter, &rows, &visible, &colors);
    for (i, row) in rows.iter().enumerate() {
        let y = area.y + u16::try_from(i).unwrap_or(u16::MAX);
        if row.blank {
            continue;
        }
        let here: Vec<&&CodedSpan> = visible
            .iter()
            .filter(|c| c.start < row.end && c.end > row.start)
            .collect();
        // the innermost (shortest) segment covering a character gives the colour
        let paint = |at: usize| {
            here.iter()
                .filter(|c| c.start <= at && at < c.end)
                .min_by_key(|c| c.end - c.start)
                .map(|span| {
                    let color = colors.get(&span.code).copied().unwrap_or(Color::Gray);
                    Style::default().bg(color).fg(Color::Black)
                })
        };
        let line = row_line(doc, &t.text, row, &paint, focused, width, spoken);
        frame.buffer_mut().set_line(area.x, y, &line, area.width);
    }
}

fn code_colors(app: &App, spans: &[&CodedSpan]) -> HashMap<String, Color> {
    let mut out = HashMap::new();
    for s in spans {
        out.entry(s.code.clone()).or_insert_with(|| {
            app.study
                .code(&s.code)
                .map_or(Color::Gray, |c| code_color(&c.color))
        });
    }
    out
}

/// The style of the text at byte `at`, before selection and cursor; the timestamp and label of
/// the turn being spoken stand out in green.
fn base_style(turn: &TurnBytes, at: usize, spoken: bool) -> Style {
    let inside = |r: Option<(usize, usize)>| r.is_some_and(|(a, b)| at >= a && at < b);
    if spoken && (inside(turn.timestamp) || inside(turn.label)) {
        Style::default()
            .bg(Color::Green)
            .fg(Color::Black)
            .add_modifier(Modifier::BOLD)
    } else if inside(turn.timestamp) {
        Style::default().add_modifier(Modifier::DIM)
    } else if inside(turn.label) {
        Style::default().add_modifier(Modifier::BOLD)
    } else if turn.label.is_none() {
        Style::default().add_modifier(Modifier::ITALIC | Modifier::DIM)
    } else {
        Style::default()
    }
}

/// One row of text: `paint` gives the style of coded text at a byte (laid over the base style),
/// then the selection and the cursor go on top. `spoken` is the turn being played, if any.
fn row_line(
    doc: &Doc,
    text: &str,
    row: &VisualRow,
    paint: &dyn Fn(usize) -> Option<Style>,
    focused: bool,
    width: usize,
    spoken: Option<usize>,
) -> Line<'static> {
    let Some(turn) = doc.turns.get(row.pos.turn) else {
        return Line::default();
    };
    let (from, to) = (doc.sel.from(), doc.sel.to());
    let head = doc.sel.head;
    let mut runs = Runs::default();
    let mut used = 0;
    let slice = text.get(row.start..row.end).unwrap_or("");
    for (offset, g) in slice.grapheme_indices(true) {
        let at = row.start + offset;
        let w = cell_width(g);
        if used + w > width {
            break;
        }
        used += w;
        let mut style = base_style(turn, at, spoken == Some(row.pos.turn));
        if let Some(coded) = paint(at) {
            style = style.patch(coded);
        }
        if at >= from && at < to {
            style = style.add_modifier(Modifier::REVERSED);
        }
        if focused && at == head {
            style = style
                .add_modifier(Modifier::UNDERLINED)
                .remove_modifier(Modifier::REVERSED)
                .bg(Color::White)
                .fg(Color::Black);
        }
        let shown = if g.chars().any(char::is_control) {
            " "
        } else {
            g
        };
        runs.push(shown, style);
    }
    let mut spans = runs.finish();
    // the cursor after the last character of a line ending the turn
    let at_end =
        head == row.end && (row.end == turn.end || text.as_bytes().get(row.end) == Some(&b'\n'));
    if focused && at_end && used < width {
        spans.push(Span::styled(
            " ",
            Style::default().bg(Color::White).fg(Color::Black),
        ));
    }
    Line::from(spans)
}

/// Text split into spans of one style each.
#[derive(Default)]
struct Runs {
    spans: Vec<Span<'static>>,
    run: String,
    style: Style,
}

impl Runs {
    fn push(&mut self, text: &str, style: Style) {
        if style != self.style && !self.run.is_empty() {
            self.spans
                .push(Span::styled(std::mem::take(&mut self.run), self.style));
        }
        self.style = style;
        self.run.push_str(text);
    }

    fn finish(mut self) -> Vec<Span<'static>> {
        if !self.run.is_empty() {
            self.spans.push(Span::styled(self.run, self.style));
        }
        self.spans
    }
}

fn draw_stripes(
    frame: &mut Frame,
    app: &App,
    gutter: Rect,
    rows: &[VisualRow],
    visible: &[&CodedSpan],
    colors: &HashMap<String, Color>,
) {
    let columns = usize::from(gutter.width);
    if columns == 0 || visible.is_empty() {
        return;
    }
    // one column per code, in codebook order, so a code keeps its column down the screen
    let mut codes: Vec<&str> = Vec::new();
    for s in visible {
        if !codes.contains(&s.code.as_str()) {
            codes.push(&s.code);
        }
    }
    let order: HashMap<&str, usize> = app
        .study
        .codebooks
        .iter()
        .flat_map(|b| b.codebook.tree())
        .enumerate()
        .map(|(i, (c, _))| (c.id.as_str(), i))
        .collect();
    codes.sort_by_key(|c| (order.get(c).copied().unwrap_or(usize::MAX), *c));
    let overflow = codes.len() > columns;
    for (i, row) in rows.iter().enumerate() {
        let y = gutter.y + u16::try_from(i).unwrap_or(u16::MAX);
        let covers = |c: &CodedSpan| {
            if row.start == row.end {
                c.start <= row.start && row.start < c.end
            } else {
                c.start < row.end && c.end > row.start
            }
        };
        for (col, code) in codes.iter().enumerate() {
            let last = col + 1 == columns;
            if col >= columns {
                break;
            }
            let x = gutter.x + u16::try_from(col).unwrap_or(0);
            if overflow && last {
                let more = codes[col..]
                    .iter()
                    .any(|code| visible.iter().any(|s| s.code == *code && covers(s)));
                if more {
                    frame.buffer_mut().set_string(
                        x,
                        y,
                        "+",
                        Style::default().add_modifier(Modifier::BOLD),
                    );
                }
                break;
            }
            if visible.iter().any(|s| s.code == *code && covers(s)) {
                let color = colors.get(*code).copied().unwrap_or(Color::Gray);
                frame
                    .buffer_mut()
                    .set_string(x, y, "▌", Style::default().fg(color));
            }
        }
    }
}
