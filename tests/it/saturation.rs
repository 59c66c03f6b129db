//! Thematic saturation (Guest, Namey & Chen 2020): hand-worked sequences, the paper's own
//! figures, ordering ties, edge cases, JSON stability and the SVG curve; then `thema saturation`
//! on small studies written here: an interview not yet coded in the middle of the order, a
//! saturation point a later interview revokes, and a study without an order or date attribute.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use assert_cmd::Command;
use proptest::prelude::*;
use thema::saturation::{
    assess, curve_svg, default_order_attribute, order_interviews, roll_up_to_themes,
    split_into_groups, Interview, OrderKind, SaturationParams, SaturationStatus, NO_VALUE_GROUP,
};
use thema::study::coding::Span;
use thema::study::Study;

fn c(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|i| format!("c{i:02}")).collect()
}

fn iv(id: &str, codes: Vec<String>) -> Interview {
    Interview::new(id, codes)
}

/// Fifteen interviews worked by hand (base 4, run 2, ≤5%).
///
/// | # | codes held          | new codes     | cumulative |
/// |---|---------------------|---------------|-----------:|
/// | 1 | c01–c08             | c01–c08 (8)   | 8          |
/// | 2 | c05–c12             | c09–c12 (4)   | 12         |
/// | 3 | c10–c16             | c13–c16 (4)   | 16         |
/// | 4 | c01, c17–c20        | c17–c20 (4)   | 20  ← base: 20 codes |
/// | 5 | c21, c22            | 2             | 22         |
/// | 6 | c01, c23            | 1             | 23         |
/// | 7 | c24                 | 1             | 24         |
/// | 8 | c02, c25            | 1             | 25         |
/// | 9 | c26                 | 1             | 26         |
/// |10 | c27                 | 1             | 27         |
/// |11 | c28                 | 1             | 28         |
/// |12 | c29                 | 1             | 29         |
/// |13 | c04                 | 0             | 29         |
/// |14 | c29                 | 0             | 29         |
/// |15 | c30                 | 1             | 30         |
///
/// Sliding runs of 2, new codes / 20 base codes:
/// 5–6: 3/20 = 15%; 6–7, 7–8, 8–9, 9–10, 10–11, 11–12: 2/20 = 10%;
/// 12–13: 1/20 = 5% ≤ 5% → first run at the threshold → saturation at 11 (11+2);
/// 13–14: 0%; 14–15: 5%.
/// (Consecutive blocks 5–6, 7–8, … would give 12+2 instead; a denominator of all codes known
/// before the run would give 1/28 at run 12–13 — neither is the paper's method.)
fn fifteen() -> Vec<Interview> {
    let mut v = vec![
        iv("T01", c(1..=8)),
        iv("T02", c(5..=12)),
        iv("T03", c(10..=16)),
        iv("T04", [c(1..=1), c(17..=20)].concat()),
        iv("T05", c(21..=22)),
        iv("T06", [c(1..=1), c(23..=23)].concat()),
        iv("T07", c(24..=24)),
        iv("T08", [c(2..=2), c(25..=25)].concat()),
    ];
    for (n, code) in [(9, 26), (10, 27), (11, 28), (12, 29)] {
        v.push(iv(&format!("T{n:02}"), c(code..=code)));
    }
    v.push(iv("T13", c(4..=4)));
    v.push(iv("T14", c(29..=29)));
    v.push(iv("T15", c(30..=30)));
    v
}

