//! `thema export ...`: reports written to a file or stdout.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use crate::cli::agree::{AgreeArgs, RoundsArg, UnitArg};
use crate::cli::select::{describe, CodersArg};
use crate::cli::Cli;
use crate::report::agreement::{
    all_codes, compute, default_coders, disagreement_list, disagreement_rows, table_rows,
    to_markdown, AgreeRequest, Unit,
};
use crate::report::csv_out::to_csv;
use crate::report::saturation::{self, SaturationRequest};
use crate::report::themes::{self, theme_report, ThemeOptions};
use crate::report::{codebook_export, html, segments_export};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Markdown.
    Md,
    /// Comma-separated values (RFC 4180).
    Csv,
    /// JSON.
    Json,
    /// A self-contained HTML page.
    Html,
}

/// Where and how to write.
#[derive(Debug, Args)]
pub struct Target {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,
    /// Output file (default: standard output).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// Start CSV with a UTF-8 byte-order mark (Excel).
    #[arg(long)]
    pub bom: bool,
}

/// What to export.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Theme summary: the framework with counts, breakdowns and attributed quotes.
    Themes {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        layer: CodersArg,
        /// Attributes to break counts down by, comma-separated (e.g. role,wave).
        #[arg(long, value_delimiter = ',')]
        by: Vec<String>,
        /// Quotes per code.
        #[arg(long, default_value_t = 3)]
        quotes: usize,
    },
    /// The codebook appendix: definitions, criteria, examples, counts.
    Codebook {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        layer: CodersArg,
    },
    /// Every segment with its attributes, for R or Python.
    Segments {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        layer: CodersArg,
    },
    /// A REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA.
    Qdpx {
        /// Output file.
        #[arg(short = 'o', long = "output", required = true)]
        output: PathBuf,
        /// The program that will read it: nvivo = UTF-16 positions, CRLF, byte-order mark (as
        /// NVivo writes); maxqda, atlasti = code points, LF. Default: the program the study was
        /// imported from (refi.json), else the REFI-QDA standard (code points, LF).
        #[arg(long, value_enum)]
        target: Option<TargetArg>,
        /// Unit of selection positions (default: from --target, else as imported, else code points).
        #[arg(long, value_enum)]
        offsets: Option<OffsetsArg>,
        /// Line ends of the text files (default: from --target, else lf).
        #[arg(long = "line-endings", value_enum)]
        line_endings: Option<LineEndingsArg>,
    },
    /// A REFI-QDA codebook (.qdc).
    Qdc {
        /// Output file.
        #[arg(short = 'o', long = "output", required = true)]
        output: PathBuf,
    },
    /// A code × attribute matrix (see `thema matrix`).
    Matrix {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        matrix: crate::cli::matrix::MatrixArgs,
    },
    /// The agreement table and the disagreements as a meeting agenda.
    Agreement {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        agree: AgreeArgs,
    },
    /// Inter-coder reliability for a methods section: paragraph, tables, agreement per round
    /// (md, html with a chart, json).
    Reliability {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        args: ReliabilityArgs,
    },
}

/// What `thema export reliability` reports on.
#[derive(Debug, Args)]
pub struct ReliabilityArgs {
    /// Coders to compare, comma-separated (default: every coder but consensus).
    #[arg(long, value_delimiter = ',')]
    pub coders: Vec<String>,
    /// Unit of analysis (turns by default: characters are too dependent for intervals).
    #[arg(long, value_enum, default_value_t = UnitArg::Turn)]
    pub unit: UnitArg,
    /// Minimum overlap for --unit segment.
    #[arg(long, default_value_t = 0.9)]
    pub overlap: f64,
    /// Rounds: the saved ones (rounds/*.json; none is fine) or inferred from the codebook history.
    #[arg(long, value_enum, default_value_t = RoundsArg::Saved)]
    pub rounds: RoundsArg,
    /// Resamples for α's bootstrap interval.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The α every code should reach (0.800; 0.667 for tentative conclusions).
    #[arg(long, value_name = "ALPHA", default_value_t = 0.8)]
    pub alpha_min: f64,
}

