//! Hostile input: every parser of a study file is fed arbitrary bytes, arbitrary strings and
//! valid files with random damage. None may panic; each error names the file and a line inside
//! it; whatever parses survives thema's own write → read round trip.
//!
//! Raise the number of cases with `PROPTEST_CASES=20000 cargo test --test it reliability_hostile::`
//! (what `scripts/fuzz.sh` does when cargo-fuzz cannot run).

use std::path::Path;

use proptest::prelude::*;
use thema::agreement::{agreement, parse_matrix, CategoryCount, MatrixError, Metric, Options};
use thema::model::anchor::{reanchor, Anchor};
use thema::model::text::CharIndex;
use thema::model::{Segment, Transcript, TurnText};
use thema::study::files::{
    codebook_bytes, codings_bytes, load_attributes, parse_attributes, parse_codebook, parse_jsonl,
    save_attributes,
};
use thema::study::memo::{memo_text, parse_memo};
use thema::study::StudyError;

const VALID_CODEBOOK: &str = r##"{
  "name": "Link workers",
  "codes": [
    {"id": "c01", "name": "Challenges", "parent": null, "description": "", "include": "", "exclude": "", "example": "", "color": "#4e79a7"},
    {"id": "c02", "name": "Referrals", "parent": "c01", "description": "Who is sent to us", "include": "any referral", "exclude": "", "example": "", "color": "#f28e2b"},
    {"id": "c03", "name": "Transport", "parent": "c01", "description": "", "include": "", "exclude": "", "example": "The 42 bus", "color": "#e15759"}
  ]
}
"##;

const VALID_CODINGS: &str = r#"{"id":"r1-aaaa0001","transcript":"LW7-y1","start":12,"end":40,"code":"c02","quote":"Honestly the referrals are a","at":"2025-03-01T10:00:00Z"}
{"id":"r1-aaaa0002","transcript":"LW7-y1","start":50,"end":60,"code":"c03","quote":"bus stops ","at":"2025-03-01T10:01:00Z","memo":"six o'clock","starred":true}
{"id":"r1-aaaa0003","transcript":"V3","start":0,"end":9,"code":"c03","quote":"Siân: é😀","at":"2025-03-01T10:02:00Z","flag":"unanchored","future":{"x":[1,2.5,null]}}
"#;

const VALID_ATTRIBUTES: &str = "transcript,participant,role,wave\nLW7-y1,LW7,link worker,first year\nV3,V3,\"volunteer, retired\",first year\n";

const VALID_MEMO: &str =
    "---\ntitle: Why the 12-week limit keeps coming up\ncoder: r1\ncode: c02\n---\nBody *here*.\n";

const VALID_MATRIX: &str = "unit,r1,r2,r3\nu1,yes,yes,\nu2,no,yes,no\nu3,,no,no\n";

/// Bytes that matter to the formats, mixed with letters, digits and multi-byte characters.
fn syntax_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"{",
        b"}",
        b"[",
        b"]",
        b"\"",
        b":",
        b",",
        b"\n",
        b"\r\n",
        b"\r",
        b" ",
        b"\t",
        b"\\",
        b"-",
        b"---",
        b"0",
        b"1",
        b"9",
        b"e",
        b"a",
        b"id",
        b"null",
        b"true",
        b"1e999",
        b"-1",
        b"18446744073709551616",
        b"1.1111111111111109e104",
        b"0.30000000000000004",
        "é".as_bytes(),
        "😀".as_bytes(),
        "\u{feff}".as_bytes(),
        b"\0",
        "\u{301}".as_bytes(),
        "İ".as_bytes(),
        "ẞ".as_bytes(),
        b"transcript",
        b"start",
        b"end",
        b"code",
        b"quote",
        b"parent",
        b"codes",
        b"name",
        b"\xff",
        b"\xc3",
        b"\"\"",
        b"unit",
    ];
    let pieces = prop::sample::select(pieces);
    prop::collection::vec(pieces, 0..80).prop_map(|v| v.concat())
}

/// A valid file damaged by a few random insertions, deletions and overwrites.
fn damaged(valid: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let edit = (any::<prop::sample::Index>(), 0u8..3, any::<u8>());
    prop::collection::vec(edit, 1..6).prop_map(move |edits| {
        let mut bytes = valid.as_bytes().to_vec();
        for (at, kind, byte) in edits {
            let i = at.index(bytes.len() + 1);
            match kind {
                0 => bytes.insert(i, byte),
                1 if i < bytes.len() => {
                    bytes.remove(i);
                }
                _ if i < bytes.len() => bytes[i] = byte,
                _ => bytes.push(byte),
            }
        }
        bytes
    })
}

