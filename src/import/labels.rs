//! Speaker labels: finding a candidate label at the start of a line (`Interviewer:`, `LW7:`,
//! `I:`, `Name :`, `[Jane]:`, `**Name:**`, `**Name** [0:05]`, `[SPEAKER_00]:`,
//! `Ruth Kessler (she/her):`, `[00:12:31] Name:`, `Name (12:31):`), deciding which candidates are
//! real speakers, and cleaning a label for the canonical transcript. Shared by the plain-text,
//! Markdown and Word importers and by cue formats whose speaker is a `Name:` prefix (Zoom, SRT).
//! It decides nothing about turns or paragraphs.
//!
//! # The detection rule
//! A line *offers* a label when, after an optional leading timestamp and Markdown bold, it has a
//! colon (not inside brackets, not followed by a digit or `//`) within its first 40 characters and
//! the text before it is label-shaped: starts with a letter that is not lower-case, at most six
//! words, only letters, digits, spaces and `. - ' ’ _ ( ) / & , +`. A label offered by lines is
//! *accepted* as a speaker when
//! - `--speakers` declared it (then only declared labels count, matched case-insensitively), or
//! - it is offered at least twice at turn-start positions (recurrence), or
//! - it is offered once as a `Name:` cue prefix and reads like a name (capitalised words), or
//! - it is a well-known role or id label (`Interviewer`, `Participant`, `Respondent`, `I`, `R`, `Q`,
//!   `A`, `P01`, `LW7`, `Speaker 2`, `SPEAKER_00`, …), which may occur once,
//!
//! and never when it is a stop word that introduces lists or metadata rather than speech (week
//! days, months, `Note`, `Date`, `Time`, `Location`, `Duration`, `Title`, …) or a section of the
//! interview guide (`Part 2`, `Section B`: see `notes`). So `Monday: clinic` said once inside a
//! turn never becomes a speaker, and neither do `Date: 12 March` and `Part 2: Transport`.

use std::collections::{BTreeMap, BTreeSet};

use super::timestamp::{self, Bare, Millis};
use super::{notes, ImportOptions};

/// Longest speaker label the canonical transcript accepts (in characters).
pub(crate) const MAX_LABEL_CHARS: usize = 40;

/// A label offered at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate<'a> {
    /// The label as written, whitespace-normalised, without brackets, bold or trailing timestamp.
    pub label: String,
    /// The text after the label (and after any timestamp following it), leading space removed.
    pub rest: &'a str,
    /// A timestamp written before the label, inside it (`Name (12:31):`) or right after it.
    pub timestamp: Option<Millis>,
    /// Written in square brackets (`[SPEAKER_00]:`), the WhisperX convention.
    pub bracketed: bool,
}

/// Finds the label a line offers, if any (see the module documentation for the shape rules).
pub(crate) fn candidate(line: &str) -> Option<Candidate<'_>> {
    let mut s = line.trim_start();
    let mut ts = None;
    if let Some((t, rest)) = timestamp::strip_leading(s, Bare::Any) {
        ts = Some(t);
        s = rest;
    }
    let (raw_label, rest, bracketed) = split_bold(s)
        .or_else(|| split_bracketed(s))
        .or_else(|| split_colon(s))?;
    let (label, inner_ts) = strip_trailing_timestamp(raw_label);
    let label = normalise_space(label);
    if !plausible(&label) {
        return None;
    }
    let mut rest = rest.trim_start();
    let mut timestamp = ts.or(inner_ts);
    if timestamp.is_none() {
        if let Some((t, after)) = timestamp::strip_leading(rest, Bare::HoursOnly) {
            timestamp = Some(t);
            rest = after;
        }
    }
    Some(Candidate {
        label,
        rest,
        timestamp,
        bracketed,
    })
}

