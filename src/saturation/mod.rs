//! Thematic saturation: how many new codes each interview adds, and the base/run/threshold
//! assessment of Guest, Namey & Chen (2020). This module owns the pure computation behind
//! `thema saturation` (ordering transcripts, grouping them, the cumulative code curve, the
//! run-by-run assessment, the sentence a paper can quote) and a small SVG curve for the HTML
//! report ([`curve_svg`]). It must not read files, pick a coder's layer or know about UI types:
//! the caller passes, per transcript, the set of code ids it holds, already chosen by coder and
//! level.
//!
//! # The method, as this module implements it
//!
//! Source: Guest G, Namey E, Chen M (2020) "A simple method to assess and report thematic
//! saturation in qualitative research". PLoS ONE 15(5): e0232076,
//! doi:10.1371/journal.pone.0232076. Quotations below are the paper's own words; only parts of
//! its text were at hand when this was written, so a point marked "inferred" may be stated
//! outright in a passage we did not read. The paper has three parameters:
//!
//! - **Base size** (default 4): the first interviews, taken as the reference; the
//!   denominator is the number of *unique* codes found in them. The paper's
//!   worked example: "Divide the number of new themes in this run (seven) by the number of
//!   unique themes in the base set (37)", and later "the number of new themes in the latest run
//!   (one) divided by the number of themes in the base set (37)". **The denominator is fixed to
//!   the base**; it does not grow with the codes found after the base. (Each
//!   [`RunAssessment`] also reports `known_before`, the codes known just before the run, for
//!   transparency only; it is never used in the ratio.)
//! - **Run length** (default 2): "the number of interviews within which we look for, and
//!   calculate, new information". A code is *new* in a run when no earlier interview (base or
//!   later) holds it. **Runs slide one interview at a time** (base 4, run 2: interviews 5–6,
//!   6–7, 7–8, …). Inferred: the passages we read do not say it outright, but the
//!   results require it: over base sizes 4, 5 and 6 it reports saturation "at 6 interviews at
//!   a run length of 2 (6+2) and 7–8 interviews at run length 3 (7+3 or 8+3)"; with
//!   consecutive blocks, base 5 could never give 6+2 and base 4 could never give 8+3. Only
//!   complete runs are assessed: a window that would run past the last interview is not.
//! - **New information threshold** (default 5%): saturation is indicated by the first run
//!   whose new codes are **at or below** the threshold (the paper: "relative to the total
//!   number of unique codes identified in the first four, five, or six interviews, the amount
//!   of new information contributed by interviews 8, 9, and 10 was less than or equal to 5%").
//!
//! **The saturation point** is reported the paper's way, `N+M`: saturation at interview `N`,
//! the last interview before the first run that met the threshold, confirmed by the `M`
//! interviews of that run ("saturation was indicated at 6+2"). The earliest possible point is
//! the base itself (`4+2`). The sentence says both: "saturation at interview 11 of 15 (11+2),
//! base 4, run 2, ≤5% new information: interviews 12–13 added 1 new code, 5.0% of the 20 codes
//! in the base."
//!
//! # Where the paper leaves room, and what this module does
//!
//! - *Order.* The method assumes interviews in the order they were done. The caller orders them
//!   ([`order_interviews`]): numerically when every value is a number, else as text (ISO 8601
//!   dates sort correctly as text), ties by transcript id, transcripts without a value last.
//! - *Hierarchical codebooks.* "We tested our method on single-tier codebooks, but qualitative
//!   researchers often create hierarchical codebooks." thema counts the codes
//!   as coded (`--level leaf`) or rolls each code up to its top-level theme (`--level theme`,
//!   [`roll_up_to_themes`]).
//! - *After saturation.* Every complete run is listed, also those after the first that met the
//!   threshold, so a reader can see whether new information came back later.
//! - *An empty base.* If the base holds no codes the share is undefined (0/0, or n/0): every
//!   run's share is `None` (`null` in JSON), no run meets the threshold, and the sentence says
//!   the share is undefined.
//! - *Too few interviews* (fewer than base + run): no run can be assessed; the sentence says so.
//! - *Threshold notation.* `--threshold 5` and `--threshold 0.05` both mean 5%: values below 1
//!   are fractions, values from 1 to 100 are percentages (so `1` means 1%; write `0.005` for
//!   half a percent). Comparison allows 1e-9 of floating-point slack, so 1 new code over a base
//!   of 20 (exactly 5%) meets a 5% threshold.
//! - *Rounding.* The paper rounds to whole percent (19%, 11%); the sentence shows one decimal so
//!   that a run of 5.4% is not shown as "5%" while failing a ≤5% threshold.
//!
//! Figures are deterministic for the same input: codes are kept in sorted sets, interviews in
//! the caller's order, and every tie is broken by transcript id.

