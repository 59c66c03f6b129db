//! Which player to start and its command line.
//!
//! The first of these wins: `THEMA_PLAYER`, `thema.local.json`'s `player`, `thema.json`'s
//! `player`, then mpv, ffplay and vlc on PATH. A configured command is either a known player
//! with options of your own (`mpv --volume=70`, `/opt/bin/vlc`), which keeps thema's argument
//! form for it (and, for mpv, the control socket), or any command with the placeholders
//! `{file}` and `{seconds}` (`myplayer --from {seconds} {file}`), used as written.
//!
//! Only the argument lists are built here; [`crate::media::playback`] starts them.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::media::MediaError;
use crate::study::media::LocalSettings;
use crate::study::Settings;

/// The players thema knows the argument form of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// mpv: `--start=S`; controllable through its JSON IPC socket.
    Mpv,
    /// ffplay (ffmpeg): `-ss S`.
    Ffplay,
    /// VLC: `--start-time=S`.
    Vlc,
    /// A command with `{file}` and `{seconds}` placeholders.
    Custom,
}

/// How the player runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// In the terminal, for `thema play`: its own keys work, thema waits for it.
    Foreground,
    /// Beside the terminal interface, silent, with mpv's control socket at `ipc`.
    Background {
        /// Where mpv should listen for commands.
        ipc: Option<PathBuf>,
    },
}

/// A player and how to start it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Player {
    /// Which argument form.
    pub kind: Kind,
    /// The program.
    pub program: PathBuf,
    /// Options of the user's own, before thema's (known kinds), or the whole argument template
    /// with placeholders (custom).
    pub words: Vec<String>,
    /// Where it was chosen: `THEMA_PLAYER`, `thema.local.json`, `thema.json` or `PATH`.
    pub origin: String,
}

/// Extensions that hold sound only (no window is wanted for them).
const AUDIO: &[&str] = &[
    "m4a", "mp3", "wav", "ogg", "opus", "oga", "flac", "aac", "wma", "aif", "aiff",
];

impl Player {
    /// Chooses the player: the first configured command of `configured` (origin, command), else
    /// the first of mpv, ffplay and vlc on `path` (the PATH variable).
    pub fn choose(
        configured: &[(&str, Option<&str>)],
        path: Option<&OsStr>,
    ) -> Result<Player, MediaError> {
        for (origin, command) in configured {
            if let Some(command) = command.filter(|c| !c.trim().is_empty()) {
                return Player::from_command(command, origin, path);
            }
        }
        for (name, kind) in [
            ("mpv", Kind::Mpv),
            ("ffplay", Kind::Ffplay),
            ("vlc", Kind::Vlc),
        ] {
            if let Some(program) = find_on_path(name, path) {
                return Ok(Player {
                    kind,
                    program,
                    words: Vec::new(),
                    origin: "PATH".to_string(),
                });
            }
        }
        Err(MediaError::NoPlayer)
    }

    /// The player of a study on this computer: `THEMA_PLAYER`, `thema.local.json`'s `player`,
    /// `thema.json`'s `player`, then mpv, ffplay and vlc on PATH.
    pub fn for_study(settings: &Settings, local: &LocalSettings) -> Result<Player, MediaError> {
        let env = std::env::var("THEMA_PLAYER").ok();
        let path = std::env::var_os("PATH");
        Player::choose(
            &[
                ("THEMA_PLAYER", env.as_deref()),
                ("thema.local.json", local.player.as_deref()),
                ("thema.json", settings.player.as_deref()),
            ],
            path.as_deref(),
        )
    }

    /// A player from a configured command (see the module's two forms).
    pub fn from_command(
        command: &str,
        origin: &str,
        path: Option<&OsStr>,
    ) -> Result<Player, MediaError> {
        let bad = |message: String| MediaError::BadPlayer {
            origin: origin.to_string(),
            command: command.to_string(),
            message,
        };
        let mut words = split_words(command).map_err(bad)?;
        if words.is_empty() {
            return Err(bad("it is empty".to_string()));
        }
        let name = words.remove(0);
        let program = if name.contains(['/', '\\']) {
            PathBuf::from(&name)
        } else {
            find_on_path(&name, path).ok_or_else(|| bad(format!("'{name}' is not on PATH")))?
        };
        let placeholders = words
            .iter()
            .any(|w| w.contains("{file}") || w.contains("{seconds}"));
        let kind = if placeholders {
            Kind::Custom
        } else {
            kind_of(&program).ok_or_else(|| {
                bad(format!(
                    "thema does not know how to start '{name}' at a moment: write where the file and the start go, e.g. '{name} --start={{seconds}} {{file}}'"
                ))
            })?
        };
        Ok(Player {
            kind,
            program,
            words,
            origin: origin.to_string(),
        })
    }