#[test]
fn hand_worked_sequence_saturates_at_interview_11() {
    let report = assess("", &fifteen(), &SaturationParams::default());

    let cumulative: Vec<usize> = report.steps.iter().map(|s| s.cumulative).collect();
    assert_eq!(
        cumulative,
        vec![8, 12, 16, 20, 22, 23, 24, 25, 26, 27, 28, 29, 29, 29, 30]
    );
    assert_eq!(report.steps[1].new_codes, c(9..=12));
    assert_eq!(report.steps[4].new_codes, vec!["c21", "c22"]);
    assert!(report.steps[12].new_codes.is_empty());
    assert_eq!(report.base_codes, 20);
    assert_eq!(report.total_codes, 30);

    let runs: Vec<(usize, usize, usize)> = report
        .runs
        .iter()
        .map(|r| (r.first, r.last, r.new_codes.len()))
        .collect();
    assert_eq!(
        runs,
        vec![
            (5, 6, 3),
            (6, 7, 2),
            (7, 8, 2),
            (8, 9, 2),
            (9, 10, 2),
            (10, 11, 2),
            (11, 12, 2),
            (12, 13, 1),
            (13, 14, 0),
            (14, 15, 1),
        ]
    );
    assert_eq!(report.runs[0].share, Some(0.15));
    assert_eq!(report.runs[7].new_codes, vec!["c29"]);
    assert_eq!(report.runs[7].transcripts, vec!["T12", "T13"]);
    assert_eq!(report.runs[7].known_before, 28);
    assert_eq!(report.runs[7].share, Some(0.05));
    let meeting: Vec<usize> = report
        .runs
        .iter()
        .filter(|r| r.meets_threshold)
        .map(|r| r.first)
        .collect();
    assert_eq!(meeting, vec![12, 13, 14]);

    assert_eq!(report.status, SaturationStatus::Reached);
    let point = report.saturation.as_ref().expect("saturation reached");
    assert_eq!(point.interview, 11);
    assert_eq!(point.transcript, "T11");
    assert_eq!(point.confirmed_at, 13);
    assert_eq!(point.new_count, 1);
    assert_eq!(
        report.sentence,
        "Saturation at interview 11 of 15 (11+2), base 4, run 2, ≤5% new information: \
         interviews 12–13 added 1 new code, 5.0% of the 20 codes in the base."
    );
}

#[test]
fn stricter_threshold_and_longer_run_move_the_point() {
    // 0%: the first run with no new code at all is 13–14 → 12+2; but interview 15 then adds
    // c30, so run 14–15 (5%) is above 0% and revokes it.
    let zero = SaturationParams::new(4, 2, 0.0).unwrap();
    let report = assess("", &fifteen(), &zero);
    assert_eq!(report.status, SaturationStatus::Revoked);
    assert!(report.saturation.is_none());
    assert_eq!(report.revoked.len(), 1);
    assert_eq!(report.revoked[0].point.interview, 12);
    assert_eq!(
        report.sentence,
        "Saturation was reached after T12 (interview 12 of 15, 12+2: interviews 13–14 added \
         0 new codes, 0.0% of the 20 codes in the base), but T15 later added 1 new code \
         (interviews 14–15: 5.0%, above 0%): not saturated (base 4, run 2, ≤0% new information)."
    );

    // Run 3 at 5%: runs of 3 after the base hold 2 or more new codes (≥10%) until 12–14 (1).
    let run3 = SaturationParams::new(4, 3, 5.0).unwrap();
    let report = assess("", &fifteen(), &run3);
    let p = report.saturation.as_ref().unwrap();
    assert_eq!((p.interview, p.confirmed_at), (11, 14));
    assert!(report.sentence.contains("(11+3)"), "{}", report.sentence);
    assert!(report.sentence.contains("interviews 12–14"));

    // Run 1 at 5%: interview 5 adds 2 (10%), interview 6 adds 1 of 20 = 5% → 5+1, as early
    // as a single-interview run allows.
    let run1 = SaturationParams::new(4, 1, 5.0).unwrap();
    let report = assess("", &fifteen(), &run1);
    let p = report.saturation.as_ref().unwrap();
    assert_eq!((p.interview, p.confirmed_at), (5, 6));
    assert!(report.sentence.contains("(5+1)"), "{}", report.sentence);
    assert!(report.sentence.contains("interview 6 added 1 new code"));
}

