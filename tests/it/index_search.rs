//! The search index against a brute-force scan of the same study: words, phrases, code facets
//! (descendants included), attributes, retrieval filters; incremental refresh after coding,
//! renaming, editing and deleting; query errors; more-like-this.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use thema::index::{HitKind, Index, IndexError, SegmentQuery};
use thema::model::codebook::Description;
use thema::study::coding::{SegmentFilter, Span};
use thema::study::files;
use thema::study::Study;

const VOCABULARY: &[&str] = &[
    "bus",
    "buses",
    "stop",
    "stopped",
    "stopping",
    "late",
    "lateness",
    "transport",
    "transported",
    "appointment",
    "appointments",
    "volunteer",
    "volunteering",
    "lonely",
    "loneliness",
    "garden",
    "gardening",
    "referral",
    "referrals",
    "doctor",
    "the",
    "a",
    "and",
    "was",
    "to",
    "of",
    "we",
    "I",
    "money",
    "benefits",
    "housing",
    "walk",
    "walking",
    "group",
    "club",
    "lunch",
    "Monday",
    "friends",
    "family",
    "worry",
    "worried",
    "trust",
    "form",
    "forms",
    "phone",
    "calls",
    "care",
];

/// A tiny deterministic generator so every run sees the same study.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }

    fn sentence(&mut self, words: usize) -> String {
        let mut out: Vec<&str> = Vec::new();
        for _ in 0..words {
            out.push(VOCABULARY[self.next(VOCABULARY.len())]);
        }
        let mut s = out.join(" ");
        s.push('.');
        s
    }
}

const IDS: [&str; 6] = ["LW1-y1", "LW2-y1", "LW2-y2", "V1-y1", "V2-y1", "V3-y2"];

/// Writes a study: six transcripts, attributes, a codebook with a three-level tree, and two
/// coders with segments spread over every transcript.
fn make_study(dir: &Path) -> Study {
    Study::init(dir, "test").unwrap();
    let mut rng = Lcg(7);
    for id in IDS {
        let participant = id.split('-').next().unwrap();
        let mut text = format!("[Interview with {participant}]\n");
        for turn in 0..12 {
            let speaker = if turn % 2 == 0 {
                "Interviewer"
            } else {
                participant
            };
            let words = 6 + rng.next(30);
            text.push_str(&format!("\n{speaker}: {}\n", rng.sentence(words)));
        }
        files::save_transcript(dir, id, &text).unwrap();
    }
    // a turn for `similar` to find, and the coded passage it resembles
    let extra =
        "\nLW2: The bus never came so I missed the hospital appointment again, the bus was late.\n";
    let path = files::transcript_path(dir, "LW2-y2");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(extra);
    std::fs::write(&path, text).unwrap();
    let path = files::transcript_path(dir, "V1-y1");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\nV1: Honestly the bus was late and I missed my hospital appointment.\n");
    std::fs::write(&path, text).unwrap();
    std::fs::write(
        dir.join("transcripts/attributes.csv"),
        "transcript,participant,Role,wave\n\
         LW1-y1,LW1,link worker,first year\n\
         LW2-y1,LW2,link worker,first year\n\
         LW2-y2,LW2,Link Worker,second year\n\
         V1-y1,V1,volunteer,first year\n\
         V2-y1,V2,volunteer,first year\n\
         V3-y2,V3,Volunteer,second year\n",
    )
    .unwrap();
    let mut study = Study::open(dir).unwrap();
    let none = Description::default();
    for path in [
        "Challenges to service delivery/Transport/Buses",
        "Challenges to service delivery/Transport/Walking",
        "Challenges to service delivery/Inappropriate referrals",
        "Benefits/Social connection",
        "Benefits/Practical help",
    ] {
        study.add_code("r1", None, path, &none, None).unwrap();
    }
    let codes: Vec<String> = study.codebooks[0]
        .codebook
        .codes
        .iter()
        .map(|c| c.id.clone())
        .collect();
    for (c, coder) in ["r1", "r2"].iter().enumerate() {
        for (i, id) in IDS.iter().enumerate() {
            for turn in [3, 5, 7, 9] {
                let code = &codes[(i * 3 + turn + c) % codes.len()];
                study
                    .apply_code(coder, id, &Span::Turn(turn), code)
                    .unwrap();
            }
            // a partial span, cutting through words
            let code = &codes[(i + c) % codes.len()];
            study
                .apply_code(coder, id, &Span::Range(40 + c * 3, 95), code)
                .unwrap();
        }
    }
    study
}

