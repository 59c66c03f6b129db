//! `macro-bench`: the DESIGN §8 figures on a generated study, with SQLite FTS5 and a linear scan
//! as baselines in the same run, printed as one Markdown table with ratios and PASS/MISS.
//!
//! The parent process generates (or reuses, under `target/bench-study-N-W-C`) the study, then
//! runs each phase in a child process of its own (`macro-bench --phase NAME`), so every phase
//! starts cold in memory and its peak resident memory (`VmHWM`) is its own. Children print one
//! `RESULT {json}` line; the parent gathers them into the table.
//!
//! `macro-bench [--transcripts N] [--words W] [--coders C] [--small] [--only PHASE,...]`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use serde_json::{json, Value};
use thema::report::agreement::{all_codes, compute, default_coders, AgreeRequest, Unit};
use thema::study::coding::SegmentFilter;
use thema::study::Study;
use thema_bench::generate::{generate, Spec};
use thema_bench::measure::{ms, peak_mb, time, Samples};
use thema_bench::queries::{query_set, QueryCase, SHAPES};
use thema_bench::{fts5, scan};

/// Results kept per page in the search figures (DESIGN §8: top 50 with count).
const LIMIT: usize = 50;
/// Queries of each shape.
const QUERIES_PER_SHAPE: usize = 12;
/// Timed runs of each query (after one untimed warm-up pass).
const REPEATS: usize = 5;
/// Seed of the query choice.
const QUERY_SEED: u64 = 99;

