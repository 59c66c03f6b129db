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
use crate::model::Scope;
use crate::study::{Study, TranscriptInfo, CONSENSUS};

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
    check_request(study, request)?;
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
    let comparison = Comparison::new(study, request, &ranges, pooled_ranges, only)?;
    let mut pooled = Pooled {
        presence: PresenceTally::new(request.coders.len()).map_err(data_err)?,
        segments: vec![Vec::new(); comparison.pairs.len()],
    };
    let mut codes = Vec::new();
    for code in &request.codes {
        codes.push(comparison.code_agreement(code, &mut pooled)?);
    }
    let (mut overall, mut overall_pairs) = comparison.overall_figures(&pooled)?;
    comparison.count_transcripts(&mut overall, &mut overall_pairs, &mut codes);
    Ok(AgreementReport {
        unit: request.unit,
        overlap: (request.unit == Unit::Segment).then_some(request.overlap),
        coders: request.coders.clone(),
        transcripts: comparison
            .transcripts
            .iter()
            .map(|t| t.id.clone())
            .collect(),
        overall,
        overall_pairs,
        codes,
        unplaced: ranges.unplaced,
    })
}

/// Refuses a request naming a coder without codings, fewer than two coders, or an overlap
/// outside (0, 1].
fn check_request(study: &Study, request: &AgreeRequest) -> Result<(), AgreeError> {
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
    Ok(())
}

/// An inconsistency in the data handed to the coefficients.
fn data_err(e: impl std::fmt::Display) -> AgreeError {
    AgreeError::Data(e.to_string())
}

/// What every figure of one report is computed over.
struct Comparison<'a> {
    study: &'a Study,
    request: &'a AgreeRequest,
    /// The coders' ranges per code (descendants folded in unless `exact`).
    ranges: &'a Ranges,
    /// The exact ranges, for the pooled figures.
    pooled: &'a Ranges,
    /// Transcripts coded by at least two of the coders (and in `only`).
    transcripts: Vec<&'a TranscriptInfo>,
    /// Which coders coded each transcript, looked up once rather than once per code.
    coded_by: Vec<Vec<bool>>,
    /// Each transcript's turns (turn units only).
    turns: BTreeMap<&'a str, Turns>,
    /// Every pair of coders, by index.
    pairs: Vec<(usize, usize)>,
    /// No spans for any coder.
    no_spans: Vec<Vec<Span>>,
    options: Options,
}

/// The tallies of every code pooled (the overall figures).
struct Pooled {
    presence: PresenceTally,
    /// Per coder pair, each code's segment tally.
    segments: Vec<Vec<SegmentTally>>,
}

/// One code's tallies over the transcripts it counts.
struct CodeTally {
    presence: PresenceTally,
    /// Per coder pair (segment units).
    segments: Vec<SegmentTally>,
    /// Each transcript's figures, when asked for.
    transcripts: Vec<TranscriptAgreement>,
    /// Each coder's spans laid end to end over the transcripts (character units), for
    /// unitizing α.
    continuum: Vec<Vec<Span>>,
    /// The length of that continuum.
    offset: u64,
    /// Transcripts counted.
    counted: usize,
}

/// One code's spans in one transcript, per coder; a slot is `None` for a coder who did not
/// code the transcript (missing, not "uncoded").
struct TranscriptSpans<'s> {
    info: &'s TranscriptInfo,
    spans: &'s [Vec<Span>],
    slots: Vec<Option<&'s [Span]>>,
    /// The slots of the exact ranges, for the pooled figures.
    pooled_slots: Vec<Option<&'s [Span]>>,
}

impl<'a> Comparison<'a> {
    fn new(
        study: &'a Study,
        request: &'a AgreeRequest,
        ranges: &'a Ranges,
        pooled: &'a Ranges,
        only: Option<&BTreeSet<String>>,
    ) -> Result<Self, AgreeError> {
        let m = request.coders.len();
        // transcripts coded by at least two of the coders
        let transcripts: Vec<&TranscriptInfo> = study
            .transcripts()
            .iter()
            .filter(|t| ranges.coded.iter().filter(|c| c.contains(&t.id)).count() >= 2)
            .filter(|t| only.is_none_or(|set| set.contains(&t.id)))
            .collect();
        let turns = if request.unit == Unit::Turn {
            turns_of(study, &transcripts)?
        } else {
            BTreeMap::new()
        };
        let pairs: Vec<(usize, usize)> = (0..m)
            .flat_map(|a| ((a + 1)..m).map(move |b| (a, b)))
            .collect();
        let coded_by: Vec<Vec<bool>> = transcripts
            .iter()
            .map(|t| (0..m).map(|i| ranges.coded[i].contains(&t.id)).collect())
            .collect();
        Ok(Comparison {
            study,
            request,
            ranges,
            pooled,
            transcripts,
            coded_by,
            turns,
            pairs,
            no_spans: vec![Vec::new(); m],
            options: Options::default(),
        })
    }

