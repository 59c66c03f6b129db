//! `thema export ...`: reports written to a file or stdout.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use crate::cli::agree::AgreeArgs;
use crate::cli::Cli;
use crate::report::agreement::{
    compute, disagreement_list, disagreement_rows, table_rows, to_markdown,
};
use crate::report::csv_out::to_csv;

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
    /// The agreement table and the disagreements as a meeting agenda.
    Agreement {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        agree: AgreeArgs,
    },
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

pub fn run(cli: &Cli, cmd: &ExportCommand) -> Result<()> {
    match cmd {
        ExportCommand::Agreement { target, agree } => {
            let study = cli.open()?;
            let request = agree.request(&study)?;
            let report = compute(&study, &request)?;
            let items = disagreement_list(&study, &request)?;
            let text = match target.format {
                Format::Md | Format::Html => to_markdown(&study.name(), &report, &items),
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
    }
}
