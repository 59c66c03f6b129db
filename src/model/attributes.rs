//! Participant and transcript attributes: `transcripts/attributes.csv`, one row per transcript,
//! any columns, of which `transcript` is required and `participant` expected.

use std::collections::BTreeMap;

/// The attribute table of a study.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    /// Column names in file order, `transcript` first.
    pub columns: Vec<String>,
    /// Values by transcript id, then column.
    pub rows: BTreeMap<String, BTreeMap<String, String>>,
}

impl Attributes {
    /// The value of `column` for `transcript`, if set and non-empty.
    pub fn get(&self, transcript: &str, column: &str) -> Option<&str> {
        self.rows
            .get(transcript)
            .and_then(|row| row.get(column))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The participant of a transcript, falling back to the transcript id.
    pub fn participant<'a>(&'a self, transcript: &'a str) -> &'a str {
        self.get(transcript, "participant").unwrap_or(transcript)
    }

    /// All attributes of a transcript (empty when it has no row).
    pub fn row(&self, transcript: &str) -> BTreeMap<String, String> {
        self.rows.get(transcript).cloned().unwrap_or_default()
    }

    /// Sets one value, adding the column if it is new.
    pub fn set(&mut self, transcript: &str, column: &str, value: &str) {
        if self.columns.is_empty() {
            self.columns.push("transcript".to_string());
        }
        if !self.columns.iter().any(|c| c == column) {
            self.columns.push(column.to_string());
        }
        self.rows
            .entry(transcript.to_string())
            .or_default()
            .insert(column.to_string(), value.to_string());
    }

    /// Whether a value of `column` for `transcript` equals `value` (case-insensitive).
    pub fn matches(&self, transcript: &str, column: &str, value: &str) -> bool {
        if column == "transcript" {
            return transcript.eq_ignore_ascii_case(value);
        }
        self.get(transcript, column)
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
    }

    /// Attribution such as "LW7, first year": the participant and, when present, the wave.
    /// A `{time}` in the template is left out (see [`Attributes::attribution_at`]).
    pub fn attribution(&self, transcript: &str, template: &str) -> String {
        self.attribution_at(transcript, template, None)
    }

    /// Attribution of a quote spoken at `time` (`00:12:31`, `~00:12:31` when interpolated):
    /// "LW7, first year, 00:12:31" from `{participant}, {wave}, {time}`. An attribute column
    /// named `time` keeps its meaning in the template. A placeholder with no value — an empty
    /// cell, a column the study lacks, no time — is dropped with the separator before it (after
    /// it, when it comes first), so "(P01, {wave})" reads "(P01)"; text before the first
    /// placeholder and after the last is kept.
    pub fn attribution_at(&self, transcript: &str, template: &str, time: Option<&str>) -> String {
        let (pieces, names) = split_template(template);
        let values: Vec<String> = names
            .iter()
            .map(|name| self.placeholder(transcript, name, time))
            .collect();
        let mut out = pieces[0].to_string();
        let mut first = true;
        for (i, value) in values.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            if !first {
                out.push_str(pieces[i]);
            }
            out.push_str(value);
            first = false;
        }
        out.push_str(pieces[names.len()]);
        out.trim().to_string()
    }

    /// The value of one placeholder of an attribution template, empty when it has none.
    fn placeholder(&self, transcript: &str, name: &str, time: Option<&str>) -> String {
        match name {
            "participant" => self.participant(transcript).to_string(),
            "transcript" => self
                .get(transcript, "transcript")
                .unwrap_or(transcript)
                .to_string(),
            "time" => self
                .get(transcript, "time")
                .or(time)
                .unwrap_or_default()
                .to_string(),
            column => self.get(transcript, column).unwrap_or_default().to_string(),
        }
    }

