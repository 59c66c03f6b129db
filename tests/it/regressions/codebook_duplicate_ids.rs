//! A codebook holding two codes with the same id (a hand edit, or a git conflict resolved by
//! keeping both sides) made the code tree loop forever: `Codebook::tree` ran out of memory and
//! the REFI-QDA export recursed until the stack overflowed. Found by the `codebook` fuzz target
//! (scripts/fuzz.sh). Such a file is now refused on loading, naming the file and the line.

use std::path::Path;

use thema::study::files::parse_codebook;
use thema::study::{Study, StudyError};

const LOOPING: &str = r#"{
  "name": "Link workers",
  "codes": [
    {"id": "c02", "name": "Challenges", "parent": null},
    {"id": "c03", "name": "Transport", "parent": "c02"},
    {"id": "c02", "name": "Referrals", "parent": "c03"}
  ]
}
"#;

#[test]
fn a_codebook_with_a_repeated_id_is_refused_with_its_line() {
    let err = parse_codebook(Path::new("codebooks/link-workers.json"), LOOPING.as_bytes())
        .expect_err("a repeated id must be refused");
    match &err {
        StudyError::Parse { line, message, .. } => {
            assert_eq!(*line, 6, "{err}");
            assert!(message.contains("c02"), "{err}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("link-workers.json"));

    let dir = tempfile::tempdir().unwrap();
    Study::init(dir.path(), "loop").unwrap();
    std::fs::write(dir.path().join("codebooks/link-workers.json"), LOOPING).unwrap();
    assert!(matches!(
        Study::open(dir.path()),
        Err(StudyError::Parse { .. })
    ));
    let problems = thema::study::check::check(dir.path()).unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.line == 6 && p.message.contains("c02")),
        "{problems:?}"
    );
}
