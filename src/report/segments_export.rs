//! One row per segment, with every attribute and the time its turn is spoken in the recording,
//! for analysis in R or Python (CSV, JSON) or to read (a Markdown table).

use serde::Serialize;
use std::collections::BTreeMap;

use crate::report::layer::Layer;
use crate::report::themes::QuoteTimes;
use crate::study::{Study, StudyError};

/// One exported segment.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentRecord {
    /// Segment id.
    pub id: String,
    /// Coder.
    pub coder: String,
    /// Transcript id.
    pub transcript: String,
    /// Participant.
    pub participant: String,
    /// Code id.
    pub code: String,
    /// Code path.
    pub path: String,
    /// Top-level theme name.
    pub theme: String,
    /// Start (code points).
    pub start: usize,
    /// End (code points).
    pub end: usize,
    /// Turn number.
    pub turn: Option<usize>,
    /// Speaker.
    pub speaker: Option<String>,
    /// When its turn is spoken in the recording (`00:12:31`; `~00:12:31` when interpolated).
    pub time: Option<String>,
    /// The quote.
    pub quote: String,
    /// When coded.
    pub at: String,
    /// Starred.
    pub starred: bool,
    /// Segment memo.
    pub memo: String,
    /// Every attribute of the transcript.
    pub attributes: BTreeMap<String, String>,
}

/// Every segment of the layer.
pub fn records(study: &Study, layer: &Layer) -> Result<Vec<SegmentRecord>, StudyError> {
    let mut out = Vec::new();
    let mut times = QuoteTimes::default();
    for (coder, s) in layer.segments(study)? {
        if !study.in_scope(&s.code, &s.transcript) {
            continue; // outside its codebook's scope: `thema check` lists it
        }
        let transcript = study.find_transcript(&s.transcript)?;
        let turn = transcript.as_ref().and_then(|t| t.turn_at(s.start));
        let time = times.of(study, &s.transcript, s.start)?;
        out.push({
            SegmentRecord {
                id: s.id.clone(),
                coder: coder.to_string(),
                transcript: s.transcript.clone(),
                participant: study.attributes.participant(&s.transcript).to_string(),
                code: s.code.clone(),
                path: study.code_path(&s.code),
                theme: study
                    .codebook_of(&s.code)
                    .and_then(|b| b.theme_of(&s.code))
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                start: s.start,
                end: s.end,
                turn: turn.filter(|t| t.is_numbered()).map(|t| t.number),
                speaker: turn.and_then(|t| t.speaker.clone()),
                time,
                quote: s.quote.clone(),
                at: s.at.clone(),
                starred: s.starred,
                memo: s.memo.clone().unwrap_or_default(),
                attributes: study.attributes.row(&s.transcript),
            }
        });
    }
    Ok(out)
}

/// CSV rows (header first); attribute columns follow the fixed ones.
pub fn table(study: &Study, records: &[SegmentRecord]) -> Vec<Vec<String>> {
    let attrs: Vec<&String> = study
        .attributes
        .columns
        .iter()
        .filter(|c| *c != "transcript" && *c != "participant")
        .collect();
    let mut header: Vec<String> = [
        "id",
        "coder",
        "transcript",
        "participant",
        "code",
        "path",
        "theme",
        "start",
        "end",
        "turn",
        "speaker",
        "time",
        "quote",
        "at",
        "starred",
        "memo",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(attrs.iter().map(|a| a.to_string()));
    let mut rows = vec![header];
    for r in records {
        let mut row = vec![
            r.id.clone(),
            r.coder.clone(),
            r.transcript.clone(),
            r.participant.clone(),
            r.code.clone(),
            r.path.clone(),
            r.theme.clone(),
            r.start.to_string(),
            r.end.to_string(),
            r.turn.map(|t| t.to_string()).unwrap_or_default(),
            r.speaker.clone().unwrap_or_default(),
            r.time.clone().unwrap_or_default(),
            r.quote.clone(),
            r.at.clone(),
            r.starred.to_string(),
            r.memo.clone(),
        ];
        row.extend(
            attrs
                .iter()
                .map(|a| r.attributes.get(*a).cloned().unwrap_or_default()),
        );
        rows.push(row);
    }
    rows
}

/// The rows of [`table`] as a Markdown document: a title, the count and the layer, and one pipe
/// table (cells escaped, see `report::markdown`).
pub fn to_markdown(study_name: &str, layer: &str, rows: &[Vec<String>]) -> String {
    let segments = rows.len().saturating_sub(1);
    let noun = if segments == 1 { "segment" } else { "segments" };
    format!(
        "# Coded segments — {study_name}\n\n{segments} {noun} ({layer}).\n\n{}",
        crate::report::markdown::table(rows)
    )
}
