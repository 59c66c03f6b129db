//! Memos: never panic; errors name a line inside the file; a parsed memo written back keeps
//! its fields.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use thema::study::memo::{memo_text, parse_memo};
use thema::study::StudyError;

fuzz_target!(|text: &str| {
    let path = Path::new("memos/fuzz.md");
    match parse_memo(path, text) {
        Ok(memo) => {
            let again = parse_memo(path, &memo_text(&memo)).unwrap();
            assert_eq!(again.fields.len(), memo.fields.len());
        }
        Err(StudyError::Parse { line, .. }) => {
            let lines = text.matches('\n').count() + 1;
            assert!(line >= 1 && line <= lines, "line {line} of {lines}");
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
});
