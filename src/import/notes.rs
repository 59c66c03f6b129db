//! Lines of typed text that are notes rather than speech, judged from the line alone: section
//! headings of an interview guide (`Part 2: Transport`), end-of-recording markers
//! (`[END OF RECORDING]`) and transcriber's notes (`[Transcriber's note: …]`), and lines wholly
//! in brackets. Which lines these rules are asked about, and what Word and Markdown formatting
//! adds, is decided in `text`.

use super::timestamp::{self, Bare};

/// Words that open a section heading when a number or letter follows them.
const SECTION_WORDS: [&str; 11] = [
    "part", "section", "topic", "theme", "question", "module", "session", "block", "phase",
    "stage", "chapter",
];

/// Longest section heading, in characters and in words.
const MAX_HEADING_CHARS: usize = 80;
const MAX_HEADING_WORDS: usize = 12;

/// Whether `label` is a section word and a number (`Part 2`, `Section B`, `Topic IV`): it names a
/// part of the interview guide, never a speaker.
pub(crate) fn section_label(label: &str) -> bool {
    let mut words = label.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(word), Some(number), None) => {
            SECTION_WORDS.contains(&word.to_lowercase().as_str()) && section_number(number)
        }
        _ => false,
    }
}

/// `2`, `2.1`, `B`, `iv`, `IV`.
fn section_number(s: &str) -> bool {
    let digits = s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_digit() || c == '.');
    let letter = s.chars().count() == 1 && s.chars().all(|c| c.is_alphabetic());
    let roman = (1..=6).contains(&s.len())
        && (s.chars().all(|c| "IVXLC".contains(c)) || s.chars().all(|c| "ivxlc".contains(c)));
    digits || letter || roman
}

/// Whether a line is a section heading by its shape: a section word and a number, then nothing
/// or a separator (`:` `.` `)` `-` `–` `—` `|`) and a title; at most 12 words and 80 characters,
/// not ending a sentence with `.` or `!` (a question is a fine heading). `Part 2: Transport`,
/// `Section B – Referrals`, `Question 3: What would help?` are; `Part 2 was the hardest` and
/// `Section 8: that's the housing act.` are speech.
pub(crate) fn section_heading(line: &str) -> bool {
    let line = line.trim();
    if line.chars().count() > MAX_HEADING_CHARS
        || line.split_whitespace().count() > MAX_HEADING_WORDS
        || line.ends_with(['.', '!', ',', ';'])
    {
        return false;
    }
    let Some((word, rest)) = line.split_once(char::is_whitespace) else {
        return false;
    };
    if !SECTION_WORDS.contains(&word.to_lowercase().as_str()) {
        return false;
    }
    let rest = rest.trim_start();
    let token_len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .map(char::len_utf8)
        .sum();
    let token = &rest[..token_len];
    let number = token.trim_end_matches('.');
    if !section_number(number) {
        return false;
    }
    let after = rest[token_len..].trim_start();
    token.ends_with('.') || after.is_empty() || after.starts_with([':', ')', '-', '–', '—', '|'])
}

/// The inside of a line that is wholly in one pair of brackets, `[…]` or `(…)` (nested brackets
/// allowed), after an optional leading timestamp: `[Recording paused]`, `(phone rings)`,
/// `[00:38:02] [END OF RECORDING]`. `[laughs] yes` and `[a] [b]` are not.
pub(crate) fn bracketed(line: &str) -> Option<&str> {
    let line = line.trim();
    let line = match timestamp::strip_leading(line, Bare::HoursOnly) {
        Some((_, rest)) => rest.trim_start(),
        None => line,
    };
    let (open, close) = match line.chars().next()? {
        '[' => ('[', ']'),
        '(' => ('(', ')'),
        _ => return None,
    };
    let mut depth = 0usize;
    for (i, c) in line.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return (i + c.len_utf8() == line.len()).then(|| &line[1..i]);
            }
        }
    }
    None
}

