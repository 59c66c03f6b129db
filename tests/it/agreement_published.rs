//! Every published worked example of `research/agreement-math.md` §10 and every edge case of
//! §9, reproduced to the printed precision (and to the exact rational value where the math doc
//! gives one).
//!
//! Data sets the math doc prints (Krippendorff 2011 4×12, the SAS 3×3 table, the Cohen
//! "grant" 2×2, the NVivo 1000-character example) are typed from the doc. The others are typed
//! from the sources the doc names for them: DKPro Statistics' tests (Krippendorff 2004
//! p. 224/227/246/254, Hayes & Krippendorff 2007, Fleiss 1971, Cohen 1960, Brennan & Prediger
//! 1981, Artstein & Poesio 2008), Gwet's irrCAC README (cont3x3abstractors,
//! distrib.6raters), and Wikipedia's "Krippendorff's alpha" and "Fleiss' kappa" articles.

use thema::agreement::stats::{
    brennan_prediger, cohen_kappa, fleiss_kappa, gwet_ac1, krippendorff_alpha, percent_agreement,
};
use thema::agreement::{
    agreement, unitizing_alpha, Agreement, CategoryCount, Metric, Options, PresenceTally,
    ReliabilityData, Span,
};

// ---------------------------------------------------------------- helpers

/// Asserts that `value` rounds to `printed` at the number of decimals printed.
fn printed(what: &str, value: Option<f64>, printed: &str) {
    let v = value.unwrap_or_else(|| panic!("{what}: undefined, expected {printed}"));
    let expected: f64 = printed.parse().unwrap();
    let decimals = printed.split('.').nth(1).map_or(0, str::len) as i32;
    let tolerance = 0.5 * 10f64.powi(-decimals) + 1e-12;
    assert!(
        (v - expected).abs() <= tolerance,
        "{what}: {v} does not round to the printed {printed}"
    );
}

/// Asserts that `value` cut to the printed number of decimals gives `printed`.
fn truncated(what: &str, value: Option<f64>, printed: &str) {
    let v = value.unwrap_or_else(|| panic!("{what}: undefined, expected {printed}"));
    let expected: f64 = printed.parse().unwrap();
    let decimals = printed.split('.').nth(1).map_or(0, str::len) as i32;
    let unit = 10f64.powi(-decimals);
    assert!(
        v >= expected - 1e-12 && v < expected + unit,
        "{what}: {v} does not truncate to the printed {printed}"
    );
}

/// Asserts that `value` equals the exact value `expected` up to floating-point noise.
fn exact(what: &str, value: Option<f64>, expected: f64) {
    let v = value.unwrap_or_else(|| panic!("{what}: undefined, expected {expected}"));
    assert!(
        (v - expected).abs() < 1e-9,
        "{what}: {v} differs from the exact {expected}"
    );
}

fn names(n: usize, prefix: &str) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i}")).collect()
}

/// Reliability data typed one unit per string, one token per coder, `.` = missing.
fn unit_rows(rows: &[&str]) -> ReliabilityData {
    let rows: Vec<Vec<Option<&str>>> = rows
        .iter()
        .map(|r| {
            r.split_whitespace()
                .map(|t| (t != ".").then_some(t))
                .collect()
        })
        .collect();
    ReliabilityData::from_labels(names(rows[0].len(), "coder"), &[], &rows).unwrap()
}

