//! `thema agree` and `thema export agreement`.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::agreement::{agreement, parse_matrix, CategoryCount, Metric, Options};
use crate::cli::{output, Cli};
use crate::report::agreement::{
    all_codes, compute, default_coders, disagreement_list, fmt_stat, table_rows, AgreeRequest,
    AgreementReport, DisagreementItem, Unit,
};
use crate::study::Study;

/// Unit of analysis on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UnitArg {
    /// Every character (NVivo's coding comparison).
    Char,
    /// Every speaker turn.
    Turn,
    /// Segments matched by overlap (MAXQDA).
    Segment,
}

/// α's metric for --matrix data.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MetricArg {
    /// Categories without order.
    Nominal,
    /// Ordered categories.
    Ordinal,
    /// Numbers with equal intervals.
    Interval,
    /// Numbers with a true zero.
    Ratio,
}

/// Arguments of `thema agree`.
#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// Coders to compare, comma-separated (default: every coder but consensus).
    #[arg(long, value_delimiter = ',')]
    pub coders: Vec<String>,
    /// Only this code and its sub-codes (path or id).
    #[arg(long)]
    pub code: Option<String>,
    /// Count each code alone, without its sub-codes' segments.
    #[arg(long)]
    pub exact: bool,
    /// Unit of analysis.
    #[arg(long, value_enum, default_value_t = UnitArg::Char)]
    pub unit: UnitArg,
    /// Minimum overlap for --unit segment (MAXQDA's default 0.9).
    #[arg(long, default_value_t = 0.9)]
    pub overlap: f64,
    /// Also show each transcript.
    #[arg(long)]
    pub by_transcript: bool,
    /// List the places coders differ, largest first, instead of the table.
    #[arg(long)]
    pub disagreements: bool,
    /// With --disagreements: at most this many.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Reliability data from a CSV: one row per unit, one column per coder, cells = category or empty.
    #[arg(long, value_name = "FILE.csv", conflicts_with_all = ["code", "disagreements", "coders"])]
    pub matrix: Option<PathBuf>,
    /// Metric of Krippendorff's α for --matrix data.
    #[arg(long, value_enum, default_value_t = MetricArg::Nominal)]
    pub metric: MetricArg,
}

impl AgreeArgs {
    /// The request these arguments describe.
    pub fn request(&self, study: &Study) -> Result<AgreeRequest> {
        let coders = if self.coders.is_empty() {
            default_coders(study)
        } else {
            self.coders.clone()
        };
        let codes = match &self.code {
            Some(c) => {
                let id = study.resolve_code(c, None)?.id.clone();
                let book = study.codebook_of(&id).context("code without codebook")?;
                let subtree = book.subtree(&id);
                book.tree()
                    .into_iter()
                    .map(|(c, _)| c.id.clone())
                    .filter(|c| subtree.contains(c))
                    .collect()
            }
            None => all_codes(study),
        };
        Ok(AgreeRequest {
            coders,
            codes,
            exact: self.exact,
            unit: match self.unit {
                UnitArg::Char => Unit::Char,
                UnitArg::Turn => Unit::Turn,
                UnitArg::Segment => Unit::Segment,
            },
            overlap: self.overlap,
            by_transcript: self.by_transcript,
        })
    }
}

pub fn run(cli: &Cli, args: &AgreeArgs) -> Result<()> {
    if let Some(path) = &args.matrix {
        return matrix(cli, path, args.metric);
    }
    let study = cli.open()?;
    let request = args.request(&study)?;
    if args.disagreements {
        let mut items = disagreement_list(&study, &request)?;
        if let Some(limit) = args.limit {
            items.truncate(limit);
        }
        return print_disagreements(cli, &items);
    }
    let report = compute(&study, &request)?;
    if cli.json {
        return output::json(&report);
    }
    print_report(&report);
    Ok(())
}

fn print_report(report: &AgreementReport) {
    let rows = table_rows(report);
    let headers: Vec<&str> = rows[0].iter().map(String::as_str).collect();
    output::table(&headers, &rows[1..]);
    if report.codes.iter().any(|c| !c.transcripts.is_empty()) {
        println!();
        for code in &report.codes {
            for t in &code.transcripts {
                println!(
                    "{}  {}  % {}  α {}  κ {}",
                    code.path,
                    t.transcript,
                    t.agreement
                        .percent_agreement
                        .map(|p| format!("{:.1}", p * 100.0))
                        .unwrap_or_else(|| "–".into()),
                    fmt_stat(t.agreement.krippendorff_alpha),
                    fmt_stat(t.agreement.cohen_kappa.or(Some(t.agreement.fleiss_kappa))),
                );
            }
        }
    }
    println!(
        "\n{} coders, {} transcripts; – = undefined (no variation)",
        report.coders.len(),
        report.transcripts.len()
    );
}

fn print_disagreements(cli: &Cli, items: &[DisagreementItem]) -> Result<()> {
    if cli.json {
        return output::json(items);
    }
    for (n, d) in items.iter().enumerate() {
        let turn = d.turn.map(|t| format!(" turn {t}")).unwrap_or_default();
        println!(
            "{:>3}. {}  {}{turn}  {} chars  applied: {}  not: {}",
            n + 1,
            d.path,
            d.transcript,
            d.length,
            d.applied.join(","),
            d.not_applied.join(",")
        );
        println!("     \"{}\"", crate::study::coding::shorten(&d.quote, 160));
    }
    println!("{} disagreement(s)", items.len());
    Ok(())
}

#[derive(Serialize)]
struct MatrixResult {
    file: String,
    categories: Vec<String>,
    metric: String,
    #[serde(flatten)]
    agreement: crate::agreement::Agreement,
}

fn matrix(cli: &Cli, path: &PathBuf, metric: MetricArg) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let data = parse_matrix(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let metric_value = match metric {
        MetricArg::Nominal => Metric::Nominal,
        MetricArg::Ordinal => Metric::Ordinal,
        MetricArg::Interval => Metric::Interval,
        MetricArg::Ratio => Metric::Ratio,
    };
    let options = Options {
        metric: metric_value,
        categories: CategoryCount::Listed,
    };
    let result = agreement(&data, &options);
    let out = MatrixResult {
        file: path.display().to_string(),
        categories: data.categories().to_vec(),
        metric: format!("{metric:?}").to_lowercase(),
        agreement: result,
    };
    if cli.json {
        return output::json(&out);
    }
    let a = &out.agreement;
    if a.units == 0 {
        bail!("{}: no unit has a rating", path.display());
    }
    println!(
        "{}: {} coders, {} units, categories {}",
        out.file,
        a.coders.len(),
        a.units,
        out.categories.join(", ")
    );
    let line = |name: &str, v: Option<Option<f64>>| {
        if v.is_some() {
            println!("  {name:<22} {}", fmt_stat(v));
        }
    };
    println!(
        "  {:<22} {}",
        "percent agreement",
        a.percent_agreement
            .map(|p| format!("{:.4}", p))
            .unwrap_or_else(|| "–".into())
    );
    line("Cohen's kappa", a.cohen_kappa);
    line("Fleiss' kappa", Some(a.fleiss_kappa));
    line(
        &format!("Krippendorff's alpha ({})", out.metric),
        a.krippendorff_alpha,
    );
    line("Brennan–Prediger", Some(a.brennan_prediger));
    line("Gwet's AC1", Some(a.gwet_ac1));
    Ok(())
}
