//! A player running beside the terminal interface: started silent in the background, asked for
//! its position on every tick, paused, moved and slowed down through mpv's control socket, and
//! stopped (its process ended, its socket and log removed) when dropped.
//!
//! Players thema cannot control (ffplay, VLC, a custom command) report a position estimated
//! from the clock since they started, marked inexact. [`run`] is the other way to play: in the
//! foreground of the terminal, for `thema play`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde_json::{json, Value};

use crate::media::ipc::Ipc;
use crate::media::player::{Launch, Player};
use crate::media::MediaError;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Where the player is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    /// Seconds from the start of the recording.
    pub seconds: f64,
    /// Whether it is paused.
    pub paused: bool,
    /// Playback speed (1.0 is normal).
    pub speed: f64,
    /// Whether the player said so (mpv), or thema estimated it from the clock.
    pub exact: bool,
}

/// What a poll found.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Started, not yet answering (mpv opens its socket after a moment).
    Starting,
    /// Playing or paused here.
    Playing(Position),
    /// The player has gone: at the end of the recording, closed by the user, or failed (why).
    Ended(Option<String>),
}

/// A player started by thema (or an mpv it attached to).
#[derive(Debug)]
pub struct Playback {
    name: String,
    controllable: bool,
    child: Option<Child>,
    socket: Option<PathBuf>,
    ipc: Option<Ipc>,
    /// Files of ours to remove at the end (socket, logs).
    owned: Vec<PathBuf>,
    /// The player's output, then its error output: the last line of the first with any says
    /// why it failed.
    logs: Vec<PathBuf>,
    started: Instant,
    from: f64,
    speed: f64,
}

/// A fresh path in the temporary folder: `thema-KIND-PID-N.EXT`.
fn scratch(kind: &str, ext: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("thema-{kind}-{}-{n}.{ext}", std::process::id()))
}

