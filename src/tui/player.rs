//! Listening while coding: the player's state in the terminal interface and what its keys do.
//!
//! `P` plays the open transcript's recording from the turn under the cursor (from the start of
//! the selection or of the segment under the cursor, when there is one; in the retrieval pane,
//! from the highlighted segment), two seconds early. While it plays, every tick asks the player
//! where it is: the status bar shows the time, the transcript view marks the turn being spoken,
//! and — when following is on and nothing is selected — the cursor moves to that turn and the
//! view scrolls with it. Pause, seeking and speed go through mpv's control socket; other players
//! only start and stop.
//!
//! The app holds a [`Player`] and routes [`PlayerAction`]s to [`update`]; the recording is
//! found and the player chosen through the study and `crate::media`, never here.

use std::time::Duration;

use crate::media::{cue, Playback, Player as Program, Position, Status, Target};
use crate::model::timeline::format_clock;
use crate::model::{Timeline, Transcript};
use crate::study::media::load_local;
use crate::tui::action::Pane;
use crate::tui::app::App;
use crate::tui::selection::{self as sel, Range};

/// What the playback keys ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayerAction {
    /// Play from the turn or segment under the cursor (or move a playing mpv there).
    PlayHere,
    /// Pause, or go on.
    PauseResume,
    /// Move by this many seconds (negative: back).
    Seek(i32),
    /// The next slower speed.
    Slower,
    /// The next faster speed.
    Faster,
    /// The transcript follows playback, or not.
    ToggleFollow,
    /// Stop the player.
    Stop,
    /// Time passed: ask the player where it is.
    Tick,
}

/// Seconds played before the moment asked for, to hear it come in (`thema play --before`).
pub const LEAD_IN: f64 = 2.0;
/// Seconds `J` and `L` move by.
pub const SEEK_STEP: i32 = 5;
/// The speeds `<` and `>` step through.
pub const SPEEDS: [f64; 9] = [0.5, 0.6, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0];
/// How often the event loop ticks while something plays.
pub const TICK: Duration = Duration::from_millis(250);

/// The player as the interface knows it.
#[derive(Debug)]
pub struct Player {
    playback: Option<Playback>,
    /// The transcript being played.
    pub transcript: Option<String>,
    timeline: Option<Timeline>,
    /// Where the player was at the last tick.
    pub position: Option<Position>,
    /// The turn being spoken (index into the transcript's turns).
    pub spoken: Option<usize>,
    /// Whether the transcript follows playback.
    pub follow: bool,
    /// The turn the cursor was last moved to by following.
    followed: Option<usize>,
}

impl Default for Player {
    fn default() -> Self {
        Player {
            playback: None,
            transcript: None,
            timeline: None,
            position: None,
            spoken: None,
            follow: true,
            followed: None,
        }
    }
}

impl Player {
    /// Whether a player is running (the event loop then ticks).
    pub fn is_active(&self) -> bool {
        self.playback.is_some()
    }

    /// The turn being spoken, if `transcript` is the one playing.
    pub fn spoken_in(&self, transcript: &str) -> Option<usize> {
        (self.transcript.as_deref() == Some(transcript))
            .then_some(self.spoken)
            .flatten()
    }

    /// Follows `playback` of `transcript` (a player started elsewhere, e.g. an mpv attached to).
    pub fn attach(&mut self, transcript: &Transcript, playback: Playback) {
        self.playback = Some(playback);
        self.transcript = Some(transcript.id.clone());
        self.timeline = Timeline::of(transcript);
        self.position = None;
        self.spoken = None;
        self.followed = None;
    }

