//! Timing and memory readings: durations in milliseconds, nearest-rank percentiles, and the
//! process's peak resident memory from `/proc/self/status`.
//!
//! It reads clocks and `/proc`; it neither runs thema nor prints anything.

use std::time::{Duration, Instant};

/// Milliseconds of a duration, as a float.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `f` once and returns its result and how long it took, in milliseconds.
pub fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let started = Instant::now();
    let out = f();
    (out, ms(started.elapsed()))
}

/// Latencies of repeated runs, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    /// Adds one reading.
    pub fn push(&mut self, ms: f64) {
        self.0.push(ms);
    }

    /// The nearest-rank percentile `p` (0–100); 0 when there are no readings.
    pub fn percentile(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    /// The median.
    pub fn median(&self) -> f64 {
        self.percentile(50.0)
    }

    /// The 99th percentile.
    pub fn p99(&self) -> f64 {
        self.percentile(99.0)
    }

    /// The largest reading.
    pub fn max(&self) -> f64 {
        self.0.iter().copied().fold(0.0, f64::max)
    }

    /// Number of readings.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no reading.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A `VmHWM`/`VmRSS`-style line of `/proc/self/status`, in kB.
fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Peak resident memory of this process so far, in MB (0 where `/proc` is not available).
pub fn peak_mb() -> f64 {
    status_kb("VmHWM:").unwrap_or(0) as f64 / 1024.0
}

/// Resident memory of this process now, in MB.
pub fn rss_mb() -> f64 {
    status_kb("VmRSS:").unwrap_or(0) as f64 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let s = Samples((1..=100).map(f64::from).collect());
        assert_eq!(s.median(), 50.0);
        assert_eq!(s.p99(), 99.0);
        assert_eq!(s.percentile(100.0), 100.0);
        assert_eq!(s.max(), 100.0);
        let one = Samples(vec![3.0]);
        assert_eq!(one.median(), 3.0);
        assert_eq!(one.p99(), 3.0);
        assert_eq!(Samples::default().median(), 0.0);
    }

    #[test]
    fn peak_memory_is_read() {
        if cfg!(target_os = "linux") {
            assert!(peak_mb() > 0.0);
            assert!(peak_mb() >= rss_mb());
        }
    }
}
