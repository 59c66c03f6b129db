//! Laying out a transcript for the screen, lazily: turns as byte ranges, and each turn's
//! wrapped line starts computed only when a visible row needs them, then cached per turn for the
//! current width.
//!
//! The cache counts every line it lays out ([`WrapCache::laid_out`]), so tests can check that
//! drawing a frame of a huge transcript touched only the turns on screen.

use std::rc::Rc;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::model::Transcript;

/// A turn located in bytes, with the parts drawn differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnBytes {
    /// First byte of the paragraph.
    pub start: usize,
    /// First byte of the speech (after timestamp and label).
    pub body_start: usize,
    /// Byte just past the paragraph.
    pub end: usize,
    /// `[hh:mm:ss]`, drawn dim.
    pub timestamp: Option<(usize, usize)>,
    /// `SPEAKER: `, drawn bold.
    pub label: Option<(usize, usize)>,
    /// The turn's number as the study counts turns (0 for a note, see `Turn::number`).
    pub number: usize,
}

/// The turns of a transcript in bytes.
pub fn turn_bytes(transcript: &Transcript) -> Vec<TurnBytes> {
    let text = &transcript.text;
    let index = &transcript.index;
    transcript
        .turns
        .iter()
        .map(|turn| {
            let start = index.byte_of(text, turn.start);
            let body_start = index.byte_of(text, turn.body_start);
            let end = index.byte_of(text, turn.end);
            let mut label_start = start;
            let timestamp = turn.timestamp.as_ref().and_then(|_| {
                let close = text[start..body_start].find(']')?;
                let ts_end = start + close + 1;
                let rest = &text[ts_end..body_start];
                label_start = ts_end + (rest.len() - rest.trim_start().len());
                Some((start, ts_end))
            });
            let label = turn
                .speaker
                .as_ref()
                .map(|_| (label_start, body_start.max(label_start)));
            TurnBytes {
                start,
                body_start,
                end,
                timestamp,
                label,
                number: turn.number,
            }
        })
        .collect()
}

/// Cells a grapheme takes on screen; control characters are drawn as one blank cell.
pub fn cell_width(grapheme: &str) -> usize {
    if grapheme.chars().any(char::is_control) {
        1
    } else {
        grapheme.width()
    }
}

/// Start bytes of the screen lines of `text[start..end]` wrapped at `width` cells: breaks at
/// newlines, at spaces where it can (punctuation stays with its word), inside a word only when
/// the word is wider than a line. Lines always start on grapheme boundaries.
pub fn wrap(text: &str, start: usize, end: usize, width: usize) -> Vec<usize> {
    let width = width.max(1);
    let mut starts = vec![start];
    let end = end.min(text.len());
    if start >= end {
        return starts;
    }
    let mut col = 0;
    // the word being read: where it starts, its width, and where a long word may break
    let mut word: Option<(usize, usize)> = None;
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    for (offset, g) in text[start..end].grapheme_indices(true) {
        let at = start + offset;
        if g.contains('\n') {
            place_word(width, &mut word, &mut pieces, &mut col, &mut starts);
            starts.push(at + g.len());
            col = 0;
        } else if g.chars().all(char::is_whitespace) {
            place_word(width, &mut word, &mut pieces, &mut col, &mut starts);
            // spaces may hang past the edge; the next word wraps instead
            col += 1;
        } else {
            let gw = cell_width(g);
            let (_, w) = word.get_or_insert((at, 0));
            *w += gw;
            pieces.push((at, gw));
        }
    }
    place_word(width, &mut word, &mut pieces, &mut col, &mut starts);
    // a paragraph that ends in a newline does not open an empty line
    if starts.len() > 1 && starts.last() == Some(&end) {
        starts.pop();
    }
    starts
}

/// Puts the word just read on the current line, or starts a new line for it, or breaks it
/// between graphemes when it is wider than a line.
fn place_word(
    width: usize,
    word: &mut Option<(usize, usize)>,
    pieces: &mut Vec<(usize, usize)>,
    col: &mut usize,
    starts: &mut Vec<usize>,
) {
    let Some((at, w)) = word.take() else {
        return;
    };
    if *col + w > width && *col > 0 {
        starts.push(at);
        *col = 0;
    }
    if w <= width {
        *col += w;
    } else {
        for &(g_at, gw) in pieces.iter() {
            if *col + gw > width && *col > 0 {
                starts.push(g_at);
                *col = 0;
            }
            *col += gw;
        }
    }
    pieces.clear();
}

