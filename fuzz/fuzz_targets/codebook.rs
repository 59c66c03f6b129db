//! Codebook JSON: never panics; errors name the file and a line inside it; what parses is
//! written and read back unchanged; tree walks terminate on any parent links.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use thema::study::files::{codebook_bytes, parse_codebook};
use thema::study::StudyError;

fuzz_target!(|bytes: &[u8]| {
    let path = Path::new("codebooks/fuzz.json");
    match parse_codebook(path, bytes) {
        Ok(book) => {
            let again = parse_codebook(path, &codebook_bytes(&book).unwrap()).unwrap();
            let mut sorted = book.clone();
            sorted.normalise();
            assert_eq!(again, sorted);
            for code in &book.codes {
                let _ = book.path(&code.id);
                let _ = book.subtree(&code.id);
            }
            let _ = book.tree();
        }
        Err(StudyError::Parse { line, .. }) => {
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(line >= 1 && line <= lines, "line {line} of {lines}");
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
});
