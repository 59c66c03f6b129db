//! Reading and writing each file kind of a study, with errors that name file and line.

use std::fs;
use std::path::{Path, PathBuf};

use crate::model::{Attributes, Codebook, HistoryEntry, Segment, Transcript};
use crate::study::atomic::{append_line, write_atomic};
use crate::study::{LoadedCodebook, Result, Settings, StudyError};

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StudyError + '_ {
    move |source| StudyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a file as UTF-8 text, naming the file if it is not.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = fs::read(path).map_err(io(path))?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        StudyError::parse(
            path,
            line,
            "not valid UTF-8 (re-import the original with `thema import`)",
        )
    })
}

/// Lists the files of `dir` with extension `ext`, sorted; an absent folder is empty.
pub fn list(dir: &Path, ext: &str) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_file() && !name.starts_with('.') && name.ends_with(&format!(".{ext}")) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn stem(path: &Path, ext: &str) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.strip_suffix(&format!(".{ext}"))
        .unwrap_or(&name)
        .to_string()
}

/// `thema.json`, or defaults when absent.
pub fn load_settings(root: &Path) -> Result<Settings> {
    let path = root.join("thema.json");
    if !path.exists() {
        return Ok(Settings::default());
    }
    let text = read_text(&path)?;
    serde_json::from_str(&text).map_err(|e| {
        StudyError::parse(
            &path,
            e.line(),
            format!(
                "column {}: {e}; expected {{\"name\", \"attribution\", \"language\", \"player\"}}",
                e.column()
            ),
        )
    })
}

/// Writes `thema.json`.
pub fn save_settings(root: &Path, settings: &Settings) -> Result<()> {
    let mut text = serde_json::to_string_pretty(settings).map_err(StudyError::encode)?;
    text.push('\n');
    write_atomic(&root.join("thema.json"), text.as_bytes())
}

/// Every `transcripts/*.txt`, parsed, sorted by id.
pub fn load_transcripts(root: &Path) -> Result<Vec<Transcript>> {
    let mut out = Vec::new();
    for path in list(&root.join("transcripts"), "txt")? {
        let text = read_text(&path)?;
        out.push(Transcript::parse(stem(&path, "txt"), text));
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Path of a transcript's canonical file.
pub fn transcript_path(root: &Path, id: &str) -> PathBuf {
    root.join("transcripts").join(format!("{id}.txt"))
}

/// Writes a transcript's canonical text.
pub fn save_transcript(root: &Path, id: &str, text: &str) -> Result<()> {
    write_atomic(&transcript_path(root, id), text.as_bytes())
}

/// `transcripts/attributes.csv`; empty when absent.
pub fn load_attributes(root: &Path) -> Result<Attributes> {
    let path = root.join("transcripts").join("attributes.csv");
    if !path.exists() {
        return Ok(Attributes::default());
    }
    let text = read_text(&path)?;
    parse_attributes(&path, text.trim_start_matches('\u{feff}'))
}

/// Parses the attribute table, requiring a `transcript` column and one row per transcript.
pub fn parse_attributes(path: &Path, text: &str) -> Result<Attributes> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| StudyError::parse(path, 1, format!("unreadable header: {e}")))?
        .clone();
    let columns: Vec<String> = headers.iter().map(|h| h.trim().to_string()).collect();
    let Some(key) = columns.iter().position(|c| c == "transcript") else {
        return Err(StudyError::parse(
            path,
            1,
            "the header needs a 'transcript' column (then 'participant' and any others)",
        ));
    };
    let mut attributes = Attributes {
        columns: columns.clone(),
        ..Attributes::default()
    };
    // the cells of a row, read into one reused record
    let mut record = csv::StringRecord::new();
    // column names in sorted order with their position, so each row's map is built in order
    let mut sorted: Vec<(usize, &String)> = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.as_str() != "transcript")
        .collect();
    sorted.sort_by(|a, b| a.1.cmp(b.1));
    sorted.dedup_by(|a, b| a.1 == b.1);
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
            StudyError::parse(
                path,
                line,
                format!("{e} (every row needs {} cells)", columns.len()),
            )
        })?;
        if !more {
            break;
        }
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let id = record.get(key).unwrap_or("").trim();
        if id.is_empty() {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            return Err(StudyError::parse(path, line, "empty 'transcript' cell"));
        }
        if attributes.rows.contains_key(id) {
            return Err(StudyError::parse(
                path,
                line,
                format!("second row for transcript '{id}'"),
            ));
        }
        // a later column of the same name wins, as inserting cell by cell would
        let row = sorted
            .iter()
            .map(|(i, c)| {
                let value = columns
                    .iter()
                    .rposition(|other| other == *c)
                    .and_then(|last| record.get(last))
                    .or_else(|| record.get(*i))
                    .unwrap_or("");
                ((*c).clone(), value.trim().to_string())
            })
            .collect();
        attributes.rows.insert(id.to_string(), row);
    }
    Ok(attributes)
}

