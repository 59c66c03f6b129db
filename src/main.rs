//! The `thema` binary: parse arguments, run, map errors to exit statuses (`thema::cli::exit`:
//! 0 ok, 1 problems found, 2 usage, 3 failure).

use std::process::ExitCode;

/// mimalloc: loading a study allocates many small strings (ids, attribute values, segment
/// fields), which glibc's allocator made a measurable part of every command.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = thema::cli::parse();
    match thema::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("thema: {err:#}");
            if let Some(hint) = thema::cli::hint::for_error(&err) {
                eprintln!("  hint: {hint}");
            }
            thema::cli::exit::status_of(&err).into()
        }
    }
}

/// Output into a pipe whose reader has gone (`thema segments | head`) ends the process quietly,
/// as `cat`, `git` and `grep` do, instead of a panic: Rust ignores SIGPIPE by default, which
/// turns the next write into an error that `println!` panics on.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal at start-up, before any thread
    // exists; no handler of ours is involved.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
