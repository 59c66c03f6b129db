//! Analytic memos: `memos/*.md`, Markdown with a small front matter block linking the memo to a
//! code, transcript or segment:
//!
//! ```text
//! ---
//! title: Why the 12-week limit keeps coming up
//! coder: r1
//! code: c07
//! created: 2025-03-02
//! ---
//! Body in Markdown...
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::study::files::{list, read_text};
use crate::study::{atomic::write_atomic, Result, Study, StudyError};

/// One analytic memo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memo {
    /// The file.
    pub path: PathBuf,
    /// Front matter fields (`title`, `coder`, `code`, `transcript`, `segment`, `created`).
    pub fields: BTreeMap<String, String>,
    /// The Markdown body.
    pub body: String,
}

impl Memo {
    /// The memo's title, else its file name.
    pub fn title(&self) -> String {
        self.fields.get("title").cloned().unwrap_or_else(|| {
            self.path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    }

    /// A front matter field.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }
}

/// Parses a memo file's text.
pub fn parse_memo(path: &Path, text: &str) -> Result<Memo> {
    let mut fields = BTreeMap::new();
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    let body = if text.starts_with("---") {
        lines.next();
        let mut closed = false;
        let mut consumed = 1;
        for line in lines.by_ref() {
            consumed += 1;
            if line.trim() == "---" {
                closed = true;
                break;
            }
            if line.trim().is_empty() {
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                return Err(StudyError::parse(
                    path,
                    consumed,
                    "front matter lines are `key: value`",
                ));
            };
            fields.insert(
                key.trim().to_string(),
                value.trim().trim_matches('"').to_string(),
            );
        }
        if !closed {
            return Err(StudyError::parse(
                path,
                1,
                "front matter opened with --- is never closed with ---",
            ));
        }
        lines.collect::<Vec<_>>().join("\n")
    } else {
        text.to_string()
    };
    Ok(Memo {
        path: path.to_path_buf(),
        fields,
        body: body.trim_start_matches('\n').to_string(),
    })
}

/// Loads every memo of the study.
pub fn load_memos(root: &Path) -> Result<Vec<Memo>> {
    list(&root.join("memos"), "md")?
        .iter()
        .map(|p| parse_memo(p, &read_text(p)?))
        .collect()
}

/// Renders a memo back to text.
pub fn memo_text(memo: &Memo) -> String {
    let mut out = String::from("---\n");
    for (k, v) in &memo.fields {
        out.push_str(&format!("{k}: {v}\n"));
    }
    out.push_str("---\n");
    out.push_str(&memo.body);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Writes a memo atomically.
pub fn save_memo(memo: &Memo) -> Result<()> {
    write_atomic(&memo.path, memo_text(memo).as_bytes())
}

/// What a memo is about: the front-matter field that links it and the id it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoSubject<'a> {
    /// `code`, `segment` or `transcript`.
    pub field: &'a str,
    /// The code, segment or transcript id.
    pub id: &'a str,
}

impl Study {
    /// The memo about `subject`: the existing one, else a new empty memo titled `title`,
    /// written under `memos/` with a file name from the title (made unique) and kept in
    /// [`Study::memos`]. Returns its file, for an editor.
    pub fn create_memo(
        &mut self,
        coder: &str,
        subject: MemoSubject<'_>,
        title: &str,
    ) -> Result<PathBuf> {
        if let Some(memo) = self
            .memos
            .iter()
            .find(|m| m.field(subject.field) == Some(subject.id))
        {
            return Ok(memo.path.clone());
        }
        let stem = crate::study::coder::slug(&format!("{} {title}", subject.field));
        let stem: String = stem.chars().take(60).collect();
        let dir = self.root.join("memos");
        let mut path = dir.join(format!("{stem}.md"));
        let mut n = 2;
        while self.memos.iter().any(|m| m.path == path) {
            path = dir.join(format!("{stem}-{n}.md"));
            n += 1;
        }
        let mut fields = BTreeMap::new();
        fields.insert("title".to_string(), title.to_string());
        fields.insert("coder".to_string(), coder.to_string());
        fields.insert(subject.field.to_string(), subject.id.to_string());
        fields.insert(
            "created".to_string(),
            crate::study::coding::now().chars().take(10).collect(),
        );
        let memo = Memo {
            path: path.clone(),
            fields,
            body: String::new(),
        };
        save_memo(&memo)?;
        self.memos.push(memo);
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body() {
        let memo = parse_memo(
            Path::new("m.md"),
            "---\ntitle: Transport\ncode: c07\n---\nBuses stop at six.\n",
        )
        .unwrap();
        assert_eq!(memo.title(), "Transport");
        assert_eq!(memo.field("code"), Some("c07"));
        assert_eq!(memo.body, "Buses stop at six.");
        assert_eq!(
            parse_memo(Path::new("m.md"), &memo_text(&memo)).unwrap(),
            memo
        );
        assert!(parse_memo(Path::new("m.md"), "---\ntitle: x\n").is_err());
    }
}
