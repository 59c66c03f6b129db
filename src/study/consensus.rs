//! Team meetings: walking two coders' disagreements and resolving each into the `consensus`
//! layer, with who resolved it, when and why.
//!
//! A **disagreement** is a cluster of one code's segments in one transcript, from coder A and
//! coder B, that overlap each other (directly or through a chain), where A's spans are not
//! exactly B's: a boundary difference, or a passage only one of them coded. Its id is derived
//! from the code, transcript, coders and extent, so it is the same in every process and after a
//! git pull. Resolving writes the chosen spans into `codings/consensus.jsonl` (replacing what the
//! consensus layer held for that code in that extent) and appends one line to
//! `codings/consensus.log.jsonl`. A resolved disagreement stays listed, marked resolved.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::{ids, Segment};
use crate::study::atomic::append_line;
use crate::study::coding::now;
use crate::study::files::parse_jsonl;
use crate::study::{Result, Study, StudyError, CONSENSUS};

/// How a disagreement was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Take {
    /// Coder A's spans.
    A,
    /// Coder B's spans.
    B,
    /// Both coders' spans, merged where they overlap.
    Both,
    /// Neither: the code does not apply here.
    None,
    /// A boundary the team set by hand.
    Adjust,
}

impl std::str::FromStr for Take {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "a" => Ok(Take::A),
            "b" => Ok(Take::B),
            "both" => Ok(Take::Both),
            "none" | "neither" => Ok(Take::None),
            other => Err(format!("--take must be a, b, both or none (got '{other}')")),
        }
    }
}

/// One place where two coders differ on one code.
#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    /// Stable id (`d-` + 8 base-36 digits).
    pub id: String,
    /// Code id.
    pub code: String,
    /// Transcript id.
    pub transcript: String,
    /// Start of the cluster (code points).
    pub start: usize,
    /// End of the cluster.
    pub end: usize,
    /// Coder A's spans.
    pub a: Vec<(usize, usize)>,
    /// Coder B's spans.
    pub b: Vec<(usize, usize)>,
    /// Coder A's segment ids.
    pub a_segments: Vec<String>,
    /// Coder B's segment ids.
    pub b_segments: Vec<String>,
    /// The resolution, when the team has made one.
    pub resolution: Option<Resolution>,
}

impl Disagreement {
    /// A short description: only A, only B, or different boundaries.
    pub fn kind(&self) -> &'static str {
        match (self.a.is_empty(), self.b.is_empty()) {
            (false, true) => "only A",
            (true, false) => "only B",
            _ => "boundaries differ",
        }
    }
}

/// One line of `codings/consensus.log.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// When.
    pub at: String,
    /// Who resolved it (the meeting's chair or note-taker).
    pub by: String,
    /// Disagreement id.
    pub id: String,
    /// Coders compared, A then B.
    pub coders: Vec<String>,
    /// Code id.
    pub code: String,
    /// Transcript id.
    pub transcript: String,
    /// What was taken.
    pub take: Take,
    /// The consensus spans written.
    pub spans: Vec<(usize, usize)>,
    /// Why, as the team agreed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Path of the resolution log.
pub fn log_path(study: &Study) -> PathBuf {
    study.root.join("codings").join("consensus.log.jsonl")
}

/// Every resolution made so far.
pub fn resolutions(study: &Study) -> Result<Vec<Resolution>> {
    let path = log_path(study);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = crate::study::files::read_text(&path)?;
    parse_jsonl(
        &path,
        &text,
        "a resolution {\"at\", \"by\", \"id\", \"take\", ...}",
    )
}

fn disagreement_id(
    a: &str,
    b: &str,
    code: &str,
    transcript: &str,
    start: usize,
    end: usize,
) -> String {
    // FNV-1a: stable across processes and platforms
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [a, b, code, transcript, &start.to_string(), &end.to_string()] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    let mut n = hash;
    let mut digits = Vec::new();
    for _ in 0..8 {
        digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
        n /= 36;
    }
    format!("d-{}", String::from_utf8_lossy(&digits))
}

/// A coder's span in a cluster: start, end, side (0 = A, 1 = B), segment id.
type Mark<'a> = (usize, usize, usize, &'a str);

/// A passage both coders coded with one code exactly alike: coder A's segments of it.
#[derive(Debug, Clone)]
pub struct Agreed {
    /// Transcript id.
    pub transcript: String,
    /// Code id.
    pub code: String,
    /// Coder A's segment ids (B's are the same spans).
    pub a_segments: Vec<String>,
}

/// Two coders' codings side by side: where they differ and where they agree.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// Transcripts both coders coded.
    pub both_coded: std::collections::BTreeSet<String>,
    /// Where they differ, in transcript order.
    pub disagreements: Vec<Disagreement>,
    /// Where they agree exactly.
    pub agreed: Vec<Agreed>,
}

/// The disagreements of coders `a` and `b`, optionally on a set of codes, in transcript order.
pub fn disagreements(
    study: &Study,
    a: &str,
    b: &str,
    codes: Option<&std::collections::BTreeSet<String>>,
) -> Result<Vec<Disagreement>> {
    Ok(compare(study, a, b, codes)?.disagreements)
}

