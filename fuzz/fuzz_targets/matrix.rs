//! Reliability data from a CSV matrix: never panics; errors name a line inside the text; what
//! parses can be given to every agreement statistic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thema::agreement::{agreement, parse_matrix, CategoryCount, MatrixError, Metric, Options};

fuzz_target!(|text: &str| {
    let lines = text.matches('\n').count() as u64 + 1;
    match parse_matrix(text) {
        Ok(data) => {
            for metric in [
                Metric::Nominal,
                Metric::Ordinal,
                Metric::Interval,
                Metric::Ratio,
            ] {
                let _ = agreement(
                    &data,
                    &Options {
                        metric,
                        categories: CategoryCount::Listed,
                    },
                );
            }
        }
        Err(MatrixError::Empty) => {}
        Err(MatrixError::NoCoders { line })
        | Err(MatrixError::EmptyCoderName { line, .. })
        | Err(MatrixError::DuplicateCoder { line, .. })
        | Err(MatrixError::RowLength { line, .. })
        | Err(MatrixError::Csv { line, .. }) => assert!(line >= 1 && line <= lines),
        Err(MatrixError::Data(e)) => panic!("data error after validation: {e}"),
    }
});
