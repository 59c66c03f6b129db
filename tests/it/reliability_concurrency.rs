//! Concurrency: three coders code at once, each through a stream of `thema code` processes,
//! while two people refine the codebook at the same time. Nothing is lost or interleaved: each
//! coder's file parses and holds exactly that coder's segments; codebook writes that find the
//! file changed on disk are refused cleanly (and retried here), and the final codebook is what
//! its history replays to. A second process of a coder who is already coding is refused with a
//! message naming the coder.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use thema::model::history::replay;
use thema::model::Segment;
use thema::study::check::{check, Severity};
use thema::study::files::{codings_path, load_history, parse_jsonl};
use thema::study::Study;

const CODINGS_EACH: usize = 30;
const EDITS_EACH: usize = 10;

fn thema(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thema"))
        .arg("-C")
        .arg(root)
        .args(args)
        .env_remove("THEMA_CODER")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn study() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "concurrency").unwrap();
    let mut t = String::new();
    for i in 0..30 {
        t.push_str(&format!(
            "P{}: In week {i} the 42 bus stopped at six and nobody could reach the lunch club.\n\n",
            i % 3
        ));
    }
    std::fs::write(root.join("transcripts/t1.txt"), t).unwrap();
    let mut s = Study::open(root).unwrap();
    let a = s
        .add_code(
            "lead",
            None,
            "Challenges/Transport",
            &Default::default(),
            None,
        )
        .unwrap();
    let b = s
        .add_code(
            "lead",
            None,
            "Challenges/Isolation",
            &Default::default(),
            None,
        )
        .unwrap();
    (dir, a, b)
}

/// Runs a codebook command, retrying while it is refused because another process changed the
/// codebook in between. Returns how many refusals it met.
fn edit_with_retry(root: &Path, args: &[&str]) -> usize {
    for refusals in 0..200 {
        let out = thema(root, args);
        if out.status.success() {
            return refusals;
        }
        let said = text(&out);
        assert!(
            said.contains("changed on disk since thema read it"),
            "`thema {}` failed for another reason: {said}",
            args.join(" ")
        );
        // a refused write leaves a codebook that parses and a study that checks clean
        assert!(Study::open(root).is_ok(), "refusal left a broken study");
    }
    panic!("`thema {}` refused 200 times", args.join(" "));
}