    /// The status bar's words: `▶ LW9-y1 00:01:25 ×0.75`, `⏸ …`, `~` before a time estimated
    /// from the clock; `None` when nothing plays.
    pub fn status(&self) -> Option<String> {
        let playback = self.playback.as_ref()?;
        let id = self.transcript.as_deref().unwrap_or_default();
        let Some(p) = self.position else {
            return Some(format!("▶ {id} starting {}…", playback.name()));
        };
        let icon = if p.paused { "⏸" } else { "▶" };
        let mark = if p.exact { "" } else { "~" };
        let mut out = format!("{icon} {id} {mark}{}", format_clock(p.seconds));
        if (p.speed - 1.0).abs() > 1e-3 {
            out.push_str(&format!(
                " ×{}",
                crate::media::player::format_seconds(p.speed)
            ));
        }
        if !self.follow {
            out.push_str(" · not following");
        }
        Some(out)
    }

    fn stop(&mut self) {
        self.playback = None;
        self.position = None;
        self.spoken = None;
        self.followed = None;
    }
}

/// Carries out a playback action on the app.
pub fn update(app: &mut App, action: PlayerAction) {
    match action {
        PlayerAction::PlayHere => play_here(app),
        PlayerAction::Tick => tick(app),
        PlayerAction::ToggleFollow => {
            app.player.follow = !app.player.follow;
            app.player.followed = None;
            if app.player.follow {
                app.info("the transcript follows playback (F: stop following)");
                follow(app);
            } else {
                app.info("not following playback: the cursor stays where you put it");
            }
        }
        PlayerAction::Stop => {
            if app.player.is_active() {
                app.player.stop();
                app.info("playback stopped");
            } else {
                app.info("nothing is playing (P plays from the cursor)");
            }
        }
        PlayerAction::PauseResume
        | PlayerAction::Seek(_)
        | PlayerAction::Slower
        | PlayerAction::Faster => control(app, action),
    }
}

/// Pause, seek and speed, through the running player.
fn control(app: &mut App, action: PlayerAction) {
    let Some(playback) = app.player.playback.as_mut() else {
        app.error("nothing is playing (P plays from the cursor)");
        return;
    };
    let result = match action {
        PlayerAction::PauseResume => playback
            .toggle_pause()
            .map(|paused| if paused { "paused" } else { "playing" }.to_string()),
        PlayerAction::Seek(by) => playback
            .seek_by(f64::from(by))
            .map(|()| format!("{}{by} s", if by > 0 { "+" } else { "" })),
        PlayerAction::Slower | PlayerAction::Faster => {
            let now = playback.speed();
            let next = if action == PlayerAction::Slower {
                SPEEDS.iter().rev().find(|s| **s < now - 1e-6)
            } else {
                SPEEDS.iter().find(|s| **s > now + 1e-6)
            };
            match next {
                Some(&speed) => playback
                    .set_speed(speed)
                    .map(|()| format!("speed ×{}", crate::media::player::format_seconds(speed))),
                None => Ok(format!(
                    "speed ×{} is the {} there is",
                    crate::media::player::format_seconds(now),
                    if action == PlayerAction::Slower {
                        "slowest"
                    } else {
                        "fastest"
                    }
                )),
            }
        }
        _ => return,
    };
    match result {
        Ok(text) => {
            tick(app);
            app.info(text);
        }
        Err(e) => app.error(e.to_string()),
    }
}

/// The transcript and the place to play from: the highlighted segment in the retrieval pane;
/// in the transcript, this coder's segment under the cursor (or selected exactly), else the
/// selection's start, else the turn under the cursor.
fn here(app: &App) -> Option<(String, Target)> {
    if app.focus == Pane::Retrieval {
        let r = app.retrieval.current()?;
        return Some((
            r.transcript.clone(),
            Target::Offset {
                offset: r.start,
                label: format!("segment {}", r.segment),
            },
        ));
    }
    let doc = app.doc.as_ref()?;
    let t = &doc.text;
    let (from, to) = (doc.sel.from(), doc.sel.to());
    let segment = app
        .segment_under_cursor()
        .filter(|s| from == to || (s.start == from && s.end == to));
    let target = if let Some(span) = segment {
        Target::Offset {
            offset: t.index.char_of(&t.text, span.start),
            label: format!("segment {}", span.segment),
        }
    } else if from < to {
        Target::Offset {
            offset: t.index.char_of(&t.text, from),
            label: "the selection".to_string(),
        }
    } else {
        let turn = doc.turns.get(sel::turn_at(&doc.turns, doc.sel.head))?;
        Target::Turn(turn.number)
    };
    Some((t.id.clone(), target))
}

