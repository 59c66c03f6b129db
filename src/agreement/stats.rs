//! Agreement coefficients on reliability data: percent agreement, Cohen's κ, Fleiss' κ,
//! Krippendorff's α, Brennan–Prediger κ_n and Gwet's AC1.
//!
//! Owns the formulas of `research/agreement-math.md` §1–§6 and the [`Agreement`] summary that
//! `thema agree --json` prints. Every function takes [`ReliabilityData`] and returns numbers;
//! nothing here reads files or knows about transcripts. A coefficient that is 0/0 is `None`,
//! never NaN.
//!
//! Chance-corrected values are computed as `1 - (1 - p_a) / (1 - p_e)` with both
//! complements summed from disagreeing pairs rather than by subtracting from 1, so that
//! character-level data with millions of agreeing units keeps its precision.

use serde::Serialize;

use super::bootstrap::AlphaBootstrap;
use super::data::{Category, ReliabilityData};
use super::inference::{estimates, PerCoefficient};

/// How Krippendorff's α measures the difference between two categories (math doc §2.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Categories are equal or not.
    #[default]
    Nominal,
    /// Categories are ranked: by numeric value when every label is a number, else in the
    /// order of the category list. Distances depend on how often categories are used.
    Ordinal,
    /// Squared numeric difference; needs numeric labels.
    Interval,
    /// Squared relative difference `((c-k)/(c+k))²`; needs non-negative numeric labels.
    Ratio,
}

/// Which number of categories `q` Brennan–Prediger and AC1 use (math doc §0, §5, §6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum CategoryCount {
    /// The length of the data's category list (the declared code list). thema's default,
    /// and the convention of the reference results.
    #[default]
    Listed,
    /// Only the categories that occur in some rating (nltk's convention).
    Observed,
    /// A number the team declared; never less than the number of categories observed.
    Declared(usize),
}

/// Choices that change the numbers: α's metric and the `q` of BP and AC1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Metric for Krippendorff's α.
    pub metric: Metric,
    /// Number of categories for Brennan–Prediger and AC1.
    pub categories: CategoryCount,
}

/// Every coefficient for one comparison, as printed by `thema agree --json`.
///
/// A statistic that is 0/0 is `None` and serialises as `null`. One that does not apply
/// (Cohen's κ for other than two coders, interval α on non-numeric labels) is absent: the
/// outer `Option` is `None` and the key is left out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Agreement {
    /// The coders compared, in column order.
    pub coders: Vec<String>,
    /// Number of units with at least one rating (weights summed).
    pub units: u64,
    /// Mean share of agreeing coder pairs per pairable unit (math doc §1.2).
    pub percent_agreement: Option<f64>,
    /// Cohen's κ with listwise deletion; present only for exactly two coders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohen_kappa: Option<Option<f64>>,
    /// Fleiss' κ with Gwet's treatment of missing data.
    pub fleiss_kappa: Option<f64>,
    /// Krippendorff's α with the chosen metric; absent when the metric does not apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub krippendorff_alpha: Option<Option<f64>>,
    /// Brennan–Prediger κ_n with the chosen `q`.
    pub brennan_prediger: Option<f64>,
    /// Gwet's AC1 with the chosen `q`.
    pub gwet_ac1: Option<f64>,
    /// What the figures rest on.
    pub n: Counts,
    /// Analytic standard errors (Gwet 2014), under the coefficients' keys; `null` where the
    /// coefficient is undefined or rests on one unit.
    pub se: PerCoefficient<Option<f64>>,
    /// Analytic 95 % intervals `[lower, upper]`, clipped to each coefficient's range.
    pub ci: PerCoefficient<Option<[f64; 2]>>,
    /// The bootstrap distribution of α, when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha_bootstrap: Option<AlphaBootstrap>,
}

