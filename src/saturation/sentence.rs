//! The sentence a paper can quote, written from a finished assessment, and the small number
//! formats it uses.

use std::fmt::Write as _;

use super::{SaturationReport, SaturationStatus};

/// The report's sentence (also stored in [`SaturationReport::sentence`]).
pub(super) fn sentence(report: &SaturationReport) -> String {
    let p = &report.params;
    let settings = format!(
        "base {}, run {}, ≤{}% new information",
        p.base(),
        p.run(),
        trim_number(p.threshold() * 100.0)
    );
    let body = match report.status {
        SaturationStatus::Reached => {
            // Invariant: status Reached is only set when `saturation` is Some.
            let Some(point) = &report.saturation else {
                return String::new();
            };
            format!(
                "saturation at interview {} of {} ({}+{}), {}: {} added {}, {} of the {} in the base.",
                point.interview,
                report.interviews,
                point.interview,
                point.run,
                settings,
                interview_span(point.interview + 1, point.confirmed_at),
                plural(point.new_count, "new code", "new codes"),
                percent(point.share),
                plural(report.base_codes, "code", "codes"),
            )
        }
        SaturationStatus::NotReached => {
            let lowest = report
                .runs
                .iter()
                .filter_map(|r| r.share.map(|s| (s, r)))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            let mut text = format!(
                "saturation not reached in {} interviews ({}): every run of {} after the base added more than {}% new codes",
                report.interviews,
                settings,
                plural(p.run(), "interview", "interviews"),
                trim_number(p.threshold() * 100.0),
            );
            if let Some((share, run)) = lowest {
                let _ = write!(
                    text,
                    "; the lowest was {} ({})",
                    percent(share),
                    interview_span(run.first, run.last)
                );
            }
            text.push('.');
            text
        }
        SaturationStatus::TooFewInterviews => format!(
            "saturation cannot be assessed: {}, but a base of {} and a run of {} need at least {}.",
            plural(report.interviews, "interview", "interviews"),
            p.base(),
            p.run(),
            p.base() + p.run(),
        ),
        SaturationStatus::UndefinedBase => format!(
            "saturation cannot be assessed: the base (the first {}) holds no codes, so the share of new information is undefined (n/0).",
            plural(p.base(), "interview", "interviews"),
        ),
    };
    if report.group.is_empty() {
        capitalise(&body)
    } else {
        format!("{}: {}", report.group, body)
    }
}

fn interview_span(first: usize, last: usize) -> String {
    if first == last {
        format!("interview {first}")
    } else {
        format!("interviews {first}–{last}")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A share as a percentage with one decimal: `0.027` → `2.7%`.
fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A number with at most two decimals and no trailing zeros: `5.0` → `5`, `2.5` → `2.5`.
fn trim_number(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_trimmed() {
        assert_eq!(trim_number(5.0), "5");
        assert_eq!(trim_number(2.5), "2.5");
        assert_eq!(trim_number(0.0), "0");
        assert_eq!(percent(1.0 / 37.0), "2.7%");
    }
}
