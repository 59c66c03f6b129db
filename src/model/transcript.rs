//! The canonical transcript: UTF-8 text where each blank-line-separated paragraph is one turn.
//!
//! A turn paragraph reads `SPEAKER: text`, optionally prefixed by a timestamp
//! (`[00:12:31] LW7: text`). A paragraph without a speaker label is a note (a header block,
//! `[Recording paused]`), which may carry a timestamp too (`[00:12:31] text`: a paragraph of an
//! undiarised Whisper transcript); a note that would otherwise look like a turn or a stamped note
//! is written in square brackets, so the text alone always tells turns and notes apart.
//!
//! The speaker rule: the first line starts with a label of 1–40 characters, with no `:` `[` `]`,
//! at most five words, followed by `:` and a space or the end of the line.
//!
//! A **document** (a paper, field notes, survey answers, a source imported from a REFI-QDA
//! project) is a transcript whose speaker turns hold less than a quarter of its text, counted in
//! code points — none at all, or a stray `Keywords: …` or `Abstract: …` line read as a label.
//! Its units are its paragraphs, every one numbered, and every word of it counts.

use crate::model::text::{word_count, CharIndex};

/// Longest speaker label, in characters.
pub const MAX_LABEL_CHARS: usize = 40;
/// Most words in a speaker label.
const MAX_LABEL_WORDS: usize = 5;

/// One paragraph of a transcript: a speaker turn or a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// The turn's number as researchers see and cite it: speaker turns count 1, 2, 3… and
    /// notes are not numbered (0); in a document without any speaker label (field notes, a
    /// paper, survey answers) every paragraph counts. `--turn N`, the terminal interface,
    /// search hits and exports all use this number.
    pub number: usize,
    /// Speaker label, or `None` for a note paragraph.
    pub speaker: Option<String>,
    /// Timestamp as written (`00:12:31`), if any.
    pub timestamp: Option<String>,
    /// Code-point offset where the paragraph starts.
    pub start: usize,
    /// Code-point offset where the speech starts (after the label), equal to `start` for notes.
    pub body_start: usize,
    /// Code-point offset just past the paragraph.
    pub end: usize,
}

impl Turn {
    /// Whether this paragraph is a note rather than a speaker turn.
    pub fn is_note(&self) -> bool {
        self.speaker.is_none()
    }

    /// Whether the paragraph has a number (a speaker turn, or any paragraph of a document).
    pub fn is_numbered(&self) -> bool {
        self.number > 0
    }
}

/// A turn before it is written: what importers produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnText {
    /// Speaker label, or `None` for a note.
    pub speaker: Option<String>,
    /// Normalised timestamp, `hh:mm:ss`.
    pub timestamp: Option<String>,
    /// The speech, without blank lines.
    pub text: String,
}

/// A transcript in canonical form, with its turns located.
#[derive(Debug, Clone)]
pub struct Transcript {
    /// Stable id: the file stem (`LW07-y1`).
    pub id: String,
    /// Canonical text.
    pub text: String,
    /// Paragraphs in order.
    pub turns: Vec<Turn>,
    /// Code-point/byte conversion for `text`.
    pub index: CharIndex,
    /// Words spoken (speaker turns only, labels excluded); in a document, every word.
    pub words: usize,
}

impl Transcript {
    /// Parses canonical text. Parsing never fails: every paragraph is a turn or a note.
    pub fn parse(id: impl Into<String>, text: impl Into<String>) -> Self {
        Transcript::layout(id.into(), text.into(), None)
    }

    /// Parses canonical text whose word count is already known (from the study's catalogue),
    /// skipping the word count, which is most of the cost of parsing.
    pub fn with_words(id: impl Into<String>, text: impl Into<String>, words: usize) -> Self {
        Transcript::layout(id.into(), text.into(), Some(words))
    }

    fn layout(id: String, text: String, known_words: Option<usize>) -> Self {
        let index = CharIndex::new(&text);
        let mut turns = Vec::new();
        let mut words = 0;
        let mut all_words = 0;
        for (byte_start, byte_end) in paragraphs(&text) {
            let para = &text[byte_start..byte_end];
            let head = parse_head(para);
            let start = index.char_of(&text, byte_start);
            let end = index.char_of(&text, byte_end);
            let body_start = index.char_of(&text, byte_start + head.body_offset);
            if known_words.is_none() {
                let body = word_count(&para[head.body_offset..]);
                all_words += body;
                if let Some(label) = &head.speaker {
                    words += body;
                    all_words += word_count(label);
                }
            }
            turns.push(Turn {
                number: 0,
                speaker: head.speaker,
                timestamp: head.timestamp,
                start,
                body_start,
                end,
            });
        }
        // speaker turns are numbered 1, 2, 3…; a document counts paragraphs (and all their
        // words)
        let document = is_document(&turns);
        let mut n = 0;
        for turn in &mut turns {
            if document || !turn.is_note() {
                n += 1;
                turn.number = n;
            }
        }
        let counted = if document { all_words } else { words };
        Transcript {
            id,
            text,
            turns,
            index,
            words: known_words.unwrap_or(counted),
        }
    }

