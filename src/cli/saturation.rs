//! `thema saturation`: per group of interviews, when new interviews stopped adding codes.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};

use crate::cli::{output, Cli};
use crate::saturation::{
    assess, default_order_attribute, order_interviews, roll_up_to_themes, split_into_groups,
    Interview, SaturationParams, SaturationReport,
};
use crate::study::{Study, CONSENSUS};

/// Level at which codes are counted.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Level {
    /// Codes as applied.
    Leaf,
    /// Each code rolled up to its top-level theme.
    Theme,
}

/// Arguments of `thema saturation`.
#[derive(Debug, Args)]
pub struct SaturationArgs {
    /// Use the consensus layer (default: every coder's codes together, or --coder's).
    #[arg(long)]
    pub consensus: bool,
    /// Attribute giving interview order (default: `order`, else `date`, else transcript id).
    #[arg(long)]
    pub order: Option<String>,
    /// Attribute splitting interviews into groups (e.g. role).
    #[arg(long)]
    pub by: Option<String>,
    /// Base size: interviews in the reference set.
    #[arg(long, default_value_t = 4)]
    pub base: usize,
    /// Run length: interviews per run.
    #[arg(long, default_value_t = 2)]
    pub run: usize,
    /// New-information threshold: 5 or 0.05 both mean 5%.
    #[arg(long, default_value_t = 5.0)]
    pub threshold: f64,
    /// Count codes as applied or rolled up to themes.
    #[arg(long, value_enum, default_value_t = Level::Leaf)]
    pub level: Level,
}

impl SaturationArgs {
    /// Defaults for the HTML report: grouped by `by` when given, default order and parameters.
    pub fn for_report(study: &Study, by: Option<String>, consensus: bool) -> Self {
        let _ = study;
        SaturationArgs {
            consensus,
            order: None,
            by,
            base: 4,
            run: 2,
            threshold: 5.0,
            level: Level::Leaf,
        }
    }
}

/// Computes saturation reports for the study (shared with reports).
pub fn reports(
    study: &Study,
    coder: Option<&str>,
    args: &SaturationArgs,
) -> Result<Vec<SaturationReport>> {
    for column in [&args.order, &args.by].into_iter().flatten() {
        if !study.attributes.columns.iter().any(|c| c == column) {
            bail!(
                "no attribute column '{column}'; columns: {}",
                study.attributes.columns.join(", ")
            );
        }
    }
    let params = SaturationParams::new(args.base, args.run, args.threshold)?;
    let layer: Option<&str> = if args.consensus {
        Some(CONSENSUS)
    } else {
        coder
    };
    if let Some(l) = layer {
        if !study.has_coder(l) {
            bail!(
                "no codings for '{l}' (coders: {})",
                study.coders().join(", ")
            );
        }
    }
    let mut codes: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (c, segments) in study.layers()? {
        if layer.is_some_and(|l| l != c) || (layer.is_none() && c == CONSENSUS) {
            continue;
        }
        for s in segments
            .iter()
            .filter(|s| study.in_scope(&s.code, &s.transcript))
        {
            codes
                .entry(s.transcript.as_str())
                .or_default()
                .insert(s.code.clone());
        }
    }
    let mut interviews: Vec<Interview> = study
        .transcripts()
        .iter()
        .map(|t| Interview {
            transcript: t.id.clone(),
            codes: codes.remove(t.id.as_str()).unwrap_or_default(),
        })
        .collect();
    if let Level::Theme = args.level {
        let parents: BTreeMap<String, Option<String>> = study
            .codebooks
            .iter()
            .flat_map(|b| b.codebook.codes.iter())
            .map(|c| (c.id.clone(), c.parent.clone()))
            .collect();
        interviews = roll_up_to_themes(&interviews, &parents);
    }
    let columns: Vec<&str> = study
        .attributes
        .columns
        .iter()
        .map(String::as_str)
        .collect();
    let order_column = args
        .order
        .as_deref()
        .or_else(|| default_order_attribute(&columns));
    let values = |column: Option<&str>| -> BTreeMap<String, String> {
        study
            .transcripts()
            .iter()
            .filter_map(|t| {
                column
                    .and_then(|c| study.attributes.get(&t.id, c))
                    .map(|v| (t.id.clone(), v.to_string()))
            })
            .collect()
    };
    order_interviews(&mut interviews, &values(order_column));
    let groups = match &args.by {
        Some(by) => split_into_groups(interviews, &values(Some(by))),
        None => vec![(String::new(), interviews)],
    };
    Ok(groups
        .iter()
        .map(|(g, list)| assess(g, list, &params))
        .collect())
}

pub fn run(cli: &Cli, args: &SaturationArgs) -> Result<()> {
    let study = cli.open()?;
    let reports = reports(&study, cli.coder.as_deref(), args)?;
    if cli.json {
        return output::json(&reports);
    }
    for report in &reports {
        if !report.group.is_empty() {
            println!("{}", report.group);
        }
        for step in &report.steps {
            let added = if step.new_codes.is_empty() {
                String::new()
            } else {
                let names: Vec<String> =
                    step.new_codes.iter().map(|c| study.code_path(c)).collect();
                format!("  + {}", names.join("; "))
            };
            println!(
                "  {:>3}. {:<12} {:>3} codes{added}",
                step.position, step.transcript, step.cumulative
            );
        }
        println!("  {}", report.sentence);
        println!();
    }
    Ok(())
}