    /// The program's name, for messages (`mpv`).
    pub fn name(&self) -> String {
        self.program
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.program.display().to_string())
    }

    /// Whether thema can pause, seek, slow down and follow it (mpv with a control socket).
    pub fn controllable(&self) -> bool {
        self.kind == Kind::Mpv
    }

    /// The arguments that play `file` from `seconds`.
    pub fn args(&self, file: &Path, seconds: f64, launch: &Launch) -> Vec<OsString> {
        let at = format_seconds(seconds);
        let background = matches!(launch, Launch::Background { .. });
        let mut out: Vec<OsString> = Vec::new();
        if self.kind != Kind::Custom {
            out.extend(self.words.iter().map(OsString::from));
        }
        match self.kind {
            Kind::Mpv => {
                out.push(format!("--start={at}").into());
                if let Launch::Background { ipc } = launch {
                    // no keys from the terminal; warnings and errors only, which thema shows
                    // when mpv fails
                    out.push("--input-terminal=no".into());
                    out.push("--msg-level=all=warn".into());
                    if let Some(ipc) = ipc {
                        let mut arg = OsString::from("--input-ipc-server=");
                        arg.push(ipc);
                        out.push(arg);
                    }
                }
                out.push(file.into());
            }
            Kind::Ffplay => {
                out.extend(["-hide_banner", "-autoexit", "-ss"].map(OsString::from));
                out.push(at.into());
                if is_audio(file) {
                    out.push("-nodisp".into());
                }
                if background {
                    out.extend(["-loglevel", "error"].map(OsString::from));
                }
                out.push(file.into());
            }
            Kind::Vlc => {
                if background {
                    out.extend(["--intf", "dummy"].map(OsString::from));
                }
                out.push("--play-and-exit".into());
                out.push(format!("--start-time={at}").into());
                out.push(file.into());
            }
            Kind::Custom => {
                let file_text = file.to_string_lossy();
                for word in &self.words {
                    if word == "{file}" {
                        // as is, even when the path is not UTF-8
                        out.push(file.into());
                    } else {
                        out.push(
                            word.replace("{file}", &file_text)
                                .replace("{seconds}", &at)
                                .into(),
                        );
                    }
                }
                if !self.words.iter().any(|w| w.contains("{file}")) {
                    out.push(file.into());
                }
            }
        }
        out
    }
}

/// The player a program is, from its file name (`mpv`, `mpv.exe`, `cvlc`).
fn kind_of(program: &Path) -> Option<Kind> {
    let stem = program.file_stem()?.to_string_lossy().to_ascii_lowercase();
    match stem.as_str() {
        "mpv" => Some(Kind::Mpv),
        "ffplay" => Some(Kind::Ffplay),
        "vlc" | "cvlc" => Some(Kind::Vlc),
        _ => None,
    }
}

fn is_audio(file: &Path) -> bool {
    file.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| AUDIO.contains(&e.as_str()))
}

