//! Auto-coding and batch coding through the command line (#16): search hits widened to their
//! context, speakers and attributes, rows of a file; dry runs write nothing, a batch is one
//! write undone byte for byte, coders never touch each other's files.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use predicates::str::contains;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use thema::model::Segment;
use thema::study::Study;
use thema::tui::action::{Action, Pane};

use crate::common::{self, thema};
use common::tui::Driver;

const LW7: &str = "[Interview with LW7, first year]\n\nInterviewer: How are referrals going?\n\n[00:01:10] LW7: Honestly the referrals are a mixed bag. Some people come to us in a housing crisis and we cannot fix that in twelve weeks.\n\nInterviewer: And transport?\n\nLW7: Bus fares went up. The 42 bus stops at six, so the lunch club in Ashby is out of reach for half my clients. We walk.\n";
const V3: &str = "Interviewer: Why did you volunteer?\n\nV3: After my wife died I needed somewhere to be on a Tuesday. Befriending gave me that.\n\nInterviewer: And the bus?\n\nV3: I drive.\n";
/// Accents written with combining marks, an emoji with a skin tone, Japanese sentences.
const ZOE: &str = "Interviewer: Café?\n\nZoë: The cafe\u{301} is where we meet 👍🏽. Bus too slow! 日本語のバスです。それだけ。\n";

fn study() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    Study::init(dir.path(), "test").unwrap();
    fs::write(dir.path().join("transcripts/LW7-y1.txt"), LW7).unwrap();
    fs::write(dir.path().join("transcripts/V3.txt"), V3).unwrap();
    fs::write(dir.path().join("transcripts/Z1.txt"), ZOE).unwrap();
    fs::write(
        dir.path().join("transcripts/attributes.csv"),
        "transcript,participant,role\nLW7-y1,LW7,link worker\nV3,V3,volunteer\nZ1,Zoë,volunteer\n",
    )
    .unwrap();
    for path in [
        "Challenges/Transport",
        "Challenges/Referrals",
        "Interviewer",
        "Volunteering",
    ] {
        thema(dir.path())
            .args(["--coder", "r1", "codebook", "add", path])
            .assert()
            .success();
    }
    dir
}

fn run(root: &Path, coder: &str, args: &[&str]) -> String {
    let out = thema(root)
        .args(["--coder", coder, "code"])
        .args(args)
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// The coder's segments, as the study reads them.
fn layer(root: &Path, coder: &str) -> Vec<Segment> {
    Study::open(root).unwrap().layer(coder).unwrap().to_vec()
}

fn quotes(root: &Path, coder: &str) -> Vec<String> {
    layer(root, coder).into_iter().map(|s| s.quote).collect()
}

/// Every file of the study's codings and codebooks, by name.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for dir in ["codings", "codebooks"] {
        for entry in fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            out.insert(
                path.display().to_string(),
                fs::read(&path).unwrap_or_default(),
            );
        }
    }
    out
}

#[test]
fn hits_widen_to_sentence_paragraph_turn_and_stay_inside_the_turn() {
    let dir = study();
    let root = dir.path();
    // the first word of a turn: the sentence starts at the speech, not at the label
    run(
        root,
        "r1",
        &[
            "--search",
            "fares",
            "--context",
            "sentence",
            "Challenges/Transport",
        ],
    );
    assert_eq!(quotes(root, "r1"), ["Bus fares went up."]);
    // the last word of a turn: the sentence ends with the speech
    run(
        root,
        "r2",
        &[
            "--search",
            "walk",
            "--context",
            "sentence",
            "Challenges/Transport",
        ],
    );
    assert_eq!(quotes(root, "r2"), ["We walk."]);
    run(
        root,
        "r3",
        &[
            "--search",
            "lunch",
            "--context",
            "turn",
            "Challenges/Transport",
        ],
    );
    assert_eq!(
        quotes(root, "r3"),
        ["Bus fares went up. The 42 bus stops at six, so the lunch club in Ashby is out of reach for half my clients. We walk."]
    );
    run(
        root,
        "r4",
        &[
            "--search",
            "Ashby",
            "--context",
            "hit",
            "Challenges/Transport",
        ],
    );
    assert_eq!(quotes(root, "r4"), ["Ashby"]);
    run(
        root,
        "r5",
        &[
            "--search",
            "twelve",
            "--context",
            "paragraph",
            "Challenges/Referrals",
        ],
    );
    assert_eq!(
        quotes(root, "r5"),
        ["Honestly the referrals are a mixed bag. Some people come to us in a housing crisis and we cannot fix that in twelve weeks."]
    );
    // every segment's offsets hold its quote
    let study = Study::open(root).unwrap();
    for coder in ["r1", "r2", "r3", "r4", "r5"] {
        for s in study.layer(coder).unwrap() {
            let t = study.transcript(&s.transcript).unwrap();
            assert_eq!(t.slice(s.start, s.end), s.quote);
        }
    }
}

