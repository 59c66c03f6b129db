//! Inter-coder agreement: statistics on reliability data, and the units that produce it.
//!
//! # Model
//! Agreement is computed on **reliability data** ([`ReliabilityData`]): units × coders, each
//! cell a category or missing. A unit row may stand for many identical units (its weight), so
//! character-level comparisons of a whole study are a handful of weighted patterns, never one
//! row per character. Categories are small integers indexing a list of labels; the labels are
//! kept for reporting, and give numeric values for interval and ratio α when they are numbers.
//!
//! Reliability data comes from three places:
//! - [`units`]: one code at a time, from coders' code-point ranges, with characters
//!   (NVivo), turns, or MAXQDA-style matched segments as the unit;
//! - [`matrix`]: a CSV matrix a researcher brings (`thema agree --matrix`);
//! - directly, through [`ReliabilityData::push_unit`].
//!
//! [`stats`] computes percent agreement, Cohen's κ, Fleiss' κ, Krippendorff's α,
//! Brennan–Prediger and Gwet's AC1 into one [`Agreement`], with what each figure rests on and
//! Gwet's analytic standard errors and intervals ([`inference`]); [`bootstrap`] gives α's
//! bootstrap distribution (Hayes & Krippendorff 2007) with a deterministic generator
//! ([`random`]); [`unitizing`] gives Krippendorff's unitizing α for free segments;
//! [`disagreement`] lists where coders differ.
//!
//! # Conventions (`research/agreement-math.md`)
//! - **Missing data.** Units without a rating are dropped everywhere. A unit with a single
//!   rating is unpairable: percent agreement, `p_a` and α ignore it, but it counts in the
//!   category proportions `π_k` of Fleiss' κ and AC1 (Gwet's convention, §4).
//! - **Cohen's κ** is listwise: only units both coders rated, marginals from those units (§3).
//!   It exists only for exactly two coders; with other numbers of coders it is absent.
//! - **Percent agreement** is the mean share of agreeing coder pairs per pairable unit (§1.2);
//!   for two coders it is the share of units on which they agree, NVivo's percentage.
//! - **q**, the number of categories for Brennan–Prediger and AC1, is by default the length of
//!   the declared category list ([`CategoryCount::Listed`]): both categories `uncoded`/`coded`
//!   for presence data even when nobody applied the code. [`CategoryCount::Observed`] and
//!   [`CategoryCount::Declared`] choose otherwise. Cohen, Fleiss and α do not depend on it.
//! - **Undefined is not a number.** A coefficient that is 0/0 (no pairable unit, or no
//!   variation: everyone used one category) is `None` and prints as `null`; never NaN, never
//!   the 1 some libraries report.
//!
//! Nothing in this module does I/O or knows about the TUI; it takes data and returns data.

pub mod bootstrap;
#[cfg(test)]
mod bootstrap_proptests;
pub mod data;
pub mod disagreement;
pub mod distributions;
pub mod inference;
pub mod matrix;
#[cfg(test)]
mod proptests;
pub mod random;
pub mod span;
pub mod stats;
pub mod unitizing;
pub mod units;

pub use bootstrap::{alpha_bootstrap, AlphaBootstrap, BootstrapOptions};
pub use data::{Category, DataError, ReliabilityData, Unit};
pub use disagreement::{disagreements, Disagreement};
pub use inference::{Estimate, PerCoefficient};
pub use matrix::{parse_matrix, MatrixError};
pub use span::{merge_spans, Span};
pub use stats::{agreement, Agreement, CategoryCount, Counts, Metric, Options};
pub use unitizing::{unitizing_alpha, UnitizingAlpha};
pub use units::{match_segments, segment_agreement, PresenceTally, SegmentTally, Turns, TwoByTwo};
