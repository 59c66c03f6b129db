//! A bootstrap distribution of Krippendorff's α: its 95 % interval and the probability `q` that
//! α falls below a required minimum, as Hayes & Krippendorff (2007, *Communication Methods and
//! Measures* 1(1), 77–89) report them, with the choices their paper leaves open made as follows.
//!
//! - **Units are resampled, not pairable values.** Hayes & Krippendorff's KALPHA (and
//!   Krippendorff's 2006/2011 note *Algorithm for bootstrapping a distribution of α*) draw pairs
//!   of values from the coincidence matrix and keep the expected disagreement `D_e` fixed. The
//!   values of one unit are not independent draws, though: they are the coders' judgements of
//!   the same unit. thema draws whole units with replacement (Efron's nonparametric bootstrap
//!   of the sampled units; Gwet 2014 ch. 5 assumes the same sampling for his variances) and
//!   recomputes both `D_o` and `D_e` from each resample, so for large data the interval agrees
//!   with the analytic one of [`super::inference`]. Only pairable units (two or more ratings)
//!   are resampled: the others do not enter α.
//! - **Interval**: the percentile interval, the 2.5 % and 97.5 % quantiles of the resampled α
//!   (linear interpolation between order statistics, Hyndman & Fan's type 7), clipped to
//!   `[-1, 1]`. **q** is the share of resamples with α below `α_min` (Krippendorff recommends
//!   0.800, or 0.667 for tentative conclusions).
//! - A resample without variation (every drawn value in one category) has no α; it is left
//!   out and counted in [`AlphaBootstrap::undefined`], and the distribution is the one given
//!   variation.
//! - **Dependent units.** Resampling assumes independent units. Characters of a transcript are
//!   strongly dependent (a coded segment is hundreds of characters that agree or disagree
//!   together), so a character-level interval is far too narrow; speaker turns or matched
//!   segments are the defensible units for intervals.
//!
//! Efficiency: identical units are one weighted row ([`ReliabilityData`]), so a resample is a
//! multinomial draw of counts over the distinct rows (sequential binomials), and α is a
//! weighted sum of per-row coincidence contributions computed once. Nothing is copied per
//! resample. The generator ([`super::random::Rng`]) gives the same numbers for a seed on every
//! platform. No I/O.

use serde::Serialize;

use super::data::ReliabilityData;
use super::random::Rng;
use super::stats::{alpha_from_coincidences, count_ratings, metric_applies, Metric};

/// How to bootstrap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BootstrapOptions {
    /// Number of resamples (0: no bootstrap).
    pub samples: usize,
    /// Seed of the random number generator.
    pub seed: u64,
    /// The minimum α required; `q` is the probability of falling below it.
    pub alpha_min: f64,
}

impl BootstrapOptions {
    /// No bootstrap at all.
    pub fn none() -> BootstrapOptions {
        BootstrapOptions {
            samples: 0,
            ..BootstrapOptions::default()
        }
    }
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            samples: 2000,
            seed: 1,
            alpha_min: 0.8,
        }
    }
}

/// The bootstrap distribution of α, summarised.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlphaBootstrap {
    /// Resamples drawn.
    pub samples: usize,
    /// Seed used.
    pub seed: u64,
    /// What was resampled: `units`.
    pub resampled: &'static str,
    /// Percentile 95 % interval; `null` when no resample had variation.
    pub ci: Option<[f64; 2]>,
    /// The minimum α asked for.
    pub alpha_min: f64,
    /// Share of resamples with α below `alpha_min`.
    pub q_below_min: Option<f64>,
    /// Resamples without variation (no α), left out of the interval and of `q`.
    pub undefined: usize,
}

/// One distinct pairable row: how many units it stands for and what one unit adds to the
/// coincidence matrix.
struct Contribution {
    weight: u64,
    /// (cell index c·q+k, coincidences) of one unit.
    cells: Vec<(usize, f64)>,
    /// Σ of off-diagonal coincidences of one unit (nominal disagreement).
    disagreement: f64,
    /// Pairable values per category of one unit (the marginals it adds).
    marginals: Vec<(usize, f64)>,
}

