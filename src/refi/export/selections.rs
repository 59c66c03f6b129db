//! Coded segments as REFI-QDA selections.
//!
//! A selection is one coder's segments on one span with one comment, holding one `Coding` per
//! code, the coder on both. Segments imported from a selection keep it: those with the same
//! `refi_selection` GUID are written as that selection again under that GUID (NVivo writes one
//! selection per coding, ATLAS.ti one per span), segments coded in thema are grouped by span.
//! Segments that cannot be placed (no transcript, no code, unanchored) are left out and counted.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::Segment;
use crate::refi::export::data::StudyData;
use crate::refi::export::values::xs_datetime;
use crate::refi::guid::{normalise_guid, GuidSpace};
use crate::refi::import::SELECTION_FIELD;

/// One exported selection.
pub(super) struct Selection<'a> {
    /// The coder.
    pub coder: &'a str,
    /// Canonical start (code points).
    pub start: usize,
    /// Canonical end (code points).
    pub end: usize,
    /// The segment comment (`Description`).
    pub memo: Option<&'a str>,
    /// Its GUID.
    pub guid: String,
    /// Its segments, one coding each.
    pub segments: Vec<&'a Segment>,
}

/// The selections of an export, by transcript, and what was left out.
pub(super) struct Selections<'a> {
    /// Selections by transcript id, in order of position.
    pub by_transcript: BTreeMap<&'a str, Vec<Selection<'a>>>,
    /// Coders with a layer (each is a user, even one whose segments were all left out).
    pub coders: BTreeSet<&'a str>,
    /// Lines for the export report.
    pub skipped: Vec<String>,
}

impl Selections<'_> {
    /// The GUID of the selection holding segment `id`.
    pub fn of_segment(&self, id: &str) -> Option<&str> {
        self.by_transcript.values().flatten().find_map(|s| {
            s.segments
                .iter()
                .any(|seg| seg.id == id)
                .then_some(s.guid.as_str())
        })
    }
}

/// The GUID of a coding: kept from an import (`coder-<guid>`), else derived from the segment id.
pub(super) fn coding_guid(space: &GuidSpace, segment_id: &str) -> String {
    let kept = segment_id
        .len()
        .checked_sub(36)
        .and_then(|cut| segment_id.get(cut..))
        .and_then(normalise_guid);
    kept.unwrap_or_else(|| space.derived("segment", segment_id))
}

/// A selection name: the start of the quote, as ATLAS.ti and QualCoder write it.
pub(super) fn excerpt(quote: &str) -> String {
    const MAX: usize = 100;
    if quote.chars().count() <= MAX {
        return quote.to_string();
    }
    let mut cut: String = quote.chars().take(MAX).collect();
    cut.push('…');
    cut
}

/// The selection GUID an imported segment keeps.
fn kept_selection(segment: &Segment) -> Option<String> {
    segment
        .extra
        .get(SELECTION_FIELD)
        .and_then(|v| v.as_str())
        .and_then(normalise_guid)
}

/// Groups every segment that can be exported into selections.
pub(super) fn plan<'a>(data: &'a StudyData<'a>) -> Selections<'a> {
    type Key<'k> = (&'k str, usize, usize, &'k str, &'k str, String);
    let mut groups: BTreeMap<Key<'a>, Vec<&'a Segment>> = BTreeMap::new();
    let mut coders = BTreeSet::new();
    let (mut unanchored, mut orphans, mut unknown_codes, mut starred, mut undated) =
        (0, 0, 0, 0, 0);
    for &(coder, segments) in &data.codings {
        coders.insert(coder);
        for segment in segments {
            let Some(transcript) = data.transcript(&segment.transcript) else {
                orphans += 1;
                continue;
            };
            if segment.is_unanchored()
                || segment.start >= segment.end
                || segment.end > transcript.len_chars()
            {
                unanchored += 1;
                continue;
            }
            if data.code(&segment.code).is_none() {
                unknown_codes += 1;
                continue;
            }
            starred += usize::from(segment.starred);
            undated += usize::from(xs_datetime(&segment.at).is_none());
            let key = (
                transcript.id.as_str(),
                segment.start,
                segment.end,
                coder,
                segment.memo.as_deref().unwrap_or(""),
                kept_selection(segment).unwrap_or_default(),
            );
            groups.entry(key).or_default().push(segment);
        }
    }
    let mut skipped = Vec::new();
    for (count, what) in [
        (
            unanchored,
            "unanchored segments (their quote is no longer in the transcript; run `thema check`)",
        ),
        (orphans, "segments of transcripts that do not exist"),
        (unknown_codes, "segments whose code no codebook defines"),
    ] {
        if count > 0 {
            skipped.push(format!("{count} {what} were left out"));
        }
    }
    if undated > 0 {
        skipped.push(format!(
            "{undated} segments have no readable time ('at' is not RFC 3339): their codings carry no creationDateTime"
        ));
    }
    if starred > 0 {
        skipped.push(format!(
            "{starred} starred marks: REFI-QDA has no place for them (the segments were exported)"
        ));
    }
    let mut used = BTreeSet::new();
    let mut by_transcript: BTreeMap<&str, Vec<Selection<'_>>> = BTreeMap::new();
    for ((transcript, start, end, coder, memo, kept), mut segments) in groups {
        // by GUID, which an import keeps, so a re-export of an import orders them the same
        segments.sort_by_cached_key(|s| (data.code_guid(&s.code), coding_guid(&data.space, &s.id)));
        let mut guid = if kept.is_empty() || used.contains(&kept) {
            let base = format!(
                "{coder}\u{1f}{transcript}\u{1f}{start}\u{1f}{end}\u{1f}{memo}{}",
                if kept.is_empty() {
                    String::new()
                } else {
                    format!("\u{1f}{kept}")
                }
            );
            data.space.derived("selection", &base)
        } else {
            kept.clone()
        };
        let mut n = 1;
        while used.contains(&guid) {
            n += 1;
            guid = data.space.derived(
                "selection",
                &format!("{coder}\u{1f}{transcript}\u{1f}{start}\u{1f}{end}\u{1f}{memo}#{n}"),
            );
        }
        used.insert(guid.clone());
        by_transcript
            .entry(transcript)
            .or_default()
            .push(Selection {
                coder,
                start,
                end,
                memo: (!memo.trim().is_empty()).then_some(memo),
                guid,
                segments,
            });
    }
    Selections {
        by_transcript,
        coders,
        skipped,
    }
}
