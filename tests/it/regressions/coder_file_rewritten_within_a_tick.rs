//! `Study::lock` skips re-reading a coder's file whose size and modification time are those it
//! loaded. File times are coarse (a kernel tick on Linux, a second or two on FAT and many
//! network drives), so another process that rewrote the file within the same tick with the same
//! size went unnoticed, and the next save wrote the stale layer over its work. The stamp now also
//! holds the file's identity (every atomic write makes a new file).

use thema::model::Segment;
use thema::study::coding::Span;
use thema::study::files::{codings_bytes, codings_path, load_codings};
use thema::study::Study;

#[test]
fn a_same_size_rewrite_in_the_same_tick_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "tick").unwrap();
    std::fs::write(
        root.join("transcripts/t1.txt"),
        "P1: The 42 bus stops at six, so the lunch club is out of reach.\n",
    )
    .unwrap();
    let mut setup = Study::open(root).unwrap();
    let code = setup
        .add_code("r1", None, "Transport", &Default::default(), None)
        .unwrap();
    setup
        .apply_code("r1", "t1", &Span::Quote("The 42 bus".into()), &code)
        .unwrap();
    drop(setup);

    // this process has read r1's layer ...
    let mut study = Study::open(root).unwrap();
    // ... when another one rewrites it (atomically, same size, same file time)
    let path = codings_path(root, "r1");
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    let mut theirs: Vec<Segment> = load_codings(root, "r1").unwrap();
    theirs[0].memo = None;
    theirs[0].id = theirs[0].id.replace(&theirs[0].id[3..], "theirs01");
    let bytes = codings_bytes(&theirs).unwrap();
    assert_eq!(bytes.len() as u64, std::fs::metadata(&path).unwrap().len());
    thema::study::atomic::write_atomic(&path, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(before)
        .unwrap();

    study
        .apply_code("r1", "t1", &Span::Quote("lunch club".into()), &code)
        .unwrap();
    let ids: Vec<String> = load_codings(root, "r1")
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert!(
        ids.iter().any(|id| id.ends_with("theirs01")),
        "the other process's rewrite was overwritten: {ids:?}"
    );
    assert_eq!(ids.len(), 2);
}
