//! A small deterministic random number generator for the bootstrap: the same seed gives the
//! same numbers on every platform and every build.
//!
//! The generator is xoshiro256** (Blackman & Vigna 2018) seeded through SplitMix64. Binomial
//! draws use inversion for small means and Hörmann's BTRS transformed rejection (Hörmann 1993,
//! *J. Statistical Computation and Simulation* 46) otherwise. Everything is integer arithmetic
//! and IEEE `+ - × ÷ √`, which are exactly rounded everywhere; the one logarithm BTRS needs is
//! computed here from those operations ([`ln`]) rather than taken from the platform's maths
//! library, whose last bit may differ between systems and would change a rejection decision.

/// xoshiro256**: 256 bits of state, period 2²⁵⁶ − 1.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose state is four SplitMix64 outputs from `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A draw from Binomial(`n`, `p`).
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if n == 0 || p <= 0.0 {
            return 0;
        }
        if p >= 1.0 {
            return n;
        }
        if p > 0.5 {
            return n - self.binomial(n, 1.0 - p);
        }
        if n as f64 * p < 10.0 {
            self.binomial_inversion(n, p)
        } else {
            self.binomial_btrs(n, p)
        }
    }

    /// Sequential search from 0 (Kachitvichyanukul & Schmeiser's BINV); `np < 10`, `p ≤ ½`.
    fn binomial_inversion(&mut self, n: u64, p: f64) -> u64 {
        let q = 1.0 - p;
        let s = p / q;
        let a = (n as f64 + 1.0) * s;
        let start = powi(q, n);
        'draw: loop {
            let mut u = self.uniform();
            let mut r = start;
            let mut x = 0u64;
            while u > r {
                u -= r;
                x += 1;
                if x > n {
                    continue 'draw; // rounding left a sliver past the last term
                }
                r *= a / x as f64 - s;
            }
            return x;
        }
    }

    /// BTRS (Hörmann 1993); `np ≥ 10`, `p ≤ ½`.
    fn binomial_btrs(&mut self, n: u64, p: f64) -> u64 {
        let nf = n as f64;
        let q = 1.0 - p;
        let spq = (nf * p * q).sqrt();
        let b = 1.15 + 2.53 * spq;
        let a = -0.0873 + 0.0248 * b + 0.01 * p;
        let c = nf * p + 0.5;
        let v_r = 0.92 - 4.2 / b;
        let alpha = (2.83 + 5.1 / b) * spq;
        let lpq = ln(p / q);
        let m = ((nf + 1.0) * p).floor();
        let h = ln_factorial(m) + ln_factorial(nf - m);
        loop {
            let u = self.uniform() - 0.5;
            let v = self.uniform();
            let us = 0.5 - u.abs();
            let k = ((2.0 * a / us + b) * u + c).floor();
            if k < 0.0 || k > nf {
                continue;
            }
            if us >= 0.07 && v <= v_r {
                return k as u64;
            }
            if v <= 0.0 {
                continue;
            }
            let v = ln(v * alpha / (a / (us * us) + b));
            if v <= h - ln_factorial(k) - ln_factorial(nf - k) + (k - m) * lpq {
                return k as u64;
            }
        }
    }
}

/// `x^n` by repeated squaring (the same operations in the same order everywhere).
fn powi(mut x: f64, mut n: u64) -> f64 {
    let mut result = 1.0;
    while n > 0 {
        if n & 1 == 1 {
            result *= x;
        }
        x *= x;
        n >>= 1;
    }
    result
}

/// Natural logarithm of a positive finite `x` from exactly rounded operations only:
/// `x = m · 2^e` with `m ∈ [√½, √2)`, then `ln m = 2 atanh((m-1)/(m+1))` by its series.
pub fn ln(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return if x == 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::NAN
        };
    }
    let mut bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64;
    if e == 0 {
        // subnormal: scale into the normal range first
        bits = (x * (1u64 << 54) as f64).to_bits();
        e = ((bits >> 52) & 0x7ff) as i64 - 54;
    }
    let mut exponent = e - 1023;
    let mut m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        exponent += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    // |s| ≤ 0.1716: 2 s^(2j+1)/(2j+1) < 1e-17 by j = 10
    for _ in 0..12 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    2.0 * sum + exponent as f64 * std::f64::consts::LN_2
}

/// `ln(k!)` for a whole number `k ≥ 0`: a product below 16, Stirling's series above.
fn ln_factorial(k: f64) -> f64 {
    if k < 16.0 {
        let mut product = 1.0;
        let mut i = 2.0;
        while i <= k {
            product *= i;
            i += 1.0;
        }
        return ln(product);
    }
    let x = k + 1.0;
    let x2 = x * x;
    const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;
    (x - 0.5) * ln(x) - x + HALF_LN_2PI + 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x2)
        + 1.0 / (1260.0 * x * x2 * x2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generators_match_their_reference_outputs() {
        // SplitMix64 from 0 starts 0xe220a8397b1dcdaf (Vigna's reference implementation).
        assert_eq!(Rng::new(0).s[0], 0xe220_a839_7b1d_cdaf);
        // xoshiro256** from the state 1, 2, 3, 4.
        let mut x = Rng { s: [1, 2, 3, 4] };
        let out: Vec<u64> = (0..4).map(|_| x.next_u64()).collect();
        assert_eq!(out, [11520, 0, 1509978240, 1215971899390074240]);
        // pinned: a change here changes every published bootstrap interval
        assert_eq!(Rng::new(42).next_u64(), 1546998764402558742);
        let u = Rng::new(7).uniform();
        assert!((0.0..1.0).contains(&u));
    }

    #[test]
    fn ln_matches_the_library_logarithm() {
        for x in [
            1e-300, 1e-10, 0.3, 0.70, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e200,
        ] {
            assert!(
                (ln(x) - x.ln()).abs() <= 1e-15 * x.ln().abs().max(1.0),
                "{x}"
            );
        }
        assert!((ln(5e-324) - 5e-324f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn ln_factorial_is_continuous_across_the_switch() {
        let exact: f64 = (2..=20).map(|i| (i as f64).ln()).sum();
        assert!((ln_factorial(20.0) - exact).abs() < 1e-11);
        let exact15: f64 = (2..=15).map(|i| (i as f64).ln()).sum();
        assert!((ln_factorial(15.0) - exact15).abs() < 1e-12);
    }

    #[test]
    fn binomial_draws_have_the_right_mean_and_variance() {
        let mut rng = Rng::new(1);
        for (n, p) in [
            (20u64, 0.1),
            (1000, 0.3),
            (1_000_000, 0.001),
            (5000, 0.9),
            (7, 0.5),
        ] {
            let draws: Vec<f64> = (0..20_000).map(|_| rng.binomial(n, p) as f64).collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
            let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
            assert!(
                (mean - m).abs() < 4.0 * (v / 20_000.0).sqrt() + 1e-9,
                "{n} {p}: {mean}"
            );
            assert!((var / v - 1.0).abs() < 0.06, "{n} {p}: {var} vs {v}");
            assert!(draws.iter().all(|&x| x <= n as f64));
        }
    }
}
