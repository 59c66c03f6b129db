//! Recordings and players for tests: a study whose transcript has a recording, fake players
//! (scripts that write down their arguments) and a fake mpv control socket.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tempfile::TempDir;
use thema::model::codebook::Description;
use thema::model::Attributes;
use thema::study::files::{save_attributes, save_transcript};
use thema::study::Study;

/// Turn 3 has no timestamp (it is interpolated between 00:00:06 and 00:00:28).
pub const LW9: &str = "[00:00:02] Interviewer: Hi, can you hear me okay?

[00:00:06] LW9: Yeah, I can hear you. Sorry, my camera's a bit slow today.

Interviewer: Lovely. So, first of all, tell me how you came into the role.

[00:00:28] LW9: I was a health trainer before this, with the council, doing weight management and stop smoking.

[00:00:57] Interviewer: And your patch?

[00:01:00] LW9: The eastern villages. There's a bus along the coast road but it stops at six, so evening groups are out.

[00:01:21] Interviewer: What does a good week look like for you?

[00:01:25] LW9: A good week is when I get someone to the walking group. Honestly. It's got fourteen regulars now.

[00:01:53] Interviewer: So you've had to create groups as well as refer into them.

[00:01:58] LW9: Out here you have to. You can't refer someone to a gap, so I find a hall and a volunteer.

[00:02:26] Interviewer: How do you find the monitoring side?

[00:02:30] LW9: I don't mind it. What I don't like is that it only measures the person, not the community.
";

/// A study with transcript `LW9` (above), its recording at `media/LW9.ogg` (not real audio:
/// fake players never open it), attributes with a `media` column, and one code.
pub fn study_with_recording(dir: &Path) {
    Study::init(dir, "Listening").unwrap();
    save_transcript(dir, "LW9", LW9).unwrap();
    let mut attrs = Attributes::default();
    attrs.set("LW9", "participant", "LW9");
    attrs.set("LW9", "wave", "first year");
    attrs.set("LW9", "media", "media/LW9.ogg");
    save_attributes(dir, &attrs).unwrap();
    std::fs::create_dir_all(dir.join("media")).unwrap();
    std::fs::write(dir.join("media/LW9.ogg"), b"OggS not really").unwrap();
    let mut study = Study::open(dir).unwrap();
    study
        .add_code(
            "r1",
            Some("link-workers"),
            "Challenges/Transport",
            &Description::default(),
            None,
        )
        .unwrap();
}

/// A folder of fake players: each records its arguments, one per line, in `NAME.args`, then
/// exits (or, lingering, waits as a playing player would, until it is ended).
pub struct FakeBin {
    pub dir: TempDir,
}

impl FakeBin {
    /// Fake players named `names`.
    pub fn new(names: &[&str], linger: bool) -> FakeBin {
        let dir = tempfile::tempdir().unwrap();
        for name in names {
            let args = dir.path().join(format!("{name}.args"));
            let then = if linger {
                "exec /bin/sleep 60"
            } else {
                "exit 0"
            };
            let script = format!(
                "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{tmp}'\n/bin/mv '{tmp}' '{args}'\n{then}\n",
                tmp = args.with_extension("tmp").display(),
                args = args.display(),
            );
            let path = dir.path().join(name);
            std::fs::write(&path, script).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        FakeBin { dir }
    }

    /// The folder (for PATH).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A player's full path.
    pub fn program(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The arguments `name` was started with, if it was.
    pub fn args(&self, name: &str) -> Option<Vec<String>> {
        let text = std::fs::read_to_string(self.dir.path().join(format!("{name}.args"))).ok()?;
        Some(text.lines().map(str::to_string).collect())
    }

    /// The arguments of `name`, waiting up to five seconds for it to start.
    pub fn wait_args(&self, name: &str) -> Vec<String> {
        let until = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(args) = self.args(name) {
                return args;
            }
            assert!(Instant::now() < until, "{name} was not started");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// What the fake mpv is doing, and every command it received.
#[derive(Debug, Clone, PartialEq)]
pub struct MpvState {
    pub time_pos: f64,
    pub paused: bool,
    pub speed: f64,
    pub commands: Vec<Value>,
}

/// An mpv control socket answering like mpv: properties from [`MpvState`], commands applied to
/// it.
pub struct FakeMpv {
    pub state: Arc<Mutex<MpvState>>,
}

impl FakeMpv {
    /// Listens at `path` (one client at a time, as thema connects).
    pub fn listen(path: &Path, time_pos: f64) -> FakeMpv {
        let listener = UnixListener::bind(path).unwrap();
        let state = Arc::new(Mutex::new(MpvState {
            time_pos,
            paused: false,
            speed: 1.0,
            commands: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let mut writer = stream.try_clone().unwrap();
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    let request: Value = serde_json::from_str(&line).unwrap();
                    let id = request["request_id"].clone();
                    let command = request["command"].clone();
                    let reply = {
                        let mut s = shared.lock().unwrap();
                        s.commands.push(command.clone());
                        answer(&mut s, &command)
                    };
                    let mut reply = reply;
                    reply["request_id"] = id;
                    // an event first, as mpv interleaves them
                    let _ = writeln!(writer, "{}", json!({"event": "property-change"}));
                    let _ = writeln!(writer, "{reply}");
                }
            }
        });
        FakeMpv { state }
    }

    /// Moves the fake playback to `seconds`.
    pub fn set_time(&self, seconds: f64) {
        self.state.lock().unwrap().time_pos = seconds;
    }

    /// A copy of the state.
    pub fn state(&self) -> MpvState {
        self.state.lock().unwrap().clone()
    }
}

fn answer(s: &mut MpvState, command: &Value) -> Value {
    let ok = |data: Value| json!({"data": data, "error": "success"});
    match command[0].as_str() {
        Some("get_property") => match command[1].as_str() {
            Some("time-pos") => ok(json!(s.time_pos)),
            Some("pause") => ok(json!(s.paused)),
            Some("speed") => ok(json!(s.speed)),
            _ => json!({"error": "property not found"}),
        },
        Some("cycle") => {
            s.paused = !s.paused;
            ok(Value::Null)
        }
        Some("seek") => {
            let by = command[1].as_f64().unwrap_or(0.0);
            if command[2] == "absolute" {
                s.time_pos = by;
            } else {
                s.time_pos = (s.time_pos + by).max(0.0);
            }
            ok(Value::Null)
        }
        Some("set_property") if command[1] == "speed" => {
            s.speed = command[2].as_f64().unwrap_or(1.0);
            ok(Value::Null)
        }
        _ => ok(Value::Null),
    }
}
