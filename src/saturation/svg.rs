//! The saturation curve as a self-contained SVG (no scripts, no external fonts or styles):
//! cumulative distinct codes after each interview, one polyline per group, axes with ticks and
//! labels, the base marked by a dashed line, each standing saturation point marked by a circle
//! (a point a later run revoked is not), and a legend. It only formats text; it reads nothing and knows nothing about HTML pages.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::sentence::interview_span;
use super::{SaturationReport, SaturationStatus};

/// Colour-blind-safe line colours (Okabe & Ito), used in turn; after the last one the cycle
/// repeats with a dashed line.
const COLOURS: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];

const MIN_WIDTH: u32 = 240;
const MIN_PLOT_HEIGHT: f64 = 80.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const AXIS_BELOW: f64 = 40.0;
const LEGEND_ROW: f64 = 18.0;

/// Renders the cumulative-codes curve of every report into one SVG document of about
/// `width` × `height` pixels (the height grows if the legend needs room; the width is at least
/// 240). The output is identical for identical input.
pub fn curve_svg(reports: &[SaturationReport], width: u32, height: u32) -> String {
    let chart = Chart::new(reports, width, height);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         role=\"img\" font-family=\"sans-serif\" font-size=\"11\">",
        w = fmt(chart.width),
        h = fmt(chart.height)
    );
    out.push_str("<title>Cumulative distinct codes after each interview</title>\n");
    chart.grid_and_y_ticks(&mut out);
    chart.x_ticks(&mut out);
    chart.axes(&mut out);
    chart.bases(&mut out, reports);
    chart.curves(&mut out, reports);
    chart.legend(&mut out, reports);
    out.push_str("</svg>\n");
    out
}

/// The plot area and the scales of both axes.
struct Chart {
    width: f64,
    height: f64,
    plot_left: f64,
    plot_right: f64,
    plot_top: f64,
    plot_bottom: f64,
    /// Interviews on the x-axis (at least 1).
    max_x: usize,
    x_step: usize,
    /// The y-axis maximum, a multiple of `y_step`.
    y_max: usize,
    y_step: usize,
}

impl Chart {
    /// Lays out the chart of `reports` in about `width` × `height` pixels.
    fn new(reports: &[SaturationReport], width: u32, height: u32) -> Self {
        let width = f64::from(width.max(MIN_WIDTH));
        let legend_height = LEGEND_ROW * reports.len() as f64 + 8.0;
        let height = f64::from(height).max(TOP + MIN_PLOT_HEIGHT + AXIS_BELOW + legend_height);
        let max_x = reports
            .iter()
            .map(|r| r.steps.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let max_cum = reports
            .iter()
            .filter_map(|r| r.steps.last().map(|s| s.cumulative))
            .max()
            .unwrap_or(0);
        let (y_step, y_max) = nice_axis(max_cum.max(1));
        let (x_step, _) = nice_axis(max_x);
        Chart {
            width,
            height,
            plot_left: LEFT,
            plot_right: width - RIGHT,
            plot_top: TOP,
            plot_bottom: height - AXIS_BELOW - legend_height,
            max_x,
            x_step,
            y_max,
            y_step,
        }
    }

    /// The x coordinate of interview `pos`.
    fn x(&self, pos: usize) -> f64 {
        self.plot_left + (self.plot_right - self.plot_left) * pos as f64 / self.max_x as f64
    }

    /// The y coordinate of `count` codes.
    fn y(&self, count: usize) -> f64 {
        self.plot_bottom - (self.plot_bottom - self.plot_top) * count as f64 / self.y_max as f64
    }

    /// Grid and y ticks.
    fn grid_and_y_ticks(&self, out: &mut String) {
        let mut tick = 0;
        while tick <= self.y_max {
            let ty = self.y(tick);
            let _ = writeln!(
                out,
                "<line x1=\"{}\" y1=\"{ty}\" x2=\"{}\" y2=\"{ty}\" stroke=\"#e0e0e0\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"end\">{tick}</text>",
                fmt(self.plot_left),
                fmt(self.plot_right),
                fmt(self.plot_left - 6.0),
                fmt(self.y(tick) + 4.0),
                ty = fmt(ty),
            );
            tick += self.y_step;
        }
    }

    /// X ticks.
    fn x_ticks(&self, out: &mut String) {
        let mut tick = 0;
        while tick <= self.max_x {
            let tx = fmt(self.x(tick));
            let _ = writeln!(
                out,
                "<line x1=\"{tx}\" y1=\"{}\" x2=\"{tx}\" y2=\"{}\" stroke=\"#333\"/>\
                 <text x=\"{tx}\" y=\"{}\" text-anchor=\"middle\">{tick}</text>",
                fmt(self.plot_bottom),
                fmt(self.plot_bottom + 4.0),
                fmt(self.plot_bottom + 16.0),
            );
            tick += self.x_step;
        }
    }

    /// Axes and their labels.
    fn axes(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "<line x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#333\"/>\
             <line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\" stroke=\"#333\"/>",
            l = fmt(self.plot_left),
            r = fmt(self.plot_right),
            t = fmt(self.plot_top),
            b = fmt(self.plot_bottom),
        );
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">Interviews, in order</text>",
            fmt((self.plot_left + self.plot_right) / 2.0),
            fmt(self.plot_bottom + 32.0),
        );
        let _ = writeln!(
            out,
            "<text transform=\"translate({} {}) rotate(-90)\" text-anchor=\"middle\">Distinct codes</text>",
            fmt(14.0),
            fmt((self.plot_top + self.plot_bottom) / 2.0),
        );
    }

    /// The base, once per distinct base size.
    fn bases(&self, out: &mut String, reports: &[SaturationReport]) {
        let bases: BTreeSet<usize> = reports
            .iter()
            .map(|r| r.params.base())
            .filter(|&b| b <= self.max_x)
            .collect();
        for base in bases {
            let bx = fmt(self.x(base));
            let _ = writeln!(
                out,
                "<line x1=\"{bx}\" y1=\"{}\" x2=\"{bx}\" y2=\"{}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\
                 <text x=\"{}\" y=\"{}\" fill=\"#666\">base {base}</text>",
                fmt(self.plot_top),
                fmt(self.plot_bottom),
                fmt(self.x(base) + 3.0),
                fmt(self.plot_top + 10.0),
            );
        }
    }

    /// One polyline per group, then its saturation marker.
    fn curves(&self, out: &mut String, reports: &[SaturationReport]) {
        for (i, report) in reports.iter().enumerate() {
            let (colour, dash) = line_style(i);
            let mut points = format!("{},{}", fmt(self.x(0)), fmt(self.y(0)));
            for step in &report.steps {
                let _ = write!(
                    points,
                    " {},{}",
                    fmt(self.x(step.position)),
                    fmt(self.y(step.cumulative))
                );
            }
            let _ = writeln!(
                out,
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} points=\"{points}\">\
                 <title>{}</title></polyline>",
                escape(&group_label(report, i)),
            );
            if let Some(point) = &report.saturation {
                let cumulative = report
                    .steps
                    .get(point.interview.wrapping_sub(1))
                    .map_or(0, |s| s.cumulative);
                let _ = writeln!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"#fff\" stroke=\"{colour}\" stroke-width=\"2\">\
                     <title>{}: saturation at interview {} ({}+{})</title></circle>",
                    fmt(self.x(point.interview)),
                    fmt(self.y(cumulative)),
                    escape(&group_label(report, i)),
                    point.interview,
                    point.interview,
                    point.run,
                );
            }
        }
    }

    /// Legend under the x-axis label.
    fn legend(&self, out: &mut String, reports: &[SaturationReport]) {
        for (i, report) in reports.iter().enumerate() {
            let (colour, dash) = line_style(i);
            let row_y = self.plot_bottom + AXIS_BELOW + 4.0 + LEGEND_ROW * i as f64;
            let _ = writeln!(
                out,
                "<line x1=\"{}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"{dash}/>\
                 <text x=\"{}\" y=\"{}\">{} — {}</text>",
                fmt(self.plot_left),
                fmt(self.plot_left + 20.0),
                fmt(self.plot_left + 26.0),
                fmt(row_y + 4.0),
                escape(&group_label(report, i)),
                outcome(report),
                ly = fmt(row_y),
            );
        }
    }
}

