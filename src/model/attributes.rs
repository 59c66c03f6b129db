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
    /// named `time` keeps its meaning in the template; empty values leave no stray commas.
    pub fn attribution_at(&self, transcript: &str, template: &str, time: Option<&str>) -> String {
        let mut out = template.to_string();
        let row = self.row(transcript);
        for column in self
            .columns
            .iter()
            .chain(["participant".to_string()].iter())
        {
            let key = format!("{{{column}}}");
            if out.contains(&key) {
                let value = if column == "participant" {
                    self.participant(transcript).to_string()
                } else {
                    row.get(column).cloned().unwrap_or_default()
                };
                out = out.replace(&key, &value);
            }
        }
        out = out.replace("{transcript}", transcript);
        out = out.replace("{time}", time.unwrap_or(""));
        // tidy separators left by empty values: "LW7, " -> "LW7"
        let parts: Vec<&str> = out
            .split(", ")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        parts.join(", ")
    }
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
}
