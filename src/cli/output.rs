//! Printing: JSON for machines, aligned tables for people; and checking where `-o` points.

use std::path::Path;

use anyhow::{bail, Result};
use serde::Serialize;

/// Prints a value as pretty JSON on stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Prints rows as a table with aligned columns (display width aware).
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    use unicode_width::UnicodeWidthStr;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.width());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(widths[i].saturating_sub(cell.width()) + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// Checks, before any work is done, that `-o PATH` can be written: `PATH` is not a folder and its
/// folder exists. A missing folder is refused rather than created, so a slip in its name
/// (`-o reprots/themes.html`) cannot put a report where nobody will look; the message says how to
/// create it.
pub fn check_destination(path: &Path) -> Result<()> {
    if path.is_dir() {
        bail!(
            "cannot write {}: it is a folder; give a file name (e.g. -o {})",
            path.display(),
            path.join("report.md").display()
        );
    }
    let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    if folder.is_dir() {
        return Ok(());
    }
    if folder.exists() {
        bail!(
            "cannot write {}: {} is not a folder",
            path.display(),
            folder.display()
        );
    }
    bail!(
        "cannot write {}: the folder {} does not exist; create it first (mkdir -p {}) or choose another -o",
        path.display(),
        folder.display(),
        shell_word(&folder.display().to_string())
    )
}

/// A path as one word for a POSIX shell: as it is when it holds only safe characters, else in
/// single quotes.
fn shell_word(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "_-./~+,:@%".contains(c));
    if safe {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("reports/2024"), "reports/2024");
        assert_eq!(shell_word("my reports"), "'my reports'");
        assert_eq!(shell_word("Ruth's"), "'Ruth'\\''s'");
    }
}
