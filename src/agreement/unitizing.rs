//! Krippendorff's unitizing α for one value (code) on a continuum of characters.
//!
//! Owns the per-value coefficient `_uα` of Krippendorff (1995; 2004 §12.4), math doc §8.1:
//! each observer's continuum is cut into units of the value and gaps, and α compares where the
//! observers put the units. It takes plain spans and returns numbers; it knows nothing about
//! transcripts or files. The 2016/2019 coincidence-of-lengths family (§8.2) is a different
//! number and is not computed here.

use thiserror::Error;

use super::span::Span;

/// Problems with unitized data.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum UnitizingError {
    /// A unit lies (partly) outside the continuum.
    #[error("observer {observer}: unit [{start}, {end}) lies outside the continuum [{begin}, {end_of_continuum})")]
    OutsideContinuum {
        /// Index of the observer.
        observer: usize,
        /// Start of the unit.
        start: u64,
        /// End of the unit.
        end: u64,
        /// Start of the continuum.
        begin: u64,
        /// End of the continuum.
        end_of_continuum: u64,
    },
    /// A unit is empty or inverted.
    #[error("observer {observer}: unit [{start}, {end}) is empty")]
    EmptyUnit {
        /// Index of the observer.
        observer: usize,
        /// Start of the unit.
        start: u64,
        /// End of the unit.
        end: u64,
    },
    /// Two units of one observer overlap; units of one value must be disjoint.
    #[error("observer {observer}: units [{}, {}) and [{}, {}) overlap", first.start, first.end, second.start, second.end)]
    Overlap {
        /// Index of the observer.
        observer: usize,
        /// The earlier unit.
        first: Span,
        /// The unit overlapping it.
        second: Span,
    },
}

/// The unitizing coefficient for one value, with its ingredients.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct UnitizingAlpha {
    /// Observed disagreement `D_o`.
    pub observed_disagreement: f64,
    /// Expected disagreement `D_e`.
    pub expected_disagreement: f64,
    /// `1 - D_o / D_e`; `None` when `D_e = 0` (for instance nobody marked a unit) or when
    /// there are fewer than two observers.
    pub value: Option<f64>,
}

/// Krippendorff's `_uα` for one value.
///
/// `continuum` is the stretch all observers segmented (a transcript: `[0, length)`);
/// `observers[i]` holds observer `i`'s units of this value, disjoint (they may touch), in
/// any order. Everything else in the continuum is gap.
pub fn unitizing_alpha(
    continuum: Span,
    observers: &[Vec<Span>],
) -> Result<UnitizingAlpha, UnitizingError> {
    let mut sorted: Vec<Vec<Span>> = Vec::with_capacity(observers.len());
    for (i, units) in observers.iter().enumerate() {
        let mut units = units.clone();
        units.sort_unstable();
        for w in units.windows(2) {
            if w[1].start < w[0].end {
                return Err(UnitizingError::Overlap {
                    observer: i,
                    first: w[0],
                    second: w[1],
                });
            }
        }
        for u in &units {
            if u.is_empty() {
                return Err(UnitizingError::EmptyUnit {
                    observer: i,
                    start: u.start,
                    end: u.end,
                });
            }
            if u.start < continuum.start || u.end > continuum.end {
                return Err(UnitizingError::OutsideContinuum {
                    observer: i,
                    start: u.start,
                    end: u.end,
                    begin: continuum.start,
                    end_of_continuum: continuum.end,
                });
            }
        }
        sorted.push(units);
    }
    let m = sorted.len() as f64;
    let l = continuum.len() as f64;
    if sorted.len() < 2 || l == 0.0 {
        return Ok(UnitizingAlpha {
            observed_disagreement: 0.0,
            expected_disagreement: 0.0,
            value: None,
        });
    }

    // Observed: Σ over ordered observer pairs; each unordered pair counts twice.
    let mut pair_sum = 0f64;
    for i in 0..sorted.len() {
        for j in i + 1..sorted.len() {
            pair_sum += 2.0 * pair_distance(&sorted[i], &sorted[j]);
        }
    }
    let observed = pair_sum / (m * (m - 1.0) * l * l);

    // Expected: units and gaps of all observers.
    let mut unit_lengths = Vec::new();
    let mut gap_lengths = Vec::new();
    for units in &sorted {
        let mut pos = continuum.start;
        for u in units {
            if u.start > pos {
                gap_lengths.push((u.start - pos) as f64);
            }
            unit_lengths.push(u.len() as f64);
            pos = u.end;
        }
        if continuum.end > pos {
            gap_lengths.push((continuum.end - pos) as f64);
        }
    }
    gap_lengths.sort_unstable_by(f64::total_cmp);
    // suffix[i] = Σ_{h ≥ i} (ℓ_h + 1) over gaps sorted by length.
    let mut suffix = vec![0f64; gap_lengths.len() + 1];
    for i in (0..gap_lengths.len()).rev() {
        suffix[i] = suffix[i + 1] + gap_lengths[i] + 1.0;
    }
    let n_v = unit_lengths.len() as f64;
    let mut numerator = 0f64;
    let mut correction = 0f64;
    for &lg in &unit_lengths {
        let within = (n_v - 1.0) / 3.0 * (2.0 * lg * lg * lg - 3.0 * lg * lg + lg);
        let first = gap_lengths.partition_point(|&h| h < lg);
        let count = (gap_lengths.len() - first) as f64;
        // Σ_{ℓ_h ≥ ℓ_g} (ℓ_h - ℓ_g + 1)
        let in_gaps = suffix[first] - count * lg;
        numerator += within + lg * lg * in_gaps;
        correction += lg * (lg - 1.0);
    }
    let numerator = 2.0 / l * numerator;
    let denominator = m * l * (m * l - 1.0) - correction;
    let expected = if denominator > 0.0 {
        numerator / denominator
    } else {
        0.0
    };
    Ok(UnitizingAlpha {
        observed_disagreement: observed,
        expected_disagreement: expected,
        value: (expected > 0.0).then(|| 1.0 - observed / expected),
    })
}

