//! The saturation chart's state: which grouping, which coders' layer and which level the chart
//! shows, and the reports for that choice. The figures come from
//! [`crate::report::saturation::for_study`], the function behind `thema saturation`, with its
//! defaults, so the chart and the sentence under it say what the command says. Nothing here
//! draws or writes.

use crate::report::layer::Layer;
use crate::report::saturation::{for_study, Level, SaturationRequest};
use crate::saturation::SaturationReport;
use crate::study::{Study, CONSENSUS};

/// Attribute columns that never make sense as groups (one value per transcript, or an order).
const NOT_GROUPS: [&str; 4] = ["transcript", "participant", "date", "order"];

/// What the chart shows and the reports behind it.
#[derive(Debug, Clone)]
pub struct SaturationChart {
    /// Groupings to cycle through: `None` is every interview together, else an attribute.
    pub groupings: Vec<Option<String>>,
    /// Position in `groupings`.
    pub grouping: usize,
    /// Layers to cycle through: every coder together (not consensus), each coder, consensus.
    pub layers: Vec<Layer>,
    /// Position in `layers`.
    pub layer: usize,
    /// Count codes rolled up to their top-level themes.
    pub themes: bool,
    /// One report per group, or why there is none.
    pub reports: Result<Vec<SaturationReport>, String>,
}

impl SaturationChart {
    /// The chart with its defaults: grouped by `role` when the study has that attribute, every
    /// coder's codes together, codes as applied.
    pub fn new(study: &Study) -> SaturationChart {
        let columns = &study.attributes.columns;
        let mut groupings: Vec<Option<String>> = Vec::new();
        if columns.iter().any(|c| c == "role") {
            groupings.push(Some("role".to_string()));
        }
        groupings.push(None);
        for c in columns {
            if c != "role" && !NOT_GROUPS.contains(&c.as_str()) {
                groupings.push(Some(c.clone()));
            }
        }
        let mut layers: Vec<Layer> = vec![Layer::All];
        layers.extend(
            study
                .coders()
                .into_iter()
                .filter(|c| *c != CONSENSUS)
                .map(|c| Layer::Coders(vec![c.to_string()])),
        );
        if study.has_consensus() {
            layers.push(Layer::Consensus);
        }
        let mut chart = SaturationChart {
            groupings,
            grouping: 0,
            layers,
            layer: 0,
            themes: false,
            reports: Ok(Vec::new()),
        };
        chart.compute(study);
        chart
    }

    /// The attribute the interviews are grouped by, if any.
    pub fn grouped_by(&self) -> Option<&str> {
        self.groupings.get(self.grouping).and_then(|g| g.as_deref())
    }

    /// The coder whose codes count (`consensus` for the consensus layer), `None` for every
    /// coder.
    pub fn coder(&self) -> Option<&str> {
        match self.layers.get(self.layer)? {
            Layer::Coders(list) => list.first().map(String::as_str),
            Layer::Consensus => Some(CONSENSUS),
            Layer::All => None,
        }
    }

    /// Groups by the next attribute (or none).
    pub fn next_grouping(&mut self, study: &Study) {
        self.grouping = (self.grouping + 1) % self.groupings.len().max(1);
        self.compute(study);
    }

    /// Counts the next coder's codes (every coder, each coder, consensus).
    pub fn next_layer(&mut self, study: &Study) {
        self.layer = (self.layer + 1) % self.layers.len().max(1);
        self.compute(study);
    }

    /// Switches between codes as applied and top-level themes.
    pub fn toggle_level(&mut self, study: &Study) {
        self.themes = !self.themes;
        self.compute(study);
    }

    /// The request `thema saturation` would make for this choice: the shared defaults, with
    /// this grouping, layer and level.
    pub fn request(&self) -> SaturationRequest {
        SaturationRequest {
            layer: self.layers.get(self.layer).cloned().unwrap_or(Layer::All),
            by: self.grouped_by().map(str::to_string),
            level: if self.themes {
                Level::Theme
            } else {
                Level::Leaf
            },
            ..SaturationRequest::default()
        }
    }

    fn compute(&mut self, study: &Study) {
        self.reports = for_study(study, &self.request()).map_err(|e| e.to_string());
    }
}
