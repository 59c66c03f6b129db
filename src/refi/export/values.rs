//! Participants and attributes as REFI-QDA cases and variables.
//!
//! Each attribute column becomes a `Variable`: under the GUID and with the type an import
//! recorded when its values still fit that type, else with the type every value fits (text at
//! worst). A participant becomes a `Case` (its recorded GUID, else a derived one) holding the
//! values that agree over all its transcripts; the others sit on each source.

use std::collections::BTreeMap;

use crate::refi::export::data::StudyData;
use crate::refi::export::out::{some, Out};
use crate::refi::RefiError;

/// An `xs:dateTime` in UTC with seconds precision from an RFC 3339 time or a bare date.
pub(crate) fn xs_datetime(text: &str) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let text = text.trim();
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return t.to_offset(time::UtcOffset::UTC).format(&format).ok();
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &date_format)
        .ok()
        .map(|d| format!("{d}T00:00:00Z"))
}

fn is_integer(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v);
    !digits.is_empty()
        && digits.len() <= 18
        && digits.chars().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && v != "-0"
}

fn is_decimal(v: &str) -> bool {
    let body = v.strip_prefix('-').unwrap_or(v);
    match body.split_once('.') {
        Some((a, b)) => {
            !a.is_empty()
                && !b.is_empty()
                && a.chars().all(|c| c.is_ascii_digit())
                && b.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

fn is_date(v: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    v.len() == 10 && time::Date::parse(v, &format).is_ok()
}

fn is_datetime(v: &str) -> bool {
    time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).is_ok()
}

/// Whether every value can be written as a value of type `kind`.
fn fits(kind: &str, values: &[&str]) -> bool {
    let all = |f: fn(&str) -> bool| values.iter().all(|v| f(v));
    match kind {
        "Text" => true,
        "Integer" => all(is_integer),
        "Float" => all(|v| is_integer(v) || is_decimal(v)),
        "Boolean" => all(|v| v == "true" || v == "false"),
        "Date" => all(is_date),
        "DateTime" => all(is_datetime),
        _ => false,
    }
}

/// The type of a variable whose values are all of one lexical kind; text otherwise.
pub(super) fn variable_type<'a>(values: impl Iterator<Item = &'a str>) -> &'static str {
    let values: Vec<&str> = values.filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return "Text";
    }
    ["Integer", "Float", "Boolean", "Date"]
        .into_iter()
        .find(|kind| fits(kind, &values))
        .unwrap_or("Text")
}

fn value_element(kind: &str) -> &'static str {
    match kind {
        "Integer" => "IntegerValue",
        "Float" => "FloatValue",
        "Boolean" => "BooleanValue",
        "Date" => "DateValue",
        "DateTime" => "DateTimeValue",
        _ => "TextValue",
    }
}

/// One attribute column as a variable.
pub(super) struct VariablePlan {
    /// The attribute column (the variable's name).
    pub column: String,
    /// Its GUID.
    pub guid: String,
    /// Its REFI-QDA type (`Text`, `Integer`, ...).
    pub kind: String,
    /// Its description, kept from an import.
    pub description: Option<String>,
    /// Whether its values sit on the cases (else on the sources).
    pub on_case: bool,
}

/// The variables, and the transcripts of each participant.
pub(super) fn plan_variables(
    data: &StudyData<'_>,
) -> (Vec<VariablePlan>, BTreeMap<String, Vec<String>>) {
    let attrs = data.attributes;
    let mut participants: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in &data.transcripts {
        if let Some(p) = attrs.get(&t.id, "participant") {
            participants
                .entry(p.to_string())
                .or_default()
                .push(t.id.clone());
        }
    }
    let variables = attrs
        .columns
        .iter()
        // `source_name` is the source's own name, which the export writes as its name
        .filter(|c| {
            *c != "transcript" && *c != "participant" && *c != crate::study::SOURCE_NAME_COLUMN
        })
        .map(|column| {
            let values: Vec<&str> = data
                .transcripts
                .iter()
                .filter_map(|t| attrs.get(&t.id, column))
                .collect();
            let recorded = data.record.variables.get(column);
            let kind = match recorded {
                Some(r) if fits(&r.kind, &values) => r.kind.clone(),
                _ => variable_type(values.iter().copied()).to_string(),
            };
            let guid = recorded
                .and_then(|r| crate::refi::guid::normalise_guid(&r.guid))
                .unwrap_or_else(|| data.space.guid("variable", column));
            let on_case = !recorded.is_some_and(|r| r.on_sources)
                && !participants.is_empty()
                && participants.values().all(|ids| {
                    ids.iter()
                        .all(|id| attrs.get(id, column) == attrs.get(&ids[0], column))
                });
            VariablePlan {
                column: column.clone(),
                guid,
                kind,
                description: recorded.and_then(|r| r.description.clone()),
                on_case,
            }
        })
        .collect();
    (variables, participants)
}

/// Writes one `VariableValue`.
pub(super) fn write_value(
    out: &mut Out,
    variable: &VariablePlan,
    value: &str,
) -> Result<(), RefiError> {
    out.open("VariableValue", vec![])?;
    out.empty(
        "VariableRef",
        vec![("targetGUID", some(variable.guid.as_str()))],
    )?;
    out.text(value_element(&variable.kind), vec![], value)?;
    out.close("VariableValue")
}

/// The GUID of a participant's case: recorded at import, else derived.
pub(super) fn case_guid(data: &StudyData<'_>, participant: &str) -> String {
    data.record
        .cases
        .get(participant)
        .and_then(|g| crate::refi::guid::normalise_guid(g))
        .unwrap_or_else(|| data.space.guid("case", participant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_types_follow_every_value() {
        assert_eq!(variable_type(["34", "-2", "0"].into_iter()), "Integer");
        assert_eq!(variable_type(["007"].into_iter()), "Text");
        assert_eq!(variable_type(["1.5", "2"].into_iter()), "Float");
        assert_eq!(variable_type(["true", "false"].into_iter()), "Boolean");
        assert_eq!(variable_type(["2024-11-02"].into_iter()), "Date");
        assert_eq!(variable_type(["2024-13-02"].into_iter()), "Text");
        assert_eq!(variable_type(["", "nurse"].into_iter()), "Text");
        // a recorded type is kept while the values fit it
        assert!(fits("Text", &["34"]));
        assert!(fits("DateTime", &["2024-11-02T10:00:00Z"]));
        assert!(!fits("Integer", &["thirty"]));
    }

    #[test]
    fn dates_are_made_schema_valid() {
        assert_eq!(
            xs_datetime("2025-01-15T10:41:00+01:00").as_deref(),
            Some("2025-01-15T09:41:00Z")
        );
        assert_eq!(
            xs_datetime("2025-03-02").as_deref(),
            Some("2025-03-02T00:00:00Z")
        );
        assert_eq!(xs_datetime("yesterday"), None);
    }
}
