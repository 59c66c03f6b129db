//! Re-anchoring: finding a coded quote again after its transcript was edited.
//!
//! A segment stores its offsets and its quote. When the text at the offsets no longer equals the
//! quote, the quote is looked for (1) exactly, nearest the old position; (2) loosely — ignoring
//! case, typographic quotes and dashes, and runs of whitespace ([`Loose`]); (3) by alignment:
//! pieces of the quote (runs of three words) are found in the text, each votes for where the
//! quote would start, and the place most pieces agree on wins, nearest the old position — so a
//! small edit anywhere inside a long quote, even at its very start, still finds it. A quote
//! found by none of these stays where it was and is flagged: never dropped.

use crate::model::loose::Loose;
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

/// Words in one piece of a quote that votes in an alignment.
const PIECE_WORDS: usize = 3;
/// Most pieces of a quote used in an alignment.
const MAX_PIECES: usize = 16;

/// Places `quote`, last seen at code points `[start, end)`, in `text`.
pub fn reanchor(text: &str, index: &CharIndex, start: usize, end: usize, quote: &str) -> Anchor {
    if quote.trim().is_empty() {
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
    let loose = Loose::new(text);
    let found = loose.find_all(quote, text);
    if let Some(&(a, b)) = found.iter().min_by_key(|(a, _)| a.abs_diff(old_byte)) {
        return moved(index, text, a, b);
    }
    if let Some((a, b)) = align(&loose, text, quote, old_byte) {
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

/// Finds where most pieces of the quote agree it starts (in the loose text); returns the
/// original byte range, widened to whole words.
fn align(loose: &Loose, text: &str, quote: &str, near: usize) -> Option<(usize, usize)> {
    let q = Loose::new(quote).text;
    let words: Vec<(usize, &str)> = word_offsets(&q);
    if words.len() < PIECE_WORDS + 1 {
        return None;
    }
    // pieces of three words, spread over the quote (the first and last always among them)
    let count = words.len() - PIECE_WORDS + 1;
    let step = count.div_ceil(MAX_PIECES).max(1);
    let mut starts: Vec<usize> = (0..count).step_by(step).collect();
    if starts.last() != Some(&(count - 1)) {
        starts.push(count - 1);
    }
    // each occurrence of a piece votes for a start of the quote in the loose text
    let mut votes: Vec<(isize, usize, usize)> = Vec::new(); // (implied start, piece, at)
    for (n, &w) in starts.iter().enumerate() {
        let (offset, _) = words[w];
        let last = words[w + PIECE_WORDS - 1];
        let piece = &q[offset..last.0 + last.1.len()];
        for (at, _) in loose.text.match_indices(piece) {
            votes.push((at as isize - offset as isize, n, at));
        }
    }
    if votes.is_empty() {
        return None;
    }
    votes.sort_unstable();
    let tolerance = (q.len() / 10 + 8) as isize;
    let needed = (starts.len() / 3).max(2);
    // the window of implied starts holding the most distinct pieces
    let mut best: Option<(usize, usize, usize)> = None; // (pieces, from, to) in `votes`
    let mut to = 0;
    for from in 0..votes.len() {
        to = to.max(from);
        while to + 1 < votes.len() && votes[to + 1].0 - votes[from].0 <= tolerance {
            to += 1;
        }
        let mut pieces: Vec<usize> = votes[from..=to].iter().map(|v| v.1).collect();
        pieces.sort_unstable();
        pieces.dedup();
        let candidate = (pieces.len(), from, to);
        best = match best {
            None => Some(candidate),
            Some(b) if candidate.0 > b.0 => Some(candidate),
            Some(b) if candidate.0 == b.0 => {
                let here = loose.original(votes[from].2, votes[from].2, text).0;
                let there = loose.original(votes[b.1].2, votes[b.1].2, text).0;
                if here.abs_diff(near) < there.abs_diff(near) {
                    Some(candidate)
                } else {
                    Some(b)
                }
            }
            keep => keep,
        };
    }
    let (pieces, from, to) = best?;
    if pieces < needed {
        return None;
    }
    let group = &votes[from..=to];
    // the earliest and latest pieces that voted, where they lie in the text
    let first = group.iter().min_by_key(|v| v.1)?;
    let last = group.iter().max_by_key(|v| v.1)?;
    let text_words = word_offsets(&loose.text);
    let at_word = |byte: usize| text_words.partition_point(|(o, _)| *o < byte);
    let first_word = at_word(first.2);
    let last_word = at_word(last.2) + PIECE_WORDS - 1;
    // the quote's words before the first piece and after the last, found again around them
    // in order, allowing a few words inserted or removed: the edges of the quote, aligned
    let before: Vec<&str> = words[..starts[first.1]].iter().map(|w| w.1).collect();
    let after: Vec<&str> = words[starts[last.1] + PIECE_WORDS..]
        .iter()
        .map(|w| w.1)
        .collect();
    let start_word = extend(&text_words, first_word, &before, Direction::Back);
    let end_word = extend(&text_words, last_word, &after, Direction::Forward);
    let (start, _) = *text_words.get(start_word)?;
    let (end_at, end_text) = *text_words.get(end_word)?;
    let (a, b) = loose.original(start, end_at + end_text.len(), text);
    (b > a).then_some((a, b))
}

/// Which way an edge of an alignment grows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Back,
    Forward,
}

/// From text word `from`, matches the quote's edge words (`edge`, in text order) going `way`,
/// in order, skipping at most a few text words between matches (words inserted by the edit);
/// returns the text word the quote now starts (or ends) at. Quote words not found (removed
/// by the edit) are passed over.
fn extend(text_words: &[(usize, &str)], from: usize, edge: &[&str], way: Direction) -> usize {
    let slack = 2 + edge.len() / 5;
    let mut at = from;
    let ordered: Vec<&str> = match way {
        Direction::Back => edge.iter().rev().copied().collect(),
        Direction::Forward => edge.to_vec(),
    };
    for word in ordered {
        let window = (1..=slack + 1).filter_map(|k| match way {
            Direction::Back => at.checked_sub(k),
            Direction::Forward => Some(at + k).filter(|i| *i < text_words.len()),
        });
        if let Some(found) = window.into_iter().find(|&i| text_words[i].1 == word) {
            at = found;
        }
    }
    at
}

/// The words of a loose text (single spaces between) with their byte offsets.
fn word_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut at = 0;
    for word in text.split(' ') {
        if !word.is_empty() {
            out.push((at, word));
        }
        at += word.len() + 1;
    }
    out
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
    fn typographic_marks_do_not_hide_a_quote() {
        let text = "LW7: I don’t know — it’s a lot.\n";
        match place(text, 0, 3, "I don't know -- it's") {
            Anchor::Moved {
                start,
                end,
                fuzzy: true,
            } => assert_eq!(
                CharIndex::new(text).slice(text, start, end),
                "I don’t know — it’s"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_edit_at_the_start_of_a_long_quote_is_aligned_past() {
        let quote = "The lunch club in Ashby is out of reach for half my clients because the 42 bus stops at six and the community transport needs a week's notice.";
        // a typo fixed in the first word, a word inserted in the middle, the text moved
        let text = "Interviewer: And transport?\n\nLW7: Honestly, the lunch club in Ashby is out of reach for half of my clients because the 42 bus stops at six and the community transport needs a week's notice.\n".to_string();
        let index = CharIndex::new(&text);
        match reanchor(&text, &index, 5, 40, quote) {
            Anchor::Moved {
                start,
                end,
                fuzzy: true,
            } => {
                let found = index.slice(&text, start, end);
                assert!(found.starts_with("the lunch club"), "{found}");
                assert!(found.ends_with("a week's notice."), "{found}");
            }
            other => panic!("{other:?}"),
        }
        // a quote of which nothing survives stays lost
        assert_eq!(
            reanchor(
                &text,
                &index,
                5,
                40,
                "completely different words that the interview never had"
            ),
            Anchor::Lost
        );
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
