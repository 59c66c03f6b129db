//! The command line: clap definitions and one handler per command. Handlers call the `study`,
//! `index`, `agreement` and `report` layers and print; they never touch files themselves.

pub mod agree;
pub mod batch;
mod codebook;
pub mod coding;
pub mod color;
mod consensus;
pub mod exit;
pub mod export;
pub mod hint;
mod import;
mod manual;
mod matrix;
mod output;
mod play;
mod round;
pub mod saturation;
pub mod search;
pub mod select;
mod study;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::study::Study;

/// What `thema --help` says after the options: exit statuses and the environment.
const AFTER_HELP: &str = "\
Exit status: 0 success; 1 problems found (`thema check` found errors); 2 usage error (an unknown \
command, flag or value, or a transcript, code, coder or column that does not exist); 3 input (no \
study where thema looked, or a file that cannot be read or written or is malformed); 4 blocked \
(another process holds the coder's lock, a file changed on disk meanwhile, the media player \
failed). Output into a closed pipe (`thema segments | head`) ends quietly: the process is ended by \
SIGPIPE, which shells report as 141.

Colour only on a terminal; NO_COLOR (any value) turns it off. Environment: THEMA_CODER (who is \
coding), THEMA_PLAYER (the media player).

Shell completions: thema completions bash|zsh|fish. Manual page: thema man | man -l -";

/// thema: code interview transcripts in the terminal.
#[derive(Debug, Parser)]
#[command(
    name = "thema",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Study folder (default: the nearest folder above the current one holding transcripts/).
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Who is coding (default: $THEMA_CODER, else `git config user.name`).
    #[arg(long, global = true, value_name = "NAME")]
    pub coder: Option<String>,
    /// Print data as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do (default: open the TUI).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Every thema command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal interface (the default).
    Tui,
    /// Create an empty study.
    Init {
        /// Folder for the new study.
        dir: PathBuf,
        /// Study name (default: the folder name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Import transcripts (txt md vtt srt json docx), format detected from content.
    Import(import::ImportArgs),
    /// List transcripts: id, participant, kind, turns, words, attributes; with an id and
    /// --turns, that transcript's numbered turns.
    Transcripts(study::TranscriptsArgs),
    /// Work on the coding framework.
    #[command(subcommand)]
    Codebook(codebook::CodebookCommand),
    /// Apply a code to a passage as --coder.
    Code(coding::CodeArgs),
    /// Play a transcript's recording from a turn, a segment or a time (mpv, ffplay or VLC).
    Play(play::PlayArgs),
    /// Remove one of your segments, or undo a batch of `thema code`.
    Uncode {
        /// Segment id (from `thema segments`).
        #[arg(required_unless_present = "batch", conflicts_with = "batch")]
        id: Option<String>,
        /// Undo a batch: its id (printed by `thema code`), or `last` for your most recent one.
        #[arg(long, value_name = "ID|last")]
        batch: Option<String>,
    },
    /// Retrieve coded segments.
    Segments(coding::SegmentsArgs),
    /// Inter-coder agreement per code, coder pair and transcript.
    Agree(agree::AgreeArgs),
    /// Codes × attribute values (NVivo's matrix coding), or code co-occurrence.
    Matrix(matrix::MatrixCommand),
    /// Coding rounds: sets of transcripts coded independently between codebook revisions.
    #[command(subcommand)]
    Round(round::RoundCommand),
    /// Team meetings: disagreements between two coders, resolved into the consensus layer.
    #[command(subcommand)]
    Consensus(consensus::ConsensusCommand),
    /// Write a report.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Full-text search over turns and segments.
    Search(search::SearchArgs),
    /// Uncoded passages most like a coded segment.
    Similar {
        /// Segment id.
        segment: String,
        /// Passages to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Refresh the search index and report what changed.
    Index {
        /// Build it anew.
        #[arg(long)]
        rebuild: bool,
    },
    /// Thematic saturation: when new interviews stopped adding codes.
    Saturation(saturation::SaturationArgs),
    /// Validate the study; report every problem with file:line (exit status 1 when it finds
    /// errors).
    Check,
    /// Print a shell completion script to stdout.
    Completions(manual::CompletionsArgs),
    /// Print the manual page (roff) to stdout.
    Man(manual::ManArgs),
}

/// The clap definition of the command line, with colour as [`color::clap_choice`] allows.
pub fn command() -> clap::Command {
    Cli::command().color(color::clap_choice())
}

/// Parses the process's arguments; on a usage error or `--help`, prints and exits as clap does
/// (status 2 for an error, 0 for help and version).
pub fn parse() -> Cli {
    let mut command = command();
    let matches = command.clone().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut command).exit())
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Some(Command::Init { dir, name }) => study::init(dir, name.as_deref()),
        None | Some(Command::Tui) => study::open_default(&cli),
        Some(Command::Import(args)) => import::run(&cli, args),
        Some(Command::Transcripts(args)) => study::transcripts(&cli, args),
        Some(Command::Codebook(cmd)) => codebook::run(&cli, cmd),
        Some(Command::Code(args)) => coding::code(&cli, args),
        Some(Command::Uncode { id, batch }) => match (id, batch) {
            (_, Some(batch)) => batch::uncode(&cli, batch),
            (Some(id), None) => coding::uncode(&cli, id),
            (None, None) => anyhow::bail!("give a SEGMENT_ID or --batch ID|last"),
        },
        Some(Command::Play(args)) => play::run(&cli, args),
        Some(Command::Segments(args)) => coding::segments(&cli, args),
        Some(Command::Agree(args)) => agree::run(&cli, args),
        Some(Command::Consensus(cmd)) => consensus::run(&cli, cmd),
        Some(Command::Round(cmd)) => round::run(&cli, cmd),
        Some(Command::Export(cmd)) => export::run(&cli, cmd),
        Some(Command::Matrix(cmd)) => matrix::run(&cli, cmd),
        Some(Command::Saturation(args)) => saturation::run(&cli, args),
        Some(Command::Search(args)) => search::search(&cli, args),
        Some(Command::Similar { segment, limit }) => search::similar(&cli, segment, *limit),
        Some(Command::Index { rebuild }) => search::index(&cli, *rebuild),
        Some(Command::Check) => study::check(&cli),
        Some(Command::Completions(args)) => manual::completions(args),
        Some(Command::Man(args)) => manual::man(args),
    }
}

impl Cli {
    /// The study folder this invocation works on.
    pub fn root(&self) -> Result<PathBuf> {
        let start = match &self.dir {
            Some(dir) => dir.clone(),
            None => std::env::current_dir().context("cannot read the current folder")?,
        };
        Ok(Study::discover(&start)?)
    }

    /// Opens the study, printing what loading re-anchored to stderr.
    pub fn open(&self) -> Result<Study> {
        let root = self.root()?;
        let study = Study::open(&root)?;
        Ok(study)
    }

    /// The coder for commands that write.
    pub fn coder(&self) -> Result<String> {
        Ok(crate::study::coder::resolve(self.coder.as_deref())?)
    }
}