/// The colour of group `index`'s line, and its dash attribute (dashed once the colours have
/// all been used).
fn line_style(index: usize) -> (&'static str, &'static str) {
    let colour = COLOURS[index % COLOURS.len()];
    let dash = if index >= COLOURS.len() {
        " stroke-dasharray=\"6 3\""
    } else {
        ""
    };
    (colour, dash)
}

/// What the legend says of a group's saturation.
fn outcome(report: &SaturationReport) -> String {
    match (&report.status, &report.saturation) {
        (SaturationStatus::Reached, Some(p)) => {
            format!(
                "saturation at interview {} ({}+{})",
                p.interview, p.interview, p.run
            )
        }
        (SaturationStatus::Revoked, _) => match report.revoked.last() {
            Some(r) => format!(
                "not saturated: indicated at {}+{}, revoked by {}",
                r.point.interview,
                r.point.run,
                interview_span(r.by.first, r.by.last)
            ),
            None => "not saturated".to_string(),
        },
        (SaturationStatus::NotReached, _) => "saturation not reached".to_string(),
        _ => "saturation not assessed".to_string(),
    }
}

/// The legend label: the group, or "all interviews" when the study is not split.
fn group_label(report: &SaturationReport, index: usize) -> String {
    if report.group.is_empty() {
        if index == 0 {
            "all interviews".to_string()
        } else {
            format!("group {}", index + 1)
        }
    } else {
        report.group.clone()
    }
}

/// A tick step of 1, 2 or 5 × 10^k giving at most about 8 ticks, and the axis maximum (a
/// multiple of the step, at least `max`).
fn nice_axis(max: usize) -> (usize, usize) {
    let mut magnitude = 1usize;
    loop {
        for factor in [1usize, 2, 5] {
            let step = factor.saturating_mul(magnitude);
            if max.div_ceil(step) <= 8 {
                return (step, max.div_ceil(step).saturating_mul(step));
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// A coordinate with one decimal, for stable output.
fn fmt(value: f64) -> String {
    format!("{value:.1}")
}

/// Escapes text for SVG element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axis_steps() {
        assert_eq!(nice_axis(1), (1, 1));
        assert_eq!(nice_axis(8), (1, 8));
        assert_eq!(nice_axis(9), (2, 10));
        assert_eq!(nice_axis(15), (2, 16));
        assert_eq!(nice_axis(37), (5, 40));
        assert_eq!(nice_axis(120), (20, 120));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
