//! Putting interviews in the order they were done (by an attribute's values, or by transcript
//! id) and splitting them into groups by another attribute.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Interview;

/// Group label for transcripts that have no value for the grouping attribute.
pub const NO_VALUE_GROUP: &str = "(no value)";

/// How [`order_interviews`] compared the attribute values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// No transcript had a value: ordered by transcript id.
    TranscriptId,
    /// Every value was a finite number: compared as numbers.
    Numeric,
    /// Every value was an ISO 8601 date (`YYYY-MM-DD`, optionally with a time): compared as text.
    IsoDate,
    /// Anything else: compared as text (byte order).
    Text,
}

/// The attribute to order by when the user names none: a column named `order`, else `date`
/// (case-insensitive), else `None` (order by transcript id).
pub fn default_order_attribute<'a>(columns: &[&'a str]) -> Option<&'a str> {
    ["order", "date"].iter().find_map(|want| {
        columns
            .iter()
            .find(|c| c.eq_ignore_ascii_case(want))
            .copied()
    })
}

/// How interviews were put in order, as a report states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ordering {
    /// The attribute ordered by; `None` when no order or date attribute was found and the
    /// interviews are ordered by transcript id.
    pub attribute: Option<String>,
    /// How the values were compared ([`OrderKind::TranscriptId`] when none was present).
    pub kind: OrderKind,
    /// Interviews without a value for the attribute, placed last by transcript id, in order.
    pub without_value: Vec<String>,
}

impl Ordering {
    /// The same ordering, naming only those of `transcripts` without a value (one group's).
    pub fn for_interviews<'a>(&self, transcripts: impl IntoIterator<Item = &'a str>) -> Ordering {
        let wanted: std::collections::BTreeSet<&str> = transcripts.into_iter().collect();
        Ordering {
            attribute: self.attribute.clone(),
            kind: self.kind,
            without_value: self
                .without_value
                .iter()
                .filter(|t| wanted.contains(t.as_str()))
                .cloned()
                .collect(),
        }
    }
}

/// Orders interviews by `attribute` (`values`: transcript id → value, as
/// [`order_interviews`]), or by transcript id when `attribute` is `None`, and says how.
pub fn order_by(
    interviews: &mut [Interview],
    attribute: Option<&str>,
    values: &BTreeMap<String, String>,
) -> Ordering {
    let none = BTreeMap::new();
    let values = if attribute.is_some() { values } else { &none };
    let kind = order_interviews(interviews, values);
    let without_value = match attribute {
        Some(_) => interviews
            .iter()
            .filter(|i| {
                values
                    .get(&i.transcript)
                    .is_none_or(|v| v.trim().is_empty())
            })
            .map(|i| i.transcript.clone())
            .collect(),
        None => Vec::new(),
    };
    Ordering {
        attribute: attribute.map(str::to_string),
        kind,
        without_value,
    }
}

/// Orders interviews by an attribute value (`values`: transcript id → value). Numeric when
/// every present value is a number, else as text (ISO dates sort correctly as text); ties by
/// transcript id; transcripts without a value (or with a blank one) last, by transcript id.
pub fn order_interviews(
    interviews: &mut [Interview],
    values: &BTreeMap<String, String>,
) -> OrderKind {
    let value_of =
        |t: &str| -> Option<&str> { values.get(t).map(|v| v.trim()).filter(|v| !v.is_empty()) };
    let present: Vec<&str> = interviews
        .iter()
        .filter_map(|i| value_of(&i.transcript))
        .collect();
    let kind = if present.is_empty() {
        OrderKind::TranscriptId
    } else if present.iter().all(|v| parse_number(v).is_some()) {
        OrderKind::Numeric
    } else if present.iter().all(|v| is_iso_date(v)) {
        OrderKind::IsoDate
    } else {
        OrderKind::Text
    };
    interviews.sort_by(|a, b| {
        let (va, vb) = (value_of(&a.transcript), value_of(&b.transcript));
        let by_value = match (va, vb) {
            (Some(x), Some(y)) => match kind {
                // Both parse: `kind` is Numeric only when every present value does.
                OrderKind::Numeric => match (parse_number(x), parse_number(y)) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    _ => x.cmp(y),
                },
                _ => x.cmp(y),
            },
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_value.then_with(|| a.transcript.cmp(&b.transcript))
    });
    kind
}

fn parse_number(value: &str) -> Option<f64> {
    value.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// `YYYY-MM-DD`, optionally followed by `T` or a space and anything (a time).
fn is_iso_date(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() < 10 {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b.len() == 10 || b[10] == b'T' || b[10] == b' ')
}

/// Splits ordered interviews into groups by an attribute (`values`: transcript id → value),
/// keeping their order within each group. Groups come sorted by label; transcripts without a
/// value form the group [`NO_VALUE_GROUP`], last.
pub fn split_into_groups(
    interviews: Vec<Interview>,
    values: &BTreeMap<String, String>,
) -> Vec<(String, Vec<Interview>)> {
    let mut groups: BTreeMap<String, Vec<Interview>> = BTreeMap::new();
    let mut without: Vec<Interview> = Vec::new();
    for interview in interviews {
        match values
            .get(&interview.transcript)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            Some(v) => groups.entry(v.to_string()).or_default().push(interview),
            None => without.push(interview),
        }
    }
    let mut out: Vec<(String, Vec<Interview>)> = groups.into_iter().collect();
    if !without.is_empty() {
        out.push((NO_VALUE_GROUP.to_string(), without));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_are_recognised() {
        assert!(is_iso_date("2024-03-01"));
        assert!(is_iso_date("2024-03-01T10:00"));
        assert!(is_iso_date("2024-03-01 10:00"));
        assert!(!is_iso_date("2024-3-1"));
        assert!(!is_iso_date("01/03/2024"));
    }
}
