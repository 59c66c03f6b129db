//! Spans of a transcript's text around a place: the sentence, the paragraph (a line of speech)
//! and the turn's speech, and widening a passage to one of them on grapheme boundaries.
//!
//! Every function works on byte offsets of the transcript's text and inside one turn's speech
//! (`body`, a byte range), so it costs the length of a turn, never of the transcript. The
//! terminal's motions and auto-coding both use them; converting to code points is the caller's
//! business.

use std::ops::Range;

use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

/// How far a passage found inside a turn is widened before it is coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// The matched words themselves.
    Hit,
    /// The sentence (or sentences) around them.
    Sentence,
    /// The line of speech around them: a turn whose speech holds line breaks has several
    /// paragraphs; a turn of one line is one paragraph.
    Paragraph,
    /// The whole speech of the turn, without the speaker label.
    Turn,
}

impl Context {
    /// Every context, narrowest first.
    pub const ALL: [Context; 4] = [
        Context::Hit,
        Context::Sentence,
        Context::Paragraph,
        Context::Turn,
    ];

    /// The name used on the command line and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Context::Hit => "hit",
            Context::Sentence => "sentence",
            Context::Paragraph => "paragraph",
            Context::Turn => "turn",
        }
    }

    /// The context with this name.
    pub fn parse(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name.trim())
    }

    /// The next wider context, back to the narrowest after the widest.
    pub fn next(self) -> Context {
        let i = Context::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Context::ALL[(i + 1) % Context::ALL.len()]
    }
}

impl std::fmt::Display for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Shrinks `[from, to)` to leave out whitespace at both ends.
pub fn trim(text: &str, from: usize, to: usize) -> (usize, usize) {
    let to = to.min(text.len());
    let from = from.min(to);
    let slice = &text[from..to];
    let start = from + (slice.len() - slice.trim_start().len());
    let end = from + slice.trim_end().len();
    (start, end.max(start))
}

/// Whether byte `pos` of `text` is a grapheme-cluster boundary (looking only at the
/// characters around it).
pub fn is_grapheme_boundary(text: &str, pos: usize) -> bool {
    if pos == 0 || pos >= text.len() {
        return pos <= text.len();
    }
    if !text.is_char_boundary(pos) {
        return false;
    }
    let mut cursor = GraphemeCursor::new(pos, text.len(), true);
    cursor.is_boundary(text, 0).unwrap_or(true)
}

/// The grapheme boundary at or before `pos`.
pub fn floor_grapheme(text: &str, pos: usize) -> usize {
    let mut pos = pos.min(text.len());
    while pos > 0 && !text.is_char_boundary(pos) {
        pos -= 1;
    }
    if is_grapheme_boundary(text, pos) {
        return pos;
    }
    let mut cursor = GraphemeCursor::new(pos, text.len(), true);
    match cursor.prev_boundary(text, 0) {
        Ok(Some(prev)) => prev,
        _ => 0,
    }
}

/// The grapheme boundary at or after `pos`.
pub fn ceil_grapheme(text: &str, pos: usize) -> usize {
    let mut pos = pos.min(text.len());
    while pos < text.len() && !text.is_char_boundary(pos) {
        pos += 1;
    }
    if is_grapheme_boundary(text, pos) {
        return pos;
    }
    let mut cursor = GraphemeCursor::new(pos, text.len(), true);
    match cursor.next_boundary(text, 0) {
        Ok(Some(next)) => next,
        _ => text.len(),
    }
}

/// `[from, to)` widened outwards to grapheme boundaries (a letter with a combining accent or
/// an emoji with a skin tone is never cut).
pub fn snap(text: &str, from: usize, to: usize) -> (usize, usize) {
    let (from, to) = if from <= to { (from, to) } else { (to, from) };
    (floor_grapheme(text, from), ceil_grapheme(text, to))
}

/// Where the sentences of a turn's speech start, as byte offsets of `text` (leading spaces
/// skipped).
pub fn sentence_starts(text: &str, body: Range<usize>) -> Vec<usize> {
    let Some(speech) = text.get(body.clone()) else {
        return Vec::new();
    };
    speech
        .split_sentence_bound_indices()
        .filter_map(|(offset, s)| {
            let lead = s.len() - s.trim_start().len();
            (lead < s.len()).then_some(body.start + offset + lead)
        })
        .collect()
}

/// The sentence of a turn's speech around byte `pos`, without surrounding whitespace.
pub fn sentence_around(text: &str, body: Range<usize>, pos: usize) -> (usize, usize) {
    let starts = sentence_starts(text, body.clone());
    let slot = starts.partition_point(|&s| s <= pos);
    let start = slot
        .checked_sub(1)
        .and_then(|s| starts.get(s))
        .copied()
        .unwrap_or(body.start);
    let end = starts.get(slot).copied().unwrap_or(body.end);
    trim(text, start, end)
}

