//! Turning codings into reliability data: character, turn and segment units.
//!
//! Owns the three units of analysis `thema agree --unit` offers, for one code at a time:
//! - **char** (NVivo's coding comparison): every character is a unit, coded or not by each
//!   coder. A sweep over the coders' range endpoints yields stretches with a constant pattern,
//!   summed into weighted patterns: the cost grows with the number of ranges, never with the
//!   number of characters, and nothing is allocated per character.
//! - **turn**: every speaker turn is a unit, coded by a coder when any of the coder's ranges
//!   overlaps it. Only turns some range touches are visited.
//! - **segment** (MAXQDA's segment agreement, math doc §7.2): each coded segment of one coder
//!   agrees when the other coder coded a segment of the same code overlapping it by at least a
//!   threshold share of their combined extent.
//!
//! Inputs are plain code-point [`Span`]s; this module knows nothing about the study's files or
//! model types and does no I/O. NVivo's percentage agreement, (both + neither) / all units, is
//! exactly [`super::stats::percent_agreement`] on two coders' char units, so it has no separate
//! function; [`PresenceTally::two_by_two`] gives NVivo's table.

use std::collections::BTreeMap;

use serde::Serialize;
use thiserror::Error;

use super::data::{DataError, ReliabilityData};
use super::span::{merge_spans, Span, Sweep, MAX_SWEEP_CODERS};

/// Problems with the codings handed to the unit builders.
#[derive(Debug, Error, PartialEq)]
pub enum UnitsError {
    /// More coders than a coder set can hold.
    #[error("{found} coders compared at once; at most {MAX_SWEEP_CODERS} are supported")]
    TooManyCoders {
        /// Number of coders given.
        found: usize,
    },
    /// A call gave ranges for a different number of coders than the tally was made for.
    #[error("ranges given for {found} coders, expected {expected}")]
    CoderCount {
        /// Coders the tally was made for.
        expected: usize,
        /// Coders in this call.
        found: usize,
    },
    /// A range ends before it starts or reaches past the end of the transcript.
    #[error(
        "coder {coder}: range [{start}, {end}) does not fit a transcript of {length} characters"
    )]
    BadRange {
        /// Index of the coder.
        coder: usize,
        /// Start of the range.
        start: u64,
        /// End of the range.
        end: u64,
        /// Transcript length in code points.
        length: u64,
    },
    /// Turns must be non-empty, sorted and non-overlapping.
    #[error("turn {index} [{start}, {end}) is empty or overlaps the turn before it")]
    BadTurn {
        /// Index of the turn.
        index: usize,
        /// Start of the turn.
        start: u64,
        /// End of the turn.
        end: u64,
    },
    /// The segment overlap threshold must lie in (0, 1].
    #[error("minimum overlap {0} is not in (0, 1]")]
    BadOverlap(f64),
}

/// Label of category 0 in presence data.
pub const UNCODED: &str = "uncoded";
/// Label of category 1 in presence data.
pub const CODED: &str = "coded";

/// Binary coded / not-coded patterns of one code, summed over transcripts.
///
/// A pattern is the set of coders who rated the unit (a coder who has not coded a transcript
/// gives missing ratings there) and the subset who applied the code; each pattern carries the
/// number of units (characters or turns) with it. With `m` coders there are at most `3^m`
/// patterns, whatever the size of the study.
#[derive(Debug)]
pub struct PresenceTally {
    coders: usize,
    /// (rated set, coded set) → number of units.
    counts: BTreeMap<(u64, u64), u64>,
    sweep: Sweep,
    merged: Vec<Span>,
    touched: Vec<(usize, usize)>,
}

/// NVivo's 2×2 table of one code for two coders: units coded by both, by only one, by neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TwoByTwo {
    /// Units both coders coded.
    pub both: u64,
    /// Units only the first coder coded.
    pub only_first: u64,
    /// Units only the second coder coded.
    pub only_second: u64,
    /// Units neither coder coded.
    pub neither: u64,
}

impl TwoByTwo {
    /// All units in the table.
    pub fn total(&self) -> u64 {
        self.both + self.only_first + self.only_second + self.neither
    }