mod svg;

pub use svg::curve_svg;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

/// Slack allowed when comparing a share with the threshold (see the module doc).
const EPSILON: f64 = 1e-9;

/// Group label for transcripts that have no value for the grouping attribute.
pub const NO_VALUE_GROUP: &str = "(no value)";

/// One interview (transcript) and the distinct codes it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interview {
    /// Transcript id.
    pub transcript: String,
    /// Distinct code ids (or theme ids) applied anywhere in the transcript.
    pub codes: BTreeSet<String>,
}

impl Interview {
    /// An interview from a transcript id and any iterator of code ids.
    pub fn new<I, S>(transcript: impl Into<String>, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Interview {
            transcript: transcript.into(),
            codes: codes.into_iter().map(Into::into).collect(),
        }
    }
}

/// Why saturation parameters were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SaturationError {
    /// `--base 0`.
    #[error("the base must hold at least 1 interview (got 0)")]
    BaseZero,
    /// `--run 0`.
    #[error("a run must hold at least 1 interview (got 0)")]
    RunZero,
    /// A threshold that is negative, not a number, or above 100%.
    #[error(
        "threshold {0} is not a share: give a fraction (0.05) or a percentage (5), from 0 to 100"
    )]
    Threshold(f64),
}

/// Base size, run length and new-information threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SaturationParams {
    base: usize,
    run: usize,
    /// The threshold as a fraction (0.05 for 5%).
    threshold: f64,
}

impl Default for SaturationParams {
    /// The paper's suggested defaults: base 4, run 2, ≤5% new information.
    fn default() -> Self {
        SaturationParams {
            base: 4,
            run: 2,
            threshold: 0.05,
        }
    }
}

impl SaturationParams {
    /// Checked parameters. `threshold` below 1 is a fraction, from 1 to 100 a percentage.
    pub fn new(base: usize, run: usize, threshold: f64) -> Result<Self, SaturationError> {
        if base == 0 {
            return Err(SaturationError::BaseZero);
        }
        if run == 0 {
            return Err(SaturationError::RunZero);
        }
        Ok(SaturationParams {
            base,
            run,
            threshold: normalise_threshold(threshold)?,
        })
    }

    /// Number of interviews in the base.
    pub fn base(&self) -> usize {
        self.base
    }

    /// Number of interviews in a run.
    pub fn run(&self) -> usize {
        self.run
    }

    /// The threshold as a fraction (0.05 for 5%).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }
}

/// Reads `5` and `0.05` alike as 5% (see the module doc); returns a fraction.
pub fn normalise_threshold(value: f64) -> Result<f64, SaturationError> {
    if !value.is_finite() || !(0.0..=100.0).contains(&value) {
        return Err(SaturationError::Threshold(value));
    }
    Ok(if value < 1.0 { value } else { value / 100.0 })
}

/// The cumulative curve at one interview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// 1-based position in the order.
    pub position: usize,
    /// Transcript id.
    pub transcript: String,
    /// Codes no earlier interview held, sorted.
    pub new_codes: Vec<String>,
    /// Distinct codes held by this and all earlier interviews.
    pub cumulative: usize,
}

