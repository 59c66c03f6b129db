//! The bundled demo study as a new user meets it: it is clean, lists its transcripts, and every
//! analysis command gives a result on it.

use crate::common;

use assert_cmd::Command;
use predicates::str::contains;

fn thema() -> Command {
    common::thema(&common::demo_root())
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = thema().arg("--json").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_demo_is_clean_and_lists_thirteen_transcripts() {
    thema()
        .arg("check")
        .assert()
        .success()
        .stdout(contains("study is clean"));
    let list = json(&["transcripts"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 13);
    let lw7 = list.iter().find(|t| t["id"] == "LW7-y1").unwrap();
    assert_eq!(lw7["participant"], "LW7");
    assert_eq!(lw7["attributes"]["wave"], "first year");
    assert_eq!(lw7["attributes"]["role"], "link worker");
    assert!(lw7["turns"].as_u64().unwrap() > 20);
    for t in list {
        let words = t["words"].as_u64().unwrap();
        assert!((600..=2_100).contains(&words), "{}: {words} words", t["id"]);
    }
}

#[test]
fn agreement_tables_for_the_three_coders() {
    let report = json(&["agree"]);
    assert_eq!(report["coders"], serde_json::json!(["r1", "r2", "r3"]));
    let codes = report["codes"].as_array().unwrap();
    assert!(codes.len() > 40);
    for code in codes {
        assert_eq!(code["pairs"].as_array().unwrap().len(), 3);
        for key in [
            "percent_agreement",
            "fleiss_kappa",
            "brennan_prediger",
            "gwet_ac1",
        ] {
            assert!(code.get(key).is_some(), "{key}");
        }
    }
    let alpha = report["overall"]["krippendorff_alpha"].as_f64().unwrap();
    assert!(
        (0.3..0.95).contains(&alpha),
        "realistic partial agreement: {alpha}"
    );
    thema().args(["agree", "--unit", "turn"]).assert().success();
    thema()
        .args(["agree", "--unit", "segment", "--overlap", "0.8"])
        .assert()
        .success();
    thema()
        .args(["agree", "--disagreements", "--limit", "5"])
        .assert()
        .success()
        .stdout(contains("5 disagreement(s)"));
}

#[test]
fn saturation_per_group_is_stable() {
    let first = thema()
        .args(["--json", "saturation", "--by", "role"])
        .output()
        .unwrap()
        .stdout;
    let second = thema()
        .args(["--json", "saturation", "--by", "role"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(first, second, "same input, same figures");
    let reports: serde_json::Value = serde_json::from_slice(&first).unwrap();
    let groups: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["group"].as_str().unwrap())
        .collect();
    assert_eq!(groups, vec!["link worker", "volunteer"]);
    for r in reports.as_array().unwrap() {
        assert!(!r["sentence"].as_str().unwrap().is_empty());
    }
    thema()
        .args(["saturation", "--by", "role", "--base", "3", "--run", "1"])
        .assert()
        .success()
        .stdout(contains("volunteer"));
    thema()
        .args(["saturation", "--by", "colour"])
        .assert()
        .failure()
        .stderr(contains("no attribute column 'colour'"));
}

#[test]
fn several_processes_building_the_index_at_once_all_succeed() {
    let dir = common::demo_copy();
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("thema"))
                .arg("-C")
                .arg(dir.path())
                .args(["search", "transport AND role:volunteer"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("match(es)"));
    }
}