    /// NVivo's percentage agreement: (both + neither) / all units; `None` for an empty table.
    pub fn percent_agreement(&self) -> Option<f64> {
        let t = self.total();
        (t > 0).then(|| (self.both + self.neither) as f64 / t as f64)
    }
}

impl PresenceTally {
    /// An empty tally for `coders` coders (at most [`MAX_SWEEP_CODERS`]).
    pub fn new(coders: usize) -> Result<Self, UnitsError> {
        if coders > MAX_SWEEP_CODERS {
            return Err(UnitsError::TooManyCoders { found: coders });
        }
        Ok(PresenceTally {
            coders,
            counts: BTreeMap::new(),
            sweep: Sweep::default(),
            merged: Vec::new(),
            touched: Vec::new(),
        })
    }

    /// Adds every character of one transcript of `length` code points as a unit.
    ///
    /// `coder_ranges[i]` holds the `[start, end)` ranges where coder `i` applied the code
    /// (overlapping or nested ranges are merged), or `None` when coder `i` has not coded this
    /// transcript (missing ratings rather than "not coded").
    pub fn add_chars(
        &mut self,
        length: u64,
        coder_ranges: &[Option<&[Span]>],
    ) -> Result<(), UnitsError> {
        let rated = self.check(length, coder_ranges)?;
        if length == 0 || rated == 0 {
            return Ok(());
        }
        let counts = &mut self.counts;
        let present = coder_ranges
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (i, r)));
        self.sweep.run(length, present, |start, end, coded| {
            *counts.entry((rated, coded)).or_insert(0) += end - start;
        });
        Ok(())
    }

    /// Adds every turn of one transcript as a unit: coded by a coder when any of the coder's
    /// ranges shares at least one character with the turn.
    ///
    /// `coder_ranges` is as for [`Self::add_chars`]; parts of ranges outside every turn are
    /// ignored. The cost grows with the number of ranges, not with the number of turns.
    pub fn add_turns(
        &mut self,
        turns: &Turns,
        coder_ranges: &[Option<&[Span]>],
    ) -> Result<(), UnitsError> {
        let turns = turns.as_slice();
        let length = turns.last().map_or(0, |t| t.end);
        let rated = self.check(u64::MAX, coder_ranges)?;
        if turns.is_empty() || rated == 0 {
            return Ok(());
        }
        // Which (turn, coder) pairs are coded: visit only the turns each merged range touches.
        self.touched.clear();
        for (coder, ranges) in coder_ranges.iter().enumerate() {
            let Some(ranges) = ranges else { continue };
            self.merged.clear();
            self.merged.extend_from_slice(ranges);
            merge_spans(&mut self.merged);
            for r in &self.merged {
                if r.start >= length {
                    break;
                }
                let first = turns.partition_point(|t| t.end <= r.start);
                for (i, t) in turns.iter().enumerate().skip(first) {
                    if t.start >= r.end {
                        break;
                    }
                    self.touched.push((i, coder));
                }
            }
        }
        self.touched.sort_unstable();
        self.touched.dedup();
        let mut coded_turns = 0u64;
        let mut i = 0;
        while i < self.touched.len() {
            let turn = self.touched[i].0;
            let mut coded = 0u64;
            while i < self.touched.len() && self.touched[i].0 == turn {
                coded |= 1 << self.touched[i].1;
                i += 1;
            }
            *self.counts.entry((rated, coded)).or_insert(0) += 1;
            coded_turns += 1;
        }
        let uncoded = turns.len() as u64 - coded_turns;
        if uncoded > 0 {
            *self.counts.entry((rated, 0)).or_insert(0) += uncoded;
        }
        Ok(())
    }

    /// The patterns collected so far: (coders who rated, coders who coded, number of units),
    /// coder `i` being bit `i`.
    pub fn patterns(&self) -> impl Iterator<Item = (u64, u64, u64)> + '_ {
        self.counts.iter().map(|(&(r, c), &n)| (r, c, n))
    }

    /// NVivo's table for coders `first` and `second` over the units both rated.
    pub fn two_by_two(&self, first: usize, second: usize) -> TwoByTwo {
        let (a, b) = (1u64 << first, 1u64 << second);
        let mut t = TwoByTwo::default();
        for (rated, coded, n) in self.patterns() {
            if rated & a == 0 || rated & b == 0 {
                continue;
            }
            match (coded & a != 0, coded & b != 0) {
                (true, true) => t.both += n,
                (true, false) => t.only_first += n,
                (false, true) => t.only_second += n,
                (false, false) => t.neither += n,
            }
        }
        t
    }

    /// Reliability data with categories `uncoded` (0) and `coded` (1), one weighted row per
    /// pattern. `coder_names` must name every coder of the tally.
    pub fn to_reliability_data(
        &self,
        coder_names: Vec<String>,
    ) -> Result<ReliabilityData, DataError> {
        let mut data =
            ReliabilityData::new(coder_names, vec![UNCODED.to_string(), CODED.to_string()])?;
        let mut row = vec![None; self.coders];
        for (rated, coded, n) in self.patterns() {
            for (i, cell) in row.iter_mut().enumerate() {
                *cell = (rated >> i & 1 == 1).then_some((coded >> i & 1) as u32);
            }
            data.push_unit(&row, n)?;
        }
        Ok(data)
    }

    /// Validates one call's ranges and returns the set of coders who rated.
    fn check(&self, length: u64, coder_ranges: &[Option<&[Span]>]) -> Result<u64, UnitsError> {
        if coder_ranges.len() != self.coders {
            return Err(UnitsError::CoderCount {
                expected: self.coders,
                found: coder_ranges.len(),
            });
        }
        let mut rated = 0u64;
        for (coder, ranges) in coder_ranges.iter().enumerate() {
            let Some(ranges) = ranges else { continue };
            rated |= 1 << coder;
            for r in ranges.iter() {
                if r.end < r.start || r.end > length {
                    return Err(UnitsError::BadRange {
                        coder,
                        start: r.start,
                        end: r.end,
                        length,
                    });
                }
            }
        }
        Ok(rated)
    }
}