/// One run of interviews after the base, and its share of new information.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunAssessment {
    /// 1-based position of the run's first interview.
    pub first: usize,
    /// 1-based position of the run's last interview.
    pub last: usize,
    /// Transcript ids of the run, in order.
    pub transcripts: Vec<String>,
    /// Codes first seen in this run, sorted.
    pub new_codes: Vec<String>,
    /// Distinct codes in the base: the denominator.
    pub base_codes: usize,
    /// Distinct codes known just before the run (not used in the ratio; shown for transparency).
    pub known_before: usize,
    /// `new_codes.len() / base_codes`; `None` when the base holds no codes (undefined).
    pub share: Option<f64>,
    /// Whether `share` is at or below the threshold.
    pub meets_threshold: bool,
}

/// Where saturation was indicated: at interview `interview`, confirmed by the run after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SaturationPoint {
    /// `N` in the paper's `N+M`: the last interview before the confirming run.
    pub interview: usize,
    /// Transcript id at position `interview`.
    pub transcript: String,
    /// `M`: the run length.
    pub run: usize,
    /// Position of the confirming run's last interview (`N+M`).
    pub confirmed_at: usize,
    /// New codes in the confirming run.
    pub new_count: usize,
    /// Their share of the base's codes.
    pub share: f64,
}

/// The outcome of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SaturationStatus {
    /// A run met the threshold.
    Reached,
    /// Every complete run was above the threshold.
    NotReached,
    /// Fewer interviews than base + run: nothing to assess.
    TooFewInterviews,
    /// The base holds no codes, so the share is undefined.
    UndefinedBase,
}

/// Everything `thema saturation` reports for one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SaturationReport {
    /// Group label (empty when the study is not split).
    pub group: String,
    /// The parameters used.
    pub params: SaturationParams,
    /// Number of interviews in the group.
    pub interviews: usize,
    /// Distinct codes in the base (the denominator).
    pub base_codes: usize,
    /// Distinct codes over all interviews.
    pub total_codes: usize,
    /// The cumulative curve, one step per interview.
    pub steps: Vec<Step>,
    /// Every complete run after the base, in order.
    pub runs: Vec<RunAssessment>,
    /// Outcome.
    pub status: SaturationStatus,
    /// The saturation point, when reached.
    pub saturation: Option<SaturationPoint>,
    /// One sentence a paper can quote.
    pub sentence: String,
}

/// The cumulative curve and the base/run/threshold assessment for one group of interviews,
/// taken in the order given.
pub fn assess(
    group: &str,
    interviews: &[Interview],
    params: &SaturationParams,
) -> SaturationReport {
    let steps = cumulative_steps(interviews);
    let n = interviews.len();
    let base_len = params.base.min(n);
    let base_codes = if base_len == 0 {
        0
    } else {
        steps[base_len - 1].cumulative
    };
    let total_codes = steps.last().map_or(0, |s| s.cumulative);

    let mut runs = Vec::new();
    if n >= params.base + params.run {
        // Runs start right after the base and slide one interview at a time.
        for first in params.base..=(n - params.run) {
            let window = &steps[first..first + params.run];
            let mut new_codes: Vec<String> = window
                .iter()
                .flat_map(|s| s.new_codes.iter().cloned())
                .collect();
            new_codes.sort();
            let share = if base_codes == 0 {
                None
            } else {
                Some(new_codes.len() as f64 / base_codes as f64)
            };
            let meets_threshold = share.is_some_and(|s| s <= params.threshold + EPSILON);
            runs.push(RunAssessment {
                first: first + 1,
                last: first + params.run,
                transcripts: window.iter().map(|s| s.transcript.clone()).collect(),
                new_codes,
                base_codes,
                known_before: steps[first - 1].cumulative,
                share,
                meets_threshold,
            });
        }
    }

    let saturation = runs.iter().find(|r| r.meets_threshold).map(|r| {
        let interview = r.first - 1;
        SaturationPoint {
            interview,
            transcript: steps[interview - 1].transcript.clone(),
            run: params.run,
            confirmed_at: r.last,
            new_count: r.new_codes.len(),
            share: r.share.unwrap_or(0.0),
        }
    });

    let status = if n < params.base + params.run {
        SaturationStatus::TooFewInterviews
    } else if base_codes == 0 {
        SaturationStatus::UndefinedBase
    } else if saturation.is_some() {
        SaturationStatus::Reached
    } else {
        SaturationStatus::NotReached
    };

    let mut report = SaturationReport {
        group: group.to_string(),
        params: *params,
        interviews: n,
        base_codes,
        total_codes,
        steps,
        runs,
        status,
        saturation,
        sentence: String::new(),
    };
    report.sentence = sentence(&report);
    report
}

