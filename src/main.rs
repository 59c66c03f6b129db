//! The `thema` binary: parse arguments, run, map errors to exit codes (0 ok, 1 error, 2 usage).

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: loading a study allocates many small strings (ids, attribute values, segment
/// fields), which glibc's allocator made a measurable part of every command.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = thema::cli::Cli::parse();
    match thema::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("thema: {err:#}");
            ExitCode::from(1)
        }
    }
}
