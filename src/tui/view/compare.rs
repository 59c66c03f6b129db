//! Compare mode on screen: how a character both coders coded, only A coded or only B coded is
//! styled, the gutter (A's and B's coverage and the disagreements), the side panel (legend,
//! the current disagreement and its resolution, per-code agreement in this transcript, what is
//! left to resolve per code), and the window asking what to take. Everything comes from
//! [`crate::tui::compare::Compare`]; nothing here changes it.

use crate::tui::action::Action;

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::report::agreement::{fmt_interval, fmt_stat};
use crate::study::consensus::Disagreement;
use crate::tui::app::{App, VisualRow};
use crate::tui::compare::{coverage_at, Compare, Coverage, Extent, LayerSpan, Side};
use crate::tui::keymap::{key_for, key_label, Context, BINDINGS};
use crate::tui::view::{centered, fit, inner, overlay_block, pane_block, wrap_plain};

/// Colour of a coverage.
fn coverage_color(coverage: Coverage) -> Color {
    match coverage {
        Coverage::Both => Color::Green,
        Coverage::OnlyA => Color::LightBlue,
        Coverage::OnlyB => Color::LightMagenta,
    }
}

/// How text is drawn: open (and agreed) text on a coloured ground; text of a resolved
/// disagreement in the colour, underlined.
pub fn coverage_style(coverage: Coverage, resolved: bool) -> Style {
    let color = coverage_color(coverage);
    if resolved {
        Style::default()
            .fg(color)
            .add_modifier(Modifier::UNDERLINED)
    } else {
        Style::default().bg(color).fg(Color::Black)
    }
}

/// The style of coded text at a byte of the row `[start, end)`.
pub fn row_painter(
    compare: &Compare,
    start: usize,
    end: usize,
) -> impl Fn(usize) -> Option<Style> + '_ {
    let spans: Vec<&LayerSpan> = compare
        .spans
        .iter()
        .filter(|s| s.start < end.max(start + 1) && s.end > start)
        .collect();
    let resolved: Vec<&Extent> = compare
        .extents
        .iter()
        .filter(|e| e.resolved && e.start < end.max(start + 1) && e.end > start)
        .collect();
    let prefer = compare.current().map(|d| d.code.as_str());
    move |at| {
        let (coverage, code) = coverage_at(&spans, at, prefer)?;
        let done = resolved.iter().any(|e| {
            e.start <= at && at < e.end && compare.list.get(e.index).is_some_and(|d| d.code == code)
        });
        Some(coverage_style(coverage, done))
    }
}

/// The gutter: `A` where coder A coded the line, `B` where B did, then `◆` where an open
/// disagreement starts (`│` below it), `✓` where a resolved one does.
pub fn draw_gutter(frame: &mut Frame, compare: &Compare, gutter: Rect, rows: &[VisualRow]) {
    if gutter.width < 3 {
        return;
    }
    for (i, row) in rows.iter().enumerate() {
        let y = gutter.y + u16::try_from(i).unwrap_or(u16::MAX);
        let overlaps = |start: usize, end: usize| {
            if row.start == row.end {
                start <= row.start && row.start < end
            } else {
                start < row.end && end > row.start
            }
        };
        for (col, side, color) in [
            (0, Side::A, coverage_color(Coverage::OnlyA)),
            (1, Side::B, coverage_color(Coverage::OnlyB)),
        ] {
            if row.blank {
                continue;
            }
            if compare
                .spans
                .iter()
                .any(|s| s.side == side && overlaps(s.start, s.end))
            {
                let mark = if side == Side::A { "A" } else { "B" };
                frame.buffer_mut().set_string(
                    gutter.x + col,
                    y,
                    mark,
                    Style::default().fg(color).add_modifier(Modifier::BOLD),
                );
            }
        }
        let here: Vec<&Extent> = compare
            .extents
            .iter()
            .filter(|e| overlaps(e.start, e.end))
            .collect();
        let starts = here
            .iter()
            .find(|e| e.start >= row.start && (e.start < row.end || row.start == row.end));
        let (mark, style) = match (starts, here.first()) {
            (Some(e), _) if !e.resolved => (
                "◆",
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            ),
            (Some(_), _) => ("✓", Style::default().fg(Color::Green)),
            (None, Some(e)) if !e.resolved => ("│", Style::default().fg(Color::Yellow)),
            (None, Some(_)) => ("┆", Style::default().fg(Color::Green)),
            (None, None) => continue,
        };
        frame.buffer_mut().set_string(gutter.x + 2, y, mark, style);
    }
}

