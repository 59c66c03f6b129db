//! A note paragraph whose text begins like a timestamped turn and ends with `]` was written
//! unbracketed by `Transcript::render`, so it parsed back as that speaker's turn (found by
//! `rendered_turns_parse_back_to_the_same_turns` in tests/reliability_hostile.rs).

use thema::model::{Transcript, TurnText};

#[test]
fn a_note_that_reads_as_a_turn_stays_a_note() {
    for note in [
        "[00:00:12] LW7: ]",
        "[00:00:12] LW7: yes]",
        "[1:02] Interviewer: so]",
    ] {
        let turns = vec![TurnText {
            speaker: None,
            timestamp: None,
            text: note.to_string(),
        }];
        let text = Transcript::render(&turns);
        let parsed = Transcript::parse("x", text.clone());
        assert_eq!(parsed.turns.len(), 1, "{text:?}");
        assert!(parsed.turns[0].is_note(), "became a turn: {text:?}");
        assert_eq!(parsed.body(&parsed.turns[0]), format!("[{note}]"));
    }
    // an ordinary bracketed note is left as it is
    let turns = vec![TurnText {
        speaker: None,
        timestamp: None,
        text: "[Recording paused]".to_string(),
    }];
    assert_eq!(Transcript::render(&turns), "[Recording paused]\n");
}
