//! `thema round start|list`: name the coding rounds of a study (`rounds/NAME.json`).

use anyhow::Result;
use clap::Subcommand;

use crate::cli::{output, Cli};
use crate::model::round::Round;
use crate::study::coding::now;
use crate::study::rounds::{load_rounds, start_round};

/// Round subcommands.
#[derive(Debug, Subcommand)]
pub enum RoundCommand {
    /// Start a round: the transcripts the coders will now code independently.
    Start {
        /// Its name: letters, digits, '-', '_', '.' (e.g. round-2).
        name: String,
        /// The transcripts of the round, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        transcripts: Vec<String>,
        /// When it started (RFC 3339; default: now). Codebook changes up to then come before it.
        #[arg(long)]
        at: Option<String>,
        /// What the round is for.
        #[arg(long)]
        note: Option<String>,
    },
    /// The rounds, in the order they started.
    List,
}

pub fn run(cli: &Cli, cmd: &RoundCommand) -> Result<()> {
    match cmd {
        RoundCommand::Start {
            name,
            transcripts,
            at,
            note,
        } => {
            let study = cli.open()?;
            let round = Round {
                name: name.clone(),
                started: at.clone().unwrap_or_else(now),
                by: cli.coder()?,
                transcripts: transcripts.clone(),
                note: note.clone(),
            };
            let path = start_round(&study, &round)?;
            println!(
                "started {} with {} transcript(s): wrote {}",
                round.name,
                round.transcripts.len(),
                path.display()
            );
            Ok(())
        }
        RoundCommand::List => {
            let rounds = load_rounds(&cli.root()?)?;
            if cli.json {
                return output::json(&rounds);
            }
            for r in &rounds {
                println!(
                    "{}  started {}  {} transcript(s): {}{}",
                    r.name,
                    r.started,
                    r.transcripts.len(),
                    r.transcripts.join(", "),
                    r.note
                        .as_deref()
                        .map(|n| format!("  ({n})"))
                        .unwrap_or_default()
                );
            }
            if rounds.is_empty() {
                println!("no rounds yet: `thema round start NAME --transcripts A,B`");
            }
            Ok(())
        }
    }
}
