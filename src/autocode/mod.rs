//! Auto-coding and batch coding: finding the passages one batch codes — every hit of a search
//! widened to its context, every turn of a speaker or of the transcripts whose attributes
//! match, or the rows of a file — as [`Coding`]s for [`crate::study::Study::code_batch`],
//! which writes them as one operation. Nothing here writes a file.

pub mod place;
pub mod rows;
pub mod turns;

pub use crate::model::spans::Context;
pub use crate::study::batch::Coding;

use crate::index::IndexError;
use crate::study::StudyError;

/// Errors of auto-coding.
#[derive(Debug, thiserror::Error)]
pub enum AutocodeError {
    /// The study could not be read.
    #[error(transparent)]
    Study(#[from] StudyError),
    /// The query could not be run.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The batch file cannot be read at all (not one of its rows: those are [`place::Problem`]s).
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong and what was expected.
        message: String,
    },
    /// What was asked for selects nothing or cannot be done.
    #[error("{0}")]
    Invalid(String),
}

/// Codes every hit of `query` with `code` as `coder`, widened to `context` — or, with
/// `dry_run`, only says what would be coded: what `thema code --search` and the search pane do.
pub fn code_search(
    study: &mut crate::study::Study,
    index: &crate::index::Index,
    coder: &str,
    query: &str,
    context: Context,
    code: &str,
    dry_run: bool,
) -> Result<crate::study::batch::BatchOutcome, AutocodeError> {
    let codings = turns::search(study, index, query, context, code, &turns::Scope::default())?;
    let what = format!(
        "--search {query:?} --context {context} → {}",
        study.code_path(code)
    );
    Ok(study.code_batch(coder, &codings, &what, dry_run, &mut || {})?)
}
