//! What the search pane asks of a search engine, and the two engines: [`IndexSearch`] over the
//! study's tantivy index (turns and coded segments, the full query language), and [`Substring`],
//! a plain case-insensitive scan that needs no index and stands in when the index cannot open.
//!
//! The pane talks only to the [`Searcher`] trait. Neither engine writes study files; the index
//! keeps its own derived folder through `crate::index`.

use crate::index::{HitKind, Index};
use crate::study::Study;

/// One place a query was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// Transcript id.
    pub transcript: String,
    /// 1-based turn number.
    pub turn: usize,
    /// Code-point offset where the match starts.
    pub start: usize,
    /// Code-point offset where the match ends.
    pub end: usize,
    /// Speaker of the turn, if any.
    pub speaker: Option<String>,
    /// The match in its context.
    pub snippet: String,
    /// Byte ranges of `snippet` to highlight.
    pub highlights: Vec<(usize, usize)>,
    /// For a coded segment found: its code id and coder.
    pub segment: Option<(String, String)>,
}

/// Results of one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResults {
    /// How many matches there are in all.
    pub total: usize,
    /// The first `limit` of them.
    pub hits: Vec<SearchHit>,
    /// Something the user should know about how the search ran.
    pub note: Option<String>,
}

/// A search engine the search pane can query as the user types.
pub trait Searcher {
    /// The first `limit` matches of `query`, and how many there are; errors become a message.
    fn search(&mut self, study: &Study, query: &str, limit: usize)
        -> Result<SearchResults, String>;

    /// The study changed (a coding, a code renamed): refresh before the next search.
    fn changed(&mut self) {}
}

/// Search through the study's tantivy index, opened on the first query and refreshed
/// (incrementally) on the first query after a change.
#[derive(Debug, Default)]
pub struct IndexSearch {
    index: Option<Index>,
    stale: bool,
}

impl IndexSearch {
    /// An engine that opens the index when first asked.
    pub fn new() -> Self {
        IndexSearch::default()
    }
}

/// Code points of the first occurrence of `word` inside `[start, end)` of a transcript.
fn locate_word(
    study: &Study,
    transcript: &str,
    start: usize,
    end: usize,
    word: &str,
) -> Option<(usize, usize)> {
    let t = study.transcript(transcript).ok()?;
    let a = t.index.byte_of(&t.text, start);
    let b = t.index.byte_of(&t.text, end);
    let (ws, we) = *find_all(t.text.get(a..b)?, word).first()?;
    Some((
        t.index.char_of(&t.text, a + ws),
        t.index.char_of(&t.text, a + we),
    ))
}

impl Searcher for IndexSearch {
    fn search(
        &mut self,
        study: &Study,
        query: &str,
        limit: usize,
    ) -> Result<SearchResults, String> {
        if query.trim().is_empty() {
            return Ok(SearchResults::default());
        }
        if self.index.is_none() || self.stale {
            match Index::open(study, false) {
                Ok((index, _)) => {
                    self.index = Some(index);
                    self.stale = false;
                }
                Err(e) => {
                    let mut results = Substring.search(study, query, limit)?;
                    results.note = Some(format!("plain text search: the index did not open ({e})"));
                    return Ok(results);
                }
            }
        }
        let Some(index) = &self.index else {
            return Ok(SearchResults::default());
        };
        let found = index
            .search(study, query, limit)
            .map_err(|e| e.to_string())?;
        let hits = found
            .hits
            .into_iter()
            .map(|hit| {
                let word = hit
                    .snippet
                    .highlights
                    .first()
                    .and_then(|&(a, b)| hit.snippet.text.get(a..b))
                    .map(str::to_string);
                // a turn jumps to its first matched word; a segment to the whole segment
                let (start, end) = match (hit.kind, word) {
                    (HitKind::Turn, Some(w)) => {
                        locate_word(study, &hit.transcript, hit.start, hit.end, &w)
                            .unwrap_or((hit.start, hit.end))
                    }
                    _ => (hit.start, hit.end),
                };
                let segment = match (hit.kind, hit.code, hit.coder) {
                    (HitKind::Segment, Some(code), Some(coder)) => Some((code, coder)),
                    _ => None,
                };
                SearchHit {
                    transcript: hit.transcript,
                    turn: hit.turn,
                    start,
                    end,
                    speaker: hit.speaker,
                    snippet: hit.snippet.text,
                    highlights: hit.snippet.highlights,
                    segment,
                }
            })
            .collect();
        Ok(SearchResults {
            total: found.total,
            hits,
            note: None,
        })
    }

