//! Coding rounds and the reliability export on real files: `thema round start|list`, rounds
//! inferred from segment times and the codebook history, `thema agree --by-round` and
//! `thema export reliability` on the bundled demo study (the repository root).

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;
use thema::study::Study;

fn thema(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("thema").unwrap();
    cmd.arg("-C").arg(root).env_remove("THEMA_CODER");
    cmd
}

fn demo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Two transcripts coded by two coders on 10 May 2024, two more on 20 June, and a codebook
/// change on 13 June in between; all segment times written by hand.
fn timed_study() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "rounds").unwrap();
    for t in ["A", "B", "C", "D"] {
        fs::write(
            root.join(format!("transcripts/{t}.txt")),
            "P: the bus only comes twice a day.\n\nP: my neighbour drives me.\n",
        )
        .unwrap();
    }
    fs::write(
        root.join("codebooks/cb.json"),
        r#"{"name": "cb", "codes": [{"id": "c1", "name": "Transport", "parent": null}]}"#,
    )
    .unwrap();
    fs::write(
        root.join("codebooks/cb.log.jsonl"),
        concat!(
            r#"{"at": "2024-05-01T09:00:00Z", "coder": "a", "op": "add", "id": "c1", "name": "Transport", "parent": null}"#,
            "\n",
            r#"{"at": "2024-06-13T15:00:00+01:00", "coder": "a", "op": "describe", "code": "c1", "description": "Getting about", "why": "meeting"}"#,
            "\n"
        ),
    )
    .unwrap();
    for (coder, turn2) in [("a", true), ("b", false)] {
        let mut lines = String::new();
        for (t, at) in [
            ("A", "2024-05-10T10:00:00Z"),
            ("B", "2024-05-10T11:00:00Z"),
            ("C", "2024-06-20T10:00:00Z"),
            ("D", "2024-06-20T11:00:00Z"),
        ] {
            lines.push_str(&format!(
                "{{\"id\":\"{coder}-{t}1\",\"transcript\":\"{t}\",\"start\":3,\"end\":34,\"code\":\"c1\",\"quote\":\"the bus only comes twice a day.\",\"at\":\"{at}\"}}\n"
            ));
            if turn2 || t > "B" {
                lines.push_str(&format!(
                    "{{\"id\":\"{coder}-{t}2\",\"transcript\":\"{t}\",\"start\":39,\"end\":62,\"code\":\"c1\",\"quote\":\"my neighbour drives me.\",\"at\":\"{at}\"}}\n"
                ));
            }
        }
        fs::write(root.join(format!("codings/{coder}.jsonl")), lines).unwrap();
    }
    dir
}

#[test]
fn rounds_are_started_listed_and_refused_when_wrong() {
    let dir = timed_study();
    let root = dir.path();
    thema(root)
        .args([
            "--coder",
            "a",
            "round",
            "start",
            "round-1",
            "--transcripts",
            "A,B",
        ])
        .args(["--at", "2024-05-02T09:00:00Z", "--note", "pilot"])
        .assert()
        .success()
        .stdout(contains("started round-1 with 2 transcript(s)"));
    let saved: Value =
        serde_json::from_str(&fs::read_to_string(root.join("rounds/round-1.json")).unwrap())
            .unwrap();
    assert_eq!(saved["transcripts"], serde_json::json!(["A", "B"]));
    assert_eq!(saved["by"], "a");
    thema(root)
        .args([
            "--coder",
            "a",
            "round",
            "start",
            "round-1",
            "--transcripts",
            "C",
        ])
        .assert()
        .failure()
        .stderr(contains("already exists"));
    thema(root)
        .args([
            "--coder",
            "a",
            "round",
            "start",
            "round-2",
            "--transcripts",
            "Z",
        ])
        .assert()
        .failure()
        .stderr(contains("no transcript 'Z'"));
    thema(root)
        .args([
            "--coder",
            "a",
            "round",
            "start",
            "bad name",
            "--transcripts",
            "C",
        ])
        .assert()
        .failure()
        .stderr(contains("cannot be a round name"));
    thema(root)
        .args(["round", "list"])
        .assert()
        .success()
        .stdout(contains(
            "round-1  started 2024-05-02T09:00:00Z  2 transcript(s): A, B  (pilot)",
        ));
    fs::write(
        root.join("rounds/broken.json"),
        "{\"name\": \"x\",\n  oops}",
    )
    .unwrap();
    thema(root)
        .args(["round", "list"])
        .assert()
        .failure()
        .stderr(contains("broken.json:2"));
}

