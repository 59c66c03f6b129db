//! Where each transcript's recording is, and the untracked `thema.local.json` that points a
//! clone at its own copies.
//!
//! A transcript's recording is found, first to last:
//! 1. `thema.local.json` → `"media": {"LW7-y1": "/path/LW7.m4a"}` (this computer only);
//! 2. the `media` column of `transcripts/attributes.csv`: a path relative to the study, or
//!    absolute; a relative one is also looked for under `thema.local.json`'s `"media_dir"`
//!    (as given, then by its file name alone);
//! 3. the convention `media/ID.*` in the study, then `ID.*` in `"media_dir"` (a known audio or
//!    video extension).
//!
//! Recordings are often kept out of git for ethics reasons, so a missing one is only ever a
//! warning. This module finds files; it starts no player (that is `crate::media`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::Attributes;
use crate::study::check::Problem;
use crate::study::files::read_text;
use crate::study::{Result, Study, StudyError};

/// The attribute column naming a transcript's recording.
pub const MEDIA_COLUMN: &str = "media";
/// The per-computer settings file, kept out of git.
pub const LOCAL_FILE: &str = "thema.local.json";
/// The study folder the `media/ID.*` convention looks in.
pub const MEDIA_DIR: &str = "media";
/// Extensions of the audio and video files thema looks for, most common first.
pub const EXTENSIONS: &[&str] = &[
    "m4a", "mp3", "wav", "ogg", "opus", "oga", "flac", "aac", "wma", "aif", "aiff", "mp4", "m4v",
    "mov", "webm", "mkv", "avi", "mpg", "mpeg", "3gp",
];

/// `thema.local.json`: settings for this computer only (never committed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocalSettings {
    /// A folder holding this computer's copies of the recordings.
    pub media_dir: Option<String>,
    /// A recording per transcript id, overriding everything else.
    pub media: BTreeMap<String, String>,
    /// The player command (as `THEMA_PLAYER`; `thema.json`'s `player` for everyone).
    pub player: Option<String>,
}

/// Reads `thema.local.json`; the defaults when there is none.
pub fn load_local(root: &Path) -> Result<LocalSettings> {
    let path = root.join(LOCAL_FILE);
    if !path.exists() {
        return Ok(LocalSettings::default());
    }
    let text = read_text(&path)?;
    serde_json::from_str(&text).map_err(|e| {
        StudyError::parse(
            &path,
            e.line(),
            format!(
                "column {}: {e}; expected {{\"media_dir\": \"FOLDER\", \"media\": {{\"TRANSCRIPT\": \"FILE\"}}, \"player\": \"COMMAND\"}}",
                e.column()
            ),
        )
    })
}

/// Where a transcript's recording was looked for, and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLink {
    /// The transcript id.
    pub transcript: String,
    /// What `attributes.csv` (or `thema.local.json`) names, as written.
    pub declared: Option<String>,
    /// The file, when one exists.
    pub found: Option<PathBuf>,
    /// Every place looked at, in order (`media/ID.*` for the convention).
    pub tried: Vec<PathBuf>,
}

impl MediaLink {
    /// The recording, or an error saying where thema looked and how to point it at a copy.
    pub fn require(&self) -> Result<&Path> {
        if let Some(found) = &self.found {
            return Ok(found);
        }
        let tried: Vec<String> = self.tried.iter().map(|p| p.display().to_string()).collect();
        let what = match &self.declared {
            Some(declared) => format!("its recording {declared} is not on this computer"),
            None => format!(
                "it has no `{MEDIA_COLUMN}` in transcripts/attributes.csv and there is no {MEDIA_DIR}/{}.*",
                self.transcript
            ),
        };
        Err(StudyError::NoRecording {
            transcript: self.transcript.clone(),
            what,
            tried,
        })
    }
}

/// `~/x` with the home folder written out; anything else as it is.
fn expand(path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    PathBuf::from(path)
}

/// A file in `dir` named `stem.EXT` with a known media extension (the stem matched exactly,
/// else ignoring case), most common extension first.
fn with_stem(dir: &Path, stem: &str) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut hits: Vec<(usize, bool, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let (Some(s), Some(ext)) = (path.file_stem(), path.extension()) else {
            continue;
        };
        let (s, ext) = (
            s.to_string_lossy(),
            ext.to_string_lossy().to_ascii_lowercase(),
        );
        let Some(rank) = EXTENSIONS.iter().position(|e| *e == ext) else {
            continue;
        };
        if s.eq_ignore_ascii_case(stem) && path.is_file() {
            hits.push((rank, s != stem, path));
        }
    }
    hits.sort();
    hits.into_iter().next().map(|(_, _, p)| p)
}

