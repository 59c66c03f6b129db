//! `thema play` with fake players (scripts that write down their arguments): each player's
//! argument form, the order in which a player is chosen, turns, interpolated turns, segments and
//! clock times; a missing recording (an error for play, a warning for check); `thema import`
//! recording the recording beside a source; and exports carrying each quote's time.
#![cfg(unix)]

use crate::common;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use common::media::{study_with_recording, FakeBin};

/// `thema -C DIR ARGS` with only `bin` on PATH and no THEMA_PLAYER, run to the end. A fake player
/// written a moment ago can be "busy" if another test forked meanwhile: that one is run again.
fn thema(dir: &Path, bin: &FakeBin, args: &[&str], player_env: Option<&str>) -> Output {
    for _ in 0..3 {
        let mut cmd = Command::cargo_bin("thema").unwrap();
        cmd.arg("-C")
            .arg(dir)
            .args(args)
            .env("PATH", bin.path())
            .env_remove("THEMA_PLAYER")
            .env_remove("THEMA_CODER");
        if let Some(player) = player_env {
            cmd.env("THEMA_PLAYER", player);
        }
        let out = cmd.output().unwrap();
        if !String::from_utf8_lossy(&out.stderr).contains("Text file busy") {
            return out;
        }
    }
    panic!("the fake player stayed busy");
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn study() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    study_with_recording(dir.path());
    dir
}

fn recording(dir: &Path) -> String {
    dir.canonicalize()
        .unwrap()
        .join("media/LW9.ogg")
        .display()
        .to_string()
}

#[test]
fn mpv_then_ffplay_then_vlc_each_with_its_arguments() {
    let dir = study();
    let file = recording(dir.path());
    // turn 6 is stamped 00:01:00; two seconds early by default
    let all = FakeBin::new(&["mpv", "ffplay", "vlc"], false);
    let out = ok(&thema(
        dir.path(),
        &all,
        &["play", "LW9", "--turn", "6"],
        None,
    ));
    assert!(
        out.contains("from 00:00:58 (turn 6 at 00:01:00, 2 s before) with mpv"),
        "{out}"
    );
    assert_eq!(
        all.args("mpv").unwrap(),
        vec!["--start=58".to_string(), file.clone()]
    );
    assert!(all.args("ffplay").is_none() && all.args("vlc").is_none());

    let two = FakeBin::new(&["ffplay", "vlc"], false);
    ok(&thema(
        dir.path(),
        &two,
        &["play", "LW9", "--turn", "6"],
        None,
    ));
    assert_eq!(
        two.args("ffplay").unwrap(),
        vec!["-hide_banner", "-autoexit", "-ss", "58", "-nodisp", &file]
    );

    let one = FakeBin::new(&["vlc"], false);
    ok(&thema(
        dir.path(),
        &one,
        &["play", "LW9", "--turn", "6", "--before", "0"],
        None,
    ));
    assert_eq!(
        one.args("vlc").unwrap(),
        vec!["--play-and-exit", "--start-time=60", &file]
    );
}

#[test]
fn thema_player_then_local_then_study_settings() {
    let dir = study();
    let file = recording(dir.path());
    let bin = FakeBin::new(&["mpv", "ffplay", "vlc", "myplayer"], false);
    std::fs::write(
        dir.path().join("thema.json"),
        r#"{"name": "Listening", "player": "vlc --no-video-title-show"}"#,
    )
    .unwrap();
    ok(&thema(
        dir.path(),
        &bin,
        &["play", "LW9", "--at", "1:30"],
        None,
    ));
    assert_eq!(
        bin.args("vlc").unwrap(),
        vec![
            "--no-video-title-show",
            "--play-and-exit",
            "--start-time=88",
            &file
        ]
    );
    std::fs::write(
        dir.path().join("thema.local.json"),
        r#"{"player": "ffplay -volume 50"}"#,
    )
    .unwrap();
    ok(&thema(
        dir.path(),
        &bin,
        &["play", "LW9", "--at", "1:30"],
        None,
    ));
    assert_eq!(
        bin.args("ffplay").unwrap(),
        vec![
            "-volume",
            "50",
            "-hide_banner",
            "-autoexit",
            "-ss",
            "88",
            "-nodisp",
            &file
        ]
    );
    // THEMA_PLAYER wins; placeholders make it a command of its own
    let out = ok(&thema(
        dir.path(),
        &bin,
        &["play", "LW9", "--at", "00:01:30", "--before", "500ms"],
        Some("myplayer --from {seconds} --file={file}"),
    ));
    assert!(out.contains("with myplayer"), "{out}");
    assert_eq!(
        bin.args("myplayer").unwrap(),
        vec!["--from", "89.5", &format!("--file={file}")]
    );
    assert!(bin.args("mpv").is_none());
    // --dry-run prints the command and starts nothing
    let again = FakeBin::new(&["mpv"], false);
    std::fs::remove_file(dir.path().join("thema.local.json")).unwrap();
    std::fs::write(dir.path().join("thema.json"), "{}").unwrap();
    let out = ok(&thema(
        dir.path(),
        &again,
        &["play", "LW9", "--turn", "1", "--dry-run"],
        None,
    ));
    assert_eq!(
        out.trim(),
        format!("{} --start=0 {file}", again.program("mpv").display())
    );
    assert!(again.args("mpv").is_none());
}

