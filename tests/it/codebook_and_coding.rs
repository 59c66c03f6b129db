//! Codebooks and coding through the CLI and the library: refinement keeps every segment, the
//! history replays to the current framework, bad files are reported and left untouched, coders
//! never lose each other's work.

use crate::common::thema;
use std::fs;
use std::path::Path;

use predicates::str::contains;
use thema::model::history::replay;
use thema::study::coding::Span;
use thema::study::files::load_history;
use thema::study::framework::SplitAssignment;
use thema::study::Study;

const LW7: &str = "[Interview with LW7, first year]\n\nInterviewer: How are referrals going?\n\n[00:01:10] LW7: Honestly the referrals are a mixed bag. Some people come to us in a housing crisis and we cannot fix that in twelve weeks.\n\nInterviewer: And transport?\n\nLW7: The 42 bus stops at six, so the lunch club in Ashby is out of reach for half my clients.\n";
const V3: &str = "Interviewer: Why did you volunteer?\n\nV3: After my wife died I needed somewhere to be on a Tuesday. Befriending gave me that.\n";

fn study() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    Study::init(dir.path(), "test").unwrap();
    fs::write(dir.path().join("transcripts/LW7-y1.txt"), LW7).unwrap();
    fs::write(dir.path().join("transcripts/V3.txt"), V3).unwrap();
    fs::write(
        dir.path().join("transcripts/attributes.csv"),
        "transcript,participant,role,wave\nLW7-y1,LW7,link worker,first year\nV3,V3,volunteer,first year\n",
    )
    .unwrap();
    for path in [
        "Challenges/Referrals",
        "Challenges/Transport",
        "Volunteering/Motivation",
    ] {
        thema(dir.path())
            .args(["--coder", "r1", "codebook", "add", path])
            .assert()
            .success();
    }
    dir
}

fn code(root: &Path, coder: &str, transcript: &str, quote: &str, code: &str) {
    thema(root)
        .args(["--coder", coder, "code", transcript, "--quote", quote, code])
        .assert()
        .success();
}

fn count(root: &Path, coder: &str) -> usize {
    let study = Study::open(root).unwrap();
    study.layer(coder).unwrap().len()
}

