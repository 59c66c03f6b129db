//! Thematic saturation: how many new codes each interview adds, and the base/run/threshold
//! assessment of Guest, Namey & Chen (2020). This module owns the pure computation behind
//! `thema saturation` (ordering transcripts, grouping them, the cumulative code curve, the
//! run-by-run assessment, the sentence a paper can quote) and a small SVG curve for the HTML
//! report ([`curve_svg`]). It must not read files, pick a coder's layer or know about UI types:
//! the caller passes, per transcript, whether the chosen coders have coded it and the set of
//! code ids it holds, already chosen by coder and level
//! ([`crate::report::saturation::for_study`] does, for a study).
//!
//! # The method, as this module implements it
//!
//! Source: Guest G, Namey E, Chen M (2020) "A simple method to assess and report thematic
//! saturation in qualitative research". PLoS ONE 15(5): e0232076,
//! doi:10.1371/journal.pone.0232076. Quotations below are the paper's own words; only parts of
//! its text were at hand when this was written, so a point marked "inferred" may be stated
//! outright in a passage we did not read. The paper has three parameters:
//!
//! - **Base size** (default 4): the first interviews, taken as the reference; the
//!   denominator is the number of *unique* codes found in them. The paper's
//!   worked example: "Divide the number of new themes in this run (seven) by the number of
//!   unique themes in the base set (37)", and later "the number of new themes in the latest run
//!   (one) divided by the number of themes in the base set (37)". **The denominator is fixed to
//!   the base**; it does not grow with the codes found after the base. (Each
//!   [`RunAssessment`] also reports `known_before`, the codes known just before the run, for
//!   transparency only; it is never used in the ratio.)
//! - **Run length** (default 2): "the number of interviews within which we look for, and
//!   calculate, new information". A code is *new* in a run when no earlier interview (base or
//!   later) holds it. **Runs slide one interview at a time** (base 4, run 2: interviews 5–6,
//!   6–7, 7–8, …). Inferred: the passages we read do not say it outright, but the
//!   results require it: over base sizes 4, 5 and 6 it reports saturation "at 6 interviews at
//!   a run length of 2 (6+2) and 7–8 interviews at run length 3 (7+3 or 8+3)"; with
//!   consecutive blocks, base 5 could never give 6+2 and base 4 could never give 8+3. Only
//!   complete runs are assessed: a window that would run past the last interview is not.
//! - **New information threshold** (default 5%): saturation is indicated by the first run
//!   whose new codes are **at or below** the threshold (the paper: "relative to the total
//!   number of unique codes identified in the first four, five, or six interviews, the amount
//!   of new information contributed by interviews 8, 9, and 10 was less than or equal to 5%").
//!
//! **The saturation point** is reported the paper's way, `N+M`: saturation at interview `N`,
//! the last interview before the first run that met the threshold, confirmed by the `M`
//! interviews of that run ("saturation was indicated at 6+2"). The earliest possible point is
//! the base itself (`4+2`). The sentence says both: "saturation at interview 11 of 15 (11+2),
//! base 4, run 2, ≤5% new information: interviews 12–13 added 1 new code, 5.0% of the 20 codes
//! in the base."
//!
//! # Where the paper leaves room, and what this module does
//!
//! - *Interviews not yet coded.* The method counts what interviews add; an interview nobody in
//!   the chosen layer has coded yet would add "0 new codes" and fake saturation. It is left out
//!   of the curve and the runs ([`Interview::coded`]) and the sentence names it ("left out, not
//!   yet coded: V6, V8"; past ten names, "and N more"; the JSON lists them all, `left_out`).
//! - *Order.* The method assumes interviews in the order they were done. The caller orders them
//!   ([`order_by`]): numerically when every value is a number, else as text (ISO 8601
//!   dates sort correctly as text), ties by transcript id, transcripts without a value last.
//!   The sentence states the order used ([`Ordering`]): "interviews ordered by the 'order'
//!   attribute", naming the interviews without a value, or "by transcript id, since no order
//!   or date attribute was found".
//! - *Hierarchical codebooks.* "We tested our method on single-tier codebooks, but qualitative
//!   researchers often create hierarchical codebooks." thema counts the codes
//!   as coded (`--level leaf`) or rolls each code up to its top-level theme (`--level theme`,
//!   [`roll_up_to_themes`]).
//! - *After saturation.* The paper stops at the first run that meets the threshold; thema
//!   re-checks every later complete run. A later run **above** the threshold revokes the point
//!   (status `revoked`, the sentence: "saturation was reached after LW5-y2 (…), but LW9-y2
//!   later added 3 new codes (…): not saturated"); a run meeting the threshold after that
//!   indicates saturation again, and the point that stands is the first one no later run
//!   revokes (the sentence also names the last revoked one). A later interview that adds codes
//!   but keeps its runs at or below the threshold (one code of 20 at 5%) does not revoke it: the
//!   threshold is what the method calls negligible. Every complete run is listed, and every
//!   revoked point (`revoked`), so a reader can see where new information came back.
//! - *An empty base.* If the base holds no codes the share is undefined (0/0, or n/0): every
//!   run's share is `None` (`null` in JSON), no run meets the threshold, and the sentence says
//!   the share is undefined.
//! - *Too few interviews* (fewer than base + run): no run can be assessed; the sentence says so.
//! - *Threshold notation.* `--threshold 5` and `--threshold 0.05` both mean 5%: values below 1
//!   are fractions, values from 1 to 100 are percentages (so `1` means 1%; write `0.005` for
//!   half a percent). Comparison allows 1e-9 of floating-point slack, so 1 new code over a base
//!   of 20 (exactly 5%) meets a 5% threshold.
//! - *Rounding.* The paper rounds to whole percent (19%, 11%); the sentence shows one decimal so
//!   that a run of 5.4% is not shown as "5%" while failing a ≤5% threshold.
//!
//! Figures are deterministic for the same input: codes are kept in sorted sets, interviews in
//! the caller's order, and every tie is broken by transcript id.

mod assess;
mod order;
mod params;
mod sentence;
mod svg;
mod themes;
mod verdict;

pub use assess::{
    assess, assess_in_order, cumulative_steps, Interview, RunAssessment, SaturationReport, Step,
};
pub use order::{
    default_order_attribute, order_by, order_interviews, split_into_groups, OrderKind, Ordering,
    NO_VALUE_GROUP,
};
pub use params::{normalise_threshold, SaturationError, SaturationParams};
pub use sentence::plural;
pub use svg::curve_svg;
pub use themes::roll_up_to_themes;
pub use verdict::{Revocation, SaturationPoint, SaturationStatus};
