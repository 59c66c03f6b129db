//! Listening in the terminal interface, headless: `P` starts a fake mpv (a script that writes
//! down its arguments and waits) with a control socket, which the test then serves as mpv
//! would; ticks move the transcript with the playback; pause, seek, speed, follow and stop go
//! through the socket. Frames are insta snapshots.
#![cfg(unix)]

use crate::common;

use common::media::{study_with_recording, FakeBin, FakeMpv};
use common::tui::{find_cell, Driver};
use ratatui::style::Color;
use thema::study::coding::Span;
use thema::study::Study;
use thema::tui::action::{Action, PlayerAction};
use thema::tui::selection::turn_at;

/// A study whose transcript has a recording, a segment of r1's in turn 6, and the fake mpv as
/// its player (in the untracked local settings).
fn setup() -> (Driver, FakeBin) {
    let dir = tempfile::tempdir().unwrap();
    study_with_recording(dir.path());
    let mut study = Study::open(dir.path()).unwrap();
    let code = study
        .resolve_code("Challenges/Transport", None)
        .unwrap()
        .id
        .clone();
    study
        .apply_code(
            "r1",
            "LW9",
            &Span::Quote("it stops at six, so evening groups are out".into()),
            &code,
        )
        .unwrap();
    drop(study);
    let bin = FakeBin::new(&["mpv"], true);
    std::fs::write(
        dir.path().join("thema.local.json"),
        serde_json::json!({ "player": bin.program("mpv") }).to_string(),
    )
    .unwrap();
    (Driver::open_as(dir, "r1", 120, 22), bin)
}

fn tick(d: &mut Driver) {
    d.app.update(Action::Player(PlayerAction::Tick));
}

/// The turn (1-based) the cursor is in.
fn cursor_turn(d: &Driver) -> usize {
    let doc = d.app.doc.as_ref().unwrap();
    doc.turns[turn_at(&doc.turns, doc.sel.head)].number
}

/// The socket the fake mpv was told to listen on.
fn socket(args: &[String]) -> std::path::PathBuf {
    args.iter()
        .find_map(|a| a.strip_prefix("--input-ipc-server="))
        .expect("mpv gets a control socket")
        .into()
}

#[test]
fn the_transcript_follows_playback_and_the_keys_control_it() {
    let (mut d, bin) = setup();
    // to turn 4 (00:00:28) and play: two seconds early, silent, with a control socket
    d.keys("}}}");
    assert_eq!(cursor_turn(&d), 4);
    d.keys("P");
    let args = bin.wait_args("mpv");
    assert_eq!(args[0], "--start=26");
    assert_eq!(args[1..3], ["--input-terminal=no", "--msg-level=all=warn"]);
    assert!(args[4].ends_with("media/LW9.ogg"), "{args:?}");
    let mpv = FakeMpv::listen(&socket(&args), 30.0);
    tick(&mut d);
    let screen = d.screen();
    assert!(
        screen.contains("playing LW9 from 00:00:26 (turn 4 at 00:00:28) with mpv"),
        "{screen}"
    );
    assert!(screen.contains("▶ LW9 00:00:30"), "{screen}");
    assert!(screen.contains("▶ turn 4"), "{screen}");

    // the recording moves on: the cursor and the view follow to the turn being spoken
    mpv.set_time(86.0);
    tick(&mut d);
    assert_eq!(cursor_turn(&d), 8);
    let screen = d.screen();
    insta::assert_snapshot!("following_turn_8", screen);
    assert!(screen.contains("▶ LW9 00:01:26") && screen.contains("▶ turn 8"));
    // the spoken turn's stamp and label stand out
    let buffer = d.terminal.backend().buffer().clone();
    let (x, y) = find_cell(&buffer, "[00:01:25] LW9:");
    assert_eq!(buffer[(x + 1, y)].bg, Color::Green);
    let (x, y) = find_cell(&buffer, "[00:01:53] Interviewer:");
    assert_ne!(buffer[(x + 1, y)].bg, Color::Green);

    // pause, back 5 s, slower twice: all through the socket
    d.keys("K");
    d.keys("J");
    d.keys("<<");
    let state = mpv.state();
    assert!(state.paused);
    assert_eq!(state.time_pos, 81.0);
    assert_eq!(state.speed, 0.75);
    assert!(state
        .commands
        .contains(&serde_json::json!(["cycle", "pause"])));
    assert!(state
        .commands
        .contains(&serde_json::json!(["seek", -5.0, "relative", "exact"])));
    tick(&mut d);
    assert_eq!(cursor_turn(&d), 7, "01:21 is turn 7");
    let screen = d.screen();
    insta::assert_snapshot!("paused_and_slowed", screen);
    assert!(screen.contains("⏸ LW9 00:01:21 ×0.75"), "{screen}");
    d.keys(">");
    assert_eq!(mpv.state().speed, 0.9);

    // following off: the position still shows, the cursor stays
    d.keys("F");
    mpv.set_time(151.0);
    tick(&mut d);
    assert_eq!(cursor_turn(&d), 7);
    let screen = d.screen();
    assert!(
        screen.contains("▶ turn 12") && screen.contains("not following"),
        "{screen}"
    );
    d.keys("F");
    assert_eq!(cursor_turn(&d), 12, "following again catches up");

    // P on a coded segment moves the running mpv to the segment's start (inside turn 6)
    d.keys("[");
    assert!(d.app.selected_text().starts_with("it stops at six"));
    d.keys("P");
    let seek = mpv
        .state()
        .commands
        .iter()
        .rev()
        .find(|c| c[0] == "seek" && c[2] == "absolute")
        .cloned()
        .expect("an absolute seek");
    let to = seek[1].as_f64().unwrap();
    assert!(to > 58.0 && to < 79.0, "{seek}");
    assert!(d.screen().contains("(segment r1-"), "a segment named");
    assert!(bin.args("mpv").is_some(), "no second player was started");

    // stop: the player process ends and the bar forgets it
    let socket_path = socket(&args);
    d.keys("X");
    assert!(!d.app.player.is_active());
    let screen = d.screen();
    assert!(
        screen.contains("playback stopped") && !screen.contains("▶ LW9"),
        "{screen}"
    );
    assert!(!socket_path.exists(), "the socket is removed");
}

#[test]
fn without_a_recording_or_timestamps_the_bar_says_why() {
    let (mut d, _bin) = setup();
    std::fs::remove_file(d.root().join("media/LW9.ogg")).unwrap();
    d.keys("P");
    let screen = d.screen();
    assert!(screen.contains("no recording for 'LW9'"), "{screen}");
    assert!(!d.app.player.is_active());
    d.keys("K");
    assert!(d
        .screen()
        .contains("nothing is playing (P plays from the cursor)"));
}

#[test]
fn help_lists_the_playback_keys() {
    let (mut d, _bin) = setup();
    d.keys("?");
    let mut text = String::new();
    for _ in 0..12 {
        text.push_str(&d.screen());
        d.app.update(Action::PageDown);
    }
    for line in [
        "The recording",
        "play from the turn or segment under the cursor",
        "pause / go on",
        "back 5 s",
        "slower",
        "the transcript follows playback on/off",
        "stop playing",
    ] {
        assert!(text.contains(line), "{line} not in help:\n{text}");
    }
}
