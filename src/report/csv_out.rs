//! CSV output following RFC 4180, optionally with a UTF-8 byte-order mark for Excel.

/// Writes rows (first row = header) as CSV text.
pub fn to_csv(rows: &[Vec<String>], bom: bool) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        writer.write_record(row)?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    let mut out = String::new();
    if bom {
        out.push('\u{feff}');
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
    Ok(out)
}
