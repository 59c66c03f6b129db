//! "Did you mean …?": the known names closest to one that matched nothing (a misspelt transcript
//! id or code path), for the study's "no transcript" and "no code" errors. Pure: it compares
//! strings and knows nothing of studies.
//!
//! Closeness is the optimal-string-alignment edit distance (insertions, deletions, substitutions
//! and swaps of two neighbours each cost 1: `Transprot` is 1 from `Transport`), ignoring case,
//! between what was typed and each spelling a candidate may be typed as (an id, a name, a path, a
//! file name). A typed path (`Challenges/Transprot`) is also compared by its last part, and a
//! spelling, or a part of a path, that starts with what was typed (three characters or more)
//! counts as 1. A candidate is offered when its distance is at most a third of the length of
//! what it was compared with (at least 1) and at most one more than the closest one's; the
//! closest come first, then those sharing the longest start with what was typed, then in name
//! order.

use std::cmp::Reverse;

/// A name that can be offered, with the spellings it may be typed as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// What the suggestion shows (a transcript id, a code path).
    pub shown: String,
    /// Ways of typing it: the shown form, an id, a name, a file path.
    pub spellings: Vec<String>,
}

/// Up to `max` candidates closest to `typed` (see the module documentation), best first.
pub fn closest(typed: &str, candidates: &[Candidate], max: usize) -> Vec<String> {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() || max == 0 {
        return Vec::new();
    }
    // what was typed, and the last part of a typed path, each with the distance it allows
    let allowed = |q: &str| (q.chars().count() / 3).max(1);
    let mut forms: Vec<&str> = vec![&typed];
    if let Some(last) = typed
        .rsplit('/')
        .next()
        .filter(|l| !l.is_empty() && *l != typed)
    {
        forms.push(last);
    }
    let mut scored: Vec<(usize, usize, &str)> = Vec::new();
    for candidate in candidates {
        let mut best: Option<(usize, usize)> = None;
        for spelling in candidate.spellings.iter().map(|s| s.to_lowercase()) {
            for form in &forms {
                let mut d = distance(form, &spelling);
                let starts = form.chars().count() >= 3
                    && (spelling.starts_with(form)
                        || spelling.split('/').any(|part| part.starts_with(form)));
                if starts {
                    d = d.min(1);
                }
                if d <= allowed(form) {
                    let score = (d, common_start(&typed, &spelling));
                    if best.is_none_or(|(bd, bc)| (score.0, Reverse(score.1)) < (bd, Reverse(bc))) {
                        best = Some(score);
                    }
                }
            }
        }
        if let Some((d, common)) = best {
            if !scored.iter().any(|(_, _, s)| *s == candidate.shown) {
                scored.push((d, common, &candidate.shown));
            }
        }
    }
    scored.sort_by(|a, b| (a.0, Reverse(a.1), a.2).cmp(&(b.0, Reverse(b.1), b.2)));
    let best = scored.first().map_or(0, |s| s.0);
    scored
        .into_iter()
        .take_while(|s| s.0 <= best + 1)
        .take(max)
        .map(|(_, _, s)| s.to_string())
        .collect()
}

/// `; did you mean 'A', 'B' or 'C'?` for an error message, or nothing when there is no
/// suggestion.
pub fn did_you_mean(suggestions: &[String]) -> String {
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("'{s}'")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        [init @ .., last] => format!("; did you mean {} or {last}?", init.join(", ")),
    }
}

/// Characters two strings share at their start.
fn common_start(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Optimal-string-alignment distance between two strings, in characters.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // three rows of the dynamic-programming table: two back, one back, this one
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1)
                .min(row[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut row);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcripts(ids: &[&str]) -> Vec<Candidate> {
        ids.iter()
            .map(|id| Candidate {
                shown: id.to_string(),
                spellings: vec![id.to_string(), format!("transcripts/{id}.txt")],
            })
            .collect()
    }

    #[test]
    fn distances() {
        assert_eq!(distance("transprot", "transport"), 1);
        assert_eq!(distance("lw7-y11", "lw7-y1"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ca", "abc"), 3);
        assert_eq!(distance("siân", "sian"), 1);
    }

    #[test]
    fn transcripts_by_id_and_path() {
        let all = transcripts(&[
            "LW2-y1", "LW2-y2", "LW5-y1", "LW7-y1", "LW7-y2", "LW9-y1", "V1", "V3",
        ]);
        assert_eq!(closest("LW7-y11", &all, 3), ["LW7-y1", "LW7-y2", "LW2-y1"]);
        assert_eq!(closest("lw7-Y1", &all, 3)[0], "LW7-y1");
        assert_eq!(closest("transcripts/LW7-y1.tx", &all, 3)[0], "LW7-y1");
        assert_eq!(closest("V2", &all, 3), ["V1", "V3"]);
        assert!(closest("Q", &all, 3).is_empty());
        assert!(closest("completely different", &all, 3).is_empty());
        assert!(closest("", &all, 3).is_empty());
    }

    #[test]
    fn codes_by_name_path_and_id() {
        let code = |id: &str, path: &str| Candidate {
            shown: path.to_string(),
            spellings: vec![
                id.to_string(),
                path.rsplit('/').next().unwrap_or(path).to_string(),
                path.to_string(),
            ],
        };
        let all = vec![
            code("c01", "Challenges"),
            code("c02", "Challenges/Transport"),
            code("c03", "Challenges/Funding and commissioning"),
            code("c04", "Benefits/Trust"),
        ];
        assert_eq!(closest("Transprot", &all, 3), ["Challenges/Transport"]);
        assert_eq!(
            closest("challenges/transprt", &all, 3),
            ["Challenges/Transport"]
        );
        assert_eq!(
            closest("Funding", &all, 3),
            ["Challenges/Funding and commissioning"]
        );
        // four ids one step away: the first three in name order
        assert_eq!(
            closest("c05", &all, 3),
            [
                "Benefits/Trust",
                "Challenges",
                "Challenges/Funding and commissioning"
            ]
        );
        assert_eq!(closest("Trust", &all, 1), ["Benefits/Trust"]);
    }

    #[test]
    fn messages() {
        assert_eq!(did_you_mean(&[]), "");
        assert_eq!(did_you_mean(&["A".into()]), "; did you mean 'A'?");
        assert_eq!(
            did_you_mean(&["A".into(), "B".into(), "C".into()]),
            "; did you mean 'A', 'B' or 'C'?"
        );
    }
}
