//! A coded segment: one coder applied one code to a span of one transcript.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// Flag set on a segment whose quote could not be found again after its transcript changed.
pub const UNANCHORED: &str = "unanchored";

/// The field of a segment line naming the batch that coded it (see [`Segment::batch`]).
pub const BATCH_FIELD: &str = "batch";

/// One line of `codings/CODER.jsonl`.
///
/// Deserialised by hand (see [`SegmentVisitor`]): serde's `flatten`, which keeps the unknown
/// fields, would buffer every field of every line first and made loading a coder's layer
/// several times slower.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Stable id, unique across the study (`r1-7f3k2m9q`).
    pub id: String,
    /// Transcript id.
    pub transcript: String,
    /// Code-point offset where the span starts (inclusive).
    pub start: usize,
    /// Code-point offset where the span ends (exclusive).
    pub end: usize,
    /// Code id.
    pub code: String,
    /// The coded text, kept to re-anchor the span when the transcript changes.
    pub quote: String,
    /// When it was coded (RFC 3339).
    pub at: String,
    /// A short analytic note on this segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// Marked as a representative quote for reports.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub starred: bool,
    /// Set to [`UNANCHORED`] when the quote can no longer be placed in the transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// Fields written by other versions of thema, kept untouched.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Segment {
    /// A new segment of `coder`'s, with a fresh id: `code` applied to code points
    /// `start..end` of `transcript`, its quote taken from the text, made at `at`.
    pub fn new(
        coder: &str,
        transcript: &crate::model::Transcript,
        (start, end): (usize, usize),
        code: &str,
        at: String,
    ) -> Segment {
        Segment {
            id: crate::model::ids::new_segment_id(coder),
            transcript: transcript.id.clone(),
            start,
            end,
            code: code.to_string(),
            quote: transcript.slice(start, end).to_string(),
            at,
            memo: None,
            starred: false,
            flag: None,
            extra: Default::default(),
        }
    }

    /// Sort key of a coding file: transcript, start, end, code, then id.
    pub fn sort_key(&self) -> (&str, usize, usize, &str, &str) {
        (&self.transcript, self.start, self.end, &self.code, &self.id)
    }

    /// Whether the segment is flagged as no longer placed in its transcript.
    pub fn is_unanchored(&self) -> bool {
        self.flag.as_deref() == Some(UNANCHORED)
    }

    /// Length in code points.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span is empty.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The batch that coded this segment (`thema code --search|--speaker|--where|--from`),
    /// kept in the line as `"batch": ID` so `thema uncode --batch ID` finds it.
    pub fn batch(&self) -> Option<&str> {
        self.extra.get(BATCH_FIELD).and_then(|v| v.as_str())
    }

    /// Marks the segment as coded by a batch.
    pub fn set_batch(&mut self, batch: &str) {
        self.extra
            .insert(BATCH_FIELD.to_string(), serde_json::Value::from(batch));
    }

    /// Whether two spans share at least one character.
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        self.start < end && start < self.end
    }
}

/// The fields a segment line may hold; anything else is kept in `extra`.
enum Field {
    Id,
    Transcript,
    Start,
    End,
    Code,
    Quote,
    At,
    Memo,
    Starred,
    Flag,
    Other(String),
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Field, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
                Ok(match name {
                    "id" => Field::Id,
                    "transcript" => Field::Transcript,
                    "start" => Field::Start,
                    "end" => Field::End,
                    "code" => Field::Code,
                    "quote" => Field::Quote,
                    "at" => Field::At,
                    "memo" => Field::Memo,
                    "starred" => Field::Starred,
                    "flag" => Field::Flag,
                    other => Field::Other(other.to_string()),
                })
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

/// Reads one segment object field by field, refusing a repeated or missing field as the
/// derived implementation would.
struct SegmentVisitor;

/// Stores a field's value, refusing a second one.
fn once<T, E: de::Error>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

impl<'de> Visitor<'de> for SegmentVisitor {
    type Value = Segment;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a segment object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Segment, A::Error> {
        let (mut id, mut transcript, mut start, mut end) = (None, None, None, None);
        let (mut code, mut quote, mut at) = (None, None, None);
        let (mut memo, mut starred, mut flag) = (None, None, None);
        let mut extra = serde_json::Map::new();
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Id => once(&mut id, map.next_value()?, "id")?,
                Field::Transcript => once(&mut transcript, map.next_value()?, "transcript")?,
                Field::Start => once(&mut start, map.next_value()?, "start")?,
                Field::End => once(&mut end, map.next_value()?, "end")?,
                Field::Code => once(&mut code, map.next_value()?, "code")?,
                Field::Quote => once(&mut quote, map.next_value()?, "quote")?,
                Field::At => once(&mut at, map.next_value()?, "at")?,
                Field::Memo => once(&mut memo, map.next_value::<Option<String>>()?, "memo")?,
                Field::Starred => once(&mut starred, map.next_value()?, "starred")?,
                Field::Flag => once(&mut flag, map.next_value::<Option<String>>()?, "flag")?,
                Field::Other(name) => {
                    extra.insert(name, map.next_value()?);
                }
            }
        }
        let missing = de::Error::missing_field;
        Ok(Segment {
            id: id.ok_or_else(|| missing("id"))?,
            transcript: transcript.ok_or_else(|| missing("transcript"))?,
            start: start.ok_or_else(|| missing("start"))?,
            end: end.ok_or_else(|| missing("end"))?,
            code: code.ok_or_else(|| missing("code"))?,
            quote: quote.ok_or_else(|| missing("quote"))?,
            at: at.ok_or_else(|| missing("at"))?,
            memo: memo.flatten(),
            starred: starred.unwrap_or(false),
            flag: flag.flatten(),
            extra,
        })
    }
}

impl<'de> Deserialize<'de> for Segment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Segment, D::Error> {
        deserializer.deserialize_map(SegmentVisitor)
    }
}

/// Sorts segments in file order.
pub fn sort_segments(segments: &mut [Segment]) {
    segments.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}
