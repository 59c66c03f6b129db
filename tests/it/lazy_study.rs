//! The lazy study gives the same answers as reading everything: its catalogue and its stored
//! anchoring facts are checked against a full parse after hand edits, git pulls (files replaced),
//! a deleted `.thema/`, a torn catalogue and processes refreshing it at the same time.

use std::collections::BTreeMap;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use proptest::prelude::*;
use thema::model::{Segment, Transcript};
use thema::study::catalogue::CATALOGUE_FILE;
use thema::study::coding::reanchor_segments;
use thema::study::files::{codings_bytes, load_codings, transcript_path};
use thema::study::{Study, TranscriptInfo};

/// What a study holds when every file is read and parsed.
#[derive(Debug, PartialEq)]
struct Full {
    infos: Vec<TranscriptInfo>,
    texts: BTreeMap<String, String>,
    layers: BTreeMap<String, Vec<Segment>>,
}

fn full(root: &Path) -> Full {
    let mut transcripts = Vec::new();
    for entry in std::fs::read_dir(root.join("transcripts")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            transcripts.push(Transcript::parse(id, text));
        }
    }
    transcripts.sort_by(|a, b| a.id.cmp(&b.id));
    let mut layers = BTreeMap::new();
    for coder in thema::study::files::coder_files(root).unwrap() {
        let mut segments = load_codings(root, &coder).unwrap();
        reanchor_segments(&transcripts, &mut segments);
        layers.insert(coder, segments);
    }
    Full {
        infos: transcripts.iter().map(TranscriptInfo::of).collect(),
        texts: transcripts
            .iter()
            .map(|t| (t.id.clone(), t.text.clone()))
            .collect(),
        layers,
    }
}

fn lazy(root: &Path) -> Full {
    let study = Study::open(root).unwrap();
    let infos = study.transcripts().to_vec();
    let texts = infos
        .iter()
        .map(|i| {
            let t = study.transcript(&i.id).unwrap();
            assert_eq!(t.words, i.words, "{}", i.id);
            (i.id.clone(), t.text.clone())
        })
        .collect();
    let layers = study
        .layers()
        .unwrap()
        .into_iter()
        .map(|(c, s)| (c.to_string(), s.to_vec()))
        .collect();
    Full {
        infos,
        texts,
        layers,
    }
}

fn assert_same(root: &Path) {
    assert_eq!(lazy(root), full(root));
}

const WORDS: [&str; 12] = [
    "bus",
    "garden",
    "tuesday",
    "volunteer",
    "caf\u{e9}",
    "late",
    "referral",
    "kettle",
    "Si\u{e2}n",
    "walk",
    "rain",
    "don\u{2019}t",
];

fn text_of(words: &[usize], speakers: usize) -> String {
    let mut out = String::from("[Interview notes]\n\n");
    for (i, chunk) in words.chunks(5).enumerate() {
        let speaker = if i % speakers.max(1) == 0 {
            "Interviewer"
        } else {
            "P1"
        };
        let line: Vec<&str> = chunk.iter().map(|w| WORDS[w % WORDS.len()]).collect();
        out.push_str(&format!("{speaker}: {}.\n\n", line.join(" ")));
    }
    out
}

/// A study of transcripts `T0..Tn` and one coder whose segments quote whole turns.
fn make_study(root: &Path, texts: &[String]) {
    Study::init(root, "lazy").unwrap();
    let mut segments = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let id = format!("T{i}");
        std::fs::write(transcript_path(root, &id), text).unwrap();
        let t = Transcript::parse(id.clone(), text.clone());
        for (k, turn) in t.speaker_turns().enumerate().take(3) {
            segments.push(Segment {
                id: format!("r1-{i}-{k}"),
                transcript: id.clone(),
                start: turn.body_start,
                end: turn.end,
                code: "c1".into(),
                quote: t.body(turn).to_string(),
                at: "2025-01-01T00:00:00Z".into(),
                memo: None,
                starred: false,
                flag: None,
                extra: Default::default(),
            });
        }
    }
    thema::model::segment::sort_segments(&mut segments);
    std::fs::write(
        root.join("codings/r1.jsonl"),
        codings_bytes(&segments).unwrap(),
    )
    .unwrap();
}

