//! The batch forms of `thema code` — `--search`, `--speaker`, `--where`, `--transcript`,
//! `--from FILE` — and `thema uncode --batch`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use serde::Serialize;

use crate::autocode::turns::Scope;
use crate::autocode::{place, rows, turns, Coding, Context};
use crate::cli::{output, Cli};
use crate::model::codebook::Description;
use crate::model::Segment;
use crate::study::batch::BatchOutcome;
use crate::study::coding::shorten;
use crate::study::Study;

/// Passages a dry run shows in full.
const PREVIEW: usize = 5;
/// Transcripts from which a batch shows a progress bar (on a terminal).
const PROGRESS_FROM: usize = 50;

/// Options of the batch forms of `thema code`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Code every hit of this query (the syntax of `thema search`), widened to --context.
    #[arg(long, value_name = "QUERY", conflicts_with_all = ["speaker", "from"])]
    pub search: Option<String>,
    /// With --search: how far each hit is widened (hit, sentence, paragraph, turn).
    #[arg(long, default_value = "sentence", value_parser = parse_context, requires = "search")]
    pub context: Context,
    /// Code every turn of this speaker (its label, ignoring case).
    #[arg(long, value_name = "NAME", conflicts_with = "from")]
    pub speaker: Option<String>,
    /// Only transcripts whose attribute COLUMN is VALUE (repeatable; all must hold); alone,
    /// codes every speaker turn of those transcripts.
    #[arg(long = "where", value_name = "COLUMN=VALUE", conflicts_with = "from")]
    pub filters: Vec<String>,
    /// Only this transcript; alone, codes every speaker turn of it.
    #[arg(long = "transcript", value_name = "ID", conflicts_with = "from")]
    pub in_transcript: Option<String>,
    /// Code the rows of a CSV or JSON Lines file (transcript; start,end | quote | turn; code;
    /// memo) — `thema export segments` writes one.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// With --from: code nothing unless every row can be placed.
    #[arg(long, requires = "from")]
    pub strict: bool,
    /// With --from: create the codes the file names that the study lacks.
    #[arg(long, requires = "from")]
    pub create_codes: bool,
    /// With --create-codes: the code (path or id) under which new codes go.
    #[arg(long, value_name = "CODE", requires = "create_codes")]
    pub parent: Option<String>,
    /// Show what would be coded; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

impl BatchArgs {
    /// Whether the command is a batch (any batch option given).
    pub fn is_batch(&self) -> bool {
        self.search.is_some()
            || self.speaker.is_some()
            || !self.filters.is_empty()
            || self.in_transcript.is_some()
            || self.from.is_some()
    }
}

fn parse_context(name: &str) -> Result<Context, String> {
    Context::parse(name)
        .ok_or_else(|| format!("'{name}' is not a context; use hit, sentence, paragraph or turn"))
}

/// What a batch prints as JSON.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    coder: &'a str,
    #[serde(flatten)]
    outcome: &'a BatchOutcome,
    by_code: Vec<CodeCount>,
    /// The first passages, in full.
    first: &'a [Segment],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<place::Problem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    created_codes: Vec<String>,
}

/// Segments written per code and transcript.
#[derive(Debug, Serialize)]
struct CodeCount {
    code: String,
    path: String,
    transcript: String,
    segments: usize,
}

/// `thema code` with a batch option.
pub fn code(
    cli: &Cli,
    args: &BatchArgs,
    positional: &[String],
    codebook: Option<&str>,
) -> Result<()> {
    let coder = cli.coder()?;
    let mut study = cli.open()?;
    if !args.dry_run {
        // refused before anything is written (codes created) when another process codes as you
        study.lock(&coder)?;
    }
    let (codings, what, problems, created) = match &args.from {
        Some(path) => {
            if !positional.is_empty() {
                bail!(
                    "--from takes no CODE: each row names its code (got '{}')",
                    positional.join(" ")
                );
            }
            from_file(&mut study, &coder, args, path, codebook)?
        }
        None => {
            let [code] = positional else {
                bail!("give the CODE to apply, e.g. thema code --search \"bus\" Transport");
            };
            let code = study.resolve_code(code, codebook)?.id.clone();
            let (codings, what) = select(&study, args, &code)?;
            (codings, what, Vec::new(), Vec::new())
        }
    };
    let outcome = run_batch(&mut study, &coder, &codings, &what, args.dry_run)?;
    let by_code = counts(&study, &outcome.segments);
    if cli.json {
        return output::json(&Summary {
            coder: &coder,
            outcome: &outcome,
            by_code,
            first: &outcome.segments[..outcome.segments.len().min(PREVIEW)],
            problems,
            created_codes: created,
        });
    }
    report(&study, &coder, &outcome, &by_code, &created, args.dry_run);
    Ok(())
}