/// `**Name:** text`, `**Name**: text`, `**Name** [0:05] text` (also with `__`).
fn split_bold(s: &str) -> Option<(&str, &str, bool)> {
    for marker in ["**", "__"] {
        let Some(after) = s.strip_prefix(marker) else {
            continue;
        };
        let end = after.find(marker)?;
        let inner = after[..end].trim();
        let rest = &after[end + marker.len()..];
        if let Some(label) = inner.strip_suffix(':') {
            return Some((label, rest, false));
        }
        if let Some(rest) = rest.strip_prefix(':') {
            return Some((inner, rest, false));
        }
        // Bold name without a colon counts only when a timestamp or the end of line follows.
        let trimmed = rest.trim_start();
        if trimmed.is_empty() || timestamp::strip_leading(trimmed, Bare::Any).is_some() {
            return Some((inner, rest, false));
        }
        return None;
    }
    None
}

/// `[Jane]: text` and WhisperX's `[SPEAKER_00]: text`.
fn split_bracketed(s: &str) -> Option<(&str, &str, bool)> {
    let inner_and_rest = s.strip_prefix('[')?;
    let end = inner_and_rest.find(']')?;
    let rest = inner_and_rest[end + 1..].trim_start().strip_prefix(':')?;
    Some((&inner_and_rest[..end], rest, true))
}

/// `Label: text`, `Label : text`, `Ruth Kessler (she/her): text`, `Name (12:31): text`.
fn split_colon(s: &str) -> Option<(&str, &str, bool)> {
    let mut depth = 0i32;
    for (count, (i, c)) in s.char_indices().enumerate() {
        if count > MAX_LABEL_CHARS + 12 {
            return None;
        }
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ':' if depth == 0 => {
                let rest = &s[i + 1..];
                if rest.starts_with(|c: char| c.is_ascii_digit()) || rest.starts_with("//") {
                    return None;
                }
                return Some((&s[..i], rest, false));
            }
            _ => {}
        }
    }
    None
}

/// `Name (12:31)` / `Name [00:12:31]` → (`Name`, time).
fn strip_trailing_timestamp(label: &str) -> (&str, Option<Millis>) {
    let label = label.trim_end();
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(body) = label.strip_suffix(close) {
            if let Some(open_at) = body.rfind(open) {
                if let Some(ms) = timestamp::parse_clock(&body[open_at + 1..]) {
                    return (&label[..open_at], Some(ms));
                }
            }
        }
    }
    (label, None)
}

fn normalise_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `label` has the shape of a speaker label.
pub(crate) fn plausible(label: &str) -> bool {
    let chars = label.chars().count();
    let Some(first) = label.chars().next() else {
        return false;
    };
    (1..=MAX_LABEL_CHARS).contains(&chars)
        && label.split_whitespace().count() <= 6
        && ((first.is_alphabetic() && !first.is_lowercase()) || is_pictograph(first))
        && !label.to_ascii_lowercase().contains("http")
        && label.chars().all(|c| {
            c.is_alphanumeric()
                || c == ' '
                || ".-'’_()/&,+".contains(c)
                || !(c.is_ascii() || c.is_whitespace() || c.is_control())
        })
}

/// Emoji and pictographs, which Zoom display names sometimes start with.
fn is_pictograph(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{1F000}'..='\u{1FAFF}')
}

/// Labels that are speakers even when they occur only once.
fn well_known(label: &str) -> bool {
    const ROLES: [&str; 21] = [
        "interviewer",
        "interviewee",
        "participant",
        "respondent",
        "facilitator",
        "moderator",
        "researcher",
        "int",
        "resp",
        "iv",
        "ie",
        "i",
        "r",
        "q",
        "a",
        "p",
        "unknown speaker",
        "interviewer 1",
        "interviewer 2",
        "note taker",
        "notetaker",
    ];
    let lower = label.to_lowercase();
    if ROLES.contains(&lower.as_str()) {
        return true;
    }
    if let Some(n) = lower
        .strip_prefix("speaker")
        .map(|s| s.trim_start_matches([' ', '_']))
    {
        return !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit());
    }
    // Study ids: one to four letters, an optional separator, one to three digits (P01, LW7, V-04).
    let letters = label
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let tail = label[letters..].trim_start_matches([' ', '_', '-']);
    (1..=4).contains(&letters)
        && (1..=3).contains(&tail.len())
        && tail.bytes().all(|b| b.is_ascii_digit())
}