/// An executable file named `name` (or `name.exe`) in a folder of `path`.
pub fn find_on_path(name: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    let path = path?;
    for dir in std::env::split_paths(path) {
        if dir.as_os_str().is_empty() {
            continue;
        }
        for candidate in [dir.join(name), dir.join(format!("{name}.exe"))] {
            if is_executable(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Seconds as players read them: `83`, `83.5`, `0.25` (milliseconds at most; never negative).
pub fn format_seconds(seconds: f64) -> String {
    let seconds = if seconds.is_finite() {
        seconds.max(0.0)
    } else {
        0.0
    };
    let text = format!("{seconds:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// Splits a command into words as a shell would for simple cases: spaces separate, `'…'` and
/// `"…"` group, `\` escapes the next character outside single quotes.
pub fn split_words(command: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("a ' is not closed".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => word.push(c),
                            None => return Err("it ends with \\".to_string()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("a \" is not closed".to_string()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("it ends with \\".to_string()),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    fn fake_bin(names: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in names {
            let path = dir.path().join(name);
            std::fs::write(&path, "#!/bin/sh\n").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        dir
    }

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(
            split_words(r#"my\ player --title "a b" '{file}'"#).unwrap(),
            vec!["my player", "--title", "a b", "{file}"]
        );
        assert!(split_words("mpv 'open").is_err());
        assert_eq!(format_seconds(83.0), "83");
        assert_eq!(format_seconds(83.25), "83.25");
        assert_eq!(format_seconds(-2.0), "0");
    }

    #[test]
    fn path_order_is_mpv_ffplay_vlc() {
        let bin = fake_bin(&["vlc", "ffplay", "mpv"]);
        let path = bin.path().as_os_str();
        assert_eq!(Player::choose(&[], Some(path)).unwrap().kind, Kind::Mpv);
        let bin = fake_bin(&["vlc", "ffplay"]);
        assert_eq!(
            Player::choose(&[], Some(bin.path().as_os_str()))
                .unwrap()
                .kind,
            Kind::Ffplay
        );
        let empty = fake_bin(&[]);
        let err = Player::choose(&[], Some(empty.path().as_os_str())).unwrap_err();
        assert!(err.to_string().contains("apt install mpv"), "{err}");
    }

    #[test]
    fn configured_commands() {
        let bin = fake_bin(&["mpv", "myplayer"]);
        let path = Some(bin.path().as_os_str());
        let mine = Player::choose(
            &[
                ("THEMA_PLAYER", None),
                ("thema.json", Some("mpv --volume=70")),
            ],
            path,
        )
        .unwrap();
        assert_eq!((mine.kind, mine.origin.as_str()), (Kind::Mpv, "thema.json"));
        let file = Path::new("/s/media/LW7.m4a");
        let launch = Launch::Background {
            ipc: Some(PathBuf::from("/tmp/x.sock")),
        };
        assert_eq!(
            strings(&mine.args(file, 83.5, &launch)),
            vec![
                "--volume=70",
                "--start=83.5",
                "--input-terminal=no",
                "--msg-level=all=warn",
                "--input-ipc-server=/tmp/x.sock",
                "/s/media/LW7.m4a"
            ]
        );
        let custom = Player::from_command(
            "myplayer --from {seconds}s {file} --x",
            "THEMA_PLAYER",
            path,
        )
        .unwrap();
        assert_eq!(custom.kind, Kind::Custom);
        assert_eq!(
            strings(&custom.args(file, 12.0, &Launch::Foreground)),
            vec!["--from", "12s", "/s/media/LW7.m4a", "--x"]
        );
        let unknown = Player::from_command("myplayer --loud", "THEMA_PLAYER", path).unwrap_err();
        assert!(unknown.to_string().contains("{seconds}"), "{unknown}");
        let absent = Player::from_command("nothere {file}", "THEMA_PLAYER", path).unwrap_err();
        assert!(absent.to_string().contains("not on PATH"), "{absent}");
    }

    #[test]
    fn argument_forms() {
        let at = |kind, program: &str| Player {
            kind,
            program: PathBuf::from(program),
            words: Vec::new(),
            origin: "PATH".into(),
        };
        let audio = Path::new("/s/a.ogg");
        let video = Path::new("/s/v.mp4");
        let bg = Launch::Background { ipc: None };
        assert_eq!(
            strings(&at(Kind::Mpv, "mpv").args(audio, 8.0, &Launch::Foreground)),
            vec!["--start=8", "/s/a.ogg"]
        );
        assert_eq!(
            strings(&at(Kind::Ffplay, "ffplay").args(audio, 8.0, &Launch::Foreground)),
            vec![
                "-hide_banner",
                "-autoexit",
                "-ss",
                "8",
                "-nodisp",
                "/s/a.ogg"
            ]
        );
        assert_eq!(
            strings(&at(Kind::Ffplay, "ffplay").args(video, 8.0, &bg)),
            vec![
                "-hide_banner",
                "-autoexit",
                "-ss",
                "8",
                "-loglevel",
                "error",
                "/s/v.mp4"
            ]
        );
        assert_eq!(
            strings(&at(Kind::Vlc, "vlc").args(audio, 8.0, &bg)),
            vec![
                "--intf",
                "dummy",
                "--play-and-exit",
                "--start-time=8",
                "/s/a.ogg"
            ]
        );
        assert!(at(Kind::Mpv, "mpv").controllable());
        assert!(!at(Kind::Vlc, "vlc").controllable());
    }
}
