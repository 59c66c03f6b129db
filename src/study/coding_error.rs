//! Why a coding, an uncoding, a batch or a new transcript cannot be made. The messages state
//! the problem in the study's words; what to type next is the front-end's to say (the command
//! line's hints are in `cli::hint`).

use std::path::PathBuf;

/// A coding request that cannot be carried out.
#[derive(Debug, thiserror::Error)]
pub enum CodingError {
    /// Offsets outside the transcript, or not in order.
    #[error("{transcript}: range {start}..{end} is not inside the transcript (0..{len}, start before end)")]
    OutOfRange {
        /// Transcript id.
        transcript: String,
        /// Start asked for (code points).
        start: usize,
        /// End asked for (code points).
        end: usize,
        /// The transcript's length in code points.
        len: usize,
    },
    /// A quote of nothing but spaces.
    #[error("the quote is empty")]
    EmptyQuote,
    /// A quote the transcript does not hold, even compared loosely.
    #[error("{transcript}: the quote \"{quote}\" does not occur in the transcript")]
    QuoteNotFound {
        /// Transcript id.
        transcript: String,
        /// The quote (shortened).
        quote: String,
    },
    /// A quote the transcript holds more than once.
    #[error("{transcript}: the quote \"{quote}\" occurs {times} times")]
    QuoteAmbiguous {
        /// Transcript id.
        transcript: String,
        /// The quote (shortened).
        quote: String,
        /// How often it occurs.
        times: usize,
    },
    /// A turn number the transcript does not have.
    #[error(
        "{transcript}: no turn {turn} (its turns are numbered 1..{turns}; notes have no number)"
    )]
    NoTurn {
        /// Transcript id.
        transcript: String,
        /// The number asked for.
        turn: usize,
        /// How many numbered turns it has.
        turns: usize,
    },
    /// A turn without speech.
    #[error("{transcript}: turn {turn} is empty")]
    EmptyTurn {
        /// Transcript id.
        transcript: String,
        /// Its number.
        turn: usize,
    },
    /// The coder coded exactly this passage with this code already.
    #[error("{coder} already coded {start}..{end} of {transcript} with {path}")]
    AlreadyCoded {
        /// The coder.
        coder: String,
        /// Transcript id.
        transcript: String,
        /// Start (code points).
        start: usize,
        /// End (code points).
        end: usize,
        /// The code's path.
        path: String,
    },
    /// A segment id that names another coder's segment.
    #[error("segment {id} belongs to {owner}; only {owner} can change it")]
    NotYours {
        /// Segment id.
        id: String,
        /// The coder whose segment it is.
        owner: String,
    },
    /// A segment id no coder has.
    #[error("no segment '{0}'")]
    NoSegment(String),
    /// A segment id this coder does not have.
    #[error("{coder} has no segment '{id}'")]
    NotInLayer {
        /// The coder.
        coder: String,
        /// Segment id.
        id: String,
    },
    /// A coder file whose transcripts are not grouped in order, so one transcript's lines
    /// cannot be rewritten alone (callers check first and save the whole file, sorted).
    #[error("{} is not in transcript order", .0.display())]
    NotInOrder(PathBuf),
    /// No coder's layer of this name is loaded.
    #[error("coder '{0}' has no layer")]
    NoLayer(String),
    /// "Undo my last batch" with none left.
    #[error("{0} has no batch left to undo")]
    NoBatchLeft(String),
    /// A batch id the coder's batch log does not have.
    #[error("{coder} has no batch '{batch}' ({} lists them)", .log.display())]
    NoBatch {
        /// The coder.
        coder: String,
        /// The id asked for.
        batch: String,
        /// The coder's batch log.
        log: PathBuf,
    },
    /// A batch undone before.
    #[error("batch {0} was already undone")]
    BatchUndone(String),
    /// A recorded auto-coding asked to happen again (it is run again instead).
    #[error("an auto-coding cannot be redone; run it again")]
    BatchRedo,
}

/// A transcript that cannot be added to the study.
#[derive(Debug, thiserror::Error)]
pub enum NewTranscriptError {
    /// The folder is a study already.
    #[error("{} is already a study", .0.display())]
    AlreadyAStudy(PathBuf),
    /// An id unusable as a file name or on a command line.
    #[error("'{0}' cannot be a transcript id: use letters, digits, '-', '_' or '.' (e.g. LW7-y1)")]
    BadId(String),
    /// The id is taken.
    #[error("transcript '{0}' already exists; nothing was imported")]
    Exists(String),
    /// Two new transcripts would get the same id.
    #[error("two files would both become transcript '{0}'; nothing was imported")]
    SameId(String),
    /// A transcript of nothing but spaces.
    #[error("transcript '{0}' has no text")]
    Empty(String),
}