#[test]
fn unicode_hits_keep_whole_graphemes_and_code_point_offsets() {
    let dir = study();
    let root = dir.path();
    run(
        root,
        "r1",
        &[
            "--search",
            "meet",
            "--context",
            "sentence",
            "--transcript",
            "Z1",
            "Volunteering",
        ],
    );
    assert_eq!(quotes(root, "r1"), ["The cafe\u{301} is where we meet 👍🏽."]);
    run(
        root,
        "r2",
        &[
            "--search",
            "cafe",
            "--context",
            "hit",
            "--transcript",
            "Z1",
            "Volunteering",
        ],
    );
    let hits = quotes(root, "r2");
    assert!(
        hits.contains(&"cafe\u{301}".to_string()),
        "the combining accent stays with its letter: {hits:?}"
    );
    let s = &layer(root, "r1")[0];
    let text = fs::read_to_string(root.join("transcripts/Z1.txt")).unwrap();
    let start = text.find("The cafe").unwrap();
    assert_eq!(
        s.start,
        text[..start].chars().count(),
        "offsets are code points"
    );
    assert_eq!(s.end - s.start, s.quote.chars().count());
}

#[test]
fn passages_merge_and_hits_already_coded_are_skipped() {
    let dir = study();
    let root = dir.path();
    // "bus" twice in one turn of LW7 ("Bus fares…", "The 42 bus…"): two sentences in a row
    // merge into one segment
    let out = run(
        root,
        "r1",
        &[
            "--search",
            "bus",
            "--context",
            "sentence",
            "--transcript",
            "LW7-y1",
            "Challenges/Transport",
        ],
    );
    assert_eq!(
        quotes(root, "r1"),
        ["Bus fares went up. The 42 bus stops at six, so the lunch club in Ashby is out of reach for half my clients."]
    );
    assert!(out.contains("1 new segment(s)"), "{out}");
    // the same again: nothing new
    let before = fs::read(root.join("codings/r1.jsonl")).unwrap();
    let out = run(
        root,
        "r1",
        &[
            "--search",
            "bus",
            "--context",
            "sentence",
            "--transcript",
            "LW7-y1",
            "Challenges/Transport",
        ],
    );
    assert!(out.contains("2 already coded (skipped)"), "{out}");
    assert!(out.contains("nothing to write"), "{out}");
    assert_eq!(fs::read(root.join("codings/r1.jsonl")).unwrap(), before);
    // a wider context joins the existing segment, which keeps its id
    let id = layer(root, "r1")[0].id.clone();
    run(
        root,
        "r1",
        &[
            "--search",
            "walk",
            "--context",
            "sentence",
            "Challenges/Transport",
        ],
    );
    let after = layer(root, "r1");
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, id);
    assert!(after[0].quote.ends_with("We walk."));
}

#[test]
fn speaker_and_attribute_turns() {
    let dir = study();
    let root = dir.path();
    run(root, "r1", &["--speaker", "interviewer", "Interviewer"]);
    let q = quotes(root, "r1");
    assert_eq!(q.len(), 5, "{q:?}");
    assert!(q.contains(&"How are referrals going?".to_string()));
    // every speaker turn of the volunteers: V3 and Z1 (interviewer's turns included)
    run(root, "r2", &["--where", "role=volunteer", "Volunteering"]);
    let segments = layer(root, "r2");
    assert_eq!(segments.len(), 6);
    assert!(segments.iter().all(|s| s.transcript != "LW7-y1"));
    // a speaker no transcript has is an error, not an empty batch
    thema(root)
        .args(["--coder", "r3", "code", "--speaker", "LW9", "Interviewer"])
        .assert()
        .failure()
        .stderr(contains("no turn of speaker 'LW9'"));
    thema(root)
        .args([
            "--coder",
            "r3",
            "code",
            "--where",
            "rank=high",
            "Interviewer",
        ])
        .assert()
        .failure()
        .stderr(contains("no attribute column 'rank'"));
}

