//! NVivo's matrix coding query (codes × attribute values) and code co-occurrence (codes that
//! are applied in the same speaker turns).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::model::scope::Scope;
use crate::model::Segment;
use crate::report::layer::Layer;
use crate::study::{Study, StudyError};

/// What a matrix cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Count {
    /// Coded segments.
    Segments,
    /// Distinct transcripts.
    Transcripts,
    /// Distinct participants.
    Participants,
}

/// A table with labelled rows and columns.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// What the rows are.
    pub rows_label: String,
    /// What the columns are.
    pub cols_label: String,
    /// What a cell counts.
    pub count: Count,
    /// Row labels (code paths).
    pub rows: Vec<String>,
    /// Row code ids.
    pub row_ids: Vec<String>,
    /// Column labels.
    pub cols: Vec<String>,
    /// Cells, `cells[row][col]`; `None` where the row's code is not meant for any transcript
    /// of the column (its codebook's scope leaves them out).
    pub cells: Vec<Vec<Option<usize>>>,
}

impl Matrix {
    /// Rows for CSV (header first).
    pub fn table(&self) -> Vec<Vec<String>> {
        let mut out = vec![std::iter::once(self.rows_label.clone())
            .chain(self.cols.iter().cloned())
            .collect()];
        for (label, row) in self.rows.iter().zip(&self.cells) {
            out.push(
                std::iter::once(label.clone())
                    .chain(
                        row.iter()
                            .map(|n| n.map_or_else(String::new, |n| n.to_string())),
                    )
                    .collect(),
            );
        }
        out
    }

