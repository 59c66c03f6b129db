//! Benchmarks of thema at research-programme scale: a seeded generator of realistic studies,
//! the query set, the two baselines (SQLite FTS5 and a linear scan) and the readings of time
//! and memory that the macro bench (`src/bin/macro-bench.rs`) puts in its table.
//!
//! This crate is a workspace member outside the default members: `cargo test` at the root does
//! not build it. It only reads and writes generated studies and its own files under `target/`.

pub mod cli;
pub mod fts5;
pub mod generate;
pub mod measure;
pub mod process;
pub mod queries;
pub mod scan;
