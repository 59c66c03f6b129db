//! The SQLite FTS5 baseline: the same documents thema indexes — every paragraph of every
//! transcript and every coded segment, with speaker, coder, code (and its ancestors, so a theme
//! finds its sub-codes) and the transcript's attributes — in an FTS5 table with the Porter
//! stemmer, queried for a count and the 50 best by BM25 with a snippet.
//!
//! It owns the benchmark's SQLite file; it never touches the study's files.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params_from_iter, Connection};
use thema::study::Study;

/// Column name of an attribute in the FTS5 table: lowercase letters, digits and `_`.
pub fn column_name(attribute: &str) -> String {
    attribute
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Builds the FTS5 database at `path` (replacing any) from the study; returns the documents.
pub fn build(study: &Study, path: &Path) -> rusqlite::Result<usize> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")?;
    let attributes: Vec<String> = study
        .attributes
        .columns
        .iter()
        .filter(|c| c.as_str() != "transcript")
        .cloned()
        .collect();
    let mut columns: Vec<String> = ["text", "kind", "transcript", "speaker", "coder", "code"]
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect();
    for c in ["segment", "turn", "start", "end"] {
        columns.push(format!("\"{c}\" UNINDEXED"));
    }
    for a in &attributes {
        columns.push(format!("\"{}\"", column_name(a)));
    }
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE docs USING fts5({}, tokenize = 'porter unicode61 remove_diacritics 2');",
        columns.join(", ")
    ))?;
    // a code and its ancestors, so `code : THEME` finds every segment beneath the theme
    let mut lineage: HashMap<&str, String> = HashMap::new();
    for book in &study.codebooks {
        for code in &book.codebook.codes {
            let mut ids = vec![code.id.clone()];
            ids.extend(
                book.codebook
                    .ancestors(&code.id)
                    .iter()
                    .map(|c| c.id.clone()),
            );
            lineage.insert(code.id.as_str(), ids.join(" "));
        }
    }
    let tx = conn.transaction()?;
    let mut docs = 0;
    {
        let placeholders = vec!["?"; 10 + attributes.len()].join(", ");
        let mut insert = tx.prepare(&format!("INSERT INTO docs VALUES ({placeholders})"))?;
        let mut row: Vec<String> = Vec::with_capacity(10 + attributes.len());
        let fill_attributes = |row: &mut Vec<String>, transcript: &str| {
            for a in &attributes {
                row.push(
                    study
                        .attributes
                        .get(transcript, a)
                        .unwrap_or("")
                        .to_string(),
                );
            }
        };
        for t in &study.all_transcripts().unwrap() {
            for turn in &t.turns {
                row.clear();
                row.push(t.body(turn).to_string());
                row.push("turn".into());
                row.push(t.id.clone());
                row.push(turn.speaker.clone().unwrap_or_default());
                row.push(String::new());
                row.push(String::new());
                row.push(String::new());
                row.push(turn.number.to_string());
                row.push(turn.body_start.to_string());
                row.push(turn.end.to_string());
                fill_attributes(&mut row, &t.id);
                insert.execute(params_from_iter(row.iter()))?;
                docs += 1;
            }
        }
        for (coder, segments) in study.layers().unwrap() {
            for s in segments {
                let t = study.transcript(&s.transcript).ok();
                let turn = t.as_ref().and_then(|t| t.turn_at(s.start));
                row.clear();
                row.push(s.quote.clone());
                row.push("segment".into());
                row.push(s.transcript.clone());
                row.push(turn.and_then(|t| t.speaker.clone()).unwrap_or_default());
                row.push(coder.to_string());
                row.push(lineage.get(s.code.as_str()).cloned().unwrap_or_default());
                row.push(s.id.clone());
                row.push(turn.map(|t| t.number).unwrap_or(0).to_string());
                row.push(s.start.to_string());
                row.push(s.end.to_string());
                fill_attributes(&mut row, &s.transcript);
                insert.execute(params_from_iter(row.iter()))?;
                docs += 1;
            }
        }
    }
    tx.commit()?;
    Ok(docs)
}

/// What an FTS5 query found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fts5Result {
    /// Documents matching.
    pub total: usize,
    /// The best `limit` by BM25: transcript id and snippet.
    pub hits: Vec<(String, String)>,
}

/// Opens the database read-only.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
}

/// Counts the matches of `query` and fetches the best `limit` with a snippet.
pub fn search(conn: &Connection, query: &str, limit: usize) -> rusqlite::Result<Fts5Result> {
    let total: i64 = conn
        .prepare_cached("SELECT count(*) FROM docs WHERE docs MATCH ?1")?
        .query_row([query], |r| r.get(0))?;
    let mut top = conn.prepare_cached(
        "SELECT transcript, snippet(docs, 0, '[', ']', '…', 16) FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT ?2",
    )?;
    let hits = top
        .query_map(rusqlite::params![query, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Fts5Result {
        total: total as usize,
        hits,
    })
}
