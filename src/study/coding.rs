//! Coding: applying and removing codes in a coder's layer, retrieving segments, and keeping
//! segments anchored to transcripts that changed.

use std::collections::BTreeSet;

use crate::model::anchor::{reanchor, Anchor};
use crate::model::fingerprint::hash_bytes;
use crate::model::segment::UNANCHORED;
use crate::model::text::snap_to_graphemes;
use crate::model::{Segment, Transcript};
use crate::study::check::Problem;
use crate::study::coding_error::CodingError;
use crate::study::layer_file::LayerFile;
use crate::study::{atomic, files};
use crate::study::{Result, Study, StudyError};

/// Which text of a transcript to code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// Code points `[start, end)`.
    Range(usize, usize),
    /// The (unique) occurrence of this text.
    Quote(String),
    /// The speech of turn N (see [`crate::model::Turn::number`]), without the speaker label.
    Turn(usize),
}

/// Resolves a span to code points snapped to grapheme boundaries.
pub fn locate(transcript: &Transcript, span: &Span) -> Result<(usize, usize)> {
    let (start, end) = match span {
        Span::Range(start, end) => {
            let len = transcript.len_chars();
            if start >= end || *end > len {
                return Err(CodingError::OutOfRange {
                    transcript: transcript.id.clone(),
                    start: *start,
                    end: *end,
                    len,
                }
                .into());
            }
            (*start, *end)
        }
        Span::Quote(quote) => {
            let quote = quote.trim();
            if quote.is_empty() {
                return Err(CodingError::EmptyQuote.into());
            }
            // as written first; else as a reader compares (case, typographic quotes and
            // dashes, spacing)
            let text = &transcript.text;
            let exact: Vec<(usize, usize)> = text
                .match_indices(quote)
                .map(|(b, m)| (b, b + m.len()))
                .collect();
            let found = if exact.is_empty() {
                crate::model::loose::Loose::new(text).find_all(quote, text)
            } else {
                exact
            };
            let (a, b) = match found.as_slice() {
                [one] => *one,
                [] => {
                    return Err(CodingError::QuoteNotFound {
                        transcript: transcript.id.clone(),
                        quote: shorten(quote, 60),
                    }
                    .into())
                }
                _ => {
                    return Err(CodingError::QuoteAmbiguous {
                        transcript: transcript.id.clone(),
                        quote: shorten(quote, 60),
                        times: found.len(),
                    }
                    .into())
                }
            };
            (
                transcript.index.char_of(text, a),
                transcript.index.char_of(text, b),
            )
        }
        Span::Turn(n) => {
            let turn = transcript.numbered(*n).ok_or_else(|| CodingError::NoTurn {
                transcript: transcript.id.clone(),
                turn: *n,
                turns: transcript.turn_count(),
            })?;
            if turn.body_start >= turn.end {
                return Err(CodingError::EmptyTurn {
                    transcript: transcript.id.clone(),
                    turn: *n,
                }
                .into());
            }
            (turn.body_start, turn.end)
        }
    };
    let text = &transcript.text;
    let (a, b) = (
        transcript.index.byte_of(text, start),
        transcript.index.byte_of(text, end),
    );
    let (a, b) = snap_to_graphemes(text, a, b);
    Ok((
        transcript.index.char_of(text, a),
        transcript.index.char_of(text, b),
    ))
}