#[test]
fn threshold_as_percent_or_fraction_gives_identical_reports() {
    let a = assess("", &fifteen(), &SaturationParams::new(4, 2, 5.0).unwrap());
    let b = assess("", &fifteen(), &SaturationParams::new(4, 2, 0.05).unwrap());
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn never_saturates_and_says_so_plainly() {
    // Base of 4 interviews with 5 codes each (20 codes), then every interview adds 2 new codes:
    // every run of 2 adds 4/20 = 20%.
    let mut interviews = Vec::new();
    for i in 0..4 {
        interviews.push(iv(&format!("B{i}"), c(i * 5 + 1..=i * 5 + 5)));
    }
    for i in 0..6 {
        let first = 21 + i * 2;
        interviews.push(iv(&format!("R{i}"), c(first..=first + 1)));
    }
    let report = assess("volunteers", &interviews, &SaturationParams::default());
    assert_eq!(report.status, SaturationStatus::NotReached);
    assert!(report.saturation.is_none());
    assert_eq!(report.runs.len(), 5);
    assert!(report.runs.iter().all(|r| r.share == Some(0.2)));
    assert_eq!(
        report.sentence,
        "volunteers: saturation not reached in 10 interviews (base 4, run 2, ≤5% new information): \
         every run of 2 interviews after the base added more than 5% new codes; \
         the lowest was 20.0% (interviews 5–6)."
    );
}

/// The paper's worked example (Guest, Namey & Chen 2020, hypothetical dataset, base 4, run 2):
/// the base set holds 37 unique themes; the first run (interviews 5–6) adds seven → 7/37 = 19%;
/// a later run "renders a quotient of 11%" (4/37); the "latest run" adds one → 1/37 = 3%,
/// at or below 5%. The paper's text that we could read gives those run totals, not the count
/// of every interview, so the per-interview counts below are one sequence consistent with them
/// (5, 2, 2, 1, 0 new themes in interviews 5–9; sliding runs 7, 4, 3, 1).
#[test]
fn reproduces_the_papers_worked_figures() {
    let mut next = 1;
    let mut interviews = Vec::new();
    for (i, new) in [15usize, 10, 7, 5, 5, 2, 2, 1, 0, 0].iter().enumerate() {
        // Each interview repeats theme 1 (so none is empty) and adds `new` unseen themes.
        let mut codes = vec!["t001".to_string()];
        for _ in 0..*new {
            codes.push(format!("t{next:03}"));
            next += 1;
        }
        interviews.push(iv(&format!("P{:02}", i + 1), codes));
    }
    let report = assess("", &interviews, &SaturationParams::default());
    assert_eq!(report.base_codes, 37);
    let shares: Vec<String> = report
        .runs
        .iter()
        .map(|r| {
            format!(
                "{}/{} = {:.0}%",
                r.new_codes.len(),
                r.base_codes,
                r.share.unwrap() * 100.0
            )
        })
        .collect();
    assert_eq!(
        shares,
        vec![
            "7/37 = 19%",
            "4/37 = 11%",
            "3/37 = 8%",
            "1/37 = 3%",
            "0/37 = 0%"
        ]
    );
    let p = report.saturation.as_ref().unwrap();
    assert_eq!((p.interview, p.confirmed_at, p.new_count), (7, 9, 1));
    assert!(report
        .sentence
        .contains("interviews 8–9 added 1 new code, 2.7% of the 37 codes in the base"));
}

#[test]
fn base_larger_than_the_interviews_is_reported_not_a_panic() {
    let interviews = vec![iv("A", c(1..=3)), iv("B", c(2..=5)), iv("C", c(6..=6))];
    let params = SaturationParams::new(6, 2, 5.0).unwrap();
    let report = assess("link workers", &interviews, &params);
    assert_eq!(report.status, SaturationStatus::TooFewInterviews);
    assert!(report.runs.is_empty());
    assert!(report.saturation.is_none());
    // The curve is still there.
    assert_eq!(report.steps.len(), 3);
    assert_eq!(report.steps[2].cumulative, 6);
    assert_eq!(
        report.sentence,
        "link workers: saturation cannot be assessed: 3 interviews, but a base of 6 and a run of 2 need at least 8."
    );

    // Exactly base + run - 1 interviews: still too few.
    let five: Vec<Interview> = fifteen().into_iter().take(5).collect();
    let report = assess("", &five, &SaturationParams::default());
    assert_eq!(report.status, SaturationStatus::TooFewInterviews);
    // Exactly base + run: one run.
    let six: Vec<Interview> = fifteen().into_iter().take(6).collect();
    let report = assess("", &six, &SaturationParams::default());
    assert_eq!(report.runs.len(), 1);
    assert_eq!(report.status, SaturationStatus::NotReached);
}

#[test]
fn empty_base_is_undefined_and_null_in_json() {
    let mut interviews: Vec<Interview> =
        (1..=4).map(|i| iv(&format!("E{i}"), Vec::new())).collect();
    interviews.push(iv("E5", c(1..=2)));
    interviews.push(iv("E6", Vec::new()));
    let report = assess("", &interviews, &SaturationParams::default());
    assert_eq!(report.status, SaturationStatus::UndefinedBase);
    assert_eq!(report.runs.len(), 1);
    assert_eq!(report.runs[0].share, None);
    assert!(!report.runs[0].meets_threshold);
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["runs"][0]["share"].is_null());
    assert_eq!(json["status"], "undefined_base");
    assert!(report.sentence.contains("holds no codes"));
    assert!(report.sentence.contains("undefined"));
}

