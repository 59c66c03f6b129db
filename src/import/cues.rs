//! What WebVTT and SRT share: blocks of cues (optional id, a `start --> end` timing line, payload
//! lines), payload markup (`<v Name>` voice spans, `<i>`/`<c.x>`/`<00:01.500>` tags, `{\an8}`,
//! character references), and turning cues into turns. Speakers come from voice spans or from a
//! `Name:` / `[SPEAKER_00]:` prefix; cues are ordered by start time. It does not know either
//! format's header (see `vtt` and `srt`).

use std::collections::BTreeMap;

use super::labels::{self, Once, Speakers};
use super::timestamp::{self, Millis};
use super::turns::{self, Join, Notes, Unit};
use super::{entities, ImportError, ImportOptions, ImportedTurn};

/// Which cue syntax the blocks follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// WebVTT: `NOTE`/`STYLE`/`REGION` blocks, free-form cue ids.
    WebVtt,
    /// SubRip: numeric indexes.
    Srt,
}

/// One cue: where it is, when it starts, its payload lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cue {
    /// 1-based line number of the timing line.
    pub line: usize,
    /// Start time.
    pub start: Millis,
    /// Payload lines, untouched.
    pub payload: Vec<String>,
}

/// How the speakers of a cue file are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpeakerStyle {
    /// `<v Name>` voice spans (Teams).
    Voice,
    /// `Name: text` prefixes; an unlabelled cue continues the previous speaker (Zoom, podcasts).
    Prefix,
    /// `[SPEAKER_00]: text`; an unlabelled cue has no speaker (WhisperX).
    BracketedPrefix,
    /// No speakers at all.
    None,
}

type Line<'a> = (usize, &'a str);

/// Splits text into blank-line-separated blocks of numbered lines.
fn blocks(text: &str) -> Vec<Vec<Line<'_>>> {
    let mut out: Vec<Vec<Line<'_>>> = Vec::new();
    let mut current: Vec<Line<'_>> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push((i + 1, line));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a line is a timing line (holds `-->`).
pub(crate) fn is_timing(line: &str) -> bool {
    line.contains("-->")
}

/// The start time of a timing line `start --> end [settings]`; `None` if either time is malformed.
pub(crate) fn timing_start(line: &str) -> Option<Millis> {
    let (left, right) = line.split_once("-->")?;
    let start = timestamp::parse_clock(left)?;
    timestamp::parse_clock(right.split_whitespace().next()?)?;
    Some(start)
}

fn id_like(line: &str, dialect: Dialect) -> bool {
    let line = line.trim();
    let digits = !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit());
    match dialect {
        Dialect::Srt => digits,
        Dialect::WebVtt => {
            digits || (line.len() >= 8 && !line.contains(char::is_whitespace) && line.contains('-'))
        }
    }
}

/// Parses the cue blocks of `text`. For WebVTT the first block is the `WEBVTT` header (cues that
/// follow it without a blank line are still read).
pub(crate) fn parse(text: &str, dialect: Dialect, file: &str) -> Result<Vec<Cue>, ImportError> {
    let malformed = |line: usize, reason: String| ImportError::MalformedCue {
        file: file.to_string(),
        line,
        reason,
    };
    let mut cues = Vec::new();
    for (index, block) in blocks(text).iter().enumerate() {
        let mut lines: &[Line<'_>] = block;
        if dialect == Dialect::WebVtt && index == 0 {
            // The `WEBVTT` line and header metadata; cues may follow without a blank line.
            let header = &lines[1..];
            let Some(k) = header.iter().position(|l| is_timing(l.1)) else {
                continue;
            };
            let from = if k >= 1 && id_like(header[k - 1].1, dialect) {
                k - 1
            } else {
                k
            };
            lines = &header[from..];
        }
        let first = lines[0].1.trim_start();
        if dialect == Dialect::WebVtt
            && ["NOTE", "STYLE", "REGION"].iter().any(|kw| {
                first == *kw
                    || first
                        .strip_prefix(kw)
                        .is_some_and(|r| r.starts_with([' ', '\t']))
            })
        {
            continue;
        }
        let timings: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| is_timing(l.1))
            .map(|(i, _)| i)
            .collect();
        match timings.first() {
            None => {
                return Err(malformed(
                    lines[0].0,
                    "expected a timing line like '00:00:01.000 --> 00:00:04.000'".to_string(),
                ))
            }
            Some(&k) if k > 1 => {
                return Err(malformed(
                    lines[0].0,
                    "expected a cue id followed by a timing line".to_string(),
                ))
            }
            Some(_) => {}
        }
        for (j, &k) in timings.iter().enumerate() {
            let (line_no, timing) = lines[k];
            let start = timing_start(timing).ok_or_else(|| {
                let shown: String = timing.trim().chars().take(60).collect();
                malformed(line_no, format!("bad timing line '{shown}'"))
            })?;
            let mut end = timings.get(j + 1).copied().unwrap_or(lines.len());
            if j + 1 < timings.len() && end > k + 1 && id_like(lines[end - 1].1, dialect) {
                end -= 1;
            }
            cues.push(Cue {
                line: line_no,
                start,
                payload: lines[k + 1..end].iter().map(|l| l.1.to_string()).collect(),
            });
        }
    }
    Ok(cues)
}