/// How much data a figure rests on.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Units with at least one rating.
    pub units: u64,
    /// Units with two or more ratings (the ones agreement is measured on).
    pub pairable_units: u64,
    /// Ratings in pairable units (Krippendorff's `n..`).
    pub pairable_values: u64,
    /// Transcripts the units come from (coded studies only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcripts: Option<usize>,
}

impl Counts {
    /// Counts the units and values of `data`.
    pub fn of(data: &ReliabilityData) -> Counts {
        let mut c = Counts {
            units: data.unit_count(),
            ..Counts::default()
        };
        for unit in data.units() {
            let r = unit.ratings.iter().flatten().count() as u64;
            if r >= 2 {
                c.pairable_units += unit.weight;
                c.pairable_values += unit.weight * r;
            }
        }
        c
    }
}

/// A chance-corrected coefficient with its ingredients.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Coefficient {
    /// Observed agreement `p_a` (or `p_o`).
    pub observed: f64,
    /// Chance agreement `p_e`.
    pub chance: f64,
    /// `(p_a - p_e) / (1 - p_e)`, or `None` when `p_e = 1`.
    pub value: Option<f64>,
}

/// Krippendorff's α with its ingredients (math doc §2).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alpha {
    /// Observed disagreement `D_o`.
    pub observed_disagreement: f64,
    /// Expected disagreement `D_e`.
    pub expected_disagreement: f64,
    /// `1 - D_o / D_e`, or `None` when `D_e = 0` (no variation).
    pub value: Option<f64>,
    /// Number of pairable values `n`.
    pub pairable_values: f64,
    /// Coincidence matrix `o_ck`, rows and columns in category-list order.
    pub coincidences: Vec<Vec<f64>>,
}

/// Computes every coefficient of [`Agreement`] under `options`.
pub fn agreement(data: &ReliabilityData, options: &Options) -> Agreement {
    let tally = Tally::new(data);
    let q = category_count(data, options.categories);
    let cohen = (data.coders().len() == 2).then(|| cohen_kappa(data).and_then(|c| c.value));
    let alpha = metric_applies(data, options.metric)
        .then(|| krippendorff_alpha(data, options.metric).and_then(|a| a.value));
    let nominal = options.metric == Metric::Nominal && alpha.is_some();
    let analytic = estimates(data, nominal, q);
    Agreement {
        coders: data.coders().to_vec(),
        units: data.unit_count(),
        percent_agreement: tally.percent_agreement(),
        cohen_kappa: cohen,
        fleiss_kappa: tally.fleiss().and_then(|c| c.value),
        krippendorff_alpha: alpha,
        brennan_prediger: tally.brennan_prediger(q).and_then(|c| c.value),
        gwet_ac1: tally.gwet_ac1(q).and_then(|c| c.value),
        n: Counts::of(data),
        se: analytic.map(|e| e.map(|e| e.se)),
        ci: analytic.map(|e| e.map(|e| e.ci)),
        alpha_bootstrap: None,
    }
}

/// The number of categories `q` that BP and AC1 use under `count`.
pub fn category_count(data: &ReliabilityData, count: CategoryCount) -> usize {
    let observed = data.observed_category_count();
    match count {
        CategoryCount::Listed => data.categories().len(),
        CategoryCount::Observed => observed,
        CategoryCount::Declared(q) => q.max(observed),
    }
}

/// Percent agreement (math doc §1.2): over units with two or more ratings, the share of
/// agreeing ordered coder pairs, averaged with equal weight per unit. For two coders this is
/// the share of doubly rated units on which they agree. `None` without a pairable unit.
pub fn percent_agreement(data: &ReliabilityData) -> Option<f64> {
    Tally::new(data).percent_agreement()
}