/// A study of 20 transcripts of 10 turns and a file of 1,000 rows placing passages by offsets,
/// quote and turn, with 5 bad rows at known lines.
fn big_study() -> (tempfile::TempDir, String, Vec<usize>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "big").unwrap();
    let mut attributes = String::from("transcript,participant\n");
    for t in 0..20 {
        let mut text = String::new();
        for turn in 0..10 {
            text.push_str(&format!(
                "P{t}: Turn {turn} of talk {t} about the café and the bus, naïvely. Second sentence {turn}-{t} here.\n\n"
            ));
        }
        fs::write(root.join(format!("transcripts/T{t:02}.txt")), text).unwrap();
        attributes.push_str(&format!("T{t:02},P{t}\n"));
    }
    fs::write(root.join("transcripts/attributes.csv"), attributes).unwrap();
    for path in ["Access/Transport", "Access/Places", "Feelings"] {
        thema(root)
            .args(["--coder", "r1", "codebook", "add", path])
            .assert()
            .success();
    }
    let study = Study::open(root).unwrap();
    let mut csv = String::from("transcript,start,end,quote,turn,code,memo\n");
    let mut bad = Vec::new();
    for i in 0..1000usize {
        let line = i + 2;
        let t = format!("T{:02}", i % 20);
        let turn = (i / 20) % 10 + 1;
        let code = ["Access/Transport", "Access/Places", "Feelings"][i % 3];
        let row = match i {
            100 => format!("T99,,,,1,{code},\n"),
            200 => format!("{t},,,no such words anywhere,,{code},\n"),
            300 => format!("{t},,,the café,,{code},\n"),
            400 => format!("{t},5,999999,,,{code},\n"),
            500 => format!("{t},,,,{turn},Nowhere/Code,\n"),
            _ => match i % 3 {
                0 => {
                    let text = study.transcript(&t).unwrap();
                    let turn = text.numbered(turn).unwrap();
                    let quote = format!("Second sentence {}-{}", turn.number - 1, i % 20);
                    let at = text.text.find(&quote).unwrap();
                    let start = text.index.char_of(&text.text, at);
                    format!(
                        "{t},{start},{},\"{quote}\",,{code},memo {i}\n",
                        start + quote.chars().count()
                    )
                }
                1 => format!("{t},,,Turn {} of talk {},,{code},\n", turn - 1, i % 20),
                _ => format!("{t},,,,{turn},{code},\n"),
            },
        };
        if matches!(i, 100 | 200 | 300 | 400 | 500) {
            bad.push(line);
        }
        csv.push_str(&row);
    }
    fs::write(root.join("rows.csv"), &csv).unwrap();
    (dir, csv, bad)
}

#[test]
fn a_thousand_rows_with_five_bad_ones() {
    let (dir, _, bad) = big_study();
    let root = dir.path();
    let out = thema(root)
        .args(["--coder", "r1", "code", "--from"])
        .arg(root.join("rows.csv"))
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    for line in &bad {
        assert!(
            stderr.contains(&format!("rows.csv:{line}:")),
            "line {line} not named: {stderr}"
        );
    }
    assert!(stderr.contains("no transcript 'T99'"), "{stderr}");
    assert!(stderr.contains("does not occur"), "{stderr}");
    assert!(stderr.contains("occurs"), "ambiguous quote: {stderr}");
    assert!(stderr.contains("not inside the transcript"), "{stderr}");
    assert!(stderr.contains("no code 'Nowhere/Code'"), "{stderr}");
    assert!(
        stderr.contains("5 of 1000 row(s) cannot be placed"),
        "{stderr}"
    );
    // 995 rows over 20 transcripts × 10 turns × 3 kinds of passage; repeats are skipped
    let segments = layer(root, "r1");
    assert!(!segments.is_empty());
    let study = Study::open(root).unwrap();
    for s in &segments {
        let t = study.transcript(&s.transcript).unwrap();
        assert_eq!(t.slice(s.start, s.end), s.quote);
        assert!(s.extra.contains_key("batch"));
    }
    assert!(segments
        .iter()
        .any(|s| s.memo.as_deref().is_some_and(|m| m.starts_with("memo "))));
    // applying the file again adds nothing: every passage is coded
    let again = thema(root)
        .args(["--coder", "r1", "--json", "code", "--from"])
        .arg(root.join("rows.csv"))
        .assert()
        .success();
    let summary: serde_json::Value = serde_json::from_slice(&again.get_output().stdout).unwrap();
    assert_eq!(summary["new"], 0);
    assert!(summary["first"].as_array().unwrap().is_empty());
    assert_eq!(summary["problems"].as_array().unwrap().len(), 5);
    assert_eq!(layer(root, "r1"), segments);
}

