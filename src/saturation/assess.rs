//! The assessment itself, for one group of interviews in the order given: which interviews
//! count (the coded ones), the cumulative code curve, the sliding runs after the base, and the
//! verdict ([`super::verdict`]) and sentence ([`super::sentence`]) built from them.

use std::collections::BTreeSet;

use serde::Serialize;

use super::order::Ordering;
use super::params::EPSILON;
use super::sentence::sentence;
use super::verdict::{verdict, Revocation, SaturationPoint, SaturationStatus};
use super::SaturationParams;

/// One interview (transcript), whether the chosen coders have coded it, and the distinct codes
/// it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interview {
    /// Transcript id.
    pub transcript: String,
    /// Whether the chosen coders (or layer) have coded it at all. An interview not yet coded is
    /// left out of the assessment and named, never counted as adding no new codes.
    pub coded: bool,
    /// Distinct code ids (or theme ids) applied anywhere in the transcript.
    pub codes: BTreeSet<String>,
}

impl Interview {
    /// A coded interview from a transcript id and any iterator of code ids.
    pub fn new<I, S>(transcript: impl Into<String>, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Interview {
            transcript: transcript.into(),
            coded: true,
            codes: codes.into_iter().map(Into::into).collect(),
        }
    }

    /// An interview the chosen coders have not coded yet.
    pub fn uncoded(transcript: impl Into<String>) -> Self {
        Interview {
            transcript: transcript.into(),
            coded: false,
            codes: BTreeSet::new(),
        }
    }
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

/// Everything `thema saturation` reports for one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SaturationReport {
    /// Group label (empty when the study is not split).
    pub group: String,
    /// The parameters used.
    pub params: SaturationParams,
    /// Number of coded interviews in the group: the ones assessed.
    pub interviews: usize,
    /// Interviews of the group not yet coded, in order: left out of the assessment.
    pub left_out: Vec<String>,
    /// How the interviews were ordered (`None` when the caller gave no account of it). Its
    /// `without_value` names only this group's assessed interviews.
    pub order: Option<Ordering>,
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
    /// The saturation point that stands: no later run was above the threshold.
    pub saturation: Option<SaturationPoint>,
    /// Saturation points indicated earlier and revoked by a later run above the threshold.
    pub revoked: Vec<Revocation>,
    /// One sentence a paper can quote.
    pub sentence: String,
}

/// The cumulative curve and the base/run/threshold assessment for one group of interviews,
/// taken in the order given, without an account of the order (see [`assess_in_order`]).
pub fn assess(
    group: &str,
    interviews: &[Interview],
    params: &SaturationParams,
) -> SaturationReport {
    assess_in_order(group, interviews, params, None)
}

/// The assessment of one group of interviews, taken in the order given, which `order` (when
/// given) describes for the sentence. Interviews not coded are left out and named.
pub fn assess_in_order(
    group: &str,
    interviews: &[Interview],
    params: &SaturationParams,
    order: Option<&Ordering>,
) -> SaturationReport {
    let (coded, uncoded): (Vec<&Interview>, Vec<&Interview>) =
        interviews.iter().partition(|i| i.coded);
    let steps = cumulative_steps(coded.iter().copied());
    let n = steps.len();
    let base_len = params.base().min(n);
    let base_codes = if base_len == 0 {
        0
    } else {
        steps[base_len - 1].cumulative
    };
    let total_codes = steps.last().map_or(0, |s| s.cumulative);
    let runs = sliding_runs(&steps, base_codes, params);
    let (saturation, revoked) = verdict(&steps, &runs, params);

    let status = if n < params.base() + params.run() {
        SaturationStatus::TooFewInterviews
    } else if base_codes == 0 {
        SaturationStatus::UndefinedBase
    } else if saturation.is_some() {
        SaturationStatus::Reached
    } else if !revoked.is_empty() {
        SaturationStatus::Revoked
    } else {
        SaturationStatus::NotReached
    };

    let order = order.map(|o| o.for_interviews(steps.iter().map(|s| s.transcript.as_str())));
    let mut report = SaturationReport {
        group: group.to_string(),
        params: *params,
        interviews: n,
        left_out: uncoded.iter().map(|i| i.transcript.clone()).collect(),
        order,
        base_codes,
        total_codes,
        steps,
        runs,
        status,
        saturation,
        revoked,
        sentence: String::new(),
    };
    report.sentence = sentence(&report);
    report
}

/// Every complete run after the base, sliding one interview at a time (none when there are
/// fewer than base + run interviews).
fn sliding_runs(
    steps: &[Step],
    base_codes: usize,
    params: &SaturationParams,
) -> Vec<RunAssessment> {
    let n = steps.len();
    if n < params.base() + params.run() {
        return Vec::new();
    }
    (params.base()..=(n - params.run()))
        .map(|first| {
            let window = &steps[first..first + params.run()];
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
            let meets_threshold = share.is_some_and(|s| s <= params.threshold() + EPSILON);
            RunAssessment {
                first: first + 1,
                last: first + params.run(),
                transcripts: window.iter().map(|s| s.transcript.clone()).collect(),
                new_codes,
                base_codes,
                known_before: steps[first - 1].cumulative,
                share,
                meets_threshold,
            }
        })
        .collect()
}

/// The cumulative number of distinct codes after each interview, and the codes each added
/// (every interview given counts, coded or not: [`assess_in_order`] passes the coded ones).
pub fn cumulative_steps<'a>(interviews: impl IntoIterator<Item = &'a Interview>) -> Vec<Step> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    interviews
        .into_iter()
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::saturation::SaturationParams;

    fn codes(prefix: &str, range: std::ops::RangeInclusive<usize>) -> Vec<String> {
        range.map(|i| format!("{prefix}{i:02}")).collect()
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
}
