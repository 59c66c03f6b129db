//! The attribute table: never panics; errors name a line inside the file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use thema::study::files::parse_attributes;
use thema::study::StudyError;

fuzz_target!(|text: &str| {
    match parse_attributes(Path::new("transcripts/attributes.csv"), text) {
        Ok(_) => {}
        Err(StudyError::Parse { line, .. }) => {
            let lines = text.matches('\n').count() + 1;
            assert!(line >= 1 && line <= lines, "line {line} of {lines}");
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
});