#[test]
fn three_coders_and_two_editors_at_once_lose_nothing() {
    let (dir, transport, isolation) = study();
    let root: PathBuf = dir.path().to_path_buf();

    // r5 is "already coding" in this test process for the whole run
    let mut holder = Study::open(&root).unwrap();
    holder.lock("r5").unwrap();

    let coders: Vec<_> = ["r1", "r2", "r3"]
        .into_iter()
        .enumerate()
        .map(|(n, coder)| {
            let root = root.clone();
            let codes = [transport.clone(), isolation.clone()];
            std::thread::spawn(move || {
                let mut ranges = Vec::new();
                for i in 0..CODINGS_EACH {
                    let start = i * 40 + n * 3;
                    let end = start + 10 + i % 5;
                    let code = &codes[i % 2];
                    let out = thema(
                        &root,
                        &[
                            "--coder",
                            coder,
                            "code",
                            "t1",
                            &start.to_string(),
                            &end.to_string(),
                            code,
                        ],
                    );
                    assert!(out.status.success(), "{coder} #{i}: {}", text(&out));
                    ranges.push((start, end, code.clone()));
                }
                ranges
            })
        })
        .collect();

    let editors: Vec<_> = ["lead", "r4"]
        .into_iter()
        .map(|editor| {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut refusals = 0;
                let mut names = Vec::new();
                for i in 0..EDITS_EACH {
                    let path = format!("Refined-{editor}/Code{i}");
                    refusals +=
                        edit_with_retry(&root, &["--coder", editor, "codebook", "add", &path]);
                    let renamed = format!("Renamed {editor} {i}");
                    refusals += edit_with_retry(
                        &root,
                        &["--coder", editor, "codebook", "rename", &path, &renamed],
                    );
                    names.push(format!("Refined-{editor}/{renamed}"));
                }
                (names, refusals)
            })
        })
        .collect();

    // meanwhile a second process of r5 is refused, and r5's file is not touched
    for _ in 0..5 {
        let out = thema(
            &root,
            &["--coder", "r5", "code", "t1", "0", "10", &transport],
        );
        assert!(!out.status.success());
        assert!(
            text(&out).contains("coder 'r5' is already coding in another thema process"),
            "{}",
            text(&out)
        );
        assert!(!codings_path(&root, "r5").exists());
    }

    let coded: Vec<Vec<(usize, usize, String)>> =
        coders.into_iter().map(|c| c.join().unwrap()).collect();
    let edited: Vec<(Vec<String>, usize)> =
        editors.into_iter().map(|e| e.join().unwrap()).collect();
    drop(holder);

    // each coder's file parses and holds exactly that coder's segments
    for (n, coder) in ["r1", "r2", "r3"].into_iter().enumerate() {
        let path = codings_path(&root, coder);
        let raw = std::fs::read_to_string(&path).unwrap();
        let segments: Vec<Segment> = parse_jsonl(&path, &raw, "a segment").unwrap();
        assert_eq!(segments.len(), CODINGS_EACH, "{coder}: {raw}");
        assert!(segments
            .iter()
            .all(|s| s.id.starts_with(&format!("{coder}-"))));
        let on_disk: BTreeSet<(usize, usize, String)> = segments
            .iter()
            .map(|s| (s.start, s.end, s.code.clone()))
            .collect();
        let expected: BTreeSet<(usize, usize, String)> = coded[n].iter().cloned().collect();
        assert_eq!(on_disk, expected, "{coder}'s segments");
        assert!(
            segments
                .windows(2)
                .all(|w| w[0].sort_key() <= w[1].sort_key()),
            "{coder}'s file is sorted"
        );
    }

    // the codebook holds every acknowledged change and equals its replayed history
    let study = Study::open(&root).unwrap();
    for (names, _) in &edited {
        for name in names {
            assert!(
                study.resolve_code(name, None).is_ok(),
                "acknowledged change lost: {name}"
            );
        }
    }
    let loaded = &study.codebooks[0];
    let history = load_history(&root, &loaded.file).unwrap();
    let mut replayed = replay(&loaded.codebook.name, &history, None).unwrap();
    replayed.normalise();
    assert_eq!(replayed.codes, loaded.codebook.codes);
    assert_eq!(
        history.len(),
        3 + 2 * (2 * EDITS_EACH + 1),
        "one history line per change, none twice"
    );
    let errors: Vec<String> = check(&root)
        .unwrap()
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    eprintln!(
        "concurrency: codebook writes refused as changed on disk and retried: {}",
        edited.iter().map(|(_, r)| r).sum::<usize>()
    );
}

#[test]
fn the_same_coder_started_many_times_at_once_is_refused_or_saved_never_half() {
    let (dir, transport, _) = study();
    let root = dir.path().to_path_buf();
    let runs: Vec<_> = (0..12)
        .map(|i| {
            let root = root.clone();
            let code = transport.clone();
            std::thread::spawn(move || {
                let (start, end) = (i * 50, i * 50 + 20);
                let out = thema(
                    &root,
                    &[
                        "--coder",
                        "r6",
                        "code",
                        "t1",
                        &start.to_string(),
                        &end.to_string(),
                        &code,
                    ],
                );
                (start, end, out)
            })
        })
        .collect();
    let mut saved = BTreeSet::new();
    let mut refused = 0;
    for run in runs {
        let (start, end, out) = run.join().unwrap();
        if out.status.success() {
            saved.insert((start, end));
        } else {
            assert!(
                text(&out).contains("coder 'r6' is already coding in another thema process"),
                "{}",
                text(&out)
            );
            refused += 1;
        }
    }
    let study = Study::open(&root).unwrap();
    let on_disk: BTreeSet<(usize, usize)> = study
        .layer("r6")
        .unwrap()
        .iter()
        .map(|s| (s.start, s.end))
        .collect();
    assert_eq!(on_disk, saved, "exactly the acknowledged codings are saved");
    eprintln!(
        "same coder 12 times at once: {} saved, {refused} refused",
        saved.len()
    );
}
