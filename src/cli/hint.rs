//! What to type next: the command line's own wording of a hint for an error from the study
//! layer, which states only the problem (the TUI words its hints in keys).

use crate::study::coding_error::{CodingError, NewTranscriptError};
use crate::study::framework::FrameworkError;
use crate::study::StudyError;

/// The command-line hint for an error, if it has one.
pub fn for_error(err: &anyhow::Error) -> Option<String> {
    let study = err.chain().find_map(|e| e.downcast_ref::<StudyError>())?;
    match study {
        StudyError::Framework(framework) => framework_hint(framework).map(str::to_string),
        StudyError::Coding(coding) => coding_hint(coding),
        StudyError::NewTranscript(NewTranscriptError::BadId(_) | NewTranscriptError::Exists(_)) => {
            Some("pass --id to choose another id".to_string())
        }
        StudyError::NoCoder => {
            Some("pass --coder NAME (e.g. --coder r1) or set THEMA_CODER".to_string())
        }
        StudyError::EmptyRound => Some("name its transcripts with --transcripts A,B".to_string()),
        _ => None,
    }
}

/// The hint for a coding that cannot be made.
fn coding_hint(err: &CodingError) -> Option<String> {
    Some(match err {
        CodingError::QuoteNotFound { .. } => {
            "quote its words as they are, or give START END offsets".to_string()
        }
        CodingError::QuoteAmbiguous { .. } => {
            "quote more words, or give START END offsets".to_string()
        }
        CodingError::EmptyQuote => "--quote needs some text".to_string(),
        CodingError::NoTurn { transcript, .. } => {
            format!("`thema transcripts {transcript} --turns` lists its turns")
        }
        CodingError::NotYours { owner, .. } => format!("only --coder {owner} can change it"),
        CodingError::NoSegment(_) | CodingError::NotInLayer { .. } => {
            "`thema segments` lists segments with their ids".to_string()
        }
        CodingError::BatchRedo => "run the auto-coding again".to_string(),
        _ => return None,
    })
}

/// The hint for a change to the framework that cannot be made.
fn framework_hint(framework: &FrameworkError) -> Option<&'static str> {
    Some(match framework {
        FrameworkError::AmbiguousCodebook(_) | FrameworkError::AmbiguousCode(_) => {
            "add --codebook NAME"
        }
        FrameworkError::NothingToDescribe => {
            "give --description, --include, --exclude, --example or --color"
        }
        FrameworkError::SplitWithoutChildren => "name the new codes with --into NAME,NAME",
        FrameworkError::InUse { .. } => {
            "add --reassign CODE to move its segments, or merge it into another code instead"
        }
        FrameworkError::NotANewChild(_) => "assign segments only to the codes named in --into",
        FrameworkError::NoSegment(_) | FrameworkError::NotCodedWith { .. } => {
            "`thema segments --code CODE` lists a code's segments with their ids"
        }
        _ => return None,
    })
}