/// Overwrites the file in place (same inode, no truncation first), as some editors save.
fn write_in_place(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file.set_len(text.len() as u64).unwrap();
}

#[test]
fn an_edit_in_place_within_the_same_clock_tick_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = text_of(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2);
    make_study(root, std::slice::from_ref(&text));
    assert_same(root);
    // the same size, the same inode, written at once: only the content tells
    let edited = text.replacen("bus", "car", 1);
    assert_eq!(edited.len(), text.len());
    write_in_place(&transcript_path(root, "T0"), &edited);
    assert_same(root);
    let study = Study::open(root).unwrap();
    assert!(study.transcript("T0").unwrap().text.contains("car"));
}

#[test]
fn a_settled_catalogue_still_sees_an_edit_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = text_of(&[3, 1, 4, 1, 5, 9, 2, 6], 2);
    make_study(root, &[text.clone(), text_of(&[2, 7, 1, 8], 3)]);
    assert_same(root);
    // once the files are older than the settling time, their stamps alone vouch for them ...
    std::thread::sleep(thema::study::catalogue::SETTLE + std::time::Duration::from_millis(300));
    assert_same(root);
    let catalogue = std::fs::read_to_string(root.join(CATALOGUE_FILE)).unwrap();
    assert!(
        catalogue
            .lines()
            .skip(1)
            .all(|l| l.split('\t').nth(5) == Some("1")),
        "{catalogue}"
    );
    // ... and an edit changes the stamp (its change time), so it is read again
    let edited = text.replacen("garden", "pantry", 1);
    write_in_place(&transcript_path(root, "T0"), &edited);
    assert_same(root);
}

#[test]
fn a_pull_that_replaces_files_and_adds_and_removes_transcripts_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let texts: Vec<String> = (0..4)
        .map(|i| text_of(&[i, i + 1, i + 2, 7, 8], 2))
        .collect();
    make_study(root, &texts);
    assert_same(root);
    // what git does: new files by rename, one removed, one added, the layer rewritten
    let replaced = texts[1].replace("kettle", "kettles");
    let tmp = root.join("transcripts/.tmp");
    std::fs::write(&tmp, &replaced).unwrap();
    std::fs::rename(&tmp, transcript_path(root, "T1")).unwrap();
    std::fs::remove_file(transcript_path(root, "T2")).unwrap();
    std::fs::write(transcript_path(root, "T9"), text_of(&[5, 5, 5], 1)).unwrap();
    let mut layer = load_codings(root, "r1").unwrap();
    layer.retain(|s| !s.id.starts_with("r1-0-"));
    std::fs::write(
        root.join("codings/r1.jsonl"),
        codings_bytes(&layer).unwrap(),
    )
    .unwrap();
    assert_same(root);
    // segments of the removed transcript are kept (orphans), segments of the edited one moved
    let study = Study::open(root).unwrap();
    let ids: Vec<&str> = study.transcripts().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["T0", "T1", "T3", "T9"]);
    assert!(study
        .layer("r1")
        .unwrap()
        .iter()
        .any(|s| s.transcript == "T2"));
}

#[test]
fn a_deleted_or_torn_thema_folder_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    make_study(
        root,
        &[text_of(&[1, 2, 3, 4, 5, 6], 2), text_of(&[6, 5, 4], 2)],
    );
    assert_same(root);
    let study = Study::open(root).unwrap();
    thema::index::Index::open(&study, false).unwrap();
    drop(study);
    std::fs::remove_dir_all(root.join(".thema")).unwrap();
    assert_same(root);
    // a catalogue cut short (a crash while another tool copied it) and a garbage anchors file
    let catalogue = std::fs::read(root.join(CATALOGUE_FILE)).unwrap();
    std::fs::write(root.join(CATALOGUE_FILE), &catalogue[..catalogue.len() / 2]).unwrap();
    std::fs::write(
        root.join(".thema/anchors.json"),
        b"{\"version\":1,\"exact\":[[",
    )
    .unwrap();
    assert_same(root);
    std::fs::write(root.join(CATALOGUE_FILE), b"not a catalogue").unwrap();
    assert_same(root);
}

