//! Placing the rows of a batch file in the study: which transcript, which passage, which code.
//!
//! A row names its transcript (`transcript`), its code (`path` or `code`: a code path or id;
//! `path` is tried first, as an export of another study carries both and only the path means
//! the same there) and its passage by one of: `start` and `end` (code points; with a `quote`,
//! the quote must be there, else it is looked for), `quote` alone (it must occur once), or
//! `turn` (the turn's speech). `memo` is optional. A row that cannot be placed becomes a
//! [`Problem`] naming its line; the others are placed.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::autocode::rows::Row;
use crate::autocode::Coding;
use crate::model::Transcript;
use crate::study::coding::{locate, Span};
use crate::study::Study;

/// A row that cannot be placed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// 1-based line of the file (item of a JSON array).
    pub line: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

/// The rows of a file placed in the study.
#[derive(Debug, Default)]
pub struct Placed {
    /// The passages to code. A passage whose code is still to be created carries the code
    /// reference as written in `code`; its index is in `pending`.
    pub codings: Vec<Coding>,
    /// Indices into `codings` of passages whose code is still to be created.
    pub pending: Vec<usize>,
    /// Rows that cannot be placed, in file order.
    pub problems: Vec<Problem>,
}

/// The code reference a row gives: its `path`, else its `code`.
pub fn code_reference(row: &Row) -> Option<&str> {
    row.get("path").or_else(|| row.get("code"))
}

/// The code id a row names, trying `path` then `code`.
fn resolve(study: &Study, row: &Row, codebook: Option<&str>) -> Option<String> {
    [row.get("path"), row.get("code")]
        .into_iter()
        .flatten()
        .find_map(|r| study.resolve_code(r, codebook).ok().map(|c| c.id.clone()))
}

/// Code references of readable rows that name no code of the study, in first-seen order.
pub fn missing_codes(study: &Study, rows: &[Row], codebook: Option<&str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for row in rows.iter().filter(|r| r.error.is_none()) {
        let Some(reference) = code_reference(row) else {
            continue;
        };
        if !seen.contains(reference) && resolve(study, row, codebook).is_none() {
            seen.insert(reference.to_string());
            out.push(reference.to_string());
        }
    }
    out
}

/// Places every row. Code references in `to_create` are accepted as codes still to be made
/// (see [`Placed::pending`]); any other unknown code is a problem.
pub fn place(
    study: &Study,
    rows: &[Row],
    codebook: Option<&str>,
    to_create: &BTreeSet<String>,
) -> Placed {
    let mut placed = Placed::default();
    // one transcript in memory at a time: the rows are taken transcript by transcript
    let mut order: Vec<&Row> = rows.iter().collect();
    order.sort_by_key(|r| r.get("transcript"));
    let mut current: Option<(String, Result<Arc<Transcript>, String>)> = None;
    let mut codes: HashMap<(Option<String>, Option<String>), Option<String>> = HashMap::new();
    for row in order {
        let problem = |message: String| Problem {
            line: row.line,
            message,
        };
        if let Some(error) = &row.error {
            placed.problems.push(problem(error.clone()));
            continue;
        }
        let Some(name) = row.get("transcript") else {
            placed.problems.push(problem(
                "no transcript (a column 'transcript' naming a transcript id is needed)"
                    .to_string(),
            ));
            continue;
        };
        let Some(reference) = code_reference(row) else {
            placed.problems.push(problem(
                "no code (a column 'code' or 'path' naming a code path or id is needed)"
                    .to_string(),
            ));
            continue;
        };
        let key = (
            row.get("path").map(str::to_string),
            row.get("code").map(str::to_string),
        );
        let code = codes
            .entry(key)
            .or_insert_with(|| resolve(study, row, codebook))
            .clone();
        let pending = code.is_none() && to_create.contains(reference);
        let code = match code {
            Some(id) => id,
            None if pending => reference.to_string(),
            None => {
                let message = match study.resolve_code(reference, codebook) {
                    Err(e) => format!("{e}; or pass --create-codes"),
                    Ok(_) => format!("no code '{reference}'"),
                };
                placed.problems.push(problem(message));
                continue;
            }
        };
        let t = match &current {
            Some((id, t)) if id == name => t.clone(),
            _ => {
                let t = study.transcript_passing(name).map_err(|e| e.to_string());
                current = Some((name.to_string(), t.clone()));
                t
            }
        };
        let t = match t {
            Ok(t) => t,
            Err(e) => {
                placed.problems.push(problem(e));
                continue;
            }
        };
        match span_of(&t, row) {
            Ok((start, end)) => {
                if pending {
                    placed.pending.push(placed.codings.len());
                }
                placed.codings.push(Coding {
                    transcript: t.id.clone(),
                    start,
                    end,
                    code,
                    memo: row.get("memo").map(|m| m.trim().to_string()),
                });
            }
            Err(e) => placed.problems.push(problem(e)),
        }
    }
    placed.problems.sort_by_key(|p| p.line);
    placed
}

/// Whether two passages read the same (spacing aside).
fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

fn number(value: &str, column: &str) -> Result<usize, String> {
    value.trim().parse().map_err(|_| {
        format!("{column} '{value}' is not a number of characters (code points from 0)")
    })
}

/// The passage a row names, in code points snapped to grapheme boundaries.
fn span_of(t: &Transcript, row: &Row) -> Result<(usize, usize), String> {
    let quote = row.get("quote");
    match (row.get("start"), row.get("end")) {
        (Some(start), Some(end)) => {
            let (start, end) = (number(start, "start")?, number(end, "end")?);
            let at = locate(t, &Span::Range(start, end));
            let Some(quote) = quote else {
                return at.map_err(|e| e.to_string());
            };
            if let Ok((a, b)) = at {
                if same_words(t.slice(a, b), quote) {
                    return Ok((a, b));
                }
            }
            // the text changed, or the offsets come from another copy of it: find the quote
            locate(t, &Span::Quote(quote.to_string()))
                .map_err(|e| format!("{start}..{end} does not hold the row's quote, and {e}"))
        }
        (Some(_), None) | (None, Some(_)) => {
            Err("give both start and end (or a quote, or a turn)".to_string())
        }
        (None, None) => match (quote, row.get("turn")) {
            (Some(quote), _) => {
                locate(t, &Span::Quote(quote.to_string())).map_err(|e| e.to_string())
            }
            (None, Some(turn)) => {
                let n = turn
                    .trim()
                    .parse()
                    .map_err(|_| format!("turn '{turn}' is not a turn number (from 1)"))?;
                locate(t, &Span::Turn(n)).map_err(|e| e.to_string())
            }
            (None, None) => Err("no passage: give start and end, a quote, or a turn".to_string()),
        },
    }
}
