//! Every importer on a fixture of its format (tests/fixtures/import/, fictional content):
//! exact speakers, timestamps and texts; detection; encodings; errors; and that no input panics.

use proptest::prelude::*;
use thema::import::{
    detect_format, import_bytes, ImportError, ImportOptions, ImportedTranscript, SourceFormat,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn import(name: &str) -> ImportedTranscript {
    import_bytes(&fixture(name), name, &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

type Row = (Option<String>, Option<String>, String);

/// A turn as (speaker, timestamp, text); "" means None for speaker and timestamp.
fn row(speaker: &str, timestamp: &str, text: &str) -> Row {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    (opt(speaker), opt(timestamp), text.to_string())
}

fn rows(t: &ImportedTranscript) -> Vec<Row> {
    t.turns
        .iter()
        .map(|t| (t.speaker.clone(), t.timestamp.clone(), t.text.clone()))
        .collect()
}

/// The canonical-transcript rules every import must obey.
fn assert_canonical(t: &ImportedTranscript) {
    for turn in &t.turns {
        assert!(!turn.text.is_empty(), "empty turn {turn:?}");
        assert_eq!(turn.text.trim(), turn.text, "untrimmed turn {turn:?}");
        assert!(!turn.text.contains("\n\n"), "blank line in {turn:?}");
        assert!(!turn.text.contains('\r'), "CR in {turn:?}");
        if let Some(s) = &turn.speaker {
            assert!(
                !s.contains(':') && !s.contains('\n') && s.chars().count() <= 40,
                "bad label {s:?}"
            );
        }
        if let Some(ts) = &turn.timestamp {
            let parts: Vec<&str> = ts.split(':').collect();
            assert!(
                parts.len() == 3 && parts.iter().all(|p| p.len() >= 2),
                "bad timestamp {ts}"
            );
        }
    }
    for pair in t.turns.windows(2) {
        if pair[0].speaker.is_some() {
            assert_ne!(pair[0].speaker, pair[1].speaker, "unmerged turns {pair:?}");
        }
    }
    // what was imported survives into the canonical file: speakers and timestamps of turns and
    // notes alike (a note whose text looks like a turn is bracketed, so only its text changes)
    let written: Vec<thema::model::TurnText> = t
        .turns
        .iter()
        .map(|turn| thema::model::TurnText {
            speaker: turn.speaker.clone(),
            timestamp: turn.timestamp.clone(),
            text: turn.text.clone(),
        })
        .collect();
    let parsed = thema::model::Transcript::parse("t", thema::model::Transcript::render(&written));
    assert_eq!(parsed.turns.len(), t.turns.len());
    for (read, written) in parsed.turns.iter().zip(&t.turns) {
        let label = written
            .speaker
            .as_deref()
            .map(thema::model::transcript::clean_label);
        assert_eq!(read.speaker, label, "{written:?}");
        assert_eq!(read.timestamp, written.timestamp, "{written:?}");
        let body = parsed.body(read);
        assert!(
            body == written.text || (read.is_note() && body == format!("[{}]", written.text)),
            "{body:?} read back for {written:?}"
        );
    }
}

#[test]
fn plain_text_with_header_block_labels_and_monday() {
    let t = import("interview-lw7.txt");
    assert_eq!((t.format, t.encoding), (SourceFormat::PlainText, "UTF-8"));
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row(
                "",
                "",
                "Hillside Link Service evaluation: interview with link worker LW7\nDate: 14 March 2024\n\
                 Interviewer: NR\nParticipant: LW7 (link worker, two years in post)\n\
                 Location: Hillside Community Hub, back office"
            ),
            row(
                "Interviewer",
                "00:00:04",
                "Thanks for making time today. Could you start by telling me what a link worker does here?"
            ),
            row(
                "LW7",
                "00:00:12",
                "Sure. So I see the people the GPs refer to us [laughs], mostly folk who are lonely or stuck \
                 with money worries. My week goes like this:\nMonday: drop-in at the surgery.\nTuesday: home visits.\n\
                 And on Thursdays I take the walking group with the volunteers."
            ),
            row("Interviewer", "", "And what does that first meeting look like?"),
            row(
                "LW7",
                "",
                "Honestly, it's mostly listening. Someone said to me once, \"Monday: that's the worst day\", and it \
                 stuck with me. [inaudible] ... then we work out a plan together."
            ),
            row("", "", "[Recording paused]"),
            row("Interviewer", "00:05:40", "We're back. You mentioned the volunteers —"),
            row(
                "LW7",
                "",
                "[overlapping] Yes, the volunteers [/overlapping] are the backbone, really.\n\
                 Without them the walking group wouldn't run at all."
            ),
        ]
    );
}

#[test]
fn declared_speakers_override_detection() {
    // Each name speaks once, so detection (which asks labels to recur) sees only notes.
    let text = b"Wendy: Is this where the walking group meets?\n\nTom: It is. We leave at ten.\n";
    let detected = import_bytes(text, "w.txt", &ImportOptions::default()).unwrap();
    assert_eq!(
        detected
            .turns
            .iter()
            .filter(|t| t.speaker.is_some())
            .count(),
        0
    );
    let opts = ImportOptions {
        speakers: Some(vec!["wendy".to_string(), "Tom".to_string()]),
    };
    let declared = import_bytes(text, "w.txt", &opts).unwrap();
    assert_eq!(
        rows(&declared),
        vec![
            row("wendy", "", "Is this where the walking group meets?"),
            row("Tom", "", "It is. We leave at ten.")
        ]
    );
    // Declaring only the interviewer makes the link worker's paragraphs part of the interviewer's
    // turns: consecutive turns then merge until the "[Recording paused]" note.
    let opts = ImportOptions {
        speakers: Some(vec!["Interviewer".to_string()]),
    };
    let t = import_bytes(&fixture("interview-lw7.txt"), "interview-lw7.txt", &opts).unwrap();
    let speakers: Vec<Option<&str>> = t.turns.iter().map(|t| t.speaker.as_deref()).collect();
    assert_eq!(
        speakers,
        vec![None, Some("Interviewer"), None, Some("Interviewer")]
    );
    assert!(t.turns[1].text.contains("\n[00:00:12] LW7: Sure."));
    assert_canonical(&t);
}

#[test]
fn windows_1252_crlf_line_mode_focus_group() {
    let t = import("focus-group-cp1252.txt");
    assert_eq!(
        (t.format, t.encoding),
        (SourceFormat::PlainText, "windows-1252")
    );
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row("", "", "Volunteer focus group, Hillside Link Service\nFacilitator: NR\nDate: 2 April 2024"),
            row("F", "", "Let’s go round the table. What got you into volunteering?"),
            row("V04", "", "I’d retired and the GP said “why not the walking group?” – so I went."),
            row("V11", "", "For me it was the café. I was a customer first…\nand then I was behind the counter."),
            row("V04", "", "It costs £2 for a tea, mind."),
            row("F", "", "[laughs] Good to know."),
            row("V11", "", "Monday: set up. Friday: cash up."),
        ]
    );
}