/// Reliability data typed one coder per string (as Krippendorff prints it), `.` = missing.
fn coder_rows(coders: &[&str]) -> ReliabilityData {
    let cols: Vec<Vec<&str>> = coders
        .iter()
        .map(|c| c.split_whitespace().collect())
        .collect();
    let units: Vec<String> = (0..cols[0].len())
        .map(|u| cols.iter().map(|c| c[u]).collect::<Vec<_>>().join(" "))
        .collect();
    unit_rows(&units.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Two coders from a contingency table: `table[i][j]` units got category `i` from the first
/// coder and `j` from the second. Categories are `1..=q`.
fn table(table: &[&[u64]]) -> ReliabilityData {
    let q = table.len();
    let mut d = ReliabilityData::new(names(2, "coder"), names(q, "")).unwrap();
    for (i, row) in table.iter().enumerate() {
        for (j, &n) in row.iter().enumerate() {
            d.push_unit(&[Some(i as u32), Some(j as u32)], n).unwrap();
        }
    }
    d
}

/// Raters-by-category distribution: `counts[u][k]` raters put unit `u` in category `k`.
/// Raters are interchangeable slots, filled in category order.
fn distribution(counts: &[&[u32]]) -> ReliabilityData {
    let q = counts[0].len();
    let slots = counts.iter().map(|r| r.iter().sum::<u32>()).max().unwrap() as usize;
    let mut d = ReliabilityData::new(names(slots, "rater"), names(q, "")).unwrap();
    for row in counts {
        let mut ratings: Vec<Option<u32>> = row
            .iter()
            .enumerate()
            .flat_map(|(k, &n)| std::iter::repeat_n(Some(k as u32), n as usize))
            .collect();
        ratings.resize(slots, None);
        d.push_unit(&ratings, 1).unwrap();
    }
    d
}

fn all(d: &ReliabilityData) -> Agreement {
    agreement(d, &Options::default())
}

fn alpha(d: &ReliabilityData, metric: Metric) -> Option<f64> {
    krippendorff_alpha(d, metric).and_then(|a| a.value)
}

fn cohen(d: &ReliabilityData) -> Option<f64> {
    cohen_kappa(d).and_then(|c| c.value)
}

fn fleiss(d: &ReliabilityData) -> Option<f64> {
    fleiss_kappa(d).and_then(|c| c.value)
}

fn bp(d: &ReliabilityData) -> Option<f64> {
    brennan_prediger(d, CategoryCount::Listed).and_then(|c| c.value)
}

fn ac1(d: &ReliabilityData) -> Option<f64> {
    gwet_ac1(d, CategoryCount::Listed).and_then(|c| c.value)
}

// ---------------------------------------------------------------- §10 published examples

fn krippendorff_2011() -> ReliabilityData {
    coder_rows(&[
        "1 2 3 3 2 1 4 1 2 . . .",
        "1 2 3 3 2 2 4 1 2 5 . 3",
        ". 3 3 3 2 3 4 2 2 5 1 .",
        "1 2 3 3 2 4 4 1 2 5 1 .",
    ])
}

#[test]
fn pub_krippendorff2011_4x12_alpha_family() {
    let d = krippendorff_2011();
    printed("α nominal", alpha(&d, Metric::Nominal), "0.743");
    exact("α nominal", alpha(&d, Metric::Nominal), 113.0 / 152.0);
    printed("α ordinal", alpha(&d, Metric::Ordinal), "0.815");
    printed("α ordinal", alpha(&d, Metric::Ordinal), "0.81539");
    exact("α ordinal", alpha(&d, Metric::Ordinal), 108577.0 / 133160.0);
    printed("α interval", alpha(&d, Metric::Interval), "0.849");
    exact("α interval", alpha(&d, Metric::Interval), 951.0 / 1120.0);
    printed("α ratio", alpha(&d, Metric::Ratio), "0.797");
    // The math doc's computed column says .79741; the exact rational (our own Fraction
    // computation) is 18222619/22852465 = .797403, which still prints as .797.
    exact("α ratio", alpha(&d, Metric::Ratio), 18222619.0 / 22852465.0);

    // Krippendorff 2004 p. 230: D_o .200, D_e .779; the coincidence matrix of §2.5.
    let a = krippendorff_alpha(&d, Metric::Nominal).unwrap();
    exact("D_o", Some(a.observed_disagreement), 0.2);
    exact("D_e", Some(a.expected_disagreement), 152.0 / 195.0);
    printed("D_e", Some(a.expected_disagreement), "0.779");
    exact("n", Some(a.pairable_values), 40.0);
    let third = 1.0 / 3.0;
    let expected = [
        [7.0, 4.0 * third, third, third, 0.0],
        [4.0 * third, 10.0, 4.0 * third, third, 0.0],
        [third, 4.0 * third, 8.0, third, 0.0],
        [third, third, third, 4.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 3.0],
    ];
    assert_eq!(d.categories(), &names(5, "")[..]);
    for (row, want) in a.coincidences.iter().zip(expected) {
        for (&got, want) in row.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "coincidence {got} vs {want}");
        }
    }
}

