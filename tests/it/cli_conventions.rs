//! The command line behaves as command-line users expect (#17): documented exit statuses, no
//! colour into a pipe or with `NO_COLOR`, quiet output into a closed pipe, attributions without
//! stray placeholders, documents without speakers counted as documents, shell completions and a
//! manual page, and import ids fit for a command line.

use crate::common::{self, thema};

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;

use assert_cmd::Command;
use predicates::str::contains;

fn status_of(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// ---- exit statuses ------------------------------------------------------------------------

#[test]
fn each_kind_of_failure_has_its_documented_exit_status() {
    let demo = common::demo_copy();
    let root = demo.path();
    // 0: success
    assert_eq!(status_of(thema(root).arg("transcripts")).0, 0);
    // 2: usage — clap's own refusals, and names that name nothing
    assert_eq!(status_of(thema(root).arg("--no-such-flag")).0, 2);
    let (code, err) = status_of(thema(root).args(["segments", "--code", "Transprot"]));
    assert_eq!(code, 2, "{err}");
    let (code, err) = status_of(thema(root).args(["transcripts", "LW7-y11"]));
    assert_eq!(code, 2, "{err}");
    // 3: input — no study where thema looked; a malformed study file (named with its line)
    let empty = tempfile::tempdir().unwrap();
    let (code, err) = status_of(thema(empty.path()).arg("transcripts"));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("no study found"), "{err}");
    let ratings = empty.path().join("ratings.csv");
    std::fs::write(&ratings, "unit,r1\n").unwrap();
    let (code, err) = status_of(thema(root).args(["agree", "--matrix"]).arg(&ratings));
    assert_eq!(code, 3, "{err}");
    // 1: problems found — `thema check` on a study with an error
    let lw7 = root.join("transcripts/LW7-y1.txt");
    let text = std::fs::read_to_string(&lw7).unwrap();
    std::fs::write(&lw7, format!("\u{feff}{text}")).unwrap();
    let (code, err) = status_of(thema(root).arg("check"));
    assert_eq!(code, 1, "{err}");
}

#[test]
fn the_exit_statuses_are_in_the_help_and_the_readme() {
    let demo = common::demo_copy();
    thema(demo.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("Exit status: 0 success; 1 problems found"))
        .stdout(contains("NO_COLOR"));
    let readme = std::fs::read_to_string(common::demo_root().join("README.md")).unwrap();
    for row in ["| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |", "| 141 |"] {
        assert!(
            readme.contains(row),
            "README lacks the exit status row {row}"
        );
    }
}

// ---- colour -------------------------------------------------------------------------------

#[test]
fn no_colour_into_a_pipe_even_when_forced() {
    let demo = common::demo_copy();
    for forced in [("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")] {
        let out = thema(demo.path())
            .arg("--no-such-flag")
            .env(forced.0, forced.1)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains('\u{1b}'), "escape codes in a pipe: {err:?}");
        let out = thema(demo.path())
            .arg("--help")
            .env(forced.0, forced.1)
            .output()
            .unwrap();
        assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    }
}

/// Runs `thema ARGS` on a pseudo-terminal (util-linux `script`), returning what it printed.
fn on_a_terminal(root: &Path, args: &str, no_color: Option<&str>) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("thema");
    let line = format!("{} -C {} {args}", bin.display(), root.display());
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null());
    if let Some(value) = no_color {
        cmd.env("NO_COLOR", value);
    }
    let out = cmd.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn colour_on_a_terminal_only_without_no_color() {
    let demo = common::demo_copy();
    let Some(coloured) = on_a_terminal(demo.path(), "--no-such-flag", None) else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    assert!(
        coloured.contains('\u{1b}'),
        "a terminal gets colour: {coloured:?}"
    );
    let plain = on_a_terminal(demo.path(), "--no-such-flag", Some("1")).unwrap_or_default();
    assert!(plain.contains("no-such-flag"), "{plain:?}");
    assert!(
        !plain.contains('\u{1b}'),
        "NO_COLOR=1 on a terminal: {plain:?}"
    );
}

// ---- closed pipes -------------------------------------------------------------------------

/// Every command whose output runs long.
const LONG_OUTPUT: &[&[&str]] = &[
    &["segments"],
    &["segments", "--coders", "all"],
    &["search", "transport OR bus OR lunch", "--limit", "200"],
    &["transcripts"],
    &["transcripts", "LW7-y1", "--turns"],
    &["export", "segments", "--format", "csv"],
    &["export", "segments", "--format", "md"],
    &["export", "themes", "--format", "md"],
    &["export", "themes", "--format", "json"],
    &["export", "codebook", "--format", "md"],
    &["export", "agreement", "--format", "md"],
    &["consensus", "list"],
    &["consensus", "status"],
    &["codebook", "list"],
    &["codebook", "history"],
    &["agree"],
    &["agree", "--disagreements"],
    &["matrix", "--cols", "role"],
    &["saturation"],
    &["--json", "segments"],
    &["completions", "bash"],
    &["man"],
    &["--help"],
];