#[test]
fn utf16_with_bom_and_crlf() {
    let t = import("interview-v02-utf16.txt");
    assert_eq!(
        (t.format, t.encoding),
        (SourceFormat::PlainText, "UTF-16LE")
    );
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row(
                "Interviewer",
                "",
                "Diolch, Siân. How long have you volunteered with the befriending scheme?"
            ),
            row(
                "V02",
                "",
                "Nearly three years. I ring two people every week."
            ),
            row("Interviewer", "", "And what do you get out of it?"),
            row("V02", "", "Company, honestly [laughs]. It’s not one-way."),
        ]
    );
}

#[test]
fn lone_carriage_returns() {
    let t = import("classic-mac-cr.txt");
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row("I", "", "Did the referral letter arrive?"),
            row("R", "", "It did, on the Tuesday."),
            row("I", "", "Good."),
            row("R", "", "Mind you, it went to my old address first."),
        ]
    );
}

#[test]
fn markdown_front_matter_headings_bold_labels_entities() {
    let t = import("interview-lw3.md");
    assert_eq!((t.format, t.encoding), (SourceFormat::Markdown, "UTF-8"));
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row("", "", "title: Interview with LW3\nservice: Hillside Link Service"),
            row("", "", "Getting started"),
            row("Interviewer", "00:00:00", "Thanks for joining. It's recording now."),
            row(
                "LW3",
                "00:00:06",
                "No problem. I've been a link worker for \"about a year\".\nI came from the housing team before that."
            ),
            row("", "", "Referrals"),
            row("Interviewer", "", "How do referrals reach you?"),
            row("LW3", "", "Mostly from the surgery. Monday: that's when the list lands."),
        ]
    );
}

