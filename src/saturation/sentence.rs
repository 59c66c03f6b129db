//! The sentence a paper can quote, written from a finished assessment, and the small number
//! formats it uses.

use std::fmt::Write as _;

use super::{
    OrderKind, Ordering, Revocation, SaturationParams, SaturationPoint, SaturationReport,
    SaturationStatus,
};

/// The report's sentence (also stored in [`SaturationReport::sentence`]): the verdict, then how
/// the interviews were ordered and which were left out.
pub(super) fn sentence(report: &SaturationReport) -> String {
    let body = verdict(report);
    let mut text = if report.group.is_empty() {
        capitalise(&body)
    } else {
        format!("{}: {}", report.group, body)
    };
    let mut notes: Vec<String> = Vec::new();
    if let Some(order) = &report.order {
        notes.push(order_note(order));
    }
    if !report.left_out.is_empty() {
        notes.push(format!(
            "left out, not yet coded: {}",
            name_list(&report.left_out)
        ));
    }
    if !notes.is_empty() {
        let _ = write!(text, " {}.", capitalise(&notes.join("; ")));
    }
    text
}

/// The parameters, as the sentence states them.
fn settings(p: &SaturationParams) -> String {
    format!(
        "base {}, run {}, ≤{}% new information",
        p.base(),
        p.run(),
        trim_number(p.threshold() * 100.0)
    )
}

/// The verdict, in words, ending with a full stop.
fn verdict(report: &SaturationReport) -> String {
    let p = &report.params;
    match report.status {
        SaturationStatus::Reached => {
            // Invariant: status Reached is only set when `saturation` is Some.
            let Some(point) = &report.saturation else {
                return String::new();
            };
            let mut text = format!(
                "saturation at interview {} of {} ({}+{}), {}: {}",
                point.interview,
                report.interviews,
                point.interview,
                point.run,
                settings(p),
                confirmation(report, point),
            );
            if let Some(last) = report.revoked.last() {
                let earlier = match report.revoked.len() {
                    1 => "an earlier indication".to_string(),
                    n => format!("{n} earlier indications were revoked, the last"),
                };
                let revoked = if report.revoked.len() == 1 {
                    " was revoked"
                } else {
                    ""
                };
                let _ = write!(
                    text,
                    "; {earlier} after {} ({}+{}){revoked} when {}",
                    last.point.transcript,
                    last.point.interview,
                    last.point.run,
                    later_added(report, last),
                );
            }
            text.push('.');
            text
        }
        SaturationStatus::Revoked => {
            // Invariant: status Revoked is only set when `revoked` is not empty.
            let Some(last) = report.revoked.last() else {
                return String::new();
            };
            format!(
                "saturation was reached after {} (interview {} of {}, {}+{}: {}), but {}: not saturated ({}).",
                last.point.transcript,
                last.point.interview,
                report.interviews,
                last.point.interview,
                last.point.run,
                confirmation(report, &last.point),
                later_added(report, last),
                settings(p),
            )
        }
        SaturationStatus::NotReached => {
            let lowest = report
                .runs
                .iter()
                .filter_map(|r| r.share.map(|s| (s, r)))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            let mut text = format!(
                "saturation not reached in {} ({}): every run of {} after the base added more than {}% new codes",
                plural(report.interviews, "interview", "interviews"),
                settings(p),
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
    }
}

/// What the run confirming a point added: "interviews 12–13 added 1 new code, 5.0% of the 20
/// codes in the base".
fn confirmation(report: &SaturationReport, point: &SaturationPoint) -> String {
    format!(
        "{} added {}, {} of the {} in the base",
        interview_span(point.interview + 1, point.confirmed_at),
        plural(point.new_count, "new code", "new codes"),
        percent(point.share),
        plural(report.base_codes, "code", "codes"),
    )
}

/// What revoked a point: "LW9-y2 later added 3 new codes (interviews 12–13: 13.0%, above 5%)".
fn later_added(report: &SaturationReport, revocation: &Revocation) -> String {
    let names: Vec<&str> = revocation
        .later
        .iter()
        .map(|s| s.transcript.as_str())
        .collect();
    let run = &revocation.by;
    format!(
        "{} later added {} ({}: {}, above {}%)",
        and_list(&names),
        plural(revocation.later_new_codes(), "new code", "new codes"),
        interview_span(run.first, run.last),
        percent(run.share.unwrap_or(0.0)),
        trim_number(report.params.threshold() * 100.0),
    )
}

/// How the interviews were ordered: "interviews ordered by the 'date' attribute".
fn order_note(order: &Ordering) -> String {
    match (&order.attribute, order.kind) {
        (None, _) => {
            "interviews ordered by transcript id, since no order or date attribute was found"
                .to_string()
        }
        (Some(a), OrderKind::TranscriptId) => {
            format!("interviews ordered by transcript id, since no interview has a value for '{a}'")
        }
        (Some(a), _) => {
            let mut text = format!("interviews ordered by the '{a}' attribute");
            let missing: Vec<&str> = order.without_value.iter().map(String::as_str).collect();
            if !missing.is_empty() {
                let (has, comes) = if missing.len() == 1 {
                    ("has", "comes")
                } else {
                    ("have", "come")
                };
                let _ = write!(
                    text,
                    " ({} {has} no value and {comes} last)",
                    and_list(&missing)
                );
            }
            text
        }
    }
}

/// Most transcripts named in a list before "and N more".
const NAMED: usize = 10;

/// "V6, V8" or, past [`NAMED`] names, "T01, …, T10 and 990 more" (the report lists them all).
fn name_list(names: &[String]) -> String {
    if names.len() <= NAMED {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..NAMED].join(", "),
        names.len() - NAMED
    )
}

/// "A", "A and B", "A, B and C".
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "interview 6" or "interviews 12–13".
pub(super) fn interview_span(first: usize, last: usize) -> String {
    if first == last {
        format!("interview {first}")
    } else {
        format!("interviews {first}–{last}")
    }
}

/// A count with its noun, singular for 1: `plural(1, "code", "codes")` → `1 code`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
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

    #[test]
    fn lists_and_plurals_read_as_english() {
        assert_eq!(and_list(&[]), "");
        assert_eq!(and_list(&["V6"]), "V6");
        assert_eq!(and_list(&["V6", "V8"]), "V6 and V8");
        assert_eq!(and_list(&["V1", "V6", "V8"]), "V1, V6 and V8");
        assert_eq!(plural(1, "code", "codes"), "1 code");
        assert_eq!(plural(0, "code", "codes"), "0 codes");
        assert_eq!(plural(2, "interview", "interviews"), "2 interviews");
        let many: Vec<String> = (1..=12).map(|i| format!("T{i:02}")).collect();
        assert_eq!(
            name_list(&many),
            "T01, T02, T03, T04, T05, T06, T07, T08, T09, T10 and 2 more"
        );
    }
}
