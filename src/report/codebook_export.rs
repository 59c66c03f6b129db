//! The codebook appendix: names, definitions, criteria, examples and counts. Each code has two
//! counts, as the theme report: its own segments (`segments`) and those of it and its sub-codes
//! together (`segments_with_subcodes`), so a theme coded only through its sub-codes does not read
//! as empty.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::report::layer::Layer;
use crate::study::{Study, StudyError};

/// One code of the appendix.
#[derive(Debug, Clone, Serialize)]
pub struct CodebookEntry {
    /// Codebook name.
    pub codebook: String,
    /// Code id.
    pub id: String,
    /// Full path.
    pub path: String,
    /// Name.
    pub name: String,
    /// Depth.
    pub depth: usize,
    /// Description.
    pub description: String,
    /// When to apply.
    pub include: String,
    /// When not to apply.
    pub exclude: String,
    /// Example.
    pub example: String,
    /// Colour.
    pub color: String,
    /// Segments of the code itself in the layer.
    pub segments: usize,
    /// Segments of the code and all its sub-codes in the layer (equal to `segments` for a code
    /// without sub-codes).
    pub segments_with_subcodes: usize,
}

/// Every code of every codebook, in tree order.
pub fn entries(study: &Study, layer: &Layer) -> Result<Vec<CodebookEntry>, StudyError> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, s) in layer.segments(study)? {
        // a code counts only over the transcripts its codebook is for
        if !study.in_scope(&s.code, &s.transcript) {
            continue;
        }
        *counts.entry(s.code.as_str()).or_default() += 1;
    }
    let mut out = Vec::new();
    for loaded in &study.codebooks {
        let book = &loaded.codebook;
        for (code, depth) in book.tree() {
            out.push(CodebookEntry {
                codebook: book.name.clone(),
                id: code.id.clone(),
                path: book.path(&code.id),
                name: code.name.clone(),
                depth,
                description: code.description.clone(),
                include: code.include.clone(),
                exclude: code.exclude.clone(),
                example: code.example.clone(),
                color: code.color.clone(),
                segments: counts.get(code.id.as_str()).copied().unwrap_or(0),
                segments_with_subcodes: book
                    .subtree(&code.id)
                    .iter()
                    .map(|id| counts.get(id.as_str()).copied().unwrap_or(0))
                    .sum(),
            });
        }
    }
    Ok(out)
}

/// CSV rows (header first).
pub fn table(entries: &[CodebookEntry]) -> Vec<Vec<String>> {
    let mut rows = vec![[
        "codebook",
        "id",
        "path",
        "name",
        "depth",
        "description",
        "include",
        "exclude",
        "example",
        "color",
        "segments",
        "segments_with_subcodes",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>()];
    for e in entries {
        rows.push(vec![
            e.codebook.clone(),
            e.id.clone(),
            e.path.clone(),
            e.name.clone(),
            e.depth.to_string(),
            e.description.clone(),
            e.include.clone(),
            e.exclude.clone(),
            e.example.clone(),
            e.color.clone(),
            e.segments.to_string(),
            e.segments_with_subcodes.to_string(),
        ]);
    }
    rows
}

/// `1 segment`, `2 segments`.
fn segments(n: usize) -> String {
    format!("{n} segment{}", if n == 1 { "" } else { "s" })
}

/// The appendix in Markdown; `counting` says which codings the segment counts are of. A code
/// with sub-codes gives both counts: "(12 segments with its sub-codes; 0 on the code itself)";
/// any other code its own, "(2 segments)".
pub fn to_markdown(study_name: &str, counting: &str, entries: &[CodebookEntry]) -> String {
    let mut out = format!("# Codebook — {study_name}\n\nSegment counts: {counting}.\n");
    let mut book = String::new();
    for (i, e) in entries.iter().enumerate() {
        if e.codebook != book {
            book = e.codebook.clone();
            out.push_str(&format!("\n## {book}\n"));
        }
        // entries are in tree order: sub-codes follow their parent, one level deeper
        let has_subcodes = entries
            .get(i + 1)
            .is_some_and(|next| next.codebook == e.codebook && next.depth > e.depth);
        let counts = if has_subcodes {
            format!(
                "{} with its sub-codes; {} on the code itself",
                segments(e.segments_with_subcodes),
                e.segments
            )
        } else {
            segments(e.segments)
        };
        let hashes = "#".repeat((e.depth + 3).min(6));
        out.push_str(&format!("\n{hashes} {} ({counts})\n\n", e.path));
        for (label, value) in [
            ("Definition", &e.description),
            ("Include", &e.include),
            ("Exclude", &e.exclude),
            ("Example", &e.example),
        ] {
            if !value.trim().is_empty() {
                out.push_str(&format!(
                    "- **{label}:** {}\n",
                    value.trim().replace('\n', " ")
                ));
            }
        }
    }
    out
}