    /// The figures of one code, adding its tallies to the pooled ones.
    fn code_agreement(&self, code: &str, pooled: &mut Pooled) -> Result<CodeAgreement, AgreeError> {
        // a code counts only over the transcripts its codebook is for
        let scope = self.study.scope_of(code);
        let tally = self.tally_code(code, scope, pooled)?;
        let (all, pairs, unitizing) = if self.request.unit == Unit::Segment {
            for (p, t) in tally.segments.iter().enumerate() {
                pooled.segments[p].push(*t);
            }
            self.segment_code_figures(&tally)
        } else {
            self.presence_code_figures(&tally)?
        };
        Ok(CodeAgreement {
            code: code.to_string(),
            path: self.study.code_path(code),
            all,
            unitizing_alpha: unitizing,
            pairs,
            transcripts: tally.transcripts,
            scope: scope.map(|s| s.describe()),
            counted: tally.counted,
        })
    }

    /// Tallies one code over the transcripts in its scope.
    fn tally_code(
        &self,
        code: &str,
        scope: Option<&Scope>,
        pooled: &mut Pooled,
    ) -> Result<CodeTally, AgreeError> {
        let m = self.request.coders.len();
        let per_t = self.ranges.by_code.get(code);
        let pooled_t = self.pooled.by_code.get(code);
        let mut tally = CodeTally {
            presence: PresenceTally::new(m).map_err(data_err)?,
            segments: vec![SegmentTally::default(); self.pairs.len()],
            transcripts: Vec::new(),
            continuum: vec![Vec::new(); m],
            offset: 0,
            counted: 0,
        };
        for (t, coded) in self.transcripts.iter().zip(&self.coded_by) {
            if scope.is_some_and(|s| !s.contains(&t.id, &self.study.attributes)) {
                continue;
            }
            tally.counted += 1;
            let spans = per_t.and_then(|p| p.get(&t.id)).unwrap_or(&self.no_spans);
            let pooled_spans = pooled_t
                .and_then(|p| p.get(&t.id))
                .unwrap_or(&self.no_spans);
            let one = TranscriptSpans {
                info: t,
                spans,
                slots: (0..m)
                    .map(|i| coded[i].then_some(spans[i].as_slice()))
                    .collect(),
                pooled_slots: (0..m)
                    .map(|i| coded[i].then_some(pooled_spans[i].as_slice()))
                    .collect(),
            };
            self.tally_transcript(&one, &mut tally, pooled)?;
            if self.request.by_transcript && self.request.unit != Unit::Segment {
                tally.transcripts.push(self.transcript_figures(&one)?);
            }
        }
        Ok(tally)
    }

    /// Adds one transcript's spans of a code to its tally and the pooled one.
    fn tally_transcript(
        &self,
        one: &TranscriptSpans<'_>,
        tally: &mut CodeTally,
        pooled: &mut Pooled,
    ) -> Result<(), AgreeError> {
        let len = one.info.chars as u64;
        match self.request.unit {
            Unit::Char => {
                tally
                    .presence
                    .add_chars(len, &one.slots)
                    .map_err(data_err)?;
                pooled
                    .presence
                    .add_chars(len, &one.pooled_slots)
                    .map_err(data_err)?;
                for (i, s) in one.spans.iter().enumerate() {
                    let mut merged = s.clone();
                    merge_spans(&mut merged);
                    let offset = tally.offset;
                    tally.continuum[i].extend(merged.iter().map(|r| Span {
                        start: r.start + offset,
                        end: r.end + offset,
                    }));
                }
                tally.offset += len;
            }
            Unit::Turn => {
                if let Some(ts) = self.turns.get(one.info.id.as_str()) {
                    tally.presence.add_turns(ts, &one.slots).map_err(data_err)?;
                    pooled
                        .presence
                        .add_turns(ts, &one.pooled_slots)
                        .map_err(data_err)?;
                }
            }
            Unit::Segment => {
                for (p, (a, b)) in self.pairs.iter().enumerate() {
                    if one.slots[*a].is_none() || one.slots[*b].is_none() {
                        continue;
                    }
                    let matched =
                        match_segments(&one.spans[*a], &one.spans[*b], self.request.overlap)
                            .map_err(data_err)?;
                    tally.segments[p].add(&matched);
                }
            }
        }
        Ok(())
    }

    /// One code's figures in one transcript (character or turn units).
    fn transcript_figures(
        &self,
        one: &TranscriptSpans<'_>,
    ) -> Result<TranscriptAgreement, AgreeError> {
        let m = self.request.coders.len();
        let mut presence = PresenceTally::new(m).map_err(data_err)?;
        match self.request.unit {
            Unit::Char => presence
                .add_chars(one.info.chars as u64, &one.slots)
                .map_err(data_err)?,
            _ => {
                if let Some(ts) = self.turns.get(one.info.id.as_str()) {
                    presence.add_turns(ts, &one.slots).map_err(data_err)?;
                }
            }
        }
        let data = presence
            .to_reliability_data(self.request.coders.clone())
            .map_err(data_err)?;
        Ok(TranscriptAgreement {
            transcript: one.info.id.clone(),
            agreement: agreement(&data, &self.options),
        })
    }

