//! WebVTT transcripts: Zoom (`Name: text` cues, unlabelled cues continue the speaker), Teams
//! (`<v Name>` voice spans, `GUID/N-M` ids, wrapped and split utterances, entities in names,
//! unpadded `0:0:0.0` times), Stream/Whisper/generic captions without speakers (`NOTE` blocks,
//! `MM:SS.mmm`, class and timestamp tags). Only recognises the header and picks the sub-format;
//! cue parsing is shared with SRT in `cues`.

use super::cues::{self, Dialect, SpeakerStyle};
use super::{ImportError, ImportOptions, ImportedTurn, SourceFormat};

/// Whether the text starts with the `WEBVTT` signature (BOM already removed).
pub(crate) fn looks_like(text: &str) -> bool {
    let first = text
        .trim_start_matches(['\n', ' ', '\t'])
        .lines()
        .next()
        .unwrap_or("");
    first
        .strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// Parses a WebVTT file into turns and tells Zoom, Teams and generic WebVTT apart.
pub(crate) fn parse(
    text: &str,
    file: &str,
    opts: &ImportOptions,
) -> Result<(SourceFormat, Vec<ImportedTurn>), ImportError> {
    let cues = cues::parse(text, Dialect::WebVtt, file)?;
    let (turns, style) = cues::to_turns(cues, opts);
    let format = match style {
        SpeakerStyle::Voice => SourceFormat::TeamsVtt,
        SpeakerStyle::Prefix => SourceFormat::ZoomVtt,
        SpeakerStyle::BracketedPrefix | SpeakerStyle::None => SourceFormat::WebVtt,
    };
    Ok((format, turns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature() {
        assert!(looks_like("WEBVTT\n\n"));
        assert!(looks_like("\nWEBVTT - title\n"));
        assert!(!looks_like("WEBVTTX\n"));
        assert!(!looks_like("1\n00:00:01,000 --> 00:00:02,000\n"));
    }

    #[test]
    fn teams_unpadded_times_and_header_without_blank_line() {
        let text = "WEBVTT\n0:0:0.0 --> 0:0:5.320\n<v Ann>Hello there.</v>\n\n0:0:5.320 --> 0:0:6.0\n<v Bo>Hi.";
        let (format, turns) = parse(text, "t.vtt", &ImportOptions::default()).unwrap();
        assert_eq!(format, SourceFormat::TeamsVtt);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[1].timestamp.as_deref(), Some("00:00:05"));
    }

    #[test]
    fn zoom_speech_with_a_colon_is_not_a_speaker() {
        let text = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAnn Lee: Hi.\n\n\
                    2\n00:00:03.000 --> 00:00:04.000\nThe rule is: be kind.\n\n\
                    3\n00:00:05.000 --> 00:00:06.000\n🌻 Sam: Once only.\n";
        let (format, turns) = parse(text, "z.vtt", &ImportOptions::default()).unwrap();
        assert_eq!(format, SourceFormat::ZoomVtt);
        let got: Vec<_> = turns
            .iter()
            .map(|t| (t.speaker.as_deref(), t.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("Ann Lee"), "Hi. The rule is: be kind."),
                (Some("🌻 Sam"), "Once only.")
            ]
        );
    }

    #[test]
    fn text_outside_cues_is_malformed() {
        let err = parse("WEBVTT\n\nhello\n", "t.vtt", &ImportOptions::default()).unwrap_err();
        assert!(
            matches!(err, ImportError::MalformedCue { line: 3, .. }),
            "{err}"
        );
    }
}