#[test]
fn coding_by_quote_turn_and_range_then_retrieval_with_descendants() {
    let dir = study();
    let root = dir.path();
    code(
        root,
        "r1",
        "LW7-y1",
        "Some people come to us in a housing crisis",
        "Challenges/Referrals",
    );
    thema(root)
        .args([
            "--coder",
            "r1",
            "code",
            "LW7-y1",
            "--turn",
            "4",
            "Challenges/Transport",
        ])
        .assert()
        .success()
        .stdout(contains("The 42 bus stops at six"));
    thema(root)
        .args([
            "--coder",
            "r2",
            "code",
            "V3",
            "39",
            "60",
            "Volunteering/Motivation",
        ])
        .assert()
        .success();
    let out = thema(root)
        .args(["--json", "segments", "--code", "Challenges"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "a theme retrieves its sub-codes' segments");
    assert_eq!(rows[0]["attribution"], "LW7, first year");
    assert_eq!(
        rows[1]["quote"],
        "The 42 bus stops at six, so the lunch club in Ashby is out of reach for half my clients."
    );
    let out = thema(root)
        .args(["--json", "segments", "--where", "role=volunteer"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["coder"], "r2");
    thema(root)
        .args(["segments", "--code", "Nope"])
        .assert()
        .failure()
        .stderr(contains("no code 'Nope'"));
    thema(root)
        .args(["segments", "--where", "colour=red"])
        .assert()
        .failure()
        .stderr(contains("no attribute column 'colour'"));
    thema(root)
        .arg("check")
        .assert()
        .success()
        .stdout(contains("study is clean"));
}

#[test]
fn refinement_keeps_every_segment_and_history_replays() {
    let dir = study();
    let root = dir.path();
    code(
        root,
        "r1",
        "LW7-y1",
        "Some people come to us in a housing crisis",
        "Challenges/Referrals",
    );
    code(
        root,
        "r2",
        "LW7-y1",
        "we cannot fix that in twelve weeks",
        "Challenges/Referrals",
    );
    code(
        root,
        "r2",
        "LW7-y1",
        "The 42 bus stops at six",
        "Challenges/Transport",
    );
    code(
        root,
        "r3",
        "V3",
        "Befriending gave me that.",
        "Volunteering/Motivation",
    );
    let total = |root: &Path| {
        ["r1", "r2", "r3"]
            .iter()
            .map(|c| count(root, c))
            .sum::<usize>()
    };
    assert_eq!(total(root), 4);

    thema(root)
        .args([
            "--coder",
            "r1",
            "codebook",
            "rename",
            "Challenges/Transport",
            "Rural transport",
            "--why",
            "meeting 2",
        ])
        .assert()
        .success();
    thema(root)
        .args([
            "--coder",
            "r1",
            "codebook",
            "move",
            "Challenges/Rural transport",
            "Volunteering",
        ])
        .assert()
        .success();
    thema(root)
        .args([
            "--coder",
            "r1",
            "codebook",
            "move",
            "Volunteering/Rural transport",
            "--top",
        ])
        .assert()
        .success();
    thema(root)
        .args([
            "--coder",
            "r1",
            "codebook",
            "split",
            "Challenges/Referrals",
            "--into",
            "Housing,Mental health",
            "--all-to",
            "Housing",
        ])
        .assert()
        .success()
        .stdout(contains("2 segment(s) reassigned"));
    thema(root)
        .args([
            "--coder",
            "r1",
            "codebook",
            "merge",
            "Rural transport",
            "Challenges",
        ])
        .assert()
        .success()
        .stdout(contains("1 segment(s) moved"));
    thema(root)
        .args([
            "--coder",
            "r1",
            "codebook",
            "delete",
            "Volunteering/Motivation",
        ])
        .assert()
        .failure()
        .stderr(contains("used by 1 segment(s) of r3"))
        .stderr(contains("hint: add --reassign CODE"));
    thema(root)
        .args([
            "--coder",
            "r1",
            "codebook",
            "delete",
            "Volunteering/Motivation",
            "--reassign",
            "Volunteering",
        ])
        .assert()
        .success();
    assert_eq!(total(root), 4, "no refinement loses a segment");

    let study = Study::open(root).unwrap();
    let r2: Vec<String> = study
        .layer("r2")
        .unwrap()
        .iter()
        .map(|s| study.code_path(&s.code))
        .collect();
    assert_eq!(r2, vec!["Challenges/Referrals/Housing", "Challenges"]);
    let loaded = &study.codebooks[0];
    let entries = load_history(root, &loaded.file).unwrap();
    let mut replayed = replay(&loaded.codebook.name, &entries, None).unwrap();
    replayed.normalise();
    assert_eq!(
        replayed, loaded.codebook,
        "replaying the log gives the current codebook"
    );
    assert!(entries
        .iter()
        .any(|e| e.why.as_deref() == Some("meeting 2")));
    thema(root).arg("check").assert().success();
    thema(root)
        .args(["codebook", "history"])
        .assert()
        .success()
        .stdout(contains(
            "rename 'Transport' → 'Rural transport' — meeting 2",
        ));
    // the codebook as it was before the split
    let first = &entries[0].at;
    thema(root)
        .args(["codebook", "history", "--at", first])
        .assert()
        .success()
        .stdout(contains("Referrals"));
}

#[test]
fn malformed_jsonl_is_reported_with_file_and_line_and_left_untouched() {
    let dir = study();
    let root = dir.path();
    code(
        root,
        "r1",
        "V3",
        "Befriending gave me that.",
        "Volunteering/Motivation",
    );
    let path = root.join("codings/r1.jsonl");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("{\"id\": \"broken\", \"transcript\": \n");
    fs::write(&path, &text).unwrap();
    thema(root)
        .args([
            "--coder",
            "r1",
            "code",
            "V3",
            "--quote",
            "After my wife died",
            "Volunteering/Motivation",
        ])
        .assert()
        .failure()
        .stderr(contains("codings/r1.jsonl:2:"));
    thema(root)
        .arg("check")
        .assert()
        .failure()
        .stdout(contains("codings/r1.jsonl:2: error"));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        text,
        "a file that failed to parse is never overwritten"
    );
}

#[test]
fn a_second_process_of_the_same_coder_is_refused_but_another_coder_may_code() {
    let dir = study();
    let root = dir.path();
    let mut holder = Study::open(root).unwrap();
    holder.lock("r1").unwrap();
    thema(root)
        .args([
            "--coder",
            "r1",
            "code",
            "V3",
            "--quote",
            "Befriending gave me that.",
            "Volunteering/Motivation",
        ])
        .assert()
        .failure()
        .stderr(contains(
            "coder 'r1' is already coding in another thema process",
        ));
    code(
        root,
        "r2",
        "V3",
        "Befriending gave me that.",
        "Volunteering/Motivation",
    );
    drop(holder);
    code(
        root,
        "r1",
        "V3",
        "Befriending gave me that.",
        "Volunteering/Motivation",
    );
}

#[test]
fn two_coders_coding_at_once_lose_nothing() {
    let dir = study();
    let root = dir.path().to_path_buf();
    let quotes = [
        ("LW7-y1", "Honestly the referrals are a mixed bag."),
        ("LW7-y1", "housing crisis"),
        ("LW7-y1", "twelve weeks"),
        ("LW7-y1", "The 42 bus stops at six"),
        ("LW7-y1", "lunch club in Ashby"),
        ("V3", "After my wife died"),
        ("V3", "on a Tuesday"),
        ("V3", "Befriending gave me that."),
    ];
    let workers: Vec<_> = ["r1", "r2"]
        .into_iter()
        .map(|coder| {
            let root = root.clone();
            std::thread::spawn(move || {
                for (t, q) in quotes {
                    let code = if t == "V3" {
                        "Volunteering/Motivation"
                    } else {
                        "Challenges/Referrals"
                    };
                    code_retry(&root, coder, t, q, code);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(count(&root, "r1"), quotes.len());
    assert_eq!(count(&root, "r2"), quotes.len());
}

fn code_retry(root: &Path, coder: &str, transcript: &str, quote: &str, code: &str) {
    let out = thema(root)
        .args(["--coder", coder, "code", transcript, "--quote", quote, code])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn edited_transcripts_reanchor_or_flag_segments() {
    let dir = study();
    let root = dir.path();
    code(
        root,
        "r1",
        "LW7-y1",
        "The 42 bus stops at six",
        "Challenges/Transport",
    );
    code(
        root,
        "r1",
        "LW7-y1",
        "Some people come to us in a housing crisis",
        "Challenges/Referrals",
    );
    code(
        root,
        "r1",
        "V3",
        "Befriending gave me that.",
        "Volunteering/Motivation",
    );
    // an edit before the spans, one inside a span, and a deletion of a coded sentence
    let edited = LW7
        .replace(
            "How are referrals going?",
            "So, how are the referrals going these days?",
        )
        .replace("housing crisis", "housing emergency");
    fs::write(root.join("transcripts/LW7-y1.txt"), edited).unwrap();
    fs::write(
        root.join("transcripts/V3.txt"),
        V3.replace(" Befriending gave me that.", ""),
    )
    .unwrap();
    let study = Study::open_all(root).unwrap();
    let segs = study.layer("r1").unwrap();
    assert_eq!(segs.len(), 3, "no segment disappears");
    let t = study.transcript("LW7-y1").unwrap();
    let bus = segs.iter().find(|s| s.quote.starts_with("The 42")).unwrap();
    assert_eq!(t.slice(bus.start, bus.end), "The 42 bus stops at six");
    let lost = segs.iter().find(|s| s.transcript == "V3").unwrap();
    assert!(lost.is_unanchored());
    assert!(study.notices().len() >= 2);
    thema(root)
        .arg("check")
        .assert()
        .failure()
        .stdout(contains("re-anchored"))
        .stdout(contains("kept, flagged unanchored"));
}

#[test]
fn library_coding_validates_input() {
    let dir = study();
    let mut study = Study::open(dir.path()).unwrap();
    let code = study
        .resolve_code("Challenges/Referrals", None)
        .unwrap()
        .id
        .clone();
    assert!(study
        .apply_code("r1", "nope", &Span::Turn(1), &code)
        .is_err());
    assert!(study
        .apply_code("r1", "V3", &Span::Range(10, 10_000), &code)
        .is_err());
    assert!(study
        .apply_code("r1", "V3", &Span::Quote("not there".into()), &code)
        .is_err());
    let s = study.apply_code("r1", "V3", &Span::Turn(2), &code).unwrap();
    assert!(
        study.apply_code("r1", "V3", &Span::Turn(2), &code).is_err(),
        "same span, same code twice"
    );
    assert!(study.uncode("r2", &s.id).is_err(), "only the owner uncodes");
    let split = study.split_code(
        "r1",
        "Challenges/Referrals",
        None,
        &["A".into()],
        &SplitAssignment::Segments(vec![(s.id.clone(), "A".into())]),
        None,
    );
    assert!(split.is_ok());
}
