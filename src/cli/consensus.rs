//! `thema consensus status|list|resolve`: run a team meeting from the command line.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::cli::{output, Cli};
use crate::study::coding::shorten;
use crate::study::consensus::{disagreements, Disagreement, Take};
use crate::study::Study;

/// The two coders compared.
#[derive(Debug, Args)]
pub struct Pair {
    /// Coders A and B, comma-separated (default: the first two coders other than consensus).
    #[arg(long, value_delimiter = ',')]
    pub coders: Vec<String>,
    /// Only this code and its sub-codes.
    #[arg(long)]
    pub code: Option<String>,
}

/// Consensus subcommands.
#[derive(Debug, Subcommand)]
pub enum ConsensusCommand {
    /// How many disagreements remain per code.
    Status(Pair),
    /// Every disagreement with its id, resolved ones marked.
    List {
        #[command(flatten)]
        pair: Pair,
        /// Only the ones not yet resolved.
        #[arg(long)]
        open: bool,
    },
    /// Resolve one disagreement into the consensus layer.
    Resolve {
        /// Disagreement id (from `thema consensus list`).
        id: String,
        /// a, b, both or none.
        #[arg(long)]
        take: Take,
        /// Why the team decided so.
        #[arg(long)]
        why: Option<String>,
        #[command(flatten)]
        pair: Pair,
    },
}

fn pair(study: &Study, p: &Pair) -> Result<(String, String)> {
    match p.coders.as_slice() {
        [a, b] => Ok((a.clone(), b.clone())),
        [] => {
            let coders = crate::report::agreement::default_coders(study);
            match coders.as_slice() {
                [a, b, ..] => Ok((a.clone(), b.clone())),
                _ => bail!(
                    "a meeting needs two coders with codings (found: {})",
                    coders.join(", ")
                ),
            }
        }
        _ => bail!("--coders takes exactly two coders, e.g. --coders r1,r2"),
    }
}

fn find(study: &Study, p: &Pair) -> Result<((String, String), Vec<Disagreement>)> {
    let (a, b) = pair(study, p)?;
    let codes = match &p.code {
        Some(c) => Some(study.code_selection(c, false)?),
        None => None,
    };
    let list = disagreements(study, &a, &b, codes.as_ref())?;
    Ok(((a, b), list))
}

#[derive(Serialize, Default)]
struct CodeStatus {
    code: String,
    path: String,
    total: usize,
    resolved: usize,
    remaining: usize,
}

pub fn run(cli: &Cli, cmd: &ConsensusCommand) -> Result<()> {
    match cmd {
        ConsensusCommand::Status(p) => status(cli, p),
        ConsensusCommand::List { pair, open } => list(cli, pair, *open),
        ConsensusCommand::Resolve {
            id,
            take,
            why,
            pair,
        } => resolve(cli, id, *take, why.as_deref(), pair),
    }
}

/// `thema consensus status`: disagreements per code, resolved and remaining, and what the
/// consensus covers.
fn status(cli: &Cli, p: &Pair) -> Result<()> {
    let study = cli.open()?;
    let ((a, b), list) = find(&study, p)?;
    let mut by_code: BTreeMap<String, CodeStatus> = BTreeMap::new();
    for d in &list {
        let entry = by_code
            .entry(study.code_path(&d.code))
            .or_insert_with(|| CodeStatus {
                code: d.code.clone(),
                path: study.code_path(&d.code),
                ..CodeStatus::default()
            });
        entry.total += 1;
        if d.resolution.is_some() {
            entry.resolved += 1;
        } else {
            entry.remaining += 1;
        }
    }
    let rows: Vec<CodeStatus> = by_code.into_values().collect();
    if cli.json {
        return output::json(&rows);
    }
    println!("{a} (A) and {b} (B)");
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.path.clone(),
                r.total.to_string(),
                r.resolved.to_string(),
                r.remaining.to_string(),
            ]
        })
        .collect();
    output::table(&["code", "disagreements", "resolved", "remaining"], &table);
    let remaining: usize = rows.iter().map(|r| r.remaining).sum();
    println!("{remaining} of {} disagreement(s) remain", list.len());
    let coverage = &study.consensus_view()?.coverage;
    if coverage.coders == [a.as_str(), b.as_str()] && p.code.is_none() {
        println!(
            "{}",
            crate::report::themes::capitalised(&coverage.sentence())
        );
    }
    Ok(())
}

/// `thema consensus list`: every disagreement with both coders' quotes.
fn list(cli: &Cli, p: &Pair, open: bool) -> Result<()> {
    let study = cli.open()?;
    let ((a, b), list) = find(&study, p)?;
    let list: Vec<&Disagreement> = list
        .iter()
        .filter(|d| !open || d.resolution.is_none())
        .collect();
    if cli.json {
        return output::json(&list);
    }
    for d in &list {
        let t = study.find_transcript(&d.transcript)?;
        let turn = t
            .as_ref()
            .and_then(|t| t.turn_at(d.start))
            .filter(|t| t.is_numbered())
            .map(|t| format!(" turn {}", t.number))
            .unwrap_or_default();
        let status = match &d.resolution {
            Some(r) => format!("resolved: took {:?} ({})", r.take, r.by).to_lowercase(),
            None => "open".to_string(),
        };
        println!(
            "{}  {}  {}{turn}  {}  [{status}]",
            d.id,
            study.code_path(&d.code),
            d.transcript,
            d.kind()
        );
        let quote = |spans: &[(usize, usize)]| -> String {
            spans
                .iter()
                .map(|(s, e)| {
                    t.as_ref()
                        .map(|t| shorten(t.slice(*s, *e), 120))
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" … ")
        };
        println!(
            "    A {a}: {}",
            if d.a.is_empty() {
                "—".to_string()
            } else {
                format!("\"{}\"", quote(&d.a))
            }
        );
        println!(
            "    B {b}: {}",
            if d.b.is_empty() {
                "—".to_string()
            } else {
                format!("\"{}\"", quote(&d.b))
            }
        );
    }
    println!("{} disagreement(s)", list.len());
    Ok(())
}

/// `thema consensus resolve`: one disagreement into the consensus layer.
fn resolve(cli: &Cli, id: &str, take: Take, why: Option<&str>, p: &Pair) -> Result<()> {
    let by = cli.coder()?;
    let mut study = cli.open()?;
    let ((a, b), list) = find(&study, p)?;
    let Some(d) = list.into_iter().find(|d| d.id == id) else {
        bail!(
            "no disagreement '{id}' between {a} and {b} (`thema consensus list --coders {a},{b}`)"
        );
    };
    if let Some(previous) = &d.resolution {
        eprintln!(
            "note: {id} was already resolved by {} ({:?}); resolving again",
            previous.by, previous.take
        );
    }
    let r = study.resolve(&by, &d, (&a, &b), take, None, why)?;
    println!(
        "resolved {id}: took {} for {} in {} → {} consensus segment(s)",
        format!("{:?}", r.take).to_lowercase(),
        study.code_path(&r.code),
        r.transcript,
        r.spans.len()
    );
    Ok(())
}