/// Writes the attribute table (columns in order, rows by transcript id).
pub fn save_attributes(root: &Path, attributes: &Attributes) -> Result<()> {
    let path = root.join("transcripts").join("attributes.csv");
    let mut columns = attributes.columns.clone();
    if !columns.iter().any(|c| c == "transcript") {
        columns.insert(0, "transcript".to_string());
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| StudyError::encode(format!("{}: {e}", path.display()));
    writer.write_record(&columns).map_err(fail)?;
    for (id, row) in &attributes.rows {
        let cells: Vec<&str> = columns
            .iter()
            .map(|c| {
                if c == "transcript" {
                    id.as_str()
                } else {
                    row.get(c).map(String::as_str).unwrap_or("")
                }
            })
            .collect();
        writer.write_record(&cells).map_err(fail)?;
    }
    let bytes = writer.into_inner().map_err(StudyError::encode)?;
    write_atomic(&path, &bytes)
}

/// Every `codebooks/*.json`, sorted by file name.
pub fn load_codebooks(root: &Path) -> Result<Vec<LoadedCodebook>> {
    let mut out = Vec::new();
    for path in list(&root.join("codebooks"), "json")? {
        let bytes = fs::read(&path).map_err(io(&path))?;
        let codebook = parse_codebook(&path, &bytes)?;
        out.push(LoadedCodebook {
            file: stem(&path, "json"),
            codebook,
            on_disk: Some(bytes),
        });
    }
    Ok(out)
}

/// Parses one codebook file, refusing one in which two codes share an id (the code tree of
/// such a file can loop: `a` under `b` under the other `a`).
pub fn parse_codebook(path: &Path, bytes: &[u8]) -> Result<Codebook> {
    let codebook: Codebook = serde_json::from_slice(bytes).map_err(|e| {
        StudyError::parse(
            path,
            e.line(),
            format!("column {}: {e}; expected {{\"name\": ..., \"codes\": [{{\"id\", \"name\", \"parent\", ...}}]}}", e.column()),
        )
    })?;
    let mut seen = std::collections::BTreeSet::new();
    for code in &codebook.codes {
        if !seen.insert(code.id.as_str()) {
            return Err(StudyError::parse(
                path,
                line_of_second_id(bytes, &code.id),
                format!(
                    "code id '{}' appears twice; ids must be unique (after a git conflict, keep one of the two codes)",
                    code.id
                ),
            ));
        }
    }
    Ok(codebook)
}

/// The line of the second `"id": "ID"` in a codebook file (1 if it cannot be told).
fn line_of_second_id(bytes: &[u8], id: &str) -> usize {
    let text = String::from_utf8_lossy(bytes);
    let value = serde_json::to_string(id).unwrap_or_default();
    let mut found = 0;
    for (at, _) in text.match_indices(value.as_str()) {
        let before = text[..at].trim_end();
        let Some(key) = before.strip_suffix(':') else {
            continue;
        };
        if key.trim_end().ends_with("\"id\"") {
            found += 1;
            if found == 2 {
                return text[..at].matches('\n').count() + 1;
            }
        }
    }
    1
}

/// Path of a codebook file.
pub fn codebook_path(root: &Path, file: &str) -> PathBuf {
    root.join("codebooks").join(format!("{file}.json"))
}

/// Path of a codebook's history log.
pub fn history_path(root: &Path, file: &str) -> PathBuf {
    root.join("codebooks").join(format!("{file}.log.jsonl"))
}

/// Serialises a codebook as written on disk (pretty JSON, codes sorted by id).
pub fn codebook_bytes(codebook: &Codebook) -> Result<Vec<u8>> {
    let mut sorted = codebook.clone();
    sorted.normalise();
    let mut text = serde_json::to_string_pretty(&sorted).map_err(StudyError::encode)?;
    text.push('\n');
    Ok(text.into_bytes())
}

/// Writes a codebook, refusing if the file changed since `expected` was read.
pub fn save_codebook(root: &Path, loaded: &mut LoadedCodebook) -> Result<()> {
    let path = codebook_path(root, &loaded.file);
    let current = match fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(StudyError::Io { path, source }),
    };
    if current != loaded.on_disk {
        return Err(StudyError::ChangedOnDisk(path));
    }
    let bytes = codebook_bytes(&loaded.codebook)?;
    write_atomic(&path, &bytes)?;
    loaded.on_disk = Some(bytes);
    Ok(())
}

