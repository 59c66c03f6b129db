//! `thema import` and `thema export qdpx` on REFI-QDA files, as a researcher runs them: notes
//! apart from warnings, the study named after the project, every user with their name, a second
//! import that updates instead of duplicating, and the export format per target program.

use crate::common::{self, thema};

use std::path::Path;

use assert_cmd::Command;
use common::refi::{fixture, zip_entry};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use thema::study::Study;

fn init(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("my-study");
    Command::cargo_bin("thema")
        .unwrap()
        .arg("init")
        .arg(&root)
        .assert()
        .success();
    root
}

#[test]
fn an_atlas_project_keeps_its_name_users_and_memos_when_imported_twice() {
    let dir = tempfile::tempdir().unwrap();
    let root = init(dir.path());
    let file = fixture("spec-annexA2_atlasti8mac_project.qde");
    thema(&root)
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains(
            "study named 'ATLAS.ti standard project' after the project",
        ))
        .stdout(contains(
            "coder friedrich-markgraf (Friedrich Markgraf): 0 segment(s)",
        ))
        .stdout(contains(
            "coder sebastian-petrausch (Sebastian Petrausch): 0 segment(s)",
        ))
        .stderr(contains("warning: source 'Mabel.txt'"));
    let study = Study::open(&root).unwrap();
    assert_eq!(study.name(), "ATLAS.ti standard project");
    assert_eq!(study.memos.len(), 2);
    let coders = std::fs::read_to_string(root.join("coders.json")).unwrap();
    assert!(
        coders.contains("\"name\": \"Friedrich Markgraf\""),
        "{coders}"
    );
    assert!(coders.contains("\"ATLAS.ti\""), "{coders}");
    // the same project again: nothing new, nothing duplicated
    let memos = std::fs::read_dir(root.join("memos")).unwrap().count();
    thema(&root)
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("already there"))
        .stdout(contains("updated from the project").not());
    assert_eq!(
        std::fs::read_dir(root.join("memos")).unwrap().count(),
        memos
    );
    assert_eq!(Study::open(&root).unwrap().codebooks.len(), 1);
}

#[test]
fn a_taguette_codebook_is_accepted_with_a_note_not_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let root = init(dir.path());
    thema(&root)
        .arg("import")
        .arg(fixture("synthetic/taguette-like.qdc"))
        .assert()
        .success()
        .stdout(contains("3 code(s)"))
        .stderr(contains("note: line 12: empty <Sets/> accepted"))
        .stderr(contains("warning:").not());
    let study = Study::open(&root).unwrap();
    // flat codes, in Taguette's order, without invented colours
    let names: Vec<&str> = study.codebooks[0]
        .codebook
        .children(None)
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["interesting", "people", "places.kitchen"]);
    assert!(study.codebooks[0]
        .codebook
        .codes
        .iter()
        .all(|c| c.color.is_empty()));
}

#[test]
fn an_nvivo_study_exports_for_nvivo_unless_asked_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let root = init(dir.path());
    let file = fixture("nvivo12win_oltas0517-trimmed.qdpx");
    thema(&root)
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains(
            "videos_10_selected: offsets read as UTF-16 code units",
        ))
        .stdout(contains("coder gergo (Gergo): 303 segment(s)"))
        .stdout(contains("coder floriansipos: 0 segment(s)"));
    let record = std::fs::read_to_string(root.join("refi.json")).unwrap();
    assert!(record.contains("\"offsets\": \"utf16\"") && record.contains("\"target\": \"nvivo\""));
    let out = dir.path().join("back.qdpx");
    thema(&root)
        .args(["export", "qdpx", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains(
            "texts and positions: UTF-16 code units, CRLF line ends (each counted as two), byte-order mark (as imported from 'NVivo for Windows 12.6')",
        ));
    let xml = String::from_utf8(zip_entry(&out, "project.qde")).unwrap();
    assert!(
        xml.contains("origin=\"thema ")
            && xml.contains(" for NVivo; positions in UTF-16 code units\"")
    );
    for (args, expected) in [
        (
            vec!["--target", "maxqda"],
            "Unicode code points, LF line ends (--target maxqda)",
        ),
        (
            vec!["--offsets", "codepoints"],
            "Unicode code points, CRLF line ends (each counted as two), byte-order mark (as imported from 'NVivo for Windows 12.6', with the options given)",
        ),
        (
            vec!["--target", "nvivo", "--line-endings", "lf"],
            "UTF-16 code units, LF line ends, byte-order mark (--target nvivo, with the options given)",
        ),
    ] {
        thema(&root)
            .args(["export", "qdpx", "-o"])
            .arg(&out)
            .args(&args)
            .assert()
            .success()
            .stdout(contains(expected));
    }
    thema(&root)
        .args(["export", "qdpx", "-o"])
        .arg(&out)
        .args(["--target", "word"])
        .assert()
        .code(2)
        .stderr(contains("nvivo"));
}
