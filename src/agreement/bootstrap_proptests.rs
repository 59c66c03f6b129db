//! Property tests of α's bootstrap: a seed fixes the result, the interval holds the point
//! estimate, it narrows as the data grows, and for large data it agrees with Gwet's analytic
//! interval.

use proptest::collection::vec;
use proptest::prelude::*;

use super::bootstrap::{alpha_bootstrap, BootstrapOptions};
use super::data::{Category, ReliabilityData};
use super::inference::krippendorff_alpha as analytic_alpha;
use super::stats::{krippendorff_alpha, Metric};

/// Complete ratings of 2–3 coders over 2–3 categories, mostly agreeing (a coder copies the
/// unit's "true" category with probability ~0.75), each row standing for 2–6 units.
fn any_data() -> impl Strategy<Value = (usize, u32, Vec<(Vec<Category>, u64)>)> {
    (2usize..=3, 2u32..=3).prop_flat_map(|(m, q)| {
        let row = (0..q, vec((0u32..4, 0..q), m), 2u64..=6).prop_map(move |(truth, cells, w)| {
            let ratings = cells
                .into_iter()
                .map(|(copy, other)| if copy > 0 { truth } else { other })
                .collect();
            (ratings, w)
        });
        vec(row, 10..25).prop_map(move |rows| (m, q, rows))
    })
}

fn build(m: usize, q: u32, rows: &[(Vec<Category>, u64)], times: u64) -> ReliabilityData {
    let mut d = ReliabilityData::new(
        (0..m).map(|c| format!("c{c}")).collect(),
        (0..q).map(|c| c.to_string()).collect(),
    )
    .unwrap();
    for (r, w) in rows {
        let cells: Vec<Option<Category>> = r.iter().copied().map(Some).collect();
        d.push_unit(&cells, w * times).unwrap();
    }
    d
}

fn alpha(d: &ReliabilityData) -> Option<f64> {
    krippendorff_alpha(d, Metric::Nominal).and_then(|a| a.value)
}

fn boot(samples: usize, seed: u64) -> BootstrapOptions {
    BootstrapOptions {
        samples,
        seed,
        alpha_min: 0.8,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_seed_reproduces_the_distribution((m, q, rows) in any_data(), seed in any::<u64>()) {
        let d = build(m, q, &rows, 1);
        let a = alpha_bootstrap(&d, Metric::Nominal, &boot(300, seed));
        let b = alpha_bootstrap(&d, Metric::Nominal, &boot(300, seed));
        prop_assert_eq!(a, b);
    }

    #[test]
    fn the_interval_holds_the_point_estimate((m, q, rows) in any_data(), seed in 0u64..1000) {
        let d = build(m, q, &rows, 1);
        let Some(point) = alpha(&d) else { return Ok(()) };
        let b = alpha_bootstrap(&d, Metric::Nominal, &boot(1000, seed)).unwrap();
        let [lo, hi] = b.ci.unwrap();
        prop_assert!(lo <= point + 1e-12 && point <= hi + 1e-12, "{} not in [{}, {}]", point, lo, hi);
        let q_min = b.q_below_min.unwrap();
        prop_assert!((0.0..=1.0).contains(&q_min));
    }

    #[test]
    fn the_interval_narrows_as_the_data_grows((m, q, rows) in any_data(), seed in 0u64..1000) {
        let small = build(m, q, &rows, 1);
        let large = build(m, q, &rows, 16);
        let Some(point) = alpha(&small) else { return Ok(()) };
        prop_assume!(point < 0.99);
        let width = |d: &ReliabilityData| {
            let [lo, hi] = alpha_bootstrap(d, Metric::Nominal, &boot(1000, seed)).unwrap().ci.unwrap();
            hi - lo
        };
        let (w_small, w_large) = (width(&small), width(&large));
        // sixteen times the units: about a quarter of the width
        prop_assert!(w_large < 0.6 * w_small, "{} vs {}", w_large, w_small);
    }

    #[test]
    fn for_large_data_it_agrees_with_the_analytic_interval(
        (m, q, rows) in any_data(),
        seed in 0u64..1000,
    ) {
        let units: u64 = rows.iter().map(|r| r.1).sum();
        let d = build(m, q, &rows, 4000 / units + 1);
        let Some(point) = alpha(&d) else { return Ok(()) };
        prop_assume!(point < 0.95);
        let analytic = analytic_alpha(&d).unwrap().ci;
        let b = alpha_bootstrap(&d, Metric::Nominal, &boot(2000, seed)).unwrap().ci.unwrap();
        prop_assert!((b[0] - analytic[0]).abs() < 0.02, "lower {:?} vs {:?}", b, analytic);
        prop_assert!((b[1] - analytic[1]).abs() < 0.02, "upper {:?} vs {:?}", b, analytic);
    }
}
