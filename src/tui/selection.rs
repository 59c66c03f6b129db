//! Selections and motions over a transcript's text, modelled on helix: a selection is an anchor
//! and a head, both byte offsets on grapheme-cluster boundaries; motions are pure functions of the
//! text, its turns and a position.
//!
//! Everything here works on one turn's slice of the text at a time, so a motion costs the length
//! of a turn, never of the transcript. Offsets are converted to code points only when the app
//! calls the study.

use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

use crate::model::spans;
use crate::tui::wrap::TurnBytes;

/// A selection: `anchor` stays where the selection started, `head` moves with the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Range {
    /// Where the selection started (byte offset).
    pub anchor: usize,
    /// Where the cursor is (byte offset).
    pub head: usize,
}

impl Range {
    /// An empty selection at `pos`.
    pub fn point(pos: usize) -> Self {
        Range {
            anchor: pos,
            head: pos,
        }
    }

    /// A selection from `anchor` to `head`.
    pub fn new(anchor: usize, head: usize) -> Self {
        Range { anchor, head }
    }

    /// First byte covered.
    pub fn from(&self) -> usize {
        self.anchor.min(self.head)
    }

    /// Byte just past the selection.
    pub fn to(&self) -> usize {
        self.anchor.max(self.head)
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.anchor == self.head
    }

    /// Moves the head to `pos`, keeping the anchor when `extend`, else collapsing onto `pos`.
    pub fn put(self, pos: usize, extend: bool) -> Self {
        if extend {
            Range {
                anchor: self.anchor,
                head: pos,
            }
        } else {
            Range::point(pos)
        }
    }
}

/// Units the cursor moves by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Motion {
    /// One grapheme left.
    CharLeft,
    /// One grapheme right.
    CharRight,
    /// Start of the next word.
    WordNext,
    /// End of the current or next word.
    WordEnd,
    /// Start of the current or previous word.
    WordPrev,
    /// Start of the next sentence.
    SentenceNext,
    /// Start of the current or previous sentence.
    SentencePrev,
    /// Start of the next turn's speech.
    TurnNext,
    /// Start of the current or previous turn's speech.
    TurnPrev,
    /// One screen line down.
    LineDown,
    /// One screen line up.
    LineUp,
    /// One screen down.
    PageDown,
    /// One screen up.
    PageUp,
    /// Start of the transcript.
    Start,
    /// End of the transcript.
    End,
}

/// The turn containing byte `pos` (the one before it when `pos` falls between turns).
pub fn turn_at(turns: &[TurnBytes], pos: usize) -> usize {
    turns
        .partition_point(|t| t.start <= pos)
        .saturating_sub(1)
        .min(turns.len().saturating_sub(1))
}

/// The grapheme boundary after `pos` (or `pos` at the end of the text).
pub fn next_grapheme(text: &str, pos: usize) -> usize {
    let pos = pos.min(text.len());
    let mut cursor = GraphemeCursor::new(pos, text.len(), true);
    match cursor.next_boundary(text, 0) {
        Ok(Some(next)) => next,
        _ => text.len(),
    }
}

/// The grapheme boundary before `pos` (or 0).
pub fn prev_grapheme(text: &str, pos: usize) -> usize {
    let pos = pos.min(text.len());
    let mut cursor = GraphemeCursor::new(pos, text.len(), true);
    match cursor.prev_boundary(text, 0) {
        Ok(Some(prev)) => prev,
        _ => 0,
    }
}

/// `pos` moved back onto a grapheme boundary (it is returned unchanged when it is one).
pub fn snap(text: &str, pos: usize) -> usize {
    spans::floor_grapheme(text, pos)
}

fn is_word(segment: &str) -> bool {
    segment.chars().any(char::is_alphanumeric)
}

/// One grapheme to the right, stepping over the blank line between turns.
pub fn char_right(text: &str, turns: &[TurnBytes], pos: usize) -> usize {
    let Some(turn) = turns.get(turn_at(turns, pos)) else {
        return pos;
    };
    if pos >= turn.end {
        return turns
            .get(turn_at(turns, pos) + 1)
            .map_or(turn.end, |next| next.start);
    }
    next_grapheme(text, pos).min(turn.end)
}

/// One grapheme to the left, stepping over the blank line between turns.
pub fn char_left(text: &str, turns: &[TurnBytes], pos: usize) -> usize {
    let i = turn_at(turns, pos);
    let Some(turn) = turns.get(i) else {
        return pos;
    };
    if pos <= turn.start {
        return match i.checked_sub(1).and_then(|p| turns.get(p)) {
            Some(prev) => prev.end,
            None => turn.start,
        };
    }
    prev_grapheme(text, pos.min(turn.end)).max(turn.start)
}

