//! `thema agree` and `thema export agreement`.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::agreement::{
    agreement, alpha_bootstrap, parse_matrix, BootstrapOptions, CategoryCount, Metric, Options,
};
use crate::cli::{output, Cli};
use crate::report::agreement::{
    all_codes, compute, default_coders, disagreement_list, fmt_interval, fmt_stat, table_rows,
    AgreeRequest, AgreementReport, DisagreementItem, Unit,
};
use crate::report::rounds::{by_round, summarise, RoundSource, RoundsReport};
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

impl From<UnitArg> for Unit {
    fn from(unit: UnitArg) -> Unit {
        match unit {
            UnitArg::Char => Unit::Char,
            UnitArg::Turn => Unit::Turn,
            UnitArg::Segment => Unit::Segment,
        }
    }
}

/// Where `--by-round` takes its rounds from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoundsArg {
    /// rounds/*.json, written by `thema round start`.
    Saved,
    /// Inferred: a new round wherever a codebook change falls between two transcripts' coding.
    Auto,
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
    /// Coders to compare, comma-separated; consensus compares with the consensus view
    /// (default, or all: every coder but consensus).
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
    /// Show agreement per coding round, with the codebook changes made between rounds.
    #[arg(long, conflicts_with_all = ["disagreements", "by_transcript"])]
    pub by_round: bool,
    /// With --by-round: the saved rounds (rounds/*.json) or rounds inferred from when
    /// transcripts were coded and when the codebooks changed.
    #[arg(long, value_enum, default_value_t = RoundsArg::Saved)]
    pub rounds: RoundsArg,
    /// Resamples of the units for α's bootstrap interval and q (0: none).
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap's random numbers (the same seed gives the same interval everywhere).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The minimum α required: q is the bootstrap probability of falling below it
    /// (Krippendorff: 0.800, or 0.667 for tentative conclusions).
    #[arg(long, value_name = "ALPHA", default_value_t = 0.8)]
    pub alpha_min: f64,
}

impl AgreeArgs {
    /// The request these arguments describe.
    pub fn request(&self, study: &Study) -> Result<AgreeRequest> {
        let coders = if self.coders.is_empty() || self.coders == ["all"] {
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
            unit: self.unit.into(),
            overlap: self.overlap,
            by_transcript: self.by_transcript,
            bootstrap: self.bootstrap_options()?,
        })
    }

    /// The bootstrap these arguments ask for.
    pub fn bootstrap_options(&self) -> Result<BootstrapOptions> {
        if !(-1.0..=1.0).contains(&self.alpha_min) {
            bail!(
                "--alpha-min must lie between -1 and 1 (got {})",
                self.alpha_min
            );
        }
        Ok(BootstrapOptions {
            samples: self.bootstrap,
            seed: self.seed,
            alpha_min: self.alpha_min,
        })
    }
}

