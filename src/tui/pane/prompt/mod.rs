//! The one-line prompt: a question and the answer being typed.

pub mod draw;

use crate::study::consensus::Take;

/// What a prompt's answer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    /// The name of a new in-vivo code (prefilled with the selected words); the picker then
    /// asks where it goes.
    InVivo,
    /// A new code under `parent` (or a theme) in codebook file `book`.
    Add {
        /// Parent code id.
        parent: Option<String>,
        /// Codebook file stem.
        book: String,
    },
    /// A new name for `code`.
    Rename {
        /// Code id.
        code: String,
    },
    /// A new description for `code`.
    Describe {
        /// Code id.
        code: String,
    },
    /// Names of new children of `code`, comma-separated.
    Split {
        /// Code id.
        code: String,
    },
    /// Why the team resolves disagreement `id` so (optional).
    Resolve {
        /// Disagreement id.
        id: String,
        /// What is taken.
        take: Take,
        /// The adjusted boundary, in code points, for [`Take::Adjust`].
        adjust: Option<(usize, usize)>,
    },
}

/// A one-line text prompt.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// What the answer is for.
    pub purpose: PromptPurpose,
    /// The question.
    pub title: String,
    /// The answer so far.
    pub input: String,
}

impl Prompt {
    /// A prompt asking `title`, its answer prefilled with `input`.
    pub fn new(
        purpose: PromptPurpose,
        title: impl Into<String>,
        input: impl Into<String>,
    ) -> Prompt {
        Prompt {
            purpose,
            title: title.into(),
            input: input.into(),
        }
    }

    /// Types `c` (`None`: deletes the last character).
    pub fn edit(&mut self, c: Option<char>) {
        match c {
            Some(c) => self.input.push(c),
            None => {
                self.input.pop();
            }
        }
    }
}
