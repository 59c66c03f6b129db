//! Results a paper can trust: quotes matched as a reader compares them, segments that survive
//! small edits inside long quotes, and agreement that says what it could not count.

mod common;

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
        .stderr(predicates::str::contains("times; quote more words"));
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