#[test]
fn zoom_vtt_merges_runs_and_unlabelled_cues() {
    let t = import("zoom.vtt");
    assert_eq!(t.format, SourceFormat::ZoomVtt);
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row(
                "Nadia Rahman (she/her)",
                "00:00:02",
                "Okay, I think that's recording now. So thanks for joining from the hub."
            ),
            row(
                "Owen Talbot",
                "00:00:10",
                "No worries. I've got till half past. The walking group starts at eleven. \
                 Monday: that's my busiest day, to be honest."
            ),
            row("Nadia Rahman (she/her)", "00:00:25", "Why Monday?"),
            row(
                "Owen Talbot",
                "00:00:29",
                "Everyone's been stuck in all weekend [laughs]."
            ),
        ]
    );
}

#[test]
fn teams_vtt_voices_entities_wrapped_split_and_overlapping_cues() {
    let t = import("teams.vtt");
    assert_eq!(t.format, SourceFormat::TeamsVtt);
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row(
                "Morgan, Siân",
                "00:00:01",
                "Hi everyone, can you all hear me okay? I'll start the recording."
            ),
            row("Dafydd Hughes (Volunteer)", "00:00:05", "Yes."),
            row(
                "Morgan, Siân",
                "00:00:06",
                "Thanks for coming to the volunteer check-in."
            ),
            row(
                "Dafydd Hughes (Volunteer)",
                "00:00:10",
                "The tea & chat session moved to the library, by the way, since the café closed."
            ),
            row("Morgan, Siân", "00:00:17", "Oh, since when?"),
        ]
    );
}

#[test]
fn generic_vtt_without_speakers_joins_broken_sentences() {
    let t = import("stream-captions.vtt");
    assert_eq!(t.format, SourceFormat::WebVtt);
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row(
                "",
                "00:00:02",
                "OK, I think it's recording now. Welcome to the volunteer induction for the Hillside befriending scheme."
            ),
            row("", "01:00:10", "Any questions > just ask."),
        ]
    );
}

#[test]
fn whisperx_srt_with_bom_crlf_and_unprefixed_cue() {
    let t = import("whisperx.srt");
    assert_eq!((t.format, t.encoding), (SourceFormat::Srt, "UTF-8 (BOM)"));
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row(
                "SPEAKER_00",
                "00:00:01",
                "Okay, so that's recording. Can you tell me how you found the befriending scheme?"
            ),
            row(
                "SPEAKER_01",
                "00:00:08",
                "Honestly, it was a lifeline. My befriender, she rings on a Monday."
            ),
            row("", "00:00:13", "Thank you."),
            row(
                "SPEAKER_01",
                "00:00:15",
                "Monday: phone call. Thursday: the walk."
            ),
        ]
    );
}

#[test]
fn whisper_json_has_no_speakers() {
    let t = import("whisper.json");
    assert_eq!(t.format, SourceFormat::WhisperJson);
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row("", "00:00:00", "Welcome to the café morning."),
            row(
                "",
                "00:00:03",
                "Today we're talking about the befriending scheme and how volunteers are matched."
            ),
            row("", "01:02:05", "Thank you."),
        ]
    );
}

#[test]
fn whisperx_json_speakers_and_undiarised_segment() {
    let t = import("whisperx.json");
    assert_eq!(t.format, SourceFormat::WhisperXJson);
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row(
                "SPEAKER_00",
                "00:00:00",
                "So how did you first hear about the link service?"
            ),
            row(
                "SPEAKER_01",
                "00:00:03",
                "My GP mentioned it. I wasn't sure at first, to be honest."
            ),
            row("", "00:00:10", "Mm."),
            row("SPEAKER_00", "00:01:11", "And now?"),
        ]
    );
}

