//! Assembling speaker turns from the units a format parser produced (a cue, a paragraph, a JSON
//! segment): consecutive units of the same speaker merge into one turn keeping the first unit's
//! timestamp; turn text is cleaned so it never holds a blank line; speaker labels are cleaned.
//! It never reads a file format itself.

use super::labels::clean_label;
use super::timestamp::{format_hms, Millis};
use super::ImportedTurn;

/// One piece of speech or note as a parser found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unit {
    /// The speaker, `None` for notes / narrative / undiarised speech.
    pub speaker: Option<String>,
    /// When the unit starts.
    pub start: Option<Millis>,
    /// The unit's text (may hold line breaks and stray whitespace).
    pub text: String,
}

impl Unit {
    /// A unit with the given speaker, start and text.
    pub(crate) fn new(
        speaker: Option<String>,
        start: Option<Millis>,
        text: impl Into<String>,
    ) -> Unit {
        Unit {
            speaker,
            start,
            text: text.into(),
        }
    }
}

/// How the text of merged units (and the lines inside one unit) is joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Join {
    /// Paragraph formats: lines are kept, each trimmed; units join with a line break.
    Lines,
    /// Cue formats: line breaks are soft wraps; all whitespace runs become one space.
    Spaces,
}

/// Whether consecutive units without a speaker merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notes {
    /// Each note paragraph is a turn of its own.
    Separate,
    /// Undiarised cues/segments merge while the previous one has not finished its sentence.
    JoinUnfinishedSentences,
}

/// Builds turns from units (see the module documentation).
pub(crate) fn assemble(units: Vec<Unit>, join: Join, notes: Notes) -> Vec<ImportedTurn> {
    let mut out: Vec<ImportedTurn> = Vec::new();
    for unit in units {
        let text = clean_text(&unit.text, join);
        if text.is_empty() {
            continue;
        }
        let speaker = unit.speaker.as_deref().and_then(clean_label);
        if let Some(last) = out.last_mut() {
            let merge = match (&speaker, &last.speaker) {
                (Some(a), Some(b)) => a == b,
                (None, None) => {
                    notes == Notes::JoinUnfinishedSentences && !ends_sentence(&last.text)
                }
                _ => false,
            };
            if merge {
                last.text.push(if join == Join::Lines { '\n' } else { ' ' });
                last.text.push_str(&text);
                continue;
            }
        }
        out.push(ImportedTurn {
            speaker,
            timestamp: unit.start.map(format_hms),
            text,
        });
    }
    out
}

/// Trims every line and drops blank ones (`Lines`), or collapses all whitespace (`Spaces`).
pub(crate) fn clean_text(text: &str, join: Join) -> String {
    match join {
        Join::Lines => text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        Join::Spaces => text.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// Whether text ends a sentence (ignoring closing quotes and brackets).
fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', ')', ']'])
        .ends_with(['.', '?', '!', '…'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn merges_same_speaker_keeping_first_timestamp() {
        let units = vec![
            Unit::new(s("A"), Some(1_000), "one,\n  two  "),
            Unit::new(s("A"), Some(5_000), "\n\nthree"),
            Unit::new(s("B"), None, "  "),
            Unit::new(s("B"), Some(9_000), "four"),
            Unit::new(s("A:x"), None, "five"),
        ];
        let turns = assemble(units, Join::Lines, Notes::Separate);
        assert_eq!(turns.len(), 3);
        assert_eq!(turns[0].text, "one,\ntwo\nthree");
        assert_eq!(turns[0].timestamp.as_deref(), Some("00:00:01"));
        assert_eq!(turns[1].speaker, s("B"));
        assert_eq!(turns[1].timestamp.as_deref(), Some("00:00:09"));
        assert_eq!(turns[2].speaker, s("A x"));
    }

    #[test]
    fn notes_merge_only_mid_sentence_when_asked() {
        let units = vec![
            Unit::new(None, Some(0), "OK, I think it's"),
            Unit::new(None, Some(2_000), "recording now."),
            Unit::new(None, Some(4_000), "Can you hear me?"),
        ];
        let joined = assemble(units.clone(), Join::Spaces, Notes::JoinUnfinishedSentences);
        assert_eq!(joined.len(), 2);
        assert_eq!(joined[0].text, "OK, I think it's recording now.");
        assert_eq!(assemble(units, Join::Spaces, Notes::Separate).len(), 3);
    }
}
