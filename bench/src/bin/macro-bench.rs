//! `macro-bench`: the performance-target figures on a generated study, with SQLite FTS5 and a linear scan
//! as baselines in the same run, printed as one Markdown table with ratios and PASS/MISS.
//!
//! The parent process generates (or reuses, under `target/bench-study-N-W-C`) the study, then
//! runs each phase in a child process of its own (`macro-bench --phase NAME`), so every phase
//! starts cold in memory and its peak resident memory (`VmHWM`) is its own. Children print one
//! `RESULT {json}` line; the parent gathers them into the table.
//!
//! `macro-bench [--transcripts N] [--words W] [--coders C] [--small] [--only PHASE,...]`

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::{json, Value};
use thema::index::{Index, SegmentQuery};
use thema::report::agreement::{all_codes, compute, default_coders, AgreeRequest, Unit};
use thema::study::coding::{SegmentFilter, Span};
use thema::study::Study;
use thema::tui::action::{Motion, Mouse};
use thema::tui::{view, Action, App};
use thema_bench::generate::{generate, Spec};
use thema_bench::measure::{ms, peak_mb, time, Samples};
use thema_bench::queries::{query_set, QueryCase, SHAPES};
use thema_bench::{cli, fts5, scan};

/// The allocator the `thema` binary uses, so in-process figures are what users get.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Results kept per page in the search figures (the target: top 50 with count).
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

/// `thema` to first frame, timed from outside: spawning the process until it says its first
/// frame is drawn. The median of several runs; the child's own breakdown of the last run.
fn first_frame(study: &Path, args: &Args) -> Result<Report, Error> {
    eprintln!("phase first-frame ...");
    let exe = std::env::current_exe()?;
    let mut samples = Samples::default();
    let mut parts: BTreeMap<String, Samples> = BTreeMap::new();
    let mut last = Report::default();
    for _ in 0..FIRST_FRAME_RUNS {
        let started = Instant::now();
        let mut proc = Command::new(&exe)
            .args(["--phase", "first-frame", "--study"])
            .arg(study)
            .args(["--transcripts", &args.transcripts.to_string()])
            .args(["--words", &args.words.to_string()])
            .args(["--coders", &args.coders.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = proc.stdout.take().ok_or("no stdout")?;
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        while reader.read_line(&mut line)? > 0 && !line.starts_with("FRAME") {
            line.clear();
        }
        samples.push(ms(started.elapsed()));
        let mut rest = String::new();
        reader.read_to_string(&mut rest)?;
        let status = proc.wait()?;
        if !status.success() {
            return Err(format!("phase first-frame failed ({status}): {rest}").into());
        }
        last = parse_report(&rest).ok_or("phase first-frame printed no RESULT line")?;
        for (k, v) in &last.metrics {
            parts.entry(k.clone()).or_default().push(*v);
        }
    }
    for (k, v) in parts {
        last.metrics.insert(k, v.median());
    }
    last.metrics
        .insert("spawn_to_frame".into(), samples.median());
    last.metrics
        .insert("spawn_to_frame_max".into(), samples.max());
    Ok(last)
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
    "build",
    "fts5-build",
    "search",
    "fts5-search",
    "scan-search",
    "refresh",
    "segments",
    "scan-segments",
    "agree",
    "agree-bootstrap",
    "first-frame",
    "keys",
    "cli",
    "cli-200",
];

/// Phases that measure thema itself (their peak memory counts against the target).
const THEMA_PHASES: &[&str] = &[
    "cli",
    "cli-200",
    "load",
    "build",
    "search",
    "refresh",
    "segments",
    "agree",
    "agree-bootstrap",
    "first-frame",
    "keys",
];

/// Transcripts of the smaller study the whole-process figures are also taken on.
const CLI_SMALL_TRANSCRIPTS: usize = 200;

/// The release `thema` binary beside this one (scripts/bench.sh builds it).
fn thema_exe() -> Result<PathBuf, Error> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name("thema");
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing: build it with `cargo build --release --bin thema` (scripts/bench.sh does)",
            path.display()
        )
        .into())
    }
}

