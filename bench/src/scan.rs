//! The linear-scan baseline: answering a search by reading every turn and every segment of the
//! study in memory, with no index at all — what a tool without retrieval structures does.
//!
//! Words match whole and case-insensitively (no stemming). It reads the study; it writes nothing.

use std::sync::Arc;

use thema::model::Transcript;
use thema::study::Study;

use crate::queries::ScanQuery;

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanResult {
    /// Turns and segments matching.
    pub total: usize,
    /// The first `limit` of them: transcript id and code-point offset.
    pub hits: Vec<(String, usize)>,
}

/// Whether `text` holds every phrase and, when `any` is not empty, one of its words.
pub fn text_matches(text: &str, phrases: &[Vec<String>], any: &[String]) -> bool {
    if phrases.is_empty() && any.is_empty() {
        return true;
    }
    let mut found = vec![false; phrases.len()];
    let mut progress = vec![0usize; phrases.len()];
    let mut any_found = any.is_empty();
    for token in text.split(|c: char| !c.is_alphanumeric()) {
        if token.is_empty() {
            continue;
        }
        for (i, phrase) in phrases.iter().enumerate() {
            if found[i] || phrase.is_empty() {
                continue;
            }
            if token.eq_ignore_ascii_case(&phrase[progress[i]]) {
                progress[i] += 1;
            } else {
                progress[i] = usize::from(token.eq_ignore_ascii_case(&phrase[0]));
            }
            if progress[i] == phrase.len() {
                found[i] = true;
            }
        }
        if !any_found && any.iter().any(|w| token.eq_ignore_ascii_case(w)) {
            any_found = true;
        }
        if any_found && found.iter().all(|f| *f) {
            return true;
        }
    }
    false
}

/// Every turn and segment matching `query`, counted, with the first `limit` kept. `texts` are
/// the study's transcripts, read beforehand and sorted by id (the scan works in memory).
pub fn scan(
    study: &Study,
    texts: &[Arc<Transcript>],
    query: &ScanQuery,
    limit: usize,
) -> ScanResult {
    let find = |id: &str| {
        texts
            .binary_search_by(|t| t.id.as_str().cmp(id))
            .ok()
            .map(|i| &texts[i])
    };
    let mut out = ScanResult::default();
    let mut keep = |transcript: &str, start: usize| {
        out.total += 1;
        if out.hits.len() < limit {
            out.hits.push((transcript.to_string(), start));
        }
    };
    let attribute_ok = |transcript: &str| {
        query
            .attribute
            .as_ref()
            .is_none_or(|(k, v)| study.attributes.matches(transcript, k, v))
    };
    if query.codes.is_none() {
        for t in texts {
            if !attribute_ok(&t.id) {
                continue;
            }
            for turn in &t.turns {
                if query
                    .speaker
                    .as_ref()
                    .is_some_and(|s| turn.speaker.as_deref() != Some(s.as_str()))
                {
                    continue;
                }
                if text_matches(t.body(turn), &query.phrases, &query.any) {
                    keep(&t.id, turn.body_start);
                }
            }
        }
    }
    for (_, segments) in study.layers().unwrap_or_default() {
        for s in segments {
            if query.codes.as_ref().is_some_and(|c| !c.contains(&s.code)) {
                continue;
            }
            if !attribute_ok(&s.transcript) {
                continue;
            }
            if let Some(speaker) = &query.speaker {
                let said = find(&s.transcript)
                    .and_then(|t| t.turn_at(s.start))
                    .and_then(|turn| turn.speaker.as_deref());
                if said != Some(speaker.as_str()) {
                    continue;
                }
            }
            if text_matches(&s.quote, &query.phrases, &query.any) {
                keep(&s.transcript, s.start);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[&str]) -> Vec<String> {
        ws.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn words_phrases_and_alternatives() {
        let text = "The bus stop, by the Bus station? Don’t know.";
        assert!(text_matches(text, &[words(&["bus"])], &[]));
        assert!(text_matches(text, &[words(&["bus", "station"])], &[]));
        assert!(!text_matches(text, &[words(&["stop", "bus"])], &[]));
        assert!(text_matches(text, &[], &words(&["taxi", "station"])));
        assert!(!text_matches(text, &[words(&["bus"])], &words(&["taxi"])));
        assert!(text_matches(text, &[words(&["don"])], &[]));
        assert!(!text_matches(text, &[words(&["bu"])], &[]));
    }
}