    /// Writes turns as canonical text (LF, paragraphs separated by one blank line, final LF).
    pub fn render(turns: &[TurnText]) -> String {
        let mut out = String::new();
        for turn in turns {
            let body = normalise_body(&turn.text);
            if body.is_empty() && turn.speaker.is_none() {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            match &turn.speaker {
                Some(speaker) => {
                    if let Some(ts) = &turn.timestamp {
                        out.push('[');
                        out.push_str(ts);
                        out.push_str("] ");
                    }
                    out.push_str(&clean_label(speaker));
                    out.push(':');
                    if !body.is_empty() {
                        out.push(' ');
                        out.push_str(&body);
                    }
                }
                None => {
                    if let Some(ts) = &turn.timestamp {
                        out.push('[');
                        out.push_str(ts);
                        out.push_str("] ");
                    }
                    // a note that reads as a turn is bracketed even when it already ends
                    // with `]` (`[00:00:12] LW7: yes]` would parse back as LW7 speaking), and
                    // so is one that would read as a timestamped note
                    let bracketed = body.starts_with('[') && body.ends_with(']');
                    let head = parse_head(&body);
                    if head.speaker.is_some()
                        || head.timestamp.is_some()
                        || (body.starts_with('[') && !bracketed)
                    {
                        out.push('[');
                        out.push_str(&body);
                        out.push(']');
                    } else {
                        out.push_str(&body);
                    }
                }
            }
            out.push('\n');
        }
        out
    }

    /// Length in code points.
    pub fn len_chars(&self) -> usize {
        self.index.len_chars()
    }

    /// The text of the code-point range `[start, end)`.
    pub fn slice(&self, start: usize, end: usize) -> &str {
        self.index.slice(&self.text, start, end)
    }

    /// The speech of a turn, without label and timestamp.
    pub fn body(&self, turn: &Turn) -> &str {
        self.slice(turn.body_start, turn.end)
    }

    /// Speaker turns only (notes left out).
    pub fn speaker_turns(&self) -> impl Iterator<Item = &Turn> {
        self.turns.iter().filter(|t| !t.is_note())
    }

    /// The numbered turns, the units of analysis: speaker turns, or every paragraph of a
    /// document without speakers.
    pub fn numbered_turns(&self) -> impl Iterator<Item = &Turn> {
        self.turns.iter().filter(|t| t.is_numbered())
    }

    /// How many numbered turns there are.
    pub fn turn_count(&self) -> usize {
        self.numbered_turns().count()
    }

    /// The turn with number `n` (see [`Turn::number`]).
    pub fn numbered(&self, n: usize) -> Option<&Turn> {
        if n == 0 {
            return None;
        }
        self.turns.iter().find(|t| t.number == n)
    }

    /// Whether the transcript is a document without speaker labels (its paragraphs are its
    /// turns) rather than an interview.
    pub fn is_document(&self) -> bool {
        is_document(&self.turns)
    }

    /// The paragraph containing code point `cp` (or the nearest one before it).
    pub fn turn_at(&self, cp: usize) -> Option<&Turn> {
        let slot = self.turns.partition_point(|t| t.start <= cp);
        slot.checked_sub(1).and_then(|i| self.turns.get(i))
    }

    /// Distinct speaker labels in order of first appearance.
    pub fn speakers(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for turn in &self.turns {
            if let Some(s) = turn.speaker.as_deref() {
                if !seen.contains(&s) {
                    seen.push(s);
                }
            }
        }
        seen
    }
}

/// Byte ranges of the paragraphs of `text`, trimmed of surrounding newlines.
fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut last_end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push((s, last_end));
            }
        } else {
            if start.is_none() {
                start = Some(offset);
            }
            last_end = offset + content.len();
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push((s, last_end));
    }
    out
}

