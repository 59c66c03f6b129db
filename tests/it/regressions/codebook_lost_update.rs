//! Two processes refining the same codebook could both pass the "changed on disk?" check and
//! then both write: the second write silently dropped the first change (and the history kept a
//! line for it). Codebook writes now happen under a lock. Found by
//! tests/reliability_concurrency.rs; reproduced here with two `Study` values in two threads.

use std::path::Path;

use thema::model::history::replay;
use thema::study::files::load_history;
use thema::study::{Study, StudyError};

fn add_all(root: &Path, who: &str) -> Vec<String> {
    let mut added = Vec::new();
    for i in 0..40 {
        let path = format!("{who}/Code{i}");
        loop {
            let mut study = Study::open(root).unwrap();
            match study.add_code(who, None, &path, &Default::default(), None) {
                Ok(_) => break,
                Err(StudyError::ChangedOnDisk(_)) => continue,
                Err(e) => panic!("{e}"),
            }
        }
        added.push(path);
    }
    added
}

#[test]
fn concurrent_codebook_writers_never_drop_each_others_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    Study::init(&root, "race").unwrap();
    Study::open(&root)
        .unwrap()
        .add_code("lead", None, "Start", &Default::default(), None)
        .unwrap();
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|who| {
            let root = root.clone();
            std::thread::spawn(move || add_all(&root, who))
        })
        .collect();
    let added: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let study = Study::open(&root).unwrap();
    for path in &added {
        assert!(study.resolve_code(path, None).is_ok(), "{path} was lost");
    }
    let loaded = &study.codebooks[0];
    let mut replayed = replay(
        &loaded.codebook.name,
        &load_history(&root, &loaded.file).unwrap(),
        None,
    )
    .unwrap();
    replayed.normalise();
    assert_eq!(replayed.codes, loaded.codebook.codes);
}