#[test]
fn no_player_names_what_to_install() {
    let dir = study();
    let none = FakeBin::new(&[], false);
    let out = thema(dir.path(), &none, &["play", "LW9", "--turn", "2"], None);
    assert_eq!(out.status.code(), Some(4), "blocked: no player");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no media player found") && err.contains("apt install mpv"),
        "{err}"
    );
    assert!(
        err.contains("ffplay") && err.contains("VLC") && err.contains("THEMA_PLAYER"),
        "{err}"
    );
    let out = thema(
        dir.path(),
        &none,
        &["play", "LW9", "--turn", "2"],
        Some("mplayer"),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("THEMA_PLAYER") && err.contains("not on PATH"),
        "{err}"
    );
}

#[test]
fn interpolated_turns_segments_and_bad_requests() {
    let dir = study();
    let bin = FakeBin::new(&["mpv"], false);
    // turn 3 has no stamp: between turn 2 (00:00:06) and turn 4 (00:00:28)
    let out = ok(&thema(
        dir.path(),
        &bin,
        &["play", "LW9", "--turn", "3", "--before", "0"],
        None,
    ));
    assert!(out.contains("turn 3 at ~00:00:"), "{out}");
    assert!(out.contains("interpolated"), "{out}");
    let start: f64 = bin.args("mpv").unwrap()[0]
        .trim_start_matches("--start=")
        .parse()
        .unwrap();
    assert!(start > 6.0 && start < 28.0, "{start}");

    // a segment in turn 6 (00:01:00 to 00:01:21): from inside the turn
    let coded = thema(
        dir.path(),
        &bin,
        &[
            "--coder",
            "r1",
            "--json",
            "code",
            "LW9",
            "--quote",
            "it stops at six, so evening groups are out",
            "Challenges/Transport",
        ],
        None,
    );
    let segment: serde_json::Value = serde_json::from_str(&ok(&coded)).unwrap();
    let id = segment["id"].as_str().unwrap().to_string();
    let out = ok(&thema(
        dir.path(),
        &bin,
        &["play", "--segment", &id, "--before", "0"],
        None,
    ));
    assert!(out.contains(&format!("segment {id} at ~00:01:")), "{out}");
    let start: f64 = bin.args("mpv").unwrap()[0]
        .trim_start_matches("--start=")
        .parse()
        .unwrap();
    assert!(start > 60.0 && start < 81.0, "{start}");

    let out = thema(dir.path(), &bin, &["play", "LW9", "--turn", "99"], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no turn 99"));
    let out = thema(dir.path(), &bin, &["play", "--segment", "r1-nothing"], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no segment 'r1-nothing'"));
    let out = thema(dir.path(), &bin, &["play", "LW9"], None);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--turn, --segment or --at is required"
    );
    let out = thema(dir.path(), &bin, &["play", "LW9", "--at", "soon"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_recording_fails_play_and_warns_in_check() {
    let dir = study();
    let bin = FakeBin::new(&["mpv"], false);
    // recordings kept out of git: the clone has none
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::rename(
        dir.path().join("media/LW9.ogg"),
        elsewhere.path().join("LW9.ogg"),
    )
    .unwrap();
    let out = thema(dir.path(), &bin, &["play", "LW9", "--turn", "2"], None);
    assert_eq!(out.status.code(), Some(2), "usage: nothing to play");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no recording for 'LW9'")
            && err.contains("media/LW9.ogg")
            && err.contains("thema.local.json"),
        "{err}"
    );
    let check = ok(&thema(dir.path(), &bin, &["check"], None));
    assert!(
        check.contains("transcripts/attributes.csv:2: warning: the recording of 'LW9', media/LW9.ogg, is not on this computer"),
        "{check}"
    );
    assert!(check.contains("0 error(s), 1 warning(s)"), "{check}");
    // this clone's copy, named in the untracked local settings
    std::fs::write(
        dir.path().join("thema.local.json"),
        format!("{{\"media_dir\": \"{}\"}}", elsewhere.path().display()),
    )
    .unwrap();
    ok(&thema(
        dir.path(),
        &bin,
        &["play", "LW9", "--turn", "2"],
        None,
    ));
    let args = bin.args("mpv").unwrap();
    assert!(
        args[1].ends_with("LW9.ogg") && args[1].starts_with(&*elsewhere.path().to_string_lossy())
    );
    assert!(ok(&thema(dir.path(), &bin, &["check"], None)).contains("study is clean"));
    // a new study keeps local settings and recordings out of git
    let gitignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert!(gitignore.contains("thema.local.json") && gitignore.contains("media/"));
}

#[test]
fn import_records_the_recording_beside_the_source() {
    let dir = study();
    let bin = FakeBin::new(&[], false);
    let vtt = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nInterviewer: How was the week?\n\n2\n00:00:05.000 --> 00:00:09.000\nLW7: The bus was late again, so I missed the lunch club.\n";
    // inside the study: recorded relative to it
    let incoming = dir.path().join("incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    std::fs::write(incoming.join("LW7.vtt"), vtt).unwrap();
    std::fs::write(incoming.join("LW7.m4a"), b"audio").unwrap();
    // outside it: recorded by its absolute path; a Zoom name drops ".transcript"
    let outside = tempfile::tempdir().unwrap();
    let zoom = outside.path().join("GMT2024_Recording.transcript.vtt");
    std::fs::write(&zoom, vtt).unwrap();
    std::fs::write(outside.path().join("GMT2024_Recording.m4a"), b"audio").unwrap();
    std::fs::write(outside.path().join("V1.vtt"), vtt).unwrap();
    let out = ok(&thema(
        dir.path(),
        &bin,
        &[
            "import",
            &incoming.join("LW7.vtt").display().to_string(),
            &zoom.display().to_string(),
            &outside.path().join("V1.vtt").display().to_string(),
        ],
        None,
    ));
    assert!(out.contains("recording: incoming/LW7.m4a"), "{out}");
    let csv = std::fs::read_to_string(dir.path().join("transcripts/attributes.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert!(rows[0].split(',').any(|c| c == "media"), "{csv}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("LW7,") && r.ends_with(",incoming/LW7.m4a")),
        "{csv}"
    );
    let absolute = outside
        .path()
        .canonicalize()
        .unwrap()
        .join("GMT2024_Recording.m4a");
    assert!(
        rows.iter().any(|r| r.starts_with("GMT2024_Recording,")
            && r.ends_with(&format!(",{}", absolute.display()))),
        "{csv}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("V1,") && r.ends_with(',')),
        "{csv}"
    );
    // the recording found plays
    let mpv = FakeBin::new(&["mpv"], false);
    ok(&thema(
        dir.path(),
        &mpv,
        &["play", "LW7", "--turn", "2"],
        None,
    ));
    assert!(mpv.args("mpv").unwrap()[1].ends_with("incoming/LW7.m4a"));
}

#[test]
fn exports_carry_each_quotes_time() {
    let dir = study();
    let bin = FakeBin::new(&[], false);
    std::fs::write(
        dir.path().join("thema.json"),
        r#"{"name": "Listening", "attribution": "{participant}, {wave}, {time}"}"#,
    )
    .unwrap();
    for quote in [
        "it stops at six, so evening groups are out",
        "So, first of all, tell me how you came into the role",
    ] {
        ok(&thema(
            dir.path(),
            &bin,
            &[
                "--coder",
                "r1",
                "code",
                "LW9",
                "--quote",
                quote,
                "Challenges/Transport",
            ],
            None,
        ));
    }
    let md = ok(&thema(
        dir.path(),
        &bin,
        &["--coder", "r1", "export", "themes", "--format", "md"],
        None,
    ));
    assert!(
        md.contains("it stops at six, so evening groups are out\" (LW9, first year, 00:01:00)"),
        "{md}"
    );
    // a quote in an unstamped turn: its interpolated time, marked
    assert!(
        md.contains("came into the role\" (LW9, first year, ~00:00:"),
        "{md}"
    );
    let csv = ok(&thema(
        dir.path(),
        &bin,
        &["--coder", "r1", "export", "segments", "--format", "csv"],
        None,
    ));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let time = header.iter().position(|h| *h == "time").unwrap();
    let times: Vec<String> = lines
        .map(|l| l.split(',').nth(time).unwrap_or_default().to_string())
        .collect();
    assert!(times.contains(&"00:01:00".to_string()), "{csv}");
    assert!(times.iter().any(|t| t.starts_with("~00:00:")), "{csv}");
    let json = ok(&thema(
        dir.path(),
        &bin,
        &[
            "--coder", "r1", "--json", "export", "themes", "--format", "json",
        ],
        None,
    ));
    assert!(json.contains("\"time\": \"00:01:00\""), "{json}");
}