    /// The columns an attribution template names that the study lacks (`{time}`,
    /// `{participant}` and `{transcript}` always have a value), each once, in template order.
    pub fn missing_template_columns(&self, template: &str) -> Vec<String> {
        let mut missing: Vec<String> = Vec::new();
        for name in split_template(template).1 {
            let known = matches!(name, "participant" | "transcript" | "time")
                || self.columns.iter().any(|c| c == name);
            if !known && !missing.iter().any(|m| m == name) {
                missing.push(name.to_string());
            }
        }
        missing
    }
}

/// An attribution template cut into literal pieces and placeholder names: `pieces[i]` comes
/// before `names[i]`, and the last piece after the last name (`pieces.len() == names.len() + 1`).
/// A `{` without a closing `}` is literal text.
fn split_template(template: &str) -> (Vec<&str>, Vec<&str>) {
    let mut pieces = Vec::new();
    let mut names = Vec::new();
    let mut rest = template;
    let mut literal_start = 0;
    let mut offset = 0;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(['}', '{']) else {
            break;
        };
        if after.as_bytes()[close] == b'{' {
            // `{ … {`: the first brace is literal; look again from the second
            offset += open + 1 + close;
            rest = &template[offset..];
            continue;
        }
        pieces.push(&template[literal_start..offset + open]);
        names.push(&after[..close]);
        offset += open + 1 + close + 1;
        literal_start = offset;
        rest = &template[offset..];
    }
    pieces.push(&template[literal_start..]);
    (pieces, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_fills_the_template() {
        let mut a = Attributes::default();
        a.set("LW7-y1", "participant", "LW7");
        a.set("LW7-y1", "wave", "first year");
        assert_eq!(
            a.attribution("LW7-y1", "{participant}, {wave}"),
            "LW7, first year"
        );
        assert_eq!(a.attribution("V1", "{participant}, {wave}"), "V1");
        assert!(a.matches("LW7-y1", "wave", "First Year"));
    }

    #[test]
    fn the_time_of_a_quote() {
        let mut a = Attributes::default();
        a.set("LW7-y1", "participant", "LW7");
        a.set("LW7-y1", "wave", "first year");
        let template = "{participant}, {wave}, {time}";
        assert_eq!(
            a.attribution_at("LW7-y1", template, Some("00:12:31")),
            "LW7, first year, 00:12:31"
        );
        assert_eq!(a.attribution("LW7-y1", template), "LW7, first year");
        assert_eq!(
            a.attribution_at("V1", template, Some("~00:01:05")),
            "V1, ~00:01:05"
        );
        // a study's own `time` column keeps its meaning
        a.set("LW7-y1", "time", "morning");
        assert_eq!(
            a.attribution_at("LW7-y1", template, Some("00:12:31")),
            "LW7, first year, morning"
        );
    }

    #[test]
    fn a_missing_attribute_drops_its_placeholder_and_separator() {
        let mut a = Attributes::default();
        a.set("P01-y1", "participant", "P01");
        a.set("P01-y1", "role", "");
        // the column the study lacks, in brackets
        assert_eq!(a.attribution("P01-y1", "({participant}, {wave})"), "(P01)");
        // an empty cell, first or in the middle, and other separators
        assert_eq!(a.attribution("P01-y1", "{role} – {participant}"), "P01");
        assert_eq!(
            a.attribution_at("P01-y1", "{participant}; {role}; {time}", Some("00:01:02")),
            "P01; 00:01:02"
        );
        // values with commas are left whole
        a.set("P01-y1", "site", "Leeds, UK");
        assert_eq!(
            a.attribution("P01-y1", "{participant}, {site}, {time}"),
            "P01, Leeds, UK"
        );
        // an unclosed brace is text
        assert_eq!(a.attribution("P01-y1", "{participant} {x"), "P01 {x");
    }

    #[test]
    fn the_columns_a_template_names_that_the_study_lacks() {
        let mut a = Attributes::default();
        a.set("P01-y1", "participant", "P01");
        a.set("P01-y1", "role", "volunteer");
        assert_eq!(
            a.missing_template_columns("{participant}, {wave}, {role}, {time}, {wave}"),
            ["wave"]
        );
    }
}
