//! The query set of the search bench: several shapes of query, each written three ways — in
//! thema's query language, in SQLite FTS5's, and as a plain matcher for the linear scan — so
//! the three engines answer the same questions.
//!
//! Query words come from the generated study's own vocabulary and text (seeded), so every query
//! finds something. This module only chooses queries; it runs none.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use thema::study::Study;

use crate::generate::{Rng, Vocabulary, COMMON, DOMAIN};

/// One query in the three dialects.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryCase {
    /// Which shape it is (one of [`SHAPES`]).
    pub shape: String,
    /// thema's query language.
    pub thema: String,
    /// SQLite FTS5's MATCH syntax.
    pub fts5: String,
    /// What the linear scan checks.
    pub scan: ScanQuery,
}

/// A query for the linear scan: every condition must hold.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScanQuery {
    /// Phrases (lowercase words in a row) that must all occur; a single word is a phrase of one.
    pub phrases: Vec<Vec<String>>,
    /// Words of which at least one must occur (ignored when empty).
    pub any: Vec<String>,
    /// The speaker of the turn must be this label.
    pub speaker: Option<String>,
    /// Only segments with one of these code ids.
    pub codes: Option<BTreeSet<String>>,
    /// An attribute of the transcript must have this value.
    pub attribute: Option<(String, String)>,
}

/// The shapes, in table order.
pub const SHAPES: &[&str] = &[
    "word (common)",
    "word (mid)",
    "word (rare)",
    "phrase",
    "boolean + speaker field",
    "code facet",
    "code facet + word",
    "attribute + word",
];

fn plain(word: &str) -> bool {
    word.len() >= 3
        && word.chars().all(|c| c.is_ascii_lowercase())
        && !matches!(word, "and" | "not" | "the")
}

/// Words of the vocabulary in a band of frequency ranks that make sensible queries.
fn band(vocab: &Vocabulary, lo: usize, hi: usize, real_only: bool) -> Vec<String> {
    vocab.words[lo.min(vocab.words.len())..hi.min(vocab.words.len())]
        .iter()
        .filter(|w| plain(w))
        .filter(|w| !real_only || DOMAIN.contains(&w.as_str()))
        .cloned()
        .collect()
}

/// Adjacent word pairs taken from the study's turns, the second word not a common one.
fn bigrams(study: &Study, rng: &mut Rng, n: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut guard = 0;
    let texts = study.all_transcripts().unwrap_or_default();
    while out.len() < n && guard < n * 200 && !texts.is_empty() {
        guard += 1;
        let t = rng.pick(&texts);
        let turns: Vec<_> = t.speaker_turns().collect();
        if turns.is_empty() {
            continue;
        }
        let turn = rng.pick::<&thema::model::Turn>(&turns);
        let body = t.body(turn);
        let words: Vec<String> = body
            .split_whitespace()
            .map(|w| w.trim_end_matches([',', '.', '?', '!']).to_lowercase())
            .collect();
        if words.len() < 2 {
            continue;
        }
        let i = rng.below(words.len() - 1);
        let (a, b) = (&words[i], &words[i + 1]);
        if plain(a) && plain(b) && !COMMON.contains(&b.as_str()) && a != b {
            out.push((a.clone(), b.clone()));
        }
    }
    out
}

/// `n` queries of every shape, chosen with `seed` from the study generated with `vocab_seed`.
pub fn query_set(study: &Study, vocab_seed: u64, n: usize, seed: u64) -> Vec<QueryCase> {
    let vocab = Vocabulary::of_seed(vocab_seed);
    let mut rng = Rng::new(seed);
    let common = band(&vocab, 35, 160, false);
    let mut mid = band(&vocab, 160, 1200, true);
    if mid.len() < 4 {
        mid = band(&vocab, 160, 1200, false);
    }
    let mut rare = band(&vocab, 2000, vocab.words.len(), true);
    if rare.len() < 4 {
        rare = band(&vocab, 2000, vocab.words.len(), false);
    }
    let pairs = bigrams(study, &mut rng, n);
    let codebook = study.codebooks.first().map(|c| &c.codebook);
    let themes: Vec<String> = codebook
        .map(|cb| cb.children(None).iter().map(|c| c.id.clone()).collect())
        .unwrap_or_default();
    let subthemes: Vec<String> = codebook
        .map(|cb| {
            themes
                .iter()
                .flat_map(|t| cb.children(Some(t)).into_iter().map(|c| c.id.clone()))
                .collect()
        })
        .unwrap_or_default();
    let subtree =
        |id: &str| -> BTreeSet<String> { codebook.map(|cb| cb.subtree(id)).unwrap_or_default() };
    let attributes: Vec<(&str, &str)> = vec![
        ("role", "volunteer"),
        ("role", "link worker"),
        ("wave", "second year"),
        ("area", "Old Town"),
        ("area", "Riverside"),
    ];
    let mut out = Vec::new();
    let word_case = |shape: &str, w: &str| QueryCase {
        shape: shape.to_string(),
        thema: w.to_string(),
        fts5: w.to_string(),
        scan: ScanQuery {
            phrases: vec![vec![w.to_string()]],
            ..ScanQuery::default()
        },
    };
    for i in 0..n {
        out.push(word_case("word (common)", rng.pick(&common).as_str()));
        out.push(word_case("word (mid)", rng.pick(&mid).as_str()));
        out.push(word_case("word (rare)", rng.pick(&rare).as_str()));
        if let Some((a, b)) = pairs.get(i % pairs.len().max(1)) {
            out.push(QueryCase {
                shape: "phrase".into(),
                thema: format!("\"{a} {b}\""),
                fts5: format!("\"{a} {b}\""),
                scan: ScanQuery {
                    phrases: vec![vec![a.clone(), b.clone()]],
                    ..ScanQuery::default()
                },
            });
        }
        let (x, y) = (rng.pick(&mid).clone(), rng.pick(&mid).clone());
        out.push(QueryCase {
            shape: "boolean + speaker field".into(),
            thema: format!("speaker:Interviewer AND ({x} OR {y})"),
            fts5: format!("speaker : Interviewer AND ({x} OR {y})"),
            scan: ScanQuery {
                any: vec![x, y],
                speaker: Some("Interviewer".into()),
                ..ScanQuery::default()
            },
        });
        if !themes.is_empty() {
            let theme = rng.pick(&themes).clone();
            out.push(QueryCase {
                shape: "code facet".into(),
                thema: format!("code:{theme}"),
                fts5: format!("code : {theme}"),
                scan: ScanQuery {
                    codes: Some(subtree(&theme)),
                    ..ScanQuery::default()
                },
            });
            let sub = rng.pick(&subthemes).clone();
            let w = rng.pick(&common).clone();
            out.push(QueryCase {
                shape: "code facet + word".into(),
                thema: format!("code:{sub} AND {w}"),
                fts5: format!("code : {sub} AND {w}"),
                scan: ScanQuery {
                    phrases: vec![vec![w]],
                    codes: Some(subtree(&sub)),
                    ..ScanQuery::default()
                },
            });
        }
        let (column, value) = *rng.pick(&attributes);
        let w = rng.pick(&mid).clone();
        out.push(QueryCase {
            shape: "attribute + word".into(),
            thema: format!("{column}:\"{value}\" AND {w}"),
            fts5: format!("{column} : \"{}\" AND {w}", value.to_lowercase()),
            scan: ScanQuery {
                phrases: vec![vec![w]],
                attribute: Some((column.to_string(), value.to_string())),
                ..ScanQuery::default()
            },
        });
    }
    out
}
