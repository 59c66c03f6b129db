//! Analytic standard errors and 95 % intervals equal irrCAC's (Gwet's package) to 1e-5 on every
//! data set of `tests/fixtures/agreement/`, through the library, through `thema agree --matrix`
//! and through a coded study on turn units. The references were computed once by
//! `scripts/agreement-references.py`; these tests need no Python.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use thema::agreement::{agreement, parse_matrix, Options};
use thema::study::coding::Span;
use thema::study::Study;

const TOLERANCE: f64 = 1e-5;

const COEFFICIENTS: [&str; 6] = [
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "brennan_prediger",
    "gwet_ac1",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agreement")
}

fn references() -> serde_json::Map<String, Value> {
    let text = fs::read_to_string(fixtures().join("references.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["datasets"].as_object().unwrap().clone()
}

fn close(what: &str, ours: &Value, expected: f64) {
    let v = ours
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: missing ({ours})"));
    assert!(
        (v - expected).abs() <= TOLERANCE,
        "{what}: ours {v}, irrCAC {expected}"
    );
}

/// Compares one comparison's JSON (`value` keys, `se`, `ci`) with a data set's references.
/// irrCAC clips only the upper bound; ours also clips the lower one to the coefficient's range.
fn compare(name: &str, ours: &Value, reference: &Value) {
    let mut checked = 0;
    for key in COEFFICIENTS {
        let Some(r) = reference.get(key) else {
            continue;
        };
        let what = format!("{name} {key}");
        close(
            &format!("{what} value"),
            &ours[key],
            r["value"].as_f64().unwrap(),
        );
        close(
            &format!("{what} se"),
            &ours["se"][key],
            r["se"].as_f64().unwrap(),
        );
        let floor = if key == "percent_agreement" {
            0.0
        } else {
            -1.0
        };
        let lower = r["ci"][0].as_f64().unwrap().max(floor);
        close(&format!("{what} ci lower"), &ours["ci"][key][0], lower);
        close(
            &format!("{what} ci upper"),
            &ours["ci"][key][1],
            r["ci"][1].as_f64().unwrap(),
        );
        checked += 1;
    }
    assert!(checked >= 4, "{name}: only {checked} coefficients compared");
}

#[test]
fn the_library_matches_irrcac_on_every_data_set() {
    let refs = references();
    assert!(refs.len() >= 10, "at least ten data sets");
    for (name, reference) in &refs {
        let text = fs::read_to_string(fixtures().join(format!("{name}.csv"))).unwrap();
        let data = parse_matrix(&text).unwrap();
        let result = serde_json::to_value(agreement(&data, &Options::default())).unwrap();
        compare(name, &result, reference);
    }
}

#[test]
fn agree_matrix_prints_the_same_intervals() {
    for (name, reference) in &references() {
        let out = Command::cargo_bin("thema")
            .unwrap()
            .args(["--json", "agree", "--bootstrap", "200", "--matrix"])
            .arg(fixtures().join(format!("{name}.csv")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let result: Value = serde_json::from_slice(&out.stdout).unwrap();
        compare(name, &result, reference);
        assert!(result["n"]["pairable_units"].as_u64().unwrap() > 0);
        assert_eq!(result["alpha_bootstrap"]["samples"], 200);
    }
}

/// A study whose one transcript has one turn per unit of `presence-3coders-150`, each coder
/// applying the code to the turns the data set has them code: `thema agree --unit turn` then
/// gives irrCAC's figures for that code.
#[test]
fn a_coded_study_on_turn_units_matches_irrcac() {
    let name = "presence-3coders-150";
    let text = fs::read_to_string(fixtures().join(format!("{name}.csv"))).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).map(str::to_string).collect())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "inference").unwrap();
    let body: String = (1..=rows.len())
        .map(|i| format!("P: turn number {i} of the interview.\n\n"))
        .collect();
    fs::write(root.join("transcripts/T1.txt"), body).unwrap();
    let mut study = Study::open(root).unwrap();
    let code = study
        .add_code("c1", None, "Theme", &Default::default(), None)
        .unwrap();
    for coder in 0..3 {
        for (turn, row) in rows.iter().enumerate() {
            if row[coder] == "coded" {
                study
                    .apply_code(
                        &format!("c{}", coder + 1),
                        "T1",
                        &Span::Turn(turn + 1),
                        &code,
                    )
                    .unwrap();
            }
        }
    }
    let out = Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(root)
        .args(["--json", "agree", "--unit", "turn", "--bootstrap", "0"])
        .env_remove("THEMA_CODER")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let code = &report["codes"][0];
    compare(name, code, &references()[name]);
    assert_eq!(code["n"]["units"], 150);
    assert_eq!(code["n"]["pairable_values"], 450);
    assert_eq!(code["n"]["transcripts"], 1);
    assert!(
        code.get("alpha_bootstrap").is_none(),
        "--bootstrap 0 draws none"
    );
}