/// A coder's spans of a disagreement as quoted text.
fn quote(app: &App, d: &Disagreement, spans: &[(usize, usize)]) -> String {
    let Ok(t) = app.study.transcript(&d.transcript) else {
        return String::new();
    };
    spans
        .iter()
        .map(|(s, e)| format!("“{}”", t.slice(*s, *e)))
        .collect::<Vec<_>>()
        .join(" … ")
}

fn bold(text: String) -> Line<'static> {
    Line::from(Span::styled(
        text,
        Style::default().add_modifier(Modifier::BOLD),
    ))
}

fn dim(text: String) -> Line<'static> {
    Line::from(Span::styled(
        text,
        Style::default().add_modifier(Modifier::DIM),
    ))
}

/// A name on the left and figures on the right of a `width`-cell line.
fn row(name: &str, right: String, width: usize, style: Style) -> Line<'static> {
    let right_w = right.chars().count();
    let name = fit(name, width.saturating_sub(right_w + 1));
    let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()) + right_w);
    Line::from(vec![
        Span::styled(name, style),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, style),
    ])
}

/// Lines about the current disagreement.
fn current_lines(app: &App, compare: &Compare, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let Some(d) = compare.current() else {
        out.push(dim(fit(
            if compare.list.is_empty() {
                "no disagreements: all agree"
            } else {
                "n jumps to the next disagreement"
            },
            width,
        )));
        return out;
    };
    let i = compare.current.unwrap_or(0);
    let status = if d.resolution.is_some() {
        "resolved"
    } else {
        "open"
    };
    out.push(bold(fit(
        &format!(
            "Disagreement {} of {} · {status}",
            i + 1,
            compare.list.len()
        ),
        width,
    )));
    let turn = app
        .study
        .transcript(&d.transcript)
        .ok()
        .and_then(|t| {
            t.turn_at(d.start)
                .filter(|t| t.is_numbered())
                .map(|t| format!(" ¶{}", t.number))
        })
        .unwrap_or_default();
    let name = app
        .study
        .code(&d.code)
        .map_or_else(|| d.code.clone(), |c| c.name.clone());
    out.extend(
        wrap_plain(
            &format!(
                "{}{turn} · {name} · {}",
                d.transcript,
                compare.kind_label(d)
            ),
            width,
            2,
        )
        .into_iter()
        .map(Line::from),
    );
    for (label, spans, color) in [
        (
            format!("A {}: ", compare.a),
            &d.a,
            coverage_color(Coverage::OnlyA),
        ),
        (
            format!("B {}: ", compare.b),
            &d.b,
            coverage_color(Coverage::OnlyB),
        ),
    ] {
        let text = if spans.is_empty() {
            "— not coded".to_string()
        } else {
            quote(app, d, spans)
        };
        let lines = wrap_plain(&format!("{label}{text}"), width, 2);
        for (n, l) in lines.into_iter().enumerate() {
            let style = if n == 0 {
                Style::default().fg(color)
            } else {
                Style::default()
            };
            out.push(Line::from(Span::styled(l, style)));
        }
    }
    match &d.resolution {
        Some(r) => {
            let day: String = r.at.chars().take(10).collect();
            out.push(Line::from(Span::styled(
                fit(
                    &format!("took {} · by {} · {day}", compare.take_label(r.take), r.by),
                    width,
                ),
                Style::default().fg(Color::Green),
            )));
            if let Some(why) = &r.why {
                for l in wrap_plain(&format!("why: {why}"), width, 2) {
                    out.push(Line::from(l));
                }
            }
        }
        None => {
            let key = |a: Action| key_for(Context::Compare, &a);
            let hint = format!(
                "{} resolves · {}/{} next/previous · {} next open",
                key(Action::OpenResolve),
                key(Action::NextDisagreement),
                key(Action::PrevDisagreement),
                key(Action::NextOpenDisagreement),
            );
            out.push(dim(fit(&hint, width)))
        }
    }
    out
}