/// The turns of one transcript, checked once: non-empty, sorted, non-overlapping `[start, end)`
/// ranges (gaps between them are allowed). Build it once per transcript and reuse it for
/// every code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Turns(Vec<Span>);

impl Turns {
    /// Checks and wraps the turn ranges of one transcript.
    pub fn new(turns: Vec<Span>) -> Result<Self, UnitsError> {
        for (index, t) in turns.iter().enumerate() {
            let after_previous = index == 0 || turns[index - 1].end <= t.start;
            if t.is_empty() || !after_previous {
                return Err(UnitsError::BadTurn {
                    index,
                    start: t.start,
                    end: t.end,
                });
            }
        }
        Ok(Turns(turns))
    }

    /// The turn ranges in order.
    pub fn as_slice(&self) -> &[Span] {
        &self.0
    }
}

/// Which segments of two coders found a partner, for one code in one transcript.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SegmentMatch {
    /// For each segment of the first coder, in input order: matched by the second coder.
    pub first: Vec<bool>,
    /// For each segment of the second coder, in input order: matched by the first coder.
    pub second: Vec<bool>,
}

/// MAXQDA-style matching (math doc §7.2): a segment agrees when the other coder has a segment
/// of the same code whose overlap is at least `min_overlap` (in (0, 1], MAXQDA's default 0.9)
/// of the combined extent of the two segments, from the earlier start to the later end.
///
/// Each segment is judged on its own (a partner may serve several segments), from both
/// coders' sides, so every segment of both coders is counted once. Empty segments never match.
pub fn match_segments(
    first: &[Span],
    second: &[Span],
    min_overlap: f64,
) -> Result<SegmentMatch, UnitsError> {
    if !(min_overlap > 0.0 && min_overlap <= 1.0) {
        return Err(UnitsError::BadOverlap(min_overlap));
    }
    Ok(SegmentMatch {
        first: one_side(first, second, min_overlap),
        second: one_side(second, first, min_overlap),
    })
}

