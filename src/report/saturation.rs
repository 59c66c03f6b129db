//! Saturation for a study: [`for_study`] is the one function `thema saturation`, the TUI chart
//! and the HTML theme report call, with one set of defaults ([`SaturationRequest::default`]).
//! It reads the chosen layer's segments (a code counts only over its codebook's scope), marks
//! the interviews that layer has not coded (the assessment leaves them out and names them),
//! orders the interviews by `order`, else `date`, else transcript id (or by a named attribute),
//! splits them into groups and hands them to the pure computation in [`crate::saturation`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::report::layer::Layer;
use crate::saturation::{
    assess_in_order, default_order_attribute, order_by, roll_up_to_themes, split_into_groups,
    Interview, SaturationParams, SaturationReport,
};
use crate::study::{Study, StudyError, CONSENSUS};

/// Level at which codes are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Codes as applied.
    #[default]
    Leaf,
    /// Each code rolled up to its top-level theme.
    Theme,
}

/// What to assess: whose codes, in which order, split how, with which parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SaturationRequest {
    /// Whose codes count; an interview this layer has not coded is left out.
    pub layer: Layer,
    /// Attribute giving the interview order (`None`: `order`, else `date`, else transcript id).
    pub order: Option<String>,
    /// Attribute splitting the interviews into groups (`None`: one group).
    pub by: Option<String>,
    /// Base size, run length and threshold.
    pub params: SaturationParams,
    /// Codes as applied or rolled up to themes.
    pub level: Level,
}

impl Default for SaturationRequest {
    /// Every coder's codes together (not consensus), default order, one group, the paper's
    /// parameters (base 4, run 2, ≤5%), codes as applied.
    fn default() -> Self {
        SaturationRequest {
            layer: Layer::All,
            order: None,
            by: None,
            params: SaturationParams::default(),
            level: Level::Leaf,
        }
    }
}

/// Why saturation could not be computed for a study.
#[derive(Debug, thiserror::Error)]
pub enum SaturationStudyError {
    /// `--order` or `--by` names a column the attributes do not have.
    #[error("no attribute column '{column}'; columns: {columns}")]
    NoColumn {
        /// The column asked for.
        column: String,
        /// The columns there are, comma-separated.
        columns: String,
    },
    /// The layer is one coder's, and that coder has no codings.
    #[error("no codings for coder '{coder}' (coders: {coders})")]
    NoCoder {
        /// The coder asked for.
        coder: String,
        /// The coders there are, comma-separated.
        coders: String,
    },
    /// A coder's file could not be read.
    #[error(transparent)]
    Study(#[from] StudyError),
}

/// One saturation report per group (one group when `request.by` is `None`).
pub fn for_study(
    study: &Study,
    request: &SaturationRequest,
) -> Result<Vec<SaturationReport>, SaturationStudyError> {
    check(study, request)?;
    let mut interviews = interviews(study, &request.layer)?;
    if request.level == Level::Theme {
        let parents: BTreeMap<String, Option<String>> = study
            .codebooks
            .iter()
            .flat_map(|b| b.codebook.codes.iter())
            .map(|c| (c.id.clone(), c.parent.clone()))
            .collect();
        interviews = roll_up_to_themes(&interviews, &parents);
    }
    let order_column = request
        .order
        .clone()
        .or_else(|| default_order_column(study));
    let ordering = order_by(
        &mut interviews,
        order_column.as_deref(),
        &values(study, order_column.as_deref()),
    );
    let groups = match &request.by {
        Some(by) => split_into_groups(interviews, &values(study, Some(by))),
        None => vec![(String::new(), interviews)],
    };
    Ok(groups
        .iter()
        .map(|(g, list)| assess_in_order(g, list, &request.params, Some(&ordering)))
        .collect())
}

/// Refuses a request naming a column or a layer the study does not have.
fn check(study: &Study, request: &SaturationRequest) -> Result<(), SaturationStudyError> {
    let columns = &study.attributes.columns;
    for column in [&request.order, &request.by].into_iter().flatten() {
        if !columns.iter().any(|c| c == column) {
            return Err(SaturationStudyError::NoColumn {
                column: column.clone(),
                columns: columns.join(", "),
            });
        }
    }
    match &request.layer {
        Layer::Coders(list) => match list.iter().find(|c| *c != CONSENSUS && !study.has_coder(c)) {
            Some(c) => Err(SaturationStudyError::NoCoder {
                coder: c.clone(),
                coders: study.coders().join(", "),
            }),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Every transcript as an interview: coded when the layer holds a segment in it, with the
/// codes it holds that are meant for it (codebook scopes), in catalogue order.
fn interviews(study: &Study, layer: &Layer) -> Result<Vec<Interview>, StudyError> {
    let mut coded: BTreeSet<&str> = BTreeSet::new();
    let mut codes: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (_, s) in layer.segments(study)? {
        coded.insert(s.transcript.as_str());
        if study.in_scope(&s.code, &s.transcript) {
            codes
                .entry(s.transcript.as_str())
                .or_default()
                .insert(s.code.clone());
        }
    }
    Ok(study
        .transcripts()
        .iter()
        .map(|t| {
            if coded.contains(t.id.as_str()) {
                Interview::new(
                    t.id.clone(),
                    codes.remove(t.id.as_str()).unwrap_or_default(),
                )
            } else {
                Interview::uncoded(t.id.clone())
            }
        })
        .collect())
}

/// The default order column: `order`, else `date`, among the columns that hold a value for at
/// least one transcript.
fn default_order_column(study: &Study) -> Option<String> {
    let filled: Vec<&str> = study
        .attributes
        .columns
        .iter()
        .map(String::as_str)
        .filter(|c| c.eq_ignore_ascii_case("order") || c.eq_ignore_ascii_case("date"))
        .filter(|c| !values(study, Some(c)).is_empty())
        .collect();
    default_order_attribute(&filled).map(str::to_string)
}

/// Each transcript's non-blank value of `column` (none when `column` is `None`).
fn values(study: &Study, column: Option<&str>) -> BTreeMap<String, String> {
    let Some(column) = column else {
        return BTreeMap::new();
    };
    study
        .transcripts()
        .iter()
        .filter_map(|t| {
            study
                .attributes
                .get(&t.id, column)
                .filter(|v| !v.trim().is_empty())
                .map(|v| (t.id.clone(), v.to_string()))
        })
        .collect()
}