/// Looks for the recording of transcript `id` (see the module's order).
pub fn locate(root: &Path, attributes: &Attributes, local: &LocalSettings, id: &str) -> MediaLink {
    let mut link = MediaLink {
        transcript: id.to_string(),
        declared: None,
        found: None,
        tried: Vec::new(),
    };
    let media_dir = local.media_dir.as_deref().map(|d| root.join(expand(d)));
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(mine) = local.media.get(id) {
        link.declared = Some(mine.clone());
        candidates.push(root.join(expand(mine)));
    }
    if let Some(cell) = attributes.get(id, MEDIA_COLUMN) {
        if link.declared.is_none() {
            link.declared = Some(cell.to_string());
        }
        let path = expand(cell);
        candidates.push(root.join(&path));
        if let (Some(dir), false) = (&media_dir, path.is_absolute()) {
            candidates.push(dir.join(&path));
        }
        if let (Some(dir), Some(name)) = (&media_dir, path.file_name()) {
            candidates.push(dir.join(name));
        }
    }
    for candidate in candidates {
        if link.tried.contains(&candidate) {
            continue;
        }
        let exists = candidate.is_file();
        link.tried.push(candidate.clone());
        if exists {
            link.found = Some(candidate);
            return link;
        }
    }
    for dir in std::iter::once(root.join(MEDIA_DIR)).chain(media_dir) {
        link.tried.push(dir.join(format!("{id}.*")));
        if let Some(found) = with_stem(&dir, id) {
            link.found = Some(found);
            return link;
        }
    }
    link
}

impl Study {
    /// Where the recording of transcript `id` is (reading `thema.local.json` afresh).
    pub fn media(&self, id: &str) -> Result<MediaLink> {
        let local = load_local(&self.root)?;
        Ok(locate(&self.root, &self.attributes, &local, id))
    }
}

/// A recording beside a transcript's source file, with the same name: `LW7.m4a` beside
/// `LW7.vtt`, `GMT…_Recording.m4a` beside `GMT…_Recording.transcript.vtt`.
pub fn beside(source: &Path) -> Option<PathBuf> {
    let dir = match source.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let stem = source.file_stem()?.to_string_lossy().into_owned();
    let stem = stem.strip_suffix(".transcript").unwrap_or(&stem);
    with_stem(dir, stem).filter(|found| found != source)
}

/// How the `media` column names a recording: relative to the study (with `/`) when it is inside
/// it, else its absolute path.
pub fn cell_for(root: &Path, media: &Path) -> String {
    let absolute = media.canonicalize().unwrap_or_else(|_| media.to_path_buf());
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    match absolute.strip_prefix(&root) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => absolute.display().to_string(),
    }
}