/// The reliability section of the study.
fn reliability_section(
    study: &crate::study::Study,
    args: &ReliabilityArgs,
) -> Result<crate::report::reliability::ReliabilityReport> {
    use crate::report::reliability::{build, Inputs};
    use crate::report::rounds::{by_round, changes, rounds};
    if !(-1.0..=1.0).contains(&args.alpha_min) {
        bail!(
            "--alpha-min must lie between -1 and 1 (got {})",
            args.alpha_min
        );
    }
    let coders = if args.coders.is_empty() {
        default_coders(study)
    } else {
        args.coders.clone()
    };
    let request = AgreeRequest {
        coders,
        codes: all_codes(study),
        exact: false,
        unit: args.unit.into(),
        overlap: args.overlap,
        by_transcript: false,
        bootstrap: crate::agreement::BootstrapOptions {
            samples: args.bootstrap,
            seed: args.seed,
            alpha_min: args.alpha_min,
        },
    };
    let report = compute(study, &request)?;
    let auto = args.rounds == RoundsArg::Auto;
    let by = if rounds(study, &request, auto)?.is_empty() {
        None
    } else {
        Some(by_round(study, &request, auto)?)
    };
    let resolved_codes = crate::study::consensus::resolutions(study)?
        .into_iter()
        .map(|r| r.code)
        .collect();
    Ok(build(
        &report,
        Inputs {
            study: &study.name(),
            transcripts: study.transcripts().len(),
            alpha_min: args.alpha_min,
            rounds: by,
            resolved_codes,
            consensus_codes: if study.has_consensus() {
                study
                    .consensus_view()?
                    .segments
                    .iter()
                    .map(|s| s.code.clone())
                    .collect()
            } else {
                Vec::new()
            },
            consensus_transcripts: {
                let coverage = &study.consensus_view()?.coverage;
                if study.has_consensus() {
                    coverage.compared - coverage.open_transcripts
                } else {
                    0
                }
            },
            changes: changes(study)?,
        },
    ))
}

/// `--target` of `thema export qdpx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// NVivo (Windows and Mac).
    Nvivo,
    /// MAXQDA.
    Maxqda,
    /// ATLAS.ti.
    Atlasti,
}

/// `--offsets` of `thema export qdpx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OffsetsArg {
    /// Unicode code points (the REFI-QDA standard).
    Codepoints,
    /// UTF-16 code units (NVivo).
    Utf16,
}

/// `--line-endings` of `thema export qdpx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LineEndingsArg {
    /// LF, as thema stores transcripts.
    Lf,
    /// CRLF, each counted as two positions.
    Crlf,
}

/// The export options the flags ask for.
fn refi_options(
    target: Option<TargetArg>,
    offsets: Option<OffsetsArg>,
    line_endings: Option<LineEndingsArg>,
) -> crate::refi::ExportOptions {
    use crate::refi::{LineEndings, PositionUnit, Target};
    crate::refi::ExportOptions {
        target: target.map(|t| match t {
            TargetArg::Nvivo => Target::Nvivo,
            TargetArg::Maxqda => Target::Maxqda,
            TargetArg::Atlasti => Target::Atlasti,
        }),
        unit: offsets.map(|o| match o {
            OffsetsArg::Codepoints => PositionUnit::CodePoints,
            OffsetsArg::Utf16 => PositionUnit::Utf16,
        }),
        line_endings: line_endings.map(|l| match l {
            LineEndingsArg::Lf => LineEndings::Lf,
            LineEndingsArg::Crlf => LineEndings::Crlf,
        }),
    }
}

