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

/// The nearest grapheme-cluster boundary at or before byte `byte`.
pub fn floor_grapheme(text: &str, byte: usize) -> usize {
    let byte = floor_char_boundary(text, byte);
    let mut last = 0;
    for (offset, _) in text.grapheme_indices(true) {
        if offset > byte {
            break;
        }
        last = offset;
    }
    if byte >= text.len() {
        return text.len();
    }
    last
}

/// The nearest grapheme-cluster boundary at or after byte `byte`.
pub fn ceil_grapheme(text: &str, byte: usize) -> usize {
    let byte = floor_char_boundary(text, byte);
    for (offset, _) in text.grapheme_indices(true) {
        if offset >= byte {
            return offset;
        }
    }
    text.len()
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
pub fn word_count(text: &str) -> usize {
    text.unicode_words().count()
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
    fn snapping_keeps_clusters_whole() {
        let text = "ok 👍🏽 done";
        let thumbs = text.find('👍').unwrap();
        // a range ending between the thumb and its skin-tone modifier grows to the whole cluster
        let (a, b) = snap_to_graphemes(text, 0, thumbs + 4);
        assert_eq!(&text[a..b], "ok 👍🏽");
    }
}
