//! Hand-typed transcripts in plain text and Markdown (and the paragraphs of Word files): speaker
//! labels at line starts, inline timestamps, multi-paragraph turns, a header block before the
//! interview, notes. Label shape and acceptance live in `labels`; this module decides which lines
//! start turns and what becomes a note.
//!
//! # Rules
//! - Paragraphs are separated by blank lines or rule lines (`-----`, `=====`, `***`). Markdown
//!   also makes YAML front matter and each `#` heading a note paragraph of its own, and decodes
//!   character references (`&#39;`).
//! - *Paragraph mode* (usual): labels count towards acceptance only at paragraph starts.
//!   *Line mode* (one turn per line, no blank lines): when more labelled lines sit inside
//!   paragraphs than at their starts, every line start counts. In both modes any line starting
//!   with an accepted label starts a new turn; other lines continue the current turn, joined with
//!   a line break.
//! - An unlabelled paragraph after a speaker's turn continues that turn (multi-paragraph answers);
//!   a paragraph that is only a bracketed note (`[Recording paused]`) is a note turn of its own.
//! - Before the first turn everything is a note, one per paragraph. A labelled line there is header
//!   metadata, not a turn, when its value is short (one to six words, not ending a sentence with
//!   `.`, `?`, `!`) and it sits in a block of such `Key: value` lines (across paragraph breaks, as
//!   Word puts each on its own paragraph; at most 12 lines; the block ends where a key repeats)
//!   that holds a key which is not a speaker (`Date:`) or follows a short unlabelled title line:
//!   so `Interviewer: RK` in a header block is a note.
//! - A line holding only a timestamp dates the turn or note paragraph that follows it; if the
//!   next line merely continues a turn, it stays in the text.

use std::collections::BTreeMap;

use super::labels::{self, Candidate, Once, Speakers};
use super::timestamp::{self, Bare, Millis};
use super::turns::{self, Join, Notes, Unit};
use super::{entities, ImportOptions, ImportedTurn};

/// A blank-line-separated paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Para {
    lines: Vec<String>,
    /// Front matter or heading: always a note turn of its own.
    note: bool,
}

fn is_rule(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.chars().count() >= 3
        && ['-', '=', '*', '_', '~']
            .iter()
            .any(|&r| compact.chars().all(|c| c == r))
}

fn heading(line: &str) -> Option<&str> {
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    rest.starts_with([' ', '\t'])
        .then(|| rest.trim().trim_end_matches('#').trim_end())
}

/// Splits text into paragraphs, handling Markdown front matter, headings and references.
fn paragraphs(text: &str, markdown: bool) -> Vec<Para> {
    let mut out = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut lines: Vec<&str> = text.lines().collect();
    if markdown && lines.first().map(|l| l.trim()) == Some("---") {
        if let Some(end) = lines
            .iter()
            .skip(1)
            .position(|l| matches!(l.trim(), "---" | "..."))
        {
            let front: Vec<String> = lines[1..=end]
                .iter()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect();
            if !front.is_empty() {
                out.push(Para {
                    lines: front,
                    note: true,
                });
            }
            lines.drain(..=end + 1);
        }
    }
    let end_para = |current: &mut Vec<String>, out: &mut Vec<Para>| {
        if !current.is_empty() {
            out.push(Para {
                lines: std::mem::take(current),
                note: false,
            });
        }
    };
    for line in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() || is_rule(trimmed) {
            end_para(&mut current, &mut out);
            continue;
        }
        let line = if markdown {
            entities::decode(trimmed).into_owned()
        } else {
            trimmed.to_string()
        };
        if markdown {
            if let Some(title) = heading(&line) {
                end_para(&mut current, &mut out);
                out.push(Para {
                    lines: vec![title.to_string()],
                    note: true,
                });
                continue;
            }
        }
        current.push(line);
    }
    end_para(&mut current, &mut out);
    out
}

/// A one-line paragraph that is only a bracketed note: `[Recording paused]`, `(phone rings)`.
fn is_annotation(para: &Para) -> bool {
    let [line] = para.lines.as_slice() else {
        return false;
    };
    [('[', ']'), ('(', ')')].iter().any(|&(open, close)| {
        line.strip_prefix(open)
            .and_then(|r| r.strip_suffix(close))
            .is_some_and(|inner| !inner.contains([open, close]))
    })
}

/// The accepted speaker a line starts with, if any.
fn speaker_of<'a>(line: &'a str, speakers: &Speakers) -> Option<(String, Candidate<'a>)> {
    let c = labels::candidate(line)?;
    speakers.resolve(&c.label).map(|name| (name, c))
}