/// The paragraph (line) of a turn's speech around byte `pos`, without surrounding whitespace.
pub fn paragraph_around(text: &str, body: Range<usize>, pos: usize) -> (usize, usize) {
    let Some(speech) = text.get(body.clone()) else {
        return (pos, pos);
    };
    let at = pos.clamp(body.start, body.end) - body.start;
    let start = speech[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = speech[at..].find('\n').map_or(speech.len(), |i| at + i);
    trim(text, body.start + start, body.start + end)
}

/// The speech of a turn without surrounding whitespace.
pub fn turn_speech(text: &str, body: Range<usize>) -> (usize, usize) {
    trim(text, body.start, body.end)
}

/// The passage `[from, to)` of a turn's speech widened to `context`, on grapheme boundaries
/// and inside the speech. A passage that spans two sentences (or lines) widens to both.
pub fn widen(
    text: &str,
    body: Range<usize>,
    from: usize,
    to: usize,
    context: Context,
) -> (usize, usize) {
    let from = from.clamp(body.start, body.end);
    let to = to.clamp(from, body.end);
    let speech = &text[..body.end];
    // the last character of the passage, so a passage ending where a sentence ends does not
    // reach into the next one
    let last = if to > from {
        speech[..to]
            .char_indices()
            .next_back()
            .map_or(from, |(i, _)| i)
    } else {
        from
    };
    let (a, b) = match context {
        Context::Hit => (from, to),
        Context::Sentence => {
            let (a, _) = sentence_around(text, body.clone(), from);
            let (_, b) = sentence_around(text, body.clone(), last);
            (a, b)
        }
        Context::Paragraph => {
            let (a, _) = paragraph_around(text, body.clone(), from);
            let (_, b) = paragraph_around(text, body.clone(), last);
            (a, b)
        }
        Context::Turn => turn_speech(text, body.clone()),
    };
    let (a, b) = (a.min(from), b.max(to));
    let (a, b) = snap(speech, a, b);
    (a.max(body.start), b.min(body.end))
}

/// Merges byte ranges that overlap or are separated only by whitespace (two words of one
/// phrase, two sentences in a row), in place; returns the ranges sorted.
pub fn merge_adjacent(text: &str, spans: &mut Vec<(usize, usize)>) {
    spans.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for &(a, b) in spans.iter() {
        match out.last_mut() {
            Some(last)
                if a <= last.1
                    || text
                        .get(last.1..a)
                        .is_some_and(|gap| gap.chars().all(char::is_whitespace)) =>
            {
                last.1 = last.1.max(b);
            }
            _ => out.push((a, b)),
        }
    }
    *spans = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str, speech: &str) -> Range<usize> {
        let at = text.find(speech).unwrap();
        at..at + speech.len()
    }

    #[test]
    fn sentences_at_the_edges_of_a_turn() {
        let text = "LW7: The café closed. Buses 👍🏽 stopped! Why? No idea.\n";
        let b = body(text, "The café closed. Buses 👍🏽 stopped! Why? No idea.");
        // the first word of the turn
        let the = text.find("The").unwrap();
        let (x, y) = widen(text, b.clone(), the, the + 3, Context::Sentence);
        assert_eq!(&text[x..y], "The café closed.");
        // the last word of the turn
        let idea = text.find("idea").unwrap();
        let (x, y) = widen(text, b.clone(), idea, idea + 4, Context::Sentence);
        assert_eq!(&text[x..y], "No idea.");
        // a word ending a sentence does not reach into the next one
        let closed = text.find("closed").unwrap();
        let (x, y) = widen(text, b.clone(), closed, closed + 6, Context::Sentence);
        assert_eq!(&text[x..y], "The café closed.");
        // two words in two sentences widen to both
        let buses = text.find("Buses").unwrap();
        let (x, y) = widen(text, b.clone(), closed, buses + 5, Context::Sentence);
        assert_eq!(&text[x..y], "The café closed. Buses 👍🏽 stopped!");
        let (x, y) = widen(text, b.clone(), buses, buses + 5, Context::Turn);
        assert_eq!(&text[x..y], &text[b]);
    }

    #[test]
    fn paragraphs_are_lines_of_speech() {
        let text = "V3: First line here.\nSecond line, with a bus.\n\nV3: next turn\n";
        let b = body(text, "First line here.\nSecond line, with a bus.");
        let bus = text.find("bus").unwrap();
        let (x, y) = widen(text, b.clone(), bus, bus + 3, Context::Paragraph);
        assert_eq!(&text[x..y], "Second line, with a bus.");
        let first = text.find("First").unwrap();
        let (x, y) = widen(text, b, first, first + 5, Context::Paragraph);
        assert_eq!(&text[x..y], "First line here.");
    }

    #[test]
    fn hits_keep_whole_graphemes() {
        // a combining accent after the matched letters, an emoji with a skin tone
        let text = "A: cafe\u{301} 👍🏽 日本語です。\n";
        let b = body(text, "cafe\u{301} 👍🏽 日本語です。");
        let cafe = text.find("cafe").unwrap();
        let (x, y) = widen(text, b.clone(), cafe, cafe + 4, Context::Hit);
        assert_eq!(&text[x..y], "cafe\u{301}");
        let thumb = text.find('👍').unwrap();
        let (x, y) = widen(text, b.clone(), thumb, thumb + 4, Context::Hit);
        assert_eq!(&text[x..y], "👍🏽");
        let cjk = text.find('日').unwrap();
        let (x, y) = widen(text, b, cjk, cjk + 3, Context::Sentence);
        assert_eq!(&text[x..y], "cafe\u{301} 👍🏽 日本語です。");
        assert!(!is_grapheme_boundary(text, thumb + 4));
        assert!(!is_grapheme_boundary(text, thumb + 1));
        assert!(is_grapheme_boundary(text, thumb));
    }

    #[test]
    fn adjacent_and_overlapping_spans_merge() {
        let text = "the bus stop, then a train";
        let mut spans = vec![(4, 7), (0, 3), (8, 12), (21, 26), (9, 10)];
        merge_adjacent(text, &mut spans);
        // "the bus stop" is one passage (whitespace between), ", then a" keeps "train" apart
        assert_eq!(spans, vec![(0, 12), (21, 26)]);
    }

    #[test]
    fn contexts_have_names() {
        for c in Context::ALL {
            assert_eq!(Context::parse(c.name()), Some(c));
        }
        assert_eq!(Context::parse("word"), None);
        assert_eq!(Context::Turn.next(), Context::Hit);
    }
}
