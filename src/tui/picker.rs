//! Fuzzy matching of code paths for the code picker: type a few letters of any part of
//! `Theme/Sub-theme/Code` and the best matches rise to the top.
//!
//! Pure: takes the query and candidates, returns scores and the matched character positions
//! (for highlighting). Each space-separated word of the query must match on its own.

/// A match: its score (higher is better) and the matched character positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Higher is better.
    pub score: i64,
    /// Character (not byte) positions in the candidate that matched.
    pub positions: Vec<usize>,
}

fn boundary(chars: &[char], i: usize) -> bool {
    i == 0 || matches!(chars[i - 1], '/' | ' ' | '-' | '_' | '(' | '\'')
}

/// Best subsequence match of one lowercase word, trying each starting occurrence.
fn match_word(word: &[char], hay: &[char]) -> Option<(i64, Vec<usize>)> {
    let first = *word.first()?;
    let mut best: Option<(i64, Vec<usize>)> = None;
    for start in (0..hay.len()).filter(|&i| hay[i] == first) {
        let mut positions = vec![start];
        let mut at = start + 1;
        for &c in &word[1..] {
            match (at..hay.len()).find(|&i| hay[i] == c) {
                Some(i) => {
                    positions.push(i);
                    at = i + 1;
                }
                None => break,
            }
        }
        if positions.len() < word.len() {
            break; // later starts cannot succeed either
        }
        let mut score = 0i64;
        for (k, &p) in positions.iter().enumerate() {
            score += 16;
            if boundary(hay, p) {
                score += 12;
            }
            if k > 0 {
                let gap = p - positions[k - 1] - 1;
                if gap == 0 {
                    score += 10;
                } else {
                    score -= gap.min(10) as i64;
                }
            }
        }
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, positions));
        }
    }
    best
}

/// Matches `query` against `candidate`, case-insensitively; `None` when some word is missing.
/// An empty query matches everything with score 0. A `Codebook: ` prefix on the candidate is
/// matched only when the code path alone does not match, and then ranks lower, so "work"
/// finds "Workload" before every code of the "Link workers" codebook.
pub fn fuzzy(query: &str, candidate: &str) -> Option<Match> {
    if let Some(split) = candidate.find(": ") {
        let path = &candidate[split + 2..];
        if let Some(mut m) = fuzzy_path(query, path) {
            let shift = candidate[..split + 2].chars().count();
            for p in &mut m.positions {
                *p += shift;
            }
            return Some(m);
        }
        return fuzzy_path(query, candidate).map(|mut m| {
            m.score -= 40;
            m
        });
    }
    fuzzy_path(query, candidate)
}

fn fuzzy_path(query: &str, candidate: &str) -> Option<Match> {
    let hay: Vec<char> = candidate.chars().flat_map(char::to_lowercase).collect();
    // lowercase expansions are rare in code names; fall back to the raw text if lengths differ
    let hay = if hay.len() == candidate.chars().count() {
        hay
    } else {
        candidate.chars().collect()
    };
    let mut score = 0;
    let mut positions = Vec::new();
    for word in query.split_whitespace() {
        let word: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
        let (s, p) = match_word(&word, &hay)?;
        score += s;
        positions.extend(p);
    }
    // prefer matches in the last part of the path (the code's own name)
    let last_part = candidate
        .rfind('/')
        .map_or(0, |b| candidate[..b].chars().count() + 1);
    if positions.iter().any(|&p| p >= last_part) {
        score += 8;
    }
    score -= (hay.len() / 8) as i64;
    positions.sort_unstable();
    positions.dedup();
    Some(Match { score, positions })
}

/// Candidates matching `query`, best first (ties keep candidate order): `(index, match)`.
pub fn rank<'a>(query: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<(usize, Match)> {
    let mut out: Vec<(usize, Match)> = candidates
        .enumerate()
        .filter_map(|(i, c)| fuzzy(query, c).map(|m| (i, m)))
        .collect();
    if !query.trim().is_empty() {
        out.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(a.0.cmp(&b.0)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codebook_prefix_ranks_below_the_code_path() {
        let labels = [
            "Link workers: Outcomes",
            "Link workers: Challenges/Workload and caseload",
        ];
        let ranked = rank("work", labels.iter().copied());
        assert_eq!(ranked[0].0, 1, "{ranked:?}");
        assert_eq!(ranked.len(), 2, "the prefix still matches as a fallback");
    }

    #[test]
    fn subsequences_match_and_rank() {
        let paths = [
            "Challenges/Transport",
            "Challenges/Inappropriate referrals",
            "Outcomes/Trust",
        ];
        let ranked = rank("tra", paths.iter().copied());
        assert_eq!(ranked[0].0, 0, "Transport starts with tra");
        assert!(fuzzy("xyz", paths[0]).is_none());
        assert_eq!(fuzzy("ch tr", paths[0]).unwrap().positions.len(), 4);
        assert_eq!(rank("", paths.iter().copied()).len(), 3);
        let m = fuzzy("TRUST", paths[2]).unwrap();
        assert_eq!(m.positions, vec![9, 10, 11, 12, 13]);
    }
}