#[test]
fn rounds_are_inferred_from_the_codebook_history() {
    let dir = timed_study();
    let report = json(thema(dir.path()).args([
        "--json",
        "agree",
        "--by-round",
        "--rounds",
        "auto",
        "--unit",
        "turn",
        "--bootstrap",
        "0",
    ]));
    assert_eq!(report["source"], "auto");
    let rounds = report["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 2);
    assert_eq!(rounds[0]["transcripts"], serde_json::json!(["A", "B"]));
    assert_eq!(rounds[1]["transcripts"], serde_json::json!(["C", "D"]));
    assert_eq!(rounds[0]["changes_before"], serde_json::json!([]));
    assert_eq!(rounds[1]["changes_before"][0]["op"], "describe");
    // a and b disagree on the second turn of A and B only
    assert_eq!(rounds[0]["overall"]["percent_agreement"], 0.5);
    assert_eq!(rounds[1]["overall"]["percent_agreement"], 1.0);
    // without saved rounds, --by-round says how to make them
    thema(dir.path())
        .args(["agree", "--by-round"])
        .assert()
        .failure()
        .stderr(contains("thema round start"));
}

#[test]
fn the_demo_shows_agreement_rising_across_its_two_rounds() {
    let report = json(thema(demo()).args([
        "--json",
        "agree",
        "--by-round",
        "--unit",
        "turn",
        "--bootstrap",
        "300",
    ]));
    let rounds = report["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 2);
    let alpha = |r: &Value| r["overall"]["krippendorff_alpha"].as_f64().unwrap();
    assert!(alpha(&rounds[1]) > alpha(&rounds[0]) + 0.02, "{report}");
    let changes = rounds[1]["changes_before"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["op"] == "rename"
        && c["path"] == "Challenges to service delivery/Workload and caseload"));
    assert!(rounds[1]["overall"]["alpha_bootstrap"]["ci"].is_array());
    assert_eq!(rounds[0]["overall"]["n"]["transcripts"], 4);
    thema(demo())
        .args([
            "agree",
            "--by-round",
            "--unit",
            "turn",
            "--bootstrap",
            "100",
        ])
        .assert()
        .success()
        .stdout(contains("round-2  2024-06-14  9"))
        .stdout(contains("Before round-2: 29 codebook change(s)"));
}

#[test]
fn the_demo_exports_a_reliability_section_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("reliability.html");
    thema(demo())
        .args([
            "export",
            "reliability",
            "--format",
            "html",
            "--bootstrap",
            "200",
            "-o",
        ])
        .arg(&html)
        .assert()
        .success();
    let page = fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("round-2"));
    assert!(
        !page.contains("src=\"http") && !page.contains("href=\"http"),
        "no external assets"
    );
    thema(demo())
        .args(["export", "reliability", "--format", "md", "--bootstrap", "200"])
        .assert()
        .success()
        .stdout(contains("Of the 13 transcripts in the study, 13 (100%) were coded independently by 3 coders (r1, r2, r3) in 2 rounds."))
        .stdout(contains("Hayes, A. F., & Krippendorff, K. (2007)"))
        .stdout(contains("| round-1 | 2024-05-03 | 4 |"));
    let section = json(thema(demo()).args([
        "export",
        "reliability",
        "--format",
        "json",
        "--bootstrap",
        "200",
        "--alpha-min",
        "0.667",
    ]));
    assert_eq!(section["double_coded"], 13);
    assert_eq!(section["unit"], "turn");
    assert_eq!(section["alpha_min"], 0.667);
    let codes = section["codes"].as_array().unwrap();
    assert!(codes.iter().any(|c| c["below_minimum"] == true));
    assert!(codes
        .iter()
        .any(|c| c["consensus_segments"].as_u64().unwrap() > 0));
    thema(demo())
        .args(["export", "reliability", "--format", "csv"])
        .assert()
        .failure()
        .stderr(contains("md, html or json"));
}