/// What the first line of a paragraph says about it.
struct Head {
    speaker: Option<String>,
    timestamp: Option<String>,
    /// Byte offset of the speech within the paragraph.
    body_offset: usize,
}

/// Whether paragraphs make a document (see the module documentation): speaker turns hold less
/// than a quarter of the text.
fn is_document(turns: &[Turn]) -> bool {
    let length = |t: &Turn| t.end - t.start;
    let total: usize = turns.iter().map(length).sum();
    let spoken: usize = turns.iter().filter(|t| !t.is_note()).map(length).sum();
    !turns.is_empty() && spoken * 4 < total
}

fn parse_head(para: &str) -> Head {
    let mut rest = para;
    let mut consumed = 0;
    let mut timestamp = None;
    if let Some((ts, len)) = leading_timestamp(rest) {
        timestamp = Some(ts);
        consumed += len;
        rest = &rest[len..];
    }
    // a timestamp without a label stamps a note (an undiarised Whisper segment, say)
    let note = Head {
        speaker: None,
        timestamp: timestamp.clone(),
        body_offset: consumed,
    };
    let line = rest.split('\n').next().unwrap_or("");
    let Some(colon) = line.find(':') else {
        return note;
    };
    let label = &line[..colon];
    let after = &line[colon + 1..];
    if !(after.is_empty() || after.starts_with(' ')) || !is_label(label) {
        return note;
    }
    let mut body_offset = consumed + colon + 1;
    if after.starts_with(' ') {
        body_offset += 1;
    }
    Head {
        speaker: Some(label.trim().to_string()),
        timestamp,
        body_offset,
    }
}

/// Whether `label` can be a speaker label in a canonical transcript.
pub fn is_label(label: &str) -> bool {
    let trimmed = label.trim();
    !trimmed.is_empty()
        && trimmed == label
        && trimmed.chars().count() <= MAX_LABEL_CHARS
        && trimmed.split_whitespace().count() <= MAX_LABEL_WORDS
        && !trimmed.contains(['[', ']', ':', '\n'])
}

/// A `[h:mm:ss] ` or `[mm:ss] ` prefix: the timestamp text and the bytes it takes.
fn leading_timestamp(s: &str) -> Option<(String, usize)> {
    let inner_end = s.strip_prefix('[')?.find(']')?;
    let inner = &s[1..1 + inner_end];
    let valid = !inner.is_empty()
        && inner.contains(':')
        && inner
            .chars()
            .all(|c| c.is_ascii_digit() || c == ':' || c == '.' || c == ',');
    if !valid {
        return None;
    }
    let mut len = inner_end + 2;
    let tail = &s[len..];
    let spaces = tail.len() - tail.trim_start_matches(' ').len();
    if spaces == 0 {
        return None;
    }
    len += spaces;
    Some((inner.to_string(), len))
}