/// A run of payload text and the voice span it sits in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    voice: Option<String>,
    text: String,
}

/// Strips markup from a payload and splits it at voice spans. Lines are soft wraps.
fn pieces(payload: &[String]) -> Vec<Piece> {
    let joined = payload.join("\n");
    let mut out: Vec<Piece> = Vec::new();
    let mut voice: Option<String> = None;
    let mut text = String::new();
    let mut rest = joined.as_str();
    while let Some(pos) = rest.find(['<', '{']) {
        text.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        let (open, close) = if tail.starts_with('<') {
            ('<', '>')
        } else {
            ('{', '}')
        };
        let tag_end = tail.find(close);
        let is_ass = open == '{' && tail[1..].starts_with('\\');
        match tag_end {
            Some(end) if open == '<' || is_ass => {
                let tag = &tail[1..end];
                if let Some(name) = tag
                    .strip_prefix('v')
                    .filter(|r| r.starts_with([' ', '.', '\t']))
                {
                    // <v.loud Name> carries classes before the first space.
                    let name = name.split_once(char::is_whitespace).map_or("", |(_, n)| n);
                    if !text.trim().is_empty() || voice.is_some() {
                        out.push(Piece {
                            voice: voice.take(),
                            text: std::mem::take(&mut text),
                        });
                    }
                    text.clear();
                    voice = Some(entities::decode(name.trim()).into_owned());
                }
                rest = &tail[end + 1..];
            }
            _ => {
                text.push(open);
                rest = &tail[1..];
            }
        }
    }
    text.push_str(rest);
    if !text.trim().is_empty() || voice.is_some() {
        out.push(Piece { voice, text });
    }
    for piece in &mut out {
        piece.text = turns::clean_text(&entities::decode(&piece.text), Join::Spaces);
    }
    out
}