/// Words that introduce lists or metadata, never speech.
fn stop_word(label: &str) -> bool {
    const STOP: [&str; 45] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "note",
        "notes",
        "nb",
        "ps",
        "date",
        "time",
        "location",
        "place",
        "venue",
        "duration",
        "length",
        "title",
        "subject",
        "re",
        "transcript",
        "transcriber",
        "transcribed by",
        "recording",
        "file",
        "project",
        "study",
        "keywords",
        "tags",
        "mode",
        "example",
        "e.g",
    ];
    STOP.contains(&label.to_lowercase().as_str())
}

/// Cleans any speaker name for the canonical transcript: no colon, no line break, single spaces,
/// at most 40 characters. `None` when nothing is left.
pub(crate) fn clean_label(raw: &str) -> Option<String> {
    let replaced: String = raw
        .chars()
        .map(|c| if c == ':' || c.is_control() { ' ' } else { c })
        .collect();
    let spaced = normalise_space(&replaced);
    let cut: String = spaced.chars().take(MAX_LABEL_CHARS).collect();
    let cut = cut.trim_end().to_string();
    (!cut.is_empty()).then_some(cut)
}

/// Which labels offered only once are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Once {
    /// Only well-known role and id labels (free text, where `Key:` lines are common).
    WellKnown,
    /// Also name-like labels (cue prefixes, whose position already marks a speaker).
    NameLike,
}

/// Whether a label reads like a person's name: at most four words, each capitalised (a word in
/// parentheses, like `(she/her)`, is free). `Owen Talbot` is; `The rule is` is not.
fn name_like(label: &str) -> bool {
    let words: Vec<&str> = label.split_whitespace().collect();
    words.len() <= 4
        && words.iter().all(|w| {
            w.starts_with('(')
                || w.chars()
                    .next()
                    .is_some_and(|c| !c.is_alphabetic() || c.is_uppercase())
        })
}

/// The speakers of one transcript: declared with `--speakers`, or accepted from what lines offer.
#[derive(Debug, Clone)]
pub(crate) enum Speakers {
    /// `--speakers A,B`: only these, matched case-insensitively, reported as declared.
    Declared(Vec<String>),
    /// Labels accepted by the detection rule.
    Accepted(BTreeSet<String>),
}

impl Speakers {
    /// Applies the detection rule to how often each label was offered at a turn-start position;
    /// `once` says which labels may be accepted when offered only once.
    pub(crate) fn choose(
        offered: &BTreeMap<String, usize>,
        opts: &ImportOptions,
        once: Once,
    ) -> Speakers {
        if let Some(declared) = &opts.speakers {
            return Speakers::Declared(declared.iter().filter_map(|s| clean_label(s)).collect());
        }
        Speakers::Accepted(
            offered
                .iter()
                .filter(|(label, &n)| {
                    let single = well_known(label) || (once == Once::NameLike && name_like(label));
                    (n >= 2 || single) && !stop_word(label) && !notes::section_label(label)
                })
                .map(|(label, _)| label.clone())
                .collect(),
        )
    }