#[test]
fn json_is_stable() {
    let report = assess("staff", &fifteen(), &SaturationParams::default());
    let once = serde_json::to_string_pretty(&report).unwrap();
    let twice = serde_json::to_string_pretty(&report).unwrap();
    assert_eq!(once, twice);
    // The same input assessed again, with codes given in another order, serialises identically.
    let shuffled: Vec<Interview> = fifteen()
        .into_iter()
        .map(|i| Interview::new(i.transcript.clone(), i.codes.iter().rev().cloned()))
        .collect();
    let again = assess("staff", &shuffled, &SaturationParams::default());
    assert_eq!(once, serde_json::to_string_pretty(&again).unwrap());

    let json: serde_json::Value = serde_json::from_str(&once).unwrap();
    assert_eq!(json["status"], "reached");
    assert_eq!(json["params"]["base"], 4);
    assert_eq!(json["params"]["threshold"], 0.05);
    assert_eq!(json["saturation"]["interview"], 11);
    assert_eq!(json["steps"][4]["new_codes"][0], "c21");
}

fn unordered() -> Vec<Interview> {
    ["LW07", "LW02", "V03", "LW01", "V01", "V02"]
        .iter()
        .map(|t| iv(t, vec![]))
        .collect()
}

fn ids(interviews: &[Interview]) -> Vec<&str> {
    interviews.iter().map(|i| i.transcript.as_str()).collect()
}

fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn ordering_is_numeric_with_ties_by_transcript_and_missing_last() {
    let mut interviews = unordered();
    // "10" after "9" (numeric, not text); LW02 and V01 tie on 2 → by id; V03 has no value and
    // LW01 a blank one → last, by id.
    let kind = order_interviews(
        &mut interviews,
        &values(&[
            ("LW07", "10"),
            ("V01", "2"),
            ("LW02", "2"),
            ("V02", "9"),
            ("LW01", "  "),
        ]),
    );
    assert_eq!(kind, OrderKind::Numeric);
    assert_eq!(
        ids(&interviews),
        vec!["LW02", "V01", "V02", "LW07", "LW01", "V03"]
    );
}

