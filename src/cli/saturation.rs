//! `thema saturation`: per group of interviews, when new interviews stopped adding codes. The
//! figures come from [`crate::report::saturation::for_study`]; this file reads the flags and
//! prints.

use anyhow::Result;
use clap::{Args, ValueEnum};

use crate::cli::{output, Cli};
use crate::report::saturation::{for_study, SaturationRequest};
use crate::saturation::SaturationParams;
use crate::study::Study;

/// Level at which codes are counted.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Level {
    /// Codes as applied.
    Leaf,
    /// Each code rolled up to its top-level theme.
    Theme,
}

impl From<Level> for crate::report::saturation::Level {
    fn from(level: Level) -> Self {
        match level {
            Level::Leaf => crate::report::saturation::Level::Leaf,
            Level::Theme => crate::report::saturation::Level::Theme,
        }
    }
}

/// Arguments of `thema saturation`.
#[derive(Debug, Args)]
pub struct SaturationArgs {
    #[command(flatten)]
    pub coders: crate::cli::select::CodersArg,
    /// Attribute giving interview order (default: `order`, else `date`, else transcript id).
    #[arg(long)]
    pub order: Option<String>,
    /// Attribute splitting interviews into groups (e.g. role).
    #[arg(long)]
    pub by: Option<String>,
    /// Base size: interviews in the reference set.
    #[arg(long, default_value_t = SaturationParams::default().base())]
    pub base: usize,
    /// Run length: interviews per run.
    #[arg(long, default_value_t = SaturationParams::default().run())]
    pub run: usize,
    /// New-information threshold: 5 or 0.05 both mean 5%.
    #[arg(long, default_value_t = SaturationParams::default().threshold() * 100.0)]
    pub threshold: f64,
    /// Count codes as applied or rolled up to themes.
    #[arg(long, value_enum, default_value_t = Level::Leaf)]
    pub level: Level,
}

impl SaturationArgs {
    /// The request these flags make.
    pub fn request(&self, study: &Study) -> Result<SaturationRequest> {
        let layer = self.coders.layer(study)?;
        Ok(SaturationRequest {
            layer,
            order: self.order.clone(),
            by: self.by.clone(),
            params: SaturationParams::new(self.base, self.run, self.threshold)?,
            level: self.level.into(),
        })
    }
}

/// Runs `thema saturation`.
pub fn run(cli: &Cli, args: &SaturationArgs) -> Result<()> {
    let study = cli.open()?;
    let reports = for_study(&study, &args.request(&study)?)?;
    if cli.json {
        return output::json(&reports);
    }
    for report in &reports {
        if !report.group.is_empty() {
            println!("{}", report.group);
        }
        for step in &report.steps {
            let noun = if step.cumulative == 1 {
                "code"
            } else {
                "codes"
            };
            println!(
                "  {:>3}. {:<12} {:>3} {noun}{}",
                step.position,
                step.transcript,
                step.cumulative,
                added(&study, &step.new_codes)
            );
        }
        println!("  {}", report.sentence);
        println!();
    }
    Ok(())
}

/// "  + Path/One; Path/Two" for the codes an interview added, empty when none.
fn added(study: &Study, codes: &[String]) -> String {
    if codes.is_empty() {
        return String::new();
    }
    let names: Vec<String> = codes.iter().map(|c| study.code_path(c)).collect();
    format!("  + {}", names.join("; "))
}