/// Any of: random bytes, format-shaped bytes, a damaged valid file.
fn hostile(valid: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..400),
        syntax_bytes(),
        damaged(valid),
    ]
}

/// Asserts that a study error names `file` and a line within `text` (1 ..= lines + 1).
fn assert_names_file_and_line(err: &StudyError, file: &str, text: &[u8]) {
    let shown = err.to_string();
    assert!(shown.contains(file), "error does not name {file}: {shown}");
    match err {
        StudyError::Parse { line, .. } => {
            let lines = text.iter().filter(|&&b| b == b'\n').count() + 1;
            assert!(
                *line >= 1 && *line <= lines,
                "line {line} is not inside the file ({lines} lines): {shown}"
            );
        }
        other => panic!("expected a parse error with a line, got {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn codebook_json_never_panics_and_round_trips(bytes in hostile(VALID_CODEBOOK)) {
        let path = Path::new("study/codebooks/link-workers.json");
        match parse_codebook(path, &bytes) {
            Ok(book) => {
                // whatever thema accepted, it writes back and reads again unchanged
                let written = codebook_bytes(&book).unwrap();
                let again = parse_codebook(path, &written).unwrap();
                let mut sorted = book.clone();
                sorted.normalise();
                prop_assert_eq!(again, sorted);
                // tree walks terminate even on hand-made cycles and self-parents
                for code in &book.codes {
                    let _ = book.path(&code.id);
                    let _ = book.subtree(&code.id);
                }
                let _ = book.tree();
            }
            Err(e) => assert_names_file_and_line(&e, "link-workers.json", &bytes),
        }
    }

    #[test]
    fn codings_jsonl_never_panics_and_round_trips(bytes in hostile(VALID_CODINGS)) {
        let path = Path::new("study/codings/r1.jsonl");
        let Ok(text) = String::from_utf8(bytes.clone()) else {
            // read_text turns invalid UTF-8 into a located error before parsing
            return Ok(());
        };
        match parse_jsonl::<Segment>(path, &text, "a segment") {
            Ok(segments) => {
                let written = codings_bytes(&segments).unwrap();
                let again: Vec<Segment> =
                    parse_jsonl(path, std::str::from_utf8(&written).unwrap(), "a segment").unwrap();
                prop_assert_eq!(again, segments);
            }
            Err(e) => assert_names_file_and_line(&e, "r1.jsonl", text.as_bytes()),
        }
    }

    #[test]
    fn attributes_csv_never_panics_and_round_trips(bytes in hostile(VALID_ATTRIBUTES)) {
        let path = Path::new("study/transcripts/attributes.csv");
        let text = String::from_utf8_lossy(&bytes);
        match parse_attributes(path, &text) {
            Ok(attributes) => {
                let dir = tempfile::tempdir().unwrap();
                std::fs::create_dir_all(dir.path().join("transcripts")).unwrap();
                save_attributes(dir.path(), &attributes).unwrap();
                let again = load_attributes(dir.path()).unwrap();
                prop_assert_eq!(again.rows, attributes.rows);
            }
            Err(e) => assert_names_file_and_line(&e, "attributes.csv", text.as_bytes()),
        }
    }

    #[test]
    fn memos_never_panic_and_keep_their_fields(bytes in hostile(VALID_MEMO)) {
        let path = Path::new("study/memos/limit.md");
        let text = String::from_utf8_lossy(&bytes);
        match parse_memo(path, &text) {
            Ok(memo) => {
                let again = parse_memo(path, &memo_text(&memo)).unwrap();
                prop_assert_eq!(again.fields.len(), memo.fields.len());
                prop_assert_eq!(normalise(&again.body), normalise(&memo.body));
            }
            Err(e) => assert_names_file_and_line(&e, "limit.md", text.as_bytes()),
        }
    }

    #[test]
    fn agreement_matrix_never_panics(bytes in hostile(VALID_MATRIX)) {
        let text = String::from_utf8_lossy(&bytes);
        let lines = text.matches('\n').count() as u64 + 1;
        match parse_matrix(&text) {
            Ok(data) => {
                for metric in [Metric::Nominal, Metric::Ordinal, Metric::Interval, Metric::Ratio] {
                    let options = Options { metric, categories: CategoryCount::Listed };
                    let _ = agreement(&data, &options);
                }
            }
            Err(MatrixError::Empty) => {}
            Err(MatrixError::NoCoders { line })
            | Err(MatrixError::EmptyCoderName { line, .. })
            | Err(MatrixError::DuplicateCoder { line, .. })
            | Err(MatrixError::RowLength { line, .. })
            | Err(MatrixError::Csv { line, .. }) => {
                prop_assert!(line >= 1 && line <= lines, "line {} of {}", line, lines);
            }
            Err(MatrixError::Data(e)) => prop_assert!(false, "data error after validation: {}", e),
        }
    }

    #[test]
    fn transcripts_never_panic_and_turns_tile_the_text(bytes in hostile("Interviewer: Why?\n\n[00:01:10] LW7: Because.\nThen more.\n\n[note]\n")) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let t = Transcript::parse("x", text.clone());
        let len = t.len_chars();
        prop_assert_eq!(len, text.chars().count());
        let mut previous_end = 0;
        // speaker turns are numbered 1, 2, 3…, notes 0; a document's paragraphs all count
        let document = t.turns.iter().all(|turn| turn.is_note());
        let mut next = 1;
        for turn in &t.turns {
            if document || !turn.is_note() {
                prop_assert_eq!(turn.number, next);
                next += 1;
            } else {
                prop_assert_eq!(turn.number, 0);
            }
            prop_assert!(turn.start >= previous_end);
            prop_assert!(turn.start <= turn.body_start && turn.body_start <= turn.end && turn.end <= len);
            prop_assert!(!t.slice(turn.start, turn.end).trim().is_empty());
            previous_end = turn.end;
            prop_assert_eq!(t.turn_at(turn.start).map(|x| x.start), Some(turn.start));
        }
        prop_assert_eq!(t.turn_count(), next - 1);
    }

    #[test]
    fn rendered_turns_parse_back_to_the_same_turns(turns in prop::collection::vec(turn_text(), 0..8)) {
        let text = Transcript::render(&turns);
        let t = Transcript::parse("x", text.clone());
        let kept: Vec<&TurnText> = turns
            .iter()
            .filter(|turn| turn.speaker.is_some() || !normalise(&turn.text).is_empty())
            .collect();
        prop_assert_eq!(t.turns.len(), kept.len(), "rendered:\n{}", text);
        for (parsed, source) in t.turns.iter().zip(kept) {
            let body = normalise(&source.text);
            match &source.speaker {
                Some(_) => {
                    prop_assert!(parsed.speaker.is_some(), "speaker lost in:\n{}", text);
                    prop_assert_eq!(t.body(parsed), body.as_str());
                    prop_assert_eq!(parsed.timestamp.as_ref(), source.timestamp.as_ref());
                }
                None => {
                    prop_assert!(parsed.is_note(), "note became a turn in:\n{}", text);
                    let shown = t.body(parsed);
                    prop_assert!(shown == body || shown == format!("[{body}]"), "{:?} vs {:?}", shown, body);
                }
            }
        }
    }

    #[test]
    fn reanchoring_never_panics_and_stays_inside_the_text(
        text in prose(),
        start in 0usize..300,
        len in 0usize..80,
        quote in prose(),
        from_text in any::<bool>(),
    ) {
        let index = CharIndex::new(&text);
        let quote = if from_text {
            // a quote taken from the text and then altered a little (as after an edit)
            let q: String = text.chars().skip(start).take(len).collect();
            q.replacen('e', "E", 1)
        } else {
            quote
        };
        match reanchor(&text, &index, start, start + len, &quote) {
            Anchor::Moved { start: a, end: b, fuzzy } => {
                prop_assert!(a <= b && b <= index.len_chars(), "{}..{} outside 0..{}", a, b, index.len_chars());
                let found = index.slice(&text, a, b);
                if !fuzzy {
                    prop_assert_eq!(found, quote.as_str());
                }
            }
            Anchor::Exact => prop_assert_eq!(index.slice(&text, start, start + len), quote.as_str()),
            Anchor::Lost => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// A quote whose case or spacing changed is found again by its words, exactly those words.
    #[test]
    fn loose_reanchoring_finds_the_same_words(
        text in prose(),
        start in 0usize..200,
        len in 1usize..31,
        upper in any::<bool>(),
    ) {
        let index = CharIndex::new(&text);
        let taken: String = text.chars().skip(start).take(len).collect();
        // change the case or the spacing so that only the loose search can find it
        let quote = if upper { taken.to_uppercase() } else { taken.replace(' ', "\n ") };
        if quote == taken || quote.chars().count() >= 32 {
            return Ok(());
        }
        let words = |s: &str| s.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
        let old_start = index.len_chars().saturating_sub(start);
        // a fuzzy move is flagged for the coder to check (a quote cut mid-word, or 'ß' upper-cased
        // to 'SS', matches only part of the passage); a confident one must hold exactly the words
        if let Anchor::Moved { start: a, end: b, fuzzy: false } = reanchor(&text, &index, old_start, old_start + len, &quote) {
            let found = index.slice(&text, a, b);
            prop_assert_eq!(words(found), words(&quote), "quote {:?} re-anchored onto {:?} in {:?}", quote, found, text);
        }
    }
}

fn normalise(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text made of words, punctuation and characters whose case mapping changes their length.
fn prose() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "the ",
        "The ",
        "bus ",
        "stops ",
        "at ",
        "six",
        ". ",
        "\n",
        "\n\n",
        "  ",
        "é",
        "😀",
        "İ",
        "ẞ",
        "\u{212a}",
        "\u{2126}",
        "ß",
        "a\u{301}",
        "Σ",
        "LW7: ",
        "[00:01] ",
        "referrals ",
        "twelve weeks ",
        "are a mixed bag ",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

fn turn_text() -> impl Strategy<Value = TurnText> {
    let words = prop::sample::select(vec![
        "Hello",
        "LW7",
        "Interviewer",
        ":",
        ": ",
        "[",
        "]",
        "[00:01]",
        "[00:00:12] ",
        " ",
        "\n",
        "\n\n",
        "\r\n",
        "Date:",
        "x:y",
        "Siân",
        "é",
        "—",
        "\t",
        "a b c d e f",
        "\u{2028}",
    ]);
    // notes that start like a turn (a timestamp, a label) or end with a bracket
    let prefix = prop::sample::select(vec!["", "", "[", "[00:01] ", "[00:00:12] LW7: "]);
    let suffix = prop::sample::select(vec!["", "", "]"]);
    let text = (prefix, prop::collection::vec(words.clone(), 0..10), suffix)
        .prop_map(|(p, v, s)| format!("{p}{}{s}", v.concat()));
    let speaker = prop::option::of(prop::collection::vec(words, 1..4).prop_map(|v| v.concat()));
    let timestamp = prop::option::of(
        (0u8..24, 0u8..60, 0u8..60).prop_map(|(h, m, s)| format!("{h:02}:{m:02}:{s:02}")),
    );
    (speaker, timestamp, text).prop_map(|(speaker, timestamp, text)| TurnText {
        timestamp: speaker.as_ref().and(timestamp),
        speaker,
        text,
    })
}

/// A study whose files all parse but say strange things: codes whose parent is missing, itself
/// or a cycle; segments with reversed, empty or out-of-range offsets, unknown transcripts and
/// codes, quotes that are nowhere. Opening, checking, retrieving and computing agreement on it
/// must not panic.
mod strange_study {
    use super::*;
    use std::collections::BTreeSet;
    use thema::model::{Code, Codebook};
    use thema::report::agreement::{compute, disagreement_list, AgreeRequest, Unit};
    use thema::study::coding::SegmentFilter;
    use thema::study::Study;

    const TRANSCRIPTS: [(&str, &str); 2] = [
        (
            "t1",
            "Interviewer: Why?\n\nLW7: The 42 bus stops at six. Siân said é😀 twice.\n",
        ),
        ("t2", "V3: After my wife died I needed somewhere to be.\n"),
    ];
    const IDS: [&str; 5] = ["c1", "c2", "c3", "c4", "c5"];

    fn code() -> impl Strategy<Value = Code> {
        let id = prop::sample::select(IDS.to_vec());
        let parent = prop::option::of(prop::sample::select(vec![
            "c1", "c2", "c3", "c4", "c5", "zz",
        ]));
        let name = prop::sample::select(vec!["A", "a", "B", "", "x/y", " C "]);
        (id, parent, name).prop_map(|(id, parent, name)| Code {
            id: id.to_string(),
            name: name.to_string(),
            parent: parent.map(str::to_string),
            description: String::new(),
            include: String::new(),
            exclude: String::new(),
            example: String::new(),
            color: String::new(),
            codable: true,
            order: None,
        })
    }

    fn segment() -> impl Strategy<Value = Segment> {
        let transcript = prop::sample::select(vec!["t1", "t2", "gone"]);
        let code = prop::sample::select(vec!["c1", "c2", "c3", "c4", "c5", "zz"]);
        (
            transcript,
            0usize..80,
            0usize..80,
            code,
            any::<bool>(),
            0u32..1000,
        )
            .prop_map(|(transcript, start, end, code, real_quote, n)| {
                let text = TRANSCRIPTS
                    .iter()
                    .find(|(id, _)| *id == transcript)
                    .map(|(_, t)| *t)
                    .unwrap_or("");
                let quote = if real_quote {
                    text.chars()
                        .skip(start)
                        .take(end.saturating_sub(start))
                        .collect()
                } else {
                    format!("nowhere {n}")
                };
                Segment {
                    id: format!("s{n}"),
                    transcript: transcript.to_string(),
                    start,
                    end,
                    code: code.to_string(),
                    quote,
                    at: "2025-03-01T10:00:00Z".to_string(),
                    memo: None,
                    starred: false,
                    flag: None,
                    extra: Default::default(),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: ProptestConfig::default().cases / 5, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn a_strange_study_opens_checks_and_compares_without_panicking(
            codes in prop::collection::vec(code(), 0..7),
            r1 in prop::collection::vec(segment(), 0..12),
            r2 in prop::collection::vec(segment(), 0..12),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            Study::init(root, "strange").unwrap();
            for (id, text) in TRANSCRIPTS {
                std::fs::write(root.join(format!("transcripts/{id}.txt")), text).unwrap();
            }
            let book = Codebook { name: "Strange".to_string(), scope: None, codes };
            std::fs::write(root.join("codebooks/strange.json"), serde_json::to_vec(&book).unwrap()).unwrap();
            for (coder, segments) in [("r1", &r1), ("r2", &r2)] {
                std::fs::write(root.join(format!("codings/{coder}.jsonl")), codings_bytes(segments).unwrap()).unwrap();
            }
            let _ = thema::study::check::check(root).unwrap();
            let study = match Study::open(root) {
                Ok(study) => study,
                Err(e) => {
                    // two codes with one id: refused, naming the codebook and a line
                    assert_names_file_and_line(&e, "strange.json", &serde_json::to_vec(&book).unwrap());
                    let mut ids = BTreeSet::new();
                    prop_assert!(!book.codes.iter().all(|c| ids.insert(c.id.clone())), "refused without a repeated id: {}", e);
                    return Ok(());
                }
            };
            // every walk of the code tree terminates
            for loaded in &study.codebooks {
                let _ = loaded.codebook.tree();
            }
            let _ = thema::report::agreement::all_codes(&study);
            let all = study.select_segments(&SegmentFilter::default()).unwrap();
            prop_assert_eq!(all.len(), r1.len() + r2.len(), "no segment is dropped on loading");
            for (_, s) in &all {
                let _ = study.code_path(&s.code);
                if let Ok(t) = study.transcript(&s.transcript) {
                    let _ = t.turn_at(s.start);
                    let _ = t.slice(s.start, s.end);
                }
            }
            let codes: Vec<String> = IDS.iter().map(|s| s.to_string()).chain(["zz".to_string()]).collect::<BTreeSet<_>>().into_iter().collect();
            for unit in [Unit::Char, Unit::Turn, Unit::Segment] {
                let request = AgreeRequest {
                    coders: vec!["r1".to_string(), "r2".to_string()],
                    codes: codes.clone(),
                    exact: false,
                    unit,
                    overlap: 0.9,
                    by_transcript: true,
            bootstrap: thema::agreement::BootstrapOptions::none(),
                };
                let _ = compute(&study, &request);
                let _ = disagreement_list(&study, &request);
            }
        }
    }
}

/// REFI-QDA projects and codebooks from other programs: thema's own exports, damaged, and
/// arbitrary bytes, as `.qdc`, `.qde` and `.qdpx`. Import never panics; errors name the file;
/// whatever imports can be written into a fresh study that then opens.
mod refi_files {
    use super::*;
    use std::io::Read;
    use std::sync::OnceLock;
    use thema::refi::{apply_to_study, export_qdc, export_qdpx, import_refi, RefiError};
    use thema::study::Study;

    /// (codebook .qdc, project .qde, project .qdpx) exported from a small study.
    fn samples() -> &'static (Vec<u8>, Vec<u8>, Vec<u8>) {
        static SAMPLES: OnceLock<(Vec<u8>, Vec<u8>, Vec<u8>)> = OnceLock::new();
        SAMPLES.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("study");
            Study::init(&root, "Link workers").unwrap();
            std::fs::write(
                root.join("transcripts/LW7-y1.txt"),
                "Interviewer: How are referrals going?\n\nLW7: Siân says the 42 bus stops at six — é😀.\n",
            )
            .unwrap();
            let mut study = Study::open(&root).unwrap();
            let code = study
                .add_code("r1", None, "Challenges/Transport", &Default::default(), None)
                .unwrap();
            study
                .apply_code("r1", "LW7-y1", &thema::study::coding::Span::Quote("the 42 bus".into()), &code)
                .unwrap();
            let qdc = export_qdc(&study).unwrap().into_bytes();
            let out = dir.path().join("p.qdpx");
            export_qdpx(&study, &out, &Default::default()).unwrap();
            let qdpx = std::fs::read(&out).unwrap();
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(qdpx.clone())).unwrap();
            let mut qde = Vec::new();
            archive
                .by_name("project.qde")
                .unwrap()
                .read_to_end(&mut qde)
                .unwrap();
            (qdc, qde, qdpx)
        })
    }

    fn damage(mut bytes: Vec<u8>, edits: &[(prop::sample::Index, u8, u8)]) -> Vec<u8> {
        for (at, kind, byte) in edits {
            let i = at.index(bytes.len() + 1);
            match kind {
                0 => bytes.insert(i, *byte),
                1 if i < bytes.len() => {
                    bytes.remove(i);
                }
                _ if i < bytes.len() => bytes[i] = *byte,
                _ => bytes.push(*byte),
            }
        }
        bytes
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: ProptestConfig::default().cases / 4, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn refi_import_never_panics(
            kind in 0usize..3,
            raw in any::<bool>(),
            noise in prop::collection::vec(any::<u8>(), 0..300),
            edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 1..8),
        ) {
            let (qdc, qde, qdpx) = samples();
            let (name, valid) = [("codebook.qdc", qdc), ("project.qde", qde), ("project.qdpx", qdpx)][kind];
            let bytes = if raw { noise } else { damage(valid.clone(), &edits) };
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            match import_refi(&path) {
                Ok(project) => {
                    let root = dir.path().join("imported");
                    if apply_to_study(&root, &project).is_ok() {
                        let study = Study::open(&root);
                        prop_assert!(study.is_ok(), "imported study does not open: {:?}", study.err());
                        let _ = study.unwrap().check();
                    }
                }
                Err(RefiError::Xml { file, line, .. }) => {
                    prop_assert!(!file.is_empty());
                    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
                    // inside a .qdpx the lines are those of the compressed document
                    prop_assert!(kind == 2 || line <= lines, "line {} of {}", line, lines);
                }
                Err(e) => {
                    let shown = e.to_string();
                    prop_assert!(shown.contains(name), "error does not name {}: {}", name, shown);
                }
            }
        }
    }
}

/// Transcripts in every source format: arbitrary bytes under every file name never panic the
/// importer, and its errors name the file. (tests/import_formats.rs damages real fixtures.)
mod import_files {
    use super::*;
    use thema::import::{import_bytes, ImportOptions};

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes_under_any_name_import_or_fail_naming_the_file(
            bytes in hostile("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v LW7>The 42 bus.</v>\n\n1\n00:00:03,000 --> 00:00:04,000\nInterviewer: Why?\n"),
            ext in prop::sample::select(vec!["txt", "md", "vtt", "srt", "json", "docx", "rtf", ""]),
        ) {
            let name = if ext.is_empty() { "interview".to_string() } else { format!("interview.{ext}") };
            match import_bytes(&bytes, &name, &ImportOptions::default()) {
                Ok(imported) => {
                    // as `thema import` writes it: canonical text that parses back
                    let turns: Vec<TurnText> = imported
                        .turns
                        .into_iter()
                        .map(|t| TurnText { speaker: t.speaker, timestamp: t.timestamp, text: t.text })
                        .collect();
                    let text = Transcript::render(&turns);
                    let parsed = Transcript::parse("x", text.clone());
                    let speakers = turns.iter().filter(|t| t.speaker.is_some()).count();
                    prop_assert_eq!(parsed.speaker_turns().count(), speakers, "canonical text:\n{}", text);
                }
                Err(e) => {
                    let shown = e.to_string();
                    prop_assert!(shown.contains(&name), "error does not name {}: {}", name, shown);
                }
            }
        }
    }
}