/// The cumulative number of distinct codes after each interview, and the codes each added.
pub fn cumulative_steps(interviews: &[Interview]) -> Vec<Step> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    interviews
        .iter()
        .enumerate()
        .map(|(i, interview)| {
            let new_codes: Vec<String> = interview
                .codes
                .iter()
                .filter(|c| seen.insert(c.as_str()))
                .cloned()
                .collect();
            Step {
                position: i + 1,
                transcript: interview.transcript.clone(),
                new_codes,
                cumulative: seen.len(),
            }
        })
        .collect()
}

/// The report's sentence (also stored in [`SaturationReport::sentence`]).
fn sentence(report: &SaturationReport) -> String {
    let p = &report.params;
    let settings = format!(
        "base {}, run {}, ≤{}% new information",
        p.base,
        p.run,
        trim_number(p.threshold * 100.0)
    );
    let body = match report.status {
        SaturationStatus::Reached => {
            // Invariant: status Reached is only set when `saturation` is Some.
            let Some(point) = &report.saturation else {
                return String::new();
            };
            format!(
                "saturation at interview {} of {} ({}+{}), {}: {} added {}, {} of the {} in the base.",
                point.interview,
                report.interviews,
                point.interview,
                point.run,
                settings,
                interview_span(point.interview + 1, point.confirmed_at),
                plural(point.new_count, "new code", "new codes"),
                percent(point.share),
                plural(report.base_codes, "code", "codes"),
            )
        }
        SaturationStatus::NotReached => {
            let lowest = report
                .runs
                .iter()
                .filter_map(|r| r.share.map(|s| (s, r)))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            let mut text = format!(
                "saturation not reached in {} interviews ({}): every run of {} after the base added more than {}% new codes",
                report.interviews,
                settings,
                plural(p.run, "interview", "interviews"),
                trim_number(p.threshold * 100.0),
            );
            if let Some((share, run)) = lowest {
                let _ = write!(
                    text,
                    "; the lowest was {} ({})",
                    percent(share),
                    interview_span(run.first, run.last)
                );
            }
            text.push('.');
            text
        }
        SaturationStatus::TooFewInterviews => format!(
            "saturation cannot be assessed: {}, but a base of {} and a run of {} need at least {}.",
            plural(report.interviews, "interview", "interviews"),
            p.base,
            p.run,
            p.base + p.run,
        ),
        SaturationStatus::UndefinedBase => format!(
            "saturation cannot be assessed: the base (the first {}) holds no codes, so the share of new information is undefined (n/0).",
            plural(p.base, "interview", "interviews"),
        ),
    };
    if report.group.is_empty() {
        capitalise(&body)
    } else {
        format!("{}: {}", report.group, body)
    }
}

fn interview_span(first: usize, last: usize) -> String {
    if first == last {
        format!("interview {first}")
    } else {
        format!("interviews {first}–{last}")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A share as a percentage with one decimal: `0.027` → `2.7%`.
fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A number with at most two decimals and no trailing zeros: `5.0` → `5`, `2.5` → `2.5`.
fn trim_number(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How [`order_interviews`] compared the attribute values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// No transcript had a value: ordered by transcript id.
    TranscriptId,
    /// Every value was a finite number: compared as numbers.
    Numeric,
    /// Every value was an ISO 8601 date (`YYYY-MM-DD`, optionally with a time): compared as text.
    IsoDate,
    /// Anything else: compared as text (byte order).
    Text,
}

/// The attribute to order by when the user names none: a column named `order`, else `date`
/// (case-insensitive), else `None` (order by transcript id).
pub fn default_order_attribute<'a>(columns: &[&'a str]) -> Option<&'a str> {
    ["order", "date"].iter().find_map(|want| {
        columns
            .iter()
            .find(|c| c.eq_ignore_ascii_case(want))
            .copied()
    })
}