/// For each of `mine`, whether some of `theirs` overlaps it enough.
fn one_side(mine: &[Span], theirs: &[Span], min_overlap: f64) -> Vec<bool> {
    let mut sorted: Vec<Span> = theirs.iter().copied().filter(|s| !s.is_empty()).collect();
    sorted.sort_unstable();
    mine.iter()
        .map(|s| {
            if s.is_empty() {
                return false;
            }
            // overlap ≤ len(s) and extent ≥ s.end - t.start, so a partner starts at or after
            // s.end - len(s) / min_overlap.
            let reach = (s.len() as f64 / min_overlap).ceil() as u64;
            let lowest = s.end.saturating_sub(reach);
            let from = sorted.partition_point(|t| t.start < lowest);
            sorted[from..]
                .iter()
                .take_while(|t| t.start < s.end)
                .any(|t| {
                    let overlap = s.overlap(t);
                    let extent = s.end.max(t.end) - s.start.min(t.start);
                    overlap > 0 && overlap as f64 >= min_overlap * extent as f64
                })
        })
        .collect()
}

/// Matched and unmatched segments of one code, summed over transcripts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SegmentTally {
    /// Segments of each coder that found a partner.
    pub matched: [u64; 2],
    /// Segments of each coder that found none.
    pub unmatched: [u64; 2],
}

impl SegmentTally {
    /// Adds one transcript's match.
    pub fn add(&mut self, m: &SegmentMatch) {
        for (side, flags) in [&m.first, &m.second].into_iter().enumerate() {
            let hits = flags.iter().filter(|&&f| f).count() as u64;
            self.matched[side] += hits;
            self.unmatched[side] += flags.len() as u64 - hits;
        }
    }

    /// Segments that agree, from both coders' sides.
    pub fn agreements(&self) -> u64 {
        self.matched[0] + self.matched[1]
    }

    /// Segments that do not agree, from both coders' sides.
    pub fn disagreements(&self) -> u64 {
        self.unmatched[0] + self.unmatched[1]
    }

    /// agreements / (agreements + disagreements); `None` when neither coder coded.
    pub fn percent_agreement(&self) -> Option<f64> {
        let total = self.agreements() + self.disagreements();
        (total > 0).then(|| self.agreements() as f64 / total as f64)
    }
}

/// MAXQDA's segment-level result over several codes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SegmentAgreement {
    /// Codes in the result table: those with at least one segment. This is MAXQDA's `q`.
    pub codes: usize,
    /// Agreeing segments over all codes.
    pub agreements: u64,
    /// Disagreeing segments over all codes.
    pub disagreements: u64,
    /// agreements / all segments (MAXQDA's `p_o = a / (a + b + c)`).
    pub percent_agreement: Option<f64>,
    /// Mean over codes of each code's percent agreement.
    pub mean_code_percent: Option<f64>,
    /// Brennan–Prediger κ_n with `p_e = 1 / codes`, as MAXQDA reports it; `None` when fewer
    /// than two codes have segments or no segment exists.
    pub brennan_prediger: Option<f64>,
}

