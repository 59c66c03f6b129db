//! Re-anchoring a quote in an edited text: never panics; a moved range lies inside the text; an
//! exact move holds exactly the quote.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thema::model::anchor::{reanchor, Anchor};
use thema::model::text::CharIndex;

fuzz_target!(|input: (&str, &str, u16, u16)| {
    let (text, quote, start, len) = input;
    let index = CharIndex::new(text);
    let (start, end) = (usize::from(start), usize::from(start) + usize::from(len));
    match reanchor(text, &index, start, end, quote) {
        Anchor::Moved { start, end, fuzzy } => {
            assert!(start <= end && end <= index.len_chars());
            if !fuzzy {
                assert_eq!(index.slice(text, start, end), quote);
            }
        }
        Anchor::Exact => assert_eq!(index.slice(text, start, end), quote),
        Anchor::Lost => {}
    }
});