#[test]
fn pub_krippendorff2011_4x12_gwet_family() {
    let d = krippendorff_2011();
    let r = all(&d);
    printed("p_a", r.percent_agreement, "0.8181818");
    exact("p_a", r.percent_agreement, 9.0 / 11.0);
    printed("AC1", r.gwet_ac1, "0.77544");
    exact("AC1", r.gwet_ac1, 31825.0 / 41041.0);
    printed("Fleiss", r.fleiss_kappa, "0.76117");
    exact("Fleiss", r.fleiss_kappa, 7343.0 / 9647.0);
    printed("BP", r.brennan_prediger, "0.77273");
    exact("BP", r.brennan_prediger, 17.0 / 22.0);
    printed("α", r.krippendorff_alpha.flatten(), "0.74342");
    assert_eq!(r.cohen_kappa, None, "Cohen's κ does not apply to 4 coders");
    assert_eq!(r.units, 12);
}

#[test]
fn pub_wikipedia_alpha_3x15() {
    let d = coder_rows(&[
        ". . . . . 3 4 1 2 1 1 3 3 . 3",
        "1 . 2 1 3 3 4 3 . . . . . . .",
        ". . 2 1 3 4 4 . 2 1 1 3 3 . 4",
    ]);
    printed("α nominal", alpha(&d, Metric::Nominal), "0.691");
    exact("α nominal", alpha(&d, Metric::Nominal), 56.0 / 81.0);
    printed("α interval", alpha(&d, Metric::Interval), "0.811");
    // The math doc's .81085 is .8108449 rounded twice; exactly 643/793.
    exact("α interval", alpha(&d, Metric::Interval), 643.0 / 793.0);
}

#[test]
fn pub_krippendorff2004_p224_binary() {
    let d = unit_rows(&[
        "1 0", "1 1", "0 1", "0 0", "0 0", "0 1", "0 0", "0 1", "0 0", "0 0",
    ]);
    printed("p_a", percent_agreement(&d), "0.6");
    exact("α", alpha(&d, Metric::Nominal), 2.0 / 21.0);
    printed("α", alpha(&d, Metric::Nominal), "0.095");
    let a = krippendorff_alpha(&d, Metric::Nominal).unwrap();
    printed("D_o", Some(a.observed_disagreement), "0.400");
    printed("D_e", Some(a.expected_disagreement), "0.442");
    // ATLAS.ti 9: "chance agreement 56%".
    printed("chance", Some(1.0 - a.expected_disagreement), "0.56");
}

#[test]
fn pub_krippendorff2004_p227() {
    let d = unit_rows(&[
        "a a", "a b", "b b", "b b", "b b", "b b", "b c", "c c", "c c", "c c", "c c", "c c",
    ]);
    printed("p_a", percent_agreement(&d), "0.833");
    printed("α", alpha(&d, Metric::Nominal), "0.734");
    printed("α", alpha(&d, Metric::Nominal), "0.7341");
    let a = krippendorff_alpha(&d, Metric::Nominal).unwrap();
    printed("D_o", Some(a.observed_disagreement), "0.1667");
    printed("D_e", Some(a.expected_disagreement), "0.6268");
}

#[test]
fn pub_krippendorff2004_p246_a_and_b() {
    let a = table(&[&[12, 9, 9], &[9, 14, 9], &[9, 9, 20]]);
    let b = table(&[&[12, 18, 18], &[0, 14, 18], &[0, 0, 20]]);
    for (d, kappa, exact_kappa) in [(&a, "0.186", "0.1858"), (&b, "0.258", "0.2582")] {
        printed("p_a", percent_agreement(d), "0.46");
        printed("S", bp(d), "0.19");
        printed("π", fleiss(d), "0.186");
        printed("π", fleiss(d), "0.1858");
        printed("κ", cohen(d), kappa);
        printed("κ", cohen(d), exact_kappa);
    }
}