/// The decisions of team meetings (`codings/consensus.log.jsonl`) as a Markdown section.
fn resolutions_markdown(study: &crate::study::Study) -> Result<String> {
    let log = crate::study::consensus::resolutions(study)?;
    if log.is_empty() {
        return Ok(String::new());
    }
    let mut out = format!("\n## Resolved in team meetings ({})\n\n", log.len());
    for r in &log {
        let take = match r.take {
            crate::study::consensus::Take::A => format!(
                "took {}'s coding",
                r.coders.first().cloned().unwrap_or_default()
            ),
            crate::study::consensus::Take::B => format!(
                "took {}'s coding",
                r.coders.get(1).cloned().unwrap_or_default()
            ),
            crate::study::consensus::Take::Both => "took both codings".to_string(),
            crate::study::consensus::Take::None => "the code does not apply".to_string(),
            crate::study::consensus::Take::Adjust => "adjusted the boundary".to_string(),
        };
        let why = r
            .why
            .as_deref()
            .map(|w| format!(" — {w}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "- `{}` **{}** in {} ({}): {take}; resolved by {} on {}{why}\n",
            r.id,
            study.code_path(&r.code),
            r.transcript,
            r.coders.join(" vs "),
            r.by,
            r.at.get(..10).unwrap_or(&r.at)
        ));
    }
    Ok(out)
}

