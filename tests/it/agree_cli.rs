//! `thema agree` on real files: a study with known overlaps and a reliability-data CSV.

use crate::common::thema;
use std::fs;

use assert_cmd::Command;
use predicates::str::contains;
use thema::study::coding::Span;
use thema::study::Study;

/// One transcript of exactly 200 characters; r1 codes [0,100), r2 codes [50,150): NVivo's table
/// is 50 both, 50 only r1, 50 only r2, 50 neither.
fn study() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "agree").unwrap();
    let body = "x".repeat(200 - "A: ".len() - 1);
    fs::write(root.join("transcripts/T1.txt"), format!("A: {body}\n")).unwrap();
    let mut study = Study::open(root).unwrap();
    let code = study
        .add_code("r1", None, "Theme/Code", &Default::default(), None)
        .unwrap();
    study
        .apply_code("r1", "T1", &Span::Range(0, 100), &code)
        .unwrap();
    study
        .apply_code("r2", "T1", &Span::Range(50, 150), &code)
        .unwrap();
    dir
}

#[test]
fn character_units_follow_nvivo_and_cohen() {
    let dir = study();
    let out = thema(dir.path())
        .args(["--json", "agree", "--code", "Theme/Code"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let code = &report["codes"][0];
    assert_eq!(code["path"], "Theme/Code");
    assert_eq!(code["units"], 200);
    assert_eq!(code["percent_agreement"], 0.5);
    assert_eq!(code["cohen_kappa"], 0.0);
    assert_eq!(code["coders"], serde_json::json!(["r1", "r2"]));
    for key in [
        "fleiss_kappa",
        "krippendorff_alpha",
        "brennan_prediger",
        "gwet_ac1",
    ] {
        assert!(code.get(key).is_some(), "{key} present");
    }
}

#[test]
fn disagreements_are_listed_largest_first_and_exported_as_an_agenda() {
    let dir = study();
    thema(dir.path())
        .args(["agree", "--disagreements"])
        .assert()
        .success()
        .stdout(contains(
            "Theme/Code  T1 turn 1  50 chars  applied: r1  not: r2",
        ))
        .stdout(contains("2 disagreement(s)"));
    thema(dir.path())
        .args(["export", "agreement", "--format", "md"])
        .assert()
        .success()
        .stdout(contains("## Agenda: 2 disagreement(s), largest first"))
        .stdout(contains("| Theme/Code | r1+r2 | 200 | 50.0% | 0.000 |"));
    let out = thema(dir.path())
        .args(["export", "agreement", "--format", "csv", "--bom"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("\u{feff}code,coders,units"));
}

#[test]
fn a_code_nobody_applied_gives_null_not_nan() {
    let dir = study();
    let mut study = Study::open(dir.path()).unwrap();
    study
        .add_code("r1", None, "Theme/Unused", &Default::default(), None)
        .unwrap();
    let out = thema(dir.path())
        .args(["--json", "agree", "--code", "Theme/Unused"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let code = &report["codes"][0];
    assert_eq!(code["percent_agreement"], 1.0);
    assert!(code["cohen_kappa"].is_null());
    assert!(code["krippendorff_alpha"].is_null());
    assert_eq!(code["gwet_ac1"], 1.0);
}

#[test]
fn matrix_data_reproduces_the_cohen_grant_example() {
    // 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = .7, κ = .4
    let mut csv = String::from("unit,A,B\n");
    let rows = [
        ("yes", "yes", 20),
        ("yes", "no", 5),
        ("no", "yes", 10),
        ("no", "no", 15),
    ];
    let mut n = 0;
    for (a, b, count) in rows {
        for _ in 0..count {
            n += 1;
            csv.push_str(&format!("{n},{a},{b}\n"));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grant.csv");
    fs::write(&path, csv).unwrap();
    let out = Command::cargo_bin("thema")
        .unwrap()
        .args(["--json", "agree", "--matrix"])
        .arg(&path)
        .output()
        .unwrap();
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!((result["percent_agreement"].as_f64().unwrap() - 0.7).abs() < 1e-12);
    assert!((result["cohen_kappa"].as_f64().unwrap() - 0.4).abs() < 1e-12);
    fs::write(&path, "A,B\nyes,no\nyes\n").unwrap();
    Command::cargo_bin("thema")
        .unwrap()
        .args(["agree", "--matrix"])
        .arg(&path)
        .assert()
        .failure()
        .stderr(contains("line 3"));
}
