//! Importing a transcript from any bytes under any file name: never panics; errors name the file;
//! every imported speaker turn is still a speaker turn in the canonical text written from it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thema::import::{import_bytes, ImportOptions};
use thema::model::{Transcript, TurnText};

const NAMES: [&str; 8] = [
    "interview.txt",
    "interview.md",
    "interview.vtt",
    "interview.srt",
    "interview.json",
    "interview.docx",
    "interview.rtf",
    "interview",
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(first) % NAMES.len()];
    match import_bytes(bytes, name, &ImportOptions::default()) {
        Ok(imported) => {
            let turns: Vec<TurnText> = imported
                .turns
                .into_iter()
                .map(|t| TurnText {
                    speaker: t.speaker,
                    timestamp: t.timestamp,
                    text: t.text,
                })
                .collect();
            let text = Transcript::render(&turns);
            let parsed = Transcript::parse("fuzz", text.clone());
            let speakers = turns.iter().filter(|t| t.speaker.is_some()).count();
            assert_eq!(parsed.speaker_turns().count(), speakers, "{text:?}");
        }
        Err(e) => assert!(e.to_string().contains(name), "{e}"),
    }
});