    /// The speaker name for an offered label, or `None` if it is not a speaker.
    pub(crate) fn resolve(&self, label: &str) -> Option<String> {
        match self {
            Speakers::Declared(names) => names
                .iter()
                .find(|n| n.to_lowercase() == label.to_lowercase())
                .cloned(),
            Speakers::Accepted(names) => names.get(label).cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(line: &str) -> Option<(String, String, Option<Millis>)> {
        candidate(line).map(|c| (c.label, c.rest.to_string(), c.timestamp))
    }

    fn l(s: &str, rest: &str, ts: Option<Millis>) -> Option<(String, String, Option<Millis>)> {
        Some((s.to_string(), rest.to_string(), ts))
    }

    #[test]
    fn label_spellings() {
        assert_eq!(
            label("Interviewer: So, hello."),
            l("Interviewer", "So, hello.", None)
        );
        assert_eq!(label("LW7:\tYes"), l("LW7", "Yes", None));
        assert_eq!(label("Siân Pryce : right"), l("Siân Pryce", "right", None));
        assert_eq!(label("[Jane]: ok"), l("Jane", "ok", None));
        assert_eq!(label("**Ruth:** hi"), l("Ruth", "hi", None));
        assert_eq!(label("**Ruth**: hi"), l("Ruth", "hi", None));
        assert_eq!(label("**Ruth** [0:05] hi"), l("Ruth", "hi", Some(5_000)));
        assert_eq!(label("[00:12:31] I: hi"), l("I", "hi", Some(751_000)));
        assert_eq!(label("I: [00:12:31] hi"), l("I", "hi", Some(751_000)));
        assert_eq!(
            label("Interviewer (12:31): go on"),
            l("Interviewer", "go on", Some(751_000))
        );
        assert_eq!(
            label("Ruth Kessler (she/her): Okay"),
            l("Ruth Kessler (she/her)", "Okay", None)
        );
        assert_eq!(label("[SPEAKER_00]: Okay"), l("SPEAKER_00", "Okay", None));
        assert_eq!(label("00:03:40.5Ruth: hi"), l("Ruth", "hi", Some(220_500)));
        assert_eq!(label("Interviewer:"), l("Interviewer", "", None));
        assert_eq!(label("🌻 Sam: hi"), l("🌻 Sam", "hi", None));
    }

    #[test]
    fn not_labels() {
        assert_eq!(label("so the rule is: be kind"), None);
        assert_eq!(label("We met at 10:30 on Monday"), None);
        assert_eq!(label("See https://example.org"), None);
        assert_eq!(
            label("And then on the Tuesday we went back to the surgery and they said: no"),
            None
        );
        assert_eq!(label("**Important** point here"), None);
        assert_eq!(label("“Quote”: x"), None);
        assert_eq!(label("[laughs] yes: no"), None);
    }

    #[test]
    fn acceptance() {
        let offered: BTreeMap<String, usize> = [
            ("Monday", 2),
            ("Date", 1),
            ("Ruth", 2),
            ("LW7", 1),
            ("Wendy", 1),
            ("I", 1),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let s = Speakers::choose(&offered, &ImportOptions::default(), Once::WellKnown);
        assert_eq!(s.resolve("Ruth").as_deref(), Some("Ruth"));
        assert_eq!(s.resolve("LW7").as_deref(), Some("LW7"));
        assert_eq!(s.resolve("I").as_deref(), Some("I"));
        assert_eq!(s.resolve("Monday"), None);
        assert_eq!(s.resolve("Date"), None);
        assert_eq!(s.resolve("Wendy"), None);
        let s = Speakers::choose(&offered, &ImportOptions::default(), Once::NameLike);
        assert_eq!(s.resolve("Wendy").as_deref(), Some("Wendy"));
        assert!(name_like("Nadia Rahman (she/her)"));
        assert!(!name_like("The rule is"));
        let opts = ImportOptions {
            speakers: Some(vec!["Wendy".into(), " RK ".into()]),
        };
        let s = Speakers::choose(&offered, &opts, Once::WellKnown);
        assert_eq!(s.resolve("wendy").as_deref(), Some("Wendy"));
        assert_eq!(s.resolve("RK").as_deref(), Some("RK"));
        assert_eq!(s.resolve("Ruth"), None);
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean_label(" Team:  Jane\n"), Some("Team Jane".to_string()));
        assert_eq!(
            clean_label(&"x".repeat(50)).map(|s| s.chars().count()),
            Some(40)
        );
        assert_eq!(clean_label(" : "), None);
    }
}
