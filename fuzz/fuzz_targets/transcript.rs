//! Canonical transcript parsing: never panics; turns are numbered, ordered, inside the text;
//! rendering turns and parsing them back keeps every speaker and every speech.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thema::model::{Transcript, TurnText};

fuzz_target!(|input: (&[u8], Vec<(Option<String>, String)>)| {
    let (bytes, turns) = input;
    let text = String::from_utf8_lossy(bytes).into_owned();
    let t = Transcript::parse("fuzz", text);
    let mut previous = 0;
    for (i, turn) in t.turns.iter().enumerate() {
        assert_eq!(turn.number, i + 1);
        assert!(previous <= turn.start && turn.start <= turn.body_start);
        assert!(turn.body_start <= turn.end && turn.end <= t.len_chars());
        previous = turn.end;
    }

    let turns: Vec<TurnText> = turns
        .into_iter()
        .map(|(speaker, text)| TurnText {
            speaker,
            timestamp: None,
            text,
        })
        .collect();
    let rendered = Transcript::render(&turns);
    let parsed = Transcript::parse("fuzz", rendered.clone());
    let kept: Vec<&TurnText> = turns
        .iter()
        .filter(|t| t.speaker.is_some() || !normalise(&t.text).is_empty())
        .collect();
    assert_eq!(parsed.turns.len(), kept.len(), "{rendered:?}");
    for (p, source) in parsed.turns.iter().zip(kept) {
        let body = normalise(&source.text);
        if source.speaker.is_some() {
            assert!(p.speaker.is_some(), "speaker lost: {rendered:?}");
            assert_eq!(parsed.body(p), body);
        } else {
            assert!(p.is_note(), "note became a turn: {rendered:?}");
            let shown = parsed.body(p);
            assert!(
                shown == body || shown == format!("[{body}]"),
                "{rendered:?}"
            );
        }
    }
});

fn normalise(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
