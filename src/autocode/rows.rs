//! The rows of a batch file: CSV with a header, JSON Lines (one object per line), or a JSON
//! array (as `thema export segments --format json` writes it). Each row keeps the number of
//! its line (its item, in an array) for error messages; columns are matched by lowercased name
//! and unknown ones are ignored, so an export of one study is a batch file for another.

use std::collections::BTreeMap;
use std::path::Path;

use crate::autocode::AutocodeError;

/// One row of a batch file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    /// 1-based line of the file (item of a JSON array).
    pub line: usize,
    /// Values by lowercased column name; empty values are left out.
    pub fields: BTreeMap<String, String>,
    /// Why the row could not be read, if it could not.
    pub error: Option<String>,
}

impl Row {
    /// A column's value, when present and not blank.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.fields
            .get(column)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }
}

/// The formats a batch file may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
    /// One JSON array of objects.
    JsonArray,
}

/// Reads a batch file's rows. Fails only when the file cannot be read at all; a row that
/// cannot be read comes back with its `error` set.
pub fn read(path: &Path) -> Result<(Format, Vec<Row>), AutocodeError> {
    let bytes = std::fs::read(path).map_err(|e| AutocodeError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).map_err(
        |e| AutocodeError::File {
            path: path.to_path_buf(),
            message: format!(
                "line {}: not UTF-8 text; save the file as UTF-8",
                bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1
            ),
        },
    )?;
    let format = detect(path, text);
    let rows = match format {
        Format::Csv => csv_rows(text).map_err(|message| AutocodeError::File {
            path: path.to_path_buf(),
            message,
        })?,
        Format::JsonLines => json_lines(text),
        Format::JsonArray => json_array(text).map_err(|message| AutocodeError::File {
            path: path.to_path_buf(),
            message,
        })?,
    };
    Ok((format, rows))
}

/// The format by extension, else by the first character.
fn detect(path: &Path, text: &str) -> Format {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match (ext.as_str(), text.trim_start().chars().next()) {
        ("jsonl" | "ndjson", _) => Format::JsonLines,
        ("csv" | "tsv", _) => Format::Csv,
        (_, Some('[')) => Format::JsonArray,
        (_, Some('{')) => Format::JsonLines,
        _ => Format::Csv,
    }
}

/// A JSON value as a cell: strings as they are, numbers and booleans written out, null empty.
fn cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A row from a JSON object (or the reason it is not one).
fn object_row(line: usize, value: Result<serde_json::Value, String>) -> Row {
    match value {
        Ok(serde_json::Value::Object(map)) => Row {
            line,
            fields: map
                .iter()
                .map(|(k, v)| (k.trim().to_lowercase(), cell(v)))
                .collect(),
            error: None,
        },
        Ok(_) => Row {
            line,
            error: Some("expected a JSON object {\"transcript\", \"code\", ...}".to_string()),
            ..Row::default()
        },
        Err(e) => Row {
            line,
            error: Some(e),
            ..Row::default()
        },
    }
}

fn json_lines(text: &str) -> Vec<Row> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let value = serde_json::from_str(l).map_err(|e| {
                format!(
                    "column {}: {e}; expected a JSON object per line",
                    e.column()
                )
            });
            object_row(i + 1, value)
        })
        .collect()
}

fn json_array(text: &str) -> Result<Vec<Row>, String> {
    let items: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|e| {
        format!(
            "line {} column {}: {e}; expected a JSON array of objects",
            e.line(),
            e.column()
        )
    })?;
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, v)| object_row(i + 1, Ok(v)))
        .collect())
}

fn csv_rows(text: &str) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("line 1: cannot read the header row: {e}"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let mut rows = Vec::new();
    // the reader's own line count skips blank lines: count newlines up to each record instead
    let (mut line, mut counted) = (1, 0);
    let mut line_at = |byte: u64| {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        // a record's position is where reading it began, before the blank lines it skipped
        while matches!(text.as_bytes().get(byte), Some(b'\n' | b'\r')) {
            byte += 1;
        }
        if byte > counted {
            line += memchr::memchr_iter(b'\n', &text.as_bytes()[counted..byte]).count();
            counted = byte;
        }
        line
    };
    for record in reader.records() {
        let row = match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| line_at(p.byte()));
                if record.iter().all(|v| v.trim().is_empty()) {
                    continue;
                }
                let error = (record.len() != header.len()).then(|| {
                    format!(
                        "{} value(s) where the header has {} columns",
                        record.len(),
                        header.len()
                    )
                });
                Row {
                    line,
                    fields: header
                        .iter()
                        .zip(record.iter())
                        .map(|(k, v)| (k.clone(), v.to_string()))
                        .collect(),
                    error,
                }
            }
            Err(e) => Row {
                line: e.position().map_or(0, |p| line_at(p.byte())),
                error: Some(format!("not readable as CSV: {e}")),
                ..Row::default()
            },
        };
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_jsonl_and_json_arrays_read_alike() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("a.csv");
        std::fs::write(
            &csv,
            "\u{feff}Transcript,Quote,Code,extra\nLW7,\"the bus, late\",Transport,x\n\nLW8,bus\n",
        )
        .unwrap();
        let (format, rows) = read(&csv).unwrap();
        assert_eq!(format, Format::Csv);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].get("quote"), Some("the bus, late"));
        assert_eq!(rows[1].line, 4);
        assert!(rows[1].error.is_some(), "short row");
        let jsonl = dir.path().join("b.jsonl");
        std::fs::write(
            &jsonl,
            "{\"transcript\":\"LW7\",\"start\":3,\"end\":9,\"code\":\"c1\",\"memo\":null}\n\nnot json\n[1]\n",
        )
        .unwrap();
        let (_, rows) = read(&jsonl).unwrap();
        assert_eq!(rows[0].get("start"), Some("3"));
        assert_eq!(rows[0].get("memo"), None);
        assert_eq!((rows[1].line, rows[1].error.is_some()), (3, true));
        assert_eq!((rows[2].line, rows[2].error.is_some()), (4, true));
        let json = dir.path().join("c.json");
        std::fs::write(
            &json,
            "[{\"transcript\":\"LW7\",\"turn\":2,\"code\":\"c1\"}]",
        )
        .unwrap();
        let (format, rows) = read(&json).unwrap();
        assert_eq!(format, Format::JsonArray);
        assert_eq!(rows[0].get("turn"), Some("2"));
    }
}
