//! Analytic standard errors and 95 % confidence intervals of the agreement coefficients, as
//! Gwet (2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 5) gives them for raw
//! ratings and his irrCAC package computes them.
//!
//! Every variance has the same shape: a per-unit value `c_i` whose mean is the coefficient
//! (linearised so that the chance agreement's own variability is counted), and
//! `v = Σ (c_i - c)² / (n (n-1))` over the `n` units; the interval is `c ± t(0.975, n-1) · √v`
//! (no finite-population correction: the units are taken as a sample of an infinite
//! population). The choices, all irrCAC's:
//! - **Percent agreement, Fleiss, Brennan–Prediger, AC1**: `n` counts every unit with at least
//!   one rating; a unit with one rating contributes `p_a|i = 0` scaled by `n / n₂` (units with
//!   two or more ratings), so that the mean of the `c_i` is the coefficient.
//! - **Cohen's κ** (listwise, like the point estimate): the units both coders rated, with the
//!   per-unit chance term `(p₂(a_i) + p₁(b_i)) / 2` (Gwet's Conger variance for two raters).
//! - **Krippendorff's α** (nominal only): pairable units, with Gwet's reparametrisation
//!   (`r̄`, `ε = 1/n..`); the variance is centred on his `α'` and the interval on α itself.
//!   Other metrics get no analytic interval; the bootstrap ([`super::bootstrap`]) covers them.
//! - Intervals are clipped to the coefficient's range: `[0, 1]` for percent agreement,
//!   `[-1/(q-1), 1]` for Brennan–Prediger, `[-1, 1]` for the others (irrCAC clips only the top).
//! - A coefficient that is undefined has no standard error; neither does one from a single
//!   unit (`n - 1 = 0`). A standard error of 0 gives the interval `[c, c]`.
//!
//! These figures assume independent units. Characters of a transcript are not: neighbouring
//! characters share a segment, so `n` overstates the information by orders of magnitude and
//! the interval is far too narrow. Speaker turns or matched segments are the defensible units
//! for intervals (see `thema agree --unit turn`). No I/O.

use serde::Serialize;

use super::data::{Category, ReliabilityData};
use super::distributions::t_975;
use super::stats::count_ratings;

/// A standard error with its 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// The standard error.
    pub se: f64,
    /// The 95 % interval `[lower, upper]`, clipped to the coefficient's range.
    pub ci: [f64; 2],
}

/// One value per coefficient of [`super::Agreement`], each absent (`None`) where the
/// coefficient does not apply, under the same keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PerCoefficient<T> {
    /// Percent agreement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_agreement: Option<T>,
    /// Cohen's κ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohen_kappa: Option<T>,
    /// Fleiss' κ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fleiss_kappa: Option<T>,
    /// Krippendorff's α.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub krippendorff_alpha: Option<T>,
    /// Brennan–Prediger κ_n.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brennan_prediger: Option<T>,
    /// Gwet's AC1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gwet_ac1: Option<T>,
}

impl<T> PerCoefficient<T> {
    /// The same keys with each value mapped.
    pub fn map<U>(&self, f: impl Fn(&T) -> U) -> PerCoefficient<U> {
        PerCoefficient {
            percent_agreement: self.percent_agreement.as_ref().map(&f),
            cohen_kappa: self.cohen_kappa.as_ref().map(&f),
            fleiss_kappa: self.fleiss_kappa.as_ref().map(&f),
            krippendorff_alpha: self.krippendorff_alpha.as_ref().map(&f),
            brennan_prediger: self.brennan_prediger.as_ref().map(&f),
            gwet_ac1: self.gwet_ac1.as_ref().map(&f),
        }
    }
}

/// Every analytic estimate for one comparison: a key for each coefficient that applies
/// (Cohen's κ for two coders, α for the nominal metric), `None` inside where it is undefined.
pub fn estimates(
    data: &ReliabilityData,
    nominal: bool,
    q: usize,
) -> PerCoefficient<Option<Estimate>> {
    PerCoefficient {
        percent_agreement: Some(percent_agreement(data)),
        cohen_kappa: (data.coders().len() == 2).then(|| cohen_kappa(data)),
        fleiss_kappa: Some(fleiss_kappa(data)),
        krippendorff_alpha: nominal.then(|| krippendorff_alpha(data)),
        brennan_prediger: Some(brennan_prediger(data, q)),
        gwet_ac1: Some(gwet_ac1(data, q)),
    }
}

