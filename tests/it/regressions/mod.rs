//! Regression tests: every input that once broke thema (found by the hostile-input property
//! tests or by `scripts/fuzz.sh`), kept so it never breaks again. One module per finding.

mod codebook_duplicate_ids;
mod codebook_lost_update;
mod coder_file_rewritten_within_a_tick;
mod future_fields_keep_their_floats;
mod note_read_as_turn;
mod reanchor_shifted_by_case;