/// Shortens text for messages.
pub fn shorten(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// The current time as RFC 3339 in UTC, seconds precision.
pub fn now() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    now.format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

impl Study {
    /// Applies `code` to a span of a transcript as `coder`, saves the coder's layer, and returns
    /// the new segment. Coding the same span with the same code twice is refused.
    pub fn apply_code(
        &mut self,
        coder: &str,
        transcript: &str,
        span: &Span,
        code: &str,
    ) -> Result<Segment> {
        self.lock(coder)?;
        let t = self.transcript(transcript)?;
        if self.code(code).is_none() {
            return Err(StudyError::NoCode {
                reference: code.to_string(),
                suggestions: Vec::new(),
            });
        }
        let (start, end) = locate(&t, span)?;
        let segment = Segment::new(coder, &t, (start, end), code, now());
        let path = self.code_path(code);
        let added = segment.clone();
        self.edit_layer(coder, &t.id, move |segments| {
            if segments
                .iter()
                .any(|s| s.start == start && s.end == end && s.code == added.code)
            {
                return Err(CodingError::AlreadyCoded {
                    coder: coder.to_string(),
                    transcript: added.transcript.clone(),
                    start,
                    end,
                    path,
                }
                .into());
            }
            segments.push(added);
            Ok(())
        })?;
        Ok(segment)
    }

    /// Puts back a segment exactly as it was (undo of an uncode).
    pub fn restore_segment(&mut self, coder: &str, segment: Segment) -> Result<()> {
        self.lock(coder)?;
        let transcript = segment.transcript.clone();
        self.edit_layer(coder, &transcript, move |segments| {
            if !segments.iter().any(|s| s.id == segment.id) {
                segments.push(segment);
            }
            Ok(())
        })
    }

    /// Removes a segment of `coder` by id and returns it.
    pub fn uncode(&mut self, coder: &str, id: &str) -> Result<Segment> {
        self.lock(coder)?;
        let Some(transcript) = self.transcript_of_segment(coder, id)? else {
            let owner = self.find_segment(id)?.map(|(c, _)| c.to_string());
            return Err(match owner {
                Some(owner) => CodingError::NotYours {
                    id: id.to_string(),
                    owner,
                },
                None => CodingError::NoSegment(id.to_string()),
            }
            .into());
        };
        self.edit_layer(coder, &transcript, |segments| {
            let pos = segments
                .iter()
                .position(|s| s.id == id)
                .ok_or_else(|| not_in_layer(coder, id))?;
            Ok(segments.remove(pos))
        })
    }

    /// Changes one segment of `coder` in place (memo, star, code) and saves.
    pub fn update_segment(
        &mut self,
        coder: &str,
        id: &str,
        change: impl FnOnce(&mut Segment),
    ) -> Result<Segment> {
        self.lock(coder)?;
        let transcript = self
            .transcript_of_segment(coder, id)?
            .ok_or_else(|| not_in_layer(coder, id))?;
        self.edit_layer(coder, &transcript, |segments| {
            let segment = segments
                .iter_mut()
                .find(|s| s.id == id)
                .ok_or_else(|| not_in_layer(coder, id))?;
            change(segment);
            Ok(segment.clone())
        })
    }

    /// The transcript of one of `coder`'s segments: from the layer in memory, else by a scan of
    /// the coder's file.
    fn transcript_of_segment(&self, coder: &str, id: &str) -> Result<Option<String>> {
        if let Some(segments) = self.loaded_layer(coder) {
            return Ok(segments
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.transcript.clone()));
        }
        let file = LayerFile::read(&files::codings_path(&self.root, coder))?;
        file.transcript_of_segment(id)
    }

    /// Changes the segments `coder` has in one transcript, then saves them (the lock must be
    /// held). When the layer is not in memory, only that transcript's lines are read, re-anchored
    /// and rewritten; the rest of the file is copied as it is. `edit` must leave the list as it
    /// was when it fails.
    pub(crate) fn edit_layer<R>(
        &mut self,
        coder: &str,
        transcript: &str,
        edit: impl FnOnce(&mut Vec<Segment>) -> Result<R>,
    ) -> Result<R> {
        if !self.holds_lock(coder) {
            return Err(StudyError::ReadOnly {
                coder: coder.to_string(),
            });
        }
        if self.loaded_layer(coder).is_none() {
            let path = files::codings_path(&self.root, coder);
            let file = LayerFile::read(&path)?;
            if file.is_sorted() {
                return self.edit_on_disk(coder, &file, transcript, edit);
            }
        }
        let layer = self.layer_mut(coder)?;
        let (mut mine, rest): (Vec<Segment>, Vec<Segment>) = std::mem::take(layer)
            .into_iter()
            .partition(|s| s.transcript == transcript);
        *layer = rest;
        let result = edit(&mut mine);
        layer.extend(mine);
        let result = result?;
        self.save_coder(coder)?;
        Ok(result)
    }

    /// [`Study::edit_layer`] on the file: one transcript's run of lines re-written in place.
    fn edit_on_disk<R>(
        &mut self,
        coder: &str,
        file: &LayerFile,
        transcript: &str,
        edit: impl FnOnce(&mut Vec<Segment>) -> Result<R>,
    ) -> Result<R> {
        let mut mine = file.segments(transcript)?;
        self.reanchor_layer(file, &mut mine)?;
        let result = edit(&mut mine)?;
        let (bytes, run) = file
            .with_transcript(transcript, &mine)?
            .ok_or_else(|| CodingError::NotInOrder(file.path().to_path_buf()))?;
        atomic::write_atomic(file.path(), &bytes)?;
        if !self.has_coder(coder) {
            self.forget_layer(coder);
        }
        if let Some(info) = self.transcript_info(transcript) {
            if !mine.iter().any(Segment::is_unanchored) {
                self.anchors.learn(hash_bytes(&bytes[run]), info.hash);
                self.anchors.save();
            }
        }
        Ok(result)
    }

    /// The coder and segment with this id (reading every layer not yet read).
    pub fn find_segment(&self, id: &str) -> Result<Option<(&str, &Segment)>> {
        for (coder, segments) in self.layers()? {
            if let Some(s) = segments.iter().find(|s| s.id == id) {
                return Ok(Some((coder, s)));
            }
        }
        Ok(None)
    }

    /// Segments matching a filter, in (coder, file) order (reading the layers it needs).
    pub fn select_segments(&self, filter: &SegmentFilter) -> Result<Vec<(&str, &Segment)>> {
        let mut out = Vec::new();
        for coder in self.coders() {
            if filter.coders.as_ref().is_some_and(|c| !c.contains(coder)) {
                continue;
            }
            for segment in self.layer(coder)? {
                if filter
                    .codes
                    .as_ref()
                    .is_some_and(|c| !c.contains(&segment.code))
                {
                    continue;
                }
                if filter
                    .transcript
                    .as_ref()
                    .is_some_and(|t| t != &segment.transcript)
                {
                    continue;
                }
                if !filter
                    .attributes
                    .iter()
                    .all(|(k, v)| self.attributes.matches(&segment.transcript, k, v))
                {
                    continue;
                }
                out.push((coder, segment));
            }
        }
        Ok(out)
    }
}