/// What `thema check` says about recordings: a warning for each one named but not found (in
/// `attributes.csv` or `thema.local.json`), an error for a malformed `thema.local.json`.
pub fn check(root: &Path, attributes: &Attributes) -> Vec<Problem> {
    let mut problems = Vec::new();
    let local_path = root.join(LOCAL_FILE);
    let local = match load_local(root) {
        Ok(local) => local,
        Err(StudyError::Parse {
            path,
            line,
            message,
        }) => {
            problems.push(Problem::error(&path, line, message));
            LocalSettings::default()
        }
        Err(e) => {
            problems.push(Problem::error(&local_path, 0, e.to_string()));
            LocalSettings::default()
        }
    };
    let csv = root.join("transcripts").join("attributes.csv");
    for (i, id) in attributes.rows.keys().enumerate() {
        let Some(cell) = attributes.get(id, MEDIA_COLUMN) else {
            continue;
        };
        let link = locate(root, attributes, &local, id);
        if link.found.is_none() {
            problems.push(Problem::warning(
                &csv,
                i + 2,
                format!(
                    "the recording of '{id}', {cell}, is not on this computer (fine if recordings are kept out of git; to play it, copy it there or set \"media_dir\" in {LOCAL_FILE})"
                ),
            ));
        }
    }
    for (id, file) in &local.media {
        if !attributes.rows.contains_key(id) {
            problems.push(Problem::warning(
                &local_path,
                0,
                format!("\"media\" names transcript '{id}', which has no row in attributes.csv"),
            ));
        } else if !root.join(expand(file)).is_file() {
            problems.push(Problem::warning(
                &local_path,
                0,
                format!("the recording of '{id}', {file}, does not exist"),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, b"not really audio").unwrap();
    }

    fn attrs(cells: &[(&str, &str)]) -> Attributes {
        let mut a = Attributes::default();
        for (id, media) in cells {
            a.set(id, "participant", id);
            if !media.is_empty() {
                a.set(id, MEDIA_COLUMN, media);
            }
        }
        a
    }

    #[test]
    fn the_column_then_the_convention() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("audio/LW7 first.m4a"));
        touch(&root.join("media/V1.ogg"));
        touch(&root.join("media/V1.txt"));
        let a = attrs(&[("LW7", "audio/LW7 first.m4a"), ("V1", ""), ("V2", "")]);
        let local = LocalSettings::default();
        let lw7 = locate(root, &a, &local, "LW7");
        assert_eq!(lw7.found, Some(root.join("audio/LW7 first.m4a")));
        assert_eq!(lw7.declared.as_deref(), Some("audio/LW7 first.m4a"));
        assert_eq!(
            locate(root, &a, &local, "V1").found,
            Some(root.join("media/V1.ogg"))
        );
        let v2 = locate(root, &a, &local, "V2");
        assert_eq!(v2.found, None);
        let message = v2.require().unwrap_err().to_string();
        assert!(message.contains("media/V2.*"), "{message}");
        assert!(message.contains(LOCAL_FILE), "{message}");
    }

    #[test]
    fn a_local_copy_wins_and_media_dir_is_searched() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&elsewhere.path().join("LW7.m4a"));
        touch(&elsewhere.path().join("V1.mp3"));
        touch(&elsewhere.path().join("mine.wav"));
        let a = attrs(&[("LW7", "media/LW7.m4a"), ("V1", ""), ("V3", "")]);
        let mut local = LocalSettings {
            media_dir: Some(elsewhere.path().display().to_string()),
            ..LocalSettings::default()
        };
        let lw7 = locate(root, &a, &local, "LW7");
        assert_eq!(lw7.found, Some(elsewhere.path().join("LW7.m4a")));
        assert_eq!(lw7.tried[0], root.join("media/LW7.m4a"));
        assert_eq!(
            locate(root, &a, &local, "V1").found,
            Some(elsewhere.path().join("V1.mp3"))
        );
        local.media.insert(
            "V3".into(),
            elsewhere.path().join("mine.wav").display().to_string(),
        );
        assert_eq!(
            locate(root, &a, &local, "V3").found,
            Some(elsewhere.path().join("mine.wav"))
        );
    }

    #[test]
    fn a_recording_beside_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        touch(&d.join("LW7.vtt"));
        touch(&d.join("LW7.m4a"));
        touch(&d.join("GMT2024_Recording.transcript.vtt"));
        touch(&d.join("GMT2024_Recording.mp4"));
        touch(&d.join("GMT2024_Recording.m4a"));
        touch(&d.join("V1.txt"));
        assert_eq!(beside(&d.join("LW7.vtt")), Some(d.join("LW7.m4a")));
        // audio before video
        assert_eq!(
            beside(&d.join("GMT2024_Recording.transcript.vtt")),
            Some(d.join("GMT2024_Recording.m4a"))
        );
        assert_eq!(beside(&d.join("V1.txt")), None);
        assert_eq!(cell_for(d, &d.join("LW7.m4a")), "LW7.m4a");
        let other = tempfile::tempdir().unwrap();
        touch(&other.path().join("x.mp3"));
        let cell = cell_for(d, &other.path().join("x.mp3"));
        assert!(Path::new(&cell).is_absolute(), "{cell}");
    }

    #[test]
    fn check_warns_about_missing_recordings_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("media/V1.ogg"));
        let a = attrs(&[("LW7", "media/LW7.m4a"), ("V1", "media/V1.ogg")]);
        let problems = check(root, &a);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].severity, crate::study::check::Severity::Warning);
        assert!(problems[0].message.contains("'LW7'"));
        std::fs::write(root.join(LOCAL_FILE), "{\"media_dirr\": \"x\"}").unwrap();
        let problems = check(root, &a);
        assert!(problems
            .iter()
            .any(|p| p.severity == crate::study::check::Severity::Error
                && p.message.contains("media_dirr")));
    }
}