impl Playback {
    /// Starts `player` on `file` from `seconds`, silent and in the background; mpv gets a
    /// control socket.
    pub fn start(player: &Player, file: &Path, seconds: f64) -> Result<Playback, MediaError> {
        let socket = (player.controllable() && cfg!(unix)).then(|| scratch("mpv", "sock"));
        if let Some(socket) = &socket {
            let _ = std::fs::remove_file(socket);
        }
        // what the player says (mpv writes its messages to stdout), and what the libraries
        // under it say (stderr)
        let logs = [scratch("player", "out"), scratch("player", "err")];
        let [stdout, stderr] = logs.clone().map(|log| {
            File::create(log)
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null())
        });
        let launch = Launch::Background {
            ipc: socket.clone(),
        };
        let child = Command::new(&player.program)
            .args(player.args(file, seconds, &launch))
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|source| MediaError::Start {
                program: player.program.display().to_string(),
                source,
            })?;
        let mut owned = logs.to_vec();
        owned.extend(socket.clone());
        Ok(Playback {
            name: player.name(),
            controllable: socket.is_some(),
            child: Some(child),
            socket,
            ipc: None,
            owned,
            logs: logs.to_vec(),
            started: Instant::now(),
            from: seconds,
            speed: 1.0,
        })
    }

    /// Takes control of an mpv already running with `--input-ipc-server=SOCKET` (thema neither
    /// started it nor removes its socket).
    pub fn attach(socket: &Path) -> Playback {
        Playback {
            name: "mpv".to_string(),
            controllable: true,
            child: None,
            socket: Some(socket.to_path_buf()),
            ipc: None,
            owned: Vec::new(),
            logs: Vec::new(),
            started: Instant::now(),
            from: 0.0,
            speed: 1.0,
        }
    }

    /// The player's name (`mpv`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether pause, seek and speed work.
    pub fn controllable(&self) -> bool {
        self.controllable
    }

    /// The speed last set or read.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Where the player is now, or that it has gone.
    pub fn poll(&mut self) -> Status {
        if let Some(ended) = self.exited() {
            return ended;
        }
        if !self.controllable {
            let seconds = self.from + self.started.elapsed().as_secs_f64();
            return Status::Playing(Position {
                seconds,
                paused: false,
                speed: 1.0,
                exact: false,
            });
        }
        if self.ipc.is_none() {
            match self.socket.as_deref().map(Ipc::connect) {
                Some(Ok(ipc)) => self.ipc = Some(ipc),
                Some(Err(e)) if self.child.is_none() => return Status::Ended(Some(e.to_string())),
                _ => return Status::Starting,
            }
        }
        match self.read_position() {
            Ok(Some(position)) => Status::Playing(position),
            Ok(None) => Status::Starting,
            Err(_) => {
                // the socket went away: the player is closing; an attached one has gone
                self.ipc = None;
                match self.child {
                    Some(_) => self.exited().unwrap_or(Status::Starting),
                    None => Status::Ended(None),
                }
            }
        }
    }

    /// The position through the socket; `None` while mpv has no file loaded yet.
    fn read_position(&mut self) -> Result<Option<Position>, MediaError> {
        let Some(ipc) = self.ipc.as_mut() else {
            return Ok(None);
        };
        let seconds = match ipc.get("time-pos") {
            Ok(Value::Number(n)) => n.as_f64(),
            Ok(_) => None,
            Err(MediaError::Ipc { message, .. }) if message.contains("unavailable") => None,
            Err(e) => return Err(e),
        };
        let Some(seconds) = seconds else {
            return Ok(None);
        };
        let paused = ipc.get("pause")?.as_bool().unwrap_or(false);
        if let Some(speed) = ipc.get("speed")?.as_f64() {
            self.speed = speed;
        }
        Ok(Some(Position {
            seconds,
            paused,
            speed: self.speed,
            exact: true,
        }))
    }

    /// `Some` once the started process has ended, saying why when it failed.
    fn exited(&mut self) -> Option<Status> {
        let child = self.child.as_mut()?;
        let status = child.try_wait().ok()??;
        self.child = None;
        if status.success() {
            return Some(Status::Ended(None));
        }
        let last = self.logs.iter().find_map(|log| {
            let text = std::fs::read_to_string(log).ok()?;
            text.lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| l.chars().take(160).collect::<String>())
        });
        let detail = last.map(|l| format!(": {l}")).unwrap_or_default();
        Some(Status::Ended(Some(format!(
            "{} stopped with {status}{detail}",
            self.name
        ))))
    }

    fn control(&mut self, command: Value) -> Result<Value, MediaError> {
        if !self.controllable {
            return Err(MediaError::NotControllable(self.name.clone()));
        }
        if self.ipc.is_none() {
            let socket = self.socket.clone().unwrap_or_default();
            self.ipc = Some(Ipc::connect(&socket)?);
        }
        match self.ipc.as_mut() {
            Some(ipc) => ipc.command(command),
            None => Err(MediaError::NotControllable(self.name.clone())),
        }
    }

    /// Pauses or resumes; returns whether it is now paused.
    pub fn toggle_pause(&mut self) -> Result<bool, MediaError> {
        self.control(json!(["cycle", "pause"]))?;
        Ok(self
            .control(json!(["get_property", "pause"]))?
            .as_bool()
            .unwrap_or(false))
    }

    /// Moves by `seconds` (negative: back).
    pub fn seek_by(&mut self, seconds: f64) -> Result<(), MediaError> {
        self.control(json!(["seek", seconds, "relative", "exact"]))
            .map(drop)
    }

    /// Moves to `seconds` from the start.
    pub fn seek_to(&mut self, seconds: f64) -> Result<(), MediaError> {
        self.control(json!(["seek", seconds.max(0.0), "absolute", "exact"]))
            .map(drop)
    }

    /// Plays at `speed` (1.0 normal; mpv keeps the pitch).
    pub fn set_speed(&mut self, speed: f64) -> Result<(), MediaError> {
        self.control(json!(["set_property", "speed", speed]))?;
        self.speed = speed;
        Ok(())
    }

    /// Ends playback: the process thema started is ended, an attached mpv is asked to quit.
    pub fn stop(&mut self) {
        match self.child.take() {
            Some(mut child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            None => {
                if let Some(ipc) = self.ipc.as_mut() {
                    let _ = ipc.command(json!(["quit"]));
                }
            }
        }
        self.ipc = None;
        for path in self.owned.drain(..) {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for Playback {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Plays `file` from `seconds` in the foreground of this terminal (the player's own keys work)
/// and waits until it ends.
pub fn run(player: &Player, file: &Path, seconds: f64) -> Result<(), MediaError> {
    let status = Command::new(&player.program)
        .args(player.args(file, seconds, &Launch::Foreground))
        .status()
        .map_err(|source| MediaError::Start {
            program: player.program.display().to_string(),
            source,
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(MediaError::Failed {
            program: player.name(),
            status: status.to_string(),
            detail: String::new(),
        })
    }
}