/// Orders interviews by an attribute value (`values`: transcript id → value). Numeric when
/// every present value is a number, else as text (ISO dates sort correctly as text); ties by
/// transcript id; transcripts without a value (or with a blank one) last, by transcript id.
pub fn order_interviews(
    interviews: &mut [Interview],
    values: &BTreeMap<String, String>,
) -> OrderKind {
    let value_of =
        |t: &str| -> Option<&str> { values.get(t).map(|v| v.trim()).filter(|v| !v.is_empty()) };
    let present: Vec<&str> = interviews
        .iter()
        .filter_map(|i| value_of(&i.transcript))
        .collect();
    let kind = if present.is_empty() {
        OrderKind::TranscriptId
    } else if present.iter().all(|v| parse_number(v).is_some()) {
        OrderKind::Numeric
    } else if present.iter().all(|v| is_iso_date(v)) {
        OrderKind::IsoDate
    } else {
        OrderKind::Text
    };
    interviews.sort_by(|a, b| {
        let (va, vb) = (value_of(&a.transcript), value_of(&b.transcript));
        let by_value = match (va, vb) {
            (Some(x), Some(y)) => match kind {
                // Both parse: `kind` is Numeric only when every present value does.
                OrderKind::Numeric => match (parse_number(x), parse_number(y)) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    _ => x.cmp(y),
                },
                _ => x.cmp(y),
            },
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_value.then_with(|| a.transcript.cmp(&b.transcript))
    });
    kind
}

fn parse_number(value: &str) -> Option<f64> {
    value.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `YYYY-MM-DD`, optionally followed by `T` or a space and anything (a time).
fn is_iso_date(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() < 10 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b.len() == 10 || b[10] == b'T' || b[10] == b' ')
}

/// Splits ordered interviews into groups by an attribute (`values`: transcript id → value),
/// keeping their order within each group. Groups come sorted by label; transcripts without a
/// value form the group [`NO_VALUE_GROUP`], last.
pub fn split_into_groups(
    interviews: Vec<Interview>,
    values: &BTreeMap<String, String>,
) -> Vec<(String, Vec<Interview>)> {
    let mut groups: BTreeMap<String, Vec<Interview>> = BTreeMap::new();
    let mut without: Vec<Interview> = Vec::new();
    for interview in interviews {
        match values
            .get(&interview.transcript)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            Some(v) => groups.entry(v.to_string()).or_default().push(interview),
            None => without.push(interview),
        }
    }
    let mut out: Vec<(String, Vec<Interview>)> = groups.into_iter().collect();
    if !without.is_empty() {
        out.push((NO_VALUE_GROUP.to_string(), without));
    }
    out
}

/// Rolls every code up to its top-level theme (`--level theme`). `parents` maps a code id to
/// its parent id (`None` at the top). Codes missing from `parents` stay as they are; a cycle
/// (a broken codebook) stops at the last code before the repeat.
pub fn roll_up_to_themes(
    interviews: &[Interview],
    parents: &BTreeMap<String, Option<String>>,
) -> Vec<Interview> {
    interviews
        .iter()
        .map(|i| Interview {
            transcript: i.transcript.clone(),
            codes: i.codes.iter().map(|c| theme_of(c, parents)).collect(),
        })
        .collect()
}

