//! A team meeting on the demo study: walk every disagreement of one code between r1 and r2,
//! resolve each way, and check the consensus layer, the resolution log and agreement against it.

use crate::common;

use assert_cmd::Command;
use predicates::str::contains;
use thema::study::consensus::{disagreements, resolutions, Take};
use thema::study::Study;

#[test]
fn a_meeting_resolves_every_disagreement_of_one_code() {
    let dir = common::demo_copy();
    let root = dir.path();
    let code_path = "Sustaining volunteering/Feeling valued";
    let mut study = Study::open(root).unwrap();
    let codes = study.code_selection(code_path, false).unwrap();
    let list = disagreements(&study, "r1", "r2", Some(&codes)).unwrap();
    assert!(
        list.len() >= 4,
        "the demo has disagreements on {code_path}: {}",
        list.len()
    );
    let ways = [Take::A, Take::B, Take::Both, Take::None];
    let before = study.layer("consensus").unwrap().len();
    // the demo's meetings logged resolutions already
    let logged = resolutions(&study).unwrap().len();
    for (i, d) in list.iter().enumerate() {
        let take = ways[i % ways.len()];
        let r = study
            .resolve("r3", d, ("r1", "r2"), take, None, Some("agreed in meeting"))
            .unwrap();
        let expected = match take {
            Take::A => d.a.clone(),
            Take::B => d.b.clone(),
            Take::None => Vec::new(),
            _ => r.spans.clone(),
        };
        assert_eq!(r.spans, expected);
        // the consensus layer now holds exactly the chosen spans of that code in that extent
        let reopened = Study::open(root).unwrap();
        let spans: Vec<(usize, usize)> = reopened
            .layer("consensus")
            .unwrap()
            .iter()
            .filter(|s| {
                s.transcript == d.transcript
                    && s.code == d.code
                    && s.start < d.end.max(r.spans.iter().map(|x| x.1).max().unwrap_or(0))
                    && d.start < s.end
            })
            .map(|s| (s.start, s.end))
            .collect();
        assert_eq!(spans, r.spans, "consensus spans after taking {take:?}");
        for (s, e) in &r.spans {
            let seg = reopened
                .layer("consensus")
                .unwrap()
                .iter()
                .find(|x| x.start == *s && x.end == *e && x.code == d.code)
                .unwrap();
            assert_eq!(
                seg.quote,
                reopened.transcript(&d.transcript).unwrap().slice(*s, *e)
            );
            assert_eq!(seg.extra["resolved_by"], "r3");
        }
    }
    // every resolution is logged, and the disagreements now show as resolved
    let log = resolutions(&study).unwrap();
    assert_eq!(log.len(), logged + list.len());
    assert!(log[logged..]
        .iter()
        .all(|r| r.by == "r3" && r.why.as_deref() == Some("agreed in meeting")));
    let after = disagreements(&study, "r1", "r2", Some(&codes)).unwrap();
    assert!(after.iter().all(|d| d.resolution.is_some()));
    assert!(study.layer("consensus").unwrap().len() != before || list.is_empty());

    // status from the CLI, and each coder's agreement with the consensus layer
    let mut cmd = Command::cargo_bin("thema").unwrap();
    cmd.arg("-C").arg(root).args([
        "consensus",
        "status",
        "--coders",
        "r1,r2",
        "--code",
        code_path,
    ]);
    cmd.assert()
        .success()
        .stdout(contains("0 of"))
        .stdout(contains("disagreement(s) remain"));
    for coder in ["r1", "r2", "r3"] {
        let out = Command::cargo_bin("thema")
            .unwrap()
            .arg("-C")
            .arg(root)
            .args([
                "--json",
                "agree",
                "--coders",
                &format!("{coder},consensus"),
                "--code",
                code_path,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            report["codes"][0]["cohen_kappa"].is_number()
                || report["codes"][0]["cohen_kappa"].is_null()
        );
    }
    Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(root)
        .arg("check")
        .assert()
        .success();
}

#[test]
fn resolving_from_the_cli_logs_the_decision() {
    let dir = common::demo_copy();
    let root = dir.path();
    let study = Study::open(root).unwrap();
    let list = disagreements(&study, "r1", "r2", None).unwrap();
    let id = &list[0].id;
    Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(root)
        .args([
            "--coder",
            "r1",
            "consensus",
            "resolve",
            id,
            "--take",
            "both",
            "--why",
            "both readings hold",
            "--coders",
            "r1,r2",
        ])
        .assert()
        .success()
        .stdout(contains(format!("resolved {id}: took both")));
    Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(root)
        .args([
            "consensus",
            "resolve",
            "d-nothere",
            "--take",
            "a",
            "--coder",
            "r1",
        ])
        .assert()
        .failure()
        .stderr(contains("no disagreement 'd-nothere'"));
    let log = std::fs::read_to_string(root.join("codings/consensus.log.jsonl")).unwrap();
    assert!(log.contains("both readings hold"));
    Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(root)
        .args(["export", "agreement", "--format", "md"])
        .assert()
        .success()
        .stdout(contains("## Resolved in team meetings (40)"))
        .stdout(contains("took both codings; resolved by r1"));
    let reopened = Study::open(root).unwrap();
    assert!(
        !reopened.coders().contains(&"consensus.log"),
        "the log is not a coder"
    );
}