fn stemmer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(tantivy::tokenizer::AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The stems a query word searches: its own, and for an English plural in `-es` after a
/// sibilant its singular's (`buses` → `bus`), for such a singular its plural's.
fn allowed(word: &str) -> BTreeSet<String> {
    let lower = word.to_lowercase();
    let mut out: BTreeSet<String> = stems(&lower).into_iter().collect();
    let sibilant = |w: &str| ["s", "x", "z", "ch", "sh"].iter().any(|s| w.ends_with(s));
    let variant = match lower.strip_suffix("es") {
        Some(singular) if singular.len() >= 2 && sibilant(singular) => Some(singular.to_string()),
        _ if lower.len() >= 2 && sibilant(&lower) => Some(format!("{lower}es")),
        _ => None,
    };
    out.extend(variant.iter().flat_map(|v| stems(v)));
    out
}

fn has_any(words: &[String], allowed: &BTreeSet<String>) -> bool {
    words.iter().any(|w| allowed.contains(w))
}

fn has_phrase_of(words: &[String], phrase: &[BTreeSet<String>]) -> bool {
    words.windows(phrase.len()).any(|w| {
        w.iter()
            .zip(phrase)
            .all(|(word, allowed)| allowed.contains(word))
    })
}

fn stems(text: &str) -> Vec<String> {
    tokens(stemmer(), text)
}

fn exact_words(text: &str) -> Vec<String> {
    let analyser = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build();
    tokens(analyser, text)
}

fn tokens(mut analyser: TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyser.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// One document as the brute force sees it.
struct Doc {
    key: String,
    transcript: String,
    speaker: Option<String>,
    coder: Option<String>,
    code: Option<String>,
    words: Vec<String>,
    exact: Vec<String>,
}

fn documents(study: &Study) -> Vec<Doc> {
    let mut out = Vec::new();
    for t in &study.all_transcripts().unwrap() {
        for turn in &t.turns {
            out.push(Doc {
                key: format!("turn {} {}", t.id, turn.number),
                transcript: t.id.clone(),
                speaker: turn.speaker.clone(),
                coder: None,
                code: None,
                words: stems(t.body(turn)),
                exact: exact_words(t.body(turn)),
            });
        }
    }
    for (coder, segments) in study.layers().unwrap() {
        for s in segments {
            let t = study.transcript(&s.transcript).unwrap();
            out.push(Doc {
                key: format!("segment {}", s.id),
                transcript: t.id.clone(),
                speaker: t.turn_at(s.start).and_then(|turn| turn.speaker.clone()),
                coder: Some(coder.to_string()),
                code: Some(s.code.clone()),
                words: stems(t.slice(s.start, s.end)),
                exact: exact_words(t.slice(s.start, s.end)),
            });
        }
    }
    out
}

fn has_phrase(words: &[String], phrase: &[String]) -> bool {
    words.windows(phrase.len()).any(|w| w == phrase)
}

fn keys_of(index: &Index, study: &Study, query: &str) -> BTreeSet<String> {
    let results = index.search(study, query, 100_000).unwrap();
    let keys: BTreeSet<String> = results
        .hits
        .iter()
        .map(|h| match h.kind {
            HitKind::Turn => format!("turn {} {}", h.transcript, h.turn),
            HitKind::Segment => format!("segment {}", h.segment.clone().unwrap()),
        })
        .collect();
    assert_eq!(results.total, keys.len(), "total of {query}");
    assert_eq!(results.hits.len(), keys.len(), "duplicate hits for {query}");
    keys
}

fn expected(study: &Study, keep: impl Fn(&Doc) -> bool) -> BTreeSet<String> {
    documents(study)
        .into_iter()
        .filter(|d| keep(d))
        .map(|d| d.key)
        .collect()
}

fn attribute(study: &Study, transcript: &str, column: &str) -> String {
    study
        .attributes
        .get(transcript, column)
        .unwrap_or("")
        .to_lowercase()
}

#[test]
fn search_equals_a_brute_force_scan() {
    let dir = tempfile::tempdir().unwrap();
    let study = make_study(dir.path());
    let (index, refresh) = Index::open(&study, false).unwrap();
    assert!(refresh.rebuilt);
    assert_eq!(refresh.docs, documents(&study).len());

    // single words, stemmed: "buses" finds what "bus" finds, "stopping" what "stop" finds
    for word in [
        "transport",
        "stopping",
        "buses",
        "bus",
        "loneliness",
        "Monday",
        "appointments",
    ] {
        let stems = allowed(word);
        let want = expected(&study, |d| has_any(&d.words, &stems));
        assert!(!want.is_empty(), "{word} should occur");
        assert_eq!(keys_of(&index, &study, word), want, "word {word}");
    }
    // exact words are not stemmed
    for word in ["buses", "Stopping", "stop"] {
        let lower = word.to_lowercase();
        let want = expected(&study, |d| d.exact.contains(&lower));
        assert!(!want.is_empty(), "{word} should occur");
        assert_eq!(
            keys_of(&index, &study, &format!("exact:{word}")),
            want,
            "exact {word}"
        );
    }
    assert_ne!(
        keys_of(&index, &study, "exact:stopped"),
        keys_of(&index, &study, "stopped")
    );
    // AND by default, OR and NOT on request
    let (a, b) = (allowed("bus"), allowed("late"));
    assert_eq!(
        keys_of(&index, &study, "bus late"),
        expected(&study, |d| has_any(&d.words, &a) && has_any(&d.words, &b))
    );
    assert_eq!(
        keys_of(&index, &study, "bus OR late"),
        expected(&study, |d| has_any(&d.words, &a) || has_any(&d.words, &b))
    );
    assert_eq!(
        keys_of(&index, &study, "bus -late"),
        expected(&study, |d| has_any(&d.words, &a) && !has_any(&d.words, &b))
    );
    // phrases
    for phrase in [
        "the bus",
        "bus stop",
        "walking group",
        "missed the hospital appointment",
    ] {
        let want_words: Vec<BTreeSet<String>> =
            exact_words(phrase).iter().map(|w| allowed(w)).collect();
        let want = expected(&study, |d| has_phrase_of(&d.words, &want_words));
        assert!(!want.is_empty(), "{phrase} should occur");
        assert_eq!(
            keys_of(&index, &study, &format!("\"{phrase}\"")),
            want,
            "phrase {phrase}"
        );
    }
    // exact phrases: words as written, in order
    for phrase in ["the bus", "walking buses", "stopped"] {
        let want_words = exact_words(phrase);
        let want = expected(&study, |d| has_phrase(&d.exact, &want_words));
        assert!(!want.is_empty(), "exact {phrase} should occur");
        assert_eq!(
            keys_of(&index, &study, &format!("exact:\"{phrase}\"")),
            want,
            "exact phrase {phrase}"
        );
    }
    // a stemmed phrase matches every written form at each place ("stopping" and "stopped")
    let want_words: Vec<BTreeSet<String>> = ["we", "stopping"].iter().map(|w| allowed(w)).collect();
    assert_eq!(
        keys_of(&index, &study, "\"we stopping\""),
        expected(&study, |d| has_phrase_of(&d.words, &want_words))
    );
    // code facets include descendants, by slug path, by name path, by id
    for (query, reference) in [
        (
            "code:/challenges-to-service-delivery",
            "Challenges to service delivery",
        ),
        (
            "code:\"Challenges to service delivery/Transport\"",
            "Challenges to service delivery/Transport",
        ),
        (
            "code:/challenges-to-service-delivery/transport/buses",
            "Challenges to service delivery/Transport/Buses",
        ),
        ("code:Benefits", "Benefits"),
    ] {
        let codes = study.code_selection(reference, false).unwrap();
        let want = expected(&study, |d| {
            d.code.as_ref().is_some_and(|c| codes.contains(c))
        });
        assert!(!want.is_empty(), "{reference} should be coded");
        assert_eq!(keys_of(&index, &study, query), want, "{query}");
    }
    let transport = study
        .resolve_code("Challenges to service delivery/Transport", None)
        .unwrap()
        .id
        .clone();
    let codes = study.code_selection(&transport, false).unwrap();
    assert_eq!(codes.len(), 3);
    assert_eq!(
        keys_of(&index, &study, &format!("code:{transport}")),
        expected(&study, |d| d
            .code
            .as_ref()
            .is_some_and(|c| codes.contains(c)))
    );
    // attributes, labels, kinds, combinations
    assert_eq!(
        keys_of(&index, &study, "role:volunteer"),
        expected(&study, |d| attribute(&study, &d.transcript, "Role")
            == "volunteer")
    );
    assert_eq!(
        keys_of(
            &index,
            &study,
            "wave:\"second year\" AND role:\"link worker\""
        ),
        expected(&study, |d| {
            attribute(&study, &d.transcript, "wave") == "second year"
                && attribute(&study, &d.transcript, "Role") == "link worker"
        })
    );
    assert_eq!(
        keys_of(&index, &study, "bus -role:volunteer"),
        expected(&study, |d| attribute(&study, &d.transcript, "Role")
            != "volunteer"
            && has_any(&d.words, &a))
    );
    assert_eq!(
        keys_of(&index, &study, "role:volun* OR wave:IN [\"first year\"]"),
        expected(&study, |d| attribute(&study, &d.transcript, "Role")
            .starts_with("volun")
            || attribute(&study, &d.transcript, "wave") == "first year")
    );
    assert_eq!(
        keys_of(&index, &study, "kind:turn AND wave:[first TO second]"),
        expected(&study, |d| d.coder.is_none()
            && attribute(&study, &d.transcript, "wave").as_str() >= "first"
            && attribute(&study, &d.transcript, "wave").as_str() <= "second")
    );
    assert_eq!(
        keys_of(&index, &study, "speaker:lw2 kind:turn"),
        expected(&study, |d| d.coder.is_none()
            && d.speaker.as_deref() == Some("LW2"))
    );
    assert_eq!(
        keys_of(&index, &study, "coder:r2 code:/benefits transport"),
        expected(&study, |d| {
            let benefits = study.code_selection("Benefits", false).unwrap();
            d.coder.as_deref() == Some("r2")
                && d.code.as_ref().is_some_and(|c| benefits.contains(c))
                && d.words.contains(&"transport".to_string())
        })
    );
    assert_eq!(
        keys_of(&index, &study, "transcript:lw2-y1 kind:segment"),
        expected(&study, |d| d.coder.is_some() && d.transcript == "LW2-y1")
    );
}

#[test]
fn hits_carry_offsets_and_highlighted_snippets() {
    let dir = tempfile::tempdir().unwrap();
    let study = make_study(dir.path());
    let (index, _) = Index::open(&study, false).unwrap();
    let results = index.search(&study, "appointment", 50).unwrap();
    assert!(results.total > 0);
    let best = &results.hits[0];
    assert!(results.hits.windows(2).all(|w| w[0].score >= w[1].score));
    for hit in &results.hits {
        let t = study.transcript(&hit.transcript).unwrap();
        assert!(hit.start < hit.end && hit.end <= t.len_chars());
        assert!(!hit.snippet.highlights.is_empty(), "{hit:?}");
        for &(a, b) in &hit.snippet.highlights {
            let word = hit.snippet.text[a..b].to_lowercase();
            assert!(
                word.starts_with("appointment"),
                "{word} in {:?}",
                hit.snippet
            );
        }
        assert!(hit.snippet.text.chars().count() <= 170);
        match hit.kind {
            HitKind::Turn => {
                let turn = t
                    .turns
                    .iter()
                    .find(|turn| turn.body_start == hit.start)
                    .unwrap();
                assert_eq!(turn.number, hit.turn);
                assert_eq!((turn.body_start, turn.end), (hit.start, hit.end));
                assert_eq!(hit.speaker, turn.speaker);
                assert!(hit.segment.is_none() && hit.coder.is_none());
            }
            HitKind::Segment => {
                let (coder, s) = study
                    .find_segment(hit.segment.as_deref().unwrap())
                    .unwrap()
                    .unwrap();
                assert_eq!(hit.coder.as_deref(), Some(coder));
                assert_eq!(hit.code.as_deref(), Some(s.code.as_str()));
                assert_eq!((s.start, s.end), (hit.start, hit.end));
            }
        }
    }
    assert!(best.score > 0.0);
    // a prefix marks every word that begins with it
    let begun = index.search(&study, "hospit*", 5).unwrap();
    assert!(!begun.hits.is_empty());
    for hit in &begun.hits {
        assert!(!hit.snippet.highlights.is_empty(), "{:?}", hit.snippet);
        for &(a, b) in &hit.snippet.highlights {
            assert!(hit.snippet.text[a..b].to_lowercase().starts_with("hospit"));
        }
    }
    // a query without words still gives the beginning of the text as its snippet
    let coded = index.search(&study, "kind:segment", 3).unwrap();
    assert_eq!(coded.hits.len(), 3);
    assert!(coded.hits.iter().all(|h| !h.snippet.text.is_empty()));
    let none = index.search(&study, "kind:segment", 0).unwrap();
    assert!(none.hits.is_empty() && none.total == coded.total);
    for q in ["kind:segment", "bus", "bus late"] {
        let all = index.search(&study, q, usize::MAX).unwrap();
        assert_eq!(all.hits.len(), all.total, "{q}");
    }
}

#[test]
fn segments_equal_the_study_selection() {
    let dir = tempfile::tempdir().unwrap();
    let study = make_study(dir.path());
    let (index, _) = Index::open(&study, false).unwrap();
    let case =
        |codes: Option<&str>, coder: Option<&str>, attributes: &[(&str, &str)]| SegmentQuery {
            codes: codes.map(str::to_string),
            coder: coder.map(str::to_string),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..SegmentQuery::default()
        };
    let cases = [
        (
            case(Some("Challenges to service delivery"), None, &[]),
            Some("Challenges to service delivery"),
        ),
        (
            case(
                Some("/challenges-to-service-delivery/transport"),
                Some("r1"),
                &[("Role", "Volunteer")],
            ),
            Some("Challenges to service delivery/Transport"),
        ),
        (case(None, Some("r2"), &[("wave", "second year")]), None),
        (SegmentQuery::default(), None),
    ];
    for (query, reference) in cases {
        let codes = reference.map(|c| study.code_selection(c, false).unwrap());
        let filter = SegmentFilter {
            codes,
            coders: query.coder.as_ref().map(|c| [c.clone()].into()),
            transcript: None,
            attributes: query.attributes.clone(),
        };
        let want: BTreeSet<String> = study
            .select_segments(&filter)
            .unwrap()
            .iter()
            .map(|(_, s)| s.id.clone())
            .collect();
        let hits = index.segments(&study, &query).unwrap();
        let got: BTreeSet<String> = hits.iter().map(|h| h.segment.clone().unwrap()).collect();
        assert_eq!(got.len(), hits.len());
        assert_eq!(got, want, "{query:?}");
        assert!(!want.is_empty(), "{query:?}");
        assert!(hits
            .windows(2)
            .all(|w| (&w[0].transcript, w[0].start) <= (&w[1].transcript, w[1].start)));
        assert!(hits
            .iter()
            .all(|h| h.kind == HitKind::Segment && h.code.is_some()));
    }
    let bad = SegmentQuery {
        attributes: vec![("colour".into(), "red".into())],
        ..SegmentQuery::default()
    };
    let message = index.segments(&study, &bad).unwrap_err().to_string();
    assert!(
        message.contains("colour") && message.contains("role"),
        "{message}"
    );
}

#[test]
fn a_new_coding_refreshes_only_that_layer() {
    let dir = tempfile::tempdir().unwrap();
    let mut study = make_study(dir.path());
    let (_, first) = Index::open(&study, false).unwrap();
    assert!(first.rebuilt);
    let (_, again) = Index::open(&study, false).unwrap();
    assert_eq!(
        again,
        thema::index::Refresh {
            rebuilt: false,
            transcripts: 0,
            coders: 0,
            docs: 0
        }
    );
    let walking = study
        .resolve_code("Challenges to service delivery/Transport/Walking", None)
        .unwrap()
        .id
        .clone();
    let segment = study
        .apply_code("r3", "V2-y1", &Span::Turn(2), &walking)
        .unwrap();
    let (index, refresh) = Index::open(&study, false).unwrap();
    assert!(!refresh.rebuilt);
    assert_eq!(
        (refresh.transcripts, refresh.coders, refresh.docs),
        (0, 1, 1)
    );
    let found = index
        .search(&study, &format!("segment:{}", segment.id), 10)
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.hits[0].coder.as_deref(), Some("r3"));
    let r3 = index
        .segments(
            &study,
            &SegmentQuery {
                codes: Some("Challenges to service delivery/Transport".into()),
                coder: Some("r3".into()),
                attributes: vec![],
                ..SegmentQuery::default()
            },
        )
        .unwrap();
    assert_eq!(r3.len(), 1);
    // and an uncode takes it away again, still without a rebuild
    study.uncode("r3", &segment.id).unwrap();
    let (index, refresh) = Index::open(&study, false).unwrap();
    assert!(!refresh.rebuilt);
    assert_eq!(refresh.docs, 0);
    assert_eq!(
        index
            .search(&study, &format!("segment:{}", segment.id), 10)
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        keys_of(&index, &study, "kind:segment").len(),
        study
            .layers()
            .unwrap()
            .iter()
            .map(|(_, s)| s.len())
            .sum::<usize>()
    );
}

#[test]
fn renaming_a_code_changes_its_facet() {
    let dir = tempfile::tempdir().unwrap();
    let mut study = make_study(dir.path());
    let (index, _) = Index::open(&study, false).unwrap();
    let before = keys_of(
        &index,
        &study,
        "code:/challenges-to-service-delivery/transport",
    );
    assert!(!before.is_empty());
    study
        .rename_code(
            "r1",
            "Challenges to service delivery/Transport",
            None,
            "Getting there",
            None,
        )
        .unwrap();
    let (index, refresh) = Index::open(&study, false).unwrap();
    assert!(!refresh.rebuilt);
    assert_eq!(refresh.transcripts, 0);
    assert_eq!(refresh.docs, before.len());
    assert_eq!(
        keys_of(
            &index,
            &study,
            "code:/challenges-to-service-delivery/getting-there"
        ),
        before
    );
    assert_eq!(
        keys_of(
            &index,
            &study,
            "code:\"challenges to service delivery/getting there/buses\""
        )
        .len(),
        study
            .select_segments(&SegmentFilter {
                codes: Some(
                    study
                        .code_selection("Challenges to service delivery/Getting there/Buses", true)
                        .unwrap()
                ),
                ..SegmentFilter::default()
            })
            .unwrap()
            .len()
    );
    let err = index
        .search(&study, "code:/challenges-to-service-delivery/transport", 10)
        .unwrap_err();
    assert!(matches!(err, IndexError::UnknownCode(_)), "{err}");
    // the parent still holds everything beneath it
    let all = study
        .code_selection("Challenges to service delivery", false)
        .unwrap();
    assert_eq!(
        keys_of(&index, &study, "code:/challenges-to-service-delivery"),
        expected(&study, |d| d.code.as_ref().is_some_and(|c| all.contains(c)))
    );
}

#[test]
fn editing_a_transcript_reindexes_it() {
    let dir = tempfile::tempdir().unwrap();
    let study = make_study(dir.path());
    let (index, _) = Index::open(&study, false).unwrap();
    assert_eq!(index.search(&study, "zeppelin", 10).unwrap().total, 0);
    let path = files::transcript_path(dir.path(), "V3-y2");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "[Interview with V3]",
        "[Interview with V3, who arrived by zeppelin]",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let study = Study::open(dir.path()).unwrap();
    let (index, refresh) = Index::open(&study, false).unwrap();
    assert!(!refresh.rebuilt);
    assert_eq!(refresh.transcripts, 1);
    let hits = index.search(&study, "zeppelin", 10).unwrap();
    assert_eq!(hits.total, 1);
    assert_eq!(hits.hits[0].transcript, "V3-y2");
    // the refresh added the new word to the vocabulary, so other forms of it find it too
    assert_eq!(index.search(&study, "zeppelins", 10).unwrap().total, 1);
    assert_eq!(
        index.search(&study, "exact:zeppelins", 10).unwrap().total,
        0
    );
    // a lost vocabulary file is rebuilt from the index
    drop(index);
    std::fs::remove_file(dir.path().join(".thema/index/words.tsv")).unwrap();
    let (index, refresh) = Index::open(&study, false).unwrap();
    assert!(!refresh.rebuilt);
    assert_eq!(index.search(&study, "zeppelins", 10).unwrap().total, 1);
    assert!(dir.path().join(".thema/index/words.tsv").exists());
    // the transcript's segments moved with the text and are found at their new offsets
    for hit in index
        .search(&study, "transcript:V3-y2 kind:segment", 100)
        .unwrap()
        .hits
    {
        let (_, s) = study
            .find_segment(hit.segment.as_deref().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!((hit.start, hit.end), (s.start, s.end));
    }
    assert_eq!(
        keys_of(&index, &study, "kind:turn").len(),
        documents(&study)
            .iter()
            .filter(|d| d.coder.is_none())
            .count()
    );
    // an attribute change needs no re-indexing (filters read the attribute table); a new
    // column rebuilds
    let csv = dir.path().join("transcripts/attributes.csv");
    let table = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(
        &csv,
        table.replace("V3-y2,V3,Volunteer", "V3-y2,V3,Peer supporter"),
    )
    .unwrap();
    let study = Study::open(dir.path()).unwrap();
    let (index, refresh) = Index::open(&study, false).unwrap();
    assert!(!refresh.rebuilt);
    assert_eq!(refresh.transcripts, 0);
    assert_eq!(
        keys_of(&index, &study, "role:\"peer supporter\""),
        expected(&study, |d| d.transcript == "V3-y2")
    );
    let table = std::fs::read_to_string(&csv).unwrap();
    let widened: String = table
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "Age group" } else { "50-64" }))
        .collect();
    std::fs::write(&csv, widened).unwrap();
    let study = Study::open(dir.path()).unwrap();
    let (index, refresh) = Index::open(&study, false).unwrap();
    assert!(refresh.rebuilt);
    assert_eq!(
        keys_of(&index, &study, "age_group:50-64").len(),
        documents(&study).len()
    );
}

