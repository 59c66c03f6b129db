//! Reports computed from a loaded study: agreement tables and disagreement lists, theme
//! summaries, matrices. Functions here take a `&Study` and return data; formatting to
//! Markdown, CSV, HTML or JSON happens in the format modules; nothing here writes files.

pub mod agreement;
pub mod csv_out;