#[test]
fn strict_applies_nothing_and_dry_run_writes_nothing() {
    let (dir, _, _) = big_study();
    let root = dir.path();
    let before = snapshot(root);
    thema(root)
        .args(["--coder", "r1", "code", "--strict", "--from"])
        .arg(root.join("rows.csv"))
        .assert()
        .failure()
        .stderr(contains("--strict: nothing was coded"))
        .stderr(contains("rows.csv:102:"));
    assert_eq!(snapshot(root), before);
    let out = thema(root)
        .args([
            "--coder",
            "r1",
            "code",
            "--dry-run",
            "--create-codes",
            "--from",
        ])
        .arg(root.join("rows.csv"))
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(stdout.contains("r1 would code"), "{stdout}");
    assert!(
        stdout.contains("Access/Transport"),
        "counts per code: {stdout}"
    );
    assert!(stdout.contains("dry run: nothing was written"), "{stdout}");
    assert_eq!(snapshot(root), before, "a dry run writes nothing");
    thema(root)
        .args([
            "--coder",
            "r1",
            "code",
            "--dry-run",
            "--search",
            "café",
            "Feelings",
        ])
        .assert()
        .success()
        .stdout(contains("would code"));
    let out = thema(root)
        .args([
            "--coder",
            "r1",
            "--json",
            "code",
            "--dry-run",
            "--search",
            "café",
            "Feelings",
        ])
        .assert()
        .success();
    let summary: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["batch"], "");
    assert_eq!(summary["new"], 200);
    assert_eq!(summary["by_code"].as_array().unwrap().len(), 20);
    assert_eq!(summary["first"].as_array().unwrap().len(), 5);
    assert_eq!(snapshot(root), before);
    // --strict with a clean file codes everything, and --create-codes makes the missing code
    let clean: String = fs::read_to_string(root.join("rows.csv"))
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(i, _)| ![101, 201, 301, 401].contains(i))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    fs::write(root.join("clean.csv"), clean).unwrap();
    thema(root)
        .args([
            "--coder",
            "r1",
            "code",
            "--strict",
            "--create-codes",
            "--parent",
            "Access",
            "--from",
        ])
        .arg(root.join("clean.csv"))
        .assert()
        .success()
        .stdout(contains("created 1 code(s): Access/Nowhere/Code"));
    let study = Study::open(root).unwrap();
    assert!(study.resolve_code("Access/Nowhere/Code", None).is_ok());
}

#[test]
fn created_codes_go_into_the_parent_codebook_when_the_study_has_several() {
    let dir = study();
    let root = dir.path();
    thema(root)
        .args([
            "--coder",
            "r1",
            "codebook",
            "add",
            "Motivation",
            "--codebook",
            "Volunteers",
        ])
        .assert()
        .success();
    fs::write(
        root.join("rows.csv"),
        "transcript,quote,code\nV3,After my wife died,Grief\n",
    )
    .unwrap();
    thema(root)
        .args([
            "--coder",
            "r1",
            "code",
            "--create-codes",
            "--parent",
            "Motivation",
            "--from",
        ])
        .arg(root.join("rows.csv"))
        .assert()
        .success()
        .stdout(contains("created 1 code(s): Motivation/Grief"));
    let study = Study::open(root).unwrap();
    let id = study
        .resolve_code("Motivation/Grief", None)
        .unwrap()
        .id
        .clone();
    assert_eq!(study.codebook_file_of(&id), Some("volunteers"));
}

#[test]
fn uncoding_another_coders_segment_names_the_owner_and_the_flag() {
    let dir = study();
    let root = dir.path();
    thema(root)
        .args([
            "--coder",
            "r1",
            "code",
            "V3",
            "--quote",
            "I drive",
            "Volunteering",
        ])
        .assert()
        .success();
    let study = Study::open(root).unwrap();
    let id = study.layer("r1").unwrap()[0].id.clone();
    thema(root)
        .args(["--coder", "r2", "uncode", &id])
        .assert()
        .code(2)
        .stderr(contains(format!("segment {id} belongs to r1")))
        .stderr(contains("hint: only --coder r1 can change it"));
}