/// One unit row summarised: weight, number of ratings, ratings per category.
struct Row {
    w: f64,
    r: f64,
    counts: Vec<(Category, u32)>,
}

fn rows(data: &ReliabilityData) -> Vec<Row> {
    let mut out = Vec::with_capacity(data.row_count());
    for unit in data.units() {
        let mut counts = Vec::new();
        count_ratings(unit.ratings, &mut counts);
        let r: u32 = counts.iter().map(|c| c.1).sum();
        if r > 0 {
            out.push(Row {
                w: unit.weight as f64,
                r: f64::from(r),
                counts,
            });
        }
    }
    out
}

/// `Σ n_k (n_k - 1)` of one unit.
fn agreeing_pairs(counts: &[(Category, u32)]) -> f64 {
    counts
        .iter()
        .map(|&(_, n)| f64::from(n) * (f64::from(n) - 1.0))
        .sum()
}

/// `p_a|i`: the share of agreeing ordered pairs of a unit, 0 for a unit with one rating.
fn unit_agreement(row: &Row) -> f64 {
    if row.r < 2.0 {
        0.0
    } else {
        agreeing_pairs(&row.counts) / (row.r * (row.r - 1.0))
    }
}

/// Builds the estimate from `Σ w (c_i - c)²` over `n` units.
fn finish(value: f64, squares: f64, n: f64, range: (f64, f64)) -> Option<Estimate> {
    if n < 2.0 || !squares.is_finite() {
        return None;
    }
    let se = (squares / (n * (n - 1.0))).max(0.0).sqrt();
    let t = t_975(n - 1.0)?;
    let clip = |x: f64| x.clamp(range.0, range.1);
    Some(Estimate {
        se,
        ci: [clip(value - t * se), clip(value + t * se)],
    })
}

/// What the multi-rater formulas share: `n`, `n₂`, `p_a` and Gwet's `π_k`.
struct Shared {
    rows: Vec<Row>,
    n: f64,
    n2: f64,
    pa: f64,
    pi: Vec<f64>,
}

impl Shared {
    fn new(data: &ReliabilityData) -> Option<Shared> {
        let rows = rows(data);
        let n: f64 = rows.iter().map(|r| r.w).sum();
        let n2: f64 = rows.iter().filter(|r| r.r >= 2.0).map(|r| r.w).sum();
        if n2 == 0.0 {
            return None;
        }
        let pa = rows.iter().map(|r| r.w * unit_agreement(r)).sum::<f64>() / n2;
        let mut pi = vec![0.0; data.categories().len()];
        for row in &rows {
            for &(k, nk) in &row.counts {
                pi[k as usize] += row.w * f64::from(nk) / row.r;
            }
        }
        for p in &mut pi {
            *p /= n;
        }
        Some(Shared {
            rows,
            n,
            n2,
            pa,
            pi,
        })
    }

    /// Σ w (c_i - c)² with `c_i = (n/n₂)(p_a|i - p_e[r_i ≥ 2])/(1 - p_e) - 2(1 - c)(p_e|i - p_e)/(1 - p_e)`.
    fn squares(&self, value: f64, pe: f64, unit_pe: impl Fn(&Row) -> Option<f64>) -> f64 {
        let scale = self.n / self.n2;
        self.rows
            .iter()
            .map(|row| {
                let pairable = if row.r >= 2.0 { 1.0 } else { 0.0 };
                let mut c = scale * (unit_agreement(row) - pe * pairable) / (1.0 - pe);
                if let Some(pe_i) = unit_pe(row) {
                    c -= 2.0 * (1.0 - value) * (pe_i - pe) / (1.0 - pe);
                }
                row.w * (c - value) * (c - value)
            })
            .sum()
    }
}

/// Percent agreement (math doc §1.2): Gwet's Brennan–Prediger variance with `p_e = 0`.
pub fn percent_agreement(data: &ReliabilityData) -> Option<Estimate> {
    let s = Shared::new(data)?;
    let squares = s.squares(s.pa, 0.0, |_| None);
    finish(s.pa, squares, s.n, (0.0, 1.0))
}

