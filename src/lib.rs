//! thema: qualitative coding of interview transcripts.
pub mod import;
