//! A coder's JSON Lines file: never panics; errors name a line inside the file; what parses is
//! written and read back unchanged.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use thema::model::Segment;
use thema::study::files::{codings_bytes, parse_jsonl};
use thema::study::StudyError;

fuzz_target!(|text: &str| {
    let path = Path::new("codings/r1.jsonl");
    match parse_jsonl::<Segment>(path, text, "a segment") {
        Ok(segments) => {
            let written = codings_bytes(&segments).unwrap();
            let again: Vec<Segment> =
                parse_jsonl(path, std::str::from_utf8(&written).unwrap(), "a segment").unwrap();
            assert_eq!(again, segments);
        }
        Err(StudyError::Parse { line, .. }) => {
            let lines = text.matches('\n').count() + 1;
            assert!(line >= 1 && line <= lines, "line {line} of {lines}");
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
});
