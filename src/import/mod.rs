//! Transcript importers: every source format researchers bring (plain text, Markdown, Zoom /
//! Teams / generic WebVTT, SRT, Whisper / WhisperX / whisper.cpp JSON, Otter and Rev exports, Word
//! `.docx`) becomes a list of speaker turns for the canonical transcript (`[hh:mm:ss] SPEAKER:
//! text`, one turn per paragraph). Works on bytes in memory: it reads no files and writes none.
//!
//! Pipeline: detect binary and zip files → decode (`encoding`) → pick the format from the content
//! (the file name only tells Markdown from plain text and names errors) → parse into units → merge
//! into turns (`turns`). Output guarantees: a turn's text is trimmed and never holds a blank line;
//! consecutive units of one speaker form one turn with the first unit's timestamp; speaker labels
//! hold no `:` or line break and at most 40 characters; notes such as `[laughs]` stay in the text;
//! header blocks, headings, tables, end-of-recording markers and transcriber's notes become note
//! turns (speaker `None`). How labels are told from speech (`Monday:`) and notes from turns is
//! documented in `labels` and `text`.

mod cues;
mod docx;
mod emphasis;
mod encoding;
mod entities;
mod labels;
mod notes;
mod otter_rev;
mod srt;
mod text;
mod timestamp;
mod turns;
mod vtt;
mod whisper;

use std::fmt;

/// Choices the researcher makes when importing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// `--speakers A,B`: the speaker labels of a typed transcript (or `Name:` cue prefixes); when
    /// given, only these labels start turns (matched case-insensitively, reported as declared).
    pub speakers: Option<Vec<String>>,
}

/// The source format an import was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// Plain text with or without speaker labels.
    PlainText,
    /// Markdown (front matter, headings, `**Name:**` labels).
    Markdown,
    /// WebVTT with `Name: text` cues (Zoom cloud recording transcript).
    ZoomVtt,
    /// WebVTT with `<v Name>` voice spans (Microsoft Teams).
    TeamsVtt,
    /// WebVTT without speakers or with `[SPEAKER_00]:` prefixes (Stream, Whisper, WhisperX).
    WebVtt,
    /// SubRip subtitles.
    Srt,
    /// openai-whisper / OpenAI API JSON (no speakers).
    WhisperJson,
    /// WhisperX JSON (segments with `speaker`).
    WhisperXJson,
    /// whisper.cpp `-oj` JSON (`transcription` list).
    WhisperCppJson,
    /// Otter.ai text export, or a Teams Word transcript (`Name   0:03` header lines).
    Otter,
    /// Rev text export (`Name (00:03):` header lines) or Rev.ai text columns.
    Rev,
    /// Word document (`.docx`).
    Docx,
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceFormat::PlainText => "txt",
            SourceFormat::Markdown => "md",
            SourceFormat::ZoomVtt => "zoom-vtt",
            SourceFormat::TeamsVtt => "teams-vtt",
            SourceFormat::WebVtt => "vtt",
            SourceFormat::Srt => "srt",
            SourceFormat::WhisperJson => "whisper-json",
            SourceFormat::WhisperXJson => "whisperx-json",
            SourceFormat::WhisperCppJson => "whisper.cpp-json",
            SourceFormat::Otter => "otter",
            SourceFormat::Rev => "rev",
            SourceFormat::Docx => "docx",
        })
    }
}

/// A transcript read from a source file, ready for the canonical transcript writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTranscript {
    /// The format the file was read as.
    pub format: SourceFormat,
    /// Speaker turns and notes, in order.
    pub turns: Vec<ImportedTurn>,
    /// The text encoding found: `"UTF-8"`, `"UTF-8 (BOM)"`, `"UTF-16LE"`, `"UTF-16BE"`,
    /// `"windows-1252"` (Word files report `"UTF-8"`).
    pub encoding: &'static str,
}

/// One speaker turn (or a note when `speaker` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTurn {
    /// The speaker label; `None` for notes, narrative and undiarised speech.
    pub speaker: Option<String>,
    /// Start time as `hh:mm:ss`, when the source gives one.
    pub timestamp: Option<String>,
    /// The text: trimmed, line breaks allowed, never a blank line.
    pub text: String,
}

