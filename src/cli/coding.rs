//! `thema code`, `thema uncode`, `thema segments`.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use clap::Args;
use serde::Serialize;

use crate::cli::{output, Cli};
use crate::report::layer::Layer;
use crate::study::coding::{shorten, Span};
use crate::study::Study;

/// Arguments of `thema code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// TRANSCRIPT START END CODE (code-point offsets); TRANSCRIPT CODE with --quote or --turn;
    /// CODE alone with --search, --speaker, --where or --transcript; nothing with --from.
    #[arg(num_args = 0..=4, value_name = "ARGS")]
    pub rest: Vec<String>,
    /// Code the (unique) occurrence of this text.
    #[arg(long, conflicts_with = "turn")]
    pub quote: Option<String>,
    /// Code the speech of this turn (paragraph number, from 1).
    #[arg(long)]
    pub turn: Option<usize>,
    /// Codebook to look the code up in, when several define it.
    #[arg(long)]
    pub codebook: Option<String>,
    /// Batch coding: many passages as one operation.
    #[command(flatten)]
    pub batch: crate::cli::batch::BatchArgs,
}

/// `thema code`: one passage (offsets, quote, turn) or a batch (search, speaker, file).
pub fn code(cli: &Cli, args: &CodeArgs) -> Result<()> {
    if args.batch.is_batch() {
        if args.quote.is_some() || args.turn.is_some() {
            bail!("--quote and --turn code one passage; they do not go with --search, --speaker, --where, --transcript or --from");
        }
        return crate::cli::batch::code(cli, &args.batch, &args.rest, args.codebook.as_deref());
    }
    if args.batch.dry_run {
        bail!("--dry-run goes with the batch forms (--search, --speaker, --where, --transcript, --from)");
    }
    let (transcript, span, code) = match (&args.quote, args.turn, args.rest.as_slice()) {
        (Some(q), None, [transcript, code]) => (transcript, Span::Quote(q.clone()), code),
        (None, Some(n), [transcript, code]) => (transcript, Span::Turn(n), code),
        (None, None, [transcript, start, end, code]) => {
            let parse = |s: &str, what: &str| -> Result<usize> {
                s.parse()
                    .map_err(|_| anyhow::anyhow!("{what} '{s}' is not a number of characters"))
            };
            (
                transcript,
                Span::Range(parse(start, "START")?, parse(end, "END")?),
                code,
            )
        }
        _ => bail!("give TRANSCRIPT START END CODE, or TRANSCRIPT --quote TEXT CODE, or TRANSCRIPT --turn N CODE; or a batch: --search QUERY CODE, --speaker NAME CODE, --where COLUMN=VALUE CODE, --from FILE"),
    };
    let coder = cli.coder()?;
    let mut study = cli.open()?;
    let code_id = study
        .resolve_code(code, args.codebook.as_deref())?
        .id
        .clone();
    let segment = study.apply_code(&coder, transcript, &span, &code_id)?;
    if let (false, Some(book)) = (
        study.in_scope(&segment.code, &segment.transcript),
        study.codebook_of(&segment.code),
    ) {
        eprintln!(
            "note: {} is not one of the transcripts '{}' is for ({}); the segment is kept but not counted (`thema check` lists it)",
            segment.transcript,
            book.name,
            book.scope.as_ref().map(|s| s.describe()).unwrap_or_default()
        );
    }
    if cli.json {
        return output::json(&segment);
    }
    println!(
        "{} coded {} {}..{} with {}: \"{}\"",
        coder,
        segment.transcript,
        segment.start,
        segment.end,
        study.code_path(&segment.code),
        shorten(&segment.quote, 70)
    );
    println!("segment {}", segment.id);
    Ok(())
}

/// `thema uncode ID`: removes one of the coder's segments.
pub fn uncode(cli: &Cli, id: &str) -> Result<()> {
    let coder = cli.coder()?;
    let mut study = cli.open()?;
    let removed = study.uncode(&coder, id)?;
    if cli.json {
        return output::json(&removed);
    }
    println!(
        "removed {} ({} in {} {}..{})",
        removed.id,
        study.code_path(&removed.code),
        removed.transcript,
        removed.start,
        removed.end
    );
    Ok(())
}

/// Arguments of `thema segments`.
#[derive(Debug, Args)]
pub struct SegmentsArgs {
    /// Only this code and the codes beneath it (path or id).
    #[arg(long)]
    pub code: Option<String>,
    /// With --code: only that code, not its descendants.
    #[arg(long)]
    pub exact: bool,
    #[command(flatten)]
    pub coders: crate::cli::select::CodersArg,
    /// Only this coder's segments (repeatable; the same as --coders).
    #[arg(long = "by-coder", alias = "from", value_name = "CODER", hide = true)]
    pub by_coder: Vec<String>,
    /// Only this transcript.
    #[arg(long)]
    pub transcript: Option<String>,
    /// Attribute filter `column=value` (repeatable; all must hold).
    #[arg(long = "where", value_name = "COLUMN=VALUE")]
    pub filters: Vec<String>,
    /// Group the segments by an attribute (e.g. role), for constant comparison.
    #[arg(long)]
    pub by: Option<String>,
}

