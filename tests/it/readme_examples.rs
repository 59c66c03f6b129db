//! Every example command in the README runs as written on a copy of the demo study (#17).
//!
//! The examples are the lines starting with `thema ` in the README's ```sh and ```console
//! blocks. Each runs through `sh -c` in the copy's folder (so quotes and globs work as in a
//! shell), in README order, with the `thema` under test first on `PATH`. A line is rewritten as
//! a reader would type it — see [`runnable`] — and skipped only when it is a placeholder (see
//! [`is_placeholder`]). Input files the examples name (`interviews/*.docx`, `zoom.vtt`,
//! `project.qdpx`, `ratings.csv`, `suggestions.csv`) are made in the copy first, from the demo's own sources.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

/// The example lines of the README's ```sh and ```console blocks that start with `thema `.
fn examples(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if let Some(lang) = trimmed.strip_prefix("```") {
            in_block = !in_block && matches!(lang.trim(), "sh" | "console" | "bash" | "shell");
            continue;
        }
        if !in_block {
            continue;
        }
        let line = trimmed.strip_prefix("$ ").unwrap_or(trimmed);
        if line.starts_with("thema ") || line == "thema" {
            out.push(line.to_string());
        }
    }
    out
}

/// Each character of `line` with whether it stands inside single or double quotes.
fn quoted_flags(line: &str) -> Vec<(char, bool)> {
    let mut quote = None;
    line.chars()
        .map(|c| {
            let inside = quote.is_some();
            match (quote, c) {
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                _ => {}
            }
            (c, inside || quote.is_some())
        })
        .collect()
}

/// An example as a reader would type it: the `# comment` dropped, `[optional parts]` left out,
/// `a|b|c` alternatives read as the first (`--format md|html` → `--format md`), and of
/// ` | `-separated alternative forms the first.
fn runnable(line: &str) -> String {
    let flags = quoted_flags(line);
    let mut out = String::new();
    let mut depth = 0;
    let mut i = 0;
    while i < flags.len() {
        let (c, quoted) = flags[i];
        if !quoted {
            if c == '#' && out.ends_with(' ') {
                break;
            }
            if c == '[' {
                depth += 1;
            } else if c == ']' && depth > 0 {
                depth -= 1;
                i += 1;
                continue;
            } else if c == '|' && depth == 0 {
                let spaced = out.ends_with(' ');
                if spaced {
                    break; // ` | `: another form of the command follows
                }
                // `a|b|c`: keep the first alternative, skip the rest of the word
                while i < flags.len() && (flags[i].0 != ' ' || flags[i].1) {
                    i += 1;
                }
                continue;
            }
        }
        if depth == 0 {
            out.push(c);
        }
        i += 1;
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether an example (as [`runnable`] made it) is a placeholder, not a command: it holds `...`
/// or `…`, or a word in capitals standing for a value (`ID`, `NAME`, `FILE`) outside quotes.
fn is_placeholder(command: &str) -> bool {
    if command.contains("...") || command.contains('…') {
        return true;
    }
    let unquoted: String = quoted_flags(command)
        .into_iter()
        .map(|(c, quoted)| if quoted { ' ' } else { c })
        .collect();
    unquoted
        .split_whitespace()
        .any(|word| word.len() >= 2 && word.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
}

/// A copy of the whole demo study, with the input files the README's examples name.
fn demo_with_inputs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = common::demo_root();
    for sub in [
        "transcripts",
        "codebooks",
        "codings",
        "memos",
        "rounds",
        "media",
    ] {
        if root.join(sub).is_dir() {
            common::copy_dir(&root.join(sub), &dir.path().join(sub));
        }
    }
    std::fs::copy(root.join("thema.json"), dir.path().join("thema.json")).unwrap();
    let sources = root.join("demo/sources");
    let inputs = dir.path().join("interviews");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::copy(
        sources.join("LW5_interview_typed.docx"),
        inputs.join("LW12 first interview.docx"),
    )
    .unwrap();
    std::fs::copy(
        sources.join("GMT20240417-093015_Recording.transcript.vtt"),
        dir.path().join("zoom.vtt"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ratings.csv"),
        "unit,r1,r2,r3\n1,1,1,1\n2,2,2,3\n3,3,3,3\n4,1,2,1\n5,2,2,2\n",
    )
    .unwrap();
    // codings made elsewhere: one row with a known code, one naming a code the study lacks
    std::fs::write(
        dir.path().join("suggestions.csv"),
        "transcript,quote,turn,code,memo\n\
         LW7-y1,a bad experience at a group,,c11,pipeline v2\n\
         LW7-y1,,4,Wellbeing,\n",
    )
    .unwrap();
    // a REFI-QDA project: the demo's own, exported from another copy
    let other = common::demo_copy();
    let status = Command::new(assert_cmd::cargo::cargo_bin("thema"))
        .arg("-C")
        .arg(other.path())
        .args(["export", "qdpx", "-o"])
        .arg(dir.path().join("project.qdpx"))
        .status()
        .unwrap();
    assert!(status.success(), "exporting the demo as project.qdpx");
    dir
}

#[test]
fn the_rewrites_and_the_skip_rule() {
    assert_eq!(
        runnable("thema agree [--coders r1,r2] [--unit char|turn|segment]   # a comment"),
        "thema agree"
    );
    assert_eq!(
        runnable("thema export codebook|segments --format md|csv|json [--bom]"),
        "thema export codebook --format md"
    );
    assert_eq!(
        runnable("thema play --segment r1-x | LW7-y1 --at 00:12:31   # from a segment"),
        "thema play --segment r1-x"
    );
    assert_eq!(
        runnable("thema search 'a AND wave:IN [\"x y\"]' [--limit 20]"),
        "thema search 'a AND wave:IN [\"x y\"]'"
    );
    assert!(is_placeholder("thema consensus resolve ID --take a"));
    assert!(is_placeholder("thema codebook rename ... --why \"x\""));
    assert!(!is_placeholder(
        "thema codebook add \"Challenges/Transport\" --why \"AB\""
    ));
}

#[test]
fn every_readme_example_runs_on_the_demo_study() {
    let readme = std::fs::read_to_string(common::demo_root().join("README.md")).unwrap();
    let lines = examples(&readme);
    assert!(lines.len() >= 30, "only {} examples found", lines.len());
    let study = demo_with_inputs();
    let bin = assert_cmd::cargo::cargo_bin("thema");
    let bin_dir: PathBuf = bin.parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = 0;
    let mut failures = Vec::new();
    for line in &lines {
        let command = runnable(line);
        if is_placeholder(&command) {
            eprintln!("skipped (placeholder): {line}");
            continue;
        }
        let out = Command::new("sh")
            .args(["-c", &command])
            .current_dir(study.path())
            .env("PATH", &path)
            .env("THEMA_CODER", "reader")
            .env("THEMA_PLAYER", "true {file} {seconds}")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        ran += 1;
        if !out.status.success() {
            failures.push(format!(
                "{command}\n  (README: {line})\n  {:?}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} README examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(ran >= 25, "only {ran} README examples ran");
}
