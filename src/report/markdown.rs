//! Markdown tables that survive any cell text: `|` escaped as `\|`, `\` as `\\`, line breaks as
//! `<br>` (GitHub, GitLab and pandoc's pipe tables read it), columns of numbers right-aligned.
//! It builds text only; what goes in the cells is the caller's.

/// One cell's text, safe inside a pipe table.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.trim().lines().map(str::trim).peekable();
    while let Some(line) = lines.next() {
        for c in line.chars() {
            match c {
                '|' => out.push_str("\\|"),
                '\\' => out.push_str("\\\\"),
                c => out.push(c),
            }
        }
        if lines.peek().is_some() {
            out.push_str("<br>");
        }
    }
    out
}

/// A pipe table from rows, the first of which is the header. A column whose every non-empty
/// cell is a number is right-aligned. Short rows are padded with empty cells.
pub fn table(rows: &[Vec<String>]) -> String {
    let Some((header, body)) = rows.split_first() else {
        return String::new();
    };
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let numeric = |col: usize| {
        let mut values = body
            .iter()
            .filter_map(|r| r.get(col))
            .filter(|v| !v.is_empty())
            .peekable();
        values.peek().is_some() && values.all(|v| v.parse::<f64>().is_ok())
    };
    let rule: Vec<String> = (0..width)
        .map(|i| if numeric(i) { "---:" } else { "---" }.to_string())
        .collect();
    let mut out = line(&padded(header, width));
    out.push_str(&line(&rule));
    for row in body {
        out.push_str(&line(&padded(row, width)));
    }
    out
}

/// A row's cells, escaped, padded to `width`.
fn padded(row: &[String], width: usize) -> Vec<String> {
    (0..width)
        .map(|i| cell(row.get(i).map_or("", String::as_str)))
        .collect()
}

/// One table line.
fn line(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn cells_are_escaped() {
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(cell("C:\\x|y"), "C:\\\\x\\|y");
        assert_eq!(cell(" one\n two \n\nthree "), "one<br>two<br><br>three");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn tables_align_numbers_and_pad_rows() {
        let rows = vec![
            row(&["id", "start", "quote"]),
            row(&["s1", "12", "the bus | the train"]),
            row(&["s2", "", "line one\nline two"]),
            row(&["s3"]),
        ];
        assert_eq!(
            table(&rows),
            "| id | start | quote |\n| --- | ---: | --- |\n| s1 | 12 | the bus \\| the train |\n\
             | s2 |  | line one<br>line two |\n| s3 |  |  |\n"
        );
        assert_eq!(table(&[]), "");
    }
}
