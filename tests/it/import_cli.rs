//! `thema import` writes canonical transcripts and attributes, and refuses bad batches whole.

use crate::common::thema;
use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use thema::study::Study;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

#[test]
fn imports_every_fixture_into_a_clean_study() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "import").unwrap();
    let files: Vec<_> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default();
            ["txt", "md", "vtt", "srt", "json", "docx"].contains(&ext.as_str())
                && !p
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("README")
        })
        .collect();
    assert!(files.len() >= 10);
    // whisperx.json and whisperx.srt would both become transcript `whisperx`: refused whole
    thema(root)
        .arg("import")
        .arg(fixture("whisperx.json"))
        .arg(fixture("whisperx.srt"))
        .assert()
        .failure()
        .stderr(contains(
            "two files would both become transcript 'whisperx'",
        ));
    let files: Vec<_> = files
        .into_iter()
        .filter(|p| !p.ends_with("whisperx.srt"))
        .collect();
    let mut cmd = thema(root);
    cmd.arg("import")
        .args(&files)
        .args(["--attr", "wave=first year"]);
    cmd.assert().success().stdout(contains("imported"));
    thema(root).arg("check").assert().success();
    let study = Study::open(root).unwrap();
    assert_eq!(study.transcripts().len(), files.len());
    for t in &study.all_transcripts().unwrap() {
        assert!(!t.turns.is_empty(), "{} has paragraphs", t.id);
        assert!(!t.text.contains('\r'));
        assert_eq!(study.attributes.get(&t.id, "wave"), Some("first year"));
    }
    // a second import of the same file is refused and writes nothing
    let before = std::fs::read_to_string(root.join("transcripts/attributes.csv")).unwrap();
    thema(root)
        .arg("import")
        .arg(&files[0])
        .assert()
        .failure()
        .stderr(contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(root.join("transcripts/attributes.csv")).unwrap(),
        before
    );
}

#[test]
fn bad_input_gets_one_clear_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "import").unwrap();
    let empty = root.join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let binary = root.join("audio.txt");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0, 0, 1, 2, 3, 255]).unwrap();
    thema(root)
        .arg("import")
        .arg(&empty)
        .assert()
        .failure()
        .stderr(contains("empty.txt"));
    thema(root)
        .arg("import")
        .arg(&binary)
        .assert()
        .failure()
        .stderr(contains("audio.txt"));
    // a batch with one bad file imports nothing
    let good = fixture("plain_header.txt");
    if good.exists() {
        thema(root)
            .arg("import")
            .arg(&good)
            .arg(&empty)
            .assert()
            .failure();
    }
    assert!(Study::open(root).unwrap().transcripts().is_empty());
}

#[test]
fn demo_round_trips_through_qdpx_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo.qdpx");
    Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .args(["export", "qdpx", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("13 transcript(s)"));
    let root = dir.path().join("study");
    Study::init(&root, "copy").unwrap();
    thema(&root)
        .arg("import")
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("coder r1: 168 segment(s)"));
    thema(&root).arg("check").assert().success();
    let copy = Study::open(&root).unwrap();
    let demo = Study::open(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert_eq!(copy.transcripts().len(), demo.transcripts().len());
    for coder in ["r1", "r2", "r3", "consensus"] {
        let quotes = |s: &Study| {
            let mut q: Vec<(String, usize, usize, String)> = s
                .layer(coder)
                .unwrap()
                .iter()
                .map(|x| (x.transcript.clone(), x.start, x.end, s.code_path(&x.code)))
                .collect();
            q.sort();
            q
        };
        assert_eq!(
            quotes(&copy),
            quotes(&demo),
            "{coder}'s segments survive the round trip"
        );
    }
}
