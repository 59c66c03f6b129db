//! Which coding layer a report counts: one coder, the consensus layer, or every coder pooled.

use serde::Serialize;

use crate::model::Segment;
use crate::study::{Study, CONSENSUS};

/// The segments a report is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "coder", rename_all = "lowercase")]
pub enum Layer {
    /// One coder's segments.
    Coder(String),
    /// The team's consensus layer.
    Consensus,
    /// Every coder's segments except consensus (a passage coded by two coders counts twice).
    All,
}

impl Layer {
    /// `--coder C` wins, then `--consensus`, then the consensus layer if the study has one,
    /// else every coder.
    pub fn choose(study: &Study, coder: Option<&str>, consensus: bool) -> Result<Layer, String> {
        if let Some(c) = coder {
            if !study.has_coder(c) {
                return Err(format!(
                    "no codings for coder '{c}' (coders: {})",
                    study.coders().join(", ")
                ));
            }
            return Ok(Layer::Coder(c.to_string()));
        }
        if consensus {
            if !study.has_coder(CONSENSUS) {
                return Err(
                    "this study has no consensus layer yet (codings/consensus.jsonl)".to_string(),
                );
            }
            return Ok(Layer::Consensus);
        }
        if study.has_coder(CONSENSUS) {
            return Ok(Layer::Consensus);
        }
        Ok(Layer::All)
    }

    /// The segments of this layer with their coder (reading the layers it needs).
    pub fn segments<'s>(
        &self,
        study: &'s Study,
    ) -> Result<Vec<(&'s str, &'s Segment)>, crate::study::StudyError> {
        let mut out = Vec::new();
        for c in study.coders() {
            let wanted = match self {
                Layer::Coder(name) => c == name,
                Layer::Consensus => c == CONSENSUS,
                Layer::All => c != CONSENSUS,
            };
            if wanted {
                out.extend(
                    study
                        .layer(c)?
                        .iter()
                        .filter(|s| !s.is_unanchored())
                        .map(|s| (c, s)),
                );
            }
        }
        Ok(out)
    }

    /// A label for report headers.
    pub fn label(&self) -> String {
        match self {
            Layer::Coder(c) => format!("coder {c}"),
            Layer::Consensus => "consensus".to_string(),
            Layer::All => "all coders pooled".to_string(),
        }
    }
}