/// Whether labelled line `at` of the file's lines (all paragraphs, in order) is header metadata
/// rather than the first turn (see the module documentation).
fn is_metadata(all: &[Flat<'_>], at: usize, speakers: &Speakers) -> bool {
    let key = |line: &str| {
        let c = labels::candidate(line)?;
        let v = c.rest.trim();
        let is_value = !v.is_empty()
            && v.split_whitespace().count() <= 6
            && !v.ends_with(['.', '?', '!', '…']);
        is_value.then_some(c.label)
    };
    // The block of key lines `at` belongs to: back to its start, then forward until a key repeats
    // (header keys occur once; dialogue repeats its labels), never longer than a header can be.
    let mut first = at;
    while first > 0
        && at - first < MAX_HEADER_LINES
        && !all[first].hard_break
        && key(all[first - 1].line).is_some()
    {
        first -= 1;
    }
    let mut keys: Vec<String> = Vec::new();
    for (i, flat) in all.iter().enumerate().skip(first).take(MAX_HEADER_LINES) {
        match key(flat.line) {
            Some(k) if !keys.contains(&k) && (i == first || !flat.hard_break) => keys.push(k),
            _ => break,
        }
    }
    if first + keys.len() <= at {
        return false;
    }
    let non_speaker_key = keys.iter().any(|k| speakers.resolve(k).is_none());
    let title_above = first > 0 && !all[first].hard_break && {
        let title = all[first - 1].line;
        key(title).is_none()
            && timestamp::line_only(title).is_none()
            && title.split_whitespace().count() <= 12
    };
    non_speaker_key || title_above
}

/// A line of the file in reading order, for looking at header blocks across paragraphs.
struct Flat<'a> {
    line: &'a str,
    /// A paragraph break precedes this line and one of the two paragraphs has several lines: a
    /// header block does not continue across it (Word's one-line paragraphs it does).
    hard_break: bool,
}

/// Longest header block of `Key: value` lines looked at.
const MAX_HEADER_LINES: usize = 12;

