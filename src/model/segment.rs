//! A coded segment: one coder applied one code to a span of one transcript.

use serde::{Deserialize, Serialize};

/// Flag set on a segment whose quote could not be found again after its transcript changed.
pub const UNANCHORED: &str = "unanchored";

/// One line of `codings/CODER.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

    /// Whether two spans share at least one character.
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        self.start < end && start < self.end
    }
}

/// Sorts segments in file order.
pub fn sort_segments(segments: &mut [Segment]) {
    segments.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}
