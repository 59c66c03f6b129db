//! Property tests for the agreement invariants: perfect agreement gives 1 where a
//! coefficient is defined, coder order and category labels do not matter, and every fast path
//! (weighted character patterns, turn units, the disagreement sweep) equals the naive
//! computation one character or one turn at a time.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::data::{Category, ReliabilityData};
use super::disagreement::disagreements;
use super::matrix::parse_matrix;
use super::span::Span;
use super::stats::{agreement, Agreement, Metric, Options};
use super::unitizing::unitizing_alpha;
use super::units::{match_segments, PresenceTally, Turns};

type Rows = Vec<(Vec<Option<Category>>, u64)>;

fn coder_names(m: usize) -> Vec<String> {
    (0..m).map(|c| format!("coder{c}")).collect()
}

fn build(m: usize, q: u32, rows: &Rows) -> ReliabilityData {
    let mut d =
        ReliabilityData::new(coder_names(m), (0..q).map(|c| c.to_string()).collect()).unwrap();
    for (r, w) in rows {
        d.push_unit(r, *w).unwrap();
    }
    d
}

/// Random reliability data: 2–4 coders, 2–4 categories, missing cells, weights 1–3.
fn any_data() -> impl Strategy<Value = (usize, u32, Rows)> {
    (2usize..=4, 2u32..=4).prop_flat_map(|(m, q)| {
        vec((vec(option::of(0..q), m), 1u64..=3), 1..25).prop_map(move |rows| (m, q, rows))
    })
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => false,
    }
}

fn same_numbers(a: &Agreement, b: &Agreement) -> bool {
    a.units == b.units
        && close(a.percent_agreement, b.percent_agreement)
        && a.cohen_kappa.is_some() == b.cohen_kappa.is_some()
        && close(a.cohen_kappa.flatten(), b.cohen_kappa.flatten())
        && close(a.fleiss_kappa, b.fleiss_kappa)
        && a.krippendorff_alpha.is_some() == b.krippendorff_alpha.is_some()
        && close(
            a.krippendorff_alpha.flatten(),
            b.krippendorff_alpha.flatten(),
        )
        && close(a.brennan_prediger, b.brennan_prediger)
        && close(a.gwet_ac1, b.gwet_ac1)
}

fn options(metric: Metric) -> Options {
    Options {
        metric,
        ..Options::default()
    }
}

/// Random code-point ranges inside `[0, length)`, possibly overlapping, nested or empty.
fn ranges(length: u64) -> impl Strategy<Value = Vec<Span>> {
    vec((0..=length, 0..=length), 0..5).prop_map(|v| {
        v.into_iter()
            .map(|(a, b)| Span::new(a.min(b), a.max(b)))
            .collect()
    })
}

/// A transcript length and, per coder, its ranges or `None` (coder did not code it).
fn transcript(coders: usize) -> impl Strategy<Value = (u64, Vec<Option<Vec<Span>>>)> {
    (0u64..60).prop_flat_map(move |len| {
        (
            Just(len),
            vec(
                prop_oneof![1 => Just(None), 4 => ranges(len).prop_map(Some)],
                coders,
            ),
        )
    })
}

fn covers(ranges: &[Span], at: u64) -> bool {
    ranges.iter().any(|r| r.start <= at && at < r.end)
}

fn borrowed(spans: &[Option<Vec<Span>>]) -> Vec<Option<&[Span]>> {
    spans.iter().map(|s| s.as_deref()).collect()
}

