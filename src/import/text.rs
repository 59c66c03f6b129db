//! Hand-typed transcripts in plain text and Markdown, and the paragraphs of Word files: speaker
//! labels at line starts, inline timestamps, multi-paragraph turns, a header block before the
//! interview, section headings, notes. Label shape and acceptance live in `labels`, the shapes of
//! note lines in `notes`, Markdown emphasis in `emphasis`; this module decides which lines start
//! turns and what becomes a note.
//!
//! # Rules
//! - Paragraphs are separated by blank lines or rule lines (`-----`, `=====`, `***`); a Word
//!   paragraph is a paragraph. Markdown also makes YAML front matter and each `#` heading a note
//!   paragraph of its own, decodes character references (`&#39;`) and removes emphasis
//!   (`*x*`, `_x_`, `**x**`, `__x__`) from everything but a bold speaker label (`**LW7:**`).
//! - *Paragraph mode* (usual): labels count towards acceptance only at paragraph starts.
//!   *Line mode* (one turn per line, no blank lines): when more labelled lines sit inside
//!   paragraphs than at their starts, every line start counts. In both modes any line starting
//!   with an accepted label starts a new turn; other lines continue the current turn, joined with
//!   a line break.
//! - An unlabelled paragraph after a speaker's turn continues that turn (multi-paragraph answers);
//!   a paragraph that is only a bracketed note (`[Recording paused]`) is a note turn of its own.
//! - **Headings are notes, never speakers or speech.** A paragraph is a heading when
//!   - its look says so: a Word heading, title or subtitle style, or a Word table (see `docx`);
//!     or a single line, wholly bold (Word runs or `**…**`), of at most 10 words and 80
//!     characters that does not end in `.` `?` `!` `…` `,` `;` `:` (`What would help`) and does
//!     not start with an accepted speaker label; except a heading-styled paragraph that is only
//!     an accepted speaker label (`Interviewer:`, as NVivo's auto-coding by style wants), which
//!     starts a turn. Only such bare labels count towards a label's acceptance from headings;
//!     or
//!   - its first line has the shape of a section of an interview guide: `Part 2: Transport`,
//!     `Section B – Referrals`, `Question 3: What would help?` (a section word and a number, see
//!     `notes`); that line alone becomes the note, whatever the paragraph's look, and
//!     `Part 2` is never a speaker label.
//!
//!   Text after a heading does not continue the turn before it, and a timestamp on a line of its
//!   own before a heading dates the turn after the heading.
//! - **End markers and transcriber's notes are notes** wherever the line stands, even inside a
//!   paragraph of speech: `[END OF RECORDING]`, `*** End of interview ***`, `[00:38:02] Recording
//!   ends.`, `[Transcriber's note: …]` (brackets may nest), `(NB: …)` (see `notes`).
//! - **Italic paragraphs are notes** (a wholly italic Word paragraph, or a line wholly in `*…*` /
//!   `_…_`: the transcriber's `Recording paused while LW11 took a call`), unless they start with
//!   an accepted label, or they continue a turn whose own paragraph was italic too (a transcript
//!   that sets one speaker in italics).
//! - Before the first turn everything is a note, one per paragraph. A labelled line there is header
//!   metadata, not a turn, when its value is short (one to six words, not ending a sentence with
//!   `.`, `?`, `!`) and it sits in a block of such `Key: value` lines (across paragraph breaks, as
//!   Word puts each on its own paragraph; at most 12 lines; the block ends where a key repeats)
//!   that holds a key which is not a speaker (`Date:`) or follows a short unlabelled title line:
//!   so `Interviewer: RK` in a header block is a note.
//! - A line holding only a timestamp dates the turn or note paragraph that follows it; if the
//!   next line merely continues a turn, it stays in the text.
//! - When one speaker's turns follow each other (`LW7: …` twice), they merge into one turn (see
//!   `turns`); the later one's own timestamp stays in the text, `[00:03:20] …`, so no timestamp
//!   typed in the file is lost.

use std::collections::BTreeMap;

use super::emphasis::{self, Whole};
use super::labels::{self, Candidate, Once, Speakers};
use super::notes;
use super::timestamp::{self, format_hms, Bare, Millis};
use super::turns::{self, Join, Notes, Unit};
use super::{entities, ImportOptions, ImportedTurn};

