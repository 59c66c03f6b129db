//! `thema init`, `thema transcripts`, `thema check`, and the default command.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::cli::{output, Cli};
use crate::study::check::Severity;
use crate::study::Study;

/// `thema init`: an empty study in `dir`.
pub fn init(dir: &Path, name: Option<&str>) -> Result<()> {
    let name = match name {
        Some(n) => n.to_string(),
        None => dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "study".to_string()),
    };
    Study::init(dir, &name)?;
    println!("Created study '{name}' in {}", dir.display());
    println!("Next: thema -C {} import INTERVIEW.docx ...", dir.display());
    Ok(())
}

/// With no command: the TUI on a terminal, else a summary of the study.
pub fn open_default(cli: &Cli) -> Result<()> {
    use std::io::IsTerminal;
    let study = cli.open()?;
    if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        return summary(&study);
    }
    // a researcher trying the demo may not have set a coder yet: fall back to the login name
    let coder = cli.coder().or_else(|_| {
        let login = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_default();
        let slug = crate::study::coder::slug(&login);
        Ok::<String, anyhow::Error>(if slug.is_empty() {
            "researcher".to_string()
        } else {
            slug
        })
    })?;
    crate::tui::run(study, coder)
}

/// A few lines describing the study.
pub fn summary(study: &Study) -> Result<()> {
    let words: usize = study.transcripts().iter().map(|t| t.words).sum();
    println!("{} — {}", study.name(), study.root.display());
    println!(
        "  {} transcripts, {} words",
        study.transcripts().len(),
        words
    );
    for loaded in &study.codebooks {
        println!(
            "  codebook '{}': {} codes",
            loaded.codebook.name,
            loaded.codebook.codes.len()
        );
    }
    for (coder, segments) in study.layers()? {
        println!("  coder {coder}: {} segments", segments.len());
    }
    println!("  {} memos", study.memos.len());
    Ok(())
}

/// Arguments of `thema transcripts`.
#[derive(Debug, clap::Args)]
pub struct TranscriptsArgs {
    /// One transcript (with --turns: its turns).
    pub transcript: Option<String>,
    /// List the transcript's numbered turns: the numbers `thema code --turn N` takes.
    #[arg(long, requires = "transcript")]
    pub turns: bool,
}

#[derive(Serialize)]
struct TranscriptRow<'a> {
    id: &'a str,
    participant: &'a str,
    /// `interview` (speaker turns) or `document` (paragraphs without speakers).
    kind: &'static str,
    turns: usize,
    words: usize,
    attributes: BTreeMap<String, String>,
}

/// One numbered turn as `thema transcripts ID --turns` lists it.
#[derive(Serialize)]
struct TurnRow {
    turn: usize,
    timestamp: Option<String>,
    speaker: Option<String>,
    start: usize,
    end: usize,
    text: String,
}

/// `thema transcripts ID --turns`: every numbered turn with its number, time, speaker and
/// opening words.
fn print_turns(cli: &Cli, study: &Study, id: &str) -> Result<()> {
    let t = study.transcript(id)?;
    let rows: Vec<TurnRow> = t
        .numbered_turns()
        .map(|turn| TurnRow {
            turn: turn.number,
            timestamp: turn.timestamp.clone(),
            speaker: turn.speaker.clone(),
            start: turn.body_start,
            end: turn.end,
            text: t.body(turn).to_string(),
        })
        .collect();
    if cli.json {
        return output::json(&rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.turn.to_string(),
                r.timestamp.clone().unwrap_or_default(),
                r.speaker.clone().unwrap_or_default(),
                crate::study::coding::shorten(&r.text, 70),
            ]
        })
        .collect();
    output::table(&["turn", "time", "speaker", "text"], &table);
    let kind = if t.is_document() {
        "paragraphs (a document without speakers)"
    } else {
        "speaker turns; notes have no number"
    };
    println!("{} turns: {kind}", rows.len());
    Ok(())
}

/// `thema transcripts`: the transcripts with their counts, or one transcript's turns.
pub fn transcripts(cli: &Cli, args: &TranscriptsArgs) -> Result<()> {
    let study = cli.open()?;
    if let Some(id) = &args.transcript {
        if args.turns {
            return print_turns(cli, &study, id);
        }
    }
    let rows: Vec<TranscriptRow> = study
        .transcripts()
        .iter()
        .filter(|t| {
            args.transcript
                .as_deref()
                .is_none_or(|id| t.id.eq_ignore_ascii_case(id))
        })
        .map(|t| TranscriptRow {
            id: &t.id,
            participant: study.attributes.participant(&t.id),
            kind: if t.is_document() {
                "document"
            } else {
                "interview"
            },
            turns: t.turns(),
            words: t.words,
            attributes: study
                .attributes
                .row(&t.id)
                .into_iter()
                .filter(|(k, _)| k != "participant")
                .collect(),
        })
        .collect();
    if cli.json {
        return output::json(&rows);
    }
    let columns: Vec<String> = study
        .attributes
        .columns
        .iter()
        .filter(|c| *c != "transcript" && *c != "participant")
        .cloned()
        .collect();
    if let Some(id) = &args.transcript {
        if rows.is_empty() {
            return Err(study.no_transcript(id).into());
        }
    }
    let mut headers = vec!["id", "participant", "kind", "turns", "words"];
    headers.extend(columns.iter().map(String::as_str));
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                r.id.to_string(),
                r.participant.to_string(),
                r.kind.to_string(),
                r.turns.to_string(),
                r.words.to_string(),
            ];
            cells.extend(
                columns
                    .iter()
                    .map(|c| r.attributes.get(c).cloned().unwrap_or_default()),
            );
            cells
        })
        .collect();
    output::table(&headers, &table);
    Ok(())
}

/// `thema check`: every problem in the study's files, errors first.
pub fn check(cli: &Cli) -> Result<()> {
    let root = cli.root()?;
    let problems = crate::study::check::check(&root)?;
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    if cli.json {
        output::json(&problems)?;
    } else {
        for p in &problems {
            println!("{p}");
        }
        let warnings = problems.len() - errors;
        if problems.is_empty() {
            println!("study is clean");
        } else {
            println!("{errors} error(s), {warnings} warning(s)");
        }
    }
    if errors > 0 {
        return Err(
            crate::cli::exit::ProblemsFound(format!("the study has {errors} error(s)")).into(),
        );
    }
    Ok(())
}