/// Sums per-code segment tallies into MAXQDA's overall figures.
pub fn segment_agreement(per_code: &[SegmentTally]) -> SegmentAgreement {
    let used: Vec<&SegmentTally> = per_code
        .iter()
        .filter(|t| t.agreements() + t.disagreements() > 0)
        .collect();
    let agreements: u64 = used.iter().map(|t| t.agreements()).sum();
    let disagreements: u64 = used.iter().map(|t| t.disagreements()).sum();
    let total = agreements + disagreements;
    let percent = (total > 0).then(|| agreements as f64 / total as f64);
    let percents: Vec<f64> = used.iter().filter_map(|t| t.percent_agreement()).collect();
    let mean = (!percents.is_empty()).then(|| percents.iter().sum::<f64>() / percents.len() as f64);
    let q = used.len() as f64;
    let bp = percent.filter(|_| used.len() >= 2).map(|p| {
        let pe = 1.0 / q;
        (p - pe) / (1.0 - pe)
    });
    SegmentAgreement {
        codes: used.len(),
        agreements,
        disagreements,
        percent_agreement: percent,
        mean_code_percent: mean,
        brennan_prediger: bp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: u64, end: u64) -> Span {
        Span::new(start, end)
    }

    #[test]
    fn chars_become_weighted_patterns() {
        let mut t = PresenceTally::new(2).unwrap();
        let a = [sp(0, 150)];
        let b = [sp(100, 200)];
        t.add_chars(1000, &[Some(&a), Some(&b)]).unwrap();
        let p: Vec<_> = t.patterns().collect();
        assert_eq!(
            p,
            vec![
                (0b11, 0b00, 800),
                (0b11, 0b01, 100),
                (0b11, 0b10, 50),
                (0b11, 0b11, 50)
            ]
        );
        assert_eq!(
            t.two_by_two(0, 1),
            TwoByTwo {
                both: 50,
                only_first: 100,
                only_second: 50,
                neither: 800
            }
        );
    }

    #[test]
    fn a_coder_without_the_transcript_is_missing_not_uncoded() {
        let mut t = PresenceTally::new(3).unwrap();
        let a = [sp(2, 4)];
        t.add_chars(10, &[Some(&a), None, Some(&[])]).unwrap();
        let d = t
            .to_reliability_data(vec!["a".into(), "b".into(), "c".into()])
            .unwrap();
        let rows: Vec<_> = d.units().map(|u| (u.ratings.to_vec(), u.weight)).collect();
        assert_eq!(
            rows,
            vec![
                (vec![Some(0), None, Some(0)], 8),
                (vec![Some(1), None, Some(0)], 2)
            ]
        );
    }

    #[test]
    fn turns_are_coded_when_any_range_overlaps() {
        let turns = Turns::new(vec![sp(0, 10), sp(10, 20), sp(25, 40), sp(40, 50)]).unwrap();
        let a = [sp(5, 12)]; // turns 0 and 1
        let b = [sp(20, 25), sp(45, 46)]; // only the gap, then turn 3
        let mut t = PresenceTally::new(2).unwrap();
        t.add_turns(&turns, &[Some(&a), Some(&b)]).unwrap();
        let p: Vec<_> = t.patterns().collect();
        assert_eq!(p, vec![(0b11, 0b00, 1), (0b11, 0b01, 2), (0b11, 0b10, 1)]);
    }

    #[test]
    fn bad_input_is_refused() {
        let mut t = PresenceTally::new(1).unwrap();
        assert!(matches!(
            t.add_chars(10, &[Some(&[sp(5, 11)])]),
            Err(UnitsError::BadRange { coder: 0, .. })
        ));
        assert!(matches!(
            Turns::new(vec![sp(0, 5), sp(4, 8)]),
            Err(UnitsError::BadTurn { index: 1, .. })
        ));
        assert!(matches!(
            Turns::new(vec![sp(0, 5), sp(7, 7)]),
            Err(UnitsError::BadTurn { index: 1, .. })
        ));
        assert!(matches!(
            t.add_chars(10, &[]),
            Err(UnitsError::CoderCount { .. })
        ));
        assert!(PresenceTally::new(65).is_err());
        assert!(match_segments(&[], &[], 0.0).is_err());
    }

    #[test]
    fn segments_match_on_share_of_combined_extent() {
        // [0,100) vs [5,100): overlap 95, extent 100 → 0.95 ≥ 0.9.
        // [200,300) vs [250,300): overlap 50, extent 100 → 0.5 < 0.9.
        let a = [sp(0, 100), sp(200, 300)];
        let b = [sp(5, 100), sp(250, 300), sp(500, 510)];
        let m = match_segments(&a, &b, 0.9).unwrap();
        assert_eq!(m.first, vec![true, false]);
        assert_eq!(m.second, vec![true, false, false]);
        let m = match_segments(&a, &b, 0.5).unwrap();
        assert_eq!(m.first, vec![true, true]);
        let mut tally = SegmentTally::default();
        tally.add(&match_segments(&a, &b, 0.9).unwrap());
        assert_eq!(tally.agreements(), 2);
        assert_eq!(tally.disagreements(), 3);
        assert_eq!(tally.percent_agreement(), Some(0.4));
    }

    #[test]
    fn maxqda_overall_uses_number_of_codes_as_q() {
        let code = |a, d| SegmentTally {
            matched: [a, 0],
            unmatched: [d, 0],
        };
        let r = segment_agreement(&[code(9, 1), code(5, 5), SegmentTally::default()]);
        assert_eq!(r.codes, 2);
        assert_eq!(r.percent_agreement, Some(14.0 / 20.0));
        assert_eq!(r.mean_code_percent, Some(0.7));
        // (0.7 - 0.5) / 0.5
        assert!((r.brennan_prediger.unwrap() - 0.4).abs() < 1e-12);
    }
}
