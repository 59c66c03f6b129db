//! The index's vocabulary grouped by stem: every word the `text` field holds, so that a stemmed
//! query word (`buses` → stem `bus`) can search every written form with that stem (`bus`,
//! `buses`, `bused`) while the index keeps each word once, as written.
//!
//! Kept in `words.tsv` in the index folder, one `stem<TAB>word` line per word. A full build
//! writes it from the term dictionary; a refresh appends the words it added. Derived data: a
//! missing file is rebuilt from the index, a torn last line is ignored, and words no longer in
//! the index only cost a term lookup that finds nothing.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use tantivy::schema::Field;
use tantivy::tokenizer::{Language, TextAnalyzer};
use tantivy::Searcher;

use crate::index::schema::stemmed_analyser;
use crate::index::IndexError;
use crate::study::atomic::write_atomic;

/// The vocabulary file inside the index folder.
pub(crate) const VOCABULARY_FILE: &str = "words.tsv";

/// Every indexed word, by stem: the file's lines, searched for the few stems a query has
/// (building a map of every word cost more than the search itself in a short-lived process).
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    /// `stem<TAB>word` lines, each ending in a newline.
    lines: String,
}

impl Vocabulary {
    /// The written forms of a stem in the index, sorted (none when no indexed word has it).
    pub fn forms(&self, stem: &str) -> Vec<String> {
        if stem.is_empty() {
            return Vec::new();
        }
        let key = format!("\n{stem}\t");
        let text = self.lines.as_bytes();
        let mut out: Vec<String> = Vec::new();
        // the text starts with a newline (see `from_lines`), so every line is found the same way
        for at in memchr::memmem::find_iter(text, key.as_bytes()) {
            let from = at + key.len();
            let to = memchr::memchr(b'\n', &text[from..]).map_or(text.len(), |i| from + i);
            if let Some(word) = self.lines.get(from..to).filter(|w| !w.is_empty()) {
                out.push(word.to_string());
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A vocabulary of file text; a last line cut short by a crash (no newline) is left out.
    fn from_lines(text: &str) -> Vocabulary {
        let complete = text.rfind('\n').map_or("", |i| &text[..=i]);
        let mut lines = String::with_capacity(complete.len() + 1);
        lines.push('\n');
        lines.push_str(complete);
        Vocabulary { lines }
    }

    /// Reads the vocabulary file of an index folder; `None` when there is none.
    pub fn load(dir: &Path) -> Result<Option<Vocabulary>, IndexError> {
        let path = dir.join(VOCABULARY_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(IndexError::Io { path, source }),
        };
        Ok(Some(Vocabulary::from_lines(&text)))
    }

    /// The vocabulary of the `text` field of an index, read from its term dictionaries, written
    /// to the folder's vocabulary file.
    pub fn rebuild(
        searcher: &Searcher,
        text: Field,
        language: Option<Language>,
        dir: &Path,
    ) -> Result<Vocabulary, IndexError> {
        let failed = |source| IndexError::Io {
            path: dir.join(VOCABULARY_FILE),
            source,
        };
        let mut words: HashSet<String> = HashSet::new();
        for reader in searcher.segment_readers() {
            let inverted = reader
                .inverted_index(text)
                .map_err(|e| IndexError::Tantivy {
                    path: dir.to_path_buf(),
                    source: e,
                })?;
            let mut stream = inverted.terms().stream().map_err(failed)?;
            while stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    if !words.contains(word) {
                        words.insert(word.to_string());
                    }
                }
            }
        }
        let mut stemmer = stemmed_analyser(language);
        let mut lines: Vec<(String, String)> = words
            .into_iter()
            .map(|word| (stem_of(&mut stemmer, &word), word))
            .collect();
        lines.sort_unstable();
        let mut file = String::with_capacity(lines.len() * 16);
        for (stem, word) in lines {
            file.push_str(&stem);
            file.push('\t');
            file.push_str(&word);
            file.push('\n');
        }
        write_atomic(&dir.join(VOCABULARY_FILE), file.as_bytes())?;
        Ok(Vocabulary::from_lines(&file))
    }

    /// Appends to the vocabulary file of `dir` the `words` that `known` says the index did not
    /// hold before (a refresh's new words).
    pub fn append_new(
        dir: &Path,
        words: &HashSet<String>,
        known: &dyn Fn(&str) -> bool,
        language: Option<Language>,
    ) -> Result<usize, IndexError> {
        let mut fresh: Vec<&String> = words.iter().filter(|w| !known(w)).collect();
        if fresh.is_empty() {
            return Ok(0);
        }
        fresh.sort_unstable();
        let mut stemmer = stemmed_analyser(language);
        let mut lines = String::new();
        for word in &fresh {
            lines.push_str(&stem_of(&mut stemmer, word));
            lines.push('\t');
            lines.push_str(word);
            lines.push('\n');
        }
        let path: PathBuf = dir.join(VOCABULARY_FILE);
        let io = |source| IndexError::Io {
            path: path.clone(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io)?;
        file.write_all(lines.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(fresh.len())
    }
}

/// Spellings of the other grammatical number of an English word that its stem misses: Snowball
/// stems `buses` to `buse` but `bus` to `bus`, so a plural in `-es` after `s`, `x`, `z`, `ch`
/// or `sh` is also looked up without `-es`, and such a singular with it. Other plurals share
/// their singular's stem already (`referrals`, `houses`, `cases`).
pub(crate) fn number_variants(word: &str) -> Vec<String> {
    const SIBILANTS: [&str; 5] = ["s", "x", "z", "ch", "sh"];
    if let Some(singular) = word.strip_suffix("es") {
        if singular.len() >= 2 && SIBILANTS.iter().any(|s| singular.ends_with(s)) {
            return vec![singular.to_string()];
        }
    }
    if word.len() >= 3 && SIBILANTS.iter().any(|s| word.ends_with(s)) {
        return vec![format!("{word}es")];
    }
    Vec::new()
}

/// The stem of one lowercased word (the word itself when the analyser drops it).
pub(crate) fn stem_of(stemmer: &mut TextAnalyzer, word: &str) -> String {
    let mut stream = stemmer.token_stream(word);
    if stream.advance() {
        stream.token().text.clone()
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_in_es_meet_their_singulars() {
        assert_eq!(number_variants("buses"), ["bus"]);
        assert_eq!(number_variants("bus"), ["buses"]);
        assert_eq!(number_variants("churches"), ["church"]);
        assert_eq!(number_variants("box"), ["boxes"]);
        assert!(number_variants("new").is_empty());
        assert!(number_variants("es").is_empty());
    }

    #[test]
    fn load_skips_torn_lines_and_groups_forms() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(VOCABULARY_FILE),
            "bus\tbuses\nbus\tbus\nbus\tbuses\nstop\tstop\nwait",
        )
        .unwrap();
        let v = Vocabulary::load(dir.path()).unwrap().unwrap();
        assert_eq!(v.forms("bus"), ["bus".to_string(), "buses".to_string()]);
        assert!(v.forms("bu").is_empty() && v.forms("us").is_empty());
        assert_eq!(v.forms("stop"), ["stop".to_string()]);
        assert!(v.forms("wait").is_empty());
        assert!(Vocabulary::load(&dir.path().join("none"))
            .unwrap()
            .is_none());
    }

    #[test]
    fn appends_only_unknown_words_with_their_stems() {
        let dir = tempfile::tempdir().unwrap();
        let words: HashSet<String> = ["buses", "stop", "running"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let added = Vocabulary::append_new(
            dir.path(),
            &words,
            &|w| w == "stop",
            Some(Language::English),
        )
        .unwrap();
        assert_eq!(added, 2);
        let v = Vocabulary::load(dir.path()).unwrap().unwrap();
        let mut stemmer = stemmed_analyser(Some(Language::English));
        assert_eq!(
            v.forms(&stem_of(&mut stemmer, "buses")),
            ["buses".to_string()]
        );
        assert_eq!(v.forms("run"), ["running".to_string()]);
        assert!(v.forms("stop").is_empty());
    }
}
