//! thema: qualitative coding of interview transcripts.
