//! Markdown emphasis in transcripts: removing `*x*`, `_x_`, `**x**`, `__x__` (and `***x***`)
//! markers from speech, and telling a line that is wholly bold or italic. A simplified
//! CommonMark rule: a run of `*` or `_` opens emphasis when a non-space follows it and closes
//! when a non-space precedes it; `_` never opens or closes inside a word (`befriending_notes_v2`);
//! an opener pairs with the next closer of the same character; unpaired markers (`2 * 3`, a
//! `* ` bullet) stay as written; `\*` and `\_` are a literal `*` and `_`. Code spans and links
//! are not interpreted. It does not know about speaker labels (see `text`).

/// One run of identical emphasis characters, or an escaped one.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// `*` or `_`.
    marker: char,
    /// Byte offset of the run in the line.
    at: usize,
    /// Number of markers.
    len: usize,
    can_open: bool,
    can_close: bool,
    /// Markers removed from this run by pairing.
    removed: usize,
}

/// The line with every paired emphasis marker removed.
pub(crate) fn strip(line: &str) -> String {
    if !line.contains(['*', '_']) {
        return line.to_string();
    }
    let mut runs = runs(line);
    pair(&mut runs);
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for run in &runs {
        out.push_str(&line[at..run.at]);
        if run.len == 0 {
            // an escaped marker: the character without its backslash
            out.push(run.marker);
            at = run.at + 2;
            continue;
        }
        for _ in 0..run.len - run.removed {
            out.push(run.marker);
        }
        at = run.at + run.len;
    }
    out.push_str(&line[at..]);
    out
}

/// How a whole line is emphasised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Whole {
    /// `*line*` or `_line_`.
    Italic,
    /// `**line**`, `__line__` or `***line***`.
    Bold,
}

/// Whether the line is one emphasised span from its first character to its last.
pub(crate) fn whole(line: &str) -> Option<Whole> {
    let line = line.trim();
    let mut runs = runs(line);
    pair(&mut runs);
    let first = runs.first()?;
    let last = runs.last()?;
    let spans_line = runs.len() >= 2
        && first.at == 0
        && first.len > 0
        && first.removed == first.len
        && last.at + last.len == line.len()
        && last.removed == last.len
        && first.len == last.len
        && runs[1..runs.len() - 1].iter().all(|r| r.removed == 0);
    match (spans_line, first.len) {
        (false, _) => None,
        (true, 1) => Some(Whole::Italic),
        (true, _) => Some(Whole::Bold),
    }
}

/// The runs of `*` and `_` in a line, with what each may do.
fn runs(line: &str) -> Vec<Run> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c == '\\' && matches!(chars.get(i + 1), Some((_, '*' | '_'))) {
            let marker = chars[i + 1].1;
            out.push(Run {
                marker,
                at,
                len: 0,
                can_open: false,
                can_close: false,
                removed: 0,
            });
            i += 2;
            continue;
        }
        if c != '*' && c != '_' {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && chars[j].1 == c {
            j += 1;
        }
        let before = i.checked_sub(1).map(|k| chars[k].1);
        let after = chars.get(j).map(|&(_, ch)| ch);
        let space = |ch: Option<char>| ch.is_none_or(char::is_whitespace);
        let word = |ch: Option<char>| ch.is_some_and(char::is_alphanumeric);
        let (mut can_open, mut can_close) = (!space(after), !space(before));
        if c == '_' {
            can_open &= !word(before);
            can_close &= !word(after);
        }
        out.push(Run {
            marker: c,
            at,
            len: j - i,
            can_open,
            can_close,
            removed: 0,
        });
        i = j;
    }
    out
}

/// Pairs openers with closers, recording how many markers each run loses.
fn pair(runs: &mut [Run]) {
    let mut openers: Vec<usize> = Vec::new();
    for k in 0..runs.len() {
        if runs[k].len == 0 {
            continue;
        }
        if runs[k].can_close {
            while runs[k].removed < runs[k].len {
                let Some(pos) = openers
                    .iter()
                    .rposition(|&o| runs[o].marker == runs[k].marker)
                else {
                    break;
                };
                let o = openers[pos];
                let left = runs[o].len - runs[o].removed;
                let right = runs[k].len - runs[k].removed;
                let used = if left >= 2 && right >= 2 { 2 } else { 1 };
                runs[o].removed += used;
                runs[k].removed += used;
                // openers between the pair can no longer close anything
                openers.truncate(pos + 1);
                if runs[o].removed == runs[o].len {
                    openers.pop();
                }
            }
        }
        if runs[k].can_open && runs[k].removed < runs[k].len {
            openers.push(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emphasis_is_removed_and_other_stars_stay() {
        let cases = [
            ("How did you *first* hear?", "How did you first hear?"),
            ("do me __good__, and _right_.", "do me good, and right."),
            ("it's like **now**, a year", "it's like now, a year"),
            ("about ***everything*** * well", "about everything * well"),
            ("befriending_notes_v2 stays", "befriending_notes_v2 stays"),
            ("a 5\\* hotel, 2 * 3 = 6", "a 5* hotel, 2 * 3 = 6"),
            ("* a bullet", "* a bullet"),
            ("*Asked.* She'd say", "Asked. She'd say"),
            ("an *unclosed marker", "an *unclosed marker"),
            ("**bold *and italic***", "bold and italic"),
            ("snake_case and _x_", "snake_case and x"),
            ("no markers", "no markers"),
            ("é*ß*ü", "éßü"),
        ];
        for (line, expected) in cases {
            assert_eq!(strip(line), expected, "{line}");
        }
    }

    #[test]
    fn whole_lines() {
        assert_eq!(whole("*Recording paused.*"), Some(Whole::Italic));
        assert_eq!(whole("_V09 laughs._"), Some(Whole::Italic));
        assert_eq!(whole("**Part 2: Transport**"), Some(Whole::Bold));
        assert_eq!(whole("*a* and *b*"), None);
        assert_eq!(whole("*Interviewer:* hello"), None);
        assert_eq!(whole("plain"), None);
        assert_eq!(whole("*"), None);
    }
}