proptest! {
    #[test]
    fn perfect_agreement_gives_one_where_defined(
        m in 2usize..=4,
        q in 2u32..=4,
        units in vec((0u32..4, vec(any::<bool>(), 4), 1u64..=3), 1..20),
    ) {
        let rows: Rows = units
            .iter()
            .map(|(c, present, w)| {
                ((0..m).map(|i| present[i].then_some(c % q)).collect(), *w)
            })
            .collect();
        let d = build(m, q, &rows);
        let mut pairable_categories: Vec<u32> = rows
            .iter()
            .filter(|(r, _)| r.iter().flatten().count() >= 2)
            .filter_map(|(r, _)| r.iter().flatten().next().copied())
            .collect();
        pairable_categories.sort_unstable();
        pairable_categories.dedup();
        for metric in [Metric::Nominal, Metric::Ordinal, Metric::Interval, Metric::Ratio] {
            let r = agreement(&d, &options(metric));
            for v in [
                r.percent_agreement,
                r.cohen_kappa.flatten(),
                r.fleiss_kappa,
                r.krippendorff_alpha.flatten(),
                r.brennan_prediger,
                r.gwet_ac1,
            ]
            .into_iter()
            .flatten()
            {
                prop_assert!((v - 1.0).abs() < 1e-9, "{v} under perfect agreement");
            }
            if pairable_categories.len() >= 2 {
                prop_assert!(r.krippendorff_alpha.flatten().is_some());
                prop_assert!(r.fleiss_kappa.is_some());
                prop_assert!(r.gwet_ac1.is_some() && r.brennan_prediger.is_some());
            }
        }
    }

    #[test]
    fn coder_order_does_not_matter((m, q, rows) in any_data(), seed in any::<u64>()) {
        // A rotation plus, for odd seeds, a reversal: enough to reach every order.
        let mut order: Vec<usize> = (0..m).collect();
        order.rotate_left((seed as usize) % m);
        if seed % 2 == 1 {
            order.reverse();
        }
        let d = build(m, q, &rows);
        let swapped = d.select_coders(&order);
        for metric in [Metric::Nominal, Metric::Ordinal, Metric::Interval] {
            let (a, b) = (agreement(&d, &options(metric)), agreement(&swapped, &options(metric)));
            prop_assert!(same_numbers(&a, &b), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn category_labels_do_not_matter((m, q, rows) in any_data(), shift in 1u32..4) {
        let d = build(m, q, &rows);
        // A cyclic relabelling of the categories.
        let relabelled: Rows = rows
            .iter()
            .map(|(r, w)| (r.iter().map(|c| c.map(|c| (c + shift) % q)).collect(), *w))
            .collect();
        let e = build(m, q, &relabelled);
        let (a, b) = (agreement(&d, &Options::default()), agreement(&e, &Options::default()));
        prop_assert!(same_numbers(&a, &b), "{a:?} vs {b:?}");
    }

    #[test]
    fn csv_matrix_round_trip_keeps_every_number((m, q, rows) in any_data()) {
        let mut csv = String::from("unit");
        for c in coder_names(m) {
            csv.push(',');
            csv.push_str(&c);
        }
        csv.push('\n');
        let mut unit = 0;
        for (r, w) in &rows {
            for _ in 0..*w {
                unit += 1;
                csv.push_str(&format!("u{unit}"));
                for c in r {
                    csv.push(',');
                    if let Some(c) = c {
                        csv.push_str(&format!("cat{c}"));
                    }
                }
                csv.push('\n');
            }
        }
        let parsed = parse_matrix(&csv).unwrap();
        let d = build(m, q, &rows);
        // The CSV only knows the categories that occur, so compare with the observed q.
        let o = Options {
            categories: super::stats::CategoryCount::Observed,
            ..Options::default()
        };
        let (a, b) = (agreement(&d, &o), agreement(&parsed, &o));
        prop_assert!(same_numbers(&a, &b), "{a:?} vs {b:?}");
    }

    #[test]
    fn char_patterns_equal_one_unit_per_character(
        m in 1usize..=4,
        first in transcript(4),
        second in transcript(4),
    ) {
        let mut tally = PresenceTally::new(m).unwrap();
        let mut naive =
            ReliabilityData::new(coder_names(m), vec!["uncoded".into(), "coded".into()]).unwrap();
        for (length, spans) in [&first, &second] {
            let spans = &spans[..m];
            tally.add_chars(*length, &borrowed(spans)).unwrap();
            for at in 0..*length {
                let row: Vec<Option<u32>> = spans
                    .iter()
                    .map(|s| s.as_ref().map(|s| u32::from(covers(s, at))))
                    .collect();
                naive.push_unit(&row, 1).unwrap();
            }
        }
        let fast = tally.to_reliability_data(coder_names(m)).unwrap();
        prop_assert!(fast.row_count() <= 3usize.pow(m as u32));
        for metric in [Metric::Nominal, Metric::Interval] {
            let (a, b) = (agreement(&fast, &options(metric)), agreement(&naive, &options(metric)));
            prop_assert!(same_numbers(&a, &b), "{a:?} vs {b:?}");
        }
        if m >= 2 {
            let t = tally.two_by_two(0, 1);
            let (mut both, mut neither) = (0, 0);
            for u in naive.units() {
                match u.ratings[..2] {
                    [Some(1), Some(1)] => both += 1,
                    [Some(0), Some(0)] => neither += 1,
                    _ => {}
                }
            }
            prop_assert_eq!((t.both, t.neither), (both, neither));
        }
    }

    #[test]
    fn turn_units_equal_checking_every_turn(
        cuts in vec(1u64..8, 1..10),
        spans in vec(option::of(ranges(70)), 3),
    ) {
        let mut turns = Vec::new();
        let mut pos = 0;
        for (i, len) in cuts.iter().enumerate() {
            // Leave a one-character gap after every third turn (narrative between turns).
            let start = pos + u64::from(i % 3 == 2);
            turns.push(Span::new(start, start + len));
            pos = start + len;
        }
        let mut tally = PresenceTally::new(3).unwrap();
        tally
            .add_turns(&Turns::new(turns.clone()).unwrap(), &borrowed(&spans))
            .unwrap();
        let mut naive =
            ReliabilityData::new(coder_names(3), vec!["uncoded".into(), "coded".into()]).unwrap();
        for t in &turns {
            let row: Vec<Option<u32>> = spans
                .iter()
                .map(|s| s.as_ref().map(|s| u32::from(s.iter().any(|r| r.overlap(t) > 0))))
                .collect();
            naive.push_unit(&row, 1).unwrap();
        }
        let fast = tally.to_reliability_data(coder_names(3)).unwrap();
        let (a, b) = (agreement(&fast, &Options::default()), agreement(&naive, &Options::default()));
        prop_assert!(same_numbers(&a, &b), "{a:?} vs {b:?}");
    }

    #[test]
    fn disagreements_are_exactly_the_split_characters(
        m in 2usize..=4,
        spans in vec(ranges(50), 4),
    ) {
        let spans = &spans[..m];
        let refs: Vec<&[Span]> = spans.iter().map(Vec::as_slice).collect();
        let found = disagreements(&refs).unwrap();
        let mut expected: Vec<Option<Vec<usize>>> = Vec::new();
        for at in 0..50 {
            let who: Vec<usize> = (0..m).filter(|&c| covers(&spans[c], at)).collect();
            expected.push((!who.is_empty() && who.len() < m).then_some(who));
        }
        let mut got: Vec<Option<Vec<usize>>> = vec![None; 50];
        for d in &found {
            for at in d.span.start..d.span.end {
                prop_assert!(got[at as usize].is_none(), "stretches overlap");
                got[at as usize] = Some(d.coders.clone());
            }
            // Maximal: the characters just outside belong to a different coder set.
            if d.span.start > 0 {
                prop_assert_ne!(&expected[d.span.start as usize - 1], &Some(d.coders.clone()));
            }
            if d.span.end < 50 {
                prop_assert_ne!(&expected[d.span.end as usize], &Some(d.coders.clone()));
            }
        }
        prop_assert_eq!(got, expected);
        prop_assert!(found.windows(2).all(|w| w[0].span.len() >= w[1].span.len()));
    }

    #[test]
    fn segment_matching_checks_every_pair_and_is_symmetric(
        a in ranges(100),
        b in ranges(100),
        threshold in 0.05f64..=1.0,
    ) {
        let ab = match_segments(&a, &b, threshold).unwrap();
        let ba = match_segments(&b, &a, threshold).unwrap();
        // Against a check of every pair.
        let brute: Vec<bool> = a
            .iter()
            .map(|s| {
                b.iter().any(|t| {
                    let overlap = s.overlap(t);
                    let extent = s.end.max(t.end) - s.start.min(t.start);
                    overlap > 0 && overlap as f64 >= threshold * extent as f64
                })
            })
            .collect();
        prop_assert_eq!(&ab.first, &brute);
        prop_assert_eq!(&ab.first, &ba.second);
        prop_assert_eq!(&ab.second, &ba.first);
        // Identical segments always match each other.
        let same = match_segments(&a, &a, threshold).unwrap();
        for (s, hit) in a.iter().zip(&same.first) {
            prop_assert_eq!(*hit, !s.is_empty());
        }
    }

    #[test]
    fn unitizing_alpha_ignores_observer_order_and_is_one_when_identical(
        a in ranges(80),
        b in ranges(80),
    ) {
        let mut a = a;
        let mut b = b;
        super::span::merge_spans(&mut a);
        super::span::merge_spans(&mut b);
        let continuum = Span::new(0, 80);
        let ab = unitizing_alpha(continuum, &[a.clone(), b.clone()]).unwrap();
        let ba = unitizing_alpha(continuum, &[b, a.clone()]).unwrap();
        prop_assert!(close(ab.value, ba.value));
        let same = unitizing_alpha(continuum, &[a.clone(), a.clone()]).unwrap();
        prop_assert_eq!(same.value, (!a.is_empty()).then_some(1.0));
    }
}