    /// As a Markdown table.
    pub fn to_markdown(&self) -> String {
        let table = self.table();
        let mut out = String::new();
        for (i, row) in table.iter().enumerate() {
            out.push_str("| ");
            out.push_str(
                &row.iter()
                    .map(|c| {
                        if c.is_empty() && i > 0 {
                            "–".to_string()
                        } else {
                            c.replace('|', "\\|")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" | "),
            );
            out.push_str(" |\n");
            if i == 0 {
                out.push_str("| --- |");
                out.push_str(&" ---: |".repeat(row.len() - 1));
                out.push('\n');
            }
        }
        if self.cells.iter().flatten().any(Option::is_none) {
            out.push_str("\n– the code's codebook is not for these transcripts (its scope).\n");
        }
        out
    }
}

fn code_rows(study: &Study) -> Vec<(String, String, BTreeSet<String>)> {
    study
        .codebooks
        .iter()
        .flat_map(|b| {
            b.codebook
                .tree()
                .into_iter()
                .map(|(c, _)| {
                    (
                        c.id.clone(),
                        b.codebook.path(&c.id),
                        b.codebook.subtree(&c.id),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Codes (with their sub-codes) × the values of an attribute.
pub fn matrix_coding(
    study: &Study,
    layer: &Layer,
    column: &str,
    count: Count,
) -> Result<Matrix, StudyError> {
    let segments = layer.segments(study)?;
    let value_of = |t: &str| {
        study
            .attributes
            .get(t, column)
            .unwrap_or("(none)")
            .to_string()
    };
    let mut cols: BTreeSet<String> = study
        .transcripts()
        .iter()
        .map(|t| value_of(&t.id))
        .collect();
    if cols.is_empty() {
        cols.insert("(none)".into());
    }
    let cols: Vec<String> = cols.into_iter().collect();
    let col_of: HashMap<&str, usize> = study
        .transcripts()
        .iter()
        .filter_map(|t| {
            let value = value_of(&t.id);
            cols.iter()
                .position(|c| *c == value)
                .map(|col| (t.id.as_str(), col))
        })
        .collect();
    // each segment looked at once: its column and what it counts, under its code, when it lies
    // in its code's scope (looked up once per code: finding a code's codebook scans its codes)
    let mut scopes: HashMap<&str, Option<&Scope>> = HashMap::new();
    let mut by_code: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    for (_, s) in &segments {
        let scope = *scopes
            .entry(s.code.as_str())
            .or_insert_with(|| study.scope_of(&s.code));
        if !scope.is_none_or(|scope| scope.contains(&s.transcript, &study.attributes)) {
            continue;
        }
        let Some(&col) = col_of.get(s.transcript.as_str()) else {
            continue;
        };
        let key = match count {
            Count::Participants => study.attributes.participant(&s.transcript),
            _ => s.transcript.as_str(),
        };
        by_code.entry(s.code.as_str()).or_default().push((col, key));
    }
    let mut rows = Vec::new();
    let mut row_ids = Vec::new();
    let mut cells = Vec::new();
    for (id, path, subtree) in code_rows(study) {
        let mut sets: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); cols.len()];
        let mut counts = vec![0usize; cols.len()];
        // a column the code's codebook is not for at all shows no count (not a zero)
        let mut meant = vec![false; cols.len()];
        let scope = study.scope_of(&id);
        for (t, &col) in &col_of {
            if scope.is_none_or(|scope| scope.contains(t, &study.attributes)) {
                meant[col] = true;
            }
        }
        for (col, key) in subtree
            .iter()
            .filter_map(|code| by_code.get(code.as_str()))
            .flatten()
        {
            counts[*col] += 1;
            sets[*col].insert(key);
        }
        let row: Vec<usize> = match count {
            Count::Segments => counts,
            _ => sets.iter().map(BTreeSet::len).collect(),
        };
        let row = row
            .into_iter()
            .zip(&meant)
            .map(|(n, meant)| meant.then_some(n))
            .collect();
        rows.push(path);
        row_ids.push(id);
        cells.push(row);
    }
    Ok(Matrix {
        rows_label: "code".into(),
        cols_label: column.to_string(),
        count,
        rows,
        row_ids,
        cols,
        cells,
    })
}

/// Codes × codes: the number of speaker turns (or transcripts) where both are applied.
/// The diagonal holds the turns each code is applied in.
pub fn cooccurrence(study: &Study, layer: &Layer, count: Count) -> Result<Matrix, StudyError> {
    let segments = layer.segments(study)?;
    // (code) → set of (transcript, turn) units
    let mut units: BTreeMap<&str, BTreeSet<(String, usize)>> = BTreeMap::new();
    for (_, s) in &segments {
        if !study.in_scope(&s.code, &s.transcript) {
            continue;
        }
        let Some(t) = study.find_transcript(&s.transcript)? else {
            continue;
        };
        let mut add = |key: (String, usize)| {
            units.entry(s.code.as_str()).or_default().insert(key);
        };
        match count {
            Count::Transcripts | Count::Participants => {
                let key = if count == Count::Participants {
                    study.attributes.participant(&s.transcript).to_string()
                } else {
                    s.transcript.clone()
                };
                add((key, 0));
            }
            Count::Segments => {
                for turn in turns_covered(&t, s) {
                    add((s.transcript.clone(), turn));
                }
            }
        }
    }
    let codes = code_rows(study);
    let expand = |subtree: &BTreeSet<String>| -> BTreeSet<(String, usize)> {
        subtree
            .iter()
            .flat_map(|c| units.get(c.as_str()).cloned().unwrap_or_default())
            .collect()
    };
    let sets: Vec<BTreeSet<(String, usize)>> =
        codes.iter().map(|(_, _, sub)| expand(sub)).collect();
    let cells = sets
        .iter()
        .map(|a| {
            sets.iter()
                .map(|b| Some(a.intersection(b).count()))
                .collect()
        })
        .collect();
    let labels: Vec<String> = codes.iter().map(|(_, p, _)| p.clone()).collect();
    Ok(Matrix {
        rows_label: "code".into(),
        cols_label: "code".into(),
        count,
        rows: labels.clone(),
        row_ids: codes.iter().map(|(id, _, _)| id.clone()).collect(),
        cols: labels,
        cells,
    })
}

fn turns_covered(t: &crate::model::Transcript, s: &Segment) -> Vec<usize> {
    t.turns
        .iter()
        .filter(|turn| turn.is_numbered() && s.overlaps(turn.start, turn.end))
        .map(|turn| turn.number)
        .collect()
}
