//! The reliability section of a methods chapter (`thema export reliability`): how much of the
//! study was double-coded, by whom, in how many rounds, on which unit; each coefficient with its
//! interval and N; the codes below the required α and what the team did about them (consensus
//! resolutions, codebook changes); agreement per round; the methods cited. As Markdown, JSON,
//! or a self-contained HTML page with an inline SVG chart of α per round.
//!
//! [`build`] assembles the figures from reports computed elsewhere; the renderers only format.

use serde::Serialize;

use crate::agreement::Agreement;
use crate::report::agreement::{AgreementReport, Unit};
use crate::report::html::esc;
use crate::report::rounds::{summarise, Change, RoundsReport};

/// Works cited by the section.
pub const REFERENCES: [&str; 6] = [
    "Brennan, R. L., & Prediger, D. J. (1981). Coefficient kappa: Some uses, misuses, and alternatives. Educational and Psychological Measurement, 41(3), 687–699.",
    "Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and Psychological Measurement, 20(1), 37–46.",
    "Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological Bulletin, 76(5), 378–382.",
    "Gwet, K. L. (2014). Handbook of inter-rater reliability (4th ed.). Advanced Analytics.",
    "Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard reliability measure for coding data. Communication Methods and Measures, 1(1), 77–89.",
    "Krippendorff, K. (2019). Content analysis: An introduction to its methodology (4th ed.). Sage.",
];

/// One code's reliability.
#[derive(Debug, Clone, Serialize)]
pub struct CodeReliability {
    /// Code id.
    pub code: String,
    /// Code path.
    pub path: String,
    /// The code's figures, all coders together.
    pub agreement: Agreement,
    /// α below the required minimum.
    pub below_minimum: bool,
    /// Disagreements on the code resolved in consensus meetings (the resolution log).
    pub consensus_resolutions: usize,
    /// Segments of the code in the consensus view (the team's agreed coding).
    pub consensus_segments: usize,
    /// Changes to the code in the codebook history after coding began (first round's start).
    pub changes: Vec<Change>,
}

/// The whole section.
#[derive(Debug, Clone, Serialize)]
pub struct ReliabilityReport {
    /// Study name.
    pub study: String,
    /// Transcripts in the study.
    pub transcripts: usize,
    /// Transcripts coded independently by at least two of the coders.
    pub double_coded: usize,
    /// The coders compared.
    pub coders: Vec<String>,
    /// Unit of analysis.
    pub unit: Unit,
    /// The α every code should reach.
    pub alpha_min: f64,
    /// Every code pooled.
    pub overall: Agreement,
    /// Each code with its figures.
    pub codes: Vec<CodeReliability>,
    /// Agreement by round, when the study has rounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<RoundsReport>,
    /// Consensus resolutions recorded over all codes.
    pub consensus_resolutions: usize,
    /// Transcripts the consensus settles.
    pub consensus_transcripts: usize,
    /// The sentences for a methods section.
    pub paragraph: String,
    /// Works cited.
    pub references: Vec<String>,
}

/// What [`build`] needs besides the agreement report.
pub struct Inputs<'a> {
    /// Study name.
    pub study: &'a str,
    /// Transcripts in the study.
    pub transcripts: usize,
    /// The α every code should reach.
    pub alpha_min: f64,
    /// Agreement by round, if the study has rounds.
    pub rounds: Option<RoundsReport>,
    /// Code id of each consensus resolution.
    pub resolved_codes: Vec<String>,
    /// Code id of each segment of the consensus view.
    pub consensus_codes: Vec<String>,
    /// Transcripts the consensus settles (both compared coders coded them, no disagreement
    /// left open).
    pub consensus_transcripts: usize,
    /// Every codebook change.
    pub changes: Vec<Change>,
}

