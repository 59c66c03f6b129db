//! Re-anchoring: finding a coded quote again after its transcript was edited.
//!
//! A segment stores its offsets and its quote. When the text at the offsets no longer equals the
//! quote, the quote is looked for (1) exactly, nearest the old position; (2) ignoring case and
//! runs of whitespace; (3) fuzzily, as a span that begins with the quote's first words and ends
//! with its last words, of similar length, nearest the old position. A quote found by none of
//! these stays where it was and is flagged: never dropped.

use crate::model::text::CharIndex;

/// Where a segment's quote now lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// The offsets still hold the quote.
    Exact,
    /// The quote was found elsewhere: new code-point range, and whether it matched only fuzzily.
    Moved {
        /// New start.
        start: usize,
        /// New end.
        end: usize,
        /// True when the text found differs from the quote (edited inside the span).
        fuzzy: bool,
    },
    /// Nowhere to be found.
    Lost,
}

/// Characters of the quote's head and tail used for fuzzy matching.
const EDGE: usize = 16;

/// Places `quote`, last seen at code points `[start, end)`, in `text`.
pub fn reanchor(text: &str, index: &CharIndex, start: usize, end: usize, quote: &str) -> Anchor {
    if quote.is_empty() {
        return Anchor::Lost;
    }
    if index.slice(text, start, end) == quote {
        return Anchor::Exact;
    }
    let old_byte = index.byte_of(text, start);
    if let Some(byte) = nearest(text.match_indices(quote).map(|(b, _)| b), old_byte) {
        let s = index.char_of(text, byte);
        return Anchor::Moved {
            start: s,
            end: s + quote.chars().count(),
            fuzzy: false,
        };
    }
    if let Some((a, b)) = loose_find(text, quote, old_byte) {
        return moved(index, text, a, b);
    }
    if let Some((a, b)) = edge_find(text, quote, old_byte) {
        return moved(index, text, a, b);
    }
    Anchor::Lost
}

fn moved(index: &CharIndex, text: &str, a: usize, b: usize) -> Anchor {
    Anchor::Moved {
        start: index.char_of(text, a),
        end: index.char_of(text, b),
        fuzzy: true,
    }
}

fn nearest(candidates: impl Iterator<Item = usize>, target: usize) -> Option<usize> {
    candidates.min_by_key(|&b| b.abs_diff(target))
}

/// Case- and whitespace-insensitive search; returns a byte range of `text`.
fn loose_find(text: &str, quote: &str, near: usize) -> Option<(usize, usize)> {
    let words: Vec<String> = quote.split_whitespace().map(lowercase).collect();
    let first = words.first()?;
    // offsets found in the lowercased text are used in `text`, so every character must keep
    // its byte length (checking only the total let `İ…ẞ` shift matches by a byte)
    let mut lower = String::with_capacity(text.len());
    for c in text.chars() {
        let before = lower.len();
        lower.extend(c.to_lowercase());
        if lower.len() - before != c.len_utf8() {
            return None;
        }
    }
    let mut best: Option<(usize, usize)> = None;
    for (pos, _) in lower.match_indices(first.as_str()) {
        if let Some(end) = match_words(&lower, pos, &words) {
            if best.is_none_or(|(b, _)| pos.abs_diff(near) < b.abs_diff(near)) {
                best = Some((pos, end));
            }
        }
    }
    best
}

/// Lowercases character by character, exactly as `loose_find` lowercases the text.
fn lowercase(word: &str) -> String {
    word.chars().flat_map(char::to_lowercase).collect()
}

fn match_words(text: &str, mut pos: usize, words: &[String]) -> Option<usize> {
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            let rest = &text[pos..];
            let trimmed = rest.trim_start();
            if trimmed.len() == rest.len() {
                return None;
            }
            pos += rest.len() - trimmed.len();
        }
        if !text[pos..].starts_with(word.as_str()) {
            return None;
        }
        pos += word.len();
    }
    Some(pos)
}

/// A span starting with the quote's head and ending with its tail, of similar length.
fn edge_find(text: &str, quote: &str, near: usize) -> Option<(usize, usize)> {
    let chars: Vec<char> = quote.chars().collect();
    if chars.len() < 2 * EDGE {
        return None;
    }
    let head: String = chars[..EDGE].iter().collect();
    let tail: String = chars[chars.len() - EDGE..].iter().collect();
    let expected = quote.len();
    let slack = expected / 4 + 8;
    let mut best: Option<(usize, usize)> = None;
    for (pos, _) in text.match_indices(head.as_str()) {
        let window_end = (pos + expected + slack).min(text.len());
        let window_end = crate::model::text::floor_char_boundary(text, window_end);
        let window = &text[pos..window_end];
        if let Some(t) = window.rfind(tail.as_str()) {
            let end = pos + t + tail.len();
            let len = end - pos;
            if len + slack >= expected
                && best.is_none_or(|(b, _)| pos.abs_diff(near) < b.abs_diff(near))
            {
                best = Some((pos, end));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(text: &str, start: usize, end: usize, quote: &str) -> Anchor {
        reanchor(text, &CharIndex::new(text), start, end, quote)
    }

    #[test]
    fn exact_and_moved() {
        let text = "A: we have twelve weeks only.\n";
        assert_eq!(place(text, 3, 10, "we have"), Anchor::Exact);
        let edited = "A: Well, we have twelve weeks only.\n";
        assert_eq!(
            place(edited, 3, 10, "we have"),
            Anchor::Moved {
                start: 9,
                end: 16,
                fuzzy: false
            }
        );
    }

    #[test]
    fn whitespace_and_case_changes_are_found() {
        let text = "A: We  have\ntwelve weeks.";
        match place(text, 0, 5, "we have twelve") {
            Anchor::Moved {
                start,
                end,
                fuzzy: true,
            } => assert_eq!(&text[start..end], "We  have\ntwelve"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn loose_matches_map_back_to_the_same_characters() {
        // İ grows and ẞ shrinks when lowercased: equal total length, shifted offsets between
        let text = "İ then the bus stops ẞ";
        if let Anchor::Moved { start, end, .. } = place(text, 0, 3, "THE BUS STOPS") {
            let index = CharIndex::new(text);
            assert_eq!(index.slice(text, start, end), "the bus stops");
        }
        let text = "then the bus stops here";
        match place(text, 0, 3, "THE  BUS stops") {
            Anchor::Moved {
                start,
                end,
                fuzzy: true,
            } => assert_eq!(&text[start..end], "the bus stops"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn edits_inside_the_span_match_fuzzily() {
        let quote =
            "the twelve week limit is far too short for people who have been alone for years";
        let text = "LW7: honestly the twelve week limit is much too short for people who have been alone for years.";
        match place(text, 0, 10, quote) {
            Anchor::Moved {
                start, fuzzy: true, ..
            } => assert_eq!(start, 14),
            other => panic!("{other:?}"),
        }
        assert_eq!(place("nothing here", 0, 4, quote), Anchor::Lost);
    }
}