#[test]
fn pub_hayes_krippendorff2007_ordinal() {
    let d = unit_rows(&[
        "1 1 2 . 2",
        "1 1 0 1 .",
        "2 3 3 3 .",
        ". 0 0 . 0",
        "0 0 0 . 0",
        "0 0 0 . 0",
        "1 0 2 . 1",
        "1 . 2 0 .",
        "2 2 2 . 2",
        "2 1 1 1 .",
        ". 1 0 0 .",
        "0 0 0 0 .",
        "1 2 2 2 .",
        "3 3 2 2 3",
        "1 1 1 . 1",
        "1 1 1 . 1",
        "2 1 2 . 2",
        "1 2 3 3 .",
        "1 1 0 1 .",
        "0 0 0 . 0",
        "0 0 1 1 .",
        "0 0 . 0 0",
        "2 3 3 3 .",
        "0 0 0 0 .",
        "1 2 . 2 2",
        "0 1 1 1 .",
        "0 0 0 1 0",
        "1 2 1 2 .",
        "1 1 2 2 .",
        "1 1 2 . 2",
        "1 1 0 . 0",
        "2 1 2 1 .",
        "2 2 . 2 2",
        "3 2 2 2 .",
        "2 2 2 . 2",
        "2 2 3 . 2",
        "2 2 2 . 2",
        "2 2 . 1 2",
        "2 2 2 2 .",
        "1 1 1 . 1",
    ]);
    assert_eq!(d.unit_count(), 40);
    printed("α ordinal", alpha(&d, Metric::Ordinal), "0.7598");
    printed("α ordinal", alpha(&d, Metric::Ordinal), "0.75983");
}

fn fleiss_1971() -> ReliabilityData {
    unit_rows(&[
        "4 4 4 4 4 4",
        "2 2 2 5 5 5",
        "2 3 3 3 3 5",
        "5 5 5 5 5 5",
        "2 2 2 4 4 4",
        "1 1 3 3 3 3",
        "3 3 3 3 5 5",
        "1 1 3 3 3 4",
        "1 1 4 4 4 4",
        "5 5 5 5 5 5",
        "1 4 4 4 4 4",
        "1 2 4 4 4 4",
        "2 2 2 3 3 3",
        "1 4 4 4 4 4",
        "2 2 4 4 4 5",
        "3 3 3 3 3 5",
        "1 1 1 4 5 5",
        "1 1 1 1 1 2",
        "2 2 4 4 4 4",
        "1 3 3 5 5 5",
        "5 5 5 5 5 5",
        "2 4 4 4 4 4",
        "2 2 4 5 5 5",
        "1 1 4 4 4 4",
        "1 4 4 4 4 5",
        "2 2 2 2 2 4",
        "1 1 1 1 5 5",
        "2 2 4 4 4 4",
        "1 3 3 3 3 3",
        "5 5 5 5 5 5",
    ])
}

#[test]
fn pub_fleiss1971() {
    let d = fleiss_1971();
    let f = fleiss_kappa(&d).unwrap();
    printed("κ", f.value, "0.430");
    printed("κ", f.value, "0.43024");
    printed("P̄", Some(f.observed), "0.5556");
    printed("P̄", Some(f.observed), "0.55556");
    // Fleiss prints P̄_e = .2201 from proportions rounded to three decimals; exactly it is
    // 3563/16200 = .21994 (DKPro accepts .2201 ± .001 for the same reason).
    exact("P̄_e", Some(f.chance), 3563.0 / 16200.0);
    assert!((f.chance - 0.2201).abs() < 0.0002);
}

#[test]
fn pub_gwet_distrib6raters() {
    let d = distribution(&[
        &[0, 0, 0, 6, 0],
        &[0, 3, 0, 0, 3],
        &[0, 1, 4, 0, 1],
        &[0, 0, 0, 0, 6],
        &[0, 3, 0, 3, 0],
        &[2, 0, 4, 0, 0],
        &[0, 0, 4, 0, 2],
        &[2, 0, 3, 1, 0],
        &[2, 0, 0, 4, 0],
        &[0, 0, 0, 0, 6],
        &[1, 0, 0, 5, 0],
        &[1, 1, 0, 4, 0],
        &[0, 3, 3, 0, 0],
        &[1, 0, 0, 5, 0],
        &[0, 2, 0, 3, 1],
    ]);
    let r = all(&d);
    printed("AC1", r.gwet_ac1, "0.4448007");
    printed("Fleiss", r.fleiss_kappa, "0.4139265");
    printed("α", r.krippendorff_alpha.flatten(), "0.4204384");
    printed("BP", r.brennan_prediger, "0.4388889");
    printed("p_a", r.percent_agreement, "0.5511111");
}