fn play_here(app: &mut App) {
    let Some((id, target)) = here(app) else {
        app.error("open a transcript first (P plays its recording from the cursor)");
        return;
    };
    let transcript = match app.study.transcript(&id) {
        Ok(t) => t,
        Err(e) => return app.error(e.to_string()),
    };
    let cue = match cue(&transcript, &target) {
        Ok(c) => c,
        Err(e) => return app.error(e.to_string()),
    };
    let from = cue.start(LEAD_IN);
    // a controllable player already on this recording just moves
    let same = app.player.transcript.as_deref() == Some(transcript.id.as_str());
    if let (true, Some(playback)) = (same, app.player.playback.as_mut()) {
        if playback.controllable() {
            let moved = playback.seek_to(from);
            let resumed = match app.player.position {
                Some(p) if p.paused => playback.toggle_pause().map(drop),
                _ => Ok(()),
            };
            match moved.and(resumed) {
                Ok(()) => {
                    app.player.followed = None;
                    tick(app);
                    app.info(format!("▶ {} ({})", format_clock(from), cue.what));
                }
                Err(e) => app.error(e.to_string()),
            }
            return;
        }
    }
    let started = (|| -> Result<(Playback, String), String> {
        let link = app.study.media(&transcript.id).map_err(|e| e.to_string())?;
        let file = link.require().map_err(|e| e.to_string())?;
        let local = load_local(&app.study.root).map_err(|e| e.to_string())?;
        let program = Program::for_study(&app.study.settings, &local).map_err(|e| e.to_string())?;
        let playback = Playback::start(&program, file, from).map_err(|e| e.to_string())?;
        let note = if program.controllable() {
            String::new()
        } else {
            format!(
                " ({} cannot be paused or moved from thema; mpv can)",
                program.name()
            )
        };
        Ok((playback, note))
    })();
    match started {
        Ok((playback, note)) => {
            let name = playback.name().to_string();
            // the old player (if any) stops as it is replaced
            app.player.stop();
            app.player.attach(&transcript, playback);
            app.info(format!(
                "playing {} from {} ({}) with {name}{note}",
                transcript.id,
                format_clock(from),
                cue.what
            ));
        }
        Err(e) => app.error(e),
    }
}

/// Asks the player where it is and follows it.
fn tick(app: &mut App) {
    let Some(playback) = app.player.playback.as_mut() else {
        return;
    };
    match playback.poll() {
        Status::Starting => {}
        Status::Playing(position) => {
            app.player.position = Some(position);
            app.player.spoken = app
                .player
                .timeline
                .as_ref()
                .and_then(|t| t.spoken_at(position.seconds));
            follow(app);
        }
        Status::Ended(why) => {
            app.player.stop();
            match why {
                Some(why) => app.error(why),
                None => app.info("playback ended"),
            }
        }
    }
}

/// Moves the cursor to the turn being spoken when it changed, following is on, the transcript
/// on screen is the one playing and nothing is selected; the turn goes a quarter down the view.
fn follow(app: &mut App) {
    let player = &app.player;
    let (Some(turn), Some(id)) = (player.spoken, player.transcript.as_deref()) else {
        return;
    };
    if !player.follow || player.followed == Some(turn) || app.select_mode {
        return;
    }
    let Some(doc) = app.doc.as_mut() else {
        return;
    };
    if doc.text.id != id || !doc.sel.is_empty() {
        return;
    }
    let Some(start) = doc.turns.get(turn).map(|t| t.body_start) else {
        return;
    };
    doc.sel = Range::point(start);
    doc.goal_col = None;
    app.player.followed = Some(turn);
    app.scroll_cursor_high();
}