/// Whole `thema` processes on a study, and the `sqlite3` shell on its FTS5 table.
fn whole_processes(study: &Path, args: &Args) -> Result<Report, Error> {
    eprintln!(
        "phase whole processes ({} transcripts) ...",
        args.transcripts
    );
    let thema = thema_exe()?;
    let fts5 = fts5_path(args)?;
    let cases = queries(args)?;
    let figures = cli::measure(&cli::Setup {
        thema: &thema,
        study,
        fts5: fts5.exists().then_some(fts5.as_path()),
        queries: &cases,
        per_shape: 3,
        repeats: REPEATS,
    })?;
    let mut metrics = figures.metrics();
    metrics.insert("transcripts".into(), args.transcripts as f64);
    let peak = metrics
        .iter()
        .filter(|(k, _)| k.ends_with("/peak_mb") && !k.starts_with("sqlite/"))
        .map(|(_, v)| *v)
        .fold(0.0, f64::max);
    Ok(Report {
        metrics,
        peak_mb: peak,
        notes: figures.notes,
    })
}

/// Words of the one transcript the key-press figures are measured in.
const BIG_TRANSCRIPT_WORDS: usize = 200_000;
/// Terminal size for the TUI figures.
const SCREEN: (u16, u16) = (200, 60);
/// Runs of `thema` to first frame.
const FIRST_FRAME_RUNS: usize = 5;