#[derive(Debug, Clone)]
struct Args {
    transcripts: usize,
    words: usize,
    coders: usize,
    phase: Option<String>,
    study: Option<PathBuf>,
    only: Option<Vec<String>>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        transcripts: 1000,
        words: 10_000,
        coders: 3,
        phase: None,
        study: None,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| {
            v.replace('_', "")
                .parse::<usize>()
                .map_err(|_| format!("'{v}' is not a number"))
        };
        match flag.as_str() {
            "--transcripts" => args.transcripts = number(value()?)?,
            "--words" => args.words = number(value()?)?,
            "--coders" => args.coders = number(value()?)?,
            "--small" => {
                args.transcripts = 100;
                args.words = 2000;
            }
            "--phase" => args.phase = Some(value()?),
            "--study" => args.study = Some(PathBuf::from(value()?)),
            "--only" => args.only = Some(value()?.split(',').map(str::to_string).collect()),
            "-h" | "--help" => {
                return Err("usage: macro-bench [--transcripts N] [--words W] [--coders C] [--small] [--only PHASE,...]".into())
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let outcome = match &args.phase {
        Some(phase) => run_phase(phase, &args),
        None => orchestrate(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("macro-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

// ---------------------------------------------------------------------------------------------
// The parent: study, phases, table.

/// The `target/` folder this binary was built into.
fn target_dir() -> Result<PathBuf, Error> {
    let exe = std::env::current_exe()?;
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .ok_or_else(|| "cannot find target/ from the executable's path".into())
}

/// A generated study, reused when a previous run completed it with the same spec.
fn cached_study(dir: &Path, spec: &Spec) -> Result<(PathBuf, Option<f64>), Error> {
    let marker = dir.join(".bench-complete");
    let wanted = format!("{spec:?}\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return Ok((dir.to_path_buf(), None));
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    eprintln!("generating {} ...", dir.display());
    let (summary, took) = time(|| generate(spec, dir));
    let summary = summary?;
    eprintln!(
        "  {} transcripts, {} words, {:.1} MB text, {:.1} MB codings, in {:.1} s",
        summary.transcripts,
        summary.words,
        summary.text_bytes as f64 / 1e6,
        summary.coding_bytes as f64 / 1e6,
        took / 1000.0
    );
    std::fs::write(&marker, wanted)?;
    Ok((dir.to_path_buf(), Some(took)))
}

/// What a phase reported.
#[derive(Debug, Clone, Default)]
struct Report {
    metrics: BTreeMap<String, f64>,
    peak_mb: f64,
    notes: Vec<String>,
}

impl Report {
    fn get(&self, key: &str) -> Option<f64> {
        self.metrics.get(key).copied()
    }
}

/// Runs one phase in a child process and reads its report.
fn child(phase: &str, study: &Path, args: &Args) -> Result<Report, Error> {
    eprintln!("phase {phase} ...");
    let exe = std::env::current_exe()?;
    let output = Command::new(exe)
        .args(["--phase", phase, "--study"])
        .arg(study)
        .args([
            "--transcripts",
            &args.transcripts.to_string(),
            "--words",
            &args.words.to_string(),
            "--coders",
            &args.coders.to_string(),
        ])
        .stderr(Stdio::inherit())
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("phase {phase} failed ({}): {stdout}", output.status).into());
    }
    parse_report(&stdout).ok_or_else(|| format!("phase {phase} printed no RESULT line").into())
}

fn parse_report(stdout: &str) -> Option<Report> {
    let line = stdout.lines().find_map(|l| l.strip_prefix("RESULT "))?;
    let v: Value = serde_json::from_str(line).ok()?;
    let metrics = v["metrics"]
        .as_object()?
        .iter()
        .filter_map(|(k, v)| v.as_f64().map(|f| (k.clone(), f)))
        .collect();
    Some(Report {
        metrics,
        peak_mb: v["peak_mb"].as_f64().unwrap_or(0.0),
        notes: v["notes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Phases in the order they run. The TUI phases use the 200,000-word study.
const PHASES: &[&str] = &[
    "load",
    "queries",
    "fts5-build",
    "fts5-search",
    "scan-search",
    "scan-segments",
    "agree",
];

fn orchestrate(args: &Args) -> Result<(), Error> {
    let target = target_dir()?;
    let spec = Spec::scaled(args.transcripts, args.words, args.coders);
    let dir = target.join(format!(
        "bench-study-{}-{}-{}",
        args.transcripts, args.words, args.coders
    ));
    let (study, generated) = cached_study(&dir, &spec)?;
    let mut reports: BTreeMap<&str, Report> = BTreeMap::new();
    for phase in PHASES {
        if args
            .only
            .as_ref()
            .is_some_and(|o| !o.iter().any(|p| p == phase))
        {
            continue;
        }
        let report = child(phase, &study, args)?;
        for note in &report.notes {
            eprintln!("  {note}");
        }
        reports.insert(phase, report);
    }
    print_table(args, &spec, &study, generated, &reports);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The table.

fn fmt_ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else if v >= 1.0 {
        format!("{v:.2} ms")
    } else {
        format!("{:.0} µs", v * 1000.0)
    }
}

fn fmt_ratio(baseline: f64, ours: f64) -> String {
    if ours <= 0.0 {
        return "—".into();
    }
    let r = baseline / ours;
    if r >= 100.0 {
        format!("{r:.0}×")
    } else if r >= 10.0 {
        format!("{r:.1}×")
    } else {
        format!("{r:.2}×")
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "MISS"
    }
}

struct Table {
    rows: Vec<[String; 6]>,
}

impl Table {
    fn row(
        &mut self,
        what: &str,
        target: &str,
        ours: String,
        base: String,
        ratio: String,
        v: &str,
    ) {
        self.rows.push([
            what.to_string(),
            target.to_string(),
            ours,
            base,
            ratio,
            v.to_string(),
        ]);
    }

    fn print(&self) {
        println!("| measure | DESIGN §8 target | thema | baseline | ratio | verdict |");
        println!("| --- | --- | --- | --- | --- | --- |");
        for r in &self.rows {
            println!("| {} |", r.join(" | "));
        }
    }
}

fn print_table(
    args: &Args,
    spec: &Spec,
    study: &Path,
    generated: Option<f64>,
    reports: &BTreeMap<&str, Report>,
) {
    let r = |phase: &str, key: &str| reports.get(phase).and_then(|r| r.get(key));
    println!();
    println!(
        "## thema macro bench: {} transcripts × {} words × {} coders ({} segments per coder)",
        args.transcripts, args.words, args.coders, spec.segments
    );
    println!();
    if let Some(load) = reports.get("load") {
        println!(
            "Study {}: {:.1} MB of transcripts, {} turns, {} segments{}. Machine: {} cores.",
            study.display(),
            load.get("text_mb").unwrap_or(0.0),
            load.get("turns").unwrap_or(0.0),
            load.get("segments").unwrap_or(0.0),
            generated
                .map(|g| format!("; generated in {:.1} s", g / 1000.0))
                .unwrap_or_else(|| "; reused from a previous run".into()),
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        );
        println!();
    }
    let mut t = Table { rows: Vec::new() };
    if let Some(v) = r("load", "open_ms") {
        t.row(
            "study load (`Study::open`)",
            "—",
            fmt_ms(v),
            "—".into(),
            "—".into(),
            "",
        );
    }
    if let Some(fts) = r("fts5-build", "build_ms") {
        t.row(
            "full build: SQLite FTS5, same documents",
            "—",
            "—".into(),
            fmt_ms(fts),
            "—".into(),
            "",
        );
    }
    if let (Some(fts), Some(scan)) = (
        r("fts5-search", "all_median"),
        r("scan-search", "all_median"),
    ) {
        t.row(
            "search median: FTS5 / linear scan",
            "—",
            "—".into(),
            format!("{} / {}", fmt_ms(fts), fmt_ms(scan)),
            fmt_ratio(scan, fts),
            "",
        );
    }
    for shape in SHAPES {
        let key = format!("{shape}/median");
        if let (Some(fts), Some(scan)) = (r("fts5-search", &key), r("scan-search", &key)) {
            t.row(
                &format!("· {shape}: FTS5 / scan median"),
                "—",
                "—".into(),
                format!("{} / {}", fmt_ms(fts), fmt_ms(scan)),
                fmt_ratio(scan, fts),
                "",
            );
        }
    }
    if let Some(v) = r("scan-segments", "median") {
        t.row(
            "`segments --code` (linear `select_segments`)",
            "—",
            "—".into(),
            fmt_ms(v),
            "—".into(),
            "",
        );
    }
    if let Some(v) = r("agree", "median") {
        t.row(
            &format!(
                "agreement, all {} codes × {} coders (char units)",
                r("agree", "codes").unwrap_or(0.0),
                args.coders
            ),
            "≤ 1 s",
            fmt_ms(v),
            "—".into(),
            "—".into(),
            verdict(v <= 1000.0),
        );
    }
    let thema_phases = ["load", "agree"];
    let peak = thema_phases
        .iter()
        .filter_map(|p| reports.get(p).map(|r| (p, r.peak_mb)))
        .fold(None, |acc: Option<(&&str, f64)>, (p, m)| match acc {
            Some((_, best)) if best >= m => acc,
            _ => Some((p, m)),
        });
    if let Some((phase, mb)) = peak {
        t.row(
            &format!("peak memory (largest thema phase: {phase})"),
            "≤ 300 MB",
            format!("{mb:.0} MB"),
            reports
                .get("fts5-search")
                .map(|r| format!("FTS5 search {:.0} MB", r.peak_mb))
                .unwrap_or_else(|| "—".into()),
            "—".into(),
            verdict(mb <= 300.0),
        );
    }
    t.print();
    println!();
    println!("Peak resident memory (VmHWM) of each phase's process:");
    println!();
    for (phase, report) in reports {
        println!("- {phase}: {:.0} MB", report.peak_mb);
    }
}

// ---------------------------------------------------------------------------------------------
// The phases, each in its own process.

fn emit(metrics: BTreeMap<String, f64>, notes: Vec<String>) {
    let report = json!({ "metrics": metrics, "peak_mb": peak_mb(), "notes": notes });
    println!("RESULT {report}");
}

fn fts5_path(args: &Args) -> Result<PathBuf, Error> {
    Ok(target_dir()?.join(format!(
        "bench-fts5-{}-{}-{}.sqlite",
        args.transcripts, args.words, args.coders
    )))
}

fn open_study(args: &Args) -> Result<Study, Error> {
    let dir = args.study.as_ref().ok_or("--phase needs --study DIR")?;
    Ok(Study::open(dir)?)
}

fn queries_path(args: &Args) -> Result<PathBuf, Error> {
    Ok(target_dir()?.join(format!(
        "bench-queries-{}-{}-{}.json",
        args.transcripts, args.words, args.coders
    )))
}

/// The query set written by the `queries` phase, so the FTS5 process need not load the study.
fn queries(args: &Args) -> Result<Vec<QueryCase>, Error> {
    let text = std::fs::read_to_string(queries_path(args)?)?;
    Ok(serde_json::from_str(&text)?)
}

/// Latencies of a query set.
struct Latencies {
    /// Timed runs by shape.
    by_shape: BTreeMap<String, Samples>,
    /// Matches of each query (from the warm-up pass).
    counts: Vec<usize>,
    /// The very first query after opening, cold.
    first: f64,
}

/// Runs every query once untimed, then `repeats` timed passes.
fn latencies<E>(
    cases: &[QueryCase],
    repeats: usize,
    mut run: impl FnMut(&QueryCase) -> Result<usize, E>,
) -> Result<Latencies, E> {
    let mut counts = Vec::with_capacity(cases.len());
    let mut first = 0.0;
    for (i, case) in cases.iter().enumerate() {
        let (n, took) = time(|| run(case));
        if i == 0 {
            first = took;
        }
        counts.push(n?);
    }
    let mut by_shape: BTreeMap<String, Samples> = BTreeMap::new();
    for _ in 0..repeats {
        for case in cases {
            let started = Instant::now();
            run(case)?;
            by_shape
                .entry(case.shape.clone())
                .or_default()
                .push(ms(started.elapsed()));
        }
    }
    Ok(Latencies {
        by_shape,
        counts,
        first,
    })
}

fn latency_metrics(l: &Latencies) -> BTreeMap<String, f64> {
    let mut metrics = BTreeMap::new();
    let mut all = Samples::default();
    for (shape, samples) in &l.by_shape {
        metrics.insert(format!("{shape}/median"), samples.median());
        metrics.insert(format!("{shape}/p99"), samples.p99());
        all.0.extend(&samples.0);
    }
    metrics.insert("all_median".into(), all.median());
    metrics.insert("all_p99".into(), all.p99());
    metrics.insert("all_max".into(), all.max());
    metrics.insert("queries".into(), all.len() as f64);
    metrics.insert("first_query".into(), l.first);
    metrics
}

fn run_phase(phase: &str, args: &Args) -> Result<(), Error> {
    let mut metrics: BTreeMap<String, f64> = BTreeMap::new();
    let mut notes = Vec::new();
    match phase {
        "load" => {
            let mut samples = Samples::default();
            let mut last = None;
            for _ in 0..3 {
                drop(last.take());
                let (study, took) = time(|| open_study(args));
                samples.push(took);
                last = Some(study?);
            }
            let study = last.ok_or("no study")?;
            metrics.insert("open_ms".into(), samples.median());
            metrics.insert(
                "text_mb".into(),
                study
                    .transcripts
                    .iter()
                    .map(|t| t.text.len())
                    .sum::<usize>() as f64
                    / 1e6,
            );
            metrics.insert(
                "turns".into(),
                study
                    .transcripts
                    .iter()
                    .map(|t| t.turns.len())
                    .sum::<usize>() as f64,
            );
            metrics.insert(
                "segments".into(),
                study.codings.values().map(Vec::len).sum::<usize>() as f64,
            );
            if !study.notices.is_empty() {
                notes.push(format!("{} load notices", study.notices.len()));
            }
        }
        "fts5-build" => {
            let study = open_study(args)?;
            let path = fts5_path(args)?;
            let (docs, took) = time(|| fts5::build(&study, &path));
            metrics.insert("build_ms".into(), took);
            metrics.insert("docs".into(), docs? as f64);
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            metrics.insert("db_mb".into(), bytes as f64 / 1e6);
        }
        "queries" => {
            let study = open_study(args)?;
            let spec = Spec::scaled(args.transcripts, args.words, args.coders);
            let cases = query_set(&study, spec.seed, QUERIES_PER_SHAPE, QUERY_SEED);
            std::fs::write(queries_path(args)?, serde_json::to_string_pretty(&cases)?)?;
            metrics.insert("queries".into(), cases.len() as f64);
        }
        "fts5-search" => {
            let cases = queries(args)?;
            let conn = fts5::open(&fts5_path(args)?)?;
            let l = latencies(&cases, REPEATS, |c| {
                fts5::search(&conn, &c.fts5, LIMIT).map(|r| r.total)
            })?;
            metrics = latency_metrics(&l);
            notes.push(format!(
                "FTS5 counts: {:?}",
                &l.counts[..l.counts.len().min(16)]
            ));
        }
        "scan-search" => {
            let study = open_study(args)?;
            let cases = queries(args)?;
            // the scan reads everything on every query: one timed pass is plenty
            let l = latencies(&cases, 1, |c| {
                Ok::<_, Error>(scan::scan(&study, &c.scan, LIMIT).total)
            })?;
            metrics = latency_metrics(&l);
            notes.push(format!(
                "scan counts: {:?}",
                &l.counts[..l.counts.len().min(16)]
            ));
        }
        "scan-segments" => {
            let study = open_study(args)?;
            let mut samples = Samples::default();
            let cb = &study.codebooks[0].codebook;
            let themes: Vec<String> = cb.children(None).iter().map(|c| c.id.clone()).collect();
            let mut found = 0;
            for _ in 0..REPEATS {
                for theme in &themes {
                    let started = Instant::now();
                    let codes = study.code_selection(theme, false)?;
                    let hits = study.select_segments(&SegmentFilter {
                        codes: Some(codes),
                        ..SegmentFilter::default()
                    });
                    found = hits.len();
                    samples.push(ms(started.elapsed()));
                }
            }
            metrics.insert("median".into(), samples.median());
            metrics.insert("p99".into(), samples.p99());
            metrics.insert("last_count".into(), found as f64);
        }
        "agree" => {
            let study = open_study(args)?;
            let request = AgreeRequest {
                coders: default_coders(&study),
                codes: all_codes(&study),
                exact: false,
                unit: Unit::Char,
                overlap: 0.9,
                by_transcript: false,
            };
            let mut samples = Samples::default();
            let mut alpha = None;
            for _ in 0..3 {
                let (report, took) = time(|| compute(&study, &request));
                let report = report?;
                alpha = report.overall.krippendorff_alpha;
                samples.push(took);
            }
            metrics.insert("median".into(), samples.median());
            metrics.insert("codes".into(), request.codes.len() as f64);
            notes.push(format!("overall Krippendorff α: {alpha:?}"));
        }
        other => return Err(format!("unknown phase {other}").into()),
    }
    emit(metrics, notes);
    Ok(())
}
