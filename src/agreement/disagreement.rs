//! Where coders differ on one code in one transcript.
//!
//! Owns the list a team walks through in a meeting: maximal code-point ranges where some but
//! not all coders applied the code, each with the coders who did, largest first. Pure: it takes
//! the coders' ranges and returns ranges; it does not read codings or draw anything.

use serde::Serialize;
use thiserror::Error;

use super::span::{Span, Sweep, MAX_SWEEP_CODERS};

/// Problems with the ranges handed to [`disagreements`].
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DisagreementError {
    /// More coders than a coder set can hold.
    #[error("{0} coders compared at once; at most {MAX_SWEEP_CODERS} are supported")]
    TooManyCoders(usize),
    /// A range ends before it starts.
    #[error("coder {coder}: range [{start}, {end}) ends before it starts")]
    Inverted {
        /// Index of the coder.
        coder: usize,
        /// Start of the range.
        start: u64,
        /// End of the range.
        end: u64,
    },
}

/// A stretch where the coders disagree about one code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// The code points concerned.
    pub span: Span,
    /// Indices of the coders who applied the code here (some, never none or all).
    pub coders: Vec<usize>,
}

/// The maximal ranges where the set of coders who applied the code is neither empty nor
/// everyone, each with a constant set of coders, sorted by length (largest first) and then by
/// position. `coder_ranges[i]` are coder `i`'s ranges for the code; they may overlap or nest.
/// With fewer than two coders there is nothing to disagree about.
pub fn disagreements(coder_ranges: &[&[Span]]) -> Result<Vec<Disagreement>, DisagreementError> {
    let m = coder_ranges.len();
    if m > MAX_SWEEP_CODERS {
        return Err(DisagreementError::TooManyCoders(m));
    }
    let mut length = 0;
    for (coder, ranges) in coder_ranges.iter().enumerate() {
        for r in ranges.iter() {
            if r.end < r.start {
                return Err(DisagreementError::Inverted {
                    coder,
                    start: r.start,
                    end: r.end,
                });
            }
            length = length.max(r.end);
        }
    }
    let everyone = if m == 64 { u64::MAX } else { (1u64 << m) - 1 };
    let mut out = Vec::new();
    Sweep::default().run(
        length,
        coder_ranges.iter().copied().enumerate(),
        |start, end, mask| {
            if mask != 0 && mask != everyone {
                out.push(Disagreement {
                    span: Span::new(start, end),
                    coders: (0..m).filter(|&c| mask >> c & 1 == 1).collect(),
                });
            }
        },
    );
    out.sort_by(|a, b| b.span.len().cmp(&a.span.len()).then(a.span.cmp(&b.span)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(start: u64, end: u64) -> Span {
        Span::new(start, end)
    }

    #[test]
    fn lists_partial_stretches_largest_first() {
        let a = [sp(0, 10), sp(40, 45)];
        let b = [sp(5, 30), sp(40, 45)];
        let c = [sp(5, 10), sp(40, 45)];
        let d = disagreements(&[&a, &b, &c]).unwrap();
        assert_eq!(
            d,
            vec![
                Disagreement {
                    span: sp(10, 30),
                    coders: vec![1]
                },
                Disagreement {
                    span: sp(0, 5),
                    coders: vec![0]
                },
            ]
        );
    }

    #[test]
    fn full_agreement_has_no_disagreements() {
        let a = [sp(3, 9)];
        let b = [sp(3, 6), sp(6, 9)];
        assert!(disagreements(&[&a, &b]).unwrap().is_empty());
        assert!(disagreements(&[&a]).unwrap().is_empty());
    }

    #[test]
    fn inverted_ranges_are_refused() {
        assert_eq!(
            disagreements(&[&[sp(5, 3)], &[]]),
            Err(DisagreementError::Inverted {
                coder: 0,
                start: 5,
                end: 3
            })
        );
    }
}