#[test]
fn pub_gwet_distrib6raters_equals_first_15_fleiss_patients() {
    // The math doc: distrib.6raters is the first 15 patients of Fleiss (1971).
    let mut first15 = fleiss_1971();
    let kept: Vec<Vec<Option<u32>>> = first15
        .units()
        .take(15)
        .map(|u| u.ratings.to_vec())
        .collect();
    first15 =
        ReliabilityData::new(first15.coders().to_vec(), first15.categories().to_vec()).unwrap();
    for row in &kept {
        first15.push_unit(row, 1).unwrap();
    }
    printed("AC1", ac1(&first15), "0.4448007");
    printed("Fleiss", fleiss(&first15), "0.4139265");
}

#[test]
fn pub_wikipedia_fleiss_10x14() {
    let d = distribution(&[
        &[0, 0, 0, 0, 14],
        &[0, 2, 6, 4, 2],
        &[0, 0, 3, 5, 6],
        &[0, 3, 9, 2, 0],
        &[2, 2, 8, 1, 1],
        &[7, 7, 0, 0, 0],
        &[3, 2, 6, 3, 0],
        &[2, 5, 3, 2, 2],
        &[6, 5, 2, 1, 0],
        &[0, 2, 2, 3, 7],
    ]);
    let f = fleiss_kappa(&d).unwrap();
    printed("κ", f.value, "0.210");
    printed("κ", f.value, "0.20993");
    printed("P̄", Some(f.observed), "0.378");
    printed("P̄", Some(f.observed), "0.37802");
}

#[test]
fn pub_cohen1960_p37() {
    let d = table(&[&[25, 12, 3], &[13, 2, 15], &[12, 16, 2]]);
    let c = cohen_kappa(&d).unwrap();
    printed("p_o", Some(c.observed), "0.29");
    printed("p_e", Some(c.chance), "0.35");
    printed("κ", c.value, "-0.0923");
}

#[test]
fn pub_cohen1960_p45() {
    let d = table(&[&[88, 14, 18], &[10, 40, 10], &[2, 6, 12]]);
    let c = cohen_kappa(&d).unwrap();
    printed("p_o", Some(c.observed), "0.70");
    printed("p_e", Some(c.chance), "0.41");
    printed("κ", c.value, "0.492");
    printed("κ", c.value, "0.4915");
}

#[test]
fn pub_cohen_grant_example() {
    let d = table(&[&[20, 5], &[10, 15]]);
    let c = cohen_kappa(&d).unwrap();
    exact("p_o", Some(c.observed), 0.7);
    exact("κ", c.value, 0.4);
}

#[test]
fn pub_sas_proc_freq_3x3() {
    let d = table(&[&[0, 4, 1], &[0, 8, 0], &[0, 1, 5]]);
    printed("κ", cohen(&d), "0.4842");
    printed("κ", cohen(&d), "0.48416");
}

#[test]
fn pub_brennan_prediger1981_p689_p691() {
    let p689 = table(&[&[50, 0, 0], &[10, 10, 10], &[20, 0, 0]]);
    let p691 = table(&[&[50, 0, 10], &[0, 10, 10], &[10, 10, 0]]);
    for (d, kappa, exact_kappa, chance) in [
        (&p689, "0.27", "0.2727", "0.45"),
        (&p691, "0.29", "0.2857", "0.44"),
    ] {
        let c = cohen_kappa(d).unwrap();
        printed("p_o", Some(c.observed), "0.60");
        printed("p_e", Some(c.chance), chance);
        printed("κ", c.value, kappa);
        printed("κ", c.value, exact_kappa);
        exact("κ_n", bp(d), 0.4);
    }
}

#[test]
fn pub_artstein_poesio2008_p558() {
    // Rows: first coder Stat, IReq; columns: second coder.
    let d = table(&[&[20, 10], &[20, 50]]);
    printed("A_o", percent_agreement(&d), "0.7");
    printed("S", bp(&d), "0.4");
    printed("π", fleiss(&d), "0.341");
    printed("π", fleiss(&d), "0.3407");
    printed("κ", cohen(&d), "0.348");
    printed("κ", cohen(&d), "0.3478");
}