/// Wrapped line starts per turn, for one width.
#[derive(Debug, Default)]
pub struct WrapCache {
    width: usize,
    lines: Vec<Option<Rc<[usize]>>>,
    /// Screen lines laid out since the counter was last reset.
    pub laid_out: usize,
}

impl WrapCache {
    /// An empty cache for a transcript of `turns` turns.
    pub fn new(turns: usize) -> Self {
        WrapCache {
            width: 0,
            lines: vec![None; turns],
            laid_out: 0,
        }
    }

    /// The line starts of turn `i` at `width`, laying the turn out if needed.
    pub fn lines(
        &mut self,
        text: &str,
        turns: &[TurnBytes],
        i: usize,
        width: usize,
    ) -> Rc<[usize]> {
        let width = width.max(1);
        if width != self.width {
            self.width = width;
            self.lines.iter_mut().for_each(|slot| *slot = None);
        }
        if self.lines.len() != turns.len() {
            self.lines = vec![None; turns.len()];
        }
        if let Some(Some(lines)) = self.lines.get(i) {
            return lines.clone();
        }
        let Some(turn) = turns.get(i) else {
            return Rc::from(vec![0]);
        };
        let lines: Rc<[usize]> = Rc::from(wrap(text, turn.start, turn.end, width));
        self.laid_out += lines.len();
        self.lines[i] = Some(lines.clone());
        lines
    }

    /// Forgets every layout (the text or its turns changed).
    pub fn clear(&mut self) {
        self.lines.iter_mut().for_each(|slot| *slot = None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str, width: usize) -> Vec<&str> {
        let starts = wrap(text, 0, text.len(), width);
        let mut out = Vec::new();
        for (i, &s) in starts.iter().enumerate() {
            let e = starts.get(i + 1).copied().unwrap_or(text.len());
            out.push(text[s..e].trim_end_matches('\n'));
        }
        out
    }

    #[test]
    fn wraps_between_words() {
        assert_eq!(
            pieces("the bus stops at six", 10),
            vec!["the bus ", "stops at ", "six"]
        );
        assert_eq!(pieces("one\ntwo", 10), vec!["one", "two"]);
        // punctuation stays with its word
        assert_eq!(
            pieces("about housing, which", 13),
            vec!["about ", "housing, ", "which"]
        );
        assert_eq!(pieces("", 10), vec![""]);
    }

    #[test]
    fn long_words_break_and_wide_characters_count_twice() {
        assert_eq!(pieces("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        // each CJK character takes two cells
        assert_eq!(pieces("日本語です", 4), vec!["日本", "語で", "す"]);
        assert_eq!(pieces("ok 👍🏽 done", 4).len(), 3);
    }

    #[test]
    fn turns_locate_timestamp_and_label() {
        let t = Transcript::parse("x", "[00:00:05] Siân: Hello.\n\nA note\n");
        let turns = turn_bytes(&t);
        let (a, b) = turns[0].timestamp.unwrap();
        assert_eq!(&t.text[a..b], "[00:00:05]");
        let (a, b) = turns[0].label.unwrap();
        assert_eq!(&t.text[a..b], "Siân: ");
        assert_eq!(&t.text[turns[0].body_start..turns[0].end], "Hello.");
        assert!(turns[1].label.is_none());
    }

    #[test]
    fn the_cache_counts_what_it_lays_out() {
        let t = Transcript::parse("x", "A: one two three\n\nB: four\n");
        let turns = turn_bytes(&t);
        let mut cache = WrapCache::new(turns.len());
        cache.lines(&t.text, &turns, 0, 8);
        cache.lines(&t.text, &turns, 0, 8);
        assert_eq!(cache.laid_out, 3);
        cache.lines(&t.text, &turns, 0, 80);
        assert_eq!(cache.laid_out, 4);
    }
}