/// One retrieved segment as printed.
#[derive(Debug, Serialize)]
pub struct SegmentRow {
    /// Segment id.
    pub id: String,
    /// Coder.
    pub coder: String,
    /// Transcript id.
    pub transcript: String,
    /// Participant.
    pub participant: String,
    /// Attribution text.
    pub attribution: String,
    /// Code id.
    pub code: String,
    /// Code path.
    pub path: String,
    /// Range start (code points).
    pub start: usize,
    /// Range end (code points).
    pub end: usize,
    /// Turn number.
    pub turn: Option<usize>,
    /// Speaker of that turn.
    pub speaker: Option<String>,
    /// The quote.
    pub quote: String,
    /// Segment memo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// Flag (unanchored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
}

/// Parses `column=value` pairs.
pub fn parse_filters(filters: &[String]) -> Result<Vec<(String, String)>> {
    filters
        .iter()
        .map(|f| match f.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => bail!("--where needs COLUMN=VALUE, e.g. --where role=volunteer (got '{f}')"),
        })
        .collect()
}

/// `thema segments`: the coded segments of a code (and its sub-codes), by the chosen coders.
pub fn segments(cli: &Cli, args: &SegmentsArgs) -> Result<()> {
    let study = cli.open()?;
    let mut selection = args.coders.clone();
    selection.coders.extend(args.by_coder.iter().cloned());
    let layer = selection.layer(&study)?;
    let (rows, outside) = segment_rows(&study, args, &layer)?;
    let groups = match &args.by {
        Some(by) => {
            study.require_column(by)?;
            let mut groups: BTreeMap<String, Vec<&SegmentRow>> = BTreeMap::new();
            for r in &rows {
                let value = study.attributes.get(&r.transcript, by).unwrap_or("(none)");
                groups.entry(value.to_string()).or_default().push(r);
            }
            Some((by, groups))
        }
        None => None,
    };
    if cli.json {
        return match &groups {
            Some((_, groups)) => output::json(groups),
            None => output::json(&rows),
        };
    }
    match &groups {
        Some((by, groups)) => {
            for (value, group) in groups {
                println!("── {by}: {value} ({} segment(s))", group.len());
                for r in group {
                    println!("  {}  {}  {}  [{}]", r.id, r.coder, r.path, r.transcript);
                    println!("      \"{}\" ({})", shorten(&r.quote, 200), r.attribution);
                }
            }
        }
        None => rows.iter().for_each(print_row),
    }
    println!(
        "{} segment(s); {}{}",
        rows.len(),
        crate::cli::select::describe(&study, &layer)?,
        left_out(outside)
    );
    Ok(())
}

/// One segment as `thema segments` lists it.
fn print_row(r: &SegmentRow) {
    println!("{}  {}  {}  [{}]", r.id, r.coder, r.path, r.transcript);
    let flag = r
        .flag
        .as_deref()
        .map(|f| format!(" [{f}]"))
        .unwrap_or_default();
    println!(
        "    \"{}\" ({}){flag}",
        shorten(&r.quote, 200),
        r.attribution
    );
}

/// The segments `args` asks for, from the index, in the chosen layer, sorted by coder,
/// transcript and position; and how many were left out as outside their codebook's scope.
fn segment_rows(
    study: &Study,
    args: &SegmentsArgs,
    layer: &Layer,
) -> Result<(Vec<SegmentRow>, usize)> {
    let attributes = parse_filters(&args.filters)?;
    for (column, _) in &attributes {
        study.require_column(column)?;
    }
    let code = match &args.code {
        Some(code) => Some(study.resolve_code(code, None)?.id.clone()),
        None => None,
    };
    let transcript = match &args.transcript {
        Some(t) => Some(
            study
                .transcript_info(t)
                .map(|info| info.id.clone())
                .ok_or_else(|| study.no_transcript(t))?,
        ),
        None => None,
    };
    // retrieval for constant comparison comes from the index: no transcript is parsed and no
    // coder's file is read
    let index = crate::cli::search::open_index(study)?;
    let query = crate::index::SegmentQuery {
        codes: code,
        exact: args.exact,
        coder: None,
        coders: Vec::new(),
        transcript,
        attributes,
    };
    let mut hits = index.segments(study, &query)?;
    crate::cli::select::keep_layer(study, layer, &mut hits)?;
    hits.sort_by(|a, b| {
        (&a.coder, &a.transcript, a.start, a.end, &a.code, &a.segment).cmp(&(
            &b.coder,
            &b.transcript,
            b.start,
            b.end,
            &b.code,
            &b.segment,
        ))
    });
    // a code counts only over the transcripts its codebook is for
    let total = hits.len();
    hits.retain(|h| {
        h.code
            .as_deref()
            .is_none_or(|c| study.in_scope(c, &h.transcript))
    });
    let outside = total - hits.len();
    let rows = hits
        .into_iter()
        .map(|hit| {
            let code = hit.code.unwrap_or_default();
            SegmentRow {
                id: hit.segment.unwrap_or_default(),
                coder: hit.coder.unwrap_or_default(),
                participant: study.attributes.participant(&hit.transcript).to_string(),
                attribution: study
                    .attributes
                    .attribution(&hit.transcript, &study.settings.attribution),
                path: study.code_path(&code),
                code,
                start: hit.start,
                end: hit.end,
                turn: (hit.turn > 0).then_some(hit.turn),
                speaker: hit.speaker,
                quote: hit.quote.unwrap_or(hit.text),
                memo: hit.memo,
                flag: hit.flag,
                transcript: hit.transcript,
            }
        })
        .collect();
    Ok((rows, outside))
}

/// The note on segments a listing leaves out as outside their codebook's scope.
fn left_out(outside: usize) -> String {
    if outside == 0 {
        String::new()
    } else {
        format!("; {outside} outside their codebook's scope left out (`thema check` lists them)")
    }
}