#[test]
fn pub_artstein_poesio2008_p568() {
    // Rows: first coder Stat, IReq, Chck; columns: second coder.
    let d = table(&[&[46, 6, 0], &[0, 32, 0], &[0, 6, 10]]);
    let r = all(&d);
    printed("A_o", r.percent_agreement, "0.88");
    printed("S", r.brennan_prediger, "0.82");
    printed("π", r.fleiss_kappa, "0.7995");
    printed("π", r.fleiss_kappa, "0.79953");
    printed("κ", r.cohen_kappa.flatten(), "0.8013");
    printed("κ", r.cohen_kappa.flatten(), "0.80132");
    // Artstein & Poesio print α truncated to .800; exactly 1 - 199·24/23944 = .800535 (the
    // math doc's .80050 is that value cut short).
    exact("α", r.krippendorff_alpha.flatten(), 1.0 - 4776.0 / 23944.0);
    truncated("α", r.krippendorff_alpha.flatten(), "0.800");
}

#[test]
fn pub_gwet_cont3x3abstractors() {
    let d = table(&[&[13, 0, 0], &[0, 20, 7], &[0, 4, 56]]);
    let r = all(&d);
    printed("κ", r.cohen_kappa.flatten(), "0.7964094");
    printed("π", r.fleiss_kappa, "0.7962397");
    printed("AC1", r.gwet_ac1, "0.8493305");
    printed("BP", r.brennan_prediger, "0.835");
    printed("α", r.krippendorff_alpha.flatten(), "0.7972585");
    printed("p_a", r.percent_agreement, "0.89");
}

#[test]
fn pub_nvivo_help_1000_characters() {
    // 1000 characters: 50 coded by both, 150 by one user only, 800 by neither.
    let mut tally = PresenceTally::new(2).unwrap();
    let a = [Span::new(0, 150)];
    let b = [Span::new(100, 200)];
    tally.add_chars(1000, &[Some(&a), Some(&b)]).unwrap();
    let t = tally.two_by_two(0, 1);
    assert_eq!(
        (t.both, t.only_first + t.only_second, t.neither),
        (50, 150, 800)
    );
    exact("NVivo %", t.percent_agreement(), 17.0 / 20.0);
    let d = tally.to_reliability_data(names(2, "user")).unwrap();
    assert_eq!(d.unit_count(), 1000);
    exact("p_a", percent_agreement(&d), 0.85);
}

#[test]
fn unit_pub_krippendorff2004_p254() {
    // Continuum [150, 450), L = 300; (start, length) per unit.
    let s = |start: u64, len: u64| Span::new(start, start + len);
    let continuum = Span::new(150, 450);
    let c = unitizing_alpha(
        continuum,
        &[
            vec![s(225, 70), s(370, 30)],
            vec![s(220, 80), s(355, 20), s(400, 20)],
        ],
    )
    .unwrap();
    printed("uα_c", c.value, "0.7286");
    printed("uα_c", c.value, "0.72860");
    printed("D_o c", Some(c.observed_disagreement), "0.0144");
    printed("D_o c", Some(c.observed_disagreement), "0.01444");
    printed("D_e c", Some(c.expected_disagreement), "0.0532");
    printed("D_e c", Some(c.expected_disagreement), "0.05322");
    let k = unitizing_alpha(
        continuum,
        &[vec![s(180, 60), s(300, 50)], vec![s(180, 60), s(300, 50)]],
    )
    .unwrap();
    exact("uα_k", k.value, 1.0);
    exact("D_o k", Some(k.observed_disagreement), 0.0);
    printed("D_e k", Some(k.expected_disagreement), "0.0490");
    printed("D_e k", Some(k.expected_disagreement), "0.04898");
}

// ---------------------------------------------------------------- §9 edge cases

/// Binary presence data (categories 0 = not coded, 1 = coded) typed one unit per string.
fn presence(rows: &[&str]) -> ReliabilityData {
    let rows: Vec<Vec<Option<&str>>> = rows
        .iter()
        .map(|r| {
            r.split_whitespace()
                .map(|t| (t != ".").then_some(t))
                .collect()
        })
        .collect();
    ReliabilityData::from_labels(names(rows[0].len(), "coder"), &["0", "1"], &rows).unwrap()
}