#[test]
fn a_changed_text_moves_segments_even_when_their_lines_were_known_to_fit_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = text_of(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 2);
    make_study(root, std::slice::from_ref(&text));
    // the first load learns that the layer's lines sit exactly in this text
    assert_same(root);
    assert!(root.join(".thema/anchors.json").exists());
    // a longer header shifts every segment: the learnt fact is for the old text, not this one
    let edited = text.replacen("[Interview notes]", "[Interview notes, second draft]", 1);
    std::fs::write(transcript_path(root, "T0"), &edited).unwrap();
    assert_same(root);
    let study = Study::open(root).unwrap();
    let t = study.transcript("T0").unwrap();
    for s in study.layer("r1").unwrap() {
        assert_eq!(t.slice(s.start, s.end), s.quote);
    }
    assert!(!study.notices().is_empty());
}

#[test]
fn processes_refreshing_the_catalogue_at_once_leave_a_true_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let texts: Vec<String> = (0..30)
        .map(|i| text_of(&[i % 7, i % 5, i % 3, 1, 2], 2))
        .collect();
    make_study(&root, &texts);
    std::thread::scope(|scope| {
        for worker in 0..6 {
            let root = root.clone();
            scope.spawn(move || {
                for round in 0..5 {
                    if worker == 0 {
                        let id = format!("T{}", round % 30);
                        let text = text_of(&[round, worker, 3, 4], 2);
                        // as an editor or git writes: a whole new file renamed over the old
                        let path = transcript_path(&root, &id);
                        let temp = root.join(format!("{id}.edit"));
                        std::fs::write(&temp, text).unwrap();
                        std::fs::rename(&temp, &path).unwrap();
                    }
                    let study = Study::open(&root).unwrap();
                    for info in study.transcripts() {
                        // a file changed since opening is read as it is now, never half
                        let t = study.transcript(&info.id).unwrap();
                        assert!(t.text.starts_with("[Interview notes]"));
                    }
                }
            });
        }
    });
    assert_same(&root);
}

#[derive(Debug, Clone)]
enum Step {
    EditInPlace(usize, usize),
    Replace(usize, Vec<usize>),
    Remove(usize),
    Add(Vec<usize>),
    DropSegment(usize),
    TearCatalogue,
    DeleteDerived,
}

fn step() -> impl Strategy<Value = Step> {
    let words = prop::collection::vec(0usize..12, 1..20);
    prop_oneof![
        (0usize..8, 0usize..12).prop_map(|(i, w)| Step::EditInPlace(i, w)),
        (0usize..8, words.clone()).prop_map(|(i, w)| Step::Replace(i, w)),
        (0usize..8).prop_map(Step::Remove),
        words.prop_map(Step::Add),
        (0usize..30).prop_map(Step::DropSegment),
        Just(Step::TearCatalogue),
        Just(Step::DeleteDerived),
    ]
}