fn contributions(data: &ReliabilityData) -> Vec<Contribution> {
    let q = data.categories().len();
    let mut out = Vec::new();
    let mut counts = Vec::new();
    for unit in data.units() {
        count_ratings(unit.ratings, &mut counts);
        let r: u32 = counts.iter().map(|c| c.1).sum();
        if r < 2 {
            continue;
        }
        let scale = 1.0 / f64::from(r - 1);
        let mut cells = Vec::new();
        let mut disagreement = 0.0;
        for &(c, nc) in &counts {
            for &(k, nk) in &counts {
                let pairs = if c == k { nc * (nc - 1) } else { nc * nk };
                if pairs > 0 {
                    let v = f64::from(pairs) * scale;
                    cells.push((c as usize * q + k as usize, v));
                    if c != k {
                        disagreement += v;
                    }
                }
            }
        }
        let marginals = counts
            .iter()
            .map(|&(c, nc)| (c as usize, f64::from(nc)))
            .collect();
        out.push(Contribution {
            weight: unit.weight,
            cells,
            disagreement,
            marginals,
        });
    }
    out
}

/// Draws `options.samples` resamples of the pairable units and summarises α's distribution.
/// `None` when the metric does not apply, there is no pairable unit, or `samples` is 0.
pub fn alpha_bootstrap(
    data: &ReliabilityData,
    metric: Metric,
    options: &BootstrapOptions,
) -> Option<AlphaBootstrap> {
    if options.samples == 0 || !metric_applies(data, metric) {
        return None;
    }
    let rows = contributions(data);
    let total: u64 = rows.iter().map(|r| r.weight).sum();
    if total == 0 {
        return None;
    }
    let q = data.categories().len();
    let mut rng = Rng::new(options.seed);
    let mut counts = vec![0u64; rows.len()];
    let mut o = vec![0.0; q * q];
    let mut marg = vec![0.0; q];
    let mut alphas = Vec::with_capacity(options.samples);
    for _ in 0..options.samples {
        multinomial(&mut rng, total, &rows, &mut counts);
        let value = if metric == Metric::Nominal {
            marg.iter_mut().for_each(|m| *m = 0.0);
            let mut disagree = 0.0;
            for (row, &c) in rows.iter().zip(&counts) {
                if c == 0 {
                    continue;
                }
                let c = c as f64;
                disagree += c * row.disagreement;
                for &(k, v) in &row.marginals {
                    marg[k] += c * v;
                }
            }
            nominal_alpha(disagree, &marg)
        } else {
            o.iter_mut().for_each(|x| *x = 0.0);
            for (row, &c) in rows.iter().zip(&counts) {
                for &(cell, v) in &row.cells {
                    o[cell] += c as f64 * v;
                }
            }
            alpha_from_coincidences(data, metric, &o)
        };
        if let Some(a) = value.filter(|a| a.is_finite()) {
            alphas.push(a);
        }
    }
    let undefined = options.samples - alphas.len();
    alphas.sort_by(f64::total_cmp);
    let ci = (!alphas.is_empty()).then(|| {
        [
            quantile(&alphas, 0.025).clamp(-1.0, 1.0),
            quantile(&alphas, 0.975).clamp(-1.0, 1.0),
        ]
    });
    let below = alphas.partition_point(|&a| a < options.alpha_min);
    Some(AlphaBootstrap {
        samples: options.samples,
        seed: options.seed,
        resampled: "units",
        ci,
        alpha_min: options.alpha_min,
        q_below_min: (!alphas.is_empty()).then(|| below as f64 / alphas.len() as f64),
        undefined,
    })
}

