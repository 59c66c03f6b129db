//! Content fingerprints for change detection: 64-bit, fast, not cryptographic.
//!
//! The catalogue and the search index's manifest record what they were made from as
//! fingerprints, so a later process can tell what changed without comparing whole files.

/// Multiplier of the fingerprint (an odd constant, so every step is a bijection).
pub const K: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

/// A 64-bit content fingerprint for change detection (not cryptographic): four independent
/// lanes over 32-byte blocks, so long texts hash at memory speed. A change to any one 8-byte
/// word always changes the result, since every step is a bijection of the lane.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut lanes = [K, K ^ 0x5555, K ^ 0xAAAA, K ^ 0xFFFF];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&block[i * 8..i * 8 + 8]);
            *lane = (*lane ^ u64::from_le_bytes(w))
                .wrapping_mul(K)
                .rotate_left(29);
        }
    }
    let mut h = bytes.len() as u64;
    for chunk in blocks.remainder().chunks(8) {
        h = (h ^ word(chunk)).wrapping_mul(K).rotate_left(29);
    }
    for lane in lanes {
        h = mix(h ^ lane);
    }
    h
}

/// A quick hash of a short string such as an id (longer ones go through [`hash_bytes`]).
pub fn short_hash(s: &str) -> u64 {
    let b = s.as_bytes();
    if b.len() > 16 {
        return hash_bytes(b);
    }
    let (head, tail) = b.split_at(b.len().min(8));
    (word(head) ^ (b.len() as u64) << 59)
        .wrapping_mul(K)
        .rotate_left(31)
        ^ word(tail)
}

/// A fingerprint written as 16 hex digits.
pub fn hex(h: u64) -> String {
    format!("{h:016x}")
}

/// A running fingerprint over several values.
#[derive(Debug, Clone, Copy)]
pub struct Fingerprint(u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint::new()
    }
}

impl Fingerprint {
    /// An empty fingerprint.
    pub fn new() -> Self {
        Fingerprint(K)
    }

    /// Adds a string (its length too, so `ab`+`c` differs from `a`+`bc`).
    pub fn add_str(&mut self, s: &str) {
        self.add_u64(s.len() as u64);
        if s.len() <= 8 {
            self.add_u64(word(s.as_bytes()));
        } else {
            self.add_u64(hash_bytes(s.as_bytes()));
        }
    }

    /// Adds a number.
    pub fn add_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(K).rotate_left(29);
    }

    /// The result as a number.
    pub fn value(self) -> u64 {
        mix(self.0)
    }

    /// The result in hex.
    pub fn finish(self) -> String {
        hex(mix(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_see_every_change() {
        let text = "LW7: the bus stopped running in March, so I walk now.".repeat(20);
        let base = hash_bytes(text.as_bytes());
        assert_eq!(base, hash_bytes(text.clone().as_bytes()));
        for i in [0, 7, 31, 32, 500, text.len() - 1] {
            let mut changed = text.clone().into_bytes();
            changed[i] ^= 1;
            assert_ne!(base, hash_bytes(&changed), "byte {i}");
        }
        assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
        let mut a = Fingerprint::new();
        a.add_str("ab");
        a.add_str("c");
        let mut b = Fingerprint::new();
        b.add_str("a");
        b.add_str("bc");
        assert_ne!(a.finish(), b.finish());
    }
}
