//! `--coders`: the one way every command that reads codings chooses them (see
//! [`crate::report::layer`] for the grammar and the default).

use std::collections::HashSet;

use anyhow::Result;
use clap::Args;

use crate::index::{Hit, SegmentsOf};
use crate::report::layer::Layer;
use crate::study::{Study, CONSENSUS};

/// Which codings a command reads.
#[derive(Debug, Clone, Default, Args)]
pub struct CodersArg {
    /// Whose codings to count: coder names (r1,r2), consensus, or all. Default: consensus once
    /// the team has begun one (a consensus file or resolution log exists), else all coders.
    #[arg(long, value_delimiter = ',', value_name = "CODERS")]
    pub coders: Vec<String>,
    /// The same as --coders consensus (kept for scripts written before --coders).
    #[arg(long, hide = true, conflicts_with = "coders")]
    pub consensus: bool,
}

impl CodersArg {
    /// The layer these arguments name.
    pub fn layer(&self, study: &Study) -> Result<Layer> {
        if self.consensus {
            return Ok(Layer::Consensus);
        }
        Ok(Layer::choose(study, &self.coders)?)
    }
}

/// The segments of a layer as a search filter (`None`: every segment).
pub fn segments_of(study: &Study, layer: &Layer) -> Result<Option<SegmentsOf>> {
    if *layer == Layer::All {
        return Ok(None);
    }
    let ids = if layer.uses_consensus() {
        study
            .consensus_view()?
            .segments
            .iter()
            .map(|s| s.id.clone())
            .collect()
    } else {
        Vec::new()
    };
    Ok(Some(SegmentsOf {
        coders: layer
            .coder_names(study)
            .into_iter()
            .map(str::to_string)
            .collect(),
        ids,
    }))
}

/// Keeps the segment hits of the layer (turn hits always stay); with the consensus view
/// alone, its segments are shown as the consensus's.
pub fn keep_layer(study: &Study, layer: &Layer, hits: &mut Vec<Hit>) -> Result<()> {
    let Some(only) = segments_of(study, layer)? else {
        return Ok(());
    };
    let coders: HashSet<&str> = only.coders.iter().map(String::as_str).collect();
    let ids: HashSet<&str> = only.ids.iter().map(String::as_str).collect();
    hits.retain(|h| match (&h.segment, &h.coder) {
        (Some(id), Some(coder)) => coders.contains(coder.as_str()) || ids.contains(id.as_str()),
        _ => true,
    });
    if *layer == Layer::Consensus {
        for h in hits.iter_mut().filter(|h| h.segment.is_some()) {
            h.coder = Some(CONSENSUS.to_string());
        }
    }
    Ok(())
}

/// The header line a report prints about what it counts: the layer, and for the consensus
/// view how much of the study it covers.
pub fn describe(study: &Study, layer: &Layer) -> Result<String> {
    Ok(match layer.coverage(study)? {
        Some(coverage) if *layer == Layer::Consensus => coverage.sentence(),
        Some(coverage) => format!("{}; {}", layer.label(), coverage.sentence()),
        None => format!("counting {}", layer.label()),
    })
}