/// Start of the next word: within the turn, else the next turn's speech.
pub fn word_next(text: &str, turns: &[TurnBytes], pos: usize) -> usize {
    let i = turn_at(turns, pos);
    let Some(turn) = turns.get(i) else {
        return pos;
    };
    if pos < turn.end {
        let mut left_first = false;
        for (offset, segment) in text[pos..turn.end].split_word_bound_indices() {
            if !left_first {
                left_first = true;
                if is_word(segment) {
                    continue;
                }
            }
            if is_word(segment) {
                return pos + offset;
            }
        }
    }
    match turns.get(i + 1) {
        Some(next) => next.body_start,
        None => turn.end,
    }
}

/// End of the current word, or of the next one when already at a word's end.
pub fn word_end(text: &str, turns: &[TurnBytes], pos: usize) -> usize {
    let mut i = turn_at(turns, pos);
    let mut pos = pos;
    loop {
        let Some(turn) = turns.get(i) else {
            return pos;
        };
        if pos < turn.end {
            for (offset, segment) in text[pos..turn.end].split_word_bound_indices() {
                if is_word(segment) {
                    return pos + offset + segment.len();
                }
            }
        }
        match turns.get(i + 1) {
            Some(next) => {
                i += 1;
                pos = next.body_start;
            }
            None => return turn.end,
        }
    }
}

/// Start of the current word, or of the previous one when already at a word's start.
pub fn word_prev(text: &str, turns: &[TurnBytes], pos: usize) -> usize {
    let mut i = turn_at(turns, pos);
    let mut pos = pos;
    loop {
        let Some(turn) = turns.get(i) else {
            return pos;
        };
        let upto = pos.min(turn.end);
        if upto > turn.body_start {
            for (offset, segment) in text[turn.body_start..upto].split_word_bound_indices().rev() {
                if is_word(segment) {
                    return turn.body_start + offset;
                }
            }
        }
        match i.checked_sub(1) {
            Some(p) => {
                i = p;
                pos = turns[p].end;
            }
            None => return turn.body_start.min(pos),
        }
    }
}

/// Sentence starts of a turn's speech, as absolute byte offsets (skipping leading spaces).
fn sentence_starts(text: &str, turn: &TurnBytes) -> Vec<usize> {
    spans::sentence_starts(text, turn.body_start..turn.end)
}

/// Start of the next sentence: within the turn, else the next turn's speech.
pub fn sentence_next(text: &str, turns: &[TurnBytes], pos: usize) -> usize {
    let i = turn_at(turns, pos);
    let Some(turn) = turns.get(i) else {
        return pos;
    };
    if let Some(start) = sentence_starts(text, turn).into_iter().find(|&s| s > pos) {
        return start;
    }
    match turns.get(i + 1) {
        Some(next) => next.body_start,
        None => turn.end,
    }
}

/// Start of the current sentence, or of the previous one when already at a sentence's start.
pub fn sentence_prev(text: &str, turns: &[TurnBytes], pos: usize) -> usize {
    let mut i = turn_at(turns, pos);
    loop {
        let Some(turn) = turns.get(i) else {
            return pos;
        };
        if let Some(start) = sentence_starts(text, turn)
            .into_iter()
            .rev()
            .find(|&s| s < pos)
        {
            return start;
        }
        match i.checked_sub(1) {
            Some(p) => i = p,
            None => return turn.body_start.min(pos),
        }
    }
}

/// The sentence around `pos`, without trailing whitespace.
pub fn sentence_around(text: &str, turns: &[TurnBytes], pos: usize) -> (usize, usize) {
    let Some(turn) = turns.get(turn_at(turns, pos)) else {
        return (pos, pos);
    };
    spans::sentence_around(text, turn.body_start..turn.end, pos)
}

/// Start of the next turn's speech (or the end of the transcript).
pub fn turn_next(turns: &[TurnBytes], pos: usize) -> usize {
    let i = turn_at(turns, pos);
    match turns.get(i + 1) {
        Some(next) => next.body_start,
        None => turns.get(i).map_or(pos, |t| t.end),
    }
}

