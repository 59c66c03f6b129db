//! The saturation chart: a ratatui `Chart` of the cumulative number of distinct codes after each
//! coded interview, one line per group, each group's standing saturation point marked (`N+M`,
//! Guest, Namey & Chen 2020; a point a later run revoked is not marked), and under it the
//! sentence `thema saturation` writes for each group (the verdict, the order, the interviews
//! left out).

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, LegendPosition};
use ratatui::Frame;

use crate::saturation::{plural, SaturationReport};
use crate::tui::saturation::SaturationChart;
use crate::tui::view::{centered, fit, overlay_block, wrap_plain};

/// Most lines of one group's sentence under the chart.
const SENTENCE_LINES: usize = 4;

/// Colours of the groups' lines, in order.
const PALETTE: [Color; 6] = [
    Color::Cyan,
    Color::LightMagenta,
    Color::Yellow,
    Color::LightGreen,
    Color::LightBlue,
    Color::LightRed,
];

/// The title: what is shown and the keys that change it.
fn title(chart: &SaturationChart) -> String {
    let grouping = match chart.grouped_by() {
        Some(g) => format!("by {g}"),
        None => "all interviews".to_string(),
    };
    let layer = chart.coder().unwrap_or("every coder");
    let level = if chart.themes { "themes" } else { "codes" };
    format!(" Saturation · {grouping} · {layer} · {level} · g group · c coder · l level · Esc ")
}

/// A group's name on the chart.
fn group_name(report: &SaturationReport) -> String {
    if report.group.is_empty() {
        "all interviews".to_string()
    } else {
        report.group.clone()
    }
}

/// Draws the chart over the screen.
pub fn draw(frame: &mut Frame, chart: &SaturationChart, area: Rect) {
    let rect = centered(
        area,
        area.width.saturating_sub(4).max(area.width.min(20)),
        area.height.saturating_sub(2).max(area.height.min(5)),
    );
    let inside = overlay_block(
        frame,
        rect,
        fit(&title(chart), usize::from(rect.width.saturating_sub(2))),
    );
    if inside.width == 0 || inside.height == 0 {
        return;
    }
    let width = usize::from(inside.width);
    let reports = match &chart.reports {
        Ok(r) => r,
        Err(e) => {
            for (i, l) in wrap_plain(e, width, usize::from(inside.height))
                .into_iter()
                .enumerate()
            {
                let y = inside.y + u16::try_from(i).unwrap_or(u16::MAX);
                frame
                    .buffer_mut()
                    .set_string(inside.x, y, l, Style::default().fg(Color::Red));
            }
            return;
        }
    };
    // the sentences first, so the chart takes what is left
    let mut sentences: Vec<Line<'static>> = Vec::new();
    for (g, report) in reports.iter().enumerate() {
        let color = PALETTE[g % PALETTE.len()];
        for (n, l) in wrap_plain(&report.sentence, width.saturating_sub(2), SENTENCE_LINES)
            .into_iter()
            .enumerate()
        {
            let mark = if n == 0 { "■ " } else { "  " };
            sentences.push(Line::from(vec![
                Span::styled(mark, Style::default().fg(color)),
                Span::raw(l),
            ]));
        }
    }
    let height = usize::from(inside.height);
    let sentence_rows = sentences.len().min(height / 2);
    let chart_h = height - sentence_rows - usize::from(sentence_rows > 0);
    for (i, line) in sentences.iter().take(sentence_rows).enumerate() {
        let y = inside.y
            + u16::try_from(chart_h + usize::from(sentence_rows > 0) + i).unwrap_or(u16::MAX);
        frame.buffer_mut().set_line(inside.x, y, line, inside.width);
    }
    if chart_h < 5 || reports.iter().all(|r| r.steps.is_empty()) {
        if reports.iter().all(|r| r.steps.is_empty()) {
            frame.buffer_mut().set_string(
                inside.x,
                inside.y,
                fit("no interviews to chart", width),
                Style::default().add_modifier(Modifier::DIM),
            );
        }
        return;
    }
    let chart_rect = Rect::new(
        inside.x,
        inside.y,
        inside.width,
        u16::try_from(chart_h).unwrap_or(u16::MAX),
    );
    draw_chart(frame, reports, chart_rect);
}

/// Points of a dataset.
type Points = Vec<(f64, f64)>;

fn draw_chart(frame: &mut Frame, reports: &[SaturationReport], rect: Rect) {
    let curves: Vec<Vec<(f64, f64)>> = reports
        .iter()
        .map(|r| {
            r.steps
                .iter()
                .map(|s| (s.position as f64, s.cumulative as f64))
                .collect()
        })
        .collect();
    // each saturation point, and a line down from it to the axis
    let points: Vec<Option<(Points, Points)>> = reports
        .iter()
        .map(|r| {
            let p = r.saturation.as_ref()?;
            let y = r.steps.get(p.interview.checked_sub(1)?)?.cumulative as f64;
            let x = p.interview as f64;
            Some((vec![(x, y)], vec![(x, 0.0), (x, y)]))
        })
        .collect();
    // the curves first, then each saturation point on top of its curve
    let mut datasets = Vec::new();
    for (g, report) in reports.iter().enumerate() {
        datasets.push(
            Dataset::default()
                .name(format!(
                    "{} ({})",
                    group_name(report),
                    plural(report.interviews, "interview", "interviews")
                ))
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::default().fg(PALETTE[g % PALETTE.len()]))
                .data(&curves[g]),
        );
    }
    for (g, report) in reports.iter().enumerate() {
        let (Some((point, drop)), Some(p)) = (&points[g], &report.saturation) else {
            continue;
        };
        let color = PALETTE[g % PALETTE.len()];
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::default().fg(color).add_modifier(Modifier::DIM))
                .data(drop),
        );
        datasets.push(
            Dataset::default()
                .name(format!(
                    "█ {} saturated at {} ({}+{})",
                    group_name(report),
                    p.interview,
                    p.interview,
                    p.run
                ))
                .marker(Marker::Block)
                .graph_type(GraphType::Scatter)
                .style(Style::default().fg(color).add_modifier(Modifier::BOLD))
                .data(point),
        );
    }
    let most = reports
        .iter()
        .map(|r| r.interviews)
        .max()
        .unwrap_or(1)
        .max(2);
    let top = reports
        .iter()
        .map(|r| r.total_codes)
        .max()
        .unwrap_or(1)
        .max(1);
    let x_labels: Vec<Span> = [1, most.div_ceil(2), most]
        .iter()
        .map(|v| Span::raw(v.to_string()))
        .collect();
    let y_labels: Vec<Span> = [0, top.div_ceil(2), top]
        .iter()
        .map(|v| Span::raw(v.to_string()))
        .collect();
    let widget = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .title("interview, in order")
                .style(Style::default().fg(Color::Gray))
                .bounds([1.0, most as f64])
                .labels(x_labels),
        )
        .y_axis(
            Axis::default()
                .title("distinct codes")
                .style(Style::default().fg(Color::Gray))
                .bounds([0.0, top as f64])
                .labels(y_labels),
        )
        .legend_position(Some(LegendPosition::BottomRight))
        .hidden_legend_constraints((
            ratatui::layout::Constraint::Percentage(60),
            ratatui::layout::Constraint::Percentage(60),
        ));
    frame.render_widget(widget, rect);
}
