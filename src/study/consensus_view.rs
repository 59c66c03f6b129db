//! The consensus view: what a team's analysis counts once its coders have met.
//!
//! The consensus file (`codings/consensus.jsonl`) holds only what a meeting decided: the
//! disagreements resolved, and anything written there by hand or imported. The passages both
//! coders coded alike were never disagreements, so they are not in it. The view is therefore
//! **derived on read**, never written, so it cannot go stale when a coder keeps coding after a
//! meeting:
//!
//! - every segment of the consensus file (the team's decisions stand);
//! - every passage the compared coders A and B coded exactly alike with a code, unless the
//!   consensus file already has that code over it;
//! - in transcripts only one coder coded, that coder's segments as they are;
//! - not: the disagreements still open (listed, so a report can say what is missing), and
//!   transcripts coded by several coders but not by both A and B.
//!
//! A and B are the coders of the latest resolution, else the first two coders. Every report
//! that counts "consensus" counts this view, and states its [`Coverage`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::model::Segment;
use crate::study::consensus::{compare, resolutions};
use crate::study::{Result, Study, CONSENSUS};

/// The consensus view of a study.
#[derive(Debug, Clone, Default)]
pub struct ConsensusView {
    /// The segments counted, sorted by transcript, start, end and code.
    pub segments: Vec<Segment>,
    /// How much of the study they cover.
    pub coverage: Coverage,
}

/// What the consensus view covers, for a report's header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The coders compared (none when the study has fewer than two).
    pub coders: Vec<String>,
    /// Transcripts both compared coders coded.
    pub compared: usize,
    /// Passages they coded exactly alike.
    pub agreed: usize,
    /// Places where they differ.
    pub disagreements: usize,
    /// Of those, the ones the team settled (resolved in a meeting, or decided in the
    /// consensus file).
    pub settled: usize,
    /// Ids of the disagreements still open: their passages are not counted.
    pub open: Vec<String>,
    /// Transcripts holding open disagreements (the others both coders coded are settled).
    pub open_transcripts: usize,
    /// Transcripts one coder coded alone, counted as that coder coded them.
    pub single_coded: usize,
    /// Transcripts coded by several coders but not by both compared coders: not counted.
    pub not_compared: Vec<String>,
    /// Segments of the consensus file.
    pub decided: usize,
}

