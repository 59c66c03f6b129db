//! A real mpv on a recording made at test time (espeak-ng speaks, sox pads): it starts at the
//! moment asked, seeks, pauses, slows down and reports its position through its control socket,
//! and `thema play` runs it in the foreground to the end.
//!
//! mpv, espeak-ng and sox are installed by `scripts/setup-test-tools.sh` (CI runs it). When one
//! is missing the tests fail saying so, unless `THEMA_SKIP_MPV=1` asks to skip them (locally).
//! mpv plays into its null audio output, so the tests are silent and need no sound card.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use thema::media::{Playback, Player, Position, Status};

/// Whether the tools are here; a clear failure when not, unless skipping was asked for.
fn tools() -> bool {
    let path = std::env::var_os("PATH");
    let missing: Vec<&str> = ["mpv", "espeak-ng", "sox"]
        .into_iter()
        .filter(|t| thema::media::player::find_on_path(t, path.as_deref()).is_none())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let list = missing.join(", ");
    if std::env::var("THEMA_SKIP_MPV").as_deref() == Ok("1") {
        eprintln!("SKIPPED: {list} not installed (THEMA_SKIP_MPV=1)");
        return false;
    }
    panic!(
        "{list} not installed: run scripts/setup-test-tools.sh (CI does), or set THEMA_SKIP_MPV=1 to skip the real-mpv tests on this machine"
    );
}

/// Speech ("one" to "twenty", about seven seconds) padded with silence to `seconds`, as WAV.
fn recording(dir: &Path, seconds: f64) -> PathBuf {
    let speech = dir.join("speech.wav");
    let status = Command::new("espeak-ng")
        .arg("-w")
        .arg(&speech)
        .arg("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty")
        .status()
        .unwrap();
    assert!(status.success(), "espeak-ng failed");
    let out = dir.join("recording.wav");
    let status = Command::new("sox")
        .arg("-V1")
        .arg(&speech)
        .arg(&out)
        .args(["pad", "0", "30", "trim", "0", &seconds.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "sox failed");
    out
}

/// The null audio output, and no user configuration.
const MPV: &str = "mpv --no-config --ao=null";

fn mpv() -> Player {
    let path = std::env::var_os("PATH");
    Player::from_command(MPV, "test", path.as_deref()).unwrap()
}

/// Polls until mpv answers with a position (ten seconds at most).
fn position(playback: &mut Playback) -> Position {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        match playback.poll() {
            Status::Playing(p) => return p,
            Status::Starting => {}
            Status::Ended(why) => panic!("mpv ended: {why:?}"),
        }
        assert!(Instant::now() < until, "mpv never answered on its socket");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn mpv_starts_at_the_moment_seeks_pauses_and_slows_down() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = recording(dir.path(), 25.0);
    let mut playback = Playback::start(&mpv(), &file, 3.0).unwrap();
    assert!(playback.controllable());
    let start = position(&mut playback);
    assert!(
        start.exact && !start.paused && start.speed == 1.0,
        "{start:?}"
    );
    assert!((3.0..6.0).contains(&start.seconds), "{start:?}");
    // playing: the position moves on (a seek sent while mpv is still opening the file may be
    // overtaken by its own start)
    let until = Instant::now() + Duration::from_secs(10);
    let start = loop {
        let now = position(&mut playback);
        if now.seconds > start.seconds + 0.3 {
            break now;
        }
        assert!(Instant::now() < until, "mpv is not playing: {now:?}");
        std::thread::sleep(Duration::from_millis(50));
    };

    playback.seek_by(5.0).unwrap();
    let ahead = position(&mut playback);
    assert!(
        ahead.seconds >= start.seconds + 4.5 && ahead.seconds < start.seconds + 8.0,
        "{start:?} then {ahead:?}"
    );

    assert!(playback.toggle_pause().unwrap());
    let held = position(&mut playback);
    std::thread::sleep(Duration::from_millis(500));
    let later = position(&mut playback);
    assert!(held.paused && later.paused);
    assert!(
        (later.seconds - held.seconds).abs() < 0.05,
        "{held:?} {later:?}"
    );

    assert!(!playback.toggle_pause().unwrap());
    playback.set_speed(0.5).unwrap();
    assert_eq!(position(&mut playback).speed, 0.5);
    playback.seek_to(1.0).unwrap();
    let back = position(&mut playback);
    assert!((1.0..3.0).contains(&back.seconds), "{back:?}");

    let before = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("thema-mpv-{}-", std::process::id()))
        })
        .count();
    assert!(before >= 1, "the control socket is in the temporary folder");
    drop(playback);
    let after = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("thema-mpv-{}-", std::process::id()))
        })
        .count();
    assert!(after < before, "stopping removes the control socket");
}

#[test]
fn thema_play_runs_mpv_to_the_end() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("study");
    thema::study::Study::init(&root, "Listening").unwrap();
    thema::study::files::save_transcript(
        &root,
        "T1",
        "[00:00:00] Interviewer: Count for me.\n\n[00:00:07] P1: Nineteen, twenty.\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("media")).unwrap();
    let file = recording(dir.path(), 8.5);
    std::fs::copy(&file, root.join("media/T1.wav")).unwrap();
    let started = Instant::now();
    let out = assert_cmd::Command::cargo_bin("thema")
        .unwrap()
        .arg("-C")
        .arg(&root)
        .args(["play", "T1", "--turn", "2", "--before", "0"])
        .env("THEMA_PLAYER", MPV)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("T1: ") && stdout.contains("from 00:00:07 (turn 2 at 00:00:07) with mpv"),
        "{stdout}"
    );
    // 1.5 s of recording were left after 00:00:07
    assert!(
        started.elapsed() >= Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_file_mpv_cannot_play_ends_with_mpvs_reason() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.ogg");
    std::fs::write(&file, b"this is not a recording").unwrap();
    let mut playback = Playback::start(&mpv(), &file, 0.0).unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    let why = loop {
        match playback.poll() {
            Status::Ended(why) => break why,
            Status::Playing(p) => panic!("mpv played a broken file: {p:?}"),
            Status::Starting => {}
        }
        assert!(Instant::now() < until, "mpv did not give up");
        std::thread::sleep(Duration::from_millis(50));
    };
    let why = why.expect("a reason");
    eprintln!("{why}");
    assert!(
        why.starts_with("mpv stopped with exit status: 2: "),
        "{why}"
    );
}
