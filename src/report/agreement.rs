//! Inter-coder agreement of a study: per code, per coder pair, per transcript and overall, on
//! character, turn or segment units; and the list of disagreements for a team meeting.
//!
//! Conventions, beyond those of [`crate::agreement`]:
//! - A code's ranges include its descendants' segments (the code as a theme), unless `exact`.
//! - A coder who has no segment at all in a transcript has not coded it: their ratings there are
//!   missing, not "uncoded". Transcripts no two coders coded do not count.
//! - **Overall** pools the units of every code in the table (each code × unit is one unit), the
//!   way NVivo's and ATLAS.ti's summary rows aggregate codes; there each code counts only its own
//!   segments, so a segment is never counted twice through its theme.
//! - `consensus` is left out unless named; named, it is the consensus view
//!   ([`crate::study::consensus_view`]): what the team decided, the passages the compared coders
//!   agree on and the transcripts one coder coded alone.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::agreement::{
    agreement, alpha_bootstrap, disagreements, match_segments, merge_spans, segment_agreement,
    unitizing_alpha, Agreement, BootstrapOptions, Counts, Metric, Options, PerCoefficient,
    PresenceTally, SegmentTally, Span, Turns,
};
use crate::study::{Study, CONSENSUS};

/// The unit of analysis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Every character (NVivo).
    Char,
    /// Every speaker turn.
    Turn,
    /// Coded segments matched by overlap (MAXQDA).
    Segment,
}

/// What to compare.
#[derive(Debug, Clone)]
pub struct AgreeRequest {
    /// Coders compared (at least two).
    pub coders: Vec<String>,
    /// Codes in the table (ids), in order.
    pub codes: Vec<String>,
    /// Count only the code itself, not its descendants.
    pub exact: bool,
    /// Unit of analysis.
    pub unit: Unit,
    /// Minimum overlap for segment matching.
    pub overlap: f64,
    /// Also report each transcript.
    pub by_transcript: bool,
    /// α's bootstrap for each code and overall (all coders together); `samples: 0` for none.
    pub bootstrap: BootstrapOptions,
}

/// Agreement on one code.
#[derive(Debug, Clone, Serialize)]
pub struct CodeAgreement {
    /// Code id.
    pub code: String,
    /// Code path.
    pub path: String,
    /// All coders together.
    #[serde(flatten)]
    pub all: Agreement,
    /// Krippendorff's unitizing α for the code (character units only), `null` when undefined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unitizing_alpha: Option<Option<f64>>,
    /// Each pair of coders.
    pub pairs: Vec<Agreement>,
    /// Each transcript (when asked for).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transcripts: Vec<TranscriptAgreement>,
    /// The code's codebook scope, when it has one: the figures count only its transcripts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Transcripts the figures count (coded by two coders or more, in scope).
    #[serde(skip)]
    pub counted: usize,
}

/// Agreement on one code in one transcript.
#[derive(Debug, Clone, Serialize)]
pub struct TranscriptAgreement {
    /// Transcript id.
    pub transcript: String,
    /// The figures.
    #[serde(flatten)]
    pub agreement: Agreement,
}

/// The whole agreement report.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementReport {
    /// Unit of analysis.
    pub unit: Unit,
    /// Minimum overlap (segment units).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlap: Option<f64>,
    /// Coders compared.
    pub coders: Vec<String>,
    /// Transcripts at least two of them coded.
    pub transcripts: Vec<String>,
    /// Every code pooled.
    pub overall: Agreement,
    /// Each pair of coders, every code pooled.
    pub overall_pairs: Vec<Agreement>,
    /// One entry per code.
    pub codes: Vec<CodeAgreement>,
    /// Segments of the compared coders that are not counted because they could not be placed
    /// in their transcript (flagged unanchored after an edit, or their transcript is gone);
    /// `thema check` lists them.
    pub unplaced: usize,
}