    /// A code's figures on segment units: all coders, each pair; no unitizing α.
    fn segment_code_figures(&self, tally: &CodeTally) -> Figures {
        let coders = &self.request.coders;
        let results: Vec<Agreement> = self
            .pairs
            .iter()
            .zip(&tally.segments)
            .map(|((a, b), tally)| segment_figures(coders, *a, *b, std::slice::from_ref(tally)))
            .collect();
        let all = pooled_segment_figures(coders, &tally.segments);
        (all, results, None)
    }

    /// A code's figures on character or turn units: all coders (with α's bootstrap), each
    /// pair, and on characters unitizing α.
    fn presence_code_figures(&self, tally: &CodeTally) -> Result<Figures, AgreeError> {
        let data = tally
            .presence
            .to_reliability_data(self.request.coders.clone())
            .map_err(data_err)?;
        let all = with_bootstrap(
            agreement(&data, &self.options),
            &data,
            &self.request.bootstrap,
        );
        let results = self
            .pairs
            .iter()
            .map(|(a, b)| agreement(&data.select_coders(&[*a, *b]), &self.options))
            .collect();
        let unitizing = (self.request.unit == Unit::Char).then(|| {
            unitizing_alpha(
                Span {
                    start: 0,
                    end: tally.offset.max(1),
                },
                &tally.continuum,
            )
            .ok()
            .and_then(|u| u.value)
        });
        Ok((all, results, unitizing))
    }

    /// The overall figures, every code pooled: all coders and each pair.
    fn overall_figures(&self, pooled: &Pooled) -> Result<(Agreement, Vec<Agreement>), AgreeError> {
        let coders = &self.request.coders;
        if self.request.unit == Unit::Segment {
            let pairs_out: Vec<Agreement> = self
                .pairs
                .iter()
                .zip(&pooled.segments)
                .map(|((a, b), tallies)| segment_figures(coders, *a, *b, tallies))
                .collect();
            let all: Vec<SegmentTally> = pooled.segments.iter().flatten().copied().collect();
            return Ok((pooled_segment_figures(coders, &all), pairs_out));
        }
        let data = pooled
            .presence
            .to_reliability_data(coders.clone())
            .map_err(data_err)?;
        let pairs_out = self
            .pairs
            .iter()
            .map(|(a, b)| agreement(&data.select_coders(&[*a, *b]), &self.options))
            .collect();
        let all = with_bootstrap(
            agreement(&data, &self.options),
            &data,
            &self.request.bootstrap,
        );
        Ok((all, pairs_out))
    }

    /// Labels every figure with how many transcripts it rests on.
    fn count_transcripts(
        &self,
        overall: &mut Agreement,
        overall_pairs: &mut [Agreement],
        codes: &mut [CodeAgreement],
    ) {
        overall.n.transcripts = Some(self.transcripts_under(None, None));
        for (p, figure) in overall_pairs.iter_mut().enumerate() {
            figure.n.transcripts = Some(self.transcripts_under(Some(self.pairs[p]), None));
        }
        for code in codes {
            let id = code.code.clone();
            code.all.n.transcripts = Some(self.transcripts_under(None, Some(&id)));
            for (p, figure) in code.pairs.iter_mut().enumerate() {
                figure.n.transcripts = Some(self.transcripts_under(Some(self.pairs[p]), Some(&id)));
            }
            for t in &mut code.transcripts {
                t.agreement.n.transcripts = Some(1);
            }
        }
    }

    /// How many transcripts a figure rests on: those both coders of `pair` coded (every
    /// transcript compared when no pair), in the scope of `code` when given.
    fn transcripts_under(&self, pair: Option<(usize, usize)>, code: Option<&str>) -> usize {
        // the scope looked up once: finding a code's codebook scans its codes
        let scope = code.and_then(|code| self.study.scope_of(code));
        let in_scope = |i: usize| {
            scope.is_none_or(|s| s.contains(&self.transcripts[i].id, &self.study.attributes))
        };
        match pair {
            Some((a, b)) => self
                .coded_by
                .iter()
                .enumerate()
                .filter(|(i, c)| c[a] && c[b] && in_scope(*i))
                .count(),
            None if scope.is_some() => (0..self.transcripts.len()).filter(|i| in_scope(*i)).count(),
            None => self.transcripts.len(),
        }
    }
}

/// A code's figures: all coders, each pair, and unitizing α (character units only).
type Figures = (Agreement, Vec<Agreement>, Option<Option<f64>>);

/// The turns of each transcript, for turn units (a transcript whose turns do not make a valid
/// sequence has none, and counts no turn).
fn turns_of<'t>(
    study: &Study,
    transcripts: &[&'t TranscriptInfo],
) -> Result<BTreeMap<&'t str, Turns>, AgreeError> {
    let mut turns = BTreeMap::new();
    for info in transcripts {
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
    Ok(turns)
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