/// Which segments to retrieve.
#[derive(Debug, Clone, Default)]
pub struct SegmentFilter {
    /// Only these code ids (a code and its descendants, resolved by the caller).
    pub codes: Option<BTreeSet<String>>,
    /// Only these coders.
    pub coders: Option<BTreeSet<String>>,
    /// Only this transcript.
    pub transcript: Option<String>,
    /// Attribute equalities that must all hold.
    pub attributes: Vec<(String, String)>,
}

/// What re-anchoring did to one segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reanchored {
    /// Moved from the old range to a new one.
    Moved {
        /// Segment id.
        id: String,
        /// Old range.
        from: (usize, usize),
        /// New range.
        to: (usize, usize),
        /// Whether the quote matched only approximately.
        fuzzy: bool,
    },
    /// Could not be placed; kept and flagged.
    Lost {
        /// Segment id.
        id: String,
    },
    /// Its transcript no longer exists; kept as it is.
    Orphan {
        /// Segment id.
        id: String,
    },
}

/// Re-anchors one segment against its transcript, in place; `None` when it sits exactly.
pub fn reanchor_one(t: &Transcript, segment: &mut Segment) -> Option<Reanchored> {
    match reanchor(
        &t.text,
        &t.index,
        segment.start,
        segment.end,
        &segment.quote,
    ) {
        Anchor::Exact => {
            if segment.is_unanchored() {
                segment.flag = None;
            }
            None
        }
        Anchor::Moved { start, end, fuzzy } => {
            let what = Reanchored::Moved {
                id: segment.id.clone(),
                from: (segment.start, segment.end),
                to: (start, end),
                fuzzy,
            };
            segment.start = start;
            segment.end = end;
            if fuzzy {
                segment.quote = t.slice(start, end).to_string();
            }
            segment.flag = None;
            Some(what)
        }
        Anchor::Lost => {
            segment.flag = Some(UNANCHORED.to_string());
            Some(Reanchored::Lost {
                id: segment.id.clone(),
            })
        }
    }
}