#[test]
fn otter_headers_repeated_speaker_and_footer() {
    let t = import("otter.txt");
    assert_eq!(t.format, SourceFormat::Otter);
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row("Nadia Rahman", "00:00:03", "Okay, that's recording. Thanks for meeting me at the hub."),
            row(
                "Speaker 2",
                "00:00:09",
                "Yeah, of course. So I'm one of the link workers here, I've been here since the service started.\n\
                 Monday: I do the surgery drop-in, that's the main one."
            ),
            row("Nadia Rahman", "00:01:02", "And the rest of the week?"),
            row("Unknown Speaker", "00:04:18", "Sorry, do you want these chairs out?"),
            row("", "", "Transcribed by https://otter.ai"),
        ]
    );
}

#[test]
fn rev_headers_tags_and_multi_paragraph_turn() {
    let t = import("rev.txt");
    assert_eq!(t.format, SourceFormat::Rev);
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row(
                "",
                "",
                "Hillside Link Service - LW5 interview (Completed 03/18/24)"
            ),
            row("", "", "Transcript by Rev.com"),
            row(
                "Nadia Rahman",
                "00:00:00",
                "Thanks for doing this. Can you hear me all right?"
            ),
            row(
                "Speaker 1",
                "00:00:04",
                "Yes, fine. [crosstalk 00:00:05] Sorry, go on."
            ),
            row(
                "Nadia Rahman",
                "00:00:09",
                "How long have you been volunteering?"
            ),
            row(
                "Speaker 1",
                "01:02:15",
                "Three years in May. [laughs]\nIt started with the gardening group."
            ),
        ]
    );
}

#[test]
fn docx_labels_split_across_runs() {
    let t = import("interview-v06.docx");
    assert_eq!((t.format, t.encoding), (SourceFormat::Docx, "UTF-8"));
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row("", "", "Hillside Link Service — volunteer interview V06"),
            row("", "", "Date: 9 April 2024"),
            row("", "", "Interviewer: NR"),
            row("Interviewer", "", "Thanks for coming in. How did you hear about the scheme?"),
            row("V06", "", "My daughter saw a poster in the library. Fish & chips on Fridays, you know."),
            row("Interviewer", "", "And what do you do now?"),
            row(
                "V06",
                "",
                "Monday: the phone calls.\nWednesday: the walk.\nIt keeps me going, honestly [laughs]."
            ),
        ]
    );
}

#[test]
fn docx_teams_transcript_layout() {
    let t = import("teams-transcript.docx");
    assert_eq!(t.format, SourceFormat::Docx);
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row(
                "",
                "",
                "Hillside volunteers check-in-20240312_100412-Meeting Transcript"
            ),
            row("", "", "12 March 2024, 10:04am"),
            row("", "", "31m 18s"),
            row("", "", "Morgan, Siân started transcription"),
            row("Morgan, Siân", "00:00:03", "Hi, can you hear me okay?"),
            row(
                "Hughes, Dafydd",
                "00:00:05",
                "Yes, fine.\nSorry, the camera."
            ),
            row("Morgan, Siân", "01:02:07", "Thanks, everyone."),
            row("", "", "Morgan, Siân stopped transcription"),
        ]
    );
}

/// The hand-typed Word interview: every turn as a researcher reads it.
fn lw11_rows() -> Vec<Row> {
    vec![
        row("", "", "Hillside Link Service evaluation — interview LW11"),
        row(
            "",
            "",
            "Participant: LW11 (link worker, four years in post)\nInterviewer: NR\nDate: 21 May 2024\n\
             Recording: LW11.m4a (38 minutes)",
        ),
        row("", "", "Part 1: Background"),
        row(
            "Interviewer",
            "00:00:05",
            "Thanks for doing this. How long have you been a link worker?",
        ),
        row(
            "LW11",
            "00:00:11",
            "Four years in June. Before that I was on the council’s housing team.",
        ),
        row("Interviewer", "", "And what brought you across?"),
        row(
            "LW11",
            "",
            "Honestly? The caseloads.\nMonday: forty calls. Tuesday: the same again.",
        ),
        row("", "", "Part 2: Transport"),
        row(
            "LW11",
            "00:03:20",
            "Can I say something about the buses first? The 42 stops at six, so the evening groups \
             are out for most of my people.\nIt’s the single biggest thing, really.",
        ),
        row("Interviewer", "00:04:02", "What about community transport?"),
        row(
            "LW11",
            "00:04:09",
            "There’s the dial-a-ride, but you book a week ahead.",
        ),
        row("", "", "Recording paused while LW11 took a phone call."),
        row("LW11", "00:09:30", "Sorry about that. Where were we?"),
        row("", "", "What would help"),
        row("Interviewer", "00:09:41", "So what would help most?"),
        row(
            "LW11",
            "00:09:47",
            "Smaller caseloads. And a minibus, if I’m dreaming.",
        ),
        row(
            "",
            "",
            "[Transcriber’s note: a passage naming a client has been removed at LW11’s request [name].]",
        ),
        row("Interviewer", "00:37:58", "Thank you, that’s everything."),
        row("", "", "[00:38:02] [END OF RECORDING]"),
    ]
}