/// Lines of the agreement table for the open transcript.
fn figure_lines(app: &App, compare: &Compare, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let Some(t) = app.transcript() else {
        return out;
    };
    out.push(bold(fit(
        &format!("Agreement in {} (characters)", t.id),
        width,
    )));
    if let Some(e) = &compare.figures_error {
        out.push(Line::from(Span::styled(
            fit(e, width),
            Style::default().fg(Color::Red),
        )));
        return out;
    }
    if !compare.both_coded.contains(&t.id) {
        out.push(dim(fit(
            &format!("{} and {} did not both code it", compare.a, compare.b),
            width,
        )));
        return out;
    }
    let figures = compare.figures.get(&t.id).map_or(&[][..], Vec::as_slice);
    if figures.is_empty() {
        out.push(dim(fit("neither applied these codes here", width)));
        return out;
    }
    out.push(row(
        "code",
        format!("{:>6}{:>7}{:>7}", "%", "κ", "α"),
        width,
        Style::default().add_modifier(Modifier::DIM),
    ));
    for f in figures {
        let name = app
            .study
            .code(&f.code)
            .map_or_else(|| f.code.clone(), |c| c.name.clone());
        let pct = f
            .agreement
            .percent_agreement
            .map_or_else(|| "–".to_string(), |p| format!("{:.1}", p * 100.0));
        let figures = format!(
            "{pct:>6}{:>7}{:>7}",
            fmt_stat(f.agreement.cohen_kappa),
            fmt_stat(f.agreement.krippendorff_alpha)
        );
        out.push(row(&name, figures, width, Style::default()));
    }
    out.extend(interval_lines(app, compare, width));
    out
}

/// α with its 95% bootstrap interval for the code in view, over every transcript on turns.
fn interval_lines(app: &App, compare: &Compare, width: usize) -> Vec<Line<'static>> {
    let Some(code) = compare.code_in_view() else {
        return Vec::new();
    };
    let Some(figure) = compare.study_figures.get(code) else {
        return Vec::new();
    };
    let alpha = fmt_stat(figure.krippendorff_alpha);
    let ci = figure
        .alpha_bootstrap
        .as_ref()
        .map(|b| fmt_interval(Some(b.ci)))
        .unwrap_or_default();
    let name = app
        .study
        .code(code)
        .map_or_else(|| code.to_string(), |c| c.name.clone());
    vec![
        dim(fit(&format!("{name}, all transcripts, turns:"), width)),
        Line::from(fit(&format!("α {alpha}  95% CI {ci}"), width)),
    ]
}

/// Lines of the queue: what is left to resolve per code.
fn queue_lines(app: &App, compare: &Compare, width: usize) -> Vec<Line<'static>> {
    let mut out = vec![bold(fit(
        &format!(
            "Still open: {} of {}",
            compare.remaining(),
            compare.list.len()
        ),
        width,
    ))];
    let current = compare.current().map(|d| d.code.as_str());
    for q in compare.queue() {
        let name = app
            .study
            .code(&q.code)
            .map_or_else(|| q.code.clone(), |c| c.name.clone());
        let right = if q.remaining == 0 {
            format!("✓ all {}", q.total)
        } else {
            format!("{} of {}", q.remaining, q.total)
        };
        let style = if Some(q.code.as_str()) == current {
            Style::default().add_modifier(Modifier::BOLD)
        } else if q.remaining == 0 {
            Style::default().fg(Color::Green)
        } else {
            Style::default()
        };
        out.push(row(&name, right, width, style));
    }
    out
}