fn apply(root: &Path, step: &Step, added: &mut usize) {
    let ids: Vec<String> = full(root).infos.into_iter().map(|i| i.id).collect();
    let pick = |i: &usize| ids.get(i % ids.len().max(1)).cloned();
    match step {
        Step::EditInPlace(i, w) => {
            if let Some(id) = pick(i) {
                let path = transcript_path(root, &id);
                let text = std::fs::read_to_string(&path).unwrap();
                let word = WORDS[*w % WORDS.len()];
                let edited = text.replacen(WORDS[(*w + 1) % WORDS.len()], word, 1);
                write_in_place(&path, &edited);
            }
        }
        Step::Replace(i, words) => {
            if let Some(id) = pick(i) {
                std::fs::write(transcript_path(root, &id), text_of(words, 2)).unwrap();
            }
        }
        Step::Remove(i) => {
            if let Some(id) = pick(i) {
                std::fs::remove_file(transcript_path(root, &id)).unwrap();
            }
        }
        Step::Add(words) => {
            *added += 1;
            std::fs::write(
                transcript_path(root, &format!("N{added}")),
                text_of(words, 3),
            )
            .unwrap();
        }
        Step::DropSegment(i) => {
            let mut layer = load_codings(root, "r1").unwrap();
            if !layer.is_empty() {
                layer.remove(i % layer.len());
                std::fs::write(
                    root.join("codings/r1.jsonl"),
                    codings_bytes(&layer).unwrap(),
                )
                .unwrap();
            }
        }
        Step::TearCatalogue => {
            let path = root.join(CATALOGUE_FILE);
            if let Ok(bytes) = std::fs::read(&path) {
                std::fs::write(&path, &bytes[..bytes.len() * 2 / 3]).unwrap();
            }
        }
        Step::DeleteDerived => {
            let _ = std::fs::remove_dir_all(root.join(".thema"));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_lazy_study_equals_a_full_parse_after_any_edits(
        start in prop::collection::vec(prop::collection::vec(0usize..12, 3..30), 1..6),
        steps in prop::collection::vec(step(), 1..7),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let texts: Vec<String> = start.iter().map(|w| text_of(w, 2)).collect();
        make_study(root, &texts);
        prop_assert_eq!(lazy(root), full(root));
        let mut added = 0;
        for step in &steps {
            apply(root, step, &mut added);
            prop_assert_eq!(lazy(root), full(root), "after {:?}", step);
        }
    }
}

fn segment_at(transcript: &str, n: usize, text: &Transcript) -> Segment {
    let turns: Vec<_> = text.speaker_turns().collect();
    let turn = turns[n % turns.len()];
    let end = (turn.body_start + 3 + n % 7).min(turn.end);
    Segment {
        id: format!("r2-{transcript}-{n}"),
        transcript: transcript.to_string(),
        start: turn.body_start,
        end,
        code: format!("c{}", n % 3),
        quote: text.slice(turn.body_start, end).to_string(),
        at: "2025-02-01T00:00:00Z".into(),
        memo: n.is_multiple_of(4).then(|| format!("memo {n}")),
        starred: false,
        flag: None,
        extra: Default::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    /// Coding one transcript rewrites only its run of lines; the file is byte for byte the one
    /// a full load and save writes.
    #[test]
    fn editing_one_transcript_writes_what_a_full_save_writes(
        ops in prop::collection::vec((any::<bool>(), 0usize..4, 0usize..40), 1..25),
    ) {
        let texts: Vec<String> = (0..4).map(|i| text_of(&[i, 3, 5, i + 2, 8, 9, 1, 0, 4, 6], 2)).collect();
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        make_study(a.path(), &texts);
        make_study(b.path(), &texts);
        // `fast` opens the study afresh for every change (layer never in memory: one run
        // rewritten); `whole` keeps the layer in memory (every change saves it whole)
        let mut whole = Study::open(b.path()).unwrap();
        whole.lock("r2").unwrap();
        whole.layer("r2").unwrap();
        for (add, t, n) in &ops {
            let id = format!("T{t}");
            let text = Transcript::parse(id.clone(), texts[*t].clone());
            let segment = segment_at(&id, *n, &text);
            let mut fast = Study::open(a.path()).unwrap();
            whole.layer("r2").unwrap();
            prop_assert_eq!(whole.coders().contains(&"r2"), a.path().join("codings/r2.jsonl").exists());
            if *add {
                fast.restore_segment("r2", segment.clone()).unwrap();
                whole.restore_segment("r2", segment).unwrap();
            } else {
                let gone_fast = fast.uncode("r2", &segment.id).is_ok();
                let gone_whole = whole.uncode("r2", &segment.id).is_ok();
                prop_assert_eq!(gone_fast, gone_whole);
            }
            drop(fast);
            let one = std::fs::read(a.path().join("codings/r2.jsonl")).unwrap_or_default();
            let two = std::fs::read(b.path().join("codings/r2.jsonl")).unwrap_or_default();
            prop_assert_eq!(String::from_utf8(one).unwrap(), String::from_utf8(two).unwrap());
        }
    }
}