#[test]
fn undo_restores_the_layer_byte_for_byte() {
    let dir = study();
    let root = dir.path();
    thema(root)
        .args([
            "--coder",
            "r1",
            "code",
            "LW7-y1",
            "--quote",
            "the lunch club",
            "Challenges/Transport",
        ])
        .assert()
        .success();
    thema(root)
        .args([
            "--coder",
            "r1",
            "code",
            "V3",
            "--quote",
            "Befriending",
            "Volunteering",
        ])
        .assert()
        .success();
    let before = fs::read(root.join("codings/r1.jsonl")).unwrap();
    // widens the existing segment and adds new ones in two transcripts
    let out = run(
        root,
        "r1",
        &[
            "--search",
            "bus",
            "--context",
            "turn",
            "Challenges/Transport",
        ],
    );
    let id = out
        .lines()
        .find_map(|l| l.strip_prefix("batch "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    run(root, "r1", &["--speaker", "Interviewer", "Interviewer"]);
    assert_ne!(fs::read(root.join("codings/r1.jsonl")).unwrap(), before);
    thema(root)
        .args(["--coder", "r1", "uncode", "--batch", "last"])
        .assert()
        .success()
        .stdout(contains("removed 5 segment(s)"));
    thema(root)
        .args(["--coder", "r1", "uncode", "--batch", &id])
        .assert()
        .success()
        .stdout(contains("put back 1"));
    assert_eq!(fs::read(root.join("codings/r1.jsonl")).unwrap(), before);
    thema(root)
        .args(["--coder", "r1", "uncode", "--batch", &id])
        .assert()
        .failure()
        .stderr(contains("already undone"));
    thema(root)
        .args(["--coder", "r1", "uncode", "--batch", "last"])
        .assert()
        .failure()
        .stderr(contains("no batch left to undo"));
}

#[test]
fn two_coders_auto_coding_at_once_do_not_touch_each_others_files() {
    let (dir, _, _) = big_study();
    let root = dir.path();
    run(
        root,
        "r2",
        &["--search", "talk", "--context", "hit", "Feelings"],
    );
    let r2_before = fs::read(root.join("codings/r2.jsonl")).unwrap();
    let spawn = |coder: &str, args: &[&str]| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("thema"))
            .arg("-C")
            .arg(root)
            .args(["--coder", coder, "code"])
            .args(args)
            .env_remove("THEMA_CODER")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let csv = root.join("rows.csv");
    let csv = csv.to_str().unwrap();
    let mut a = spawn("r1", &["--from", csv]);
    let mut b = spawn(
        "r3",
        &["--search", "café", "--context", "sentence", "Feelings"],
    );
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    assert_eq!(fs::read(root.join("codings/r2.jsonl")).unwrap(), r2_before);
    let r1 = layer(root, "r1");
    let r3 = layer(root, "r3");
    assert!(!r1.is_empty() && !r3.is_empty());
    assert!(r1.iter().all(|s| s.id.starts_with("r1-")));
    assert!(r3.iter().all(|s| s.id.starts_with("r3-")));
    assert_eq!(r3.len(), 200, "one sentence per turn");
    // undoing r1's batch leaves r3's file alone
    let r3_bytes = fs::read(root.join("codings/r3.jsonl")).unwrap();
    thema(root)
        .args(["--coder", "r1", "uncode", "--batch", "last"])
        .assert()
        .success();
    assert!(layer(root, "r1").is_empty());
    assert_eq!(fs::read(root.join("codings/r3.jsonl")).unwrap(), r3_bytes);
}

#[test]
fn an_export_of_one_study_codes_another() {
    let dir = study();
    let root = dir.path();
    run(
        root,
        "r1",
        &[
            "--search",
            "bus",
            "--context",
            "sentence",
            "Challenges/Transport",
        ],
    );
    run(root, "r1", &["--speaker", "Interviewer", "Interviewer"]);
    let exported = root.join("segments.csv");
    thema(root)
        .args([
            "export", "segments", "--format", "csv", "--coders", "r1", "-o",
        ])
        .arg(&exported)
        .assert()
        .success();
    let json = root.join("segments.json");
    thema(root)
        .args([
            "export", "segments", "--format", "json", "--coders", "r1", "-o",
        ])
        .arg(&json)
        .assert()
        .success();
    // another study: the same transcripts, its own codebook (other code ids)
    let other = study();
    let target = other.path();
    for file in [&exported, &json] {
        thema(target)
            .args(["--coder", "r9", "code", "--strict", "--from"])
            .arg(file)
            .assert()
            .success();
    }
    // the same passages with the same code paths (code ids differ between the studies)
    let passages = |root: &Path, coder: &str| {
        let study = Study::open(root).unwrap();
        let mut out: Vec<(String, usize, usize, String, String)> = study
            .layer(coder)
            .unwrap()
            .iter()
            .map(|s| {
                let path = study.code_path(&s.code);
                (s.transcript.clone(), s.start, s.end, s.quote.clone(), path)
            })
            .collect();
        out.sort();
        out
    };
    let mine = passages(root, "r1");
    assert_eq!(mine.len(), 8);
    assert_eq!(mine, passages(target, "r9"));
}

#[test]
fn jsonl_rows_by_turn_and_quote() {
    let dir = study();
    let root = dir.path();
    let file = root.join("rows.jsonl");
    fs::write(
        &file,
        "{\"transcript\":\"V3\",\"turn\":2,\"code\":\"Volunteering\",\"memo\":\"grief\"}\n{\"transcript\":\"lw7-y1\",\"quote\":\"housing crisis\",\"code\":\"Challenges/Referrals\"}\n{\"transcript\":\"V3\",\"start\":\"x\",\"end\":4,\"code\":\"Volunteering\"}\n",
    )
    .unwrap();
    let out = thema(root)
        .args(["--coder", "r1", "code", "--from"])
        .arg(&file)
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&out.get_output().stderr)
        .contains("rows.jsonl:3: start 'x' is not a number"));
    let segments = layer(root, "r1");
    assert_eq!(segments.len(), 2);
    assert_eq!(segments[0].quote, "housing crisis");
    assert_eq!(segments[1].memo.as_deref(), Some("grief"));
    assert!(segments[1].quote.starts_with("After my wife died"));
}