/// Assembles the section from the agreement report and the inputs.
pub fn build(report: &AgreementReport, inputs: Inputs<'_>) -> ReliabilityReport {
    let since = inputs
        .rounds
        .as_ref()
        .and_then(|r| r.rounds.first())
        .map(|r| r.started.clone());
    let codes: Vec<CodeReliability> = report
        .codes
        .iter()
        .map(|c| {
            let alpha = c.all.krippendorff_alpha.flatten();
            CodeReliability {
                code: c.code.clone(),
                path: c.path.clone(),
                agreement: c.all.clone(),
                below_minimum: alpha.is_some_and(|a| a < inputs.alpha_min),
                consensus_resolutions: inputs
                    .resolved_codes
                    .iter()
                    .filter(|r| **r == c.code)
                    .count(),
                consensus_segments: inputs
                    .consensus_codes
                    .iter()
                    .filter(|r| **r == c.code)
                    .count(),
                changes: inputs
                    .changes
                    .iter()
                    .filter(|ch| ch.code == c.code || ch.path == c.path)
                    .filter(|ch| since.as_deref().is_none_or(|s| later(&ch.at, s)))
                    .cloned()
                    .collect(),
            }
        })
        .collect();
    let mut section = ReliabilityReport {
        study: inputs.study.to_string(),
        transcripts: inputs.transcripts,
        double_coded: report.transcripts.len(),
        coders: report.coders.clone(),
        unit: report.unit,
        alpha_min: inputs.alpha_min,
        overall: report.overall.clone(),
        codes,
        rounds: inputs.rounds,
        consensus_resolutions: inputs.resolved_codes.len(),
        consensus_transcripts: inputs.consensus_transcripts,
        paragraph: String::new(),
        references: REFERENCES.iter().map(|r| r.to_string()).collect(),
    };
    section.paragraph = paragraph(&section);
    section
}

fn later(at: &str, than: &str) -> bool {
    use crate::model::round::moment;
    match (moment(at), moment(than)) {
        (Some(a), Some(b)) => a > b,
        _ => false,
    }
}

fn unit_words(unit: Unit) -> &'static str {
    match unit {
        Unit::Char => "characters (NVivo's coding comparison; characters are not independent, so intervals on them are too narrow)",
        Unit::Turn => "speaker turns (a turn counts as coded by a coder when one of the coder's segments overlaps it)",
        Unit::Segment => "coded segments matched by overlap (MAXQDA's segment agreement)",
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".to_string(), |v| format!("{v:.3}"))
}

fn interval(ci: Option<Option<[f64; 2]>>) -> String {
    match ci.flatten() {
        Some([lo, hi]) => format!("[{lo:.3}, {hi:.3}]"),
        None => "–".to_string(),
    }
}

/// α's interval: the bootstrap's where there is one, else the analytic one.
fn alpha_interval(a: &Agreement) -> (String, &'static str) {
    match &a.alpha_bootstrap {
        Some(b) => (interval(Some(b.ci)), "bootstrap"),
        None => (interval(a.ci.krippendorff_alpha), "analytic"),
    }
}

