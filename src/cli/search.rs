//! `thema index`, `thema search`, `thema similar`: retrieval through the tantivy index.

use std::io::IsTerminal;

use anyhow::Result;
use clap::Args;

use crate::cli::{output, Cli};
use crate::index::{Hit, HitKind, Index};
use crate::study::Study;

/// Arguments of `thema search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Query: words, "phrases", AND/OR/NOT, fields (speaker: coder: code:/theme transcript: kind: and attribute names).
    pub query: String,
    /// Results to show.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Whose coded segments to show among the hits (turns are always shown).
    #[command(flatten)]
    pub coders: crate::cli::select::CodersArg,
}

/// Opens (refreshing as needed) the study's index, with a progress bar on a terminal.
pub fn open_index(study: &Study) -> Result<Index> {
    let (index, _) = Index::open(study, std::io::stderr().is_terminal())?;
    Ok(index)
}

/// Highlights with `[…]` (plain text) the matched words of a snippet.
pub fn marked(hit: &Hit) -> String {
    let text = &hit.snippet.text;
    let mut out = String::new();
    let mut last = 0;
    for (a, b) in &hit.snippet.highlights {
        if *a < last || *b > text.len() || !text.is_char_boundary(*a) || !text.is_char_boundary(*b)
        {
            continue;
        }
        out.push_str(&text[last..*a]);
        out.push('[');
        out.push_str(&text[*a..*b]);
        out.push(']');
        last = *b;
    }
    out.push_str(&text[last..]);
    out
}

fn print_hit(study: &Study, hit: &Hit) {
    let attribution = study
        .attributes
        .attribution(&hit.transcript, &study.settings.attribution);
    let what = match hit.kind {
        HitKind::Turn => format!("turn {}", hit.turn),
        HitKind::Segment => format!(
            "segment {} · {} · {}",
            hit.segment.as_deref().unwrap_or(""),
            hit.coder.as_deref().unwrap_or(""),
            hit.code
                .as_deref()
                .map(|c| study.code_path(c))
                .unwrap_or_default()
        ),
    };
    let speaker = hit
        .speaker
        .as_deref()
        .map(|s| format!("{s}: "))
        .unwrap_or_default();
    println!("{} {what}  ({attribution})", hit.transcript);
    println!("    {speaker}{}", marked(hit));
}

pub fn search(cli: &Cli, args: &SearchArgs) -> Result<()> {
    let study = cli.open()?;
    let index = open_index(&study)?;
    let layer = args.coders.layer(&study)?;
    let only = crate::cli::select::segments_of(&study, &layer)?;
    let mut results = index.search_in(&study, &args.query, args.limit, only.as_ref())?;
    crate::cli::select::keep_layer(&study, &layer, &mut results.hits)?;
    if cli.json {
        return output::json(&results);
    }
    for hit in &results.hits {
        print_hit(&study, hit);
    }
    let turns = results
        .hits
        .iter()
        .filter(|h| h.kind == HitKind::Turn)
        .count();
    println!(
        "{} match(es); showing {} ({} turns, {} segments)",
        results.total,
        results.hits.len(),
        turns,
        results.hits.len() - turns
    );
    Ok(())
}

pub fn similar(cli: &Cli, segment: &str, limit: usize) -> Result<()> {
    let study = cli.open()?;
    let index = open_index(&study)?;
    let hits = index.similar(&study, segment, limit)?;
    if cli.json {
        return output::json(&hits);
    }
    if let Some((coder, code)) = index.segment_owner(&study, segment)? {
        println!(
            "passages like {segment} ({coder}, {}):",
            study.code_path(&code)
        );
    }
    for hit in &hits {
        print_hit(&study, hit);
    }
    println!("{} passage(s) not yet coded with that code", hits.len());
    Ok(())
}

pub fn index(cli: &Cli, rebuild: bool) -> Result<()> {
    let study = cli.open()?;
    let progress = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let (refresh, docs) = if rebuild {
        let index = Index::rebuild(&study, progress)?;
        (None, index.len())
    } else {
        let (index, refresh) = Index::open(&study, progress)?;
        (Some(refresh), index.len())
    };
    if cli.json {
        return output::json(&serde_json::json!({ "refresh": refresh, "documents": docs }));
    }
    match refresh {
        Some(r) if r.rebuilt => println!("built the index: {docs} documents"),
        Some(r) if r.docs == 0 => println!("index up to date: {docs} documents"),
        Some(r) => println!(
            "refreshed {} transcript(s) and {} coder(s): {} documents written, {docs} in all",
            r.transcripts, r.coders, r.docs
        ),
        None => println!("rebuilt the index: {docs} documents"),
    }
    println!("in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    Ok(())
}
