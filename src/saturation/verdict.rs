//! The verdict: where saturation was indicated (the first run at or below the threshold, the
//! paper's `N+M`), re-checked against every later run. A later run above the threshold revokes
//! the point; a run meeting the threshold after that indicates it again. The point that stands
//! is the first run meeting the threshold after the last run above it.

use serde::Serialize;

use super::{RunAssessment, SaturationParams, Step};

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

/// A saturation point indicated, then revoked by a later run above the threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revocation {
    /// The point that was indicated.
    pub point: SaturationPoint,
    /// The later run whose new codes were above the threshold.
    pub by: RunAssessment,
    /// The interviews of that run after the confirming run that added new codes: the ones
    /// that "later added" codes.
    pub later: Vec<Step>,
}

impl Revocation {
    /// New codes added by the [`Revocation::later`] interviews.
    pub fn later_new_codes(&self) -> usize {
        self.later.iter().map(|s| s.new_codes.len()).sum()
    }
}

/// The outcome of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SaturationStatus {
    /// A run met the threshold and no later run was above it.
    Reached,
    /// A run met the threshold, but a later run was above it (and none met it after that).
    Revoked,
    /// Every complete run was above the threshold.
    NotReached,
    /// Fewer interviews than base + run: nothing to assess.
    TooFewInterviews,
    /// The base holds no codes, so the share is undefined.
    UndefinedBase,
}

/// The saturation point that stands (if any) and every point revoked on the way, in order.
pub(super) fn verdict(
    steps: &[Step],
    runs: &[RunAssessment],
    params: &SaturationParams,
) -> (Option<SaturationPoint>, Vec<Revocation>) {
    let mut standing: Option<&RunAssessment> = None;
    let mut revoked = Vec::new();
    for run in runs {
        match standing {
            None if run.meets_threshold => standing = Some(run),
            Some(confirming) if above(run) => {
                revoked.push(Revocation {
                    point: point(steps, confirming, params),
                    by: run.clone(),
                    later: steps
                        .iter()
                        .skip(confirming.last)
                        .take(run.last.saturating_sub(confirming.last))
                        .filter(|s| !s.new_codes.is_empty())
                        .cloned()
                        .collect(),
                });
                standing = None;
            }
            _ => {}
        }
    }
    (standing.map(|r| point(steps, r, params)), revoked)
}

/// A run whose share is defined and above the threshold.
fn above(run: &RunAssessment) -> bool {
    run.share.is_some() && !run.meets_threshold
}

/// The point a run meeting the threshold confirms: the interview just before it.
fn point(steps: &[Step], run: &RunAssessment, params: &SaturationParams) -> SaturationPoint {
    let interview = run.first - 1;
    SaturationPoint {
        interview,
        transcript: steps
            .get(interview.wrapping_sub(1))
            .map(|s| s.transcript.clone())
            .unwrap_or_default(),
        run: params.run(),
        confirmed_at: run.last,
        new_count: run.new_codes.len(),
        share: run.share.unwrap_or(0.0),
    }
}

#[cfg(test)]
mod tests {
    use crate::saturation::{assess, Interview, SaturationParams, SaturationStatus};

    /// Base 2 of 10 codes, then interviews adding the given numbers of new codes.
    fn after_base(adds: &[usize]) -> Vec<Interview> {
        let mut interviews = vec![
            Interview::new("t01", (0..5).map(|i| format!("b{i}"))),
            Interview::new("t02", (5..10).map(|i| format!("b{i}"))),
        ];
        for (n, add) in adds.iter().enumerate() {
            let codes: Vec<String> = (0..*add).map(|i| format!("n{n}-{i}")).collect();
            interviews.push(Interview::new(format!("t{:02}", n + 3), codes));
        }
        interviews
    }

    #[test]
    fn a_later_run_above_the_threshold_revokes_the_point() {
        // Runs of 1 at 10%: t03 adds 0 → saturation at 2+1; t04 adds 0; t05 adds 2 (20%).
        let params = SaturationParams::new(2, 1, 10.0).unwrap();
        let report = assess("", &after_base(&[0, 0, 2]), &params);
        assert_eq!(report.status, SaturationStatus::Revoked);
        assert!(report.saturation.is_none());
        assert_eq!(report.revoked.len(), 1);
        let r = &report.revoked[0];
        assert_eq!((r.point.interview, r.point.confirmed_at), (2, 3));
        assert_eq!((r.by.first, r.by.last), (5, 5));
        assert_eq!(r.later.len(), 1);
        assert_eq!(r.later[0].transcript, "t05");
        assert_eq!(r.later_new_codes(), 2);
    }

    #[test]
    fn saturation_indicated_again_after_a_revocation_stands() {
        // t03 0 → 2+1; t04 3 (revokes); t05 0 → 4+1 stands; t06 1 (10%, at the threshold).
        let params = SaturationParams::new(2, 1, 10.0).unwrap();
        let report = assess("", &after_base(&[0, 3, 0, 1]), &params);
        assert_eq!(report.status, SaturationStatus::Reached);
        let p = report.saturation.as_ref().unwrap();
        assert_eq!((p.interview, p.transcript.as_str()), (4, "t04"));
        assert_eq!(report.revoked.len(), 1);
        assert_eq!(report.revoked[0].point.interview, 2);
        assert_eq!(report.revoked[0].later[0].transcript, "t04");
    }

    #[test]
    fn runs_meeting_the_threshold_after_the_point_keep_it() {
        let params = SaturationParams::new(2, 2, 10.0).unwrap();
        // Runs of 2: (0,0) meets → 2+2; (0,1) 10% meets; (1,0) meets.
        let report = assess("", &after_base(&[0, 0, 1, 0]), &params);
        assert_eq!(report.status, SaturationStatus::Reached);
        assert!(report.revoked.is_empty());
        assert_eq!(report.saturation.as_ref().map(|p| p.interview), Some(2));
    }
}
