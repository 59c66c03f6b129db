//! Parsing reliability data from a CSV matrix (`thema agree --matrix FILE.csv`).
//!
//! Owns the matrix format: a header row of coder names, optionally preceded by a `unit`
//! column; then one row per unit whose cells are category labels, an empty cell meaning the
//! coder did not rate the unit. It parses text handed to it and never opens the file itself;
//! errors name the line and column.

use thiserror::Error;

use super::data::{DataError, ReliabilityData};

/// Problems in a reliability-data CSV. Lines and columns count from 1.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MatrixError {
    /// The text has no header row.
    #[error("the matrix is empty: expected a header row of coder names")]
    Empty,
    /// The header names no coder.
    #[error("line {line}: the header names no coder (expected one column per coder)")]
    NoCoders {
        /// Line of the header.
        line: u64,
    },
    /// A header cell is empty.
    #[error("line {line}, column {column}: empty coder name in the header")]
    EmptyCoderName {
        /// Line of the header.
        line: u64,
        /// Column of the empty cell.
        column: usize,
    },
    /// Two header cells name the same coder.
    #[error("line {line}, column {column}: coder {name:?} appears twice in the header")]
    DuplicateCoder {
        /// Line of the header.
        line: u64,
        /// Column of the second occurrence.
        column: usize,
        /// The repeated name.
        name: String,
    },
    /// A row has more or fewer cells than the header.
    #[error("line {line}: expected {expected} cells like the header, found {found}")]
    RowLength {
        /// Line of the row.
        line: u64,
        /// Cells in the header.
        expected: usize,
        /// Cells in the row.
        found: usize,
    },
    /// The CSV itself is malformed (for example invalid UTF-8).
    #[error("line {line}: {message}")]
    Csv {
        /// Line where the problem was found.
        line: u64,
        /// What the CSV reader reported.
        message: String,
    },
    /// The data could not be assembled (should not happen after the checks above).
    #[error(transparent)]
    Data(#[from] DataError),
}

/// Parses a reliability-data CSV.
///
/// Cells are trimmed; an empty cell is a missing rating. Categories are the distinct labels,
/// in numeric order when every label is a number and in alphabetical order otherwise (the
/// order ordinal α uses). A leading byte-order mark and blank lines are ignored.
pub fn parse_matrix(text: &str) -> Result<ReliabilityData, MatrixError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(MatrixError::Empty),
        Some(r) => r.map_err(csv_error)?,
    };
    let header_line = line_of(&header);
    let cells: Vec<&str> = header.iter().map(str::trim).collect();
    let skip = usize::from(
        cells
            .first()
            .is_some_and(|c| c.eq_ignore_ascii_case("unit")),
    );
    let mut coders: Vec<String> = Vec::new();
    for (i, name) in cells.iter().enumerate().skip(skip) {
        if name.is_empty() {
            return Err(MatrixError::EmptyCoderName {
                line: header_line,
                column: i + 1,
            });
        }
        if coders.iter().any(|c| c == name) {
            return Err(MatrixError::DuplicateCoder {
                line: header_line,
                column: i + 1,
                name: (*name).to_string(),
            });
        }
        coders.push((*name).to_string());
    }
    if coders.is_empty() {
        return Err(MatrixError::NoCoders { line: header_line });
    }

    let mut rows: Vec<Vec<Option<String>>> = Vec::new();
    for record in records {
        let record = record.map_err(csv_error)?;
        if record.len() != cells.len() {
            return Err(MatrixError::RowLength {
                line: line_of(&record),
                expected: cells.len(),
                found: record.len(),
            });
        }
        rows.push(
            record
                .iter()
                .skip(skip)
                .map(|c| {
                    let c = c.trim();
                    (!c.is_empty()).then(|| c.to_string())
                })
                .collect(),
        );
    }

    let mut labels: Vec<&str> = rows
        .iter()
        .flatten()
        .flatten()
        .map(String::as_str)
        .collect();
    labels.sort_unstable();
    labels.dedup();
    let numbers: Option<Vec<f64>> = labels.iter().map(|l| l.parse::<f64>().ok()).collect();
    if let Some(numbers) = numbers {
        let mut order: Vec<usize> = (0..labels.len()).collect();
        order.sort_by(|&a, &b| numbers[a].total_cmp(&numbers[b]));
        labels = order.into_iter().map(|i| labels[i]).collect();
    }
    Ok(ReliabilityData::from_labels(coders, &labels, &rows)?)
}

fn line_of(record: &csv::StringRecord) -> u64 {
    record.position().map_or(0, csv::Position::line)
}

fn csv_error(e: csv::Error) -> MatrixError {
    MatrixError::Csv {
        line: e.position().map_or(0, csv::Position::line),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_unit_column_missing_cells_and_numeric_order() {
        let d = parse_matrix("unit,A,B\nu1,10,2\nu2, ,10\n\nu3,2,\n").unwrap();
        assert_eq!(d.coders(), &["A".to_string(), "B".to_string()]);
        assert_eq!(d.categories(), &["2".to_string(), "10".to_string()]);
        let rows: Vec<_> = d.units().map(|u| u.ratings.to_vec()).collect();
        assert_eq!(
            rows,
            vec![
                vec![Some(1), Some(0)],
                vec![None, Some(1)],
                vec![Some(0), None]
            ]
        );
    }

    #[test]
    fn without_unit_column_every_column_is_a_coder() {
        let d = parse_matrix("\u{feff}r1,r2,r3\nyes,no,yes\n").unwrap();
        assert_eq!(d.coders().len(), 3);
        assert_eq!(d.categories(), &["no".to_string(), "yes".to_string()]);
    }

    #[test]
    fn errors_name_line_and_column() {
        assert_eq!(parse_matrix(""), Err(MatrixError::Empty));
        assert_eq!(
            parse_matrix("unit\n1\n"),
            Err(MatrixError::NoCoders { line: 1 })
        );
        assert_eq!(
            parse_matrix("a,,c\n"),
            Err(MatrixError::EmptyCoderName { line: 1, column: 2 })
        );
        assert_eq!(
            parse_matrix("unit,a,b,a\n"),
            Err(MatrixError::DuplicateCoder {
                line: 1,
                column: 4,
                name: "a".into()
            })
        );
        let err = parse_matrix("a,b\n1,2\n1,2,3\n").unwrap_err();
        assert_eq!(
            err,
            MatrixError::RowLength {
                line: 3,
                expected: 2,
                found: 3
            }
        );
        assert_eq!(
            err.to_string(),
            "line 3: expected 2 cells like the header, found 3"
        );
    }
}