#[test]
fn an_empty_study_has_an_empty_index() {
    let dir = tempfile::tempdir().unwrap();
    Study::init(dir.path(), "empty").unwrap();
    let study = Study::open(dir.path()).unwrap();
    let (index, refresh) = Index::open(&study, true).unwrap();
    assert!(refresh.rebuilt && refresh.docs == 0 && index.is_empty());
    assert_eq!(index.search(&study, "bus", 50).unwrap().total, 0);
    assert!(index
        .segments(&study, &SegmentQuery::default())
        .unwrap()
        .is_empty());
    assert!(index.query_fields().contains(&"participant".to_string()));
}

#[test]
fn a_new_language_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    let study = make_study(dir.path());
    let (index, _) = Index::open(&study, false).unwrap();
    assert!(index.search(&study, "stopping", 5).unwrap().total > 0);
    drop(index);
    let settings = dir.path().join("thema.json");
    let text = std::fs::read_to_string(&settings)
        .unwrap()
        .replace("\"en\"", "\"fr\"");
    std::fs::write(&settings, text).unwrap();
    let study = Study::open(dir.path()).unwrap();
    assert_eq!(study.settings.language, "fr");
    let (_, refresh) = Index::open(&study, false).unwrap();
    assert!(refresh.rebuilt);
}