/// The passages of `--search`, `--speaker`, `--where` and `--transcript`, and how to describe
/// the batch.
fn select(study: &Study, args: &BatchArgs, code: &str) -> Result<(Vec<Coding>, String)> {
    let mut scope = Scope {
        transcript: args.in_transcript.clone(),
        attributes: crate::cli::coding::parse_filters(&args.filters)?,
    };
    scope.check(study)?;
    let mut what = match (&args.search, &args.speaker) {
        (Some(q), _) => format!("--search {q:?} --context {}", args.context),
        (None, Some(s)) => format!("--speaker {s:?}"),
        (None, None) => "every speaker turn".to_string(),
    };
    for f in &args.filters {
        what.push_str(&format!(" --where {f}"));
    }
    if let Some(t) = &scope.transcript {
        what.push_str(&format!(" --transcript {t}"));
    }
    let codings = match &args.search {
        Some(query) => {
            let index = crate::cli::search::open_index(study)?;
            turns::search(study, &index, query, args.context, code, &scope)?
        }
        None => turns::turns(study, args.speaker.as_deref(), code, &scope)?,
    };
    Ok((codings, format!("{what} → {}", study.code_path(code))))
}

/// The rows of `--from`: placed, problems reported, missing codes created when asked.
#[allow(clippy::type_complexity)]
fn from_file(
    study: &mut Study,
    coder: &str,
    args: &BatchArgs,
    path: &std::path::Path,
    codebook: Option<&str>,
) -> Result<(Vec<Coding>, String, Vec<place::Problem>, Vec<String>)> {
    let (_, rows) = rows::read(path)?;
    let missing = place::missing_codes(study, &rows, codebook);
    let to_create: BTreeSet<String> = if args.create_codes {
        missing.iter().cloned().collect()
    } else {
        BTreeSet::new()
    };
    // new codes go under the parent, in its codebook
    let (parent, new_codebook) = match &args.parent {
        Some(p) => {
            let id = study.resolve_code(p, codebook)?.id.clone();
            let file = study.codebook_file_of(&id).map(str::to_string);
            (Some(study.code_path(&id)), file)
        }
        None => (None, codebook.map(str::to_string)),
    };
    let mut placed = place::place(study, &rows, codebook, &to_create);
    for p in &placed.problems {
        eprintln!("{}:{}: {}", path.display(), p.line, p.message);
    }
    if !placed.problems.is_empty() {
        let n = placed.problems.len();
        if args.strict {
            bail!(
                "{n} of {} row(s) of {} cannot be placed (listed above); --strict: nothing was coded",
                rows.len(),
                path.display()
            );
        }
        eprintln!(
            "{n} of {} row(s) cannot be placed (listed above); coding the other {}",
            rows.len(),
            rows.len() - n
        );
    }
    let mut created = Vec::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for reference in missing.iter().filter(|r| to_create.contains(*r)) {
        let full = match &parent {
            Some(p) => format!("{p}/{reference}"),
            None => reference.clone(),
        };
        if !args.dry_run {
            let why = format!("created by thema code --from {}", path.display());
            let id = study.add_code(
                coder,
                new_codebook.as_deref(),
                &full,
                &Description::default(),
                Some(&why),
            )?;
            ids.insert(reference.clone(), id);
        }
        created.push(full);
    }
    if args.dry_run && !placed.pending.is_empty() {
        eprintln!(
            "dry run: would create {} code(s) ({}); their {} row(s) are not previewed",
            created.len(),
            created.join(", "),
            placed.pending.len()
        );
        let pending: BTreeSet<usize> = placed.pending.iter().copied().collect();
        let mut i = 0;
        placed.codings.retain(|_| {
            i += 1;
            !pending.contains(&(i - 1))
        });
    } else {
        for &i in &placed.pending {
            if let Some(id) = ids.get(&placed.codings[i].code) {
                placed.codings[i].code = id.clone();
            }
        }
    }
    let what = format!("--from {}", path.display());
    Ok((placed.codings, what, placed.problems, created))
}

