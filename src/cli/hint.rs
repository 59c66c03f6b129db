//! What to type next: the command line's own wording of a hint for an error from the study
//! layer, which states only the problem (the TUI words its hints in keys).

use crate::study::framework::FrameworkError;
use crate::study::StudyError;

/// The command-line hint for an error, if it has one.
pub fn for_error(err: &anyhow::Error) -> Option<&'static str> {
    let study = err.chain().find_map(|e| e.downcast_ref::<StudyError>())?;
    let framework = match study {
        StudyError::Framework(framework) => framework,
        StudyError::NoCoder => {
            return Some("pass --coder NAME (e.g. --coder r1) or set THEMA_CODER")
        }
        StudyError::EmptyRound => return Some("name its transcripts with --transcripts A,B"),
        _ => return None,
    };
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
