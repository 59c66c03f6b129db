//! Keyword-in-context snippets: the ~160 characters of a turn or segment around the words a
//! query matched, with the matched words marked as byte ranges.
//!
//! The text comes from the study in memory (the index stores only ids and offsets). This module
//! computes strings and ranges; it does not search.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use crate::index::schema::{stemmed_analyser, words_analyser};
use crate::index::vocabulary::stem_of;

/// Target length of a snippet, in bytes of the original text (≈ characters for most speech).
pub const SNIPPET_WIDTH: usize = 160;
/// Marks text cut off at either end of a snippet.
const ELLIPSIS: &str = "…";
/// Distinct words whose stems are remembered before the memory is cleared.
const STEM_MEMORY: usize = 200_000;

/// A keyword-in-context extract.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Snippet {
    /// The extract, `…` marking cut ends, line breaks as spaces.
    pub text: String,
    /// Byte ranges of `text` holding the words the query matched, in order, not overlapping.
    pub highlights: Vec<(usize, usize)>,
}

/// Stems of words seen before: stemming is the costly step of highlighting.
pub(crate) struct Stems {
    analyser: TextAnalyzer,
    memory: HashMap<String, String>,
    /// English stems keep their word's first letter, which lets most words skip stemming.
    english: bool,
}

impl Stems {
    /// Stems for the study's stemming language.
    pub fn new(language: Option<tantivy::tokenizer::Language>) -> Self {
        Stems {
            analyser: stemmed_analyser(language),
            memory: HashMap::new(),
            english: matches!(language, Some(tantivy::tokenizer::Language::English)),
        }
    }

    /// The stem of one lowercased word.
    pub fn stem(&mut self, word: &str) -> String {
        if let Some(stem) = self.memory.get(word) {
            return stem.clone();
        }
        let stem = stem_of(&mut self.analyser, word);
        if self.memory.len() >= STEM_MEMORY {
            self.memory.clear();
        }
        self.memory.insert(word.to_string(), stem.clone());
        stem
    }
}

/// Finds the words of a text that match a query and cuts the snippet around them.
pub(crate) struct Highlighter<'a> {
    stemmed: HashSet<String>,
    exact: HashSet<String>,
    prefixes: Vec<String>,
    first_letters: HashSet<char>,
    words: TextAnalyzer,
    stems: &'a Mutex<Stems>,
}

impl<'a> Highlighter<'a> {
    /// A highlighter for a set of stems.
    pub fn new(stemmed: HashSet<String>, exact: HashSet<String>, stems: &'a Mutex<Stems>) -> Self {
        let first_letters = stemmed.iter().filter_map(|s| s.chars().next()).collect();
        Highlighter {
            stemmed,
            exact,
            prefixes: Vec::new(),
            first_letters,
            words: words_analyser(),
            stems,
        }
    }

    /// Also marks words that begin with one of `prefixes` (lowercased).
    pub fn with_prefixes(mut self, prefixes: Vec<String>) -> Self {
        self.prefixes = prefixes;
        self
    }

    /// Byte ranges of the matching words of `text`.
    pub fn marks(&self, text: &str) -> Vec<(usize, usize)> {
        if self.stemmed.is_empty() && self.exact.is_empty() && self.prefixes.is_empty() {
            return Vec::new();
        }
        let mut marks = Vec::new();
        let mut words = self.words.clone();
        let mut stream = words.token_stream(text);
        // a poisoned lock only means another search panicked mid-stem; the memory is still valid
        let mut stems = self
            .stems
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        while stream.advance() {
            let token = stream.token();
            let hit = self.exact.contains(&token.text)
                || self
                    .prefixes
                    .iter()
                    .any(|p| token.text.starts_with(p.as_str()))
                || (!self.stemmed.is_empty()
                    && (!stems.english
                        || token.text.chars().next().is_some_and(|c| {
                            // an accented first letter may fold to one of the stems' letters
                            !c.is_ascii() || self.first_letters.contains(&c)
                        }))
                    && self.stemmed.contains(&stems.stem(&token.text)));
            if hit {
                marks.push((token.offset_from, token.offset_to));
            }
        }
        marks
    }

    /// The snippet of `text` for this query.
    pub fn snippet(&self, text: &str) -> Snippet {
        kwic(text, &self.marks(text), SNIPPET_WIDTH)
    }
}

