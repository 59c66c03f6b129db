//! The whole-process figures: `thema` commands as a shell or a script runs them, each timed
//! from spawn to exit with its peak memory, beside the `sqlite3` shell answering the same
//! searches on an FTS5 table of the same documents.
//!
//! It runs the release `thema` binary and `sqlite3` found on `PATH`; it restores every file a
//! command changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::measure::Samples;
use crate::process::Runs;
use crate::queries::QueryCase;

/// What the whole-process runs measured.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// `thema search --limit 50 --json`, per query shape and `"all"`.
    pub search: BTreeMap<String, Runs>,
    /// The `sqlite3` shell on the FTS5 table, per query shape and `"all"`.
    pub sqlite: BTreeMap<String, Runs>,
    /// `thema code TRANSCRIPT --quote TEXT CODE`.
    pub code: Runs,
    /// `thema code --from FILE` with [`BATCH_ROWS`] rows over every transcript.
    pub batch: Runs,
    /// `thema transcripts`.
    pub transcripts: Runs,
    /// `thema segments --code THEME --json`.
    pub segments: Runs,
    /// `thema export themes --format md -o FILE`: every code's counts and quotes.
    pub themes: Runs,
    /// `thema matrix --cols role`: every code × the values of an attribute.
    pub matrix: Runs,
    /// What went wrong or was left out.
    pub notes: Vec<String>,
}

/// Where the programs and files are.
pub struct Setup<'a> {
    /// The release `thema` binary.
    pub thema: &'a Path,
    /// The study folder.
    pub study: &'a Path,
    /// The FTS5 database of the same documents, if built.
    pub fts5: Option<&'a Path>,
    /// The query set.
    pub queries: &'a [QueryCase],
    /// Queries of each shape to run.
    pub per_shape: usize,
    /// Runs of each command.
    pub repeats: usize,
}

/// The `sqlite3` shell, if installed.
pub fn sqlite_shell() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("sqlite3"))
        .find(|p| p.is_file())
}

/// An SQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn thema(setup: &Setup<'_>) -> Command {
    let mut c = Command::new(setup.thema);
    c.arg("-C").arg(setup.study);
    c
}

/// Runs every whole-process measure.
pub fn measure(setup: &Setup<'_>) -> std::io::Result<Figures> {
    let mut f = Figures::default();
    // an up-to-date index first, so searches measure searching
    crate::process::run(thema(setup).arg("index"))?;
    let sqlite = sqlite_shell();
    if sqlite.is_none() {
        f.notes
            .push("sqlite3 is not installed: no shell baseline (apt-get install sqlite3)".into());
    }
    let mut chosen: BTreeMap<&str, usize> = BTreeMap::new();
    let cases: Vec<&QueryCase> = setup
        .queries
        .iter()
        .filter(|c| {
            let n = chosen.entry(c.shape.as_str()).or_default();
            *n += 1;
            *n <= setup.per_shape
        })
        .collect();
    for round in 0..=setup.repeats {
        for case in &cases {
            let mut search = thema(setup);
            search.args(["search", &case.thema, "--limit", "50", "--json"]);
            let mut runs = Runs::default();
            runs.time(&mut search)?;
            // the first round warms the file cache and is not counted
            if round > 0 {
                record(&mut f.search, &case.shape, &runs);
            }
            if let (Some(shell), Some(db)) = (&sqlite, setup.fts5) {
                let q = literal(&case.fts5);
                let sql = format!(
                    "SELECT count(*) FROM docs WHERE docs MATCH {q}; \
                     SELECT transcript, snippet(docs, 0, '[', ']', '…', 16) FROM docs \
                     WHERE docs MATCH {q} ORDER BY rank LIMIT 50;"
                );
                let mut runs = Runs::default();
                runs.time(Command::new(shell).arg(db).arg(sql))?;
                if round > 0 {
                    record(&mut f.sqlite, &case.shape, &runs);
                }
            }
        }
    }
    for runs in f.search.values().chain(f.sqlite.values()) {
        if runs.failed > 0 {
            f.notes.push(format!("{} runs failed", runs.failed));
        }
    }
    code(setup, &mut f)?;
    batch(setup, &mut f)?;
    for round in 0..=setup.repeats {
        let mut runs = Runs::default();
        runs.time(thema(setup).arg("transcripts"))?;
        if round > 0 {
            merge(&mut f.transcripts, &runs);
        }
    }
    let themes = themes(setup.study);
    for round in 0..=setup.repeats.min(3) {
        for theme in &themes {
            let mut runs = Runs::default();
            runs.time(thema(setup).args(["segments", "--code", theme, "--json"]))?;
            if round > 0 {
                merge(&mut f.segments, &runs);
            }
        }
    }
    reports(setup, &mut f)?;
    Ok(f)
}

