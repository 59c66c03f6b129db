//! `thema code`, `thema uncode`, `thema segments`.

use anyhow::{bail, Result};
use clap::Args;
use serde::Serialize;

use crate::cli::{output, Cli};
use crate::study::coding::{shorten, SegmentFilter, Span};

/// Arguments of `thema code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// Transcript id.
    pub transcript: String,
    /// START END code-point offsets then CODE; or just CODE with --quote or --turn.
    #[arg(num_args = 1..=3, value_name = "START END CODE")]
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
}

pub fn code(cli: &Cli, args: &CodeArgs) -> Result<()> {
    let (span, code) = match (&args.quote, args.turn, args.rest.as_slice()) {
        (Some(q), None, [code]) => (Span::Quote(q.clone()), code),
        (None, Some(n), [code]) => (Span::Turn(n), code),
        (None, None, [start, end, code]) => {
            let parse = |s: &str, what: &str| -> Result<usize> {
                s.parse()
                    .map_err(|_| anyhow::anyhow!("{what} '{s}' is not a number of characters"))
            };
            (
                Span::Range(parse(start, "START")?, parse(end, "END")?),
                code,
            )
        }
        _ => bail!("give START END CODE, or --quote TEXT CODE, or --turn N CODE"),
    };
    let coder = cli.coder()?;
    let mut study = cli.open()?;
    let code_id = study
        .resolve_code(code, args.codebook.as_deref())?
        .id
        .clone();
    let segment = study.apply_code(&coder, &args.transcript, &span, &code_id)?;
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
    /// Only this coder's segments (repeatable).
    #[arg(long = "by-coder", alias = "from", value_name = "CODER")]
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

pub fn segments(cli: &Cli, args: &SegmentsArgs) -> Result<()> {
    let study = cli.open()?;
    let mut filter = SegmentFilter {
        attributes: parse_filters(&args.filters)?,
        transcript: args.transcript.clone(),
        ..SegmentFilter::default()
    };
    for (column, _) in &filter.attributes {
        if column != "transcript" && !study.attributes.columns.iter().any(|c| c == column) {
            bail!(
                "no attribute column '{column}'; columns: {}",
                study.attributes.columns.join(", ")
            );
        }
    }
    if let Some(code) = &args.code {
        filter.codes = Some(study.code_selection(code, args.exact)?);
    }
    let mut coders: Vec<String> = args.by_coder.clone();
    if let Some(c) = &cli.coder {
        coders.push(c.clone());
    }
    if !coders.is_empty() {
        filter.coders = Some(coders.into_iter().collect());
    }
    let selected: Vec<(&str, &crate::model::Segment)> = if args.exact
        || args.transcript.is_some()
        || filter.coders.as_ref().is_some_and(|c| c.len() > 1)
    {
        study.select_segments(&filter)
    } else {
        // retrieval for constant comparison comes from the index (code facets include descendants)
        let index = crate::cli::search::open_index(&study)?;
        let query = crate::index::SegmentQuery {
            codes: args
                .code
                .as_ref()
                .map(|c| study.resolve_code(c, None).map(|code| code.id.clone()))
                .transpose()?,
            coder: filter
                .coders
                .as_ref()
                .and_then(|c| c.iter().next().cloned()),
            attributes: filter.attributes.clone(),
        };
        let by_id: std::collections::HashMap<&str, (&str, &crate::model::Segment)> = study
            .codings
            .iter()
            .flat_map(|(c, segs)| segs.iter().map(move |s| (s.id.as_str(), (c.as_str(), s))))
            .collect();
        let mut found: Vec<(&str, &crate::model::Segment)> = index
            .segments(&study, &query)?
            .iter()
            .filter_map(|h| h.segment.as_deref().and_then(|id| by_id.get(id).copied()))
            .collect();
        found.sort_by(|a, b| a.0.cmp(b.0).then(a.1.sort_key().cmp(&b.1.sort_key())));
        found
    };
    let rows: Vec<SegmentRow> = selected
        .into_iter()
        .map(|(coder, s)| {
            let turn = study
                .transcript(&s.transcript)
                .and_then(|t| t.turn_at(s.start));
            SegmentRow {
                id: s.id.clone(),
                coder: coder.to_string(),
                transcript: s.transcript.clone(),
                participant: study.attributes.participant(&s.transcript).to_string(),
                attribution: study
                    .attributes
                    .attribution(&s.transcript, &study.settings.attribution),
                code: s.code.clone(),
                path: study.code_path(&s.code),
                start: s.start,
                end: s.end,
                turn: turn.map(|t| t.number),
                speaker: turn.and_then(|t| t.speaker.clone()),
                quote: s.quote.clone(),
                memo: s.memo.clone(),
                flag: s.flag.clone(),
            }
        })
        .collect();
    if let Some(by) = &args.by {
        if !study.attributes.columns.iter().any(|c| c == by) {
            bail!(
                "no attribute column '{by}'; columns: {}",
                study.attributes.columns.join(", ")
            );
        }
        let mut groups: std::collections::BTreeMap<String, Vec<&SegmentRow>> =
            std::collections::BTreeMap::new();
        for r in &rows {
            let value = study
                .attributes
                .get(&r.transcript, by)
                .unwrap_or("(none)")
                .to_string();
            groups.entry(value).or_default().push(r);
        }
        if cli.json {
            return output::json(&groups);
        }
        for (value, group) in &groups {
            println!("── {by}: {value} ({} segment(s))", group.len());
            for r in group {
                println!("  {}  {}  {}  [{}]", r.id, r.coder, r.path, r.transcript);
                println!("      \"{}\" ({})", shorten(&r.quote, 200), r.attribution);
            }
        }
        println!("{} segment(s)", rows.len());
        return Ok(());
    }
    if cli.json {
        return output::json(&rows);
    }
    for r in &rows {
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
    println!("{} segment(s)", rows.len());
    Ok(())
}