/// Removes blank lines and surrounding whitespace from a turn's text.
fn normalise_body(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Makes any label valid for the canonical form: no colons or brackets, bounded length.
pub fn clean_label(label: &str) -> String {
    let cleaned: String = label
        .chars()
        .map(|c| match c {
            ':' | '[' | ']' | '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().take(MAX_LABEL_WORDS).collect();
    let joined = words.join(" ");
    let short: String = joined.chars().take(MAX_LABEL_CHARS).collect();
    let short = short.trim().to_string();
    if short.is_empty() {
        "Speaker".to_string()
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(speaker: Option<&str>, ts: Option<&str>, text: &str) -> TurnText {
        TurnText {
            speaker: speaker.map(str::to_string),
            timestamp: ts.map(str::to_string),
            text: text.to_string(),
        }
    }

    #[test]
    fn a_note_keeps_its_timestamp() {
        let t = Transcript::parse(
            "w",
            "[00:00:04] Well, it was my GP.\n\n[00:01:12] And then?\n",
        );
        assert!(t.turns.iter().all(Turn::is_note));
        assert_eq!(t.turns[0].timestamp.as_deref(), Some("00:00:04"));
        assert_eq!(t.body(&t.turns[1]), "And then?");
        assert_eq!(t.words, 7, "the timestamps are not words");
        // a note whose text would read as a stamped note or a turn is bracketed, and reads back
        let turns = vec![
            TurnText {
                speaker: None,
                timestamp: Some("00:01:00".into()),
                text: "[00:00:59] LW7: yes".into(),
            },
            TurnText {
                speaker: None,
                timestamp: None,
                text: "[00:02:00] Recording ends.".into(),
            },
        ];
        let text = Transcript::render(&turns);
        assert_eq!(
            text,
            "[00:01:00] [[00:00:59] LW7: yes]\n\n[[00:02:00] Recording ends.]\n"
        );
        let back = Transcript::parse("w", text);
        assert_eq!(back.turns[0].timestamp.as_deref(), Some("00:01:00"));
        assert_eq!(back.turns[1].timestamp, None);
        assert!(back.turns.iter().all(Turn::is_note));
    }

    #[test]
    fn parses_turns_notes_and_timestamps() {
        let text = "[Interview with LW7, 3 May 2024]\n\nInterviewer: How long have you been here?\n\n[00:00:12] LW7: Two years. On Monday: lunch club.\nThen more.\n";
        let t = Transcript::parse("LW7-y1", text);
        assert_eq!(t.turns.len(), 3);
        assert!(t.turns[0].is_note());
        assert_eq!(t.turns[1].speaker.as_deref(), Some("Interviewer"));
        assert_eq!(t.turns[2].speaker.as_deref(), Some("LW7"));
        assert_eq!(t.turns[2].timestamp.as_deref(), Some("00:00:12"));
        assert_eq!(
            t.body(&t.turns[2]),
            "Two years. On Monday: lunch club.\nThen more."
        );
        assert_eq!(t.speakers(), vec!["Interviewer", "LW7"]);
        assert_eq!(t.words, 6 + 8);
    }

    #[test]
    fn render_then_parse_round_trips() {
        let turns = vec![
            turn(None, None, "Date: 3 May 2024\nLocation: Bridgeway office"),
            turn(
                Some("Interviewer"),
                Some("00:00:01"),
                "Hello.\n\nSecond paragraph.",
            ),
            turn(Some("Siân: LW"), None, "Bore da."),
        ];
        let text = Transcript::render(&turns);
        let t = Transcript::parse("x", text.clone());
        assert!(
            t.turns[0].is_note(),
            "a metadata header must not become a speaker: {text}"
        );
        assert_eq!(t.turns[1].speaker.as_deref(), Some("Interviewer"));
        assert_eq!(t.body(&t.turns[1]), "Hello.\nSecond paragraph.");
        assert_eq!(t.turns[2].speaker.as_deref(), Some("Siân LW"));
        assert_eq!(Transcript::render(&[]), "");
    }

    #[test]
    fn turn_at_finds_the_paragraph() {
        let t = Transcript::parse("x", "A: one\n\nB: two\n");
        assert_eq!(t.turn_at(0).map(|t| t.number), Some(1));
        assert_eq!(t.turn_at(9).map(|t| t.number), Some(2));
    }

    #[test]
    fn speaker_turns_are_numbered_and_notes_are_not() {
        let t = Transcript::parse(
            "x",
            "[Interview notes]\n\n[Date: 3 May]\n\nInterviewer: Hello.\n\n[Recording paused]\n\nLW7: Hi there.\n",
        );
        let numbers: Vec<usize> = t.turns.iter().map(|t| t.number).collect();
        assert_eq!(numbers, [0, 0, 1, 0, 2]);
        assert_eq!(t.turn_count(), 2);
        assert_eq!(
            t.numbered(2).and_then(|t| t.speaker.as_deref()),
            Some("LW7")
        );
        assert!(t.numbered(3).is_none() && t.numbered(0).is_none());
        assert!(!t.is_document());
        assert_eq!(t.words, 3);
    }

    #[test]
    fn a_document_without_speakers_counts_its_paragraphs_and_words() {
        let t = Transcript::parse(
            "notes",
            "Field notes, 3 May.\n\nThe lunch club met in the hall; twelve people came.\n\nTwo left early.\n",
        );
        assert!(t.is_document());
        let numbers: Vec<usize> = t.turns.iter().map(|t| t.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert_eq!(t.words, 4 + 10 + 3);
    }

    #[test]
    fn a_stray_label_does_not_make_a_paper_an_interview() {
        let body = "Social prescribing links patients with community groups. ".repeat(20);
        let text = format!("Keywords: loneliness, link workers\n\n{body}\n\n{body}\n");
        let t = Transcript::parse("paper", text);
        assert!(t.is_document());
        assert_eq!(t.turn_count(), 3, "every paragraph is a unit");
        assert_eq!(t.numbered(1).map(|t| t.start), Some(0));
        assert_eq!(
            t.words,
            4 + 2 * 20 * 7,
            "every word counts, the label's too"
        );
    }
}