/// A share of `n` independent judgements that agree (MAXQDA's segment agreement): the percent
/// agreement variance with each segment as a unit, `p(1-p)/(n-1)`, and Brennan–Prediger over
/// `q` categories as its linear transform. Returns (percent agreement, Brennan–Prediger).
pub fn share(agree: u64, n: u64, q: usize) -> (Option<Estimate>, Option<Estimate>) {
    if n < 2 {
        return (None, None);
    }
    let nf = n as f64;
    let p = agree as f64 / nf;
    let squares = nf * p * (1.0 - p);
    let pa = finish(p, squares, nf, (0.0, 1.0));
    let bp = (q >= 2).then(|| {
        let pe = 1.0 / q as f64;
        let value = (p - pe) / (1.0 - pe);
        finish(
            value,
            squares / ((1.0 - pe) * (1.0 - pe)),
            nf,
            (-1.0 / (q as f64 - 1.0), 1.0),
        )
    });
    (pa, bp.flatten())
}

/// Fleiss' κ with Gwet's treatment of missing data.
pub fn fleiss_kappa(data: &ReliabilityData) -> Option<Estimate> {
    let s = Shared::new(data)?;
    let pe: f64 = s.pi.iter().map(|p| p * p).sum();
    if pe >= 1.0 {
        return None;
    }
    let value = (s.pa - pe) / (1.0 - pe);
    let pi = &s.pi;
    let squares = s.squares(value, pe, |row| {
        Some(
            row.counts
                .iter()
                .map(|&(k, nk)| f64::from(nk) * pi[k as usize])
                .sum::<f64>()
                / row.r,
        )
    });
    finish(value, squares, s.n, (-1.0, 1.0))
}

/// Brennan–Prediger κ_n over `q` categories.
pub fn brennan_prediger(data: &ReliabilityData, q: usize) -> Option<Estimate> {
    if q < 2 {
        return None;
    }
    let s = Shared::new(data)?;
    let pe = 1.0 / q as f64;
    let value = (s.pa - pe) / (1.0 - pe);
    let squares = s.squares(value, pe, |_| None);
    finish(value, squares, s.n, (-1.0 / (q as f64 - 1.0), 1.0))
}

/// Gwet's AC1 over `q` categories.
pub fn gwet_ac1(data: &ReliabilityData, q: usize) -> Option<Estimate> {
    if q < 2 {
        return None;
    }
    let s = Shared::new(data)?;
    let q1 = q as f64 - 1.0;
    let pe = s.pi.iter().map(|p| p * (1.0 - p)).sum::<f64>() / q1;
    let value = (s.pa - pe) / (1.0 - pe);
    let pi = &s.pi;
    let squares = s.squares(value, pe, |row| {
        Some(
            row.counts
                .iter()
                .map(|&(k, nk)| f64::from(nk) * (1.0 - pi[k as usize]))
                .sum::<f64>()
                / (row.r * q1),
        )
    });
    finish(value, squares, s.n, (-1.0, 1.0))
}

/// Cohen's κ for two coders, on the units both rated.
pub fn cohen_kappa(data: &ReliabilityData) -> Option<Estimate> {
    if data.coders().len() != 2 {
        return None;
    }
    let q = data.categories().len();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    let (mut first, mut second) = (vec![0.0; q], vec![0.0; q]);
    let mut n = 0.0;
    for unit in data.units() {
        if let [Some(a), Some(b)] = unit.ratings {
            let w = unit.weight as f64;
            pairs.push((w, *a as usize, *b as usize));
            first[*a as usize] += w;
            second[*b as usize] += w;
            n += w;
        }
    }
    if n == 0.0 {
        return None;
    }
    for p in first.iter_mut().chain(second.iter_mut()) {
        *p /= n;
    }
    let pe: f64 = first.iter().zip(&second).map(|(a, b)| a * b).sum();
    if pe >= 1.0 {
        return None;
    }
    let po = pairs
        .iter()
        .filter(|p| p.1 == p.2)
        .map(|p| p.0)
        .sum::<f64>()
        / n;
    let value = (po - pe) / (1.0 - pe);
    let squares: f64 = pairs
        .iter()
        .map(|&(w, a, b)| {
            let agree = if a == b { 1.0 } else { 0.0 };
            let pe_i = (second[a] + first[b]) / 2.0;
            let c = (agree - pe) / (1.0 - pe) - 2.0 * (1.0 - value) * (pe_i - pe) / (1.0 - pe);
            w * (c - value) * (c - value)
        })
        .sum();
    finish(value, squares, n, (-1.0, 1.0))
}