/// What a paragraph's formatting says, before its words are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// Ordinary text.
    Plain,
    /// Always a note: Markdown front matter and `#` headings, a Word table.
    Note,
    /// A Word heading, title or subtitle paragraph.
    Heading,
    /// Wholly bold (Word runs, or `**…**` in Markdown).
    Bold,
    /// Wholly italic (Word runs, or `*…*` in Markdown).
    Italic,
}

/// A paragraph of a formatted document (Word), with its look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StyledParagraph {
    /// The text; soft line breaks are line breaks.
    pub text: String,
    /// What its formatting says.
    pub look: Look,
}

/// A blank-line-separated paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Para {
    lines: Vec<String>,
    look: Look,
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

/// Removes Markdown emphasis from a line, keeping a bold speaker label (`**LW7:**`,
/// `**Ruth** [0:05]`) as written so it is still read as one.
fn strip_emphasis(line: &str) -> String {
    if let Some(c) = labels::candidate(line) {
        if let Some(head) = line.strip_suffix(c.rest) {
            if head.contains("**") || head.contains("__") {
                return format!("{head}{}", emphasis::strip(c.rest));
            }
        }
    }
    emphasis::strip(line)
}

/// Splits text into paragraphs, handling Markdown front matter, headings, emphasis and
/// references.
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
                    look: Look::Note,
                });
            }
            lines.drain(..=end + 1);
        }
    }
    let end_para = |current: &mut Vec<String>, out: &mut Vec<Para>| {
        if current.is_empty() {
            return;
        }
        let mut lines = std::mem::take(current);
        let mut look = Look::Plain;
        if markdown {
            if let [line] = lines.as_slice() {
                look = match emphasis::whole(line) {
                    Some(Whole::Bold) => Look::Bold,
                    Some(Whole::Italic) => Look::Italic,
                    None => Look::Plain,
                };
            }
            lines = lines.iter().map(|l| strip_emphasis(l)).collect();
        }
        out.push(Para { lines, look });
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
                    lines: vec![emphasis::strip(title)],
                    look: Look::Note,
                });
                continue;
            }
        }
        current.push(line);
    }
    end_para(&mut current, &mut out);
    out
}

/// Moves note lines out of speech paragraphs into note paragraphs of their own: a section
/// heading on a paragraph's first line, and end markers and transcriber's notes on any line.
fn split_notes(paras: Vec<Para>) -> Vec<Para> {
    let mut out = Vec::with_capacity(paras.len());
    for para in paras {
        if matches!(para.look, Look::Note | Look::Heading) {
            out.push(para);
            continue;
        }
        let mut rest: Vec<String> = Vec::new();
        for (i, line) in para.lines.into_iter().enumerate() {
            let note = notes::standalone_note(&line) || (i == 0 && notes::section_heading(&line));
            if !note {
                rest.push(line);
                continue;
            }
            if !rest.is_empty() {
                out.push(Para {
                    lines: std::mem::take(&mut rest),
                    look: para.look,
                });
            }
            out.push(Para {
                lines: vec![line],
                look: Look::Note,
            });
        }
        if !rest.is_empty() {
            out.push(Para {
                lines: rest,
                look: para.look,
            });
        }
    }
    out
}

/// A paragraph that is only a speaker label (`Interviewer:`), which starts a turn even when it
/// looks like a heading.
fn label_only(para: &Para) -> bool {
    let [line] = para.lines.as_slice() else {
        return false;
    };
    labels::candidate(line).is_some_and(|c| c.rest.is_empty() && !notes::section_label(&c.label))
}

/// Whether a paragraph may hold speech, and so offer speaker labels, before speakers are known:
/// a heading only when it is a bare label (see the module documentation).
fn may_speak(para: &Para) -> bool {
    match para.look {
        Look::Note => false,
        Look::Heading => label_only(para),
        Look::Plain | Look::Bold | Look::Italic => true,
    }
}

/// Whether a paragraph is a heading note by its look, once the speakers are known (see the
/// module documentation): a heading unless it is a bare accepted label, a short bold line unless
/// it starts with an accepted label.
fn is_heading(para: &Para, speakers: &Speakers) -> bool {
    let starts_turn = || speaker_of(&para.lines[0], speakers).is_some();
    match para.look {
        Look::Note => true,
        Look::Heading => !(label_only(para) && starts_turn()),
        Look::Bold => {
            let [line] = para.lines.as_slice() else {
                return false;
            };
            line.chars().count() <= 80
                && line.split_whitespace().count() <= 10
                && !line.ends_with(['.', '?', '!', '…', ',', ';', ':'])
                && !starts_turn()
        }
        Look::Plain | Look::Italic => false,
    }
}