/// Writes text to the target file atomically, or to stdout.
pub fn write(target: &Target, text: &str) -> Result<()> {
    match &target.output {
        Some(path) => {
            crate::study::atomic::write_atomic(path, text.as_bytes())?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

fn check_columns(study: &crate::study::Study, columns: &[String]) -> Result<()> {
    for c in columns {
        study.require_column(c)?;
    }
    Ok(())
}

pub fn run(cli: &Cli, cmd: &ExportCommand) -> Result<()> {
    let destination = match cmd {
        ExportCommand::Themes { target, .. }
        | ExportCommand::Codebook { target, .. }
        | ExportCommand::Segments { target, .. }
        | ExportCommand::Matrix { target, .. }
        | ExportCommand::Agreement { target, .. }
        | ExportCommand::Reliability { target, .. } => target.output.as_deref(),
        ExportCommand::Qdpx { output, .. } | ExportCommand::Qdc { output } => {
            Some(output.as_path())
        }
    };
    if let Some(path) = destination {
        crate::cli::output::check_destination(path)?;
    }
    match cmd {
        ExportCommand::Themes {
            target,
            layer,
            by,
            quotes,
        } => export_themes(cli, target, layer, by, *quotes),
        ExportCommand::Codebook { target, layer } => export_codebook(cli, target, layer),
        ExportCommand::Segments { target, layer } => export_segments(cli, target, layer),
        ExportCommand::Qdpx {
            output,
            target,
            offsets,
            line_endings,
        } => {
            let options = refi_options(*target, *offsets, *line_endings);
            export_qdpx(cli, output, &options)
        }
        ExportCommand::Qdc { output } => {
            let study = cli.open()?;
            let xml = crate::refi::export_qdc(&study)?;
            crate::study::atomic::write_atomic(output, xml.as_bytes())?;
            println!("wrote {}", output.display());
            Ok(())
        }
        ExportCommand::Matrix { target, matrix } => crate::cli::matrix::output(cli, matrix, target),
        ExportCommand::Reliability { target, args } => {
            let study = cli.open()?;
            let section = reliability_section(&study, args)?;
            let text = match target.format {
                Format::Md => crate::report::reliability::to_markdown(&section),
                Format::Html => crate::report::reliability::to_html(&section),
                Format::Json => serde_json::to_string_pretty(&section)? + "\n",
                Format::Csv => bail!("export reliability writes md, html or json"),
            };
            write(target, &text)
        }
        ExportCommand::Agreement { target, agree } => export_agreement(cli, target, agree),
    }
}

/// `thema export themes`.
fn export_themes(
    cli: &Cli,
    target: &Target,
    layer: &CodersArg,
    by: &[String],
    quotes: usize,
) -> Result<()> {
    let study = cli.open()?;
    check_columns(&study, by)?;
    let options = ThemeOptions {
        layer: layer.layer(&study)?,
        by: by.to_vec(),
        quotes,
    };
    let report = theme_report(&study, &options)?;
    let text = match target.format {
        Format::Md => themes::to_markdown(&report),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Html => {
            let coders = default_coders(&study);
            let agreement = if coders.len() >= 2 {
                let request = AgreeRequest {
                    coders,
                    codes: all_codes(&study),
                    exact: false,
                    unit: Unit::Char,
                    overlap: 0.9,
                    by_transcript: false,
                    bootstrap: crate::agreement::BootstrapOptions::none(),
                };
                compute(&study, &request).ok()
            } else {
                None
            };
            // Saturation over the layer the report counts, with the defaults.
            let request = SaturationRequest {
                layer: options.layer.clone(),
                by: by.first().cloned(),
                ..SaturationRequest::default()
            };
            let saturation = saturation::for_study(&study, &request)?;
            html::theme_page(&report, agreement.as_ref(), &saturation)
        }
        Format::Csv => {
            eprintln!("{}", describe(&study, &options.layer)?);
            let rows =
                segments_export::table(&study, &segments_export::records(&study, &options.layer)?);
            to_csv(&rows, target.bom)?
        }
    };
    write(target, &text)
}

/// `thema export codebook`.
fn export_codebook(cli: &Cli, target: &Target, layer: &CodersArg) -> Result<()> {
    let study = cli.open()?;
    let layer = layer.layer(&study)?;
    let entries = codebook_export::entries(&study, &layer)?;
    let counting = describe(&study, &layer)?;
    let text = match target.format {
        Format::Md | Format::Html => {
            codebook_export::to_markdown(&study.name(), &counting, &entries)
        }
        Format::Json => serde_json::to_string_pretty(&entries)? + "\n",
        Format::Csv => {
            eprintln!("{counting}");
            to_csv(&codebook_export::table(&entries), target.bom)?
        }
    };
    write(target, &text)
}

/// `thema export segments`.
fn export_segments(cli: &Cli, target: &Target, layer: &CodersArg) -> Result<()> {
    if target.format == Format::Html {
        bail!("export segments writes md, csv or json (for a page, export themes --format html)");
    }
    let study = cli.open()?;
    let chosen = layer.layer(&study)?;
    let records = segments_export::records(&study, &chosen)?;
    let counting = describe(&study, &chosen)?;
    eprintln!("{counting}");
    let text = match target.format {
        Format::Json => serde_json::to_string_pretty(&records)? + "\n",
        Format::Md => segments_export::to_markdown(
            &study.name(),
            &counting,
            &segments_export::table(&study, &records),
        ),
        Format::Csv | Format::Html => {
            to_csv(&segments_export::table(&study, &records), target.bom)?
        }
    };
    write(target, &text)
}

/// `thema export qdpx`.
fn export_qdpx(
    cli: &Cli,
    output: &std::path::Path,
    options: &crate::refi::ExportOptions,
) -> Result<()> {
    let study = cli.open()?;
    let summary = crate::refi::export_qdpx(&study, output, options)?;
    if cli.json {
        return crate::cli::output::json(&summary);
    }
    println!(
        "wrote {}: {} transcript(s), {} code(s), {} coder(s), {} coding(s), {} memo(s)",
        output.display(),
        summary.transcripts,
        summary.codes,
        summary.coders.len(),
        summary.codings,
        summary.memos + summary.descriptions
    );
    println!("  texts and positions: {}", summary.format);
    for line in &summary.not_exported {
        eprintln!("  not exported: {line}");
    }
    Ok(())
}

/// `thema export agreement`: the table and the disagreements as a meeting agenda.
fn export_agreement(cli: &Cli, target: &Target, agree: &AgreeArgs) -> Result<()> {
    let study = cli.open()?;
    let request = agree.request(&study)?;
    let report = compute(&study, &request)?;
    let items = disagreement_list(&study, &request)?;
    let text = match target.format {
        Format::Md | Format::Html => {
            let mut text = to_markdown(&study.name(), &report, &items);
            text.push_str(&resolutions_markdown(&study)?);
            text
        }
        Format::Json => {
            let value = serde_json::json!({ "agreement": report, "disagreements": items });
            serde_json::to_string_pretty(&value)? + "\n"
        }
        Format::Csv => {
            let mut rows = table_rows(&report);
            rows.push(Vec::new());
            rows.extend(disagreement_rows(&items));
            to_csv(&rows, target.bom).context("cannot write CSV")?
        }
    };
    write(target, &text)
}
