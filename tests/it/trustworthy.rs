//! Results a paper can trust: quotes matched as a reader compares them, segments that survive
//! small edits inside long quotes, and agreement that says what it could not count.

use crate::common;

use assert_cmd::Command;
use thema::report::agreement::{compute, AgreeRequest, Unit};
use thema::study::coding::Span;
use thema::study::files::transcript_path;
use thema::study::Study;

fn thema(root: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("thema").unwrap();
    cmd.arg("-C").arg(root).env("THEMA_CODER", "r9");
    cmd
}

#[test]
fn a_quote_typed_with_straight_marks_finds_the_typographic_text() {
    let dir = common::demo_copy();
    let root = dir.path();
    // the transcript has "it’s walking alongside" and "what’s stopping them"
    let out = thema(root)
        .args([
            "--json",
            "code",
            "LW7-y1",
            "--quote",
            "it's walking  alongside. I find out what matters to someone",
            "The link-worker role/Connecting people",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let segment: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        segment["quote"],
        "it’s walking alongside. I find out what matters to someone"
    );
    // a quote that occurs twice is refused with the count
    thema(root)
        .args([
            "code",
            "LW7-y1",
            "--quote",
            "it's",
            "The link-worker role/Connecting people",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("occurs"))
        .stderr(predicates::str::contains("hint: quote more words"));
}

#[test]
fn a_small_edit_near_the_start_of_a_long_coded_turn_keeps_its_segment() {
    let dir = common::demo_copy();
    let root = dir.path();
    let mut study = Study::open(root).unwrap();
    let code = study
        .resolve_code("The link-worker role/Connecting people", None)
        .unwrap()
        .id
        .clone();
    let t = study.transcript("LW7-y1").unwrap();
    let long = t
        .numbered_turns()
        .find(|turn| t.body(turn).starts_with("What I do is more"))
        .unwrap()
        .number;
    let segment = study
        .apply_code("r9", "LW7-y1", &Span::Turn(long), &code)
        .unwrap();
    drop(study);
    // the transcriber corrects the turn's first words and a word in its middle
    let path = transcript_path(root, "LW7-y1");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text
        .replacen(
            "LW7: What I do is more…",
            "LW7: What I actually do is more…",
            1,
        )
        .replacen("had a bad experience", "once had a bad experience", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, &edited).unwrap();
    let study = Study::open(root).unwrap();
    let moved = study
        .layer("r9")
        .unwrap()
        .iter()
        .find(|s| s.id == segment.id)
        .unwrap()
        .clone();
    assert!(!moved.is_unanchored(), "{moved:?}");
    let t = study.transcript("LW7-y1").unwrap();
    let now = t.slice(moved.start, moved.end);
    assert!(now.starts_with("What I actually do"), "{now}");
    assert!(
        now.ends_with("signpost your way past any of that."),
        "{now}"
    );
    assert!(study
        .notices()
        .iter()
        .any(|n| n.message.contains(&segment.id) && n.message.contains("re-anchored")));
}

#[test]
fn agreement_counts_the_segments_it_could_not_place() {
    let dir = common::demo_copy();
    let root = dir.path();
    let study = Study::open(root).unwrap();
    let request = AgreeRequest {
        coders: vec!["r1".into(), "r2".into()],
        codes: thema::report::agreement::all_codes(&study),
        exact: false,
        unit: Unit::Turn,
        overlap: 0.9,
        by_transcript: false,
        bootstrap: Default::default(),
    };
    assert_eq!(compute(&study, &request).unwrap().unplaced, 0);
    // rewrite a coded turn completely: its segments cannot be placed any more
    let r1 = study.layer("r1").unwrap().to_vec();
    let victim = r1.iter().find(|s| s.transcript == "LW5-y1").unwrap();
    drop(study);
    let path = transcript_path(root, "LW5-y1");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replace(
        &victim.quote,
        "[passage removed at the participant's request]",
    );
    std::fs::write(&path, edited).unwrap();
    let study = Study::open(root).unwrap();
    let report = compute(&study, &request).unwrap();
    assert!(report.unplaced >= 1, "{}", report.unplaced);
    thema(root)
        .args([
            "agree",
            "--coders",
            "r1,r2",
            "--unit",
            "turn",
            "--bootstrap",
            "0",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "could not be placed in their transcript after it changed and are not counted",
        ));
}

/// A small study for the consensus view: T1 coded by r1 and r2 (one passage alike, one with
/// different boundaries, one only r1 coded), T2 coded by r1 alone, T3 by r1 and r3.
fn consensus_study() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    thema(root)
        .args(["init", root.to_str().unwrap()])
        .assert()
        .success();
    let turns = [
        "Interviewer: How did the buses affect your work?",
        "P: The buses stopped after six, so nobody from the villages could come to the evening group.",
        "Interviewer: And the group itself?",
        "P: The group gave people somewhere to be on a Tuesday, and the volunteers made it.",
        "Interviewer: Anything else?",
        "P: Funding ran out in March and we lost the hall.",
    ];
    for id in ["T1", "T2", "T3"] {
        let path = root.join(format!("{id}.txt"));
        std::fs::write(&path, turns.join("\n\n") + "\n").unwrap();
        thema(root)
            .args(["import", "--id", id, path.to_str().unwrap()])
            .assert()
            .success();
    }
    for code in ["Access/Transport", "Access/Funding", "Groups"] {
        thema(root)
            .args(["codebook", "add", code])
            .assert()
            .success();
    }
    let code = |coder: &str, transcript: &str, quote: &str, code: &str| {
        thema(root)
            .args(["--coder", coder, "code", transcript, "--quote", quote, code])
            .assert()
            .success();
    };
    // T1: Transport alike; Groups with different boundaries; Funding only r1
    for coder in ["r1", "r2"] {
        code(
            coder,
            "T1",
            "The buses stopped after six",
            "Access/Transport",
        );
    }
    code(
        "r1",
        "T1",
        "The group gave people somewhere to be on a Tuesday",
        "Groups",
    );
    code(
        "r2",
        "T1",
        "The group gave people somewhere to be on a Tuesday, and the volunteers made it.",
        "Groups",
    );
    code("r1", "T1", "Funding ran out in March", "Access/Funding");
    // T2: r1 alone
    code("r1", "T2", "Funding ran out in March", "Access/Funding");
    code(
        "r1",
        "T2",
        "The buses stopped after six",
        "Access/Transport",
    );
    // T3: r1 and r3, never compared with r2
    code("r1", "T3", "Funding ran out in March", "Access/Funding");
    code("r3", "T3", "Funding ran out in March", "Access/Funding");
    dir
}

fn json_of(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

/// Segments per code path in a theme report (codes' own counts include sub-codes).
fn theme_counts(report: &serde_json::Value) -> Vec<(String, u64)> {
    report["codebooks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["codes"].as_array().unwrap().clone())
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["segments"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_consensus_holds_agreed_passages_resolutions_and_single_coded_transcripts() {
    let dir = consensus_study();
    let root = dir.path();
    // before any meeting the default counts every coder pooled
    let pooled = json_of(thema(root).args(["export", "themes", "--format", "json"]));
    assert_eq!(pooled["layer"], "all coders pooled");
    assert_eq!(pooled["segments"], 9);
    // the consensus view: T1's agreed Transport, T2 as r1 coded it; not T1's open
    // disagreements, not T3 (r1 and r3 were never compared with r2)
    let view = json_of(thema(root).args([
        "export",
        "themes",
        "--format",
        "json",
        "--coders",
        "consensus",
    ]));
    assert_eq!(view["layer"], "consensus");
    assert_eq!(view["segments"], 3);
    let coverage = &view["coverage"];
    assert_eq!(coverage["coders"], serde_json::json!(["r1", "r2"]));
    assert_eq!(coverage["compared"], 1);
    assert_eq!(coverage["agreed"], 1);
    assert_eq!(coverage["disagreements"], 2);
    assert_eq!(coverage["settled"], 0);
    assert_eq!(coverage["open"].as_array().unwrap().len(), 2);
    assert_eq!(coverage["single_coded"], 1);
    assert_eq!(coverage["not_compared"], serde_json::json!(["T3"]));
    let md = thema(root)
        .args(["export", "themes", "--coders", "consensus"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let md = String::from_utf8(md).unwrap();
    assert!(
        md.contains("Consensus of r1 and r2: 0 of 1 transcript coded by both settled (1 passage agreed, 0 of 2 disagreements resolved; 2 still open in 1 transcript not counted"),
        "{md}"
    );
    assert!(md.contains("1 transcript coded by one coder only, counted as coded"));
    assert!(md.contains("1 transcript coded by other coders, not counted (T3)"));

    // the meeting resolves the Groups disagreement (r2's wider span) and drops Funding
    let study = Study::open(root).unwrap();
    let list = thema::study::consensus::disagreements(&study, "r1", "r2", None).unwrap();
    drop(study);
    for d in &list {
        let take = if d.a.is_empty() {
            "b"
        } else if d.b.is_empty() {
            "none"
        } else {
            "b"
        };
        thema(root)
            .args([
                "consensus",
                "resolve",
                &d.id,
                "--take",
                take,
                "--coders",
                "r1,r2",
            ])
            .assert()
            .success();
    }
    // now the default is the consensus, and every report counts the same segments
    let view = json_of(thema(root).args(["export", "themes", "--format", "json"]));
    assert_eq!(view["layer"], "consensus");
    assert_eq!(view["coverage"]["settled"], 2);
    assert_eq!(view["coverage"]["open"], serde_json::json!([]));
    let counts = theme_counts(&view);
    assert_eq!(
        counts,
        [
            ("Access".to_string(), 3),
            ("Access/Funding".to_string(), 1),
            ("Access/Transport".to_string(), 2),
            ("Groups".to_string(), 1),
        ]
    );
    let segments = json_of(thema(root).args(["--json", "segments"]));
    let exported = json_of(thema(root).args(["export", "segments", "--format", "json"]));
    let codebook = json_of(thema(root).args(["export", "codebook", "--format", "json"]));
    assert_eq!(segments.as_array().unwrap().len(), 4);
    assert_eq!(exported.as_array().unwrap().len(), 4);
    let own: u64 = codebook
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["segments"].as_u64().unwrap())
        .sum();
    assert_eq!(own, 4);
    let groups: Vec<&serde_json::Value> = segments
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["path"] == "Groups")
        .collect();
    assert_eq!(
        groups[0]["quote"],
        "The group gave people somewhere to be on a Tuesday, and the volunteers made it."
    );
    assert!(segments
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["coder"] == "consensus"));
    // a coder's own layer is still one --coders away
    let r1 = json_of(thema(root).args(["--json", "segments", "--coders", "r1"]));
    assert_eq!(r1.as_array().unwrap().len(), 6);
    // and the consensus is a coder agreement can compare with
    let agree = json_of(thema(root).args([
        "--json",
        "agree",
        "--coders",
        "r2,consensus",
        "--unit",
        "segment",
        "--bootstrap",
        "0",
    ]));
    assert!(agree["overall"]["percent_agreement"].as_f64().unwrap() > 0.99);
}
