//! Transcripts whose speaker sits on a header line above the paragraph: Otter.ai `.txt`
//! (`Name  0:03  `, `Speaker 2  4:18`, time-only `0:15` without names, `Transcribed by
//! https://otter.ai` footer), Teams Word transcripts (`Okafor, Grace   0:03`, "started
//! transcription" lines), Rev (`Name (00:03):`, old `Name: 00:04:21`) and Rev.ai text (`Speaker 0
//! 00:00:00    text` columns). Header labels are structural, so `--speakers` does not apply here.

use super::labels;
use super::timestamp::{self, Millis};
use super::turns::{self, Join, Notes, Unit};
use super::{ImportedTurn, SourceFormat};

/// A speaker header line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header<'a> {
    speaker: Option<String>,
    start: Option<Millis>,
    /// Text on the header line itself (Rev.ai columns, `Name (00:03): text`).
    text: &'a str,
    rev: bool,
}

/// Splits a line at runs of two or more spaces or at tabs.
fn columns(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run_end = bytes[i..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count()
            + i;
        let is_sep = run_end > i && (run_end - i >= 2 || bytes[i..run_end].contains(&b'\t'));
        if is_sep {
            if i > start {
                out.push(&line[start..i]);
            }
            start = run_end;
            i = run_end;
        } else {
            i = run_end.max(i + 1);
        }
    }
    if start < line.len() {
        out.push(&line[start..]);
    }
    out
}

/// An Otter/Rev header clock: `M:SS`, `MM:SS`, `H:MM:SS`, `HH:MM:SS` without a fraction.
fn header_clock(s: &str) -> Option<Millis> {
    let s = s.trim();
    if s.contains(['.', ',']) {
        return None;
    }
    timestamp::parse_clock(s)
}

/// Recognises a header line. `time_only` also accepts a bare time (Otter without names).
fn header(line: &str, time_only: bool) -> Option<Header<'_>> {
    let line = line.trim();
    // Rev: `Name (00:03):` with the text on the next line (or after the colon).
    if let Some((head, after)) = line.split_once("):") {
        if let Some(open) = head.rfind('(') {
            let label = head[..open].trim();
            if let Some(ms) = header_clock(&head[open + 1..]) {
                if labels::plausible(label) {
                    return Some(Header {
                        speaker: Some(label.to_string()),
                        start: Some(ms),
                        text: after.trim(),
                        rev: true,
                    });
                }
            }
        }
    }
    // Old Rev: `Name: 00:04:21` alone on its line.
    if let Some((label, after)) = line.split_once(':') {
        let label = label.trim();
        let after = after.trim();
        if after.split(':').count() == 3 {
            if let Some(ms) = header_clock(after) {
                if labels::plausible(label) {
                    return Some(Header {
                        speaker: Some(label.to_string()),
                        start: Some(ms),
                        text: "",
                        rev: true,
                    });
                }
            }
        }
    }
    let cols = columns(line);
    match cols.as_slice() {
        [label, time, rest @ ..] => {
            let ms = header_clock(time)?;
            if !labels::plausible(label.trim()) {
                return None;
            }
            // Rev.ai columns put the text on the same line.
            // `first` is a slice of `line`, so its offset is a char boundary of `line`.
            let text = rest.first().map_or("", |first| {
                &line[first.as_ptr() as usize - line.as_ptr() as usize..]
            });
            Some(Header {
                speaker: Some(label.trim().to_string()),
                start: Some(ms),
                text,
                rev: !rest.is_empty(),
            })
        }
        [time] if time_only => header_clock(time).map(|ms| Header {
            speaker: None,
            start: Some(ms),
            text: "",
            rev: false,
        }),
        _ => None,
    }
}

/// Whether a line is transcription machinery rather than speech.
fn is_machinery(line: &str) -> bool {
    let l = line.trim();
    l.ends_with(" started transcription")
        || l.ends_with(" stopped transcription")
        || l.starts_with("Transcribed by https://otter.ai")
        || l.starts_with("Transcript by Rev.com")
}

/// Whether the text is laid out with speaker header lines, and which kind.
pub(crate) fn detect(text: &str) -> Option<SourceFormat> {
    let mut otter = 0usize;
    let mut rev = 0usize;
    let mut paragraphs = 0usize;
    let mut previous_blank = true;
    for line in text.lines() {
        let blank = line.trim().is_empty();
        if !blank && previous_blank {
            paragraphs += 1;
        }
        previous_blank = blank;
        match header(line, false) {
            Some(h) if h.rev => rev += 1,
            Some(_) => otter += 1,
            None => {}
        }
    }
    let headers = otter + rev;
    if headers >= 2 || (headers == 1 && paragraphs <= 3) {
        Some(if rev > otter {
            SourceFormat::Rev
        } else {
            SourceFormat::Otter
        })
    } else {
        None
    }
}

/// Parses header-line transcripts into turns.
pub(crate) fn parse(text: &str) -> Vec<ImportedTurn> {
    let mut units: Vec<Unit> = Vec::new();
    let mut current: Option<Unit> = None;
    for line in text.lines() {
        if line.trim().is_empty() {
            // Notes end at a blank line; a speaker's paragraphs continue until the next header.
            if current.as_ref().is_some_and(|u| u.speaker.is_none()) {
                units.extend(current.take());
            }
            continue;
        }
        if is_machinery(line) {
            units.extend(current.take());
            units.push(Unit::new(None, None, line));
            continue;
        }
        if let Some(h) = header(line, true) {
            units.extend(current.take());
            current = Some(Unit::new(h.speaker, h.start, h.text));
            continue;
        }
        let unit = current.get_or_insert_with(|| Unit::new(None, None, ""));
        unit.text.push('\n');
        unit.text.push_str(line);
    }
    units.extend(current);
    turns::assemble(units, Join::Lines, Notes::Separate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_spellings() {
        let h = header("Ruth Kessler  0:03  ", false).unwrap();
        assert_eq!(
            (h.speaker.as_deref(), h.start, h.rev),
            (Some("Ruth Kessler"), Some(3_000), false)
        );
        let h = header("Okafor, Grace   1:02:03", false).unwrap();
        assert_eq!(
            (h.speaker.as_deref(), h.start),
            (Some("Okafor, Grace"), Some(3_723_000))
        );
        let h = header("Speaker 1 (01:05):", false).unwrap();
        assert_eq!(
            (h.speaker.as_deref(), h.start, h.rev),
            (Some("Speaker 1"), Some(65_000), true)
        );
        let h = header("Speaker 0    00:00:07    So we start.", false).unwrap();
        assert_eq!(
            (h.speaker.as_deref(), h.start, h.text),
            (Some("Speaker 0"), Some(7_000), "So we start.")
        );
        let h = header("Tom: 00:04:21", false).unwrap();
        assert_eq!(
            (h.speaker.as_deref(), h.start),
            (Some("Tom"), Some(261_000))
        );
        assert_eq!(header("0:15  ", false), None);
        assert_eq!(header("0:15  ", true).map(|h| h.start), Some(Some(15_000)));
        assert_eq!(header("so we went  10:30", false), None);
        assert_eq!(header("Interviewer: so how (12:31): odd", false), None);
    }

    #[test]
    fn detects_only_with_enough_headers() {
        assert_eq!(
            detect("A  0:01\nhi\n\nB  0:05\nho\n"),
            Some(SourceFormat::Otter)
        );
        assert_eq!(
            detect("A (00:01):\nhi\n\nB (00:05):\nho\n"),
            Some(SourceFormat::Rev)
        );
        assert_eq!(detect("Interviewer: hello\n\nR: hi\n"), None);
    }
}