/// The whole-study reports a team runs before a meeting or for a paper: the theme report and a
/// matrix by role.
fn reports(setup: &Setup<'_>, f: &mut Figures) -> std::io::Result<()> {
    let out = std::env::temp_dir().join(format!("thema-bench-themes-{}.md", std::process::id()));
    for round in 0..=setup.repeats.min(2) {
        let mut runs = Runs::default();
        runs.time(
            thema(setup)
                .args(["export", "themes", "--format", "md", "-o"])
                .arg(&out),
        )?;
        if round > 0 {
            merge(&mut f.themes, &runs);
        }
        let mut runs = Runs::default();
        runs.time(thema(setup).args(["matrix", "--cols", "role"]))?;
        if round > 0 {
            merge(&mut f.matrix, &runs);
        }
    }
    // best effort: a file left in the temporary folder harms nothing
    let _ = std::fs::remove_file(&out);
    Ok(())
}

/// `thema code` as coder r1 with a quote from the middle of several transcripts; r1's file is
/// put back afterwards.
fn code(setup: &Setup<'_>, f: &mut Figures) -> std::io::Result<()> {
    let layer = setup.study.join("codings/r1.jsonl");
    let original = std::fs::read(&layer)?;
    let Some(code) = themes(setup.study).into_iter().next() else {
        f.notes.push("no code to apply".into());
        return Ok(());
    };
    let mut transcripts: Vec<PathBuf> = std::fs::read_dir(setup.study.join("transcripts"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    transcripts.sort();
    let mut done = 0;
    for path in transcripts.iter().step_by(97) {
        if done == setup.repeats * 2 {
            break;
        }
        let text = std::fs::read_to_string(path)?;
        // a quote that occurs once: a long line from the middle of the interview
        let Some(quote) = text
            .lines()
            .skip(text.lines().count() / 2)
            .map(|l| l.split_once(": ").map_or(l, |(_, body)| body))
            .map(|body| body.chars().take(80).collect::<String>())
            .find(|q| q.len() > 40 && text.matches(q.as_str()).count() == 1)
        else {
            continue;
        };
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut runs = Runs::default();
        runs.time(thema(setup).args(["--coder", "r1", "code", &id, "--quote", &quote, &code]))?;
        merge(&mut f.code, &runs);
        done += 1;
    }
    std::fs::write(&layer, original)?;
    Ok(())
}

/// Rows of the batch file `thema code --from` applies (target: 10,000 codings in ≤ 2 s).
pub const BATCH_ROWS: usize = 10_000;

/// `thema code --from FILE` as coder r1: [`BATCH_ROWS`] rows spread over every transcript, half
/// by offsets with their quote (as `thema export segments` writes them), half by turn; r1's
/// file and batch log are put back after each run.
fn batch(setup: &Setup<'_>, f: &mut Figures) -> std::io::Result<()> {
    let layer = setup.study.join("codings/r1.jsonl");
    let log = setup.study.join("codings/r1.batches.log.jsonl");
    let original = std::fs::read(&layer)?;
    let codes = themes(setup.study);
    let mut transcripts: Vec<PathBuf> = std::fs::read_dir(setup.study.join("transcripts"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    transcripts.sort();
    if codes.is_empty() || transcripts.is_empty() {
        f.notes.push("no code or transcript for the batch".into());
        return Ok(());
    }
    let per = BATCH_ROWS.div_ceil(transcripts.len());
    let mut csv = String::from("transcript,start,end,quote,turn,code\n");
    let mut rows = 0;
    for path in &transcripts {
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path)?;
        let chars: Vec<char> = text.chars().collect();
        for k in 0..per {
            if rows == BATCH_ROWS {
                break;
            }
            let code = &codes[rows % codes.len()];
            if k % 2 == 0 {
                let start = (k + 1) * chars.len() / (per + 2);
                let end = (start + 120).min(chars.len());
                let quote: String = chars[start..end].iter().collect();
                let quote = quote.replace('"', "\"\"");
                csv.push_str(&format!("{id},{start},{end},\"{quote}\",,{code}\n"));
            } else {
                csv.push_str(&format!("{id},,,,{},{code}\n", k + 1));
            }
            rows += 1;
        }
    }
    let file = std::env::temp_dir().join(format!("thema-bench-batch-{}.csv", std::process::id()));
    std::fs::write(&file, csv)?;
    for round in 0..=setup.repeats.min(3) {
        let mut runs = Runs::default();
        runs.time(
            thema(setup)
                .args(["--coder", "r1", "code", "--from"])
                .arg(&file),
        )?;
        std::fs::write(&layer, &original)?;
        let _ = std::fs::remove_file(&log);
        if round > 0 {
            merge(&mut f.batch, &runs);
        }
    }
    if f.batch.failed > 0 {
        f.notes
            .push(format!("{} batch runs failed", f.batch.failed));
    }
    let _ = std::fs::remove_file(&file);
    Ok(())
}

/// The ids of the first codebook's themes.
fn themes(study: &Path) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(study.join("codebooks")) else {
        return Vec::new();
    };
    let mut books: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p.to_string_lossy().ends_with(".log.jsonl")
        })
        .collect();
    books.sort();
    let Some(first) = books.first() else {
        return Vec::new();
    };
    let Ok(text) = std::fs::read_to_string(first) else {
        return Vec::new();
    };
    let Ok(book) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    book["codes"]
        .as_array()
        .map(|codes| {
            codes
                .iter()
                .filter(|c| c["parent"].is_null())
                .filter_map(|c| c["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn record(into: &mut BTreeMap<String, Runs>, shape: &str, runs: &Runs) {
    merge(into.entry(shape.to_string()).or_default(), runs);
    merge(into.entry("all".to_string()).or_default(), runs);
}

fn merge(into: &mut Runs, runs: &Runs) {
    into.samples.0.extend(&runs.samples.0);
    into.peak_kb = into.peak_kb.max(runs.peak_kb);
    into.failed += runs.failed;
}

impl Figures {
    /// The figures as metrics (`search/all/median`, `sqlite/word (rare)/median`, `code/median`,
    /// `transcripts/peak_mb`, ...).
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        let mut put = |name: &str, runs: &Runs| {
            let s: &Samples = &runs.samples;
            if !s.0.is_empty() {
                out.insert(format!("{name}/median"), s.median());
                out.insert(format!("{name}/p99"), s.p99());
                out.insert(format!("{name}/peak_mb"), runs.peak_mb());
            }
        };
        for (shape, runs) in &self.search {
            put(&format!("search/{shape}"), runs);
        }
        for (shape, runs) in &self.sqlite {
            put(&format!("sqlite/{shape}"), runs);
        }
        put("code", &self.code);
        put("batch", &self.batch);
        put("transcripts", &self.transcripts);
        put("segments", &self.segments);
        put("themes", &self.themes);
        put("matrix", &self.matrix);
        out
    }
}