/// Errors in what was asked.
#[derive(Debug, thiserror::Error)]
pub enum AgreeError {
    /// Not enough coders.
    #[error("agreement needs at least two coders with codings (found: {0})")]
    TooFewCoders(String),
    /// A coder without a file.
    #[error("coder '{0}' has no codings (coders: {1})")]
    UnknownCoder(String, String),
    /// Bad overlap.
    #[error("--overlap must be above 0 and at most 1 (got {0})")]
    Overlap(f64),
    /// Internal consistency.
    #[error("{0}")]
    Data(String),
    /// Reading the study failed.
    #[error(transparent)]
    Study(#[from] crate::study::StudyError),
}

/// The default coders: everyone with codings except `consensus`.
pub fn default_coders(study: &Study) -> Vec<String> {
    study
        .coders()
        .into_iter()
        .filter(|c| *c != CONSENSUS)
        .map(str::to_string)
        .collect()
}

/// Every code of every codebook in tree order.
pub fn all_codes(study: &Study) -> Vec<String> {
    study
        .codebooks
        .iter()
        .flat_map(|b| b.codebook.tree().into_iter().map(|(c, _)| c.id.clone()))
        .collect()
}

/// Ranges per (code, transcript, coder index), with descendants folded in as asked.
struct Ranges {
    /// code → transcript → per-coder spans
    by_code: BTreeMap<String, BTreeMap<String, Vec<Vec<Span>>>>,
    /// transcripts each coder coded at all
    coded: Vec<BTreeSet<String>>,
    /// segments left out because they could not be placed
    unplaced: usize,
}

fn collect(study: &Study, request: &AgreeRequest) -> Result<Ranges, AgreeError> {
    let m = request.coders.len();
    // which table codes each applied code counts for
    let mut targets: HashMap<String, Vec<&str>> = HashMap::new();
    for code in &request.codes {
        let members = if request.exact {
            [code.clone()].into()
        } else {
            study
                .codebook_of(code)
                .map(|b| b.subtree(code))
                .unwrap_or_default()
        };
        for member in members {
            targets.entry(member).or_default().push(code);
        }
    }
    // gathered in hash maps, then ordered once: per-segment lookups in string-keyed B-trees
    // dominated the time on large studies. Layers are streamed, not held.
    let mut gathered: HashMap<&str, HashMap<String, Vec<Vec<Span>>>> = HashMap::new();
    let mut coded = vec![BTreeSet::new(); m];
    let mut unplaced = 0;
    for (i, coder) in request.coders.iter().enumerate() {
        // (transcript, whether it exists, whether it is marked coded) of the previous segment
        let mut last: Option<(String, bool, bool)> = None;
        let visit = |s: &crate::model::Segment| {
            let (known, marked) = match &last {
                Some((t, known, marked)) if *t == s.transcript => (*known, *marked),
                _ => {
                    let known = study.has_transcript(&s.transcript);
                    last = Some((s.transcript.clone(), known, false));
                    (known, false)
                }
            };
            if s.is_unanchored() || !known {
                unplaced += 1;
                return;
            }
            if !marked {
                coded[i].insert(s.transcript.clone());
                last = Some((s.transcript.clone(), known, true));
            }
            let Some(tables) = targets.get(&s.code) else {
                return;
            };
            for table_code in tables {
                let per_t = gathered.entry(table_code).or_default();
                let spans = match per_t.get_mut(s.transcript.as_str()) {
                    Some(spans) => spans,
                    None => per_t
                        .entry(s.transcript.clone())
                        .or_insert_with(|| vec![Vec::new(); m]),
                };
                spans[i].push(Span {
                    start: s.start as u64,
                    end: s.end as u64,
                });
            }
        };
        if coder == CONSENSUS {
            // the consensus a report counts: decisions, agreed passages, single-coded transcripts
            study.consensus_view()?.segments.iter().for_each(visit);
        } else {
            study.each_segment(coder, visit)?;
        }
    }
    let by_code = gathered
        .into_iter()
        .map(|(code, per_t)| {
            let per_t = per_t.into_iter().collect();
            (code.to_string(), per_t)
        })
        .collect();
    Ok(Ranges {
        by_code,
        coded,
        unplaced,
    })
}

/// Computes the agreement report.
pub fn compute(study: &Study, request: &AgreeRequest) -> Result<AgreementReport, AgreeError> {
    compute_on(study, request, None)
}

/// Computes the agreement report on the transcripts in `only` (every transcript when `None`),
/// e.g. one coding round's.
pub fn compute_on(
    study: &Study,
    request: &AgreeRequest,
    only: Option<&BTreeSet<String>>,
) -> Result<AgreementReport, AgreeError> {
    let known = study.coders().join(", ");
    for coder in &request.coders {
        let consensus = coder == CONSENSUS && study.has_consensus();
        if !(study.has_coder(coder) || consensus) {
            return Err(AgreeError::UnknownCoder(coder.clone(), known));
        }
    }
    if request.coders.len() < 2 {
        return Err(AgreeError::TooFewCoders(known));
    }
    if !(request.overlap > 0.0 && request.overlap <= 1.0) {
        return Err(AgreeError::Overlap(request.overlap));
    }
    let data_err = |e: &dyn std::fmt::Display| AgreeError::Data(e.to_string());
    let ranges = collect(study, request)?;
    // the pooled figures count each applied code once, so use exact ranges for them
    let exact_ranges = if request.exact {
        None
    } else {
        Some(collect(
            study,
            &AgreeRequest {
                exact: true,
                ..request.clone()
            },
        )?)
    };
    let pooled_ranges = exact_ranges.as_ref().unwrap_or(&ranges);
    let m = request.coders.len();
    // transcripts coded by at least two of the coders
    let transcripts: Vec<&crate::study::TranscriptInfo> = study
        .transcripts()
        .iter()
        .filter(|t| ranges.coded.iter().filter(|c| c.contains(&t.id)).count() >= 2)
        .filter(|t| only.is_none_or(|set| set.contains(&t.id)))
        .collect();
    let mut turns: BTreeMap<&str, Turns> = BTreeMap::new();
    if request.unit == Unit::Turn {
        for info in &transcripts {
            let t = study.transcript(&info.id)?;
            let spans: Vec<Span> = t
                .numbered_turns()
                .filter(|turn| turn.end > turn.start)
                .map(|turn| Span {
                    start: turn.start as u64,
                    end: turn.end as u64,
                })
                .collect();
            if let Ok(ts) = Turns::new(spans) {
                turns.insert(info.id.as_str(), ts);
            }
        }
    }
    let options = Options::default();
    let pairs: Vec<(usize, usize)> = (0..m)
        .flat_map(|a| ((a + 1)..m).map(move |b| (a, b)))
        .collect();
    let empty: BTreeMap<String, Vec<Vec<Span>>> = BTreeMap::new();
    let none: Vec<Vec<Span>> = vec![Vec::new(); m];
    // which coders coded each transcript, looked up once rather than once per code
    let coded_by: Vec<Vec<bool>> = transcripts
        .iter()
        .map(|t| (0..m).map(|i| ranges.coded[i].contains(&t.id)).collect())
        .collect();
    let mut overall = PresenceTally::new(m).map_err(|e| data_err(&e))?;
    let mut overall_segments: Vec<Vec<SegmentTally>> = vec![Vec::new(); pairs.len()];
    let mut codes = Vec::new();
    for code in &request.codes {
        let per_t = ranges.by_code.get(code).unwrap_or(&empty);
        let pooled_t = pooled_ranges.by_code.get(code).unwrap_or(&empty);
        let mut tally = PresenceTally::new(m).map_err(|e| data_err(&e))?;
        let mut seg_tallies = vec![SegmentTally::default(); pairs.len()];
        let mut per_transcript = Vec::new();
        let mut continuum: Vec<Vec<Span>> = vec![Vec::new(); m];
        let mut offset = 0u64;
        // a code counts only over the transcripts its codebook is for
        let scope = study.scope_of(code);
        let mut counted = 0;
        for (t, coded) in transcripts.iter().zip(&coded_by) {
            if scope.is_some_and(|s| !s.contains(&t.id, &study.attributes)) {
                continue;
            }
            counted += 1;
            let spans = per_t.get(&t.id).unwrap_or(&none);
            let slots: Vec<Option<&[Span]>> = (0..m)
                .map(|i| coded[i].then_some(spans[i].as_slice()))
                .collect();
            let pooled_spans = pooled_t.get(&t.id).unwrap_or(&none);
            let pooled_slots: Vec<Option<&[Span]>> = (0..m)
                .map(|i| coded[i].then_some(pooled_spans[i].as_slice()))
                .collect();
            let len = t.chars as u64;
            match request.unit {
                Unit::Char => {
                    tally.add_chars(len, &slots).map_err(|e| data_err(&e))?;
                    overall
                        .add_chars(len, &pooled_slots)
                        .map_err(|e| data_err(&e))?;
                    for (i, s) in spans.iter().enumerate() {
                        let mut merged = s.clone();
                        merge_spans(&mut merged);
                        continuum[i].extend(merged.iter().map(|r| Span {
                            start: r.start + offset,
                            end: r.end + offset,
                        }));
                    }
                    offset += len;
                }
                Unit::Turn => {
                    if let Some(ts) = turns.get(t.id.as_str()) {
                        tally.add_turns(ts, &slots).map_err(|e| data_err(&e))?;
                        overall
                            .add_turns(ts, &pooled_slots)
                            .map_err(|e| data_err(&e))?;
                    }
                }
                Unit::Segment => {
                    for (p, (a, b)) in pairs.iter().enumerate() {
                        if slots[*a].is_none() || slots[*b].is_none() {
                            continue;
                        }
                        let matched = match_segments(&spans[*a], &spans[*b], request.overlap)
                            .map_err(|e| data_err(&e))?;
                        seg_tallies[p].add(&matched);
                    }
                }
            }
            if request.by_transcript && request.unit != Unit::Segment {
                let mut one = PresenceTally::new(m).map_err(|e| data_err(&e))?;
                match request.unit {
                    Unit::Char => one.add_chars(len, &slots).map_err(|e| data_err(&e))?,
                    _ => {
                        if let Some(ts) = turns.get(t.id.as_str()) {
                            one.add_turns(ts, &slots).map_err(|e| data_err(&e))?;
                        }
                    }
                }
                let data = one
                    .to_reliability_data(request.coders.clone())
                    .map_err(|e| data_err(&e))?;
                per_transcript.push(TranscriptAgreement {
                    transcript: t.id.clone(),
                    agreement: agreement(&data, &options),
                });
            }
        }
        let (all, pair_results, unitizing) = if request.unit == Unit::Segment {
            let results: Vec<Agreement> = pairs
                .iter()
                .zip(&seg_tallies)
                .map(|((a, b), tally)| {
                    segment_figures(&request.coders, *a, *b, std::slice::from_ref(tally))
                })
                .collect();
            for (p, t) in seg_tallies.iter().enumerate() {
                overall_segments[p].push(*t);
            }
            let pooled: Vec<SegmentTally> = seg_tallies.clone();
            let all = pooled_segment_figures(&request.coders, &pooled);
            (all, results, None)
        } else {
            let data = tally
                .to_reliability_data(request.coders.clone())
                .map_err(|e| data_err(&e))?;
            let all = with_bootstrap(agreement(&data, &options), &data, &request.bootstrap);
            let results = pairs
                .iter()
                .map(|(a, b)| agreement(&data.select_coders(&[*a, *b]), &options))
                .collect();
            let unitizing = (request.unit == Unit::Char).then(|| {
                unitizing_alpha(
                    Span {
                        start: 0,
                        end: offset.max(1),
                    },
                    &continuum,
                )
                .ok()
                .and_then(|u| u.value)
            });
            (all, results, unitizing)
        };
        codes.push(CodeAgreement {
            code: code.clone(),
            path: study.code_path(code),
            all,
            unitizing_alpha: unitizing,
            pairs: pair_results,
            transcripts: per_transcript,
            scope: scope.map(|s| s.describe()),
            counted,
        });
    }
    let (overall_all, overall_pairs) = if request.unit == Unit::Segment {
        let pairs_out: Vec<Agreement> = pairs
            .iter()
            .zip(&overall_segments)
            .map(|((a, b), tallies)| segment_figures(&request.coders, *a, *b, tallies))
            .collect();
        let pooled: Vec<SegmentTally> = overall_segments.iter().flatten().copied().collect();
        (pooled_segment_figures(&request.coders, &pooled), pairs_out)
    } else {
        let data = overall
            .to_reliability_data(request.coders.clone())
            .map_err(|e| data_err(&e))?;
        let pairs_out = pairs
            .iter()
            .map(|(a, b)| agreement(&data.select_coders(&[*a, *b]), &options))
            .collect();
        let all = with_bootstrap(agreement(&data, &options), &data, &request.bootstrap);
        (all, pairs_out)
    };
    // how many transcripts each figure rests on
    let in_scope = |code: &str, i: usize| study.in_scope(code, &transcripts[i].id);
    let both_coded = |a: usize, b: usize, code: Option<&str>| {
        coded_by
            .iter()
            .enumerate()
            .filter(|(i, c)| c[a] && c[b] && code.is_none_or(|code| in_scope(code, *i)))
            .count()
    };
    let label = |figure: &mut Agreement, pair: Option<(usize, usize)>, code: Option<&str>| {
        figure.n.transcripts = Some(match (pair, code) {
            (Some((a, b)), _) => both_coded(a, b, code),
            (None, Some(code)) => (0..transcripts.len())
                .filter(|i| in_scope(code, *i))
                .count(),
            (None, None) => transcripts.len(),
        });
    };
    let mut overall_all = overall_all;
    let mut overall_pairs = overall_pairs;
    label(&mut overall_all, None, None);
    for (p, figure) in overall_pairs.iter_mut().enumerate() {
        label(figure, Some(pairs[p]), None);
    }
    for code in &mut codes {
        let id = code.code.clone();
        label(&mut code.all, None, Some(&id));
        for (p, figure) in code.pairs.iter_mut().enumerate() {
            label(figure, Some(pairs[p]), Some(&id));
        }
        for t in &mut code.transcripts {
            t.agreement.n.transcripts = Some(1);
        }
    }
    Ok(AgreementReport {
        unit: request.unit,
        overlap: (request.unit == Unit::Segment).then_some(request.overlap),
        coders: request.coders.clone(),
        transcripts: transcripts.iter().map(|t| t.id.clone()).collect(),
        overall: overall_all,
        overall_pairs,
        codes,
        unplaced: ranges.unplaced,
    })
}

/// Adds α's bootstrap distribution to a figure (nominal α, as every coded-study figure is).
fn with_bootstrap(
    mut figure: Agreement,
    data: &crate::agreement::ReliabilityData,
    options: &BootstrapOptions,
) -> Agreement {
    figure.alpha_bootstrap = alpha_bootstrap(data, Metric::Nominal, options);
    figure
}

/// MAXQDA's figures for one pair: percent agreement and Brennan–Prediger over the codes given.
fn segment_figures(coders: &[String], a: usize, b: usize, tallies: &[SegmentTally]) -> Agreement {
    pooled_segment_figures(&[coders[a].clone(), coders[b].clone()], tallies)
}

/// MAXQDA's figures over the tallies given, labelled with `coders`.
fn pooled_segment_figures(coders: &[String], tallies: &[SegmentTally]) -> Agreement {
    let result = segment_agreement(tallies);
    let units = result.agreements + result.disagreements;
    let (pa, bp) = crate::agreement::inference::share(result.agreements, units, result.codes);
    let analytic = PerCoefficient {
        percent_agreement: Some(pa),
        brennan_prediger: Some(bp),
        ..PerCoefficient::default()
    };
    Agreement {
        coders: coders.to_vec(),
        units,
        percent_agreement: result.percent_agreement,
        cohen_kappa: None,
        fleiss_kappa: None,
        krippendorff_alpha: None,
        brennan_prediger: result.brennan_prediger,
        gwet_ac1: None,
        n: Counts {
            units,
            pairable_units: units,
            pairable_values: units,
            transcripts: None,
        },
        se: analytic.map(|e| e.map(|e| e.se)),
        ci: analytic.map(|e| e.map(|e| e.ci)),
        alpha_bootstrap: None,
    }
}

/// One place where coders differ.
#[derive(Debug, Clone, Serialize)]
pub struct DisagreementItem {
    /// Code id.
    pub code: String,
    /// Code path.
    pub path: String,
    /// Transcript id.
    pub transcript: String,
    /// Attribution (participant, wave).
    pub attribution: String,
    /// Turn number where the stretch starts.
    pub turn: Option<usize>,
    /// Speaker of that turn.
    pub speaker: Option<String>,
    /// Code-point range.
    pub start: usize,
    /// End of the range.
    pub end: usize,
    /// Length in characters.
    pub length: usize,
    /// The text.
    pub quote: String,
    /// Coders who applied the code here.
    pub applied: Vec<String>,
    /// Coders who did not.
    pub not_applied: Vec<String>,
}

/// Every disagreement on the codes asked for, largest first. Each code counts alone (a
/// disagreement on a sub-code is listed once, under the sub-code, not again under its theme).
pub fn disagreement_list(
    study: &Study,
    request: &AgreeRequest,
) -> Result<Vec<DisagreementItem>, AgreeError> {
    let ranges = collect(
        study,
        &AgreeRequest {
            exact: true,
            ..request.clone()
        },
    )?;
    let mut out = Vec::new();
    for (code, per_t) in &ranges.by_code {
        for (transcript, spans) in per_t {
            if !study.in_scope(code, transcript) {
                continue;
            }
            let Some(t) = study.find_transcript(transcript)? else {
                continue;
            };
            // only coders who coded this transcript take part
            let present: Vec<usize> = (0..request.coders.len())
                .filter(|i| ranges.coded[*i].contains(transcript))
                .collect();
            if present.len() < 2 {
                continue;
            }
            let slices: Vec<&[Span]> = present.iter().map(|i| spans[*i].as_slice()).collect();
            let found = disagreements(&slices).map_err(|e| AgreeError::Data(e.to_string()))?;
            for d in found {
                let (start, end) = (d.span.start as usize, d.span.end as usize);
                let quote = t.slice(start, end).trim();
                if quote.is_empty() {
                    continue; // whitespace between spans is no disagreement worth a meeting
                }
                let turn = t.turn_at(start);
                let applied: Vec<String> = d
                    .coders
                    .iter()
                    .map(|i| request.coders[present[*i]].clone())
                    .collect();
                let not_applied = present
                    .iter()
                    .map(|i| request.coders[*i].clone())
                    .filter(|c| !applied.contains(c))
                    .collect();
                out.push(DisagreementItem {
                    code: code.clone(),
                    path: study.code_path(code),
                    transcript: transcript.clone(),
                    attribution: study
                        .attributes
                        .attribution(transcript, &study.settings.attribution),
                    turn: turn.filter(|t| t.is_numbered()).map(|t| t.number),
                    speaker: turn.and_then(|t| t.speaker.clone()),
                    start,
                    end,
                    length: end - start,
                    quote: quote.to_string(),
                    applied,
                    not_applied,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.length
            .cmp(&a.length)
            .then(a.transcript.cmp(&b.transcript))
            .then(a.start.cmp(&b.start))
    });
    Ok(out)
}

/// Formats a statistic for a table: three decimals, `–` for undefined, blank for absent.
pub fn fmt_stat(value: Option<Option<f64>>) -> String {
    match value {
        None => String::new(),
        Some(None) => "–".to_string(),
        Some(Some(v)) => format!("{v:.3}"),
    }
}

/// Formats an interval `[lo, hi]` with three decimals; blank when absent, `–` when undefined.
pub fn fmt_interval(ci: Option<Option<[f64; 2]>>) -> String {
    match ci {
        None => String::new(),
        Some(None) => "–".to_string(),
        Some(Some([lo, hi])) => format!("[{lo:.3}, {hi:.3}]"),
    }
}

/// Column headers of an agreement table.
const STAT_HEADERS: [&str; 10] = [
    "units",
    "% agreement",
    "Cohen κ",
    "Fleiss κ",
    "Krippendorff α",
    "Brennan–Prediger",
    "Gwet AC1",
    "unitizing α",
    "α 95% CI (bootstrap)",
    "q(α < min)",
];

fn stat_cells(a: &Agreement, unitizing: Option<Option<f64>>) -> Vec<String> {
    vec![
        a.units.to_string(),
        a.percent_agreement
            .map(|p| format!("{:.1}%", p * 100.0))
            .unwrap_or_else(|| "–".into()),
        fmt_stat(a.cohen_kappa),
        fmt_stat(Some(a.fleiss_kappa)),
        fmt_stat(a.krippendorff_alpha),
        fmt_stat(Some(a.brennan_prediger)),
        fmt_stat(Some(a.gwet_ac1)),
        fmt_stat(unitizing),
        fmt_interval(a.alpha_bootstrap.as_ref().map(|b| b.ci)),
        a.alpha_bootstrap
            .as_ref()
            .map(|b| match b.q_below_min {
                Some(q) => format!("{q:.3} (< {:.3})", b.alpha_min),
                None => "–".to_string(),
            })
            .unwrap_or_default(),
    ]
}

/// Table rows (header first): one row per code × comparison (all coders, then each pair).
pub fn table_rows(report: &AgreementReport) -> Vec<Vec<String>> {
    let mut rows = vec![{
        let mut h = vec!["code".to_string(), "coders".to_string()];
        h.extend(STAT_HEADERS.iter().map(|s| s.to_string()));
        h
    }];
    let mut push = |code: &str, a: &Agreement, u: Option<Option<f64>>| {
        let mut row = vec![code.to_string(), a.coders.join("+")];
        row.extend(stat_cells(a, u));
        rows.push(row);
    };
    push("(all codes)", &report.overall, None);
    // with two coders the one pair is the whole comparison: not repeated
    if report.overall.coders.len() > 2 {
        for p in &report.overall_pairs {
            push("(all codes)", p, None);
        }
    }
    for code in &report.codes {
        push(&code.path, &code.all, code.unitizing_alpha);
        if code.all.coders.len() > 2 {
            for p in &code.pairs {
                push(&code.path, p, None);
            }
        }
    }
    rows
}

fn md_escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The agreement table and the disagreement list as a Markdown meeting agenda.
pub fn to_markdown(
    study_name: &str,
    report: &AgreementReport,
    items: &[DisagreementItem],
) -> String {
    let mut out = String::new();
    let unit = match report.unit {
        Unit::Char => "characters".to_string(),
        Unit::Turn => "speaker turns".to_string(),
        Unit::Segment => format!(
            "segments (overlap ≥ {:.0}%)",
            report.overlap.unwrap_or(0.9) * 100.0
        ),
    };
    out.push_str(&format!("# Inter-coder agreement — {study_name}\n\n"));
    out.push_str(&format!(
        "Coders: {}. Unit of analysis: {unit}. Transcripts coded by at least two of them: {}.\n\n",
        report.coders.join(", "),
        report.transcripts.len()
    ));
    out.push_str("`–` marks a statistic that is undefined (0/0: no variation, e.g. a code nobody applied).\n\n");
    let rows = table_rows(report);
    for (i, row) in rows.iter().enumerate() {
        out.push_str("| ");
        out.push_str(
            &row.iter()
                .map(|c| md_escape(c))
                .collect::<Vec<_>>()
                .join(" | "),
        );
        out.push_str(" |\n");
        if i == 0 {
            out.push_str(&format!("|{}\n", " --- |".repeat(row.len())));
        }
    }
    out.push_str(&format!(
        "\n## Agenda: {} disagreement(s), largest first\n\n",
        items.len()
    ));
    let mut current = String::new();
    for (n, item) in items.iter().enumerate() {
        if item.path != current {
            current = item.path.clone();
        }
        let turn = item.turn.map(|t| format!(", turn {t}")).unwrap_or_default();
        let speaker = item
            .speaker
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{}. **{}** — {}{turn}{speaker}, {} characters. Applied by {}; not by {}.\n   > {}\n\n",
            n + 1,
            md_escape(&item.path),
            item.transcript,
            item.length,
            item.applied.join(", "),
            item.not_applied.join(", "),
            md_escape(&crate::study::coding::shorten(&item.quote, 300)),
        ));
    }
    out
}

/// Disagreement rows for CSV (header first).
pub fn disagreement_rows(items: &[DisagreementItem]) -> Vec<Vec<String>> {
    let mut rows = vec![[
        "code",
        "path",
        "transcript",
        "attribution",
        "turn",
        "speaker",
        "start",
        "end",
        "length",
        "applied",
        "not_applied",
        "quote",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>()];
    for i in items {
        rows.push(vec![
            i.code.clone(),
            i.path.clone(),
            i.transcript.clone(),
            i.attribution.clone(),
            i.turn.map(|t| t.to_string()).unwrap_or_default(),
            i.speaker.clone().unwrap_or_default(),
            i.start.to_string(),
            i.end.to_string(),
            i.length.to_string(),
            i.applied.join(";"),
            i.not_applied.join(";"),
            i.quote.clone(),
        ]);
    }
    rows
}