/// Krippendorff's α (nominal) with Gwet's variance.
pub fn krippendorff_alpha(data: &ReliabilityData) -> Option<Estimate> {
    let rows: Vec<Row> = rows(data).into_iter().filter(|r| r.r >= 2.0).collect();
    let n: f64 = rows.iter().map(|r| r.w).sum();
    if n == 0.0 {
        return None;
    }
    let values: f64 = rows.iter().map(|r| r.w * r.r).sum();
    let mean_r = values / n;
    let eps = 1.0 / values;
    let unit_pa = |r: &Row| agreeing_pairs(&r.counts) / (mean_r * (r.r - 1.0));
    let pa_prime = rows.iter().map(|r| r.w * unit_pa(r)).sum::<f64>() / n;
    let pa = (1.0 - eps) * pa_prime + eps;
    let mut pi = vec![0.0; data.categories().len()];
    for row in &rows {
        for &(k, nk) in &row.counts {
            pi[k as usize] += row.w * f64::from(nk) / mean_r;
        }
    }
    for p in &mut pi {
        *p /= n;
    }
    let pe: f64 = pi.iter().map(|p| p * p).sum();
    if pe >= 1.0 {
        return None;
    }
    let value = (pa - pe) / (1.0 - pe);
    let prime = (pa_prime - pe) / (1.0 - pe);
    let squares: f64 = rows
        .iter()
        .map(|row| {
            let spread = (row.r - mean_r) / mean_r;
            let pa_i = unit_pa(row) - pa * spread;
            let pe_i = row
                .counts
                .iter()
                .map(|&(k, nk)| f64::from(nk) * pi[k as usize])
                .sum::<f64>()
                / mean_r
                - pe * spread;
            let c = (pa_i - pe) / (1.0 - pe) - 2.0 * (1.0 - prime) * (pe_i - pe) / (1.0 - pe);
            row.w * (c - prime) * (c - prime)
        })
        .sum();
    finish(value, squares, n, (-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> ReliabilityData {
        let mut d = ReliabilityData::new(
            vec!["a".into(), "b".into()],
            vec!["no".into(), "yes".into()],
        )
        .unwrap();
        for (a, b, n) in [(1, 1, 20), (1, 0, 5), (0, 1, 10), (0, 0, 15)] {
            d.push_unit(&[Some(a), Some(b)], n).unwrap();
        }
        d
    }

    #[test]
    fn percent_agreement_of_two_coders_is_binomial_with_n_minus_1() {
        // p = .7 over 50 units: se = sqrt(p(1-p)/(n-1))
        let e = percent_agreement(&grant()).unwrap();
        assert!((e.se - (0.7f64 * 0.3 / 49.0).sqrt()).abs() < 1e-12);
        assert!(e.ci[0] < 0.7 && e.ci[1] > 0.7);
    }

    #[test]
    fn perfect_agreement_has_a_zero_width_interval_and_one_unit_none() {
        let mut d =
            ReliabilityData::new(vec!["a".into(), "b".into()], vec!["0".into(), "1".into()])
                .unwrap();
        d.push_unit(&[Some(0), Some(0)], 3).unwrap();
        d.push_unit(&[Some(1), Some(1)], 2).unwrap();
        let e = cohen_kappa(&d).unwrap();
        assert_eq!(e.se, 0.0);
        assert_eq!(e.ci, [1.0, 1.0]);
        let mut one =
            ReliabilityData::new(vec!["a".into(), "b".into()], vec!["0".into(), "1".into()])
                .unwrap();
        one.push_unit(&[Some(0), Some(1)], 1).unwrap();
        assert_eq!(fleiss_kappa(&one), None);
    }

    #[test]
    fn intervals_are_clipped_to_the_range() {
        let mut d =
            ReliabilityData::new(vec!["a".into(), "b".into()], vec!["0".into(), "1".into()])
                .unwrap();
        d.push_unit(&[Some(0), Some(0)], 2).unwrap();
        d.push_unit(&[Some(1), Some(1)], 1).unwrap();
        d.push_unit(&[Some(0), Some(1)], 1).unwrap();
        let e = gwet_ac1(&d, 2).unwrap();
        assert_eq!(e.ci[1], 1.0);
        assert!(e.ci[0] >= -1.0);
        let p = percent_agreement(&d).unwrap();
        assert!(p.ci[0] >= 0.0 && p.ci[1] <= 1.0);
    }
}