/// Cohen's κ for exactly two coders, listwise: only units both rated, marginals from those
/// units (math doc §3). `None` when the data does not have two coders or no unit was rated by
/// both; `value` is `None` when both coders used one and the same category throughout.
pub fn cohen_kappa(data: &ReliabilityData) -> Option<Coefficient> {
    if data.coders().len() != 2 {
        return None;
    }
    let q = data.categories().len();
    let mut table = vec![0f64; q * q];
    let mut n = 0f64;
    for unit in data.units() {
        if let [Some(a), Some(b)] = unit.ratings {
            table[*a as usize * q + *b as usize] += unit.weight as f64;
            n += unit.weight as f64;
        }
    }
    if n == 0.0 {
        return None;
    }
    let mut first = vec![0f64; q];
    let mut second = vec![0f64; q];
    let mut disagree = 0f64;
    for a in 0..q {
        for b in 0..q {
            let t = table[a * q + b];
            first[a] += t;
            second[b] += t;
            if a != b {
                disagree += t;
            }
        }
    }
    // 1 - p_e = Σ_{a≠b} p1a p2b, summed directly.
    let mut chance_disagree = 0f64;
    for (a, &n_a) in first.iter().enumerate() {
        let others: f64 = (0..q).filter(|&b| b != a).map(|b| second[b]).sum();
        chance_disagree += n_a * others;
    }
    let chance_disagree = chance_disagree / (n * n);
    let observed_disagree = disagree / n;
    Some(Coefficient {
        observed: 1.0 - observed_disagree,
        chance: 1.0 - chance_disagree,
        value: corrected(observed_disagree, chance_disagree),
    })
}

/// Fleiss' κ for any number of coders (math doc §4), with Gwet's handling of missing data:
/// `p_a` over pairable units, category proportions `π_k` averaged over every unit with at
/// least one rating. Equals Scott's π for two coders with complete data. `None` without a
/// pairable unit; `value` is `None` when a single category was used.
pub fn fleiss_kappa(data: &ReliabilityData) -> Option<Coefficient> {
    Tally::new(data).fleiss()
}

/// Brennan–Prediger κ_n (= Bennett's S, Randolph's free-marginal κ): `p_e = 1/q` with `q`
/// chosen by `count` (math doc §5). `None` without a pairable unit; `value` is `None` when
/// `q < 2`.
pub fn brennan_prediger(data: &ReliabilityData, count: CategoryCount) -> Option<Coefficient> {
    Tally::new(data).brennan_prediger(category_count(data, count))
}

/// Gwet's AC1: `p_e = Σ π_k(1-π_k) / (q-1)` with Gwet's `π_k` and `q` chosen by `count`
/// (math doc §6). `None` without a pairable unit; `value` is `None` when `q < 2`.
pub fn gwet_ac1(data: &ReliabilityData, count: CategoryCount) -> Option<Coefficient> {
    Tally::new(data).gwet_ac1(category_count(data, count))
}

/// True when `metric` can be computed on these category labels: interval needs numeric
/// labels, ratio non-negative numeric labels; nominal and ordinal always apply.
pub fn metric_applies(data: &ReliabilityData, metric: Metric) -> bool {
    match metric {
        Metric::Nominal | Metric::Ordinal => true,
        Metric::Interval => data.numeric_values().is_some(),
        Metric::Ratio => data
            .numeric_values()
            .is_some_and(|v| v.iter().all(|&x| x >= 0.0)),
    }
}