#[test]
fn ordering_by_iso_date_text_and_transcript_id() {
    let mut interviews = unordered();
    let kind = order_interviews(
        &mut interviews,
        &values(&[
            ("LW07", "2024-03-02"),
            ("LW02", "2024-01-15"),
            ("V03", "2024-01-15T09:00"),
            ("LW01", "2023-12-01"),
            ("V01", "2024-01-15"),
            ("V02", "2024-02-01"),
        ]),
    );
    assert_eq!(kind, OrderKind::IsoDate);
    assert_eq!(
        ids(&interviews),
        vec!["LW01", "LW02", "V01", "V03", "V02", "LW07"]
    );

    let mut interviews = unordered();
    let kind = order_interviews(
        &mut interviews,
        &values(&[("LW07", "b"), ("LW02", "a"), ("V03", "10"), ("V01", "a")]),
    );
    assert_eq!(kind, OrderKind::Text);
    assert_eq!(
        ids(&interviews),
        vec!["V03", "LW02", "V01", "LW07", "LW01", "V02"]
    );

    let mut interviews = unordered();
    let kind = order_interviews(&mut interviews, &BTreeMap::new());
    assert_eq!(kind, OrderKind::TranscriptId);
    assert_eq!(
        ids(&interviews),
        vec!["LW01", "LW02", "LW07", "V01", "V02", "V03"]
    );
}

#[test]
fn default_order_attribute_prefers_order_then_date() {
    assert_eq!(
        default_order_attribute(&["transcript", "Date", "role", "Order"]),
        Some("Order")
    );
    assert_eq!(
        default_order_attribute(&["transcript", "date"]),
        Some("date")
    );
    assert_eq!(default_order_attribute(&["transcript", "role"]), None);
}

#[test]
fn groups_keep_order_and_put_missing_values_last() {
    let mut interviews = unordered();
    order_interviews(&mut interviews, &BTreeMap::new());
    let groups = split_into_groups(
        interviews,
        &values(&[
            ("LW01", "link worker"),
            ("LW02", "link worker"),
            ("LW07", "link worker"),
            ("V01", "volunteer"),
            ("V02", "volunteer"),
        ]),
    );
    let shape: Vec<(&str, Vec<&str>)> = groups.iter().map(|(g, v)| (g.as_str(), ids(v))).collect();
    assert_eq!(
        shape,
        vec![
            ("link worker", vec!["LW01", "LW02", "LW07"]),
            ("volunteer", vec!["V01", "V02"]),
            (NO_VALUE_GROUP, vec!["V03"]),
        ]
    );
}