fn repeat(row: &str, n: usize) -> Vec<&str> {
    vec![row; n]
}

#[test]
fn edge_perfect_agreement_two_categories() {
    let d = presence(&["1 1", "0 0", "1 1", "0 0"]);
    let r = all(&d);
    for (what, v) in [
        ("p_a", r.percent_agreement),
        ("κ", r.cohen_kappa.flatten()),
        ("Fleiss", r.fleiss_kappa),
        ("α", r.krippendorff_alpha.flatten()),
        ("BP", r.brennan_prediger),
        ("AC1", r.gwet_ac1),
    ] {
        exact(what, v, 1.0);
    }
}

#[test]
fn edge_perfect_agreement_one_category_nobody_applied_the_code() {
    let d = presence(&repeat("0 0", 10));
    let r = all(&d);
    exact("p_a", r.percent_agreement, 1.0);
    assert_eq!(r.cohen_kappa, Some(None), "κ is null, not absent");
    assert_eq!(r.fleiss_kappa, None);
    assert_eq!(r.krippendorff_alpha, Some(None));
    exact("BP", r.brennan_prediger, 1.0);
    exact("AC1", r.gwet_ac1, 1.0);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["cohen_kappa"].is_null() && json["krippendorff_alpha"].is_null());
    assert!(json.as_object().unwrap().contains_key("cohen_kappa"));
}

#[test]
fn edge_total_disagreement_two_coders_eight_units() {
    let mut rows = repeat("0 1", 4);
    rows.extend(repeat("1 0", 4));
    let r = all(&presence(&rows));
    exact("p_a", r.percent_agreement, 0.0);
    exact("κ", r.cohen_kappa.flatten(), -1.0);
    exact("Fleiss", r.fleiss_kappa, -1.0);
    exact("α", r.krippendorff_alpha.flatten(), -0.875);
    exact("BP", r.brennan_prediger, -1.0);
    exact("AC1", r.gwet_ac1, -1.0);
}

#[test]
fn edge_total_disagreement_three_coders_three_categories() {
    let d = unit_rows(&["a b c", "a c b", "b a c", "b c a", "c a b", "c b a"]);
    let r = all(&d);
    exact("p_a", r.percent_agreement, 0.0);
    assert_eq!(r.cohen_kappa, None, "absent for three coders");
    exact("Fleiss", r.fleiss_kappa, -0.5);
    exact("α", r.krippendorff_alpha.flatten(), -5.0 / 12.0);
    printed("α", r.krippendorff_alpha.flatten(), "-0.4167");
    exact("BP", r.brennan_prediger, -0.5);
    exact("AC1", r.gwet_ac1, -0.5);
    let json = serde_json::to_value(&r).unwrap();
    assert!(!json.as_object().unwrap().contains_key("cohen_kappa"));
}

#[test]
fn edge_single_unit_coders_agree() {
    let r = all(&presence(&["1 1"]));
    exact("p_a", r.percent_agreement, 1.0);
    assert_eq!(r.cohen_kappa, Some(None));
    assert_eq!(r.fleiss_kappa, None);
    assert_eq!(r.krippendorff_alpha, Some(None));
    exact("BP", r.brennan_prediger, 1.0);
    exact("AC1", r.gwet_ac1, 1.0);
}

#[test]
fn edge_single_unit_coders_disagree() {
    let r = all(&presence(&["1 0"]));
    exact("p_a", r.percent_agreement, 0.0);
    exact("κ", r.cohen_kappa.flatten(), 0.0);
    exact("Fleiss", r.fleiss_kappa, -1.0);
    exact("α", r.krippendorff_alpha.flatten(), 0.0);
    exact("BP", r.brennan_prediger, -1.0);
    exact("AC1", r.gwet_ac1, -1.0);
}

#[test]
fn edge_no_unit_rated_by_two_coders() {
    let r = all(&presence(&["1 .", ". 0", "0 .", ". 1"]));
    assert_eq!(r.percent_agreement, None);
    assert_eq!(r.cohen_kappa, Some(None));
    assert_eq!(r.fleiss_kappa, None);
    assert_eq!(r.krippendorff_alpha, Some(None));
    assert_eq!(r.brennan_prediger, None);
    assert_eq!(r.gwet_ac1, None);
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("NaN"));
}

