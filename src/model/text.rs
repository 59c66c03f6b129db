//! Offsets into transcript text: Unicode code points on disk, bytes in memory, grapheme-cluster
//! boundaries for selections.
//!
//! Files store half-open `[start, end)` ranges in code points (as REFI-QDA and W3C selectors do);
//! Rust strings are indexed by bytes. [`CharIndex`] converts between the two in O(1)/O(log n)
//! without scanning the whole text.

use unicode_segmentation::UnicodeSegmentation;

/// Spacing of the byte-offset checkpoints kept by [`CharIndex`], in code points.
const STRIDE: usize = 64;

/// Converts between code-point and byte offsets of one text.
#[derive(Debug, Clone, Default)]
pub struct CharIndex {
    /// Byte offset of every `STRIDE`-th code point.
    checkpoints: Vec<usize>,
    /// Number of code points in the text.
    len_chars: usize,
    /// Whether the text is pure ASCII (then both units agree).
    ascii: bool,
}

impl CharIndex {
    /// Builds the index of `text`.
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return CharIndex {
                checkpoints: Vec::new(),
                len_chars: text.len(),
                ascii: true,
            };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut count = 0;
        for (byte, _) in text.char_indices() {
            if count % STRIDE == 0 {
                checkpoints.push(byte);
            }
            count += 1;
        }
        CharIndex {
            checkpoints,
            len_chars: count,
            ascii: false,
        }
    }

    /// Number of code points in the text.
    pub fn len_chars(&self) -> usize {
        self.len_chars
    }

    /// Byte offset of code point `cp` (clamped to the end of the text).
    pub fn byte_of(&self, text: &str, cp: usize) -> usize {
        if cp >= self.len_chars {
            return text.len();
        }
        if self.ascii {
            return cp;
        }
        let base = self.checkpoints[cp / STRIDE];
        let rest = cp % STRIDE;
        match text[base..].char_indices().nth(rest) {
            Some((offset, _)) => base + offset,
            None => text.len(),
        }
    }

    /// Code-point offset of byte `byte` (rounded down to a character boundary).
    pub fn char_of(&self, text: &str, byte: usize) -> usize {
        let byte = floor_char_boundary(text, byte.min(text.len()));
        if self.ascii {
            return byte;
        }
        let slot = match self.checkpoints.binary_search(&byte) {
            Ok(slot) => return slot * STRIDE,
            Err(slot) => slot.saturating_sub(1),
        };
        let base = self.checkpoints.get(slot).copied().unwrap_or(0);
        slot * STRIDE + text[base..byte].chars().count()
    }

    /// The text of the code-point range `[start, end)`.
    pub fn slice<'t>(&self, text: &'t str, start: usize, end: usize) -> &'t str {
        let a = self.byte_of(text, start);
        let b = self.byte_of(text, end.max(start));
        &text[a..b]
    }
}

/// The largest character boundary at or before `byte`.
pub fn floor_char_boundary(text: &str, mut byte: usize) -> usize {
    byte = byte.min(text.len());
    while byte > 0 && !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// The nearest grapheme-cluster boundary at or before byte `byte` (looking only at the
/// characters around it, so it costs the same anywhere in a long transcript).
pub fn floor_grapheme(text: &str, byte: usize) -> usize {
    crate::model::spans::floor_grapheme(text, byte)
}

/// The nearest grapheme-cluster boundary at or after byte `byte`.
pub fn ceil_grapheme(text: &str, byte: usize) -> usize {
    crate::model::spans::ceil_grapheme(text, byte)
}

/// Snaps a byte range outwards to grapheme boundaries, so a selection never splits a character
/// such as an emoji with a skin-tone modifier or a letter with a combining accent.
pub fn snap_to_graphemes(text: &str, start: usize, end: usize) -> (usize, usize) {
    let (start, end) = if start <= end {
        (start, end)
    } else {
        (end, start)
    };
    (floor_grapheme(text, start), ceil_grapheme(text, end))
}

/// Counts the words of `text` as Unicode word segmentation sees them.
///
/// No UAX #29 rule joins characters across ASCII whitespace, so the text is counted chunk by
/// chunk. A chunk that is one plain word — ASCII letters and digits, apostrophes between
/// letters (`don’t`), punctuation that never joins words at its edges (`"that."`, `(yes),`) —
/// counts 1 without running the segmenter, which makes loading a large study several times
/// faster; every other chunk goes to the segmenter.
pub fn word_count(text: &str) -> usize {
    let mut count = 0;
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b.is_ascii_whitespace() {
            if i > start {
                count += chunk_words(&text[start..i]);
            }
            start = i + 1;
        }
    }
    if start < text.len() {
        count += chunk_words(&text[start..]);
    }
    count
}

