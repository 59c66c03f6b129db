//! Importing a REFI-QDA codebook (`.qdc`), project document (`.qde`) or archive (`.qdpx`) from
//! any bytes: never panics; what imports can be written into a fresh study that then opens.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thema::refi::{apply_to_study, import_refi};
use thema::study::Study;

const NAMES: [&str; 3] = ["codebook.qdc", "project.qde", "project.qdpx"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(first) % NAMES.len()];
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join(name);
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    if let Ok(project) = import_refi(&path) {
        let root = dir.path().join("imported");
        if apply_to_study(&root, &project).is_ok() {
            let study = Study::open(&root).expect("an imported study opens");
            let _ = study.check();
        }
    }
});