/// Draws the compare panel.
pub fn draw_panel(frame: &mut Frame, app: &App, compare: &Compare, rect: Rect) {
    let title = format!(" Compare · A {} · B {} ", compare.a, compare.b);
    frame.render_widget(
        pane_block(
            fit(&title, usize::from(rect.width.saturating_sub(2))),
            false,
        ),
        rect,
    );
    let area = inner(rect);
    if area.width == 0 || area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let what = match &compare.code {
        Some(code) => format!("Code: {}", app.study.code_path(code)),
        None => "Every code".to_string(),
    };
    let mut lines: Vec<Line<'static>> = wrap_plain(&what, width, 2).into_iter().map(bold).collect();
    lines.push(Line::from(vec![
        Span::styled(" both ", coverage_style(Coverage::Both, false)),
        Span::raw(" "),
        Span::styled(
            fit(&format!(" only {} ", compare.a), 14),
            coverage_style(Coverage::OnlyA, false),
        ),
        Span::raw(" "),
        Span::styled(
            fit(&format!(" only {} ", compare.b), 14),
            coverage_style(Coverage::OnlyB, false),
        ),
    ]));
    lines.extend(
        wrap_plain(
            "gutter: A, B coded the line; ◆ open, ✓ resolved disagreement (its text underlined)",
            width,
            3,
        )
        .into_iter()
        .map(dim),
    );
    lines.push(Line::default());
    lines.extend(current_lines(app, compare, width));
    lines.push(Line::default());
    lines.extend(figure_lines(app, compare, width));
    lines.push(Line::default());
    lines.extend(queue_lines(app, compare, width));
    for (i, line) in lines.iter().take(usize::from(area.height)).enumerate() {
        let y = area.y + u16::try_from(i).unwrap_or(u16::MAX);
        frame.buffer_mut().set_line(area.x, y, line, area.width);
    }
}

/// Draws the window asking what to take for disagreement `id`.
pub fn draw_resolve(frame: &mut Frame, app: &App, id: &str, area: Rect) {
    let Some(compare) = &app.compare else {
        return;
    };
    let Some(d) = compare.list.iter().find(|d| d.id == id) else {
        return;
    };
    let keys: Vec<(String, &str)> = BINDINGS
        .iter()
        .filter(|b| b.context == Context::Resolve)
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(key_label).collect();
            (keys.join(" "), b.help)
        })
        .collect();
    let rect_w = 72.min(area.width.saturating_sub(2)).max(area.width.min(10));
    let width = usize::from(rect_w.saturating_sub(2));
    let name = app
        .study
        .code(&d.code)
        .map_or_else(|| d.code.clone(), |c| c.name.clone());
    let title = format!(
        " Resolve: {name} · {} · {} ",
        d.transcript,
        compare.kind_label(d)
    );
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (label, spans, color) in [
        (
            format!("A {}: ", compare.a),
            &d.a,
            coverage_color(Coverage::OnlyA),
        ),
        (
            format!("B {}: ", compare.b),
            &d.b,
            coverage_color(Coverage::OnlyB),
        ),
    ] {
        let text = if spans.is_empty() {
            "— not coded".to_string()
        } else {
            quote(app, d, spans)
        };
        for (n, l) in wrap_plain(&format!("{label}{text}"), width, 3)
            .into_iter()
            .enumerate()
        {
            let style = if n == 0 {
                Style::default().fg(color)
            } else {
                Style::default()
            };
            lines.push(Line::from(Span::styled(l, style)));
        }
    }
    let selected = app.selected_text();
    if !selected.trim().is_empty() {
        lines.extend(
            wrap_plain(&format!("selection: “{}”", selected.trim()), width, 2)
                .into_iter()
                .map(Line::from),
        );
    }
    lines.push(Line::default());
    for (k, help) in keys {
        let help = help
            .replace("coder A's", &format!("{}'s", compare.a))
            .replace("coder B's", &format!("{}'s", compare.b));
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {k:<4}"),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(fit(&help, width.saturating_sub(5))),
        ]));
    }
    lines.push(dim(fit("then a reason (optional); Enter resolves", width)));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, rect_w, height);
    let inside = overlay_block(
        frame,
        rect,
        fit(&title, usize::from(rect.width.saturating_sub(2))),
    );
    for (i, line) in lines.iter().take(usize::from(inside.height)).enumerate() {
        let y = inside.y + u16::try_from(i).unwrap_or(u16::MAX);
        frame.buffer_mut().set_line(inside.x, y, line, inside.width);
    }
}