#[test]
fn deleting_the_index_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let study = make_study(dir.path());
    let (index, _) = Index::open(&study, false).unwrap();
    let before = keys_of(&index, &study, "bus OR transport");
    drop(index);
    std::fs::remove_dir_all(dir.path().join(".thema/index")).unwrap();
    let (index, refresh) = Index::open(&study, false).unwrap();
    assert!(refresh.rebuilt);
    assert_eq!(keys_of(&index, &study, "bus OR transport"), before);
    // a damaged manifest also means a rebuild, never an error
    std::fs::write(dir.path().join(".thema/index/manifest.json"), "{not json").unwrap();
    drop(index);
    let (_, refresh) = Index::open(&study, false).unwrap();
    assert!(refresh.rebuilt);
    let rebuilt = Index::rebuild(&study, false).unwrap();
    assert_eq!(rebuilt.len() as usize, documents(&study).len());
}

#[test]
fn bad_queries_explain_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let study = make_study(dir.path());
    let (index, _) = Index::open(&study, false).unwrap();
    let message = |q: &str| {
        let err = index.search(&study, q, 10).unwrap_err();
        assert!(err.is_query_error(), "{q}: {err:?}");
        err.to_string()
    };
    assert!(message("").contains("empty query"));
    assert!(message("\"bus stop").contains("quotes"));
    let unknown = message("colour:red");
    assert!(unknown.contains("'colour'"), "{unknown}");
    for field in [
        "text",
        "speaker",
        "coder",
        "code",
        "transcript",
        "kind",
        "role",
        "wave",
        "participant",
    ] {
        assert!(unknown.contains(field), "{field} missing from: {unknown}");
    }
    assert!(message("code:/nothing-like-this").contains("no code"));
    assert_eq!(
        keys_of(&index, &study, "code:walking"),
        keys_of(
            &index,
            &study,
            "code:/challenges-to-service-delivery/transport/walking"
        )
    );
    assert!(message("kind:memo").contains("turn or segment"));
    assert!(message("turn:abc").contains("number"));
    assert!(message("-bus").contains("exclude"));
    assert!(message("(bus").contains("cannot read"));
    assert!(message("text:[a TO b]").contains("not on words"));
    // these are fine
    for q in [
        "exact:\"the bus\"",
        "don't",
        "10:30",
        "bus*",
        "turn:[1 TO 3]",
        "turn:3",
        "'single quoted'",
        "*",
    ] {
        assert!(index.search(&study, q, 5).is_ok(), "{q}");
    }
    assert!(index.search(&study, "turn:[1 TO 3]", 5).unwrap().total > 0);
    assert!(matches!(
        index.similar(&study, "nobody-123", 5),
        Err(IndexError::UnknownSegment(_))
    ));
}