fn chunk_words(chunk: &str) -> usize {
    plain_word(chunk.as_bytes()).unwrap_or_else(|| chunk.unicode_words().count())
}

/// 1 (or 0 for bare punctuation) when `chunk` is one plain word as described at
/// [`word_count`]; `None` when the segmenter must decide.
fn plain_word(chunk: &[u8]) -> Option<usize> {
    let edge = |b: &u8| {
        matches!(
            b,
            b'.' | b','
                | b';'
                | b':'
                | b'?'
                | b'!'
                | b'"'
                | b'\''
                | b'('
                | b')'
                | b'['
                | b']'
                | b'-'
        )
    };
    let Some(start) = chunk.iter().position(|b| !edge(b)) else {
        return Some(0);
    };
    let end = chunk.iter().rposition(|b| !edge(b)).unwrap_or(start) + 1;
    let word = &chunk[start..end];
    let letter_at = |i: usize| word.get(i).is_some_and(u8::is_ascii_alphabetic);
    let mut i = 0;
    while i < word.len() {
        let b = word[i];
        let apostrophe = b == b'\'' && i > 0 && letter_at(i - 1) && letter_at(i + 1);
        if b.is_ascii_alphanumeric() || apostrophe {
            i += 1;
        } else if word[i..].starts_with("’".as_bytes())
            && i > 0
            && letter_at(i - 1)
            && letter_at(i + 3)
        {
            i += 3;
        } else {
            return None;
        }
    }
    Some(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_offsets_are_identity() {
        let text = "Interviewer: hello";
        let index = CharIndex::new(text);
        assert_eq!(index.byte_of(text, 5), 5);
        assert_eq!(index.char_of(text, 5), 5);
        assert_eq!(index.len_chars(), text.len());
    }

    #[test]
    fn non_ascii_offsets_round_trip() {
        let text = "Siân: the café — “really” 👍🏽 ".repeat(40);
        let index = CharIndex::new(&text);
        for (cp, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(index.byte_of(&text, cp), byte);
            assert_eq!(index.char_of(&text, byte), cp);
        }
        assert_eq!(index.byte_of(&text, index.len_chars()), text.len());
        assert_eq!(index.slice(&text, 0, 4), "Siân");
    }

    #[test]
    fn word_count_agrees_with_the_segmenter() {
        let samples = [
            "Two years. On Monday: lunch club.\nThen more.",
            "can't won’t 1,000 3.14 e.g. U.S.A. a_b _x_ well-known (yes), \"quoted\" ... -- !?",
            "Siân said café — naïve 👍🏽 ok; [laughs] [00:12] x:y a'b 'tis dogs' .5 5. ,a a,",
            "  \t\r\n  ",
            "\u{200D} a\u{200D} b \u{0301}c \u{0903}क ि x\u{00A0}y 日本語 テスト",
            "",
        ];
        for text in samples {
            assert_eq!(word_count(text), text.unicode_words().count(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn word_count_matches_the_segmenter_on_any_text(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "a", "Z", "9", "'", "’", ".", ",", ":", ";", "_", "-", "(", ")", "\"", "[", "]",
                "?", "!", "@", "/", " ", "\n", "\t", "\r", "é", "\u{0301}", "\u{200D}", "👍",
                "🏽", "‘", "日", "क", "ि", "\u{0903}", "\u{00A0}", "\u{2003}", "אב", "״",
            ]),
            0..40,
        )) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(word_count(&text), text.unicode_words().count(), "{:?}", text);
        }
    }

    #[test]
    fn snapping_keeps_clusters_whole() {
        let text = "ok 👍🏽 done";
        let thumbs = text.find('👍').unwrap();
        // a range ending between the thumb and its skin-tone modifier grows to the whole cluster
        let (a, b) = snap_to_graphemes(text, 0, thumbs + 4);
        assert_eq!(&text[a..b], "ok 👍🏽");
    }
}