/// Parses hand-typed text (Markdown when `markdown`) into turns.
pub(crate) fn parse(text: &str, markdown: bool, opts: &ImportOptions) -> Vec<ImportedTurn> {
    let paras = paragraphs(text, markdown);
    let speech = || paras.iter().filter(|p| !p.note);
    let at_start = speech()
        .filter(|p| labels::candidate(&p.lines[0]).is_some())
        .count();
    let inside = speech()
        .flat_map(|p| p.lines.iter().skip(1))
        .filter(|l| labels::candidate(l).is_some())
        .count();
    let line_mode = inside > at_start;
    let mut offered: BTreeMap<String, usize> = BTreeMap::new();
    for para in speech() {
        let counted = if line_mode { para.lines.len() } else { 1 };
        for line in para.lines.iter().take(counted) {
            if let Some(c) = labels::candidate(line) {
                *offered.entry(c.label).or_default() += 1;
            }
        }
    }
    let speakers = Speakers::choose(&offered, opts, Once::WellKnown);

    let mut all: Vec<Flat<'_>> = Vec::new();
    for (i, para) in paras.iter().enumerate() {
        let previous_len = if i == 0 { 1 } else { paras[i - 1].lines.len() };
        for (j, line) in para.lines.iter().enumerate() {
            all.push(Flat {
                line,
                hard_break: j == 0 && (previous_len > 1 || para.lines.len() > 1),
            });
        }
    }
    let mut at = 0usize;
    let mut units: Vec<Unit> = Vec::new();
    let mut current: Option<Unit> = None;
    let mut dialogue = false;
    let mut pending: Option<(Millis, String)> = None;
    let append = |current: &mut Option<Unit>, line: &str| {
        let unit = current.get_or_insert_with(|| Unit::new(None, None, ""));
        unit.text.push('\n');
        unit.text.push_str(line);
    };
    for para in &paras {
        if para.note {
            at += para.lines.len();
            units.extend(current.take());
            let start = pending.take().map(|p| p.0);
            units.push(Unit::new(None, start, para.lines.join("\n")));
            continue;
        }
        // Whether a line of this paragraph has been placed (timestamp-only lines are not).
        let mut placed = false;
        for line in &para.lines {
            at += 1;
            if let Some((name, c)) = speaker_of(line, &speakers) {
                if dialogue || !is_metadata(&all, at - 1, &speakers) {
                    dialogue = true;
                    placed = true;
                    units.extend(current.take());
                    let start = c.timestamp.or(pending.take().map(|p| p.0));
                    current = Some(Unit::new(Some(name), start, c.rest));
                    continue;
                }
            }
            if let Some(ms) = timestamp::line_only(line) {
                if let Some((_, earlier)) = pending.replace((ms, line.clone())) {
                    append(&mut current, &earlier);
                }
                continue;
            }
            let continues = placed
                || (dialogue
                    && !is_annotation(para)
                    && current.as_ref().is_some_and(|u| u.speaker.is_some()));
            placed = true;
            if continues {
                if let Some((_, earlier)) = pending.take() {
                    append(&mut current, &earlier);
                }
                append(&mut current, line);
            } else {
                units.extend(current.take());
                let (start, text) = match (
                    pending.take(),
                    timestamp::strip_leading(line, Bare::HoursOnly),
                ) {
                    (Some((ms, _)), _) => (Some(ms), line.as_str()),
                    (None, Some((ms, rest))) => (Some(ms), rest),
                    (None, None) => (None, line.as_str()),
                };
                current = Some(Unit::new(None, start, text));
            }
        }
    }
    if let Some((_, earlier)) = pending.take() {
        append(&mut current, &earlier);
    }
    units.extend(current);
    turns::assemble(units, Join::Lines, Notes::Separate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns_of(text: &str) -> Vec<(Option<String>, Option<String>, String)> {
        parse(text, false, &ImportOptions::default())
            .into_iter()
            .map(|t| (t.speaker, t.timestamp, t.text))
            .collect()
    }

    fn t(
        speaker: Option<&str>,
        ts: Option<&str>,
        text: &str,
    ) -> (Option<String>, Option<String>, String) {
        (
            speaker.map(String::from),
            ts.map(String::from),
            text.to_string(),
        )
    }

    #[test]
    fn line_mode_without_blank_lines() {
        let got = turns_of("I: Hello.\nR: Hi, how are\nyou?\nI: Fine.\nR: Good.\n");
        assert_eq!(
            got,
            vec![
                t(Some("I"), None, "Hello."),
                t(Some("R"), None, "Hi, how are\nyou?"),
                t(Some("I"), None, "Fine."),
                t(Some("R"), None, "Good.")
            ]
        );
    }

    #[test]
    fn header_metadata_is_a_note_and_monday_is_speech() {
        let text = "Interviewer: RK\nParticipant: LW7\nDate: 3 May\n\n[00:00:05]\nInterviewer: Tell me about your week.\n\nLW7: Monday: clinic.\nTuesday: visits.\n\nMonday: I rest.\n\nInterviewer: Thanks.\n";
        let got = turns_of(text);
        assert_eq!(
            got,
            vec![
                t(None, None, "Interviewer: RK\nParticipant: LW7\nDate: 3 May"),
                t(
                    Some("Interviewer"),
                    Some("00:00:05"),
                    "Tell me about your week."
                ),
                t(
                    Some("LW7"),
                    None,
                    "Monday: clinic.\nTuesday: visits.\nMonday: I rest."
                ),
                t(Some("Interviewer"), None, "Thanks.")
            ]
        );
    }

    #[test]
    fn short_dialogue_after_a_header_is_not_swallowed() {
        let mut text = String::from("Date: 3 May\nInterviewer: RK\n\nI: Hi\nR: Hello\n");
        for _ in 0..3000 {
            text.push_str("I: Right\nR: Yeah\n");
        }
        let got = turns_of(&text);
        assert_eq!(got.len(), 1 + 2 + 6000);
        assert_eq!(got[0], t(None, None, "Date: 3 May\nInterviewer: RK"));
        assert_eq!(got[1], t(Some("I"), None, "Hi"));
    }

    #[test]
    fn no_speakers_means_notes_with_timestamps() {
        let got = turns_of("00:00:05 So we begin.\n\n[00:01:00]\nAnd go on.\n");
        assert_eq!(
            got,
            vec![
                t(None, Some("00:00:05"), "So we begin."),
                t(None, Some("00:01:00"), "And go on.")
            ]
        );
    }

    #[test]
    fn markdown_front_matter_headings_and_bold() {
        let text = "---\ntitle: V04\n---\n# Start\n\n**Ruth** [0:05] It&#39;s on.\n\n**V04:** Yes.\n\n**Ruth:** Ok.\n";
        let got: Vec<_> = parse(text, true, &ImportOptions::default())
            .into_iter()
            .map(|t| (t.speaker, t.timestamp, t.text))
            .collect();
        assert_eq!(
            got,
            vec![
                t(None, None, "title: V04"),
                t(None, None, "Start"),
                t(Some("Ruth"), Some("00:00:05"), "It's on."),
                t(Some("V04"), None, "Yes."),
                t(Some("Ruth"), None, "Ok.")
            ]
        );
    }
}