/// Σ δ² over sections of observer `a` against sections of observer `b` (one direction).
///
/// Overlapping units contribute their squared boundary differences; a unit that overlaps no
/// unit of the other observer lies inside one of its gaps and contributes its squared length.
fn pair_distance(a: &[Span], b: &[Span]) -> f64 {
    let mut sum = 0f64;
    let mut a_paired = vec![false; a.len()];
    let mut b_paired = vec![false; b.len()];
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (g, h) = (a[i], b[j]);
        if g.overlap(&h) > 0 {
            let ds = g.start as f64 - h.start as f64;
            let de = g.end as f64 - h.end as f64;
            sum += ds * ds + de * de;
            a_paired[i] = true;
            b_paired[j] = true;
        }
        if g.end <= h.end {
            i += 1;
        } else {
            j += 1;
        }
    }
    let lonely = |units: &[Span], paired: &[bool]| -> f64 {
        units
            .iter()
            .zip(paired)
            .filter(|(_, &p)| !p)
            .map(|(u, _)| (u.len() as f64).powi(2))
            .sum()
    };
    sum + lonely(a, &a_paired) + lonely(b, &b_paired)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(start: u64, len: u64) -> Span {
        Span::new(start, start + len)
    }

    #[test]
    fn identical_unitizations_agree_fully() {
        let units = vec![s(10, 5), s(40, 20)];
        let a = unitizing_alpha(Span::new(0, 100), &[units.clone(), units]).unwrap();
        assert_eq!(a.observed_disagreement, 0.0);
        assert_eq!(a.value, Some(1.0));
    }

    #[test]
    fn nobody_marking_a_unit_is_undefined() {
        let a = unitizing_alpha(Span::new(0, 100), &[vec![], vec![]]).unwrap();
        assert_eq!(a.value, None);
    }

    #[test]
    fn krippendorff_distance_examples() {
        // The three distances of Krippendorff (2004) p. 254 as quoted in DKPro's tests.
        assert_eq!(pair_distance(&[s(225, 70)], &[s(220, 80)]), 50.0);
        assert_eq!(pair_distance(&[s(370, 30)], &[s(355, 20)]), 850.0);
        assert_eq!(pair_distance(&[], &[s(400, 20)]), 400.0);
    }

    #[test]
    fn overlapping_units_of_one_observer_are_refused() {
        let err = unitizing_alpha(Span::new(0, 100), &[vec![s(0, 10), s(5, 10)], vec![]]);
        assert!(matches!(
            err,
            Err(UnitizingError::Overlap { observer: 0, .. })
        ));
        let err = unitizing_alpha(Span::new(0, 100), &[vec![s(95, 10)], vec![]]);
        assert!(matches!(err, Err(UnitizingError::OutsideContinuum { .. })));
    }
}
