//! Rolling codes up to their top-level themes (`--level theme`).

use std::collections::{BTreeMap, BTreeSet};

use super::Interview;

/// Rolls every code up to its top-level theme (`--level theme`). `parents` maps a code id to
/// its parent id (`None` at the top). Codes missing from `parents` stay as they are; a cycle
/// (a broken codebook) stops at the last code before the repeat.
pub fn roll_up_to_themes(
    interviews: &[Interview],
    parents: &BTreeMap<String, Option<String>>,
) -> Vec<Interview> {
    interviews
        .iter()
        .map(|i| Interview {
            transcript: i.transcript.clone(),
            coded: i.coded,
            codes: i.codes.iter().map(|c| theme_of(c, parents)).collect(),
        })
        .collect()
}

fn theme_of(code: &str, parents: &BTreeMap<String, Option<String>>) -> String {
    let mut current = code;
    let mut visited: BTreeSet<&str> = BTreeSet::new();
    visited.insert(current);
    while let Some(Some(parent)) = parents.get(current) {
        if !visited.insert(parent.as_str()) {
            break;
        }
        current = parent;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_roll_up_survives_a_cycle() {
        let parents: BTreeMap<String, Option<String>> = [
            ("a".to_string(), Some("b".to_string())),
            ("b".to_string(), Some("a".to_string())),
        ]
        .into_iter()
        .collect();
        assert_eq!(theme_of("a", &parents), "b");
        assert_eq!(theme_of("unknown", &parents), "unknown");
    }
}
