//! Coding rounds on disk: `rounds/NAME.json`, one small pretty-printed file per round.
//!
//! One file per round keeps git merges trivial: two people starting different rounds on
//! different clones add different files; a round's transcript list is one file's edit. Files
//! are written atomically ([`super::atomic::write_atomic`]); a malformed file is an error that
//! names it and its line, and nothing is written over it.

use std::path::{Path, PathBuf};

use crate::model::round::{moment, Round};
use crate::study::atomic::write_atomic;
use crate::study::coder::is_file_safe;
use crate::study::files::{list, read_text};
use crate::study::{Result, Study, StudyError};

/// The folder of round files.
pub fn rounds_dir(root: &Path) -> PathBuf {
    root.join("rounds")
}

/// Every saved round, in the order they started (then by name).
pub fn load_rounds(root: &Path) -> Result<Vec<Round>> {
    let mut rounds = Vec::new();
    for path in list(&rounds_dir(root), "json")? {
        let text = read_text(&path)?;
        let round: Round = serde_json::from_str(&text).map_err(|e| {
            StudyError::parse(
                &path,
                e.line(),
                format!(
                    "column {}: {e}; expected {{\"name\", \"started\", \"transcripts\": [...]}}",
                    e.column()
                ),
            )
        })?;
        if moment(&round.started).is_none() {
            return Err(StudyError::parse(
                &path,
                0,
                format!("started {:?} is not an RFC 3339 time", round.started),
            ));
        }
        rounds.push(round);
    }
    rounds.sort_by(|a, b| {
        moment(&a.started)
            .cmp(&moment(&b.started))
            .then(a.name.cmp(&b.name))
    });
    Ok(rounds)
}

/// Writes a new round after checking its name, its time and its transcripts against the study.
/// Refuses a name already used.
pub fn start_round(study: &Study, round: &Round) -> Result<PathBuf> {
    if !is_file_safe(&round.name, 60) {
        return Err(StudyError::BadRoundName(round.name.clone()));
    }
    if moment(&round.started).is_none() {
        return Err(StudyError::BadTime(round.started.clone()));
    }
    if round.transcripts.is_empty() {
        return Err(StudyError::EmptyRound);
    }
    for t in &round.transcripts {
        if !study.has_transcript(t) {
            return Err(study.no_transcript(t));
        }
    }
    let path = rounds_dir(&study.root).join(format!("{}.json", round.name));
    if path.exists() {
        return Err(StudyError::RoundExists {
            name: round.name.clone(),
            path,
        });
    }
    let mut text = serde_json::to_string_pretty(round).map_err(StudyError::encode)?;
    text.push('\n');
    write_atomic(&path, text.as_bytes())?;
    Ok(path)
}