/// Start of this turn's speech, or of the previous turn's when already there.
pub fn turn_prev(turns: &[TurnBytes], pos: usize) -> usize {
    let i = turn_at(turns, pos);
    let Some(turn) = turns.get(i) else {
        return pos;
    };
    if pos > turn.body_start {
        return turn.body_start;
    }
    match i.checked_sub(1) {
        Some(p) => turns[p].body_start,
        None => turn.body_start.min(pos),
    }
}

/// The speech of the turn around `pos`.
pub fn turn_around(turns: &[TurnBytes], pos: usize) -> (usize, usize) {
    turns
        .get(turn_at(turns, pos))
        .map_or((pos, pos), |t| (t.body_start, t.end))
}

pub use spans::trim;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Transcript;
    use crate::tui::wrap::turn_bytes;

    fn sample() -> (Transcript, Vec<TurnBytes>) {
        let t = Transcript::parse(
            "x",
            "Interviewer: Why? Tell me.\n\n[00:00:05] Siân: The café closed. Buses 👍🏽 stopped.\n",
        );
        let turns = turn_bytes(&t);
        (t, turns)
    }

    #[test]
    fn words_move_within_and_across_turns() {
        let (t, turns) = sample();
        let text = &t.text;
        let why = text.find("Why").unwrap();
        let tell = text.find("Tell").unwrap();
        assert_eq!(word_next(text, &turns, why), tell);
        assert_eq!(word_end(text, &turns, why), why + 3);
        assert_eq!(word_prev(text, &turns, tell), why);
        let me_end = text.find("me.").unwrap() + 2;
        // from the last word of a turn to the first word of the next turn's speech
        assert_eq!(word_next(text, &turns, me_end - 2), turns[1].body_start);
        assert_eq!(word_prev(text, &turns, turns[1].body_start), me_end - 2);
    }

    #[test]
    fn sentences_and_turns() {
        let (t, turns) = sample();
        let text = &t.text;
        let buses = text.find("Buses").unwrap();
        assert_eq!(sentence_next(text, &turns, turns[1].body_start), buses);
        assert_eq!(sentence_prev(text, &turns, buses + 2), buses);
        let (a, b) = sentence_around(text, &turns, buses + 1);
        assert_eq!(&text[a..b], "Buses 👍🏽 stopped.");
        assert_eq!(turn_next(&turns, 0), turns[1].body_start);
        assert_eq!(turn_prev(&turns, buses), turns[1].body_start);
        assert_eq!(turn_prev(&turns, turns[1].body_start), turns[0].body_start);
    }

    #[test]
    fn graphemes_stay_whole() {
        let (t, turns) = sample();
        let text = &t.text;
        let thumb = text.find('👍').unwrap();
        let after = char_right(text, &turns, thumb);
        assert_eq!(&text[thumb..after], "👍🏽");
        assert_eq!(char_left(text, &turns, after), thumb);
        assert_eq!(snap(text, thumb + 5), thumb);
        // stepping over the blank line between turns
        assert_eq!(char_right(text, &turns, turns[0].end), turns[1].start);
        assert_eq!(char_left(text, &turns, turns[1].start), turns[0].end);
    }

    #[test]
    fn ranges_extend_and_collapse() {
        let r = Range::point(4).put(9, true);
        assert_eq!((r.from(), r.to()), (4, 9));
        assert!(r.put(2, false).is_empty());
        assert_eq!(trim("  ab  ", 0, 6), (2, 4));
    }

    proptest::proptest! {
        #[test]
        fn motions_land_on_grapheme_boundaries(
            parts in proptest::collection::vec(0usize..10, 1..40),
            at in 0usize..400,
        ) {
            let words = ["Siân: ", "café ", "👍🏽 ", "e\u{301}", ". ", "\n\n", "日本語", "A: ", "x", "  "];
            let text: String = parts.iter().map(|&i| words[i]).collect();
            let t = Transcript::parse("p", text);
            let turns = turn_bytes(&t);
            let text = &t.text;
            let pos = snap(text, at.min(text.len()));
            let moved = [
                char_left(text, &turns, pos),
                char_right(text, &turns, pos),
                word_next(text, &turns, pos),
                word_end(text, &turns, pos),
                word_prev(text, &turns, pos),
                sentence_next(text, &turns, pos),
                sentence_prev(text, &turns, pos),
                turn_next(&turns, pos),
                turn_prev(&turns, pos),
                sentence_around(text, &turns, pos).0,
                sentence_around(text, &turns, pos).1,
            ];
            for m in moved {
                proptest::prop_assert!(m <= text.len());
                proptest::prop_assert_eq!(snap(text, m), m, "{:?} at {}", text, m);
            }
        }
    }
}