#[test]
fn similar_finds_an_uncoded_turn_like_the_segment() {
    let dir = tempfile::tempdir().unwrap();
    let mut study = make_study(dir.path());
    let buses = study
        .resolve_code("Challenges to service delivery/Transport/Buses", None)
        .unwrap()
        .id
        .clone();
    let segment = study
        .apply_code(
            "r1",
            "LW2-y2",
            &Span::Quote("The bus never came so I missed the hospital appointment again".into()),
            &buses,
        )
        .unwrap();
    let (index, _) = Index::open(&study, false).unwrap();
    let similar = index.similar(&study, &segment.id, 5).unwrap();
    assert!(!similar.is_empty());
    let best = &similar[0];
    assert_eq!(best.kind, HitKind::Turn);
    assert_eq!(best.transcript, "V1-y1");
    assert!(
        best.snippet.text.contains("hospital appointment"),
        "{:?}",
        best.snippet
    );
    assert!(!best.snippet.highlights.is_empty());
    // the coded turn itself is left out: r1 already coded it with Buses
    let coded_turn = study
        .transcript("LW2-y2")
        .unwrap()
        .turn_at(segment.start)
        .unwrap()
        .number;
    assert!(similar
        .iter()
        .all(|h| !(h.transcript == "LW2-y2" && h.turn == coded_turn)));
    assert!(similar.len() <= 5);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_queries_never_panic(query in "[a-zA-Z0-9 :\"'()*+\\-!\\[\\]{}^~/\\\\.,?]{0,40}") {
        let index = shared_index();
        match index.0.search(&index.1, &query, 5) {
            Ok(results) => prop_assert!(results.hits.len() <= 5),
            Err(err) => {
                let message = err.to_string();
                prop_assert!(!message.is_empty());
                prop_assert!(!message.contains('\n'), "{}", message);
            }
        }
    }

    #[test]
    fn field_queries_never_panic(
        field in prop::sample::select(vec!["text", "exact", "kind", "transcript", "speaker", "turn", "coder", "code", "segment", "role", "wave", "nope"]),
        value in "[a-zA-Z0-9 :\"'()*/\\-\\[\\]]{0,16}",
    ) {
        let index = shared_index();
        let query = format!("{field}:{value}");
        if let Err(err) = index.0.search(&index.1, &query, 5) {
            prop_assert!(!err.to_string().contains('\n'));
        }
    }
}

