//! A segment keeps fields written by other versions of thema "untouched", but a number such as
//! `1.1111111111111109e104` was read to a neighbouring float and written back changed (serde_json
//! parses long decimals approximately unless asked not to). Found by the `codings` fuzz target.

use std::path::Path;

use thema::model::Segment;
use thema::study::files::{codings_bytes, parse_jsonl};

#[test]
fn numbers_in_unknown_fields_are_written_back_exactly() {
    let line = r#"{"id":"r1-aaaa0003","transcript":"V3","start":0,"end":9,"code":"c03","quote":"Siân: é😀","at":"2025-03-01T10:02:00Z","future":{"weight":1.1111111111111109e104,"p":0.30000000000000004,"tiny":5e-324}}"#;
    let path = Path::new("codings/r1.jsonl");
    let segments: Vec<Segment> = parse_jsonl(path, line, "a segment").unwrap();
    let written = String::from_utf8(codings_bytes(&segments).unwrap()).unwrap();
    assert!(
        written.contains(r#""weight":1.1111111111111109e104"#)
            || written.contains(r#""weight":1.1111111111111109e+104"#),
        "{written}"
    );
    assert!(written.contains(r#""p":0.30000000000000004"#), "{written}");
    let again: Vec<Segment> = parse_jsonl(path, &written, "a segment").unwrap();
    assert_eq!(again, segments);
}