fn paragraph(r: &ReliabilityReport) -> String {
    let share = if r.transcripts > 0 {
        100.0 * r.double_coded as f64 / r.transcripts as f64
    } else {
        0.0
    };
    let rounds = r.rounds.as_ref().map_or(0, |x| x.rounds.len());
    let a = &r.overall;
    let mut text = format!(
        "Of the {} transcripts in the study, {} ({share:.0}%) were coded independently by {} coders ({}){}. \
         Agreement was assessed for each of the {} codes of the framework (a code including its sub-codes), on {}. ",
        r.transcripts,
        r.double_coded,
        r.coders.len(),
        r.coders.join(", "),
        if rounds > 0 {
            format!(" in {rounds} round{}", if rounds == 1 { "" } else { "s" })
        } else {
            String::new()
        },
        r.codes.len(),
        unit_words(r.unit),
    );
    if r.unit != Unit::Segment {
        let boot = a.alpha_bootstrap.as_ref();
        text.push_str(&format!(
            "We report Krippendorff's α (nominal; Krippendorff, 2019) with a 95% confidence interval from {} bootstrap resamples of units (Hayes & Krippendorff, 2007), and Fleiss' κ (Fleiss, 1971){}, Brennan and Prediger's κ_n (1981) and Gwet's AC1 with analytic standard errors (Gwet, 2014). ",
            boot.map_or(0, |b| b.samples),
            if a.cohen_kappa.is_some() { ", Cohen's κ (Cohen, 1960)" } else { "" },
        ));
        let (ci, _) = alpha_interval(a);
        text.push_str(&format!(
            "Pooled over codes, α = {} (95% CI {ci}; {} units in {} transcripts), AC1 = {} (95% CI {}) and percent agreement {}",
            num(a.krippendorff_alpha.flatten()),
            a.n.pairable_units,
            a.n.transcripts.unwrap_or(r.double_coded),
            num(a.gwet_ac1),
            interval(a.ci.gwet_ac1),
            a.percent_agreement
                .map_or_else(|| "undefined".to_string(), |p| format!("{:.1}%", p * 100.0)),
        ));
        match boot.and_then(|b| b.q_below_min) {
            Some(q) => text.push_str(&format!(
                "; the probability that α falls below {:.3} is q = {q:.3}. ",
                r.alpha_min
            )),
            None => text.push_str(". "),
        }
    } else {
        text.push_str(&format!(
            "Pooled over codes, percent agreement was {} and Brennan–Prediger's κ_n {} (Brennan & Prediger, 1981). ",
            a.percent_agreement
                .map_or_else(|| "undefined".to_string(), |p| format!("{:.1}%", p * 100.0)),
            num(a.brennan_prediger),
        ));
    }
    if let Some(rounds) = &r.rounds {
        let alphas: Vec<String> = rounds
            .rounds
            .iter()
            .map(|x| {
                format!(
                    "{} in {}",
                    num(x.overall.krippendorff_alpha.flatten()),
                    x.round
                )
            })
            .collect();
        let changes: usize = rounds.rounds.iter().map(|x| x.changes_before.len()).sum();
        if rounds.rounds.len() > 1 {
            text.push_str(&format!(
                "Between rounds the team refined the codebook ({changes} recorded changes); α went from {}. ",
                alphas.join(" to ")
            ));
        }
    }
    let below: Vec<&CodeReliability> = r.codes.iter().filter(|c| c.below_minimum).collect();
    if below.is_empty() {
        text.push_str(&format!("No code fell below α = {:.3}.", r.alpha_min));
    } else {
        let resolved: usize = below.iter().map(|c| c.consensus_resolutions).sum();
        let agreed: usize = below.iter().map(|c| c.consensus_segments).sum();
        let revised = below.iter().filter(|c| !c.changes.is_empty()).count();
        text.push_str(&format!(
            "{} of the {} codes fell below α = {:.3}; {revised} of them were revised in the codebook after coding began",
            below.len(),
            r.codes.len(),
            r.alpha_min,
        ));
        if r.consensus_transcripts > 0 || resolved > 0 {
            text.push_str(&format!(
                ", and the team agreed a consensus coding in {} transcripts ({agreed} consensus segments of these codes; {resolved} disagreements on them resolved with a logged reason)",
                r.consensus_transcripts
            ));
        }
        text.push('.');
    }
    text
}

fn coefficient_rows(a: &Agreement) -> Vec<[String; 5]> {
    let n = a.n.pairable_units.to_string();
    let mut rows = Vec::new();
    let mut push = |name: &str, v: Option<f64>, ci: String, se: Option<Option<f64>>| {
        rows.push([
            name.to_string(),
            num(v),
            ci,
            se.flatten()
                .map_or_else(|| "–".to_string(), |s| format!("{s:.3}")),
            n.clone(),
        ]);
    };
    push(
        "Percent agreement",
        a.percent_agreement,
        interval(a.ci.percent_agreement),
        a.se.percent_agreement,
    );
    if let Some(k) = a.cohen_kappa {
        push("Cohen's κ", k, interval(a.ci.cohen_kappa), a.se.cohen_kappa);
    }
    push(
        "Fleiss' κ",
        a.fleiss_kappa,
        interval(a.ci.fleiss_kappa),
        a.se.fleiss_kappa,
    );
    if let Some(alpha) = a.krippendorff_alpha {
        let (ci, how) = alpha_interval(a);
        push(
            &format!("Krippendorff's α ({how} CI)"),
            alpha,
            ci,
            a.se.krippendorff_alpha,
        );
    }
    push(
        "Brennan–Prediger κ_n",
        a.brennan_prediger,
        interval(a.ci.brennan_prediger),
        a.se.brennan_prediger,
    );
    push(
        "Gwet's AC1",
        a.gwet_ac1,
        interval(a.ci.gwet_ac1),
        a.se.gwet_ac1,
    );
    rows
}

fn md_row(cells: &[String]) -> String {
    format!(
        "| {} |\n",
        cells
            .iter()
            .map(|c| c.replace('|', "\\|"))
            .collect::<Vec<_>>()
            .join(" | ")
    )
}

