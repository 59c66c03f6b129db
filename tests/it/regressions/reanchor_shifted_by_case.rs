//! Re-anchoring by a case- or spacing-insensitive match used byte offsets of the lowercased
//! text in the original one. With a character that grows when lowercased (`İ`) before the match
//! and one that shrinks (`ẞ`) after it, the totals agree but the offsets are shifted, and the
//! segment was moved onto the wrong characters (its quote then rewritten to them). Found by
//! `loose_reanchoring_finds_the_same_words` in tests/reliability_hostile.rs.

use thema::model::anchor::{reanchor, Anchor};
use thema::model::text::CharIndex;

#[test]
fn a_loose_match_never_lands_on_other_characters() {
    let text =
        "the the İthe at ẞthe the \nstops stops the the the stops the İare a mixed bag the ẞthe ";
    let index = CharIndex::new(text);
    let quote = "he\n the\n stops\n the\n İ";
    let words = |s: &str| {
        s.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    if let Anchor::Moved { start, end, .. } = reanchor(text, &index, 40, 58, quote) {
        assert_eq!(words(index.slice(text, start, end)), words(quote));
    }
}
