//! SubRip (`.srt`) transcripts: numbered cues with `hh:mm:ss,mmm` times (old Whisper: `.`), from
//! Otter, Whisper, WhisperX (`[SPEAKER_00]: ` prefixes; unprefixed cues have no speaker) and podcast
//! tools (`Name: ` only when the speaker changes). Only recognises SRT; cue parsing is shared with
//! WebVTT in `cues`.

use super::cues::{self, Dialect};
use super::{ImportError, ImportOptions, ImportedTurn};

/// Whether the text starts like SRT: an index line then a timing line, or a timing line.
pub(crate) fn looks_like(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    match lines.next() {
        Some(first) if first.bytes().all(|b| b.is_ascii_digit()) => lines
            .next()
            .is_some_and(|second| cues::timing_start(second).is_some()),
        Some(first) => cues::timing_start(first).is_some(),
        None => false,
    }
}

/// Parses an SRT file into turns.
pub(crate) fn parse(
    text: &str,
    file: &str,
    opts: &ImportOptions,
) -> Result<Vec<ImportedTurn>, ImportError> {
    let cues = cues::parse(text, Dialect::Srt, file)?;
    Ok(cues::to_turns(cues, opts).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature() {
        assert!(looks_like("\n1\n00:00:01,181 --> 00:00:10,239\nHi\n"));
        assert!(looks_like("00:00:01,181 --> 00:00:10,239\nHi\n"));
        assert!(!looks_like("1\nHello\n"));
        assert!(!looks_like("Interviewer: 00:00 --> later\n"));
    }

    #[test]
    fn speaker_on_change_carries_forward() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\nRuth: Hello and welcome\n\n2\n00:00:02,000 --> 00:00:03,000\nto the show.\n\n3\n00:00:04,000 --> 00:00:05,000\nTom: Thanks.\n\n4\n00:00:05,000 --> 00:00:06,000\nRuth: So.\n";
        let turns = parse(text, "p.srt", &ImportOptions::default()).unwrap();
        let got: Vec<_> = turns
            .iter()
            .map(|t| (t.speaker.as_deref(), t.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("Ruth"), "Hello and welcome to the show."),
                (Some("Tom"), "Thanks."),
                (Some("Ruth"), "So.")
            ]
        );
    }
}
