//! Fresh identifiers for codes and segments.
//!
//! Ids must never collide when coders work on separate clones and merge through git, so they are
//! drawn from the clock, the process id and a counter, mixed, and written in base 36.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A new random-looking 64-bit number, different on every call.
fn fresh() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut x =
        nanos ^ (u64::from(std::process::id()) << 40) ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // splitmix64 finaliser
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn base36(mut n: u64, digits: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; digits];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A new code id such as `c4k9x2p`.
pub fn new_code_id() -> String {
    format!("c{}", base36(fresh(), 6))
}

/// A new segment id such as `r1-7f3k2m9q`: the coder's name keeps ids of different coders apart.
pub fn new_segment_id(coder: &str) -> String {
    format!("{coder}-{}", base36(fresh(), 8))
}

/// A new batch id such as `b7f3k2m`: one run of batch coding, undone as one.
pub fn new_batch_id() -> String {
    format!("b{}", base36(fresh(), 6))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_do_not_repeat() {
        let ids: HashSet<String> = (0..10_000).map(|_| new_segment_id("r1")).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(new_code_id().starts_with('c'));
        assert_eq!(new_code_id().len(), 7);
    }
}