/// Krippendorff's α (math doc §2): coincidences over pairable units only, single-rated units
/// ignored. `None` when no unit has two ratings or the metric does not apply (see
/// [`metric_applies`]); `value` is `None` when `D_e = 0` (no variation).
pub fn krippendorff_alpha(data: &ReliabilityData, metric: Metric) -> Option<Alpha> {
    if !metric_applies(data, metric) {
        return None;
    }
    let q = data.categories().len();
    let mut o = vec![0f64; q * q];
    let mut counts: Vec<(Category, u32)> = Vec::new();
    for unit in data.units() {
        count_ratings(unit.ratings, &mut counts);
        let r: u32 = counts.iter().map(|c| c.1).sum();
        if r < 2 {
            continue;
        }
        let scale = unit.weight as f64 / f64::from(r - 1);
        for &(c, nc) in &counts {
            for &(k, nk) in &counts {
                let pairs = if c == k { nc * (nc - 1) } else { nc * nk };
                if pairs > 0 {
                    o[c as usize * q + k as usize] += f64::from(pairs) * scale;
                }
            }
        }
    }
    let (observed, expected, n) = disagreements(data, metric, &o)?;
    let value = (expected > 0.0).then(|| 1.0 - (n - 1.0) * observed / expected);
    Some(Alpha {
        observed_disagreement: observed / n,
        expected_disagreement: expected / (n * (n - 1.0)),
        value,
        pairable_values: n,
        coincidences: o.chunks(q.max(1)).map(<[f64]>::to_vec).collect(),
    })
}

/// α from a coincidence matrix `o` (row-major, category-list order) of this data's categories;
/// `None` when no value is pairable or `D_e = 0`. The bootstrap calls it once per resample.
pub(crate) fn alpha_from_coincidences(
    data: &ReliabilityData,
    metric: Metric,
    o: &[f64],
) -> Option<f64> {
    let (observed, expected, n) = disagreements(data, metric, o)?;
    (expected > 0.0).then(|| 1.0 - (n - 1.0) * observed / expected)
}

/// `(Σ o_ck δ²_ck, Σ n_c n_k δ²_ck, n)`, or `None` without pairable values or when the metric
/// does not apply.
fn disagreements(data: &ReliabilityData, metric: Metric, o: &[f64]) -> Option<(f64, f64, f64)> {
    let q = data.categories().len();
    let marg: Vec<f64> = (0..q).map(|c| o[c * q..(c + 1) * q].iter().sum()).collect();
    let n: f64 = marg.iter().sum();
    if n == 0.0 {
        return None;
    }
    let delta = distances(data, metric, &marg)?;
    let mut observed = 0f64;
    let mut expected = 0f64;
    for c in 0..q {
        for k in 0..q {
            let d = delta[c * q + k];
            if d != 0.0 {
                observed += o[c * q + k] * d;
                expected += marg[c] * marg[k] * d;
            }
        }
    }
    Some((observed, expected, n))
}

/// Squared distances δ²_ck in category-list order, or `None` if the metric does not apply.
fn distances(data: &ReliabilityData, metric: Metric, marg: &[f64]) -> Option<Vec<f64>> {
    let q = data.categories().len();
    let mut delta = vec![0f64; q * q];
    match metric {
        Metric::Nominal => {
            for c in 0..q {
                for k in 0..q {
                    delta[c * q + k] = if c == k { 0.0 } else { 1.0 };
                }
            }
        }
        Metric::Ordinal => {
            let mut order: Vec<usize> = (0..q).collect();
            if let Some(values) = data.numeric_values() {
                order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
            }
            // prefix[i] = Σ of marginals of the first i ranks.
            let mut prefix = vec![0f64; q + 1];
            for (i, &c) in order.iter().enumerate() {
                prefix[i + 1] = prefix[i] + marg[c];
            }
            for i in 0..q {
                for j in i + 1..q {
                    let (c, k) = (order[i], order[j]);
                    let span = prefix[j + 1] - prefix[i] - (marg[c] + marg[k]) / 2.0;
                    let d = span * span;
                    delta[c * q + k] = d;
                    delta[k * q + c] = d;
                }
            }
        }
        Metric::Interval | Metric::Ratio => {
            let values = data.numeric_values()?;
            for c in 0..q {
                for k in 0..q {
                    let diff = values[c] - values[k];
                    delta[c * q + k] = if metric == Metric::Interval {
                        diff * diff
                    } else {
                        let sum = values[c] + values[k];
                        if sum == 0.0 {
                            0.0
                        } else {
                            (diff / sum) * (diff / sum)
                        }
                    };
                }
            }
        }
    }
    Some(delta)
}