/// One study and index shared by the property tests (building one per case would be slow).
fn shared_index() -> &'static (Index, Study, tempfile::TempDir) {
    static SHARED: std::sync::OnceLock<(Index, Study, tempfile::TempDir)> =
        std::sync::OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let study = make_study(dir.path());
        let (index, _) = Index::open(&study, false).unwrap();
        (index, study, dir)
    })
}

/// Timings on a generated study (`cargo test --test it index_search::timings -- --ignored
/// --nocapture`; THEMA_BENCH_TRANSCRIPTS sets the size, 1000 is the target study).
#[test]
#[ignore]
fn timings_on_a_generated_study() {
    use std::time::Instant;
    let transcripts: usize = std::env::var("THEMA_BENCH_TRANSCRIPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "bench").unwrap();
    let mut rng = Lcg(42);
    // a Zipf-like vocabulary: common words often, rare ones seldom
    let mut vocabulary: Vec<String> = VOCABULARY.iter().map(|w| w.to_string()).collect();
    for i in 0..6000 {
        let mut w = String::new();
        let mut n = i * 7 + 3;
        for _ in 0..(3 + i % 6) {
            w.push((b'a' + (n % 26) as u8) as char);
            n = n / 26 + i;
        }
        vocabulary.push(w);
    }
    let word = |rng: &mut Lcg| {
        let r = rng.next(1000) as f64 / 1000.0;
        let i = ((vocabulary.len() as f64).powf(r) as usize).min(vocabulary.len() - 1);
        vocabulary[i].clone()
    };
    let mut csv = String::from("transcript,participant,role,wave\n");
    for n in 0..transcripts {
        let id = format!("P{n:04}-y1");
        let mut text = String::new();
        let mut words = 0;
        let mut turn = 0;
        while words < 10_000 {
            let len = 20 + rng.next(130);
            let speaker = if turn % 2 == 0 {
                "Interviewer".to_string()
            } else {
                format!("P{n:04}")
            };
            let body: Vec<String> = (0..len).map(|_| word(&mut rng)).collect();
            text.push_str(&format!("{speaker}: {}.\n\n", body.join(" ")));
            words += len;
            turn += 1;
        }
        files::save_transcript(root, &id, &text).unwrap();
        csv.push_str(&format!(
            "{id},P{n:04},{},{}\n",
            ["link worker", "volunteer", "manager"][n % 3],
            ["first year", "second year"][n % 2]
        ));
    }
    std::fs::write(root.join("transcripts/attributes.csv"), csv).unwrap();
    let mut study = Study::open(root).unwrap();
    let none = Description::default();
    let mut codes = Vec::new();
    for theme in 0..5 {
        for sub in 0..3 {
            for leaf in 0..3 {
                let path = format!("Theme {theme}/Sub {sub}/Code {leaf}");
                codes.push(study.add_code("r1", None, &path, &none, None).unwrap());
            }
        }
    }
    for coder in ["r1", "r2", "r3"] {
        let mut segments = Vec::new();
        for t in &study.all_transcripts().unwrap() {
            let turns: Vec<_> = t.speaker_turns().collect();
            for k in 0..100 {
                let turn = turns[rng.next(turns.len())];
                let len = turn.end - turn.body_start;
                let a = turn.body_start + rng.next(len / 2 + 1);
                let b = (a + 150 + rng.next(250)).min(turn.end);
                segments.push(thema::model::Segment {
                    id: format!("{coder}-{}-{k}", t.id),
                    transcript: t.id.clone(),
                    start: a,
                    end: b.max(a + 1),
                    code: codes[rng.next(codes.len())].clone(),
                    quote: t.slice(a, b.max(a + 1)).to_string(),
                    at: "2024-05-01T10:00:00Z".into(),
                    memo: None,
                    starred: false,
                    flag: None,
                    extra: Default::default(),
                });
            }
        }
        thema::model::segment::sort_segments(&mut segments);
        files::save_codings(root, coder, &segments).unwrap();
    }
    let started = Instant::now();
    let mut study = Study::open(root).unwrap();
    let study_open = started.elapsed();
    let docs: usize = study
        .all_transcripts()
        .unwrap()
        .iter()
        .map(|t| t.turns.len())
        .sum::<usize>()
        + study
            .layers()
            .unwrap()
            .iter()
            .map(|(_, s)| s.len())
            .sum::<usize>();
    let bytes: usize = study
        .all_transcripts()
        .unwrap()
        .iter()
        .map(|t| t.text.len())
        .sum();

    let started = Instant::now();
    let cpu = cpu_seconds();
    let (index, refresh) = Index::open(&study, true).unwrap();
    let build = started.elapsed();
    let build_cpu = cpu_seconds() - cpu;
    assert!(refresh.rebuilt);
    let started = Instant::now();
    let (_, noop) = Index::open(&study, false).unwrap();
    let reopen = started.elapsed();
    assert!(!noop.rebuilt && noop.docs == 0);

    let queries = [
        "bus",
        "transport",
        "appointment",
        "lonely",
        "\"bus stop\"",
        "bus late",
        "bus OR walk",
        "code:/theme-1",
        "code:/theme-2/sub-1 transport",
        "role:volunteer appointment",
        "wave:\"second year\" kind:segment",
        "speaker:interviewer money",
        "coder:r2 garden",
        "\"the bus\"",
        "money -benefits",
        "family friends",
        "doctor",
        "trust",
        "care",
        "club",
    ];
    let segments_on_disk = tantivy::Index::open_in_dir(root.join(".thema/index"))
        .unwrap()
        .searchable_segment_ids()
        .unwrap()
        .len();
    println!("index segments on disk: {segments_on_disk}");
    let mut times = Vec::new();
    for q in queries {
        index.search(&study, q, 50).unwrap();
        for _ in 0..20 {
            let started = Instant::now();
            let results = index.search(&study, q, 50).unwrap();
            times.push(started.elapsed());
            assert!(results.hits.len() <= 50);
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    let p99 = times[times.len() * 99 / 100];

    let started = Instant::now();
    let theme = index
        .segments(
            &study,
            &SegmentQuery {
                codes: Some("Theme 1/Sub 1".into()),
                ..SegmentQuery::default()
            },
        )
        .unwrap();
    let retrieval = started.elapsed();
    let started = Instant::now();
    let similar = index
        .similar(&study, &theme[0].segment.clone().unwrap(), 20)
        .unwrap();
    let like = started.elapsed();
    drop(index);

    let id = study.transcripts()[transcripts / 2].id.clone();
    study
        .apply_code("r2", &id, &Span::Turn(3), &codes[4])
        .unwrap();
    let started = Instant::now();
    let (_, after) = Index::open(&study, false).unwrap();
    let incremental = started.elapsed();
    let layer = study
        .layer("r2")
        .unwrap()
        .iter()
        .filter(|s| s.transcript == id)
        .count();
    assert!(!after.rebuilt && after.docs == layer, "{after:?}");
    // the mean of several refreshes, each after one more coding, with the CPU they used
    let (mut wall, mut cpu) = (std::time::Duration::ZERO, 0.0);
    let rounds: usize = std::env::var("THEMA_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    for round in 0..rounds {
        let id = study.transcripts()[(round * 7) % transcripts].id.clone();
        study
            .apply_code("r3", &id, &Span::Turn(5), &codes[round % codes.len()])
            .unwrap();
        let (started, before) = (Instant::now(), cpu_seconds());
        let (_, after) = Index::open(&study, false).unwrap();
        wall += started.elapsed();
        cpu += cpu_seconds() - before;
        assert!(!after.rebuilt);
    }
    let refresh_wall = wall / rounds as u32;
    let refresh_cpu = cpu / rounds as f64 * 1000.0;

    println!(
        "study: {transcripts} transcripts, {:.1} MB, {docs} documents (opened in {study_open:.2?})\n\
         full build {build:.2?} ({build_cpu:.2} s of CPU); reopen unchanged {reopen:.2?}; refresh after one coding {incremental:.2?}\n\
         mean of {rounds} refreshes after one coding: {refresh_wall:.2?} ({refresh_cpu:.0} ms of CPU)\n\
         search top 50 + count: median {median:.2?}, p99 {p99:.2?}\n\
         segments of a sub-theme: {} in {retrieval:.2?}; similar: {} in {like:.2?}",
        bytes as f64 / 1e6,
        theme.len(),
        similar.len(),
    );
}

/// CPU time used by this process so far (all threads), in seconds; 0 where /proc is missing.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

#[test]
fn plurals_accents_and_names_match_as_the_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    Study::init(root, "accents").unwrap();
    std::fs::write(
        root.join("transcripts/T1.txt"),
        "Interviewer: Where did you meet?\n\nSiân: At the café by the station.\n\nInterviewer: And after?\n\nSiân: Two buses, both late.\n",
    )
    .unwrap();
    std::fs::write(
        root.join("transcripts/T2.txt"),
        "Interviewer: And you?\n\nP2: The cafe was shut, so the bus stop it was.\n",
    )
    .unwrap();
    let study = Study::open(root).unwrap();
    let (index, _) = Index::open(&study, false).unwrap();
    let total = |q: &str| index.search(&study, q, 50).unwrap().total;
    // the stem of `buses` is not `bus`'s, but the plural finds the singular and back
    assert_eq!(total("buses"), 2);
    assert_eq!(total("bus"), 2);
    assert_eq!(total("exact:buses"), 1);
    assert_eq!(total("exact:bus"), 1);
    // accents fold for searching; `exact:` keeps the written form
    assert_eq!(total("cafe"), 2);
    assert_eq!(total("café"), 2);
    assert_eq!(total("exact:café"), 1);
    assert_eq!(total("exact:cafe"), 1);
    assert_eq!(total("speaker:Sian"), 2);
    assert_eq!(total("speaker:SIÂN"), 2);
    // the snippet marks the word as written
    let hit = &index.search(&study, "cafe", 50).unwrap().hits;
    let marked: Vec<&str> = hit
        .iter()
        .flat_map(|h| {
            h.snippet
                .highlights
                .iter()
                .map(move |(a, b)| &h.snippet.text[*a..*b])
        })
        .collect();
    assert!(
        marked.contains(&"café") && marked.contains(&"cafe"),
        "{marked:?}"
    );
}
