//! Criterion micro benches of the pieces the performance-target figures are made of: parsing a canonical
//! transcript, code-point/byte conversion, re-anchoring a quote after an edit, and agreement on
//! character units for one code over a generated study.
//!
//! `cargo bench -p thema-bench` (add `-- NAME` to run one).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use thema::model::anchor::{reanchor, Anchor};
use thema::model::text::CharIndex;
use thema::model::Transcript;
use thema::report::agreement::{compute, default_coders, AgreeRequest, Unit};
use thema::study::Study;
use thema_bench::generate::{generate, interviews, transcript_text, Rng, Spec, Vocabulary};

/// A 10,000-word interview, as the target study has 1,000 of.
fn interview_text(words: usize) -> String {
    let mut rng = Rng::new(5);
    let vocab = Vocabulary::new(&mut rng, 4000);
    let people = interviews(&mut rng, 1);
    transcript_text(&mut rng, &vocab, &people[0], words)
}

fn parse(c: &mut Criterion) {
    let text = interview_text(10_000);
    c.bench_function("parse a 10,000-word transcript", |b| {
        b.iter_batched(
            || text.clone(),
            |t| Transcript::parse("LW001-y1", t),
            BatchSize::SmallInput,
        )
    });
}

fn char_index(c: &mut Criterion) {
    let text = interview_text(10_000);
    c.bench_function("CharIndex::new, 10,000 words (not ASCII)", |b| {
        b.iter(|| CharIndex::new(black_box(&text)))
    });
    let index = CharIndex::new(&text);
    let len = index.len_chars();
    let points: Vec<usize> = {
        let mut rng = Rng::new(1);
        (0..1000).map(|_| rng.below(len)).collect()
    };
    c.bench_function("1,000 code point → byte → code point", |b| {
        b.iter(|| {
            let mut sum = 0;
            for &cp in &points {
                let byte = index.byte_of(&text, cp);
                sum += index.char_of(&text, byte);
            }
            sum
        })
    });
}

fn anchoring(c: &mut Criterion) {
    let text = interview_text(10_000);
    let t = Transcript::parse("x", text.clone());
    let turn = &t.turns[t.turns.len() / 2];
    let (start, end) = (
        turn.body_start,
        turn.body_start + 120.min(turn.end - turn.body_start),
    );
    let quote = t.slice(start, end).to_string();
    // a typo fixed near the top moves every later offset by a few characters
    let mut edited = text.clone();
    let at = t.index.byte_of(&text, t.turns[2].body_start);
    edited.insert_str(at, "Well, ");
    let edited_index = CharIndex::new(&edited);
    assert!(matches!(
        reanchor(&edited, &edited_index, start, end, &quote),
        Anchor::Moved { fuzzy: false, .. }
    ));
    c.bench_function("re-anchor a quote moved by an edit", |b| {
        b.iter(|| reanchor(black_box(&edited), &edited_index, start, end, &quote))
    });
    c.bench_function("re-anchor a quote still in place", |b| {
        b.iter(|| reanchor(black_box(&text), &t.index, start, end, &quote))
    });
}

fn agreement(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("thema-micro-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    generate(&Spec::scaled(20, 10_000, 3), &dir).expect("generate the study");
    let study = Study::open(&dir).expect("open the generated study");
    let theme = study.codebooks[0].codebook.children(None)[0].id.clone();
    let leaf = study.layer("r1").unwrap()[0].code.clone();
    for (label, code) in [("a theme", theme), ("a leaf code", leaf)] {
        let request = AgreeRequest {
            coders: default_coders(&study),
            codes: vec![code],
            exact: false,
            unit: Unit::Char,
            overlap: 0.9,
            by_transcript: false,
            bootstrap: thema::agreement::BootstrapOptions::none(),
        };
        c.bench_function(
            &format!("agreement on characters, {label}, 20 × 10,000 words × 3 coders"),
            |b| b.iter(|| compute(&study, &request).expect("agreement")),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = parse, char_index, anchoring, agreement
}
criterion_main!(benches);
