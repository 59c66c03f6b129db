//! Whole processes, timed from spawn to exit, with their peak resident memory (`ru_maxrss` of
//! the child, read with `wait4`): how a researcher's shell or script meets `thema` and, as the
//! baseline, the `sqlite3` shell.
//!
//! It runs the commands it is given; it knows nothing of thema.

use std::io;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::measure::Samples;

/// One finished process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    /// Spawn to exit, in milliseconds.
    pub ms: f64,
    /// Peak resident memory, in kilobytes.
    pub peak_kb: u64,
    /// Whether it exited with status 0.
    pub ok: bool,
}

/// Runs `command` with its output discarded and waits for it.
pub fn run(command: &mut Command) -> io::Result<Run> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let started = Instant::now();
    let child = command.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `usage` is plain data that wait4 fills; `pid` is our own child, waited for once
    // (the `Child` is dropped without waiting, which neither kills nor reaps it).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    drop(child);
    if waited != pid {
        return Err(io::Error::last_os_error());
    }
    Ok(Run {
        ms,
        peak_kb: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    })
}

/// Several runs of commands: their latencies and the largest peak memory.
#[derive(Debug, Clone, Default)]
pub struct Runs {
    /// Latencies, in milliseconds.
    pub samples: Samples,
    /// Largest peak resident memory, in kilobytes.
    pub peak_kb: u64,
    /// Runs that did not exit with status 0.
    pub failed: usize,
}

impl Runs {
    /// Runs `command` once and records it.
    pub fn time(&mut self, command: &mut Command) -> io::Result<()> {
        let r = run(command)?;
        self.samples.push(r.ms);
        self.peak_kb = self.peak_kb.max(r.peak_kb);
        if !r.ok {
            self.failed += 1;
        }
        Ok(())
    }

    /// Peak memory in megabytes.
    pub fn peak_mb(&self) -> f64 {
        self.peak_kb as f64 / 1024.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_a_process_and_reads_its_memory() {
        let r = run(Command::new("true").arg("x")).unwrap();
        assert!(r.ok && r.ms > 0.0 && r.peak_kb > 0);
        let failed = run(&mut Command::new("false")).unwrap();
        assert!(!failed.ok);
    }
}
