//! Agreement by coding round (`thema agree --by-round`): each round's figures, and the codebook
//! changes the team made between one round and the next (from the codebooks' history logs).
//!
//! Rounds come from `rounds/*.json` ([`crate::study::rounds`]) or are inferred from the segments'
//! `at` times and the history ([`crate::model::round::infer_rounds`]). This module reads the
//! study only through [`coding_began`] and [`changes`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::agreement::Agreement;
use crate::model::round::{between, infer_rounds, moment, Round};
use crate::report::agreement::{compute_on, AgreeError, AgreeRequest, CodeAgreement, Unit};
use crate::study::files::load_history;
use crate::study::rounds::load_rounds;
use crate::study::Study;

/// Where the rounds came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoundSource {
    /// `rounds/*.json`.
    Saved,
    /// Inferred from segment times and the codebook history.
    Auto,
}

/// One codebook change, as the history log has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// When.
    pub at: String,
    /// Who.
    pub coder: String,
    /// The codebook (file stem).
    pub codebook: String,
    /// `add`, `rename`, `describe`, `move`, `merge`, `split` or `delete`.
    pub op: String,
    /// The code's id.
    pub code: String,
    /// The code's path today (its id if it no longer exists).
    pub path: String,
    /// Why, as the team gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Agreement in one round.
#[derive(Debug, Clone, Serialize)]
pub struct RoundAgreement {
    /// The round's name.
    pub round: String,
    /// When it started.
    pub started: String,
    /// What it was for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The round's transcripts that at least two of the coders coded.
    pub transcripts: Vec<String>,
    /// Codebook changes since the previous round started (none listed before the first).
    pub changes_before: Vec<Change>,
    /// Every code pooled.
    pub overall: Agreement,
    /// Each code.
    pub codes: Vec<CodeAgreement>,
}

/// Agreement across rounds.
#[derive(Debug, Clone, Serialize)]
pub struct RoundsReport {
    /// Where the rounds came from.
    pub source: RoundSource,
    /// Unit of analysis.
    pub unit: Unit,
    /// Coders compared.
    pub coders: Vec<String>,
    /// One entry per round, in order.
    pub rounds: Vec<RoundAgreement>,
}

/// When each transcript's coding began: the earliest `at` of a segment by one of `coders` in it
/// (compared as moments, not strings).
pub fn coding_began(
    study: &Study,
    coders: &[String],
) -> Result<Vec<(String, String)>, crate::study::StudyError> {
    let mut first: BTreeMap<&str, &str> = BTreeMap::new();
    for coder in coders {
        for s in study.layer(coder)? {
            let Some(m) = moment(&s.at) else { continue };
            let earlier = first
                .get(s.transcript.as_str())
                .is_none_or(|at| moment(at).is_none_or(|old| m < old));
            if earlier {
                first.insert(&s.transcript, &s.at);
            }
        }
    }
    Ok(first
        .into_iter()
        .map(|(t, at)| (t.to_string(), at.to_string()))
        .collect())
}

/// Every codebook change in every history log, oldest first.
pub fn changes(study: &Study) -> Result<Vec<Change>, AgreeError> {
    let mut out = Vec::new();
    for book in &study.codebooks {
        let log =
            load_history(&study.root, &book.file).map_err(|e| AgreeError::Data(e.to_string()))?;
        for entry in log {
            let code = entry.op.code().to_string();
            out.push(Change {
                at: entry.at.clone(),
                coder: entry.coder.clone(),
                codebook: book.file.clone(),
                op: entry.op.name().to_string(),
                path: study.code_path(&code),
                code,
                why: entry.why.clone(),
            });
        }
    }
    out.sort_by(|a, b| moment(&a.at).cmp(&moment(&b.at)).then(a.at.cmp(&b.at)));
    Ok(out)
}

/// The rounds to report: saved ones, or inferred ones with `auto`.
pub fn rounds(study: &Study, request: &AgreeRequest, auto: bool) -> Result<Vec<Round>, AgreeError> {
    if auto {
        let times: Vec<String> = changes(study)?.into_iter().map(|c| c.at).collect();
        return Ok(infer_rounds(&coding_began(study, &request.coders)?, &times));
    }
    load_rounds(&study.root).map_err(|e| AgreeError::Data(e.to_string()))
}

/// Agreement in each round, with the codebook changes between rounds.
pub fn by_round(
    study: &Study,
    request: &AgreeRequest,
    auto: bool,
) -> Result<RoundsReport, AgreeError> {
    let rounds = rounds(study, request, auto)?;
    if rounds.is_empty() {
        return Err(AgreeError::Data(if auto {
            "no segment of these coders has a time to infer rounds from".to_string()
        } else {
            "the study has no coding rounds: start one with `thema round start NAME --transcripts ...`, or pass --rounds auto to infer them from the codebook history".to_string()
        }));
    }
    let log = changes(study)?;
    let mut out = Vec::new();
    for (i, round) in rounds.iter().enumerate() {
        let only: BTreeSet<String> = round.transcripts.iter().cloned().collect();
        let report = compute_on(study, request, Some(&only))?;
        let previous = i.checked_sub(1).map(|p| &rounds[p]);
        let changes_before = match previous {
            Some(_) => log
                .iter()
                .filter(|c| between(&c.at, previous, round))
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        out.push(RoundAgreement {
            round: round.name.clone(),
            started: round.started.clone(),
            note: round.note.clone(),
            transcripts: report.transcripts,
            changes_before,
            overall: report.overall,
            codes: report.codes,
        });
    }
    Ok(RoundsReport {
        source: if auto {
            RoundSource::Auto
        } else {
            RoundSource::Saved
        },
        unit: request.unit,
        coders: request.coders.clone(),
        rounds: out,
    })
}

/// A one-line summary of changes: "2 merge, 3 rename, 12 describe".
pub fn summarise(changes: &[Change]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in changes {
        *counts.entry(c.op.as_str()).or_default() += 1;
    }
    let order = [
        "add", "rename", "move", "merge", "split", "delete", "describe",
    ];
    order
        .iter()
        .filter_map(|op| counts.get(op).map(|n| format!("{n} {op}")))
        .collect::<Vec<_>>()
        .join(", ")
}