/// The section as Markdown.
pub fn to_markdown(r: &ReliabilityReport) -> String {
    let mut out = format!("# Inter-coder reliability — {}\n\n", r.study);
    out.push_str(&r.paragraph);
    out.push_str("\n\n## Coefficients, all codes pooled\n\n");
    out.push_str(
        "| coefficient | value | 95% CI | SE | N (units) |\n| --- | --- | --- | --- | --- |\n",
    );
    for row in coefficient_rows(&r.overall) {
        out.push_str(&md_row(&row));
    }
    if let Some(b) = &r.overall.alpha_bootstrap {
        out.push_str(&format!(
            "\nα's interval: {} bootstrap resamples of units (seed {}); q(α < {:.3}) = {}.\n",
            b.samples,
            b.seed,
            b.alpha_min,
            b.q_below_min
                .map_or_else(|| "–".to_string(), |q| format!("{q:.3}"))
        ));
    }
    if let Some(rounds) = &r.rounds {
        out.push_str("\n## By coding round\n\n| round | started | transcripts | α | 95% CI | AC1 | % agreement |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for x in &rounds.rounds {
            let (ci, _) = alpha_interval(&x.overall);
            out.push_str(&md_row(&[
                x.round.clone(),
                x.started.get(..10).unwrap_or(&x.started).to_string(),
                x.transcripts.len().to_string(),
                num(x.overall.krippendorff_alpha.flatten()),
                ci,
                num(x.overall.gwet_ac1),
                x.overall
                    .percent_agreement
                    .map_or_else(|| "–".to_string(), |p| format!("{:.1}%", p * 100.0)),
            ]));
        }
        for x in rounds.rounds.iter().skip(1) {
            if !x.changes_before.is_empty() {
                out.push_str(&format!(
                    "\nCodebook changes before {} ({}):\n\n",
                    x.round,
                    summarise(&x.changes_before)
                ));
                for c in x.changes_before.iter().filter(|c| c.op != "describe") {
                    out.push_str(&format!(
                        "- {} {} **{}**{}\n",
                        c.at.get(..10).unwrap_or(&c.at),
                        c.op,
                        c.path,
                        c.why
                            .as_deref()
                            .map(|w| format!(" — {w}"))
                            .unwrap_or_default()
                    ));
                }
            }
        }
    }
    out.push_str(&format!(
        "\n## Per code\n\n| code | α | 95% CI | units | transcripts | below {:.3} | consensus segments | consensus resolutions | codebook changes |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        r.alpha_min
    ));
    for c in &r.codes {
        let (ci, _) = alpha_interval(&c.agreement);
        out.push_str(&md_row(&[
            c.path.clone(),
            num(c.agreement.krippendorff_alpha.flatten()),
            ci,
            c.agreement.n.pairable_units.to_string(),
            c.agreement.n.transcripts.unwrap_or(0).to_string(),
            if c.below_minimum { "yes" } else { "" }.to_string(),
            c.consensus_segments.to_string(),
            c.consensus_resolutions.to_string(),
            summarise(&c.changes),
        ]));
    }
    out.push_str("\n`undefined`: no variation (nobody applied the code), so no chance-corrected coefficient exists.\n\n## References\n\n");
    for reference in &r.references {
        out.push_str(&format!("- {reference}\n"));
    }
    out
}