fn orchestrate(args: &Args) -> Result<(), Error> {
    let target = target_dir()?;
    let spec = Spec::scaled(args.transcripts, args.words, args.coders);
    let dir = target.join(format!(
        "bench-study-{}-{}-{}",
        args.transcripts, args.words, args.coders
    ));
    let (study, generated) = cached_study(&dir, &spec)?;
    let big_spec = Spec {
        segments: BIG_TRANSCRIPT_WORDS / 100,
        ..Spec::scaled(1, BIG_TRANSCRIPT_WORDS, 3)
    };
    let (big, _) = cached_study(
        &target.join(format!("bench-study-tui-{BIG_TRANSCRIPT_WORDS}")),
        &big_spec,
    )?;
    let mut reports: BTreeMap<&str, Report> = BTreeMap::new();
    for phase in PHASES {
        if args
            .only
            .as_ref()
            .is_some_and(|o| !o.iter().any(|p| p == phase))
        {
            continue;
        }
        let report = match *phase {
            "first-frame" => first_frame(&study, args)?,
            "cli" => whole_processes(&study, args)?,
            "cli-200" => {
                let small = Args {
                    transcripts: CLI_SMALL_TRANSCRIPTS,
                    ..args.clone()
                };
                let spec = Spec::scaled(small.transcripts, small.words, small.coders);
                let (dir, _) = cached_study(
                    &target.join(format!(
                        "bench-study-{}-{}-{}",
                        small.transcripts, small.words, small.coders
                    )),
                    &spec,
                )?;
                if !queries_path(&small)?.exists() {
                    child("queries", &dir, &small)?;
                }
                if !fts5_path(&small)?.exists() {
                    child("fts5-build", &dir, &small)?;
                }
                whole_processes(&dir, &small)?
            }
            "keys" => child(phase, &big, args)?,
            _ => child(phase, &study, args)?,
        };
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
        println!("| measure | target | thema | baseline | ratio | verdict |");
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
            "Study `{}`: {:.1} MB of transcripts, {} turns, {} segments{}. {} cores. \
             Baselines: SQLite {} FTS5 (porter stemmer, same documents; {:.0} MB file) and a linear \
             scan of the study in memory. Ratio = baseline ÷ thema.",
            study.display(),
            load.get("text_mb").unwrap_or(0.0),
            load.get("turns").unwrap_or(0.0),
            load.get("segments").unwrap_or(0.0),
            generated
                .map(|g| format!(", generated in {:.1} s", g / 1000.0))
                .unwrap_or_else(|| ", reused from a previous run".into()),
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            rusqlite::version(),
            r("fts5-build", "db_mb").unwrap_or(0.0),
        );
        println!();
    }
    let dash = || "—".to_string();
    let mut t = Table { rows: Vec::new() };
    if let Some(v) = r("load", "open_ms") {
        t.row(
            "study load (`Study::open`)",
            "—",
            fmt_ms(v),
            dash(),
            dash(),
            "",
        );
    }
    if let Some(ours) = r("build", "build_ms") {
        let fts = r("fts5-build", "build_ms");
        let ratio = fts.map(|f| f / ours);
        t.row(
            &format!(
                "full index build ({} docs, {:.0} MB)",
                r("build", "docs").unwrap_or(0.0),
                r("build", "index_mb").unwrap_or(0.0)
            ),
            "≤ 3 s and ≥ 2× FTS5",
            fmt_ms(ours),
            fts.map(|f| format!("FTS5 {}", fmt_ms(f)))
                .unwrap_or_else(dash),
            fts.map(|f| fmt_ratio(f, ours)).unwrap_or_else(dash),
            verdict(ours <= 3000.0 && ratio.is_none_or(|x| x >= 2.0)),
        );
    }
    let search_row = |t: &mut Table, label: &str, key: &str, limit: f64, target: &str| {
        let Some(ours) = r("search", key) else {
            return;
        };
        let fts = r("fts5-search", key);
        let scan = r("scan-search", key);
        let ratio = fts.map(|f| f / ours);
        t.row(
            label,
            target,
            fmt_ms(ours),
            format!(
                "FTS5 {} · scan {}",
                fts.map(fmt_ms).unwrap_or_else(dash),
                scan.map(fmt_ms).unwrap_or_else(dash)
            ),
            format!(
                "{} · {}",
                fts.map(|f| fmt_ratio(f, ours)).unwrap_or_else(dash),
                scan.map(|s| fmt_ratio(s, ours)).unwrap_or_else(dash)
            ),
            if limit > 0.0 {
                verdict(ours <= limit && ratio.is_none_or(|x| x >= 20.0))
            } else {
                ""
            },
        );
    };
    let n = r("search", "queries").unwrap_or(0.0);
    search_row(
        &mut t,
        &format!("search top {LIMIT} + count, median ({n} runs)"),
        "all_median",
        1.0,
        "≤ 1 ms and ≥ 20× FTS5",
    );
    search_row(
        &mut t,
        &format!("search top {LIMIT} + count, p99"),
        "all_p99",
        10.0,
        "≤ 10 ms and ≥ 20× FTS5",
    );
    for shape in SHAPES {
        search_row(
            &mut t,
            &format!("· {shape}: median"),
            &format!("{shape}/median"),
            0.0,
            "",
        );
        search_row(
            &mut t,
            &format!("· {shape}: p99"),
            &format!("{shape}/p99"),
            0.0,
            "",
        );
    }
    if let Some(v) = r("search", "first_query") {
        t.row(
            "first search after opening the index (cold)",
            "—",
            fmt_ms(v),
            r("fts5-search", "first_query")
                .map(|f| format!("FTS5 {}", fmt_ms(f)))
                .unwrap_or_else(dash),
            dash(),
            "",
        );
    }
    if let Some(v) = r("refresh", "refresh_median") {
        let full = r("build", "build_ms");
        t.row(
            &format!(
                "incremental refresh after one coding ({} docs rewritten; max {}; \
                 opening an up-to-date index alone {})",
                r("refresh", "docs_written").unwrap_or(0.0),
                fmt_ms(r("refresh", "refresh_max").unwrap_or(0.0)),
                fmt_ms(r("refresh", "open_unchanged_median").unwrap_or(0.0))
            ),
            "≤ 50 ms",
            fmt_ms(v),
            full.map(|f| format!("full rebuild {}", fmt_ms(f)))
                .unwrap_or_else(dash),
            full.map(|f| fmt_ratio(f, v)).unwrap_or_else(dash),
            verdict(v <= 50.0),
        );
    }
    if let Some(v) = r("refresh", "apply_code_median") {
        t.row(
            "`Study::apply_code` (saves the coder's whole layer)",
            "—",
            fmt_ms(v),
            dash(),
            dash(),
            "",
        );
    }
    if let Some(v) = r("segments", "median") {
        let base = r("scan-segments", "median");
        t.row(
            &format!(
                "`segments --code THEME` via the index (median; {} segments last)",
                r("segments", "last_count").unwrap_or(0.0)
            ),
            "—",
            fmt_ms(v),
            base.map(|b| format!("linear `select_segments` {}", fmt_ms(b)))
                .unwrap_or_else(dash),
            base.map(|b| fmt_ratio(b, v)).unwrap_or_else(dash),
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
            dash(),
            dash(),
            verdict(v <= 1000.0),
        );
    }
    if let Some(v) = r("agree-bootstrap", "median") {
        t.row(
            &format!(
                "agreement with α's 2,000-sample bootstrap, all {} codes × {} coders (turn units)",
                r("agree-bootstrap", "codes").unwrap_or(0.0),
                args.coders
            ),
            "≤ 5 s",
            fmt_ms(v),
            dash(),
            dash(),
            verdict(v <= 5000.0),
        );
    }
    if let Some(v) = r("first-frame", "spawn_to_frame") {
        t.row(
            &format!(
                "`thema` to first frame (load {} + app {} + draw {})",
                fmt_ms(r("first-frame", "open_ms").unwrap_or(0.0)),
                fmt_ms(r("first-frame", "app_ms").unwrap_or(0.0)),
                fmt_ms(r("first-frame", "draw_ms").unwrap_or(0.0))
            ),
            "≤ 300 ms",
            fmt_ms(v),
            dash(),
            dash(),
            verdict(v <= 300.0),
        );
    }
    if let Some(v) = r("keys", "p99") {
        t.row(
            &format!(
                "key press → frame, {}-word transcript (median {}, max {})",
                r("keys", "words").unwrap_or(0.0),
                fmt_ms(r("keys", "median").unwrap_or(0.0)),
                fmt_ms(r("keys", "max").unwrap_or(0.0))
            ),
            "≤ 16 ms (p99)",
            fmt_ms(v),
            dash(),
            dash(),
            verdict(v <= 16.0),
        );
    }
    for phase in ["cli", "cli-200"] {
        let Some(rep) = reports.get(phase) else {
            continue;
        };
        let n = rep.get("transcripts").unwrap_or(0.0);
        let mut shapes = vec!["all".to_string()];
        shapes.extend(SHAPES.iter().map(|s| s.to_string()));
        for shape in shapes {
            let Some(ours) = rep.get(&format!("search/{shape}/median")) else {
                continue;
            };
            let base = rep.get(&format!("sqlite/{shape}/median"));
            let all = shape == "all";
            t.row(
                &if all {
                    format!("whole `thema search` process, top {LIMIT} + count, median ({n} transcripts)")
                } else {
                    format!("· {shape} ({n} transcripts)")
                },
                if all { "≥ 2× the sqlite3 shell" } else { "" },
                fmt_ms(ours),
                base.map(|b| format!("sqlite3 shell {}", fmt_ms(b)))
                    .unwrap_or_else(dash),
                base.map(|b| fmt_ratio(b, ours)).unwrap_or_else(dash),
                if all {
                    verdict(base.is_some_and(|b| b / ours >= 2.0))
                } else {
                    ""
                },
            );
        }
        let process_row = |t: &mut Table, key: &str, label: &str, limit: Option<f64>| {
            if let Some(v) = rep.get(&format!("{key}/median")) {
                t.row(
                    &format!(
                        "{label} ({n} transcripts; peak {:.0} MB)",
                        rep.get(&format!("{key}/peak_mb")).unwrap_or(0.0)
                    ),
                    &limit.map_or("—".to_string(), |l| format!("≤ {l:.0} ms")),
                    fmt_ms(v),
                    dash(),
                    dash(),
                    limit.map_or("", |l| verdict(v <= l)),
                );
            }
        };
        let big = phase == "cli";
        process_row(
            &mut t,
            "code",
            "whole `thema code T --quote … CODE` process",
            big.then_some(50.0),
        );
        process_row(
            &mut t,
            "batch",
            &format!(
                "whole `thema code --from FILE` process, {} rows",
                thema_bench::cli::BATCH_ROWS
            ),
            big.then_some(2000.0),
        );
        process_row(
            &mut t,
            "transcripts",
            "whole `thema transcripts` process",
            big.then_some(100.0),
        );
        process_row(
            &mut t,
            "segments",
            "whole `thema segments --code THEME --json` process",
            None,
        );
        process_row(
            &mut t,
            "themes",
            "whole `thema export themes --format md` process",
            None,
        );
        process_row(
            &mut t,
            "matrix",
            "whole `thema matrix --cols role` process",
            None,
        );
    }
    let peak = THEMA_PHASES
        .iter()
        .filter_map(|p| reports.get(p).map(|r| (*p, r.peak_mb)))
        .fold(None, |acc: Option<(&str, f64)>, (p, m)| match acc {
            Some((_, best)) if best >= m => acc,
            _ => Some((p, m)),
        });
    if let Some((phase, mb)) = peak {
        t.row(
            &format!("peak memory (largest thema phase: {phase})"),
            "≤ 200 MB",
            format!("{mb:.0} MB"),
            reports
                .get("fts5-search")
                .map(|r| format!("FTS5 search process {:.0} MB", r.peak_mb))
                .unwrap_or_else(dash),
            dash(),
            verdict(mb <= 200.0),
        );
    }
    t.print();
    println!();
    println!(
        "Peak resident memory (VmHWM) of each phase's process: {}.",
        PHASES
            .iter()
            .filter_map(|p| reports.get(p).map(|r| format!("{p} {:.0} MB", r.peak_mb)))
            .collect::<Vec<_>>()
            .join(", ")
    );
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