/// Cuts about `width` bytes of `text` around the densest run of `marks` (byte ranges of matched
/// words, in order), at word boundaries; without marks, the beginning of the text.
pub fn kwic(text: &str, marks: &[(usize, usize)], width: usize) -> Snippet {
    let text_len = text.len();
    let (mut start, mut end, chosen) = if marks.is_empty() {
        (0, width.min(text_len), &marks[..0])
    } else {
        // the window of `width` bytes holding the most marks (two pointers)
        let (mut best_from, mut best_count, mut to) = (0, 0, 0);
        for from in 0..marks.len() {
            to = to.max(from);
            while to < marks.len() && marks[to].1 - marks[from].0 <= width {
                to += 1;
            }
            if to - from > best_count {
                best_count = to - from;
                best_from = from;
            }
        }
        let best_count = best_count.max(1);
        let chosen = &marks[best_from..best_from + best_count];
        let first = chosen[0].0;
        let last = chosen[chosen.len() - 1].1;
        let slack = width.saturating_sub(last - first);
        let mut start = first.saturating_sub(slack / 2);
        let end = (start + width).max(last).min(text_len);
        if end - start < width {
            start = end.saturating_sub(width).min(first);
        }
        (start, end, chosen)
    };
    // cut at word boundaries, never inside a marked word or a character
    if start > 0 {
        let limit = chosen.first().map_or(end, |m| m.0);
        start = floor_boundary(text, start);
        if let Some(space) = text[start..limit].find(char::is_whitespace) {
            start += space;
        }
        start = start.min(limit);
    }
    if end < text_len {
        let limit = chosen.last().map_or(start, |m| m.1);
        end = floor_boundary(text, end).max(limit);
        if let Some(space) = text[limit..end].rfind(char::is_whitespace) {
            end = limit + space;
        }
    }
    let body = text[start..end].trim_start();
    let start = end - body.len();
    let body = body.trim_end();
    let end = start + body.len();
    let mut out = String::with_capacity(body.len() + 2 * ELLIPSIS.len());
    if start > 0 {
        out.push_str(ELLIPSIS);
    }
    let shift = out.len();
    out.extend(body.chars().map(|c| if c.is_control() { ' ' } else { c }));
    if end < text_len {
        out.push_str(ELLIPSIS);
    }
    let highlights = marks
        .iter()
        .filter(|m| m.0 >= start && m.1 <= end)
        .map(|m| (m.0 - start + shift, m.1 - start + shift))
        .collect();
    Snippet {
        text: out,
        highlights,
    }
}

fn floor_boundary(text: &str, mut byte: usize) -> usize {
    byte = byte.min(text.len());
    while byte > 0 && !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// Common English words left out of more-like-this queries and their highlights.
pub(crate) const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does",
    "doing", "don", "down", "even", "for", "from", "get", "got", "had", "has", "have", "having",
    "he", "her", "here", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just",
    "know", "like", "ll", "me", "mean", "more", "my", "no", "not", "now", "of", "off", "oh", "ok",
    "on", "one", "only", "or", "other", "our", "out", "over", "re", "really", "s", "said", "say",
    "she", "so", "some", "t", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "thing", "things", "think", "this", "those", "to", "too", "um", "uh", "up", "us", "ve",
    "very", "was", "we", "well", "were", "what", "when", "where", "which", "who", "why", "will",
    "with", "would", "yeah", "yes", "you", "your",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(s: &Snippet) -> String {
        let mut out = String::new();
        let mut at = 0;
        for &(a, b) in &s.highlights {
            out.push_str(&s.text[at..a]);
            out.push('[');
            out.push_str(&s.text[a..b]);
            out.push(']');
            at = b;
        }
        out.push_str(&s.text[at..]);
        out
    }

    #[test]
    fn short_texts_are_whole() {
        let text = "LW7 said the bus\nstopped.";
        let s = kwic(text, &[(13, 16)], 160);
        assert_eq!(marked(&s), "LW7 said the [bus] stopped.");
    }

    #[test]
    fn long_texts_are_cut_around_the_densest_matches() {
        let text = format!(
            "{} the bus and the bus again {}",
            "word ".repeat(60),
            "tail ".repeat(60)
        );
        let first = text.find("bus").unwrap();
        let second = text.rfind("bus").unwrap();
        let s = kwic(&text, &[(first, first + 3), (second, second + 3)], 60);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        assert_eq!(s.highlights.len(), 2);
        assert!(marked(&s).contains("the [bus] and the [bus] again"));
        assert!(s.text.len() <= 60 + 2 * ELLIPSIS.len());
        for &(a, b) in &s.highlights {
            assert_eq!(&s.text[a..b], "bus");
        }
    }

    #[test]
    fn without_matches_the_snippet_is_the_beginning() {
        let text = "é".repeat(200);
        let s = kwic(&text, &[], 161);
        assert!(s.text.ends_with('…'));
        assert!(s.highlights.is_empty());
    }
}
