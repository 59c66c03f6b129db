//! Playing a transcript's recording from a moment: which player to start and with which
//! arguments ([`player`]), when a turn, a segment or a clock time is ([`cue`]), a player running
//! beside the terminal interface ([`playback`]) and mpv's JSON control socket ([`ipc`]).
//!
//! Finding the recording is the study's job (`study::media`); this module starts and talks to
//! external players only. mpv is the one thema can pause, seek, slow down and ask for the
//! position; ffplay and VLC only start at a moment.

pub mod cue;
pub mod ipc;
pub mod playback;
pub mod player;

use std::path::PathBuf;

pub use cue::{cue, numbered_turn, Cue, Target};
pub use playback::{Playback, Position, Status};
pub use player::{Kind, Launch, Player};

/// What to install, said wherever thema finds no usable player.
pub const INSTALL_HINT: &str = "install mpv (Debian/Ubuntu: sudo apt install mpv; Fedora: sudo dnf install mpv; macOS: brew install mpv; Windows: winget install mpv), or else ffmpeg (for ffplay) or VLC; or name your player in THEMA_PLAYER, e.g. THEMA_PLAYER='myplayer --start={seconds} {file}'";

/// Errors of starting, finding and controlling a player.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// No player on PATH and none configured.
    #[error("no media player found on PATH (looked for mpv, ffplay and vlc): {INSTALL_HINT}")]
    NoPlayer,
    /// A configured player command that cannot be used.
    #[error("the player in {origin} ('{command}'): {message}")]
    BadPlayer {
        /// Where it was configured: `THEMA_PLAYER`, `thema.json`, `thema.local.json`.
        origin: String,
        /// The command as written.
        command: String,
        /// What is wrong with it.
        message: String,
    },
    /// The player program could not be started.
    #[error("cannot start {program}: {source}")]
    Start {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The player ran and failed.
    #[error("{program} stopped with {status}{detail}")]
    Failed {
        /// The program.
        program: String,
        /// Its exit status.
        status: String,
        /// What it said last, if anything (`: …`).
        detail: String,
    },
    /// Pause, seek or speed asked of a player thema cannot control.
    #[error("{0} cannot be paused, moved or slowed down from thema; mpv can: {INSTALL_HINT}")]
    NotControllable(String),
    /// mpv's control socket failed.
    #[error("mpv's control socket {path}: {message}")]
    Ipc {
        /// The socket.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A turn, segment or time that cannot be placed in the recording.
    #[error("{0}")]
    Cue(String),
}