/// Phrases that mark where a recording or interview ends.
const END_PHRASES: [&str; 20] = [
    "end of recording",
    "end of the recording",
    "end of audio",
    "end of tape",
    "end of interview",
    "end of the interview",
    "end of transcript",
    "end of the transcript",
    "end of transcription",
    "end of session",
    "recording ends",
    "recording ended",
    "recording stops",
    "recording stopped",
    "interview ends",
    "interview ended",
    "interview concluded",
    "transcript ends",
    "audio ends",
    "tape ends",
];

/// Whether a line is an end-of-recording marker: one of the phrases above and nothing else but
/// brackets, emphasis, dashes, a full stop and times (`[END OF RECORDING]`, `*** End of
/// interview ***`, `[00:38:02] Recording ends.`, `-- END OF TRANSCRIPT 00:41:10 --`).
pub(crate) fn end_marker(line: &str) -> bool {
    let decoration =
        |c: char| c.is_whitespace() || c.is_ascii_digit() || "[](){}<>*_-–—=#~:.".contains(c);
    let core = line.trim_matches(decoration);
    let words: Vec<String> = core.split_whitespace().map(|w| w.to_lowercase()).collect();
    END_PHRASES.contains(&words.join(" ").as_str())
}

/// How a transcriber's or editor's note opens, inside its brackets.
const NOTE_OPENINGS: [&str; 9] = [
    "transcriber",
    "transcription note",
    "transcriptionist",
    "note:",
    "nb:",
    "tn:",
    "editor",
    "translator",
    "researcher's note",
];

/// Whether a line is a transcriber's (or editor's, translator's) note: wholly bracketed, opening
/// with one of the words above (`[Transcriber's note: …]`, `(NB: name removed)`).
pub(crate) fn transcriber_note(line: &str) -> bool {
    bracketed(line).is_some_and(|inside| {
        let inside = inside.trim_start().to_lowercase().replace('’', "'");
        NOTE_OPENINGS.iter().any(|o| inside.starts_with(o))
    })
}

/// A line that is a note wherever it stands, even inside a paragraph of speech.
pub(crate) fn standalone_note(line: &str) -> bool {
    end_marker(line) || transcriber_note(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_headings_by_shape() {
        for heading in [
            "Part 2: Transport",
            "Part 2",
            "PART II – WHAT WORKS",
            "Section B - Referrals",
            "Topic 3. Volunteers",
            "Question 4: What would help?",
            "Theme 1 | Isolation",
            "Part 2.1: Buses",
        ] {
            assert!(section_heading(heading), "{heading}");
        }
        for speech in [
            "Part 2 was the hardest, honestly",
            "Section 8: that's the housing act.",
            "Part of it was the bus",
            "Question: what did they say?",
            "Transport",
            "Part 2: and then we went to the surgery and they said there was nothing they could do for her at all",
        ] {
            assert!(!section_heading(speech), "{speech}");
        }
        assert!(section_label("Part 2") && section_label("section IV"));
        assert!(!section_label("LW7") && !section_label("Part") && !section_label("Part two"));
    }

    #[test]
    fn brackets_end_markers_and_notes() {
        assert_eq!(bracketed("[Recording paused]"), Some("Recording paused"));
        assert_eq!(bracketed("[a [b] c]"), Some("a [b] c"));
        assert_eq!(
            bracketed("[00:38:02] [END OF RECORDING]"),
            Some("END OF RECORDING")
        );
        assert_eq!(bracketed("[laughs] yes"), None);
        assert_eq!(bracketed("[a] [b]"), None);
        assert_eq!(bracketed("[00:12:31]"), None);
        assert_eq!(bracketed("[unclosed"), None);
        for end in [
            "[END OF RECORDING]",
            "*** End of interview ***",
            "[00:38:02] Recording ends.",
            "-- END OF TRANSCRIPT 00:41:10 --",
            "(end of the recording)",
        ] {
            assert!(end_marker(end), "{end}");
        }
        assert!(!end_marker("That was the end of the recording, I think."));
        assert!(!end_marker("The end."));
        assert!(transcriber_note(
            "[Transcriber’s note: name removed [name].]"
        ));
        assert!(transcriber_note("(NB: the line dropped here)"));
        assert!(!transcriber_note("[laughs]"));
        assert!(!transcriber_note("Transcriber's note: not bracketed"));
    }
}
