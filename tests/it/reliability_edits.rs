//! Edited transcripts: a transcript is changed after it was coded (a typo fixed, a passage
//! added or cut) before, inside or after coded spans. Every segment survives: one the edit did
//! not touch still holds exactly its quote (at the right place when the quote is unique); one it
//! touched is re-anchored approximately or kept and flagged. The coder's next save writes the new
//! positions, after which the study loads without re-anchoring anything but the flagged.

use std::collections::BTreeSet;

use proptest::prelude::*;
use thema::model::{Code, Codebook, Segment};
use thema::study::files::codings_bytes;
use thema::study::Study;

const WORDS: [&str; 24] = [
    "the",
    "bus",
    "stops",
    "at",
    "six",
    "and",
    "lunch",
    "club",
    "in",
    "Ashby",
    "referrals",
    "twelve",
    "weeks",
    "housing",
    "crisis",
    "Siân",
    "said",
    "é",
    "naïve",
    "😀",
    "volunteer",
    "Tuesday",
    "—",
    "okay",
];

/// A transcript of speaker turns built from the vocabulary.
fn transcript() -> impl Strategy<Value = String> {
    let turn = prop::collection::vec(prop::sample::select(WORDS.to_vec()), 4..25);
    prop::collection::vec(turn, 2..7).prop_map(|turns| {
        turns
            .iter()
            .enumerate()
            .map(|(i, words)| format!("P{}: {}.\n", i % 2, words.join(" ")))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// One edit, in code points of the original text: replace `[start, end)` with `insert`.
#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    end: usize,
    insert: String,
}

fn edit(len: usize) -> impl Strategy<Value = Edit> {
    let insert = prop::collection::vec(prop::sample::select(WORDS.to_vec()), 0..4).prop_map(|w| {
        if w.is_empty() {
            String::new()
        } else {
            format!(" {} ", w.join(" "))
        }
    });
    (0..=len, 0usize..30, insert).prop_map(move |(start, cut, insert)| {
        let end = (start + cut).min(len);
        let insert = if insert.is_empty() && start == end {
            "x".to_string()
        } else {
            insert
        };
        Edit { start, end, insert }
    })
}

fn apply(text: &str, edit: &Edit) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: String = chars[..edit.start].iter().collect();
    out.push_str(&edit.insert);
    out.extend(&chars[edit.end..]);
    out
}

fn slice(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

fn case() -> impl Strategy<Value = (String, Vec<(usize, usize)>, Edit)> {
    transcript().prop_flat_map(|text| {
        let len = text.chars().count();
        let span =
            (0..len.saturating_sub(4), 3usize..40).prop_map(move |(s, l)| (s, (s + l).min(len)));
        (
            Just(text),
            prop::collection::btree_set(span, 1..8),
            edit(len),
        )
            .prop_map(|(t, spans, e)| (t, spans.into_iter().collect(), e))
    })
}

fn segment(n: usize, text: &str, start: usize, end: usize) -> Segment {
    Segment {
        id: format!("r1-{n:08}"),
        transcript: "t1".to_string(),
        start,
        end,
        code: "c1".to_string(),
        quote: slice(text, start, end),
        at: "2025-03-01T10:00:00Z".to_string(),
        memo: None,
        starred: false,
        flag: None,
        extra: Default::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: ProptestConfig::default().cases * 3 / 8, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_segment_disappears_and_untouched_quotes_stay_exact((text, spans, edit) in case()) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        Study::init(root, "edits").unwrap();
        std::fs::write(root.join("transcripts/t1.txt"), &text).unwrap();
        let mut book = Codebook::new("Codebook");
        book.add(Code {
            id: "c1".into(), name: "Transport".into(), parent: None, description: String::new(),
            include: String::new(), exclude: String::new(), example: String::new(), color: String::new(), codable: true, order: None,
        }).unwrap();
        std::fs::write(root.join("codebooks/codebook.json"), serde_json::to_vec_pretty(&book).unwrap()).unwrap();
        let segments: Vec<Segment> = spans
            .iter()
            .enumerate()
            .filter(|(_, (s, e))| !slice(&text, *s, *e).trim().is_empty())
            .map(|(n, (s, e))| segment(n, &text, *s, *e))
            .collect();
        std::fs::write(root.join("codings/r1.jsonl"), codings_bytes(&segments).unwrap()).unwrap();

        let edited = apply(&text, &edit);
        std::fs::write(root.join("transcripts/t1.txt"), &edited).unwrap();
        let study = Study::open(root).unwrap();
        let after = study.layer("r1").unwrap();
        let ids = |s: &[Segment]| s.iter().map(|x| x.id.clone()).collect::<BTreeSet<_>>();
        prop_assert_eq!(ids(after), ids(&segments), "a segment disappeared");

        let delta = edit.insert.chars().count() as isize - (edit.end - edit.start) as isize;
        for old in &segments {
            let new = after.iter().find(|s| s.id == old.id).unwrap();
            let untouched = edit.end <= old.start || edit.start >= old.end;
            if untouched {
                prop_assert!(!new.is_unanchored(), "untouched {:?} was flagged", old.quote);
                prop_assert_eq!(&new.quote, &old.quote);
                prop_assert_eq!(slice(&edited, new.start, new.end), old.quote.clone(), "untouched quote moved off its text");
                if edited.matches(old.quote.as_str()).count() == 1 {
                    let shift = if edit.end <= old.start { delta } else { 0 };
                    prop_assert_eq!(new.start as isize, old.start as isize + shift, "unique quote placed elsewhere");
                }
            } else if !new.is_unanchored() {
                // re-anchored (approximately): its quote is whatever the text now says there
                prop_assert!(new.start < new.end && new.end <= edited.chars().count());
                prop_assert_eq!(slice(&edited, new.start, new.end), new.quote.clone());
            }
        }

        // the coder's next save writes the new places; afterwards only flagged segments move
        let flagged = after.iter().filter(|s| s.is_unanchored()).count();
        drop(study);
        let mut study = Study::open(root).unwrap();
        study.lock("r1").unwrap();
        study.save_coder("r1").unwrap();
        drop(study);
        let study = Study::open_all(root).unwrap();
        prop_assert_eq!(study.layer("r1").unwrap().len(), segments.len());
        prop_assert_eq!(study.notices().len(), flagged, "{:?}", study.notices());
    }
}