/// Reads a codebook's history; absent means empty.
pub fn load_history(root: &Path, file: &str) -> Result<Vec<HistoryEntry>> {
    let path = history_path(root, file);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = read_text(&path)?;
    parse_jsonl(
        &path,
        &text,
        "a history entry {\"at\", \"coder\", \"op\", ...}",
    )
}

/// Appends one history entry.
pub fn append_history(root: &Path, file: &str, entry: &HistoryEntry) -> Result<()> {
    let line = serde_json::to_string(entry).map_err(StudyError::encode)?;
    append_line(&history_path(root, file), &line)
}

/// Coders with a file in `codings/` (logs, `*.log.jsonl`, are not coders).
pub fn coder_files(root: &Path) -> Result<Vec<String>> {
    Ok(list(&root.join("codings"), "jsonl")?
        .iter()
        .map(|p| stem(p, "jsonl"))
        .filter(|s| !s.ends_with(".log"))
        .collect())
}

/// Path of a coder's layer.
pub fn codings_path(root: &Path, coder: &str) -> PathBuf {
    root.join("codings").join(format!("{coder}.jsonl"))
}

/// Reads one coder's segments; absent means none.
pub fn load_codings(root: &Path, coder: &str) -> Result<Vec<Segment>> {
    let path = codings_path(root, coder);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = read_text(&path)?;
    parse_jsonl(
        &path,
        &text,
        "a segment {\"id\", \"transcript\", \"start\", \"end\", \"code\", \"quote\", \"at\"}",
    )
}

/// Parses JSON Lines, failing with file:line:column on the first bad line.
pub fn parse_jsonl<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    expected: &str,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let item = serde_json::from_str(line).map_err(|e| {
            StudyError::parse(
                path,
                i + 1,
                format!("column {}: {e}; expected {expected}", e.column()),
            )
        })?;
        out.push(item);
    }
    Ok(out)
}

/// Serialises segments one per line.
pub fn codings_bytes(segments: &[Segment]) -> Result<Vec<u8>> {
    let mut out = String::new();
    for segment in segments {
        out.push_str(&serde_json::to_string(segment).map_err(StudyError::encode)?);
        out.push('\n');
    }
    Ok(out.into_bytes())
}

/// Writes one coder's layer atomically.
pub fn save_codings(root: &Path, coder: &str, segments: &[Segment]) -> Result<()> {
    write_atomic(&codings_path(root, coder), &codings_bytes(segments)?)
}