/// A one-line paragraph that is only a bracketed note: `[Recording paused]`, `(phone rings)`.
fn is_annotation(para: &Para) -> bool {
    matches!(para.lines.as_slice(), [line] if notes::bracketed(line).is_some())
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
    parse_paragraphs(paragraphs(text, markdown), opts)
}

/// Parses the paragraphs of a formatted document (Word) into turns.
pub(crate) fn parse_styled(
    document: Vec<StyledParagraph>,
    opts: &ImportOptions,
) -> Vec<ImportedTurn> {
    let paras = document
        .into_iter()
        .flat_map(|p| {
            paragraphs(&p.text, false)
                .into_iter()
                .map(move |para| Para {
                    lines: para.lines,
                    look: p.look,
                })
        })
        .collect();
    parse_paragraphs(paras, opts)
}

/// Turns paragraphs into turns and notes (see the module documentation).
fn parse_paragraphs(paras: Vec<Para>, opts: &ImportOptions) -> Vec<ImportedTurn> {
    let paras = split_notes(paras);
    let speech = || paras.iter().filter(|p| may_speak(p));
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
    // The last paragraph was wholly italic and part of a speaker's turn.
    let mut italic_turn = false;
    let append = |current: &mut Option<Unit>, line: &str| {
        let unit = current.get_or_insert_with(|| Unit::new(None, None, ""));
        unit.text.push('\n');
        unit.text.push_str(line);
    };
    for para in &paras {
        let in_turn = dialogue && current.as_ref().is_some_and(|u| u.speaker.is_some());
        let italic_note = para.look == Look::Italic
            && speaker_of(&para.lines[0], &speakers).is_none()
            && timestamp::line_only(&para.lines[0]).is_none()
            && !(in_turn && italic_turn);
        if is_heading(para, &speakers) || italic_note {
            // a pending timestamp waits for the turn after the note
            at += para.lines.len();
            units.extend(current.take());
            units.push(Unit::new(None, None, para.lines.join("\n")));
            italic_turn = false;
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
        italic_turn =
            para.look == Look::Italic && current.as_ref().is_some_and(|u| u.speaker.is_some());
    }
    if let Some((_, earlier)) = pending.take() {
        append(&mut current, &earlier);
    }
    units.extend(current);
    keep_merged_timestamps(&mut units);
    turns::assemble(units, Join::Lines, Notes::Separate)
}

/// Writes the timestamp of a unit that will merge into the one before it (the same speaker
/// twice in a row) at the start of its text, `[00:03:20] …`, since a merged turn keeps only its
/// first unit's timestamp.
fn keep_merged_timestamps(units: &mut [Unit]) {
    let mut previous: Option<Option<String>> = None;
    for unit in units.iter_mut() {
        if turns::clean_text(&unit.text, Join::Lines).is_empty() {
            continue; // dropped when turns are assembled
        }
        let speaker = unit.speaker.as_deref().and_then(labels::clean_label);
        let merges = speaker.is_some() && previous.as_ref() == Some(&speaker);
        if merges {
            if let Some(ms) = unit.start.take() {
                unit.text = format!("[{}] {}", format_hms(ms), unit.text.trim_start());
            }
        }
        previous = Some(speaker);
    }
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
    fn section_headings_are_notes_and_never_speakers() {
        // `Part 2` would pass as a study id; declared or not, it is a heading, and the same
        // speaker either side of it stays two turns with their own timestamps.
        let text = "Part 1: Background\n\n[00:00:05] I: Hello.\n\nR: Hi.\n\n[00:03:10]\n\nPart 2: Transport\n\
                    R: The bus.\n\n[00:03:30] R: And the train.\n";
        let expected = vec![
            t(None, None, "Part 1: Background"),
            t(Some("I"), Some("00:00:05"), "Hello."),
            t(Some("R"), None, "Hi."),
            t(None, None, "Part 2: Transport"),
            t(
                Some("R"),
                Some("00:03:10"),
                "The bus.\n[00:03:30] And the train.",
            ),
        ];
        assert_eq!(turns_of(text), expected);
        let declared = ImportOptions {
            speakers: Some(vec!["I".into(), "R".into()]),
        };
        let got: Vec<_> = parse(text, false, &declared)
            .into_iter()
            .map(|t| (t.speaker, t.timestamp, t.text))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn end_markers_and_transcriber_notes_leave_the_turn() {
        let text =
            "I: Thanks.\n\nR: Bye now.\n[Transcriber's note: the tape ran out [inaudible].]\n\
                    END OF RECORDING\n";
        assert_eq!(
            turns_of(text),
            vec![
                t(Some("I"), None, "Thanks."),
                t(Some("R"), None, "Bye now."),
                t(
                    None,
                    None,
                    "[Transcriber's note: the tape ran out [inaudible].]"
                ),
                t(None, None, "END OF RECORDING"),
            ]
        );
    }

    fn styled(paras: &[(&str, Look)]) -> Vec<(Option<String>, Option<String>, String)> {
        let document = paras
            .iter()
            .map(|(text, look)| StyledParagraph {
                text: text.to_string(),
                look: *look,
            })
            .collect();
        parse_styled(document, &ImportOptions::default())
            .into_iter()
            .map(|t| (t.speaker, t.timestamp, t.text))
            .collect()
    }

    #[test]
    fn word_looks() {
        let got = styled(&[
            ("Interviewer:", Look::Heading),
            ("How are you?", Look::Plain),
            ("Transport", Look::Heading),
            ("LW7: Fine.", Look::Plain),
            ("Very fine.", Look::Bold),
            ("Phone rings", Look::Italic),
            ("LW7: Sorry.", Look::Plain),
            ("Bold speech that runs on.", Look::Bold),
            ("Date: 1 May | Site: Hub", Look::Note),
        ]);
        assert_eq!(
            got,
            vec![
                t(Some("Interviewer"), None, "How are you?"),
                t(None, None, "Transport"),
                t(Some("LW7"), None, "Fine.\nVery fine."),
                t(None, None, "Phone rings"),
                t(Some("LW7"), None, "Sorry.\nBold speech that runs on."),
                t(None, None, "Date: 1 May | Site: Hub"),
            ]
        );
        // a bold line is a heading unless an accepted speaker starts it; a heading-styled bare
        // label that is no speaker is a heading too
        let got = styled(&[
            ("I: Hello.", Look::Plain),
            ("R: Hi.", Look::Plain),
            ("I: Tell me about your week", Look::Bold),
            ("R: Busy.", Look::Plain),
            ("Background: work history", Look::Bold),
            ("Transport:", Look::Heading),
            ("R: Still busy.", Look::Plain),
        ]);
        assert_eq!(
            got,
            vec![
                t(Some("I"), None, "Hello."),
                t(Some("R"), None, "Hi."),
                t(Some("I"), None, "Tell me about your week"),
                t(Some("R"), None, "Busy."),
                t(None, None, "Background: work history"),
                t(None, None, "Transport:"),
                t(Some("R"), None, "Still busy."),
            ]
        );
        // a speaker set in italics keeps its multi-paragraph turns
        let got = styled(&[
            ("I: Tell me.", Look::Plain),
            ("R: It was hard.", Look::Italic),
            ("Very hard.", Look::Italic),
            ("I: Why?", Look::Plain),
        ]);
        assert_eq!(got[1], t(Some("R"), None, "It was hard.\nVery hard."));
    }

    #[test]
    fn markdown_emphasis_but_not_bold_labels() {
        let text = "**Ruth** [0:05] It's *on*.\n\n**V04:** Yes, __really__.\n\n*Ruth:* Ok.\n\n*Recording paused.*\n\n**Ruth:** _Back._\n";
        let got: Vec<_> = parse(text, true, &ImportOptions::default())
            .into_iter()
            .map(|t| (t.speaker, t.timestamp, t.text))
            .collect();
        assert_eq!(
            got,
            vec![
                t(Some("Ruth"), Some("00:00:05"), "It's on."),
                t(Some("V04"), None, "Yes, really."),
                t(Some("Ruth"), None, "Ok."),
                t(None, None, "Recording paused."),
                t(Some("Ruth"), None, "Back."),
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