#[test]
fn theme_level_counts_top_level_themes() {
    let parents: BTreeMap<String, Option<String>> = [
        ("access", None),
        ("access.cost", Some("access")),
        ("access.cost.bus", Some("access.cost")),
        ("trust", None),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
    .collect();
    let interviews = vec![
        iv("A", vec!["access.cost.bus".into(), "trust".into()]),
        iv("B", vec!["access.cost".into(), "orphan".into()]),
    ];
    let themes = roll_up_to_themes(&interviews, &parents);
    assert_eq!(
        themes[0].codes.iter().collect::<Vec<_>>(),
        vec!["access", "trust"]
    );
    assert_eq!(
        themes[1].codes.iter().collect::<Vec<_>>(),
        vec!["access", "orphan"]
    );
}

#[test]
fn svg_has_one_polyline_per_group_and_marks_saturation() {
    let staff = assess(
        "staff <&> \"team\"",
        &fifteen(),
        &SaturationParams::default(),
    );
    let volunteers = assess(
        "volunteers",
        &fifteen().into_iter().take(9).collect::<Vec<_>>(),
        &SaturationParams::default(),
    );
    let none = assess("empty", &[], &SaturationParams::default());
    let svg = curve_svg(&[staff, volunteers, none], 640, 360);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<polyline").count(), 3);
    // Only the saturated group gets a marker.
    assert_eq!(svg.matches("<circle").count(), 1);
    assert!(svg.contains("saturation at interview 11 (11+2)"));
    assert!(svg.contains("volunteers — saturation not reached"));
    assert!(svg.contains("empty — saturation not assessed"));
    assert!(svg.contains("staff &lt;&amp;&gt; &quot;team&quot;"));
    assert!(!svg.contains("<script"));
    assert!(svg.contains("Interviews, in order"));
    assert!(svg.contains("Distinct codes"));
    assert!(svg.contains(">base 4</text>"));
    // Deterministic.
    let again = curve_svg(
        &[assess(
            "staff <&> \"team\"",
            &fifteen(),
            &SaturationParams::default(),
        )],
        640,
        360,
    );
    assert_eq!(again.matches("<polyline").count(), 1);
    assert_eq!(
        again,
        curve_svg(
            &[assess(
                "staff <&> \"team\"",
                &fifteen(),
                &SaturationParams::default()
            )],
            640,
            360
        )
    );
}

#[test]
fn svg_survives_tiny_sizes_and_no_reports() {
    let svg = curve_svg(&[], 0, 0);
    assert_eq!(svg.matches("<polyline").count(), 0);
    assert!(svg.contains("</svg>"));
    let one = assess("", &fifteen(), &SaturationParams::default());
    let svg = curve_svg(&[one], 1, 1);
    assert_eq!(svg.matches("<polyline").count(), 1);
    assert!(svg.contains("all interviews"));
}

proptest! {
    /// For any interviews and parameters: no panic, the curve never falls, the new codes add up
    /// to the total, and saturation (if any) is the first run meeting the threshold.
    #[test]
    fn invariants_hold(
        sets in prop::collection::vec(prop::collection::btree_set(0u8..30, 0..6), 0..20),
        base in 1usize..8,
        run in 1usize..4,
        threshold in 0.0f64..100.0,
    ) {
        let interviews: Vec<Interview> = sets
            .iter()
            .enumerate()
            .map(|(i, s)| Interview::new(format!("T{i:02}"), s.iter().map(|c| format!("k{c}"))))
            .collect();
        let params = SaturationParams::new(base, run, threshold).unwrap();
        let report = assess("g", &interviews, &params);
        prop_assert_eq!(report.steps.len(), interviews.len());
        let mut previous = 0;
        let mut added = 0;
        for step in &report.steps {
            prop_assert!(step.cumulative >= previous);
            prop_assert_eq!(step.cumulative - previous, step.new_codes.len());
            previous = step.cumulative;
            added += step.new_codes.len();
        }
        prop_assert_eq!(added, report.total_codes);
        // The standing point is the first run meeting the threshold with no run above it
        // later; each revoked point was met, then a later run was above the threshold.
        let above = |r: &thema::saturation::RunAssessment| r.share.is_some() && !r.meets_threshold;
        let last_above = report.runs.iter().rposition(above);
        let standing = report
            .runs
            .iter()
            .enumerate()
            .position(|(i, r)| r.meets_threshold && last_above.is_none_or(|a| i > a));
        match (&report.saturation, standing) {
            (Some(p), Some(i)) => {
                prop_assert_eq!(p.interview, report.runs[i].first - 1);
                prop_assert!(p.interview >= base);
                prop_assert_eq!(report.status, SaturationStatus::Reached);
            }
            (None, None) => {}
            _ => prop_assert!(false, "saturation and the standing run disagree"),
        }
        for r in &report.revoked {
            prop_assert!(report.runs.iter().any(|x| x.first == r.point.interview + 1 && x.meets_threshold));
            prop_assert!(above(&r.by) && r.by.first > r.point.interview + 1);
            prop_assert!(r.later_new_codes() > 0);
        }
        let first_met = report.runs.iter().position(|r| r.meets_threshold);
        prop_assert_eq!(
            first_met.is_some(),
            report.saturation.is_some() || !report.revoked.is_empty()
        );
        prop_assert!(!report.sentence.is_empty());
        let svg = curve_svg(std::slice::from_ref(&report), 400, 300);
        prop_assert_eq!(svg.matches("<polyline").count(), 1);
    }
}

// ----- `thema saturation` on studies written here -----

/// A study coded by r1: `interviews` lists each transcript with the codes r1 applied (`None`:
/// not coded at all); `attributes` is `transcripts/attributes.csv` (none when `None`).
fn study(interviews: &[(&str, Option<&[&str]>)], attributes: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "saturation").unwrap();
    for (id, _) in interviews {
        std::fs::write(
            root.join(format!("transcripts/{id}.txt")),
            format!("P: interview {id}, said in full.\n"),
        )
        .unwrap();
    }
    if let Some(csv) = attributes {
        std::fs::write(root.join("transcripts/attributes.csv"), csv).unwrap();
    }
    let mut study = Study::open(root).unwrap();
    let mut ids: HashMap<String, String> = HashMap::new();
    for (transcript, codes) in interviews {
        for code in codes.unwrap_or_default() {
            if !ids.contains_key(*code) {
                let id = study
                    .add_code("r1", None, code, &Default::default(), None)
                    .unwrap();
                ids.insert(code.to_string(), id);
            }
            study
                .apply_code("r1", transcript, &Span::Range(0, 12), &ids[*code])
                .unwrap();
        }
    }
    dir
}

