//! Reports computed from a loaded study: agreement tables and disagreement lists, theme
//! summaries, matrices, codebook and segment exports, saturation. Functions here take a
//! `&Study` and return data or text; nothing here writes files.

pub mod agreement;
pub mod codebook_export;
pub mod csv_out;
pub mod html;
pub mod layer;
pub mod markdown;
pub mod matrix;
pub mod reliability;
pub mod rounds;
pub mod saturation;
pub mod segments_export;
pub mod themes;