/// Why a file could not be imported. Every message names the file and says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Zero bytes, or only whitespace.
    #[error("{file}: empty file")]
    Empty {
        /// The file name.
        file: String,
    },
    /// The file parsed but held no speech or notes.
    #[error("{file}: no transcript text found ({what})")]
    NoText {
        /// The file name.
        file: String,
        /// What was found instead.
        what: String,
    },
    /// Not text at all (NUL bytes, control characters, a PDF, audio).
    #[error("{file}: binary file ({kind}), not a transcript")]
    Binary {
        /// The file name.
        file: String,
        /// What kind of binary it seems to be.
        kind: String,
    },
    /// Text or data in a format thema does not import.
    #[error("{file}: unknown format: {reason}")]
    UnknownFormat {
        /// The file name.
        file: String,
        /// What the content looked like.
        reason: String,
    },
    /// Bytes that are not valid in the encoding they claim or in any encoding tried.
    #[error("{file}: undecodable bytes: {reason}")]
    Undecodable {
        /// The file name.
        file: String,
        /// Which bytes and why.
        reason: String,
    },
    /// A WebVTT/SRT cue that cannot be read.
    #[error("{file}:{line}: malformed cue: {reason}")]
    MalformedCue {
        /// The file name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What was expected.
        reason: String,
    },
    /// JSON that does not parse.
    #[error("{file}:{line}:{column}: malformed JSON: {reason}")]
    MalformedJson {
        /// The file name.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        reason: String,
    },
    /// JSON that parses but lacks what a Whisper transcript holds.
    #[error("{file}: unexpected JSON: {reason}")]
    UnexpectedJson {
        /// The file name.
        file: String,
        /// Where and what was missing.
        reason: String,
    },
    /// A `.docx` that cannot be read.
    #[error("{file}: bad docx: {reason}")]
    BadDocx {
        /// The file name.
        file: String,
        /// What was wrong.
        reason: String,
    },
}

