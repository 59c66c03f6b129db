//! Passages found in turns: every hit of a search widened to a context, every turn of a
//! speaker, every turn of the transcripts whose attributes match.

use std::sync::Arc;

use crate::autocode::{AutocodeError, Coding, Context};
use crate::index::{Index, TurnMatch};
use crate::model::{spans, Transcript, Turn};
use crate::study::Study;

/// Which transcripts a batch looks in: all conditions must hold.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Only this transcript.
    pub transcript: Option<String>,
    /// Attribute equalities (`role=volunteer`).
    pub attributes: Vec<(String, String)>,
}

impl Scope {
    /// Checks the scope against the study: the transcript exists, the columns exist.
    pub fn check(&mut self, study: &Study) -> Result<(), AutocodeError> {
        if let Some(t) = &self.transcript {
            let info = study
                .transcript_info(t)
                .ok_or_else(|| study.no_transcript(t))?;
            self.transcript = Some(info.id.clone());
        }
        for (column, _) in &self.attributes {
            study.require_column(column)?;
        }
        Ok(())
    }

    /// Whether a transcript is in scope.
    pub fn admits(&self, study: &Study, transcript: &str) -> bool {
        self.transcript.as_deref().is_none_or(|t| t == transcript)
            && self
                .attributes
                .iter()
                .all(|(k, v)| study.attributes.matches(transcript, k, v))
    }
}

/// The speech of a turn as bytes of the transcript's text.
fn body(t: &Transcript, turn: &Turn) -> std::ops::Range<usize> {
    t.index.byte_of(&t.text, turn.body_start)..t.index.byte_of(&t.text, turn.end)
}

/// A coding of bytes `[a, b)` of a transcript.
fn coding(t: &Transcript, (a, b): (usize, usize), code: &str) -> Coding {
    Coding {
        transcript: t.id.clone(),
        start: t.index.char_of(&t.text, a),
        end: t.index.char_of(&t.text, b),
        code: code.to_string(),
        memo: None,
    }
}

/// Every turn `query` matches in scope, each matched word widened to `context` (a turn matched
/// by fields alone, with no word, is coded whole). Passages may overlap; the batch merges them.
pub fn search(
    study: &Study,
    index: &Index,
    query: &str,
    context: Context,
    code: &str,
    scope: &Scope,
) -> Result<Vec<Coding>, AutocodeError> {
    let matches: Vec<TurnMatch> = index
        .turn_matches(study, query)?
        .into_iter()
        .filter(|m| scope.admits(study, &m.transcript))
        .collect();
    let mut out = Vec::new();
    let mut current: Option<Arc<Transcript>> = None;
    for m in matches {
        let t = match &current {
            Some(t) if t.id == m.transcript => Arc::clone(t),
            _ => {
                let t = study.transcript_passing(&m.transcript)?;
                current = Some(Arc::clone(&t));
                t
            }
        };
        let Some(turn) = t.turn_at(m.start) else {
            continue;
        };
        let body = body(&t, turn);
        if m.words.is_empty() {
            out.push(coding(&t, spans::turn_speech(&t.text, body), code));
            continue;
        }
        for (a, b) in &m.words {
            let (a, b) = (t.index.byte_of(&t.text, *a), t.index.byte_of(&t.text, *b));
            let span = spans::widen(&t.text, body.clone(), a, b, context);
            out.push(coding(&t, span, code));
        }
    }
    Ok(out)
}

/// Every speaker turn in scope — of `speaker` only when given (its label, ignoring case) —
/// its speech coded whole. Notes are never coded. Fails when a speaker is named that no
/// transcript in scope has.
pub fn turns(
    study: &Study,
    speaker: Option<&str>,
    code: &str,
    scope: &Scope,
) -> Result<Vec<Coding>, AutocodeError> {
    let wanted = speaker.map(|s| s.trim().to_lowercase());
    let mut out = Vec::new();
    let mut in_scope = 0;
    for info in study.transcripts() {
        if !scope.admits(study, &info.id) {
            continue;
        }
        in_scope += 1;
        let t = study.transcript_passing(&info.id)?;
        for turn in t.speaker_turns() {
            let label = turn.speaker.as_deref().unwrap_or_default();
            if wanted.as_ref().is_some_and(|w| label.to_lowercase() != *w) {
                continue;
            }
            let span = spans::turn_speech(&t.text, body(&t, turn));
            if span.0 < span.1 {
                out.push(coding(&t, span, code));
            }
        }
    }
    if in_scope == 0 {
        return Err(AutocodeError::Invalid(
            "no transcript matches --transcript and --where".to_string(),
        ));
    }
    if let (Some(name), true) = (speaker, out.is_empty()) {
        return Err(AutocodeError::Invalid(format!(
            "no turn of speaker '{name}' in the {in_scope} transcript(s) looked at (`thema transcripts ID --turns` shows the labels)"
        )));
    }
    Ok(out)
}