/// `thema agree`: agreement between coders, per code and overall.
pub fn run(cli: &Cli, args: &AgreeArgs) -> Result<()> {
    if let Some(path) = &args.matrix {
        return matrix(cli, path, args.metric, &args.bootstrap_options()?);
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
    if args.by_round {
        let report = by_round(&study, &request, args.rounds == RoundsArg::Auto)?;
        if cli.json {
            return output::json(&report);
        }
        print_rounds(&report);
        return Ok(());
    }
    let report = compute(&study, &request)?;
    if cli.json {
        return output::json(&report);
    }
    print_report(&report);
    print_scopes(&study, &report);
    if report.unplaced > 0 {
        println!(
            "{} segment(s) could not be placed in their transcript after it changed and are not counted (`thema check` lists them)",
            report.unplaced
        );
    }
    Ok(())
}

/// Says which codebooks' codes count only over their scope.
fn print_scopes(study: &Study, report: &AgreementReport) {
    let mut said = std::collections::BTreeSet::new();
    for code in report.codes.iter().filter(|c| c.scope.is_some()) {
        if let Some(book) = study.codebook_of(&code.code) {
            if said.insert(book.name.clone()) {
                println!(
                    "{} (its codes count only these transcripts)",
                    study.scope_line(book)
                );
            }
        }
    }
}

fn print_rounds(report: &RoundsReport) {
    let mut rows = Vec::new();
    for r in &report.rounds {
        let a = &r.overall;
        rows.push(vec![
            r.round.clone(),
            r.started.get(..10).unwrap_or(&r.started).to_string(),
            r.transcripts.len().to_string(),
            a.n.pairable_units.to_string(),
            a.percent_agreement
                .map_or_else(|| "–".to_string(), |p| format!("{:.1}%", p * 100.0)),
            fmt_stat(a.krippendorff_alpha),
            fmt_interval(a.alpha_bootstrap.as_ref().map(|b| b.ci)),
            fmt_stat(Some(a.gwet_ac1)),
            fmt_interval(a.ci.gwet_ac1),
        ]);
    }
    output::table(
        &[
            "round",
            "started",
            "transcripts",
            "units",
            "% agreement",
            "α",
            "α 95% CI",
            "AC1",
            "AC1 95% CI",
        ],
        &rows,
    );
    for r in report.rounds.iter().skip(1) {
        println!(
            "\nBefore {}: {} codebook change(s){}",
            r.round,
            r.changes_before.len(),
            if r.changes_before.is_empty() {
                String::new()
            } else {
                format!(" ({})", summarise(&r.changes_before))
            }
        );
        for c in r.changes_before.iter().filter(|c| c.op != "describe") {
            println!(
                "  {} {} {}{}",
                c.at.get(..10).unwrap_or(&c.at),
                c.op,
                c.path,
                c.why
                    .as_deref()
                    .map(|w| format!(" — {}", crate::study::coding::shorten(w, 90)))
                    .unwrap_or_default()
            );
        }
    }
    println!(
        "\n{} coders ({}), unit: {}, rounds: {}; all codes pooled",
        report.coders.len(),
        report.coders.join(", "),
        unit_name(report.unit),
        match report.source {
            RoundSource::Saved => "rounds/*.json",
            RoundSource::Auto => "inferred from codebook history",
        }
    );
}

/// The unit of analysis in words.
pub fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Char => "characters",
        Unit::Turn => "speaker turns",
        Unit::Segment => "segments",
    }
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
    if report.unit == Unit::Char && report.codes.iter().any(|c| c.all.alpha_bootstrap.is_some()) {
        println!(
            "Characters are not independent units (a segment's characters agree or disagree together): \
             intervals on them are far too narrow. Use --unit turn (or segment) for intervals."
        );
    }
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

fn matrix(cli: &Cli, path: &PathBuf, metric: MetricArg, boot: &BootstrapOptions) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let data = parse_matrix(&text)
        .map_err(|e| crate::cli::exit::BadInput(format!("{}: {e}", path.display())))?;
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
    let mut result = agreement(&data, &options);
    result.alpha_bootstrap = alpha_bootstrap(&data, metric_value, boot);
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
        return Err(crate::cli::exit::BadInput(format!(
            "{}: no unit has a rating",
            path.display()
        ))
        .into());
    }
    println!(
        "{}: {} coders, {} units, categories {}",
        out.file,
        a.coders.len(),
        a.units,
        out.categories.join(", ")
    );
    println!(
        "  {} pairable units, {} pairable values",
        a.n.pairable_units, a.n.pairable_values
    );
    println!("  {:<30} {:>7} {:>7}  95% CI (Gwet)", "", "value", "se");
    let line = |name: &str, v: Option<Option<f64>>, se: Option<Option<f64>>, ci| {
        if v.is_some() {
            println!(
                "  {name:<30} {:>7} {:>7}  {}",
                fmt_stat(v),
                fmt_stat(se),
                fmt_interval(ci)
            );
        }
    };
    line(
        "percent agreement",
        Some(a.percent_agreement),
        a.se.percent_agreement,
        a.ci.percent_agreement,
    );
    line(
        "Cohen's kappa",
        a.cohen_kappa,
        a.se.cohen_kappa,
        a.ci.cohen_kappa,
    );
    line(
        "Fleiss' kappa",
        Some(a.fleiss_kappa),
        a.se.fleiss_kappa,
        a.ci.fleiss_kappa,
    );
    line(
        &format!("Krippendorff's alpha ({})", out.metric),
        a.krippendorff_alpha,
        a.se.krippendorff_alpha,
        a.ci.krippendorff_alpha,
    );
    line(
        "Brennan–Prediger",
        Some(a.brennan_prediger),
        a.se.brennan_prediger,
        a.ci.brennan_prediger,
    );
    line("Gwet's AC1", Some(a.gwet_ac1), a.se.gwet_ac1, a.ci.gwet_ac1);
    if let Some(b) = &a.alpha_bootstrap {
        println!(
            "  alpha bootstrap ({} resamples of units, seed {}): 95% CI {}, q(alpha < {:.3}) = {}",
            b.samples,
            b.seed,
            fmt_interval(Some(b.ci)),
            b.alpha_min,
            b.q_below_min
                .map_or_else(|| "–".to_string(), |q| format!("{q:.3}"))
        );
    }
    Ok(())
}