/// Lower-case extension of a file name, without the dot.
fn extension(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    base.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Refuses well-known binary and document formats with a helpful message.
fn refuse_known_binary(bytes: &[u8], file: &str) -> Result<(), ImportError> {
    let binary = |kind: &str| {
        Err(ImportError::Binary {
            file: file.to_string(),
            kind: kind.to_string(),
        })
    };
    if bytes.starts_with(b"%PDF") {
        return binary("PDF document; export it as .docx or .txt");
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return binary("legacy Word .doc or other OLE file; save it as .docx");
    }
    if bytes.starts_with(b"ID3")
        || bytes.starts_with(b"OggS")
        || bytes.starts_with(b"fLaC")
        || bytes.starts_with(b"RIFF")
        || bytes.get(4..8) == Some(b"ftyp")
    {
        return binary("audio or video; import its transcript instead");
    }
    if bytes.starts_with(b"{\\rtf") {
        return Err(ImportError::UnknownFormat {
            file: file.to_string(),
            reason: "RTF document; save it as .docx or .txt".to_string(),
        });
    }
    Ok(())
}

/// Whether text looks like Markdown: front matter, headings or bold speaker labels.
fn looks_like_markdown(text: &str) -> bool {
    let lines = text.lines().map(str::trim);
    if lines.clone().find(|l| !l.is_empty()) == Some("---") {
        return true;
    }
    let marked = lines
        .filter(|l| {
            (l.starts_with("**") && l[2..].contains("**"))
                || l.starts_with("# ")
                || l.starts_with("## ")
        })
        .count();
    marked >= 2
}

/// Parses decoded text, choosing the format from its content.
fn parse_text(
    text: &str,
    file_name: &str,
    opts: &ImportOptions,
) -> Result<(SourceFormat, Vec<ImportedTurn>), ImportError> {
    let ext = extension(file_name);
    if vtt::looks_like(text) {
        return vtt::parse(text, file_name, opts);
    }
    if whisper::looks_like(text) {
        return whisper::parse(text, file_name);
    }
    if srt::looks_like(text) {
        return Ok((SourceFormat::Srt, srt::parse(text, file_name, opts)?));
    }
    if let Some(expected) = match ext.as_str() {
        "vtt" => Some("a WEBVTT header"),
        "srt" => Some("numbered cues with 'hh:mm:ss,mmm --> hh:mm:ss,mmm' timing lines"),
        "json" => Some("a JSON object"),
        "docx" => Some("a zip archive"),
        _ => None,
    } {
        return Err(ImportError::UnknownFormat {
            file: file_name.to_string(),
            reason: format!("named .{ext} but the content does not start with {expected}"),
        });
    }
    if let Some(format) = otter_rev::detect(text) {
        return Ok((format, otter_rev::parse(text)));
    }
    let markdown =
        matches!(ext.as_str(), "md" | "markdown" | "mdown" | "mkd") || looks_like_markdown(text);
    let format = if markdown {
        SourceFormat::Markdown
    } else {
        SourceFormat::PlainText
    };
    Ok((format, text::parse(text, markdown, opts)))
}

/// Imports a transcript from the bytes of file `file_name` (the name is used in errors and to
/// tell Markdown from plain text; the format is detected from the content).
pub fn import_bytes(
    bytes: &[u8],
    file_name: &str,
    opts: &ImportOptions,
) -> Result<ImportedTranscript, ImportError> {
    let empty = || ImportError::Empty {
        file: file_name.to_string(),
    };
    if bytes.is_empty() {
        return Err(empty());
    }
    let (format, turns, encoding) = if docx::is_zip(bytes) {
        let paragraphs = docx::extract(bytes, file_name)?;
        let text = docx::plain_text(&paragraphs);
        let turns = match otter_rev::detect(&text) {
            Some(_) => otter_rev::parse(&text),
            None => text::parse_styled(paragraphs, opts),
        };
        (SourceFormat::Docx, turns, "UTF-8")
    } else {
        if extension(file_name) == "docx" {
            return Err(ImportError::BadDocx {
                file: file_name.to_string(),
                reason: "not a zip archive".to_string(),
            });
        }
        refuse_known_binary(bytes, file_name)?;
        let decoded = encoding::decode(bytes, file_name)?;
        if decoded.text.trim().is_empty() {
            return Err(empty());
        }
        let (format, turns) = parse_text(&decoded.text, file_name, opts)?;
        (format, turns, decoded.encoding)
    };
    if turns.is_empty() {
        return Err(ImportError::NoText {
            file: file_name.to_string(),
            what: format!("read as {format}, but it holds no speech or notes"),
        });
    }
    Ok(ImportedTranscript {
        format,
        turns,
        encoding,
    })
}

/// Detects the format of a file from its content (and, for Markdown, its name). Sub-formats
/// (Zoom vs Teams WebVTT, Whisper vs WhisperX) are told apart by parsing, so a file that fails to
/// import reports the same error here.
pub fn detect_format(bytes: &[u8], file_name: &str) -> Result<SourceFormat, ImportError> {
    import_bytes(bytes, file_name, &ImportOptions::default()).map(|t| t.format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(extension("a/b/LW07.Y1.TXT"), "txt");
        assert_eq!(extension("noext"), "");
        assert_eq!(extension("C:\\x\\t.vtt"), "vtt");
    }

    #[test]
    fn content_beats_extension() {
        let srt = b"1\n00:00:01,000 --> 00:00:02,000\nHello.\n";
        assert_eq!(detect_format(srt, "x.txt").unwrap(), SourceFormat::Srt);
        assert_eq!(
            detect_format(b"I: hi\nR: ho\n", "x.md").unwrap(),
            SourceFormat::Markdown
        );
        assert!(matches!(
            detect_format(b"I: hi\nR: ho\n", "x.vtt"),
            Err(ImportError::UnknownFormat { .. })
        ));
        assert!(matches!(
            detect_format(b"%PDF-1.7\n", "x.txt"),
            Err(ImportError::Binary { .. })
        ));
        assert!(matches!(
            detect_format(b"I: hi", "x.docx"),
            Err(ImportError::BadDocx { .. })
        ));
        assert!(matches!(
            detect_format(b"WEBVTT\n\n", "x.vtt"),
            Err(ImportError::NoText { .. })
        ));
    }
}
