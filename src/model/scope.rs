//! Which transcripts a coding framework is for: a codebook's scope.
//!
//! A study with one framework for link workers and another for volunteers codes each group's
//! interviews with its own framework. The scope says so: an attribute filter (`role = link
//! worker`), transcripts named one by one, or both (a transcript is in scope when it is named
//! or matches every filtered column). No scope means every transcript. Agreement, matrices,
//! theme reports and saturation count a code only over the transcripts in its codebook's scope.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Attributes;

/// The transcripts a codebook is for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Attribute filters: for every column named, the transcript's value must be one of the
    /// values listed (compared ignoring case and surrounding blanks).
    #[serde(default, rename = "where", skip_serializing_if = "BTreeMap::is_empty")]
    pub filters: BTreeMap<String, Vec<String>>,
    /// Transcripts in scope whatever their attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcripts: Vec<String>,
}

impl Scope {
    /// A scope of attribute filters given as `(column, value)` pairs: values of one column
    /// are alternatives, columns must all match.
    pub fn from_filters<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Scope {
        let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (column, value) in pairs {
            let values = filters.entry(column.trim().to_string()).or_default();
            let value = value.trim().to_string();
            if !values.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
                values.push(value);
            }
        }
        Scope {
            filters,
            transcripts: Vec::new(),
        }
    }

    /// Whether the scope leaves nothing out (no filter, no named transcript).
    pub fn is_everything(&self) -> bool {
        self.filters.is_empty() && self.transcripts.is_empty()
    }

    /// Whether a transcript is in scope.
    pub fn contains(&self, transcript: &str, attributes: &Attributes) -> bool {
        if self.is_everything() || self.transcripts.iter().any(|t| t == transcript) {
            return true;
        }
        !self.filters.is_empty()
            && self.filters.iter().all(|(column, values)| {
                let value = if column == "transcript" {
                    Some(transcript)
                } else {
                    attributes.get(transcript, column)
                };
                value.is_some_and(|v| {
                    values
                        .iter()
                        .any(|want| want.trim().to_lowercase() == v.trim().to_lowercase())
                })
            })
    }

    /// The scope in words: `role = link worker`, `role = link worker or manager; LW9-y1`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .filters
            .iter()
            .map(|(column, values)| format!("{column} = {}", values.join(" or ")))
            .collect();
        if !self.transcripts.is_empty() {
            parts.push(self.transcripts.join(", "));
        }
        if parts.is_empty() {
            "every transcript".to_string()
        } else {
            parts.join("; ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes() -> Attributes {
        let mut a = Attributes::default();
        for (t, role) in [
            ("LW1", "link worker"),
            ("V1", "Volunteer"),
            ("M1", "manager"),
        ] {
            a.set(t, "role", role);
        }
        a.set("LW1", "wave", "first year");
        a
    }

    #[test]
    fn filters_named_transcripts_and_everything() {
        let a = attributes();
        let lw = Scope::from_filters([("role", "Link Worker ")]);
        assert!(lw.contains("LW1", &a) && !lw.contains("V1", &a) && !lw.contains("X", &a));
        assert_eq!(lw.describe(), "role = Link Worker");
        let two = Scope::from_filters([("role", "link worker"), ("role", "manager")]);
        assert!(two.contains("M1", &a) && two.contains("LW1", &a) && !two.contains("V1", &a));
        let both = Scope::from_filters([("role", "link worker"), ("wave", "follow-up")]);
        assert!(!both.contains("LW1", &a), "every column must match");
        let named = Scope {
            transcripts: vec!["V1".into()],
            ..lw.clone()
        };
        assert!(named.contains("V1", &a) && named.contains("LW1", &a));
        assert_eq!(named.describe(), "role = Link Worker; V1");
        assert!(Scope::default().contains("anything", &a));
        assert_eq!(Scope::default().describe(), "every transcript");
    }

    #[test]
    fn reads_and_writes_as_the_codebook_stores_it() {
        let lw = Scope::from_filters([("role", "link worker")]);
        let json = serde_json::to_string(&lw).unwrap();
        assert_eq!(json, r#"{"where":{"role":["link worker"]}}"#);
        assert_eq!(serde_json::from_str::<Scope>(&json).unwrap(), lw);
    }
}
