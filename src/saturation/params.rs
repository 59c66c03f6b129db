//! The three parameters of the method (base size, run length, new-information threshold),
//! checked, and the reading of a threshold given as a fraction or a percentage.

use serde::Serialize;

/// Slack allowed when comparing a share with the threshold (see the module doc).
pub(crate) const EPSILON: f64 = 1e-9;

/// Why saturation parameters were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SaturationError {
    /// `--base 0`.
    #[error("the base must hold at least 1 interview (got 0)")]
    BaseZero,
    /// `--run 0`.
    #[error("a run must hold at least 1 interview (got 0)")]
    RunZero,
    /// A threshold that is negative, not a number, or above 100%.
    #[error(
        "threshold {0} is not a share: give a fraction (0.05) or a percentage (5), from 0 to 100"
    )]
    Threshold(f64),
}

/// Base size, run length and new-information threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SaturationParams {
    base: usize,
    run: usize,
    /// The threshold as a fraction (0.05 for 5%).
    threshold: f64,
}

impl Default for SaturationParams {
    /// The paper's suggested defaults: base 4, run 2, ≤5% new information.
    fn default() -> Self {
        SaturationParams {
            base: 4,
            run: 2,
            threshold: 0.05,
        }
    }
}

impl SaturationParams {
    /// Checked parameters. `threshold` below 1 is a fraction, from 1 to 100 a percentage.
    pub fn new(base: usize, run: usize, threshold: f64) -> Result<Self, SaturationError> {
        if base == 0 {
            return Err(SaturationError::BaseZero);
        }
        if run == 0 {
            return Err(SaturationError::RunZero);
        }
        Ok(SaturationParams {
            base,
            run,
            threshold: normalise_threshold(threshold)?,
        })
    }

    /// Number of interviews in the base.
    pub fn base(&self) -> usize {
        self.base
    }

    /// Number of interviews in a run.
    pub fn run(&self) -> usize {
        self.run
    }

    /// The threshold as a fraction (0.05 for 5%).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }
}

/// Reads `5` and `0.05` alike as 5% (see the module doc); returns a fraction.
pub fn normalise_threshold(value: f64) -> Result<f64, SaturationError> {
    if !value.is_finite() || !(0.0..=100.0).contains(&value) {
        return Err(SaturationError::Threshold(value));
    }
    Ok(if value < 1.0 { value } else { value / 100.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_accepts_fraction_and_percent() {
        assert_eq!(normalise_threshold(5.0), Ok(0.05));
        assert_eq!(normalise_threshold(0.05), Ok(0.05));
        assert_eq!(normalise_threshold(1.0), Ok(0.01));
        assert_eq!(normalise_threshold(0.0), Ok(0.0));
        assert_eq!(normalise_threshold(100.0), Ok(1.0));
        assert!(normalise_threshold(-1.0).is_err());
        assert!(normalise_threshold(101.0).is_err());
        assert!(normalise_threshold(f64::NAN).is_err());
        assert_eq!(
            SaturationParams::new(0, 2, 5.0),
            Err(SaturationError::BaseZero)
        );
        assert_eq!(
            SaturationParams::new(4, 0, 5.0),
            Err(SaturationError::RunZero)
        );
    }
}