/// An inline SVG chart of α per round with its 95% interval and the required minimum.
pub fn rounds_svg(rounds: &RoundsReport, alpha_min: f64) -> String {
    let (w, h, left, top, bottom) = (520.0, 260.0, 48.0, 16.0, 40.0);
    let plot_h = h - top - bottom;
    let n = rounds.rounds.len().max(1) as f64;
    let step = (w - left - 16.0) / n;
    // α from 0 to 1 (values below 0 are drawn at the bottom edge)
    let y = |v: f64| top + plot_h * (1.0 - v.clamp(0.0, 1.0));
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Krippendorff's alpha per coding round\">\n"
    );
    for tick in [0.0, 0.2, 0.4, 0.6, 0.8, 1.0] {
        svg.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{tick:.1}</text>\n",
            w - 8.0,
            left - 6.0,
            y(tick) + 4.0,
            y = y(tick)
        ));
    }
    for (value, label, colour) in [
        (alpha_min, format!("α = {alpha_min:.3}"), "#c0392b"),
        (0.667, "α = 0.667".to_string(), "#e67e22"),
    ] {
        svg.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-dasharray=\"5 4\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"10\" fill=\"{colour}\" text-anchor=\"end\">{}</text>\n",
            w - 8.0,
            w - 10.0,
            y(value) - 3.0,
            esc(&label),
            y = y(value)
        ));
    }
    let mut points = Vec::new();
    for (i, x) in rounds.rounds.iter().enumerate() {
        let cx = left + step * (i as f64 + 0.5);
        if let Some(Some([lo, hi])) = x.overall.alpha_bootstrap.as_ref().map(|b| b.ci) {
            svg.push_str(&format!(
                "<line x1=\"{cx:.1}\" x2=\"{cx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n",
                y(lo),
                y(hi)
            ));
        }
        if let Some(a) = x.overall.krippendorff_alpha.flatten() {
            points.push(format!("{cx:.1},{:.1}", y(a)));
            svg.push_str(&format!(
                "<circle cx=\"{cx:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"#1f77b4\"><title>{}: α = {a:.3}</title></circle><text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{a:.3}</text>\n",
                y(a),
                esc(&x.round),
                y(a) - 9.0
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n",
            h - bottom + 18.0,
            esc(&x.round)
        ));
    }
    if points.len() > 1 {
        svg.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-opacity=\"0.5\"/>\n",
            points.join(" ")
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The section as a self-contained HTML page (no external assets).
pub fn to_html(r: &ReliabilityReport) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str(&format!(
        "<title>Inter-coder reliability — {}</title><style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}table{{border-collapse:collapse;margin:1rem 0}}td,th{{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left}}td.n{{text-align:right}}.below{{color:#c0392b}}</style></head><body>\n",
        esc(&r.study)
    ));
    out.push_str(&format!(
        "<h1>Inter-coder reliability — {}</h1>\n<p>{}</p>\n",
        esc(&r.study),
        esc(&r.paragraph)
    ));
    out.push_str("<h2>Coefficients, all codes pooled</h2>\n<table><tr><th>coefficient</th><th>value</th><th>95% CI</th><th>SE</th><th>N (units)</th></tr>\n");
    for row in coefficient_rows(&r.overall) {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if i == 0 { "" } else { " class=\"n\"" };
            out.push_str(&format!("<td{class}>{}</td>", esc(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    if let Some(rounds) = &r.rounds {
        out.push_str("<h2>Agreement by coding round</h2>\n");
        out.push_str(&rounds_svg(rounds, r.alpha_min));
        out.push_str("\n<table><tr><th>round</th><th>started</th><th>transcripts</th><th>α</th><th>95% CI</th><th>codebook changes before it</th></tr>\n");
        for x in &rounds.rounds {
            let (ci, _) = alpha_interval(&x.overall);
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
                esc(&x.round),
                esc(x.started.get(..10).unwrap_or(&x.started)),
                x.transcripts.len(),
                num(x.overall.krippendorff_alpha.flatten()),
                esc(&ci),
                esc(&summarise(&x.changes_before))
            ));
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h2>Per code</h2>\n<table><tr><th>code</th><th>α</th><th>95% CI</th><th>units</th><th>transcripts</th><th>consensus segments</th><th>consensus resolutions</th><th>codebook changes</th></tr>\n");
    for c in &r.codes {
        let (ci, _) = alpha_interval(&c.agreement);
        let class = if c.below_minimum {
            " class=\"below\""
        } else {
            ""
        };
        out.push_str(&format!(
            "<tr{class}><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
            esc(&c.path),
            num(c.agreement.krippendorff_alpha.flatten()),
            esc(&ci),
            c.agreement.n.pairable_units,
            c.agreement.n.transcripts.unwrap_or(0),
            c.consensus_segments,
            c.consensus_resolutions,
            esc(&summarise(&c.changes))
        ));
    }
    out.push_str(&format!(
        "</table>\n<p>Red: α below {:.3}. “undefined”: no variation (nobody applied the code).</p>\n<h2>References</h2>\n<ul>\n",
        r.alpha_min
    ));
    for reference in &r.references {
        out.push_str(&format!("<li>{}</li>\n", esc(reference)));
    }
    out.push_str("</ul>\n</body></html>\n");
    out
}
