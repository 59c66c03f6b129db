//! `thema-gen`: writes a generated study for benchmarks (a dev tool, not a thema command).
//!
//! `thema-gen --transcripts N --words W --coders C [--segments S] [--seed X] --out DIR`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use thema_bench::generate::{generate, Spec};

const USAGE: &str = "usage: thema-gen [--transcripts N] [--words W] [--coders C] [--segments S per coder] [--seed X] --out DIR
defaults: 1000 transcripts × 10000 words × 3 coders, 100 segments per coder per 10,000 words";

fn main() -> ExitCode {
    let mut spec = Spec::scaled(1000, 10_000, 3);
    let mut segments: Option<usize> = None;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        let Some(value) = args.next() else {
            eprintln!("{flag} needs a value\n{USAGE}");
            return ExitCode::from(2);
        };
        let number = || value.replace('_', "").parse::<u64>();
        let parsed = match flag.as_str() {
            "--transcripts" => number().map(|n| spec.transcripts = n as usize),
            "--words" => number().map(|n| spec.words = n as usize),
            "--coders" => number().map(|n| spec.coders = n as usize),
            "--segments" => number().map(|n| segments = Some(n as usize)),
            "--seed" => number().map(|n| spec.seed = n),
            "--out" => {
                out = Some(PathBuf::from(&value));
                Ok(())
            }
            _ => {
                eprintln!("unknown option {flag}\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        if parsed.is_err() {
            eprintln!("{flag} takes a number, not '{value}'");
            return ExitCode::from(2);
        }
    }
    let Some(out) = out else {
        eprintln!("--out DIR is required\n{USAGE}");
        return ExitCode::from(2);
    };
    let seed = spec.seed;
    spec = Spec {
        seed,
        ..Spec::scaled(spec.transcripts, spec.words, spec.coders)
    };
    if let Some(s) = segments {
        spec.segments = s;
    }
    let started = Instant::now();
    match generate(&spec, &out) {
        Ok(summary) => {
            println!(
                "{}: {} transcripts, {} turns, {} words, {:.1} MB of text; {} codes; {} ({:.1} MB of codings) in {:.1} s",
                out.display(),
                summary.transcripts,
                summary.turns,
                summary.words,
                summary.text_bytes as f64 / 1e6,
                summary.codes,
                summary
                    .segments
                    .iter()
                    .map(|(c, n)| format!("{c}: {n} segments"))
                    .collect::<Vec<_>>()
                    .join(", "),
                summary.coding_bytes as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("thema-gen: {e}");
            ExitCode::FAILURE
        }
    }
}
