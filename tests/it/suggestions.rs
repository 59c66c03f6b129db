//! "Did you mean": a misspelt transcript id or code path names the closest ones, in the CLI (on a
//! copy of the demo study) and in the study errors the TUI shows.

use crate::common;

use std::path::Path;

use assert_cmd::Command;
use thema::study::{Study, StudyError};

fn thema(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("thema").unwrap();
    cmd.arg("-C").arg(root).env("THEMA_CODER", "r9");
    cmd
}

fn stderr_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a name that names nothing is a usage error"
    );
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn a_misspelt_transcript_suggests_the_closest_ids() {
    let dir = common::demo_copy();
    let err = stderr_of(thema(dir.path()).args([
        "code",
        "LW7-y11",
        "--turn",
        "3",
        "Challenges to service delivery/Transport",
    ]));
    assert!(
        err.contains(
            "no transcript 'LW7-y11'; did you mean 'LW7-y1', 'LW7-y2' or 'LW2-y1'? (`thema transcripts` lists them)"
        ),
        "{err}"
    );
    // nothing was written for the misspelt transcript
    assert!(!dir.path().join("codings/r9.jsonl").exists());
    // by file path too, and with other commands that take a transcript
    let err = stderr_of(thema(dir.path()).args(["play", "transcripts/V4.tx", "--turn", "1"]));
    assert!(err.contains("did you mean 'V4'"), "{err}");
    let err = stderr_of(thema(dir.path()).args(["segments", "--transcript", "lw9-y3"]));
    assert!(err.contains("did you mean 'LW9-y1', 'LW9-y2'"), "{err}");
}

#[test]
fn a_misspelt_code_suggests_the_closest_paths() {
    let root = common::demo_root();
    let err = stderr_of(thema(&root).args(["segments", "--code", "Transprot"]));
    assert!(
        err.contains(
            "no code 'Transprot'; did you mean 'Challenges to service delivery/Transport' or 'Practical help/Transport'?"
        ),
        "{err}"
    );
    // a path with a slip in its last part, and a name that only starts a code's name
    let err = stderr_of(thema(&root).args([
        "segments",
        "--code",
        "Challenges to service delivery/Transprt",
    ]));
    assert!(
        err.contains(
            "did you mean 'Challenges to service delivery/Transport' or 'Practical help/Transport'?"
        ),
        "{err}"
    );
    let err = stderr_of(thema(&root).args(["segments", "--code", "Funding"]));
    assert!(
        err.contains("did you mean 'Challenges to service delivery/Funding and commissioning'?"),
        "{err}"
    );
    // nothing close: the message says so without a guess
    let err = stderr_of(thema(&root).args(["segments", "--code", "Zebra crossings"]));
    assert!(
        err.contains("no code 'Zebra crossings' (give a path"),
        "{err}"
    );
}

#[test]
fn the_study_errors_carry_the_suggestions() {
    // the TUI shows these errors as they are
    let study = Study::open(&common::demo_root()).unwrap();
    match study.transcript("V5") {
        Err(StudyError::NoTranscript { id, suggestions }) => {
            assert_eq!(id, "V5");
            assert_eq!(suggestions, ["V1", "V3", "V4"]);
        }
        other => panic!("expected NoTranscript, got {other:?}"),
    }
    match study.resolve_code("Burnot", Some("volunteers")) {
        Err(StudyError::NoCode { suggestions, .. }) => {
            assert_eq!(suggestions, ["Sustaining volunteering/Burnout"]);
        }
        other => panic!("expected NoCode, got {other:?}"),
    }
}