#[test]
fn the_search_pane_codes_every_hit_and_u_undoes_the_batch() {
    let dir = study();
    thema(dir.path())
        .args([
            "--coder",
            "r1",
            "code",
            "V3",
            "--quote",
            "Befriending",
            "Volunteering",
        ])
        .assert()
        .success();
    let mut h = Driver::open_as(dir, "r1", 120, 30);
    let before = h.file("codings/r1.jsonl");
    let transport = h
        .app
        .study
        .resolve_code("Challenges/Transport", None)
        .unwrap()
        .id
        .clone();
    let row = h
        .app
        .tree
        .rows
        .iter()
        .position(|r| r.code.as_deref() == Some(transport.as_str()))
        .unwrap();
    h.app.tree.list.selected = row;
    h.app.update(Action::Focus(Pane::Search));
    h.type_text("bus");
    let ctrl = |h: &mut Driver, c| h.press(KeyCode::Char(c), KeyModifiers::CONTROL);
    // a preview first: nothing written
    ctrl(&mut h, 'a');
    let message = h.app.message.as_ref().unwrap().text.clone();
    assert!(
        message.contains("3 passage(s) in 3 transcript(s)"),
        "{message}"
    );
    assert!(message.contains("context sentence"), "{message}");
    assert_eq!(h.file("codings/r1.jsonl"), before);
    // a wider context, then coded
    ctrl(&mut h, 'o');
    let message = h.app.message.as_ref().unwrap().text.clone();
    assert!(message.contains("context paragraph"), "{message}");
    ctrl(&mut h, 'a');
    let message = h.app.message.as_ref().unwrap().text.clone();
    assert!(message.starts_with("coded 3 passage(s)"), "{message}");
    assert_eq!(h.app.focus, Pane::Retrieval);
    assert_eq!(h.app.retrieval.code.as_deref(), Some(transport.as_str()));
    assert_eq!(h.app.retrieval.rows.len(), 3);
    let coded = h.file("codings/r1.jsonl");
    assert_eq!(coded.lines().count(), 4);
    assert!(h.screen().contains("Bus fares went up."));
    // one u undoes the whole batch, byte for byte
    h.keys("u");
    assert_eq!(h.file("codings/r1.jsonl"), before);
    assert!(h.app.retrieval.rows.is_empty());
}