impl Coverage {
    /// One sentence for a report's header, e.g. "consensus of r1 and r2: 11 of 13 transcripts
    /// coded by both settled (120 passages agreed, 41 of 44 disagreements resolved; 3 still
    /// open in 2 transcripts not counted, see thema consensus list --open)".
    pub fn sentence(&self) -> String {
        let mut parts = Vec::new();
        match self.coders.as_slice() {
            [a, b] => {
                let mut compared = format!(
                    "{} of {} coded by both settled ({} agreed, {} of {} resolved",
                    self.compared - self.open_transcripts,
                    plural(self.compared, "transcript"),
                    plural(self.agreed, "passage"),
                    self.settled,
                    plural(self.disagreements, "disagreement"),
                );
                if !self.open.is_empty() {
                    compared.push_str(&format!(
                        "; {} still open in {} not counted, see thema consensus list --open",
                        self.open.len(),
                        plural(self.open_transcripts, "transcript")
                    ));
                }
                compared.push(')');
                parts.push(format!("consensus of {a} and {b}: {compared}"));
            }
            _ => parts.push("consensus (fewer than two coders to compare)".to_string()),
        }
        if self.single_coded > 0 {
            parts.push(format!(
                "{} coded by one coder only, counted as coded",
                plural(self.single_coded, "transcript")
            ));
        }
        if !self.not_compared.is_empty() {
            parts.push(format!(
                "{} coded by other coders, not counted ({})",
                plural(self.not_compared.len(), "transcript"),
                self.not_compared.join(", ")
            ));
        }
        parts.join("; ")
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The coders a consensus is built from: those of the latest resolution (if both still have
/// codings), else the first two coders other than consensus.
pub fn consensus_pair(study: &Study) -> Result<Option<(String, String)>> {
    let latest = resolutions(study)?
        .into_iter()
        .rev()
        .find_map(|r| match r.coders.as_slice() {
            [a, b] if study.has_coder(a) && study.has_coder(b) => Some((a.clone(), b.clone())),
            _ => None,
        });
    if latest.is_some() {
        return Ok(latest);
    }
    let mut coders = study.coders().into_iter().filter(|c| *c != CONSENSUS);
    Ok(match (coders.next(), coders.next()) {
        (Some(a), Some(b)) => Some((a.to_string(), b.to_string())),
        _ => None,
    })
}

/// Spans per (transcript, code).
type Spans<'a> = HashMap<(&'a str, &'a str), Vec<(usize, usize)>>;

fn overlaps(spans: &Spans, transcript: &str, code: &str, start: usize, end: usize) -> bool {
    spans
        .get(&(transcript, code))
        .is_some_and(|v| v.iter().any(|&(s, e)| s < end && start < e))
}

/// Builds the consensus view (see the module documentation).
pub fn build(study: &Study) -> Result<ConsensusView> {
    let decided: Vec<&Segment> = study
        .layer(CONSENSUS)?
        .iter()
        .filter(|s| !s.is_unanchored())
        .collect();
    let mut by_decision: Spans = HashMap::new();
    for s in &decided {
        by_decision
            .entry((s.transcript.as_str(), s.code.as_str()))
            .or_default()
            .push((s.start, s.end));
    }
    let mut segments: Vec<Segment> = decided.iter().map(|s| (*s).clone()).collect();
    let mut coverage = Coverage {
        decided: decided.len(),
        ..Coverage::default()
    };
    let pair = consensus_pair(study)?;
    if let Some((a, b)) = &pair {
        coverage.coders = vec![a.clone(), b.clone()];
        let comparison = compare(study, a, b, None)?;
        coverage.compared = comparison.both_coded.len();
        let of_a: HashMap<&str, &Segment> =
            study.layer(a)?.iter().map(|s| (s.id.as_str(), s)).collect();
        for agreed in &comparison.agreed {
            coverage.agreed += 1;
            let mut seen = BTreeSet::new();
            for id in &agreed.a_segments {
                let Some(s) = of_a.get(id.as_str()) else {
                    continue;
                };
                if seen.insert((s.start, s.end))
                    && !overlaps(&by_decision, &s.transcript, &s.code, s.start, s.end)
                {
                    segments.push((*s).clone());
                }
            }
        }
        coverage.disagreements = comparison.disagreements.len();
        let mut open_in = BTreeSet::new();
        for d in &comparison.disagreements {
            if d.resolution.is_some()
                || overlaps(&by_decision, &d.transcript, &d.code, d.start, d.end)
            {
                coverage.settled += 1;
            } else {
                coverage.open.push(d.id.clone());
                open_in.insert(d.transcript.clone());
            }
        }
        coverage.open_transcripts = open_in.len();
    }
    // which coders coded each transcript
    let mut coders_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for coder in study.coders().into_iter().filter(|c| *c != CONSENSUS) {
        for s in study.layer(coder)? {
            coders_of.entry(&s.transcript).or_default().insert(coder);
        }
    }
    let compared = |coders: &BTreeSet<&str>| {
        pair.as_ref()
            .is_some_and(|(a, b)| coders.contains(a.as_str()) && coders.contains(b.as_str()))
    };
    let mut single: BTreeMap<&str, &str> = BTreeMap::new();
    for (transcript, coders) in &coders_of {
        if compared(coders) {
            continue;
        }
        match coders.iter().next() {
            Some(only) if coders.len() == 1 => {
                single.insert(transcript, only);
            }
            _ => coverage.not_compared.push(transcript.to_string()),
        }
    }
    coverage.single_coded = single.len();
    for coder in study.coders().into_iter().filter(|c| *c != CONSENSUS) {
        for s in study.layer(coder)? {
            if single.get(s.transcript.as_str()) == Some(&coder)
                && !s.is_unanchored()
                && !overlaps(&by_decision, &s.transcript, &s.code, s.start, s.end)
            {
                segments.push(s.clone());
            }
        }
    }
    segments.sort_by(|x, y| {
        (&x.transcript, x.start, x.end, &x.code, &x.id).cmp(&(
            &y.transcript,
            y.start,
            y.end,
            &y.code,
            &y.id,
        ))
    });
    Ok(ConsensusView { segments, coverage })
}

impl Study {
    /// Whether the team has begun a consensus: a consensus file or a resolution log exists.
    pub fn has_consensus(&self) -> bool {
        self.has_coder(CONSENSUS) || crate::study::consensus::log_path(self).exists()
    }
}