/// `1 - D_o / D_e`, `None` when `D_e = 0`.
fn corrected(observed_disagree: f64, chance_disagree: f64) -> Option<f64> {
    (chance_disagree > 0.0).then(|| 1.0 - observed_disagree / chance_disagree)
}

/// Counts the ratings of one unit per category into `counts` (cleared first).
pub(crate) fn count_ratings(ratings: &[Option<Category>], counts: &mut Vec<(Category, u32)>) {
    counts.clear();
    for &c in ratings.iter().flatten() {
        match counts.iter_mut().find(|e| e.0 == c) {
            Some(e) => e.1 += 1,
            None => counts.push((c, 1)),
        }
    }
}

/// One pass over the units collecting what percent agreement, Fleiss, BP and AC1 need.
struct Tally {
    /// Σ weights of units with two or more ratings (N₂).
    pairable: f64,
    /// Σ w · (share of disagreeing ordered pairs) over pairable units.
    disagreement: f64,
    /// Σ weights of units with at least one rating (N₁).
    rated: f64,
    /// Σ w · n_uk / r_u per category over units with at least one rating.
    share: Vec<f64>,
}

impl Tally {
    fn new(data: &ReliabilityData) -> Self {
        let mut t = Tally {
            pairable: 0.0,
            disagreement: 0.0,
            rated: 0.0,
            share: vec![0.0; data.categories().len()],
        };
        let mut counts = Vec::new();
        for unit in data.units() {
            count_ratings(unit.ratings, &mut counts);
            let r: u32 = counts.iter().map(|c| c.1).sum();
            if r == 0 {
                continue;
            }
            let w = unit.weight as f64;
            t.rated += w;
            for &(c, nc) in &counts {
                t.share[c as usize] += w * f64::from(nc) / f64::from(r);
            }
            if r >= 2 {
                t.pairable += w;
                // Disagreeing ordered pairs: r² - Σ n_k², as integers.
                let same: u64 = counts.iter().map(|c| u64::from(c.1).pow(2)).sum();
                let differ = u64::from(r).pow(2) - same;
                if differ > 0 {
                    t.disagreement += w * differ as f64 / (f64::from(r) * f64::from(r - 1));
                }
            }
        }
        t
    }

    /// `1 - p_a`, or `None` without a pairable unit.
    fn observed_disagreement(&self) -> Option<f64> {
        (self.pairable > 0.0).then(|| self.disagreement / self.pairable)
    }

    fn percent_agreement(&self) -> Option<f64> {
        self.observed_disagreement().map(|d| 1.0 - d)
    }

    /// Gwet's π_k.
    fn proportions(&self) -> Vec<f64> {
        self.share.iter().map(|s| s / self.rated).collect()
    }

    fn fleiss(&self) -> Option<Coefficient> {
        let observed = self.observed_disagreement()?;
        let pi = self.proportions();
        // 1 - Σπ² = Σ_k π_k Σ_{j≠k} π_j, summed directly.
        let chance: f64 = (0..pi.len())
            .map(|k| {
                let others: f64 = (0..pi.len()).filter(|&j| j != k).map(|j| pi[j]).sum();
                pi[k] * others
            })
            .sum();
        Some(Coefficient {
            observed: 1.0 - observed,
            chance: 1.0 - chance,
            value: corrected(observed, chance),
        })
    }

    fn brennan_prediger(&self, q: usize) -> Option<Coefficient> {
        let observed = self.observed_disagreement()?;
        let q = q as f64;
        Some(Coefficient {
            observed: 1.0 - observed,
            chance: 1.0 / q,
            value: (q >= 2.0).then(|| 1.0 - observed / (1.0 - 1.0 / q)),
        })
    }