/// Turns cues into turns, working out where speakers are written.
pub(crate) fn to_turns(
    mut cues: Vec<Cue>,
    opts: &ImportOptions,
) -> (Vec<ImportedTurn>, SpeakerStyle) {
    cues.sort_by_key(|c| c.start);
    let timed: Vec<(Millis, Piece)> = cues
        .iter()
        .flat_map(|cue| {
            pieces(&cue.payload)
                .into_iter()
                .map(move |p| (cue.start, p))
        })
        .collect();
    let has_voice = timed.iter().any(|(_, p)| p.voice.is_some());
    let mut offered: BTreeMap<String, usize> = BTreeMap::new();
    for (_, piece) in timed.iter().filter(|(_, p)| p.voice.is_none()) {
        if let Some(c) = labels::candidate(&piece.text) {
            *offered.entry(c.label).or_default() += 1;
        }
    }
    let speakers = Speakers::choose(&offered, opts, Once::NameLike);
    // A prefix speaker must label a fair share of cues, or `So: …` twice would become a speaker.
    let mut labelled = 0usize;
    let mut bracketed = 0usize;
    for (_, piece) in timed.iter().filter(|(_, p)| p.voice.is_none()) {
        if let Some(c) =
            labels::candidate(&piece.text).filter(|c| speakers.resolve(&c.label).is_some())
        {
            labelled += 1;
            bracketed += usize::from(c.bracketed);
        }
    }
    let use_prefixes = labelled > 0 && (opts.speakers.is_some() || labelled * 5 >= timed.len());
    let style = if has_voice {
        SpeakerStyle::Voice
    } else if use_prefixes && bracketed * 2 > labelled {
        SpeakerStyle::BracketedPrefix
    } else if use_prefixes {
        SpeakerStyle::Prefix
    } else {
        SpeakerStyle::None
    };
    let mut previous: Option<String> = None;
    let mut units = Vec::with_capacity(timed.len());
    for (start, piece) in timed {
        let (speaker, text) = if let Some(voice) = piece.voice {
            (Some(voice), piece.text)
        } else {
            let prefixed = if use_prefixes {
                labels::candidate(&piece.text).and_then(|c| {
                    speakers
                        .resolve(&c.label)
                        .map(|name| (name, c.rest.to_string()))
                })
            } else {
                None
            };
            match prefixed {
                Some((name, rest)) => (Some(name), rest),
                None if style == SpeakerStyle::Prefix => (previous.clone(), piece.text),
                None => (None, piece.text),
            }
        };
        previous.clone_from(&speaker);
        units.push(Unit::new(speaker, Some(start), text));
    }
    (
        turns::assemble(units, Join::Spaces, Notes::JoinUnfinishedSentences),
        style,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(payload: &[&str]) -> Vec<(Option<String>, String)> {
        let owned: Vec<String> = payload.iter().map(|s| s.to_string()).collect();
        pieces(&owned)
            .into_iter()
            .map(|p| (p.voice, p.text))
            .collect()
    }

    #[test]
    fn markup_is_stripped_and_voices_split() {
        assert_eq!(
            texts(&["<v Pryce, Si&#226;n>Yes, that&amp;", "more</v>"]),
            vec![(
                Some("Pryce, Siân".to_string()),
                "Yes, that& more".to_string()
            )]
        );
        assert_eq!(
            texts(&[
                "<v.loud Ann>Hi</v>",
                "<v Bo>Hey <i>you</i> <00:01.500><c.blue>there</c>"
            ]),
            vec![
                (Some("Ann".to_string()), "Hi".to_string()),
                (Some("Bo".to_string()), "Hey you there".to_string())
            ]
        );
        assert_eq!(
            texts(&["{\\an8}a < b {ok}"]),
            vec![(None, "a < b {ok}".to_string())]
        );
    }

    #[test]
    fn timing_arrow_on_the_header_line_is_ignored() {
        assert_eq!(
            parse("WEBVTT --> x", Dialect::WebVtt, "t.vtt").unwrap(),
            vec![]
        );
        let cues = parse(
            "WEBVTT\nKind: captions\n7\n00:01.000 --> 00:02.000\nHi",
            Dialect::WebVtt,
            "t.vtt",
        )
        .unwrap();
        assert_eq!(
            (cues.len(), cues[0].start, cues[0].payload.clone()),
            (1, 1_000, vec!["Hi".to_string()])
        );
    }

    #[test]
    fn blocks_with_ids_and_missing_blank_lines() {
        let text =
            "1\n00:00:01,000 --> 00:00:02,000\nHello\n2\n00:00:03,000 --> 00:00:04,000\nthere\n";
        let cues = parse(text, Dialect::Srt, "f.srt").unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[0].payload, vec!["Hello"]);
        assert_eq!(cues[1].start, 3_000);
        let err = parse(
            "1\n00:00:0x,000 --> 00:00:02,000\nHi\n",
            Dialect::Srt,
            "f.srt",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.srt:2: malformed cue: bad timing line '00:00:0x,000 --> 00:00:02,000'"
        );
    }
}
