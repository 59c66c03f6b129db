//! Exit statuses: what `thema`'s exit code says, and which error gets which — in this one place.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the command ran and found problems: `thema check` found errors in the study |
//! | 2 | usage: the command line cannot be done as written — an unknown command or flag, a bad value, a transcript, code, coder, codebook, column or segment that does not exist, an id already taken |
//! | 3 | input: no study where thema looked, or a study or input file that cannot be read or written or is malformed (the message names file and line) |
//! | 4 | blocked: another process holds the coder's lock, a file changed on disk meanwhile, or the media player failed; running again later may succeed |
//! | 141 | killed by SIGPIPE (128 + 13): whoever read the output closed the pipe (`thema segments \| head`); nothing is printed |
//!
//! clap exits 2 itself for the command lines it refuses. Every other error comes back from a
//! command as an [`anyhow::Error`]; [`status_of`] looks at every error in its chain: the
//! library's typed errors say which they are (an I/O error or a malformed file is input; a
//! name that names nothing is usage), and a command's own message — the handlers' checks of their
//! arguments — is usage unless the command wraps it in [`BadInput`] (a malformed input file).

use std::process::ExitCode;

use crate::agreement::matrix::MatrixError;
use crate::import::ImportError;
use crate::index::IndexError;
use crate::media::MediaError;
use crate::refi::RefiError;
use crate::report::agreement::AgreeError;
use crate::report::saturation::SaturationStudyError;
use crate::study::coding_error::CodingError;
use crate::study::StudyError;

/// The exit status of a `thema` run (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: success.
    Success,
    /// 1: the command found problems (`thema check`).
    Problems,
    /// 2: the command line cannot be done as written.
    Usage,
    /// 3: no study, or a file that cannot be read or written or is malformed.
    Input,
    /// 4: blocked by another process, a change on disk or the media player.
    Blocked,
}

impl Status {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Problems => 1,
            Status::Usage => 2,
            Status::Input => 3,
            Status::Blocked => 4,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status.code())
    }
}

/// The command ran to the end and found problems, which it has printed (exit status 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProblemsFound(pub String);

/// A malformed or unreadable input file a command detects itself (exit status 3); a command's
/// other messages are usage errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// The exit status for an error a command returned: 1 if it reports problems found, else the
/// most specific status any error in its chain has (blocked before input), else 2 (usage).
pub fn status_of(err: &anyhow::Error) -> Status {
    if err.chain().any(|e| e.is::<ProblemsFound>()) {
        return Status::Problems;
    }
    let statuses: Vec<Status> = err.chain().filter_map(classify).collect();
    for wanted in [Status::Blocked, Status::Input] {
        if statuses.contains(&wanted) {
            return wanted;
        }
    }
    Status::Usage
}

/// What one error in a chain says about the exit status, when its type tells.
fn classify(err: &(dyn std::error::Error + 'static)) -> Option<Status> {
    if err.is::<BadInput>() || err.is::<std::io::Error>() || err.is::<ImportError>() {
        return Some(Status::Input);
    }
    if err.is::<MatrixError>() || err.is::<csv::Error>() || err.is::<serde_json::Error>() {
        return Some(Status::Input);
    }
    if let Some(e) = err.downcast_ref::<StudyError>() {
        return Some(study(e));
    }
    if let Some(e) = err.downcast_ref::<RefiError>() {
        return Some(match e {
            RefiError::Study(e) => study(e),
            RefiError::EmptyCodebook | RefiError::TranscriptExists { .. } => Status::Usage,
            _ => Status::Input,
        });
    }
    if let Some(e) = err.downcast_ref::<IndexError>() {
        return Some(match e {
            IndexError::Study(e) => study(e),
            IndexError::EmptyQuery
            | IndexError::UnbalancedQuotes
            | IndexError::UnknownField { .. }
            | IndexError::UnknownCode(_)
            | IndexError::BadQuery(_)
            | IndexError::UnknownSegment(_) => Status::Usage,
            _ => Status::Input,
        });
    }
    if let Some(e) = err.downcast_ref::<MediaError>() {
        return Some(match e {
            MediaError::NotControllable(_) | MediaError::Cue(_) => Status::Usage,
            _ => Status::Blocked,
        });
    }
    if let Some(e) = err.downcast_ref::<AgreeError>() {
        return Some(match e {
            AgreeError::Study(e) => study(e),
            AgreeError::Data(_) => Status::Input,
            _ => Status::Usage,
        });
    }
    if let Some(e) = err.downcast_ref::<SaturationStudyError>() {
        return Some(match e {
            SaturationStudyError::Study(e) => study(e),
            _ => Status::Usage,
        });
    }
    None
}

/// The status for a study error: the files are at fault, or the request.
fn study(err: &StudyError) -> Status {
    match err {
        StudyError::NotFound(_) | StudyError::Io { .. } | StudyError::Parse { .. } => Status::Input,
        StudyError::Locked { .. } | StudyError::ReadOnly { .. } | StudyError::ChangedOnDisk(_) => {
            Status::Blocked
        }
        StudyError::ForeignSegment { .. }
        | StudyError::Encode(_)
        | StudyError::Coding(CodingError::NotInOrder(_)) => Status::Input,
        StudyError::NoTranscript { .. }
        | StudyError::NoCode { .. }
        | StudyError::Framework(_)
        | StudyError::Coding(_)
        | StudyError::NewTranscript(_)
        | StudyError::NoCoder
        | StudyError::BadCoderName(_)
        | StudyError::NoCodings { .. }
        | StudyError::BadRoundName(_)
        | StudyError::BadTime(_)
        | StudyError::EmptyRound
        | StudyError::RoundExists { .. }
        | StudyError::NoColumn { .. }
        | StudyError::EmptyScope { .. }
        | StudyError::SameScope(_)
        | StudyError::EmptyAdjustment
        | StudyError::NoRecording { .. } => Status::Usage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;
    use std::path::PathBuf;

    fn status(err: impl Into<anyhow::Error>) -> u8 {
        status_of(&err.into()).code()
    }

    #[test]
    fn each_kind_of_error_has_its_status() {
        assert_eq!(status(ProblemsFound("2 errors".into())), 1);
        assert_eq!(status(anyhow::anyhow!("--rows must be 'codes'")), 2);
        assert_eq!(
            status(StudyError::NoTranscript {
                id: "LW77".into(),
                suggestions: vec![]
            }),
            2
        );
        assert_eq!(status(StudyError::NotFound(PathBuf::from("/"))), 3);
        assert_eq!(status(IndexError::EmptyQuery), 2);
        assert_eq!(status(BadInput("ratings.csv: line 3: …".into())), 3);
        assert_eq!(
            status(StudyError::parse(
                &PathBuf::from("codings/r1.jsonl"),
                3,
                "expected a JSON object"
            )),
            3
        );
        assert_eq!(
            status(AgreeError::Study(StudyError::Locked { coder: "r1".into() })),
            4
        );
        assert_eq!(status(RefiError::EmptyCodebook), 2);
    }

    #[test]
    fn a_failure_anywhere_in_the_chain_counts() {
        let io = std::fs::read("/nonexistent/thema/file")
            .context("cannot read /nonexistent/thema/file")
            .unwrap_err();
        assert_eq!(status_of(&io), Status::Input);
        let wrapped = anyhow::Error::new(BadInput("bad file".into())).context("importing");
        assert_eq!(status_of(&wrapped), Status::Input);
    }
}