fn saturation_json(root: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(root)
        .env_remove("THEMA_CODER")
        .args(["--json", "saturation"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const BASE: [&[&str]; 4] = [
    &["c01", "c02", "c03", "c04", "c05"],
    &["c06", "c07", "c08", "c09", "c10"],
    &["c11", "c12", "c13", "c14", "c15"],
    &["c16", "c17", "c18", "c19", "c20"],
];

#[test]
fn an_interview_not_yet_coded_is_left_out_and_named_not_counted_as_adding_nothing() {
    // In order: four base interviews (20 codes), I5 not coded, I6 adds nothing, I7 adds 2,
    // I8 adds nothing. Counting I5 as "0 new codes" would make run 5–6 0% and declare
    // saturation at 4+2; over the coded interviews every run adds 10%.
    let dir = study(
        &[
            ("I1", Some(BASE[0])),
            ("I2", Some(BASE[1])),
            ("I3", Some(BASE[2])),
            ("I4", Some(BASE[3])),
            ("I5", None),
            ("I6", Some(&["c01"])),
            ("I7", Some(&["c21", "c22"])),
            ("I8", Some(&["c02"])),
        ],
        Some("transcript,order\nI1,1\nI2,2\nI3,3\nI4,4\nI5,5\nI6,6\nI7,7\nI8,8\n"),
    );
    let reports = saturation_json(dir.path(), &[]);
    let report = &reports[0];
    assert_eq!(report["interviews"], 7);
    assert_eq!(report["left_out"], serde_json::json!(["I5"]));
    let steps: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["transcript"].as_str().unwrap())
        .collect();
    assert_eq!(steps, vec!["I1", "I2", "I3", "I4", "I6", "I7", "I8"]);
    assert_eq!(report["status"], "not_reached");
    assert!(report["saturation"].is_null());
    assert_eq!(
        report["sentence"],
        "Saturation not reached in 7 interviews (base 4, run 2, ≤5% new information): every run \
         of 2 interviews after the base added more than 5% new codes; the lowest was 10.0% \
         (interviews 5–6). Interviews ordered by the 'order' attribute; left out, not yet coded: I5."
    );
    // The same for r1 alone.
    let r1 = saturation_json(dir.path(), &["--coders", "r1"]);
    assert_eq!(r1[0]["left_out"], serde_json::json!(["I5"]));
}

#[test]
fn a_later_interview_adding_codes_revokes_saturation() {
    // Ordered by date (not by id): base LW2, LW1, LW4, LW3 (20 codes); LW6, LW5 add nothing
    // → saturation after LW3 (4+2); LW8 adds nothing; LW7 adds 3 codes (run 7–8: 15%).
    let dir = study(
        &[
            ("LW1", Some(BASE[1])),
            ("LW2", Some(BASE[0])),
            ("LW3", Some(BASE[3])),
            ("LW4", Some(BASE[2])),
            ("LW5", Some(&["c02"])),
            ("LW6", Some(&["c01"])),
            ("LW7", Some(&["c21", "c22", "c23", "c05"])),
            ("LW8", Some(&["c03"])),
        ],
        Some(
            "transcript,date,role\nLW1,2024-01-20,staff\nLW2,2024-01-10,staff\n\
             LW3,2024-02-15,staff\nLW4,2024-02-01,staff\nLW5,2024-03-10,staff\n\
             LW6,2024-03-01,staff\nLW7,2024-04-20,staff\nLW8,2024-04-01,staff\n",
        ),
    );
    let reports = saturation_json(dir.path(), &[]);
    let report = &reports[0];
    assert_eq!(report["status"], "revoked");
    assert!(report["saturation"].is_null(), "no saturation point stands");
    let revoked = &report["revoked"][0];
    assert_eq!(revoked["point"]["interview"], 4);
    assert_eq!(revoked["point"]["transcript"], "LW3");
    assert_eq!(revoked["by"]["first"], 7);
    assert_eq!(revoked["by"]["last"], 8);
    assert_eq!(revoked["later"][0]["transcript"], "LW7");
    assert_eq!(
        report["sentence"],
        "Saturation was reached after LW3 (interview 4 of 8, 4+2: interviews 5–6 added 0 new \
         codes, 0.0% of the 20 codes in the base), but LW7 later added 3 new codes \
         (interviews 7–8: 15.0%, above 5%): not saturated (base 4, run 2, ≤5% new information). \
         Interviews ordered by the 'date' attribute."
    );
    // Split by role: the group's sentence says the same.
    let by_role = saturation_json(dir.path(), &["--by", "role"]);
    assert_eq!(by_role[0]["group"], "staff");
    assert!(by_role[0]["sentence"]
        .as_str()
        .unwrap()
        .starts_with("staff: saturation was reached after LW3"));
}

#[test]
fn without_an_order_or_date_attribute_the_fallback_to_transcript_id_is_stated() {
    let codes: [&[&str]; 7] = [
        &["c01"],
        BASE[1],
        BASE[2],
        BASE[3],
        &["c01"],
        &["c02"],
        &["c03"],
    ];
    let ids = ["T1", "T2", "T3", "T4", "T5", "T6", "T7"];
    let interviews: Vec<(&str, Option<&[&str]>)> =
        ids.iter().zip(codes).map(|(t, c)| (*t, Some(c))).collect();
    let dir = study(
        &interviews,
        Some("transcript,role,sequence\nT1,a,7\nT2,a,6\nT3,a,5\nT4,a,4\nT5,a,3\nT6,a,2\nT7,a,\n"),
    );
    let reports = saturation_json(dir.path(), &[]);
    let report = &reports[0];
    assert_eq!(report["order"]["attribute"], serde_json::Value::Null);
    assert_eq!(report["order"]["kind"], "transcript_id");
    assert_eq!(report["steps"][0]["transcript"], "T1");
    assert!(
        report["sentence"].as_str().unwrap().ends_with(
            " Interviews ordered by transcript id, since no order or date attribute was found."
        ),
        "{}",
        report["sentence"]
    );
    // A named order attribute that one interview lacks: it comes last, and the sentence says so.
    let reports = saturation_json(dir.path(), &["--order", "sequence"]);
    assert_eq!(reports[0]["steps"][0]["transcript"], "T6");
    assert_eq!(reports[0]["steps"][6]["transcript"], "T7");
    assert!(
        reports[0]["sentence"].as_str().unwrap().ends_with(
            " Interviews ordered by the 'sequence' attribute (T7 has no value and comes last)."
        ),
        "{}",
        reports[0]["sentence"]
    );
    // Text output: one code is "1 code".
    let out = Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(dir.path())
        .env_remove("THEMA_CODER")
        .arg("saturation")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or_default();
    assert!(first.starts_with("    1. T1"), "{text}");
    assert!(first.contains(" 1 code  + c01"), "{text}");
}