#[test]
fn docx_hand_typed_with_table_headings_and_end_marker() {
    let t = import("interview-lw11.docx");
    assert_eq!(t.format, SourceFormat::Docx);
    assert_canonical(&t);
    assert_eq!(rows(&t), lw11_rows());
}

#[test]
fn docx_declared_speakers_keep_every_label_and_timestamp() {
    // Declaring the speakers (in any case) must give the same turns as detection: no heading
    // glued into a speech, no label or timestamp lost to a merge across a heading or a note.
    let opts = ImportOptions {
        speakers: Some(vec!["interviewer".to_string(), "LW11".to_string()]),
    };
    let t = import_bytes(
        &fixture("interview-lw11.docx"),
        "interview-lw11.docx",
        &opts,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_canonical(&t);
    let expected: Vec<Row> = lw11_rows()
        .into_iter()
        .map(|(speaker, ts, text)| {
            let speaker = speaker.map(|s| {
                if s == "Interviewer" {
                    "interviewer".to_string()
                } else {
                    s
                }
            });
            (speaker, ts, text)
        })
        .collect();
    assert_eq!(rows(&t), expected);
    // Every label and timestamp typed in the file is a turn's label and timestamp.
    let stamps: Vec<&str> = t
        .turns
        .iter()
        .filter_map(|t| t.timestamp.as_deref())
        .collect();
    assert_eq!(
        stamps,
        [
            "00:00:05", "00:00:11", "00:03:20", "00:04:02", "00:04:09", "00:09:30", "00:09:41",
            "00:09:47", "00:37:58"
        ]
    );
    assert_eq!(t.turns.iter().filter(|t| t.speaker.is_some()).count(), 11);
}

#[test]
fn markdown_emphasis_is_removed_from_speech() {
    let t = import("interview-v09.md");
    assert_eq!(t.format, SourceFormat::Markdown);
    assert_canonical(&t);
    assert_eq!(
        rows(&t),
        vec![
            row("", "", "title: Volunteer interview V09\nservice: Hillside Link Service"),
            row("", "", "Befriending"),
            row("Interviewer", "", "How did you first hear about the befriending scheme?"),
            row(
                "V09",
                "",
                "From my neighbour. She said it would do me good, and she was right."
            ),
            row("", "", "Recording paused."),
            row("Interviewer", "", "And what's it like now, a year on?"),
            row(
                "V09",
                "00:04:10",
                "I ring Mrs B on a Tuesday. Her folder is called befriending_notes_v2, don't ask.\n\
                 It's a 5* friendship, honestly. Asked. She'd say the same."
            ),
            row("", "", "V09 laughs."),
            row("V09", "", "We talk about everything * well, nearly everything."),
        ]
    );
}

#[test]
fn detection_is_by_content() {
    let cases = [
        ("interview-lw7.txt", SourceFormat::PlainText),
        ("interview-lw3.md", SourceFormat::Markdown),
        ("zoom.vtt", SourceFormat::ZoomVtt),
        ("teams.vtt", SourceFormat::TeamsVtt),
        ("stream-captions.vtt", SourceFormat::WebVtt),
        ("whisperx.srt", SourceFormat::Srt),
        ("whisper.json", SourceFormat::WhisperJson),
        ("whisperx.json", SourceFormat::WhisperXJson),
        ("otter.txt", SourceFormat::Otter),
        ("rev.txt", SourceFormat::Rev),
        ("interview-v06.docx", SourceFormat::Docx),
        ("interview-lw11.docx", SourceFormat::Docx),
        ("interview-v09.md", SourceFormat::Markdown),
    ];
    for (name, format) in cases {
        // A misleading or missing extension does not change what the content is.
        assert_eq!(
            detect_format(&fixture(name), "upload.txt").unwrap(),
            format,
            "{name}"
        );
    }
    assert_eq!(SourceFormat::ZoomVtt.to_string(), "zoom-vtt");
    assert_eq!(SourceFormat::WhisperXJson.to_string(), "whisperx-json");
}

fn error(bytes: &[u8], name: &str) -> ImportError {
    import_bytes(bytes, name, &ImportOptions::default()).expect_err("import should fail")
}

#[test]
fn errors_name_the_file_and_the_problem() {
    let cases: Vec<(ImportError, &str)> = vec![
        (error(b"", "a.txt"), "a.txt: empty file"),
        (error(b" \r\n\t\n", "a.txt"), "a.txt: empty file"),
        (error(b"\xEF\xBB\xBF", "a.txt"), "a.txt: empty file"),
        (error(b"\x00\x01\x02binary\xff\xfe\x00", "rec.txt"), "rec.txt: binary file (contains NUL bytes), not a transcript"),
        (
            error(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "t.pdf"),
            "t.pdf: binary file (PDF document; export it as .docx or .txt), not a transcript",
        ),
        (
            error(b"{\\rtf1\\ansi Interviewer: hi}", "t.rtf"),
            "t.rtf: unknown format: RTF document; save it as .docx or .txt",
        ),
        (
            error(b"{\"results\": []}", "aws.json"),
            "aws.json: unknown format: JSON without a \"segments\" or \"transcription\" list (not a Whisper transcript)",
        ),
        (
            error(b"Interviewer: hello\n", "t.srt"),
            "t.srt: unknown format: named .srt but the content does not start with numbered cues with \
             'hh:mm:ss,mmm --> hh:mm:ss,mmm' timing lines",
        ),
        (
            error(b"I: caf\xe9 \x81\n", "t.txt"),
            "t.txt: undecodable bytes: not UTF-8, and byte 0x81 at offset 8 is undefined in Windows-1252",
        ),
        (
            error(b"\xFF\xFEI\x00:\x00 \x00\x00\xD8", "t.txt"),
            "t.txt: undecodable bytes: invalid UTF-16LE (unpaired surrogate)",
        ),
        (
            error(b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:0x.000\nHi\n", "z.vtt"),
            "z.vtt:4: malformed cue: bad timing line '00:00:01.000 --> 00:00:0x.000'",
        ),
        (
            error(b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nHi\n\nstray text\n", "z.vtt"),
            "z.vtt:7: malformed cue: expected a timing line like '00:00:01.000 --> 00:00:04.000'",
        ),
        (
            error(b"{\"segments\": [\n  {\"text\": \"hi\" \"start\": 1}\n]}", "w.json"),
            "w.json:2:17: malformed JSON: expected `,` or `}`",
        ),
        (
            error(b"{\"segments\": [{\"start\": 1.0}]}", "w.json"),
            "w.json: unexpected JSON: segments[0] has no \"text\" string",
        ),
        (error(b"Interviewer: hi", "t.docx"), "t.docx: bad docx: not a zip archive"),
        (error(b"WEBVTT\n\nNOTE nothing here\n", "e.vtt"), "e.vtt: no transcript text found (read as vtt, but it holds no speech or notes)"),
    ];
    for (err, expected) in cases {
        assert_eq!(err.to_string(), expected);
        assert!(!expected.contains('\n'));
    }
}

#[test]
fn zip_that_is_not_a_word_document() {
    let mut bytes = fixture("interview-v06.docx");
    // Rename the part inside the archive (same length, so offsets stay valid).
    let name = b"word/document.xml";
    let other = b"word/documenX.xml";
    let mut i = 0;
    while i + name.len() <= bytes.len() {
        if &bytes[i..i + name.len()] == name {
            bytes[i..i + name.len()].copy_from_slice(other);
        }
        i += 1;
    }
    let err = error(&bytes, "v.docx");
    assert_eq!(
        err.to_string(),
        "v.docx: bad docx: zip archive without word/document.xml (not a Word document)"
    );
    let truncated = &fixture("interview-v06.docx")[..200];
    assert!(matches!(
        error(truncated, "v.docx"),
        ImportError::BadDocx { .. }
    ));
}

const FIXTURES: [&str; 17] = [
    "interview-lw7.txt",
    "focus-group-cp1252.txt",
    "interview-v02-utf16.txt",
    "classic-mac-cr.txt",
    "interview-lw3.md",
    "zoom.vtt",
    "teams.vtt",
    "stream-captions.vtt",
    "whisperx.srt",
    "whisper.json",
    "whisperx.json",
    "otter.txt",
    "rev.txt",
    "interview-v06.docx",
    "teams-transcript.docx",
    "interview-lw11.docx",
    "interview-v09.md",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = import_bytes(&bytes, "any.bin", &ImportOptions::default());
        let _ = import_bytes(&bytes, "any.docx", &ImportOptions::default());
    }

    #[test]
    fn never_panics_on_damaged_fixtures(
        which in 0..FIXTURES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = fixture(FIXTURES[which]);
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        if let Ok(t) = import_bytes(&bytes, FIXTURES[which], &ImportOptions::default()) {
            assert_canonical(&t);
        }
    }

    #[test]
    fn generated_cue_files_import_cleanly(
        vtt in any::<bool>(),
        cues in proptest::collection::vec(
            (
                proptest::option::of("[0-9a-f-]{1,12}(/[0-9]-[0-9])?"),
                0u32..7200,
                0u32..1000,
                proptest::collection::vec(
                    "(<v [A-Z][a-z]{1,5}>|\\[SPEAKER_0[0-2]\\]: |[A-Z][a-z]{1,5}: |Monday: |&amp;|&#226;|<i>|</v>| |[a-z]{1,8}|[.?!,])+",
                    1..3,
                ),
            ),
            0..12,
        ),
    ) {
        let mut text = String::from(if vtt { "WEBVTT\n\n" } else { "" });
        for (id, secs, ms, payload) in &cues {
            if let Some(id) = id {
                text.push_str(id);
                text.push('\n');
            }
            let sep = if vtt { '.' } else { ',' };
            let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            text.push_str(&format!("{h:02}:{m:02}:{s:02}{sep}{ms:03} --> {h:02}:{m:02}:{s:02}{sep}999\n"));
            for line in payload {
                text.push_str(line);
                text.push('\n');
            }
            text.push('\n');
        }
        match import_bytes(text.as_bytes(), if vtt { "g.vtt" } else { "g.srt" }, &ImportOptions::default()) {
            Ok(t) => {
                assert_canonical(&t);
                // Turns come out in time order.
                let times: Vec<&String> = t.turns.iter().filter_map(|t| t.timestamp.as_ref()).collect();
                let mut sorted = times.clone();
                sorted.sort_by_key(|ts| ts.split(':').map(|p| p.parse::<u64>().unwrap_or(0)).fold(0, |a, p| a * 60 + p));
                prop_assert_eq!(times, sorted);
            }
            Err(ImportError::Empty { .. } | ImportError::NoText { .. } | ImportError::MalformedCue { .. } | ImportError::UnknownFormat { .. }) => {}
            Err(e) => prop_assert!(false, "unexpected error {}", e),
        }
    }

    #[test]
    fn never_panics_on_text_with_cue_headers(
        body in "(\\PC|\n|-->|<v |</v>|&#[0-9]{1,7};|[0-9:.,]{1,14}|\\[SPEAKER_0[0-9]\\]: |[A-Z][a-z]{0,6}: |NOTE|\\*\\*){0,60}",
        header in prop_oneof![Just("WEBVTT\n\n"), Just("1\n00:00:01,000 --> 00:00:02,000\n"), Just("{\"segments\": ["), Just("---\n"), Just("")],
    ) {
        let text = format!("{header}{body}");
        for name in ["t.vtt", "t.srt", "t.txt", "t.md", "t.json"] {
            if let Ok(t) = import_bytes(text.as_bytes(), name, &ImportOptions::default()) {
                assert_canonical(&t);
            }
        }
        let declared = ImportOptions { speakers: Some(vec!["Ann".into(), "Bo".into()]) };
        let _ = import_bytes(text.as_bytes(), "t.txt", &declared);
    }
}
