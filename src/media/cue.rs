//! When to start playing: a turn, a place in the text (a segment's start) or a clock time,
//! turned into a moment of the recording through the transcript's [`Timeline`].
//!
//! [`numbered_turn`] is the one place `--turn N` is looked up, so a change in how turns are
//! numbered changes it once.

use crate::media::MediaError;
use crate::model::timeline::format_clock;
use crate::model::{Moment, Timeline, Transcript};

/// What the researcher asked to hear.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Turn N, as `thema play --turn N` and `thema code --turn N` number turns.
    Turn(usize),
    /// A code-point offset in the text, with what it is (`segment r1-7f3k2m9q`).
    Offset {
        /// The offset.
        offset: usize,
        /// What starts there, for messages.
        label: String,
    },
    /// A clock time given outright, in seconds.
    At(f64),
}

/// A moment of the recording and what it is the moment of.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// When.
    pub moment: Moment,
    /// `turn 7 at 00:01:25`, `segment r1-… at ~00:01:31`, `00:12:31`.
    pub what: String,
}

impl Cue {
    /// The second to start the player at: `before` seconds ahead of the moment, never below 0.
    pub fn start(&self, before: f64) -> f64 {
        (self.moment.seconds - before.max(0.0)).max(0.0)
    }
}

/// Index (in `Transcript::turns`) of turn number `n`.
pub fn numbered_turn(transcript: &Transcript, n: usize) -> Option<usize> {
    transcript.turns.iter().position(|t| n > 0 && t.number == n)
}

/// The moment `target` is spoken in `transcript`'s recording.
pub fn cue(transcript: &Transcript, target: &Target) -> Result<Cue, MediaError> {
    if let Target::At(seconds) = target {
        return Ok(Cue {
            moment: Moment {
                seconds: *seconds,
                approximate: false,
            },
            what: format_clock(*seconds),
        });
    }
    let (index, offset, label) = match target {
        Target::Turn(n) => {
            let index = numbered_turn(transcript, *n).ok_or_else(|| {
                MediaError::Cue(format!(
                    "{} has no turn {n} (turns are numbered 1..{})",
                    transcript.id,
                    transcript.turns.len()
                ))
            })?;
            (Some(index), None, format!("turn {n}"))
        }
        Target::Offset { offset, label } => (None, Some(*offset), label.clone()),
        Target::At(_) => (None, None, String::new()),
    };
    let timeline = Timeline::of(transcript).ok_or_else(|| {
        MediaError::Cue(format!(
            "{} has no timestamps, so thema cannot tell when {label} is spoken; give the time with --at hh:mm:ss",
            transcript.id
        ))
    })?;
    let moment = match (index, offset) {
        (Some(i), _) => timeline.turn(i),
        (None, Some(offset)) => timeline.at(offset),
        _ => None,
    }
    .ok_or_else(|| MediaError::Cue(format!("{}: {label} is not in the text", transcript.id)))?;
    Ok(Cue {
        what: format!("{label} at {}", moment.clock()),
        moment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_offsets_and_times() {
        let t = Transcript::parse(
            "LW9",
            "[00:00:10] I: hello\n\nLW9: hi there\n\n[00:01:00] I: bye\n",
        );
        let exact = cue(&t, &Target::Turn(1)).unwrap();
        assert_eq!(exact.what, "turn 1 at 00:00:10");
        assert_eq!(exact.start(2.0), 8.0);
        assert_eq!(exact.start(30.0), 0.0);
        let guess = cue(&t, &Target::Turn(2)).unwrap();
        assert!(guess.moment.approximate && guess.what.starts_with("turn 2 at ~00:00:"));
        let inside = cue(
            &t,
            &Target::Offset {
                offset: t.turns[1].body_start + 3,
                label: "segment r1-x".into(),
            },
        )
        .unwrap();
        assert!(inside.moment.seconds > guess.moment.seconds);
        assert!(inside.what.starts_with("segment r1-x at ~"));
        assert_eq!(cue(&t, &Target::At(751.0)).unwrap().what, "00:12:31");
        let missing = cue(&t, &Target::Turn(9)).unwrap_err().to_string();
        assert!(missing.contains("no turn 9"), "{missing}");
        let untimed = Transcript::parse("V1", "I: a\n\nV1: b\n");
        let err = cue(&untimed, &Target::Turn(2)).unwrap_err().to_string();
        assert!(
            err.contains("no timestamps") && err.contains("--at"),
            "{err}"
        );
        assert_eq!(numbered_turn(&t, 3), Some(2));
    }
}
