//! Whisper-family JSON: openai-whisper / OpenAI API `verbose_json` (`segments` with float `start`,
//! no speakers), WhisperX (`segments` with `speaker`; segments without one have no speaker) and
//! whisper.cpp `-oj` (`transcription` with `timestamps.from` / `offsets.from`). Segments become
//! turns; it never guesses speakers.

use serde_json::Value;

use super::timestamp::{self, Millis};
use super::turns::{self, Join, Notes, Unit};
use super::{ImportError, ImportedTurn, SourceFormat};

/// Whether the text looks like a JSON document (object, or array of objects).
pub(crate) fn looks_like(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('{')
        || t.strip_prefix('[')
            .is_some_and(|r| r.trim_start().starts_with(['{', ']']))
}

/// Parses Whisper-family JSON into turns and names the variant.
pub(crate) fn parse(
    text: &str,
    file: &str,
) -> Result<(SourceFormat, Vec<ImportedTurn>), ImportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ImportError::MalformedJson {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        reason: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string(),
    })?;
    let unexpected = |reason: String| ImportError::UnexpectedJson {
        file: file.to_string(),
        reason,
    };
    let (segments, key, cpp) = match &value {
        Value::Array(items) => (items, "", false),
        Value::Object(map) => match (map.get("segments"), map.get("transcription")) {
            (Some(Value::Array(items)), _) => (items, "segments", false),
            (_, Some(Value::Array(items))) => (items, "transcription", true),
            _ => {
                return Err(ImportError::UnknownFormat {
                    file: file.to_string(),
                    reason: "JSON without a \"segments\" or \"transcription\" list (not a Whisper transcript)"
                        .to_string(),
                })
            }
        },
        _ => {
            return Err(unexpected("top level is neither an object nor a list".to_string()));
        }
    };
    let mut units = Vec::with_capacity(segments.len());
    let mut any_speaker = false;
    for (i, segment) in segments.iter().enumerate() {
        let at = if key.is_empty() {
            format!("[{i}]")
        } else {
            format!("{key}[{i}]")
        };
        let Value::Object(seg) = segment else {
            return Err(unexpected(format!("{at} is not an object")));
        };
        let text = seg
            .get("text")
            .and_then(Value::as_str)
            .ok_or_else(|| unexpected(format!("{at} has no \"text\" string")))?;
        let start = if cpp {
            cpp_start(seg)
        } else {
            seg.get("start")
                .and_then(Value::as_f64)
                .and_then(timestamp::from_seconds)
        };
        let speaker = seg.get("speaker").and_then(|s| match s {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(format!("SPEAKER_{n}")),
            _ => None,
        });
        any_speaker |= speaker.is_some();
        units.push(Unit::new(speaker, start, text));
    }
    let format = if cpp {
        SourceFormat::WhisperCppJson
    } else if any_speaker || matches!(&value, Value::Object(m) if m.contains_key("word_segments")) {
        SourceFormat::WhisperXJson
    } else {
        SourceFormat::WhisperJson
    };
    Ok((
        format,
        turns::assemble(units, Join::Spaces, Notes::JoinUnfinishedSentences),
    ))
}

/// whisper.cpp start time: `offsets.from` (ms), else `timestamps.from` (`00:00:01,000`).
fn cpp_start(seg: &serde_json::Map<String, Value>) -> Option<Millis> {
    seg.get("offsets")
        .and_then(|o| o.get("from"))
        .and_then(Value::as_u64)
        .or_else(|| {
            seg.get("timestamps")?
                .get("from")?
                .as_str()
                .and_then(timestamp::parse_clock)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whisper_cpp() {
        let text = r#"{"result":{"language":"en"},"transcription":[
            {"timestamps":{"from":"00:00:00,000","to":"00:00:03,000"},"offsets":{"from":0,"to":3000},"text":" Hello."},
            {"timestamps":{"from":"00:01:05,500","to":"00:01:07,000"},"text":" Bye."}]}"#;
        let (format, turns) = parse(text, "c.json").unwrap();
        assert_eq!(format, SourceFormat::WhisperCppJson);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[1].timestamp.as_deref(), Some("00:01:05"));
        assert_eq!(turns[1].text, "Bye.");
    }

    #[test]
    fn json_errors() {
        let err = parse("{\"segments\": [\n  {\"text\": 1,}]}", "w.json").unwrap_err();
        assert!(
            matches!(err, ImportError::MalformedJson { line: 2, .. }),
            "{err}"
        );
        let err = parse("{\"segments\": [{\"start\": 1}]}", "w.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "w.json: unexpected JSON: segments[0] has no \"text\" string"
        );
        let err = parse("{\"foo\": 1}", "w.json").unwrap_err();
        assert!(matches!(err, ImportError::UnknownFormat { .. }));
    }
}
