//! Which codings a command reads: the one coder-selection grammar of every command that reads
//! codings (`--coders r1,r2`, `--coders consensus`, `--coders all`).
//!
//! The default, everywhere: the consensus view once the team has begun one (a consensus file or
//! a resolution log exists), else every coder pooled. `--coder` never selects what is read; it
//! names who writes.

use serde::Serialize;

use crate::model::Segment;
use crate::study::consensus_view::Coverage;
use crate::study::{Study, StudyError, CONSENSUS};

/// The segments a report or a retrieval is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "coders", rename_all = "lowercase")]
pub enum Layer {
    /// The named coders' segments, pooled (`consensus` among them means the consensus view).
    Coders(Vec<String>),
    /// The consensus view: decisions, agreed passages and single-coded transcripts.
    Consensus,
    /// Every coder's own segments pooled (a passage two coders coded counts twice).
    All,
}

/// A coder selection that cannot be honoured.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    /// A named coder has no codings.
    #[error("no codings for coder '{coder}' (coders: {known}); --coders takes coder names, consensus or all")]
    UnknownCoder {
        /// The name given.
        coder: String,
        /// The coders the study has.
        known: String,
    },
    /// `all` or `consensus` mixed with names.
    #[error("--coders {0} or --coders consensus stands alone, not in a list")]
    Mixed(String),
}

impl Layer {
    /// The layer named by `--coders` (empty: the default).
    pub fn choose(study: &Study, coders: &[String]) -> Result<Layer, LayerError> {
        let names: Vec<&str> = coders
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        match names.as_slice() {
            [] => Ok(Layer::default_for(study)),
            ["all"] => Ok(Layer::All),
            [c] if *c == CONSENSUS => Ok(Layer::Consensus),
            list => {
                if list.contains(&"all") {
                    return Err(LayerError::Mixed("all".to_string()));
                }
                for c in list {
                    if *c != CONSENSUS && !study.has_coder(c) {
                        return Err(LayerError::UnknownCoder {
                            coder: c.to_string(),
                            known: study.coders().join(", "),
                        });
                    }
                }
                let mut unique: Vec<String> = Vec::new();
                for c in list {
                    if !unique.iter().any(|u| u == c) {
                        unique.push(c.to_string());
                    }
                }
                Ok(Layer::Coders(unique))
            }
        }
    }

    /// The documented default: the consensus view once the team has begun one, else every
    /// coder pooled.
    pub fn default_for(study: &Study) -> Layer {
        if study.has_consensus() {
            Layer::Consensus
        } else {
            Layer::All
        }
    }

    /// Whether the layer reads the consensus view.
    pub fn uses_consensus(&self) -> bool {
        match self {
            Layer::Consensus => true,
            Layer::Coders(list) => list.iter().any(|c| c == CONSENSUS),
            Layer::All => false,
        }
    }

    /// The coders whose own files are read (the consensus view aside).
    pub fn coder_names<'s>(&self, study: &'s Study) -> Vec<&'s str> {
        study
            .coders()
            .into_iter()
            .filter(|c| *c != CONSENSUS)
            .filter(|c| match self {
                Layer::Coders(list) => list.iter().any(|l| l == c),
                Layer::Consensus => false,
                Layer::All => true,
            })
            .collect()
    }

    /// The segments of this layer with their coder (`consensus` for the consensus view; a
    /// segment both in the view and in a named coder's layer once, as the consensus's),
    /// leaving out segments that could not be placed.
    pub fn segments<'s>(
        &self,
        study: &'s Study,
    ) -> Result<Vec<(&'s str, &'s Segment)>, StudyError> {
        let mut out = Vec::new();
        if self.uses_consensus() {
            out.extend(
                study
                    .consensus_view()?
                    .segments
                    .iter()
                    .map(|s| (CONSENSUS, s)),
            );
        }
        // a coder's passage the consensus view already counts is counted once
        let counted: std::collections::HashSet<&str> =
            out.iter().map(|(_, s)| s.id.as_str()).collect();
        let mut own = Vec::new();
        for c in self.coder_names(study) {
            own.extend(
                study
                    .layer(c)?
                    .iter()
                    .filter(|s| !s.is_unanchored() && !counted.contains(s.id.as_str()))
                    .map(|s| (c, s)),
            );
        }
        out.extend(own);
        Ok(out)
    }

    /// A label for report headers ("coder r1", "coders r1, r2", "consensus", "all coders
    /// pooled").
    pub fn label(&self) -> String {
        match self {
            Layer::Coders(list) if list.len() == 1 => format!("coder {}", list[0]),
            Layer::Coders(list) => format!("coders {}", list.join(", ")),
            Layer::Consensus => "consensus".to_string(),
            Layer::All => "all coders pooled".to_string(),
        }
    }

    /// What the consensus view covers, when this layer reads it.
    pub fn coverage(&self, study: &Study) -> Result<Option<Coverage>, StudyError> {
        if self.uses_consensus() {
            Ok(Some(study.consensus_view()?.coverage.clone()))
        } else {
            Ok(None)
        }
    }
}