/// Compares coders `a` and `b` on the transcripts both coded: each code's segments are grouped
/// into clusters of overlapping spans; a cluster where both coders have exactly the same spans
/// is agreed, any other is a disagreement.
pub fn compare(
    study: &Study,
    a: &str,
    b: &str,
    codes: Option<&std::collections::BTreeSet<String>>,
) -> Result<Comparison> {
    for coder in [a, b] {
        if !study.has_coder(coder) {
            return Err(StudyError::NoCodings {
                coder: coder.to_string(),
                coders: study.coders().iter().map(|c| c.to_string()).collect(),
            });
        }
    }
    let resolved: BTreeMap<String, Resolution> = resolutions(study)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    // (transcript, code) → [(start, end, side, id)]
    let mut groups: BTreeMap<(&str, &str), Vec<Mark>> = BTreeMap::new();
    let both_coded: std::collections::BTreeSet<&str> = {
        let ta: std::collections::BTreeSet<&str> = study
            .layer(a)?
            .iter()
            .map(|s| s.transcript.as_str())
            .collect();
        study
            .layer(b)?
            .iter()
            .map(|s| s.transcript.as_str())
            .filter(|t| ta.contains(t))
            .collect()
    };
    for (side, coder) in [a, b].into_iter().enumerate() {
        for s in study.layer(coder)? {
            if s.is_unanchored()
                || !both_coded.contains(s.transcript.as_str())
                || codes.is_some_and(|c| !c.contains(&s.code))
            {
                continue;
            }
            groups
                .entry((&s.transcript, &s.code))
                .or_default()
                .push((s.start, s.end, side, &s.id));
        }
    }
    let mut out = Comparison {
        both_coded: both_coded.iter().map(|t| t.to_string()).collect(),
        ..Comparison::default()
    };
    for ((transcript, code), mut spans) in groups {
        spans.sort();
        let mut i = 0;
        while i < spans.len() {
            let mut end = spans[i].1;
            let mut j = i + 1;
            while j < spans.len() && spans[j].0 < end {
                end = end.max(spans[j].1);
                j += 1;
            }
            let cluster = &spans[i..j];
            let side_spans = |side: usize| -> Vec<(usize, usize)> {
                let mut v: Vec<(usize, usize)> = cluster
                    .iter()
                    .filter(|s| s.2 == side)
                    .map(|s| (s.0, s.1))
                    .collect();
                v.dedup();
                v
            };
            let side_ids = |side: usize| -> Vec<String> {
                cluster
                    .iter()
                    .filter(|s| s.2 == side)
                    .map(|s| s.3.to_string())
                    .collect()
            };
            let (sa, sb) = (side_spans(0), side_spans(1));
            if sa == sb {
                out.agreed.push(Agreed {
                    transcript: transcript.to_string(),
                    code: code.to_string(),
                    a_segments: side_ids(0),
                });
            } else {
                let start = cluster[0].0;
                let id = disagreement_id(a, b, code, transcript, start, end);
                out.disagreements.push(Disagreement {
                    resolution: resolved.get(&id).cloned(),
                    id,
                    code: code.to_string(),
                    transcript: transcript.to_string(),
                    start,
                    end,
                    a: sa,
                    b: sb,
                    a_segments: side_ids(0),
                    b_segments: side_ids(1),
                });
            }
            i = j;
        }
    }
    Ok(out)
}

fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

impl Study {
    /// Resolves a disagreement into the consensus layer: replaces the consensus segments of
    /// that code within the disagreement's extent by the spans chosen, and logs the decision.
    /// `adjust` gives the spans for [`Take::Adjust`].
    pub fn resolve(
        &mut self,
        by: &str,
        disagreement: &Disagreement,
        coders: (&str, &str),
        take: Take,
        adjust: Option<(usize, usize)>,
        why: Option<&str>,
    ) -> Result<Resolution> {
        let spans = match take {
            Take::A => disagreement.a.clone(),
            Take::B => disagreement.b.clone(),
            Take::Both => merge(
                disagreement
                    .a
                    .iter()
                    .chain(&disagreement.b)
                    .copied()
                    .collect(),
            ),
            Take::None => Vec::new(),
            Take::Adjust => match adjust {
                Some((s, e)) if s < e => vec![(s, e)],
                _ => return Err(StudyError::EmptyAdjustment),
            },
        };
        let transcript = self.transcript(&disagreement.transcript)?;
        self.lock(CONSENSUS)?;
        let (lo, hi) = spans.iter().fold(
            (disagreement.start, disagreement.end),
            |(lo, hi), (s, e)| (lo.min(*s), hi.max(*e)),
        );
        let layer = self.layer_mut(CONSENSUS)?;
        layer.retain(|s| {
            !(s.transcript == disagreement.transcript
                && s.code == disagreement.code
                && s.start < hi
                && lo < s.end)
        });
        let at = now();
        for (start, end) in &spans {
            let mut extra = serde_json::Map::new();
            extra.insert(
                "resolved_by".into(),
                serde_json::Value::String(by.to_string()),
            );
            extra.insert(
                "disagreement".into(),
                serde_json::Value::String(disagreement.id.clone()),
            );
            layer.push(Segment {
                id: ids::new_segment_id(CONSENSUS),
                transcript: disagreement.transcript.clone(),
                start: *start,
                end: *end,
                code: disagreement.code.clone(),
                quote: transcript.slice(*start, *end).to_string(),
                at: at.clone(),
                memo: why.map(str::to_string),
                starred: false,
                flag: None,
                extra,
            });
        }
        self.save_coder(CONSENSUS)?;
        let resolution = Resolution {
            at,
            by: by.to_string(),
            id: disagreement.id.clone(),
            coders: vec![coders.0.to_string(), coders.1.to_string()],
            code: disagreement.code.clone(),
            transcript: disagreement.transcript.clone(),
            take,
            spans,
            why: why.map(str::to_string).filter(|w| !w.trim().is_empty()),
        };
        let line = serde_json::to_string(&resolution).map_err(StudyError::encode)?;
        append_line(&log_path(self), &line)?;
        Ok(resolution)
    }
}