/// Multinomial counts of `total` draws over the rows, by sequential binomials.
fn multinomial(rng: &mut Rng, total: u64, rows: &[Contribution], counts: &mut [u64]) {
    let mut left_draws = total;
    let mut left_weight = total;
    for (row, count) in rows.iter().zip(counts.iter_mut()) {
        if left_draws == 0 || left_weight == 0 {
            *count = 0;
            continue;
        }
        *count = if row.weight >= left_weight {
            left_draws
        } else {
            rng.binomial(left_draws, row.weight as f64 / left_weight as f64)
        };
        left_draws -= *count;
        left_weight -= row.weight;
    }
}

/// Nominal α from the off-diagonal coincidence mass and the marginals (math doc §2.2).
fn nominal_alpha(disagree: f64, marg: &[f64]) -> Option<f64> {
    let n: f64 = marg.iter().sum();
    // Σ_{c≠k} n_c n_k = n² - Σ n_c²
    let expected = n * n - marg.iter().map(|m| m * m).sum::<f64>();
    (expected > 0.0).then(|| 1.0 - (n - 1.0) * disagree / expected)
}

/// The `p` quantile of sorted values, interpolating between order statistics (type 7).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::stats::krippendorff_alpha;

    fn krippendorff_4x12() -> ReliabilityData {
        let coders = [
            "1 2 3 3 2 1 4 1 2 . . .",
            "1 2 3 3 2 2 4 1 2 5 . 3",
            ". 3 3 3 2 3 4 2 2 5 1 .",
            "1 2 3 3 2 4 4 1 2 5 1 .",
        ];
        let cols: Vec<Vec<&str>> = coders.iter().map(|c| c.split(' ').collect()).collect();
        let rows: Vec<Vec<Option<&str>>> = (0..12)
            .map(|u| {
                cols.iter()
                    .map(|c| Some(c[u]).filter(|v| *v != "."))
                    .collect()
            })
            .collect();
        ReliabilityData::from_labels((1..=4).map(|i| format!("c{i}")).collect(), &[], &rows)
            .unwrap()
    }

    #[test]
    fn the_nominal_fast_path_equals_the_general_formula() {
        let d = krippendorff_4x12();
        let rows = contributions(&d);
        let q = d.categories().len();
        let mut o = vec![0.0; q * q];
        let mut marg = vec![0.0; q];
        let mut disagree = 0.0;
        for r in &rows {
            for &(cell, v) in &r.cells {
                o[cell] += v;
            }
            for &(k, v) in &r.marginals {
                marg[k] += v;
            }
            disagree += r.disagreement;
        }
        let exact = krippendorff_alpha(&d, Metric::Nominal)
            .unwrap()
            .value
            .unwrap();
        assert!((nominal_alpha(disagree, &marg).unwrap() - exact).abs() < 1e-12);
        let general = alpha_from_coincidences(&d, Metric::Nominal, &o).unwrap();
        assert!((general - exact).abs() < 1e-12);
    }

    #[test]
    fn a_seed_gives_the_same_distribution_and_another_seed_another() {
        let d = krippendorff_4x12();
        let o = BootstrapOptions {
            samples: 500,
            seed: 9,
            alpha_min: 0.8,
        };
        let a = alpha_bootstrap(&d, Metric::Nominal, &o).unwrap();
        assert_eq!(a, alpha_bootstrap(&d, Metric::Nominal, &o).unwrap());
        let other = alpha_bootstrap(&d, Metric::Nominal, &BootstrapOptions { seed: 10, ..o });
        assert_ne!(Some(a.clone()), other);
        let ci = a.ci.unwrap();
        assert!(ci[0] < 0.7434 && 0.7434 < ci[1], "{ci:?}");
        let q = a.q_below_min.unwrap();
        assert!(q > 0.3 && q < 0.9, "{q}");
        // ordinal takes the general path
        assert!(alpha_bootstrap(&d, Metric::Ordinal, &o)
            .unwrap()
            .ci
            .is_some());
    }

    #[test]
    fn quantiles_interpolate() {
        let v = [0.0, 1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.0);
        assert_eq!(quantile(&v, 0.025), 0.1);
        assert_eq!(quantile(&[5.0], 0.975), 5.0);
    }
}