    fn changed(&mut self) {
        self.stale = true;
    }
}

/// Case-insensitive substring search over the transcripts, no index needed.
#[derive(Debug, Default)]
pub struct Substring;

/// Characters of context shown on each side of a match.
const CONTEXT: usize = 40;

fn fold(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Byte ranges where `needle` occurs in `hay`, ignoring case.
pub fn find_all(hay: &str, needle: &str) -> Vec<(usize, usize)> {
    let needle: Vec<char> = needle.chars().map(fold).collect();
    let Some(&first) = needle.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut from = 0;
    while from < hay.len() {
        let Some((pos, _)) = hay[from..].char_indices().find(|&(_, c)| fold(c) == first) else {
            break;
        };
        let start = from + pos;
        let mut chars = hay[start..].char_indices();
        let mut end = None;
        for (k, &want) in needle.iter().enumerate() {
            match chars.next() {
                Some((_, c)) if fold(c) == want => {
                    if k + 1 == needle.len() {
                        end = Some(start + chars.offset());
                    }
                }
                _ => break,
            }
        }
        let step = hay[start..].chars().next().map_or(1, char::len_utf8);
        match end {
            Some(e) => {
                out.push((start, e));
                from = e;
            }
            None => from = start + step,
        }
    }
    out
}

fn snippet(text: &str, start: usize, end: usize) -> (String, (usize, usize)) {
    let before: usize = text[..start]
        .char_indices()
        .rev()
        .take(CONTEXT)
        .last()
        .map_or(start, |(i, _)| i);
    let after = text[end..]
        .char_indices()
        .nth(CONTEXT)
        .map_or(text.len(), |(i, _)| end + i);
    let mut out = String::new();
    if before > 0 {
        out.push('…');
    }
    let lead = out.len();
    let raw = &text[before..after];
    out.push_str(&raw.replace('\n', " "));
    if after < text.len() {
        out.push('…');
    }
    (out, (lead + start - before, lead + end - before))
}

impl Searcher for Substring {
    fn search(
        &mut self,
        study: &Study,
        query: &str,
        limit: usize,
    ) -> Result<SearchResults, String> {
        let query = query.trim();
        let mut results = SearchResults::default();
        if query.is_empty() {
            return Ok(results);
        }
        for transcript in study.each_transcript() {
            let transcript = transcript.map_err(|e| e.to_string())?;
            let text = &transcript.text;
            for (start, end) in find_all(text, query) {
                results.total += 1;
                if results.hits.len() >= limit {
                    continue;
                }
                let cp_start = transcript.index.char_of(text, start);
                let cp_end = transcript.index.char_of(text, end);
                let turn = transcript.turn_at(cp_start);
                let (snippet, hl) = match turn {
                    Some(t) => {
                        let ts = transcript.index.byte_of(text, t.start);
                        let te = transcript.index.byte_of(text, t.end).max(end);
                        snippet(&text[ts..te], start - ts, end - ts)
                    }
                    None => snippet(text, start, end),
                };
                results.hits.push(SearchHit {
                    transcript: transcript.id.clone(),
                    turn: turn.map_or(0, |t| t.number),
                    start: cp_start,
                    end: cp_end,
                    speaker: turn.and_then(|t| t.speaker.clone()),
                    snippet,
                    highlights: vec![hl],
                    segment: None,
                });
            }
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_without_case_and_keeps_byte_ranges() {
        let hay = "Café CAFÉ café";
        let hits = find_all(hay, "café");
        assert_eq!(hits.len(), 3);
        for (a, b) in hits {
            assert_eq!(hay[a..b].to_lowercase(), "café");
        }
        assert!(find_all(hay, "").is_empty());
        assert!(find_all(hay, "tea").is_empty());
    }

    #[test]
    fn snippets_mark_the_match() {
        let text = "x".repeat(100) + "needle" + &"y".repeat(100);
        let (s, (a, b)) = snippet(&text, 100, 106);
        assert_eq!(&s[a..b], "needle");
        assert!(s.starts_with('…') && s.ends_with('…'));
    }
}