    fn gwet_ac1(&self, q: usize) -> Option<Coefficient> {
        let observed = self.observed_disagreement()?;
        if q < 2 {
            return Some(Coefficient {
                observed: 1.0 - observed,
                chance: 1.0,
                value: None,
            });
        }
        let pi = self.proportions();
        let chance = pi.iter().map(|p| p * (1.0 - p)).sum::<f64>() / (q as f64 - 1.0);
        Some(Coefficient {
            observed: 1.0 - observed,
            chance,
            value: corrected(observed, 1.0 - chance),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(coders: usize, rows: &[&[Option<u32>]], categories: usize) -> ReliabilityData {
        let mut d = ReliabilityData::new(
            (0..coders).map(|c| format!("c{c}")).collect(),
            (0..categories).map(|c| c.to_string()).collect(),
        )
        .unwrap();
        for r in rows {
            d.push_unit(r, 1).unwrap();
        }
        d
    }

    #[test]
    fn weights_count_like_repeated_units() {
        let mut weighted = data(2, &[], 2);
        weighted.push_unit(&[Some(0), Some(0)], 7).unwrap();
        weighted.push_unit(&[Some(0), Some(1)], 2).unwrap();
        weighted.push_unit(&[Some(1), Some(1)], 3).unwrap();
        let mut rows: Vec<&[Option<u32>]> = Vec::new();
        rows.extend(std::iter::repeat_n(&[Some(0), Some(0)][..], 7));
        rows.extend(std::iter::repeat_n(&[Some(0), Some(1)][..], 2));
        rows.extend(std::iter::repeat_n(&[Some(1), Some(1)][..], 3));
        let plain = data(2, &rows, 2);
        let o = Options::default();
        let (a, b) = (agreement(&weighted, &o), agreement(&plain, &o));
        assert_eq!(a.units, 12);
        assert_eq!(a.percent_agreement, b.percent_agreement);
        assert_eq!(a.cohen_kappa, b.cohen_kappa);
        assert_eq!(a.krippendorff_alpha, b.krippendorff_alpha);
    }

    #[test]
    fn absent_and_null_serialise_differently() {
        let d = data(3, &[&[Some(0), Some(0), Some(0)]], 1);
        let json = serde_json::to_string(&agreement(&d, &Options::default())).unwrap();
        assert_eq!(
            json,
            r#"{"coders":["c0","c1","c2"],"units":1,"percent_agreement":1.0,"fleiss_kappa":null,"krippendorff_alpha":null,"brennan_prediger":null,"gwet_ac1":null,"n":{"units":1,"pairable_units":1,"pairable_values":3},"se":{"percent_agreement":null,"fleiss_kappa":null,"krippendorff_alpha":null,"brennan_prediger":null,"gwet_ac1":null},"ci":{"percent_agreement":null,"fleiss_kappa":null,"krippendorff_alpha":null,"brennan_prediger":null,"gwet_ac1":null}}"#
        );
    }

    #[test]
    fn interval_alpha_is_absent_on_text_labels() {
        let d = ReliabilityData::from_labels(
            vec!["a".into(), "b".into()],
            &[],
            &[vec![Some("x"), Some("y")], vec![Some("x"), Some("x")]],
        )
        .unwrap();
        let o = Options {
            metric: Metric::Interval,
            ..Options::default()
        };
        assert_eq!(agreement(&d, &o).krippendorff_alpha, None);
        assert!(krippendorff_alpha(&d, Metric::Ordinal).is_some());
    }

    #[test]
    fn declared_q_is_never_below_observed() {
        let d = data(2, &[&[Some(0), Some(1)], &[Some(2), Some(2)]], 5);
        assert_eq!(category_count(&d, CategoryCount::Listed), 5);
        assert_eq!(category_count(&d, CategoryCount::Observed), 3);
        assert_eq!(category_count(&d, CategoryCount::Declared(2)), 3);
        assert_eq!(category_count(&d, CategoryCount::Declared(9)), 9);
    }
}