#[test]
fn edge_one_coder_never_applies_the_code() {
    let mut rows = repeat("0 1", 4);
    rows.extend(repeat("0 0", 8));
    let r = all(&presence(&rows));
    printed("p_a", r.percent_agreement, "0.667");
    exact("κ", r.cohen_kappa.flatten(), 0.0);
    exact("Fleiss", r.fleiss_kappa, -0.2);
    exact("α", r.krippendorff_alpha.flatten(), -0.15);
    exact("BP", r.brennan_prediger, 1.0 / 3.0);
    printed("AC1", r.gwet_ac1, "0.538");
    exact("AC1", r.gwet_ac1, 7.0 / 13.0);
}

#[test]
fn edge_kappa_paradox_rare_code() {
    let mut rows = vec!["1 0", "0 1"];
    rows.extend(repeat("0 0", 18));
    let r = all(&presence(&rows));
    exact("p_a", r.percent_agreement, 0.9);
    printed("κ", r.cohen_kappa.flatten(), "-0.0526");
    printed("Fleiss", r.fleiss_kappa, "-0.0526");
    printed("α", r.krippendorff_alpha.flatten(), "-0.0263");
    exact("BP", r.brennan_prediger, 0.8);
    printed("AC1", r.gwet_ac1, "0.8895");
}

#[test]
fn edge_single_rated_units_ignored_except_in_gwet_proportions() {
    // Adding single-rated units changes Fleiss and AC1 (through π_k) but nothing else.
    let base = presence(&["1 1", "0 0", "1 0", "0 0"]);
    let more = presence(&["1 1", "0 0", "1 0", "0 0", "1 .", ". 1"]);
    let (a, b) = (all(&base), all(&more));
    assert_eq!(a.percent_agreement, b.percent_agreement);
    assert_eq!(a.cohen_kappa, b.cohen_kappa, "listwise Cohen");
    assert_eq!(a.krippendorff_alpha, b.krippendorff_alpha);
    assert_eq!(a.brennan_prediger, b.brennan_prediger);
    assert_ne!(a.fleiss_kappa, b.fleiss_kappa);
    assert_ne!(a.gwet_ac1, b.gwet_ac1);
    // The 4×12 example: its unit 12 is single-rated and Gwet's Fleiss needs it in π_k.
    exact("Fleiss", fleiss(&krippendorff_2011()), 7343.0 / 9647.0);
}

#[test]
fn edge_declared_category_never_used_changes_only_bp_and_ac1() {
    let rows = ["a a", "a b", "b b", "b b", "a a"];
    let observed = unit_rows(&rows);
    let rows: Vec<Vec<Option<&str>>> = rows
        .iter()
        .map(|r| r.split_whitespace().map(Some).collect())
        .collect();
    let declared =
        ReliabilityData::from_labels(names(2, "coder"), &["a", "b", "c"], &rows).unwrap();
    let (o, d) = (all(&observed), all(&declared));
    assert_eq!(o.percent_agreement, d.percent_agreement);
    assert_eq!(o.cohen_kappa, d.cohen_kappa);
    assert_eq!(o.fleiss_kappa, d.fleiss_kappa);
    assert_eq!(o.krippendorff_alpha, d.krippendorff_alpha);
    assert_ne!(o.brennan_prediger, d.brennan_prediger);
    assert_ne!(o.gwet_ac1, d.gwet_ac1);
    // BP: p_a = .8; q = 2 → .6, q = 3 → .7.
    exact("BP q=2", o.brennan_prediger, 0.6);
    exact("BP q=3", d.brennan_prediger, 0.7);
    // Choosing the observed q on the declared data gives back the q = 2 values.
    let by_observed = agreement(
        &declared,
        &Options {
            categories: CategoryCount::Observed,
            ..Options::default()
        },
    );
    assert_eq!(by_observed.brennan_prediger, o.brennan_prediger);
    assert_eq!(by_observed.gwet_ac1, o.gwet_ac1);
    let by_declared = agreement(
        &observed,
        &Options {
            categories: CategoryCount::Declared(3),
            ..Options::default()
        },
    );
    assert_eq!(by_declared.brennan_prediger, d.brennan_prediger);
}