/// Applies (or previews) a batch, with a progress bar on a terminal for long runs.
fn run_batch(
    study: &mut Study,
    coder: &str,
    codings: &[Coding],
    what: &str,
    dry_run: bool,
) -> Result<BatchOutcome> {
    let transcripts: BTreeSet<&str> = codings.iter().map(|c| c.transcript.as_str()).collect();
    let bar = (transcripts.len() >= PROGRESS_FROM && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(transcripts.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("coding {bar:30} {pos}/{len} transcripts")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let outcome = study.code_batch(coder, codings, what, dry_run, &mut tick)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(outcome)
}

/// Segments per code and transcript, in code path then transcript order.
fn counts(study: &Study, segments: &[Segment]) -> Vec<CodeCount> {
    let mut by: BTreeMap<(String, String), (String, usize)> = BTreeMap::new();
    for s in segments {
        let path = study.code_path(&s.code);
        by.entry((path, s.transcript.clone()))
            .or_insert_with(|| (s.code.clone(), 0))
            .1 += 1;
    }
    by.into_iter()
        .map(|((path, transcript), (code, segments))| CodeCount {
            code,
            path,
            transcript,
            segments,
        })
        .collect()
}

/// Prints what a batch did or would do.
fn report(
    study: &Study,
    coder: &str,
    outcome: &BatchOutcome,
    by_code: &[CodeCount],
    created: &[String],
    dry_run: bool,
) {
    let transcripts: BTreeSet<&str> = by_code.iter().map(|c| c.transcript.as_str()).collect();
    let verb = if dry_run { "would code" } else { "coded" };
    println!(
        "{coder} {verb} {} passage(s) in {} transcript(s): {} new segment(s), {} existing widened; {} already coded (skipped), {} merged with a neighbour",
        outcome.segments.len(),
        transcripts.len(),
        outcome.new,
        outcome.widened,
        outcome.skipped,
        outcome.merged
    );
    if !created.is_empty() && !dry_run {
        println!("created {} code(s): {}", created.len(), created.join(", "));
    }
    if dry_run {
        let rows: Vec<Vec<String>> = by_code
            .iter()
            .map(|c| vec![c.path.clone(), c.transcript.clone(), c.segments.to_string()])
            .collect();
        if !rows.is_empty() {
            output::table(&["code", "transcript", "segments"], &rows);
        }
        for s in outcome.segments.iter().take(PREVIEW) {
            println!(
                "\n{} {}..{} {}:\n    \"{}\"",
                s.transcript,
                s.start,
                s.end,
                study.code_path(&s.code),
                s.quote
            );
        }
        if outcome.segments.len() > PREVIEW {
            println!("\n… and {} more", outcome.segments.len() - PREVIEW);
        }
        println!("dry run: nothing was written");
    } else if !outcome.batch.is_empty() {
        println!(
            "batch {} — undo it with `thema uncode --batch {}` (or --batch last)",
            outcome.batch, outcome.batch
        );
    } else {
        println!("nothing to write");
    }
}

/// `thema uncode --batch ID|last`.
pub fn uncode(cli: &Cli, batch: &str) -> Result<()> {
    let coder = cli.coder()?;
    let mut study = cli.open()?;
    let undone = study.undo_batch(&coder, batch)?;
    if cli.json {
        return output::json(&undone);
    }
    println!(
        "undid batch {} ({}): removed {} segment(s), put back {} as they were",
        undone.batch,
        shorten(&undone.what, 80),
        undone.removed,
        undone.restored
    );
    Ok(())
}
