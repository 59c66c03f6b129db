//! The HTML theme report: one self-contained page (no scripts, no network) with inline SVG bar
//! charts of code frequency by group, an agreement heatmap per code × coder pair and the
//! saturation curve. It prints well (A4, charts kept with their headings).

use crate::report::agreement::AgreementReport;
use crate::report::themes::{CodeSummary, CodebookSummary, ThemeReport};
use crate::saturation::SaturationReport;

/// Escapes text for HTML.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:Georgia,'Times New Roman',serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1,h2,h3,h4{font-family:Helvetica,Arial,sans-serif;line-height:1.2}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:1rem 0;font-family:Helvetica,Arial,sans-serif;font-size:.85rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right}blockquote{margin:.4rem 0 .4rem 1rem;padding-left:.8rem;border-left:4px solid #ccc;font-style:italic}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.4rem;vertical-align:middle}
.code{break-inside:avoid;margin:1.2rem 0}.meta{color:#555;font-family:Helvetica,Arial,sans-serif;font-size:.85rem}
figure{margin:1rem 0;break-inside:avoid}figcaption{font-family:Helvetica,Arial,sans-serif;font-size:.8rem;color:#555}
@media print{body{margin:0;max-width:none;font-size:10.5pt}h2{break-before:page}a{color:inherit;text-decoration:none}}";

/// A horizontal bar chart of one code's segments per group value.
fn bars_svg(code: &CodeSummary, attr: &str, values: &[String]) -> String {
    let counts = code.breakdown.get(attr);
    let max = values
        .iter()
        .filter_map(|v| counts.and_then(|c| c.get(v)))
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let row = 18;
    let label_w = 130;
    let bar_w = 260;
    let height = row * values.len() as u32 + 6;
    let color = if code.color.is_empty() {
        "#4e79a7"
    } else {
        code.color.as_str()
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"{} by {}\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"11\">",
        label_w + bar_w + 40,
        esc(&code.name),
        esc(attr)
    );
    for (i, value) in values.iter().enumerate() {
        let n = counts.and_then(|c| c.get(value)).copied().unwrap_or(0);
        let y = i as u32 * row + 3;
        let w = (n as f64 / max as f64 * bar_w as f64).round() as u32;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{n}</text>",
            label_w - 6,
            y + 12,
            esc(value),
            label_w,
            row - 5,
            esc(color),
            label_w + w + 4,
            y + 12
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A heatmap: codes down, coder pairs across, Krippendorff's α (or % agreement) in each cell.
fn heatmap_svg(report: &AgreementReport) -> String {
    let pairs: Vec<String> = report
        .overall_pairs
        .iter()
        .map(|p| p.coders.join(" × "))
        .collect();
    let cell_w = 90;
    let cell_h = 20;
    let label_w = 300;
    let width = label_w + cell_w * pairs.len() as u32 + 10;
    let height = cell_h * (report.codes.len() as u32 + 1) + 10;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"agreement heatmap\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"11\">"
    );
    for (j, pair) in pairs.iter().enumerate() {
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"14\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>",
            label_w + j as u32 * cell_w + cell_w / 2,
            esc(pair)
        ));
    }
    for (i, code) in report.codes.iter().enumerate() {
        let y = (i as u32 + 1) * cell_h;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 6,
            y + 14,
            esc(&code.path)
        ));
        for (j, pair) in code.pairs.iter().enumerate() {
            let value = pair.krippendorff_alpha.flatten();
            let (fill, label) = match value {
                Some(v) => (heat(v), format!("{v:.2}")),
                None => ("#eeeeee".to_string(), "–".to_string()),
            };
            let x = label_w + j as u32 * cell_w;
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#fff\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
                cell_w - 2,
                cell_h - 2,
                x + cell_w / 2,
                y + 14
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Colour for a coefficient: red below 0.667, amber to 0.8, green above (Krippendorff's cut-offs).
fn heat(v: f64) -> String {
    if v >= 0.8 {
        "#a1d99b".into()
    } else if v >= 0.667 {
        "#fdd49e".into()
    } else {
        "#fc9272".into()
    }
}

/// Renders the whole page.
pub fn theme_page(
    report: &ThemeReport,
    agreement: Option<&AgreementReport>,
    saturation: &[SaturationReport],
) -> String {
    let mut out = page_head(report);
    for book in &report.codebooks {
        codebook_section(&mut out, report, book);
    }
    if let Some(agreement) = agreement {
        agreement_section(&mut out, agreement);
    }
    if !saturation.is_empty() {
        saturation_section(&mut out, saturation);
    }
    out.push_str("</body></html>\n");
    out
}

/// The page up to the first codebook: head, title and what the report counts.
fn page_head(report: &ThemeReport) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str(&format!(
        "<title>Themes — {}</title><style>{STYLE}</style></head><body>\n",
        esc(&report.study)
    ));
    out.push_str(&format!("<h1>Themes — {}</h1>\n", esc(&report.study)));
    out.push_str(&format!(
        "<p class=\"meta\">{} transcripts · {} coded segments ({}) · counts include sub-codes</p>\n",
        report.transcripts,
        report.segments,
        esc(&report.layer)
    ));
    if let Some(coverage) = &report.coverage {
        out.push_str(&format!(
            "<p class=\"meta\">{}.</p>\n",
            esc(&crate::report::themes::capitalised(&coverage.sentence()))
        ));
    }
    out
}

/// One codebook: its table of codes, then each code with its chart and quotes.
fn codebook_section(out: &mut String, report: &ThemeReport, book: &CodebookSummary) {
    out.push_str(&format!("<h2>{}</h2>\n", esc(&book.name)));
    if let Some(scope) = &book.scope {
        out.push_str(&format!("<p>Framework for {}.</p>\n", esc(scope)));
    }
    codes_table(out, report, book);
    // the charts break codes down by the first attribute asked for
    let chart_attr = report.by.first();
    let values: Vec<String> = chart_attr
        .map(|attr| {
            let mut all: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
            for code in &book.codes {
                if let Some(m) = code.breakdown.get(attr) {
                    all.extend(m.keys().cloned());
                }
            }
            all.into_iter().collect()
        })
        .unwrap_or_default();
    for code in &book.codes {
        code_section(
            out,
            code,
            chart_attr.map(|attr| (attr.as_str(), &values[..])),
        );
    }
}

/// A codebook's table: each code's counts and its breakdown by each attribute.
fn codes_table(out: &mut String, report: &ThemeReport, book: &CodebookSummary) {
    out.push_str(
        "<table><tr><th>code</th><th>segments</th><th>transcripts</th><th>participants</th>",
    );
    for attr in &report.by {
        out.push_str(&format!("<th>by {}</th>", esc(attr)));
    }
    out.push_str("</tr>\n");
    for code in &book.codes {
        out.push_str(&format!(
            "<tr><td style=\"padding-left:{}rem\"><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            0.5 + code.depth as f64 * 1.2,
            esc(&code.color),
            esc(&code.name),
            code.segments,
            code.transcripts,
            code.participants
        ));
        for attr in &report.by {
            let parts: Vec<String> = code
                .breakdown
                .get(attr)
                .map(|m| m.iter().map(|(v, n)| format!("{} {n}", esc(v))).collect())
                .unwrap_or_default();
            out.push_str(&format!("<td>{}</td>", parts.join(", ")));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// One code: heading, counts, definition, a bar chart by `chart` (the attribute and the
/// values its bars are for) and the quotes.
fn code_section(out: &mut String, code: &CodeSummary, chart: Option<(&str, &[String])>) {
    let level = (code.depth + 3).min(6);
    out.push_str(&format!("<div class=\"code\"><h{level}><span class=\"swatch\" style=\"background:{}\"></span>{}</h{level}>\n", esc(&code.color), esc(&code.path)));
    out.push_str(&format!(
        "<p class=\"meta\">{} segments · {} transcripts · {} participants</p>\n",
        code.segments, code.transcripts, code.participants
    ));
    if !code.description.trim().is_empty() {
        out.push_str(&format!("<p>{}</p>\n", esc(code.description.trim())));
    }
    if let Some((attr, values)) = chart {
        if code.segments > 0 && !values.is_empty() {
            out.push_str(&format!(
                "<figure>{}<figcaption>Segments by {}</figcaption></figure>\n",
                bars_svg(code, attr, values),
                esc(attr)
            ));
        }
    }
    for q in &code.quotes {
        let star = if q.starred { " ★" } else { "" };
        out.push_str(&format!(
            "<blockquote>“{}” ({}){star}</blockquote>\n",
            esc(&q.text),
            esc(&q.attribution)
        ));
    }
    out.push_str("</div>\n");
}

/// Inter-coder agreement: the heatmap of α per code and coder pair.
fn agreement_section(out: &mut String, agreement: &AgreementReport) {
    out.push_str("<h2>Inter-coder agreement</h2>\n");
    out.push_str(&format!(
        "<p class=\"meta\">Krippendorff's α per code and coder pair, character units; green ≥ 0.80, amber ≥ 0.667, red below; – undefined. Coders: {}.</p>\n",
        esc(&agreement.coders.join(", "))
    ));
    out.push_str(&format!("<figure>{}</figure>\n", heatmap_svg(agreement)));
}

/// Thematic saturation: the curve, then each group's verdict.
fn saturation_section(out: &mut String, saturation: &[SaturationReport]) {
    out.push_str("<h2>Thematic saturation</h2>\n");
    out.push_str(&format!(
        "<figure>{}<figcaption>Cumulative distinct codes per interview</figcaption></figure>\n",
        crate::saturation::curve_svg(saturation, 640, 320)
    ));
    for s in saturation {
        // The sentence starts with its group ("volunteer: saturation ..."): set it in bold.
        let prefix = format!("{}: ", s.group);
        let text = match s.sentence.strip_prefix(&prefix) {
            Some(rest) if !s.group.is_empty() => {
                format!("<strong>{}</strong>: {}", esc(&s.group), esc(rest))
            }
            _ => esc(&s.sentence),
        };
        out.push_str(&format!("<p>{text}</p>\n"));
    }
}