/// Bytes of the files in a folder (not recursive: an index folder is flat).
fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
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
            // the study's size from the catalogue and the coder files' lines, without loading
            // them (this phase's peak memory is the open study's)
            metrics.insert(
                "text_mb".into(),
                study.transcripts().iter().map(|t| t.chars).sum::<usize>() as f64 / 1e6,
            );
            metrics.insert(
                "turns".into(),
                study
                    .transcripts()
                    .iter()
                    .map(|t| t.paragraphs)
                    .sum::<usize>() as f64,
            );
            let mut segments = 0;
            for coder in study.coders() {
                let path = thema::study::files::codings_path(&study.root, coder);
                segments += thema::study::layer_file::LayerFile::read(&path)?.len();
            }
            metrics.insert("segments".into(), segments as f64);
            if !study.notices().is_empty() {
                notes.push(format!("{} load notices", study.notices().len()));
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
            // the scan works on the study in memory: everything is read before timing
            let texts = study.all_transcripts()?;
            study.layers()?;
            let cases = queries(args)?;
            // the scan reads everything on every query: one timed pass is plenty
            let l = latencies(&cases, 1, |c| {
                Ok::<_, Error>(scan::scan(&study, &texts, &c.scan, LIMIT).total)
            })?;
            metrics = latency_metrics(&l);
            notes.push(format!(
                "scan counts: {:?}",
                &l.counts[..l.counts.len().min(16)]
            ));
        }
        "scan-segments" => {
            let study = open_study(args)?;
            study.layers()?;
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
                    })?;
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
                bootstrap: thema::agreement::BootstrapOptions::none(),
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
        "agree-bootstrap" => {
            let study = open_study(args)?;
            let request = AgreeRequest {
                coders: default_coders(&study),
                codes: all_codes(&study),
                exact: false,
                unit: Unit::Turn,
                overlap: 0.9,
                by_transcript: false,
                bootstrap: thema::agreement::BootstrapOptions::default(),
            };
            let mut samples = Samples::default();
            let mut interval = None;
            for _ in 0..3 {
                let (report, took) = time(|| compute(&study, &request));
                let report = report?;
                interval = report.overall.alpha_bootstrap.and_then(|b| b.ci);
                samples.push(took);
            }
            metrics.insert("median".into(), samples.median());
            metrics.insert("codes".into(), request.codes.len() as f64);
            notes.push(format!(
                "overall α's bootstrap 95% interval (turns): {interval:?}"
            ));
        }
        "build" => {
            let study = open_study(args)?;
            let (index, took) = time(|| Index::rebuild(&study, false));
            let index = index?;
            metrics.insert("build_ms".into(), took);
            metrics.insert("docs".into(), index.len() as f64);
            metrics.insert("index_mb".into(), folder_bytes(index.dir()) as f64 / 1e6);
        }
        "search" => {
            let study = open_study(args)?;
            let cases = queries(args)?;
            let (opened, took) = time(|| Index::open(&study, false));
            let (index, refresh) = opened?;
            metrics.insert("open_index_ms".into(), took);
            if refresh.rebuilt {
                notes.push("the index was rebuilt on open (run the build phase first)".into());
            }
            let l = latencies(&cases, REPEATS, |c| {
                index.search(&study, &c.thema, LIMIT).map(|r| r.total)
            })?;
            metrics.extend(latency_metrics(&l));
            notes.push(format!(
                "thema counts: {:?}",
                &l.counts[..l.counts.len().min(16)]
            ));
        }
        "refresh" => {
            let mut study = open_study(args)?;
            let (index, refresh) = Index::open(&study, false)?;
            drop(index);
            if refresh.rebuilt {
                notes.push("the index was rebuilt on open (run the build phase first)".into());
            }
            // opening an index that is up to date: fingerprinting the study and opening tantivy
            let mut unchanged = Samples::default();
            for _ in 0..REPEATS {
                let (opened, took) = time(|| Index::open(&study, false));
                opened?;
                unchanged.push(took);
            }
            metrics.insert("open_unchanged_median".into(), unchanged.median());
            let coder = "r1";
            let layer = thema::study::files::codings_path(&study.root, coder);
            let original = std::fs::read(&layer)?;
            let code = study.codebooks[0].codebook.codes[7].id.clone();
            let mut coding = Samples::default();
            let mut refreshing = Samples::default();
            let mut result: Result<(), Error> = Ok(());
            for i in 0..REPEATS {
                let info = &study.transcripts()[(i * 97) % study.transcripts().len()];
                let t = study.transcript(&info.id)?;
                let turn = &t.turns[t.turns.len() / 2];
                let span = Span::Range(
                    turn.body_start,
                    turn.body_start + 40.min(turn.end - turn.body_start),
                );
                let id = t.id.clone();
                let (applied, took) = time(|| study.apply_code(coder, &id, &span, &code));
                if let Err(e) = applied {
                    result = Err(e.into());
                    break;
                }
                coding.push(took);
                let (opened, took) = time(|| Index::open(&study, false));
                match opened {
                    Ok((_, r)) if r.rebuilt => {
                        result = Err("one coding rebuilt the whole index".into());
                        break;
                    }
                    Ok((_, r)) => {
                        metrics.insert("docs_written".into(), r.docs as f64);
                    }
                    Err(e) => {
                        result = Err(e.into());
                        break;
                    }
                }
                refreshing.push(took);
            }
            // put the coder's file back as generated, and the index in step with it
            std::fs::write(&layer, &original)?;
            drop(study);
            let study = open_study(args)?;
            Index::open(&study, false)?;
            result?;
            metrics.insert("refresh_median".into(), refreshing.median());
            metrics.insert("refresh_max".into(), refreshing.max());
            metrics.insert("apply_code_median".into(), coding.median());
        }
        "segments" => {
            let study = open_study(args)?;
            let (index, _) = Index::open(&study, false)?;
            let themes: Vec<String> = study.codebooks[0]
                .codebook
                .children(None)
                .iter()
                .map(|c| c.id.clone())
                .collect();
            let mut samples = Samples::default();
            let mut found = 0;
            for _ in 0..REPEATS {
                for theme in &themes {
                    let query = SegmentQuery {
                        codes: Some(theme.clone()),
                        ..SegmentQuery::default()
                    };
                    let (hits, took) = time(|| index.segments(&study, &query));
                    found = hits?.len();
                    samples.push(took);
                }
            }
            metrics.insert("median".into(), samples.median());
            metrics.insert("p99".into(), samples.p99());
            metrics.insert("last_count".into(), found as f64);
        }
        "first-frame" => {
            // timed from outside by the parent; the breakdown is measured here
            let (study, open_ms) = time(|| open_study(args));
            let study = study?;
            let (mut app, app_ms) = time(|| App::new(study, "r1".to_string()));
            let (drawn, draw_ms) = time(|| -> Result<(), Error> {
                app.update(Action::Resize(SCREEN.0, SCREEN.1));
                let mut terminal = Terminal::new(TestBackend::new(SCREEN.0, SCREEN.1))?;
                terminal.draw(|f| view::draw(f, &app))?;
                Ok(())
            });
            drawn?;
            println!("FRAME");
            std::io::stdout().flush()?;
            metrics.insert("open_ms".into(), open_ms);
            metrics.insert("app_ms".into(), app_ms);
            metrics.insert("draw_ms".into(), draw_ms);
        }
        "keys" => {
            let study = open_study(args)?;
            let words: usize = study.transcripts().iter().map(|t| t.words).sum();
            metrics.insert("words".into(), words as f64);
            let mut app = App::new(study, "r1".to_string());
            app.update(Action::Resize(SCREEN.0, SCREEN.1));
            let mut terminal = Terminal::new(TestBackend::new(SCREEN.0, SCREEN.1))?;
            terminal.draw(|f| view::draw(f, &app))?;
            let (_, viewport) = app.transcript_viewport();
            let presses = [
                Action::Move(Motion::PageDown),
                Action::Move(Motion::LineDown),
                Action::Move(Motion::WordNext),
                Action::Move(Motion::SentenceNext),
                Action::Move(Motion::TurnNext),
                Action::Extend(Motion::LineDown),
                Action::SelectTurn,
                Action::CollapseSelection,
                Action::Mouse(Mouse::ScrollDown(viewport.x + 5, viewport.y + 5)),
                Action::NextSegment,
                Action::Move(Motion::End),
                Action::Move(Motion::PageUp),
                Action::Move(Motion::LineUp),
                Action::Move(Motion::Start),
            ];
            let mut samples = Samples::default();
            let mut slowest = (0.0, String::new());
            for round in 0..20 {
                for action in &presses {
                    let started = Instant::now();
                    app.update(action.clone());
                    terminal.draw(|f| view::draw(f, &app))?;
                    let took = ms(started.elapsed());
                    samples.push(took);
                    if took > slowest.0 && round > 0 {
                        slowest = (took, format!("{action:?}"));
                    }
                }
            }
            metrics.insert("median".into(), samples.median());
            metrics.insert("p99".into(), samples.p99());
            metrics.insert("max".into(), samples.max());
            notes.push(format!(
                "slowest key press after the first round: {} ({:.2} ms)",
                slowest.1, slowest.0
            ));
        }
        other => return Err(format!("unknown phase {other}").into()),
    }
    emit(metrics, notes);
    Ok(())
}