fn theme_of(code: &str, parents: &BTreeMap<String, Option<String>>) -> String {
    let mut current = code;
    let mut visited: BTreeSet<&str> = BTreeSet::new();
    visited.insert(current);
    while let Some(Some(parent)) = parents.get(current) {
        if !visited.insert(parent.as_str()) {
            break;
        }
        current = parent;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(prefix: &str, range: std::ops::RangeInclusive<usize>) -> Vec<String> {
        range.map(|i| format!("{prefix}{i:02}")).collect()
    }

    #[test]
    fn threshold_accepts_fraction_and_percent() {
        assert_eq!(normalise_threshold(5.0), Ok(0.05));
        assert_eq!(normalise_threshold(0.05), Ok(0.05));
        assert_eq!(normalise_threshold(1.0), Ok(0.01));
        assert_eq!(normalise_threshold(0.0), Ok(0.0));
        assert_eq!(normalise_threshold(100.0), Ok(1.0));
        assert!(normalise_threshold(-1.0).is_err());
        assert!(normalise_threshold(101.0).is_err());
        assert!(normalise_threshold(f64::NAN).is_err());
        assert_eq!(
            SaturationParams::new(0, 2, 5.0),
            Err(SaturationError::BaseZero)
        );
        assert_eq!(
            SaturationParams::new(4, 0, 5.0),
            Err(SaturationError::RunZero)
        );
    }

    #[test]
    fn steps_count_first_appearances() {
        let interviews = vec![
            Interview::new("a", ["x", "y"]),
            Interview::new("b", ["y", "z"]),
            Interview::new("c", ["x"]),
        ];
        let steps = cumulative_steps(&interviews);
        assert_eq!(steps[0].new_codes, vec!["x", "y"]);
        assert_eq!(steps[1].new_codes, vec!["z"]);
        assert!(steps[2].new_codes.is_empty());
        let cum: Vec<usize> = steps.iter().map(|s| s.cumulative).collect();
        assert_eq!(cum, vec![2, 3, 3]);
    }

    #[test]
    fn runs_slide_one_interview_at_a_time() {
        // Base 2 (codes a01..a10), then 4 interviews adding 1 code each.
        let mut interviews = vec![
            Interview::new("t1", codes("a", 1..=5)),
            Interview::new("t2", codes("a", 6..=10)),
        ];
        for i in 3..=6 {
            interviews.push(Interview::new(format!("t{i}"), [format!("b{i}")]));
        }
        let params = SaturationParams::new(2, 2, 5.0).unwrap();
        let report = assess("", &interviews, &params);
        let spans: Vec<(usize, usize)> = report.runs.iter().map(|r| (r.first, r.last)).collect();
        assert_eq!(spans, vec![(3, 4), (4, 5), (5, 6)]);
        assert!(report.runs.iter().all(|r| r.new_codes.len() == 2));
        assert_eq!(report.runs[1].known_before, 11);
        assert_eq!(report.runs[1].share, Some(0.2));
        assert_eq!(report.status, SaturationStatus::NotReached);
    }

    #[test]
    fn empty_base_is_undefined_not_a_panic() {
        let interviews: Vec<Interview> = (1..=6)
            .map(|i| Interview::new(format!("t{i}"), Vec::<String>::new()))
            .collect();
        let report = assess("", &interviews, &SaturationParams::default());
        assert_eq!(report.status, SaturationStatus::UndefinedBase);
        assert!(report
            .runs
            .iter()
            .all(|r| r.share.is_none() && !r.meets_threshold));
        assert!(report.sentence.contains("undefined"), "{}", report.sentence);
    }

    #[test]
    fn no_interviews_at_all() {
        let report = assess("", &[], &SaturationParams::default());
        assert_eq!(report.status, SaturationStatus::TooFewInterviews);
        assert!(report.steps.is_empty() && report.runs.is_empty());
        assert_eq!(
            report.sentence,
            "Saturation cannot be assessed: 0 interviews, but a base of 4 and a run of 2 need at least 6."
        );
    }

    #[test]
    fn iso_dates_are_recognised() {
        assert!(is_iso_date("2024-03-01"));
        assert!(is_iso_date("2024-03-01T10:00"));
        assert!(is_iso_date("2024-03-01 10:00"));
        assert!(!is_iso_date("2024-3-1"));
        assert!(!is_iso_date("01/03/2024"));
    }

    #[test]
    fn theme_roll_up_survives_a_cycle() {
        let parents: BTreeMap<String, Option<String>> = [
            ("a".to_string(), Some("b".to_string())),
            ("b".to_string(), Some("a".to_string())),
        ]
        .into_iter()
        .collect();
        assert_eq!(theme_of("a", &parents), "b");
        assert_eq!(theme_of("unknown", &parents), "unknown");
    }

    #[test]
    fn numbers_are_trimmed() {
        assert_eq!(trim_number(5.0), "5");
        assert_eq!(trim_number(2.5), "2.5");
        assert_eq!(trim_number(0.0), "0");
        assert_eq!(percent(1.0 / 37.0), "2.7%");
    }
}