fn assert_quiet(args: &[&str], status: std::process::ExitStatus, stderr: &str) {
    let sigpipe = status.signal() == Some(libc::SIGPIPE);
    assert!(
        status.success() || sigpipe,
        "thema {args:?} into a closed pipe: {status:?}, {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "thema {args:?} into a closed pipe: {stderr}"
    );
}

#[test]
fn long_output_into_a_closed_pipe_ends_quietly() {
    let demo = common::demo_copy();
    let bin = assert_cmd::cargo::cargo_bin("thema");
    for args in LONG_OUTPUT {
        // as `thema … | head -1`: one line read, then the pipe closed
        let mut child = std::process::Command::new(&bin)
            .arg("-C")
            .arg(demo.path())
            .args(*args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first).unwrap();
        assert!(!first.is_empty(), "thema {args:?} printed nothing");
        let out = child.wait_with_output().unwrap();
        assert_quiet(args, out.status, &String::from_utf8_lossy(&out.stderr));
        // and the reader gone before the first line
        let mut child = std::process::Command::new(&bin)
            .arg("-C")
            .arg(demo.path())
            .args(*args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_quiet(args, out.status, &String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn head_one_in_a_shell_exits_zero() {
    let demo = common::demo_copy();
    let bin = assert_cmd::cargo::cargo_bin("thema");
    let script = format!(
        "'{}' -C '{}' segments | head -1; echo \"status ${{PIPESTATUS[0]}}\"",
        bin.display(),
        demo.path().display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("status 0") || stdout.contains("status 141"),
        "{stdout}"
    );
    assert!(stderr.is_empty(), "{stderr}");
}

// ---- attribution --------------------------------------------------------------------------

#[test]
fn a_template_column_the_study_lacks_leaves_no_placeholder() {
    let demo = common::demo_copy();
    let root = demo.path();
    let settings = root.join("thema.json");
    let text = std::fs::read_to_string(&settings).unwrap();
    let text = text.replace("{participant}, {wave}, {time}", "{participant}, {cohort}");
    std::fs::write(&settings, text).unwrap();
    let out = thema(root)
        .args(["search", "transport", "--limit", "3"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("(LW5)"), "{stdout}");
    assert!(!stdout.contains('{'), "{stdout}");
    let out = thema(root).arg("check").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.matches("'{cohort}'").count(),
        1,
        "one warning for the template: {stdout}"
    );
    assert!(stdout.contains("thema.json: warning"), "{stdout}");
    let themes = thema(root)
        .args(["export", "themes", "--format", "md"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&themes.stdout).contains("{cohort}"));
}

// ---- documents without speakers -----------------------------------------------------------

fn paper_text() -> String {
    let sentence = "Social prescribing links patients with community groups and services. ";
    let mut paras = vec!["Keywords: loneliness, link workers, community".to_string()];
    for _ in 0..40 {
        paras.push(sentence.repeat(10).trim_end().to_string());
    }
    paras.join("\n\n") + "\n"
}

#[test]
fn a_document_without_speakers_is_first_class() {
    let demo = common::demo_copy();
    let root = demo.path();
    let sources = tempfile::tempdir().unwrap();
    let notes = sources.path().join("field notes.txt");
    let para = "The lunch club met in the hall and twelve people came today.";
    std::fs::write(&notes, [para; 6].join("\n\n") + "\n").unwrap();
    let out = thema(root).arg("import").arg(&notes).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("document: 6 paragraphs, 72 words"),
        "{stdout}"
    );
    assert!(!stdout.contains("speakers \n") && !stdout.trim_end().ends_with("speakers"));
    // a paper whose first line reads like a speaker label is still a document
    // (written as a REFI-QDA import writes a source: its text as it is, and a row)
    std::fs::write(root.join("transcripts/paper.txt"), paper_text()).unwrap();
    let csv = root.join("transcripts/attributes.csv");
    let mut rows = std::fs::read_to_string(&csv).unwrap();
    let columns = rows.lines().next().unwrap().split(',').count();
    rows.push_str(&format!(
        "paper,paper,link worker,first year{}\n",
        ",".repeat(columns - 4)
    ));
    std::fs::write(&csv, rows).unwrap();
    let list = thema(root)
        .args(["--json", "transcripts"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let row = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .cloned()
            .unwrap()
    };
    let paper = row("paper");
    assert_eq!(paper["kind"], "document");
    assert_eq!(paper["turns"], 41);
    assert_eq!(paper["words"], 5 + 40 * 90);
    assert_eq!(row("field-notes")["kind"], "document");
    assert_eq!(row("LW7-y1")["kind"], "interview");
    let table = thema(root).arg("transcripts").output().unwrap();
    assert!(String::from_utf8_lossy(&table.stdout).contains("kind"));
    // coding by paragraph, agreement by turn, reports and saturation
    for coder in ["r1", "r2"] {
        thema(root)
            .args(["--coder", coder, "code", "paper", "--turn", "3", "c02"])
            .assert()
            .success();
    }
    thema(root)
        .args(["--coder", "r1", "code", "paper", "--turn", "41", "c02"])
        .assert()
        .success();
    let agree = thema(root)
        .args(["--json", "agree", "--coders", "r1,r2", "--unit", "turn"])
        .args(["--bootstrap", "0"])
        .output()
        .unwrap();
    assert!(
        agree.status.success(),
        "{}",
        String::from_utf8_lossy(&agree.stderr)
    );
    thema(root)
        .args(["segments", "--coders", "r1", "--code", "c02"])
        .assert()
        .success()
        .stdout(contains("[paper]"));
    thema(root)
        .args(["export", "themes", "--format", "md", "--coders", "r1"])
        .assert()
        .success()
        .stdout(contains("paper"));
    thema(root)
        .args(["saturation", "--coders", "r1"])
        .assert()
        .success();
}

// ---- completions and the manual page ------------------------------------------------------

#[test]
fn completions_and_manual_pages_come_from_the_clap_definitions() {
    let demo = common::demo_copy();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef thema"),
        ("fish", "complete -c thema"),
    ] {
        let out = thema(demo.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success());
        assert!(script.contains(marker), "{shell}: {script:.200}");
        assert!(
            script.contains("saturation") && script.contains("--coders"),
            "{shell}"
        );
    }
    let page = thema(demo.path()).arg("man").output().unwrap();
    let page = String::from_utf8_lossy(&page.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH thema"),
        "{page:.200}"
    );
    assert!(page.contains("completions") && page.contains("saturation"));
    let export = thema(demo.path()).args(["man", "export"]).output().unwrap();
    assert!(String::from_utf8_lossy(&export.stdout).contains("qdpx"));
    let (code, err) = status_of(thema(demo.path()).args(["man", "exprot"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no command 'exprot'"), "{err}");
    thema(demo.path())
        .args(["completions", "powershell-9"])
        .assert()
        .code(2);
}

// ---- import ids and crash safety ----------------------------------------------------------

#[test]
fn an_awkward_file_name_becomes_a_plain_id_and_is_kept() {
    let demo = common::demo_copy();
    let root = demo.path();
    let sources = tempfile::tempdir().unwrap();
    let file = sources.path().join("LW 12 (year 1) & notes.txt");
    std::fs::write(
        &file,
        "Interviewer: How did you start?\n\nLW12: Through the GP.\n\nInterviewer: And then?\n\nLW12: The lunch club.\n",
    )
    .unwrap();
    thema(root)
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("→ LW-12-year-1-notes"));
    let attributes = std::fs::read_to_string(root.join("transcripts/attributes.csv")).unwrap();
    assert!(attributes.lines().next().unwrap().contains("source_name"));
    assert!(
        attributes.contains("LW 12 (year 1) & notes.txt"),
        "{attributes}"
    );
    thema(root)
        .args(["transcripts", "LW-12-year-1-notes"])
        .assert()
        .success();
}

#[test]
fn an_interrupted_import_leaves_no_transcript_without_its_row() {
    let demo = common::demo_copy();
    let root = demo.path();
    // the second transcript cannot be written (a folder is in its way): the import stops there,
    // as a crash would
    std::fs::create_dir(root.join("transcripts/B2.txt")).unwrap();
    let mut attributes = thema::study::files::load_attributes(root).unwrap();
    let batch = vec![
        thema::study::NewTranscript {
            id: "B1".into(),
            text: "A: one\n\nB: two\n".into(),
            attributes: vec![("role".into(), "volunteer".into())],
        },
        thema::study::NewTranscript {
            id: "B2".into(),
            text: "A: three\n".into(),
            attributes: vec![("role".into(), "volunteer".into())],
        },
    ];
    assert!(thema::study::write_new_transcripts(root, &mut attributes, &batch).is_err());
    std::fs::remove_dir(root.join("transcripts/B2.txt")).unwrap();
    // every transcript written has its row; the row written ahead of B2 reads as nothing
    let on_disk = thema::study::files::load_attributes(root).unwrap();
    assert_eq!(on_disk.get("B1", "role"), Some("volunteer"));
    assert!(root.join("transcripts/B1.txt").is_file());
    assert!(!root.join("transcripts/B2.txt").exists());
    let out = thema(root).arg("check").output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("row for 'B2', which has no transcript file"),
        "{report}"
    );
    assert!(!report.contains("has no row"), "{report}");
    thema(root).args(["transcripts", "B2"]).assert().code(2);
    // importing it again fills the row
    let sources = tempfile::tempdir().unwrap();
    let file = sources.path().join("B2.txt");
    std::fs::write(&file, "A: three\n\nB: four\n").unwrap();
    thema(root).arg("import").arg(&file).assert().success();
    let on_disk = thema::study::files::load_attributes(root).unwrap();
    assert_eq!(on_disk.get("B2", "role"), Some("volunteer"));
    assert_eq!(on_disk.get("B2", "participant"), Some("B2"));
}
