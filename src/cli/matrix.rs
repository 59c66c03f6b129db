//! `thema matrix`: NVivo's matrix coding query and code co-occurrence.

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};

use crate::cli::export::{write, Format, Target};
use crate::cli::select::{describe, CodersArg};
use crate::cli::{output, Cli};
use crate::report::csv_out::to_csv;
use crate::report::matrix::{cooccurrence, matrix_coding, Count};

/// What a cell counts.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CountArg {
    /// Coded segments (co-occurrence: speaker turns).
    Segments,
    /// Distinct transcripts.
    Transcripts,
    /// Distinct participants.
    Participants,
}

/// Arguments of `thema matrix`.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Rows: codes (the only kind so far).
    #[arg(long, default_value = "codes")]
    pub rows: String,
    /// Columns: an attribute (e.g. role).
    #[arg(long, required_unless_present = "cooccurrence")]
    pub cols: Option<String>,
    /// Codes × codes: how often two codes are applied in the same speaker turns.
    #[arg(long)]
    pub cooccurrence: bool,
    /// What a cell counts.
    #[arg(long, value_enum, default_value_t = CountArg::Segments)]
    pub count: CountArg,
    #[command(flatten)]
    pub layer: CodersArg,
}

/// Arguments of `thema matrix` when printed directly.
#[derive(Debug, Args)]
pub struct MatrixCommand {
    #[command(flatten)]
    pub matrix: MatrixArgs,
    /// Output format (default: a table on the terminal).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Output file.
    #[arg(short = 'o', long = "output")]
    pub output: Option<std::path::PathBuf>,
    /// Start CSV with a UTF-8 byte-order mark (Excel).
    #[arg(long)]
    pub bom: bool,
}

fn build(cli: &Cli, args: &MatrixArgs) -> Result<crate::report::matrix::Matrix> {
    if args.rows != "codes" {
        bail!("--rows must be 'codes'");
    }
    let study = cli.open()?;
    let layer = args.layer.layer(&study)?;
    eprintln!("{}", describe(&study, &layer)?);
    let count = match args.count {
        CountArg::Segments => Count::Segments,
        CountArg::Transcripts => Count::Transcripts,
        CountArg::Participants => Count::Participants,
    };
    if args.cooccurrence {
        return Ok(cooccurrence(&study, &layer, count)?);
    }
    let column = args.cols.as_deref().unwrap_or_default();
    study.require_column(column)?;
    Ok(matrix_coding(&study, &layer, column, count)?)
}

/// Writes the matrix to a target in a format.
pub fn output(cli: &Cli, args: &MatrixArgs, target: &Target) -> Result<()> {
    if let Some(path) = &target.output {
        output::check_destination(path)?;
    }
    let matrix = build(cli, args)?;
    let text = match target.format {
        Format::Md | Format::Html => matrix.to_markdown(),
        Format::Csv => to_csv(&matrix.table(), target.bom)?,
        Format::Json => serde_json::to_string_pretty(&matrix)? + "\n",
    };
    write(target, &text)
}

pub fn run(cli: &Cli, cmd: &MatrixCommand) -> Result<()> {
    if cmd.format.is_some() || cmd.output.is_some() {
        let target = Target {
            format: cmd.format.unwrap_or(Format::Md),
            output: cmd.output.clone(),
            bom: cmd.bom,
        };
        return output(cli, &cmd.matrix, &target);
    }
    let matrix = build(cli, &cmd.matrix)?;
    if cli.json {
        return output::json(&matrix);
    }
    let table = matrix.table();
    let headers: Vec<&str> = table[0].iter().map(String::as_str).collect();
    output::table(&headers, &table[1..]);
    Ok(())
}