/// Re-anchors segments of one layer against the transcripts (sorted by id), in place; returns
/// the 1-based position of each segment moved, lost or orphaned, with what happened.
pub fn reanchor_segments(
    transcripts: &[Transcript],
    segments: &mut [Segment],
) -> Vec<(usize, Reanchored)> {
    let mut out = Vec::new();
    for (line, segment) in segments.iter_mut().enumerate() {
        let Ok(pos) = transcripts.binary_search_by(|t| t.id.as_str().cmp(&segment.transcript))
        else {
            out.push((
                line + 1,
                Reanchored::Orphan {
                    id: segment.id.clone(),
                },
            ));
            continue;
        };
        if let Some(what) = reanchor_one(&transcripts[pos], segment) {
            out.push((line + 1, what));
        }
    }
    out
}

/// The notices (warnings at the segment's line of the coder's file) for what re-anchoring did.
pub fn notices(path: &std::path::Path, found: Vec<(usize, Reanchored)>) -> Vec<Problem> {
    found
        .into_iter()
        .map(|(line, what)| {
            let message = match what {
                Reanchored::Moved { id, from, to, fuzzy } => format!(
                    "segment {id} re-anchored from {}..{} to {}..{}{} (the transcript changed); saved on the coder's next change",
                    from.0,
                    from.1,
                    to.0,
                    to.1,
                    if fuzzy { " by approximate match" } else { "" }
                ),
                Reanchored::Lost { id } => format!(
                    "segment {id}: its quote is no longer in the transcript; kept and flagged unanchored (recode it, then uncode {id})"
                ),
                Reanchored::Orphan { id } => {
                    format!("segment {id}: its transcript does not exist; kept as it is")
                }
            };
            Problem::warning(path, line, message)
        })
        .collect()
}

/// A segment id the coder does not have.
fn not_in_layer(coder: &str, id: &str) -> StudyError {
    CodingError::NotInLayer {
        coder: coder.to_string(),
        id: id.to_string(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_by_quote_turn_and_range() {
        let t = Transcript::parse("x", "Interviewer: Why?\n\nLW7: Because the bus stopped.\n");
        assert_eq!(
            locate(&t, &Span::Quote("the bus".into())).unwrap(),
            (32, 39)
        );
        assert_eq!(t.slice(32, 39), "the bus");
        let (a, b) = locate(&t, &Span::Turn(2)).unwrap();
        assert_eq!(t.slice(a, b), "Because the bus stopped.");
        assert!(locate(&t, &Span::Range(5, 3)).is_err());
        assert!(
            locate(&t, &Span::Quote("e".into())).is_err(),
            "ambiguous quote"
        );
        assert!(locate(&t, &Span::Turn(9)).is_err());
        // a straight apostrophe finds the typographic one
        let t = Transcript::parse("y", "LW7: I don’t know — it’s a lot.\n");
        let (a, b) = locate(&t, &Span::Quote("don't know -- it's".into())).unwrap();
        assert_eq!(t.slice(a, b), "don’t know — it’s");
    }
}
