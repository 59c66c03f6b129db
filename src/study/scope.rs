//! Codebook scopes in a study: which transcripts each framework is for, setting a scope (a
//! refinement recorded in the codebook's history like any other), and the checks that keep a
//! scope meaningful.

use std::collections::BTreeSet;

use crate::model::{Codebook, Operation, Scope};
use crate::study::framework::FrameworkError;
use crate::study::{Result, Study, StudyError};

impl Study {
    /// The scope of the codebook holding `code`; `None` when that codebook is for every
    /// transcript (or the code is unknown).
    pub fn scope_of(&self, code: &str) -> Option<&Scope> {
        self.codebook_of(code).and_then(|b| b.scope.as_ref())
    }

    /// Whether `transcript` is in the scope of the codebook holding `code`.
    pub fn in_scope(&self, code: &str, transcript: &str) -> bool {
        // most studies scope nothing: no need to look for the code's codebook
        if self.codebooks.iter().all(|b| b.codebook.scope.is_none()) {
            return true;
        }
        self.scope_of(code)
            .is_none_or(|s| s.contains(transcript, &self.attributes))
    }

    /// The transcripts a codebook is for, in id order (every transcript without a scope).
    pub fn scope_transcripts(&self, codebook: &Codebook) -> Vec<&str> {
        self.transcripts()
            .iter()
            .map(|t| t.id.as_str())
            .filter(|t| {
                codebook
                    .scope
                    .as_ref()
                    .is_none_or(|s| s.contains(t, &self.attributes))
            })
            .collect()
    }

    /// A line for report headers: "Link workers: 8 transcripts, role = link worker".
    pub fn scope_line(&self, codebook: &Codebook) -> String {
        let n = self.scope_transcripts(codebook).len();
        let plural = if n == 1 { "" } else { "s" };
        match &codebook.scope {
            Some(scope) => format!(
                "{}: {n} transcript{plural}, {}",
                codebook.name,
                scope.describe()
            ),
            None => format!(
                "{}: {n} transcript{plural}, every transcript",
                codebook.name
            ),
        }
    }

    /// Checks that a scope can be set: its columns exist, its named transcripts exist, and it
    /// holds at least one transcript.
    pub fn validate_scope(&self, scope: &Scope) -> Result<()> {
        for column in scope.filters.keys() {
            self.require_column(column)?;
        }
        for t in &scope.transcripts {
            if !self.transcripts().iter().any(|i| i.id == *t) {
                return Err(self.no_transcript(t));
            }
        }
        let matching = self
            .transcripts()
            .iter()
            .filter(|t| scope.contains(&t.id, &self.attributes))
            .count();
        if matching == 0 {
            let values: Vec<String> = scope
                .filters
                .keys()
                .map(|column| {
                    let seen: BTreeSet<&str> = self
                        .transcripts()
                        .iter()
                        .filter_map(|t| self.attributes.get(&t.id, column))
                        .collect();
                    format!(
                        "{column}: {}",
                        seen.into_iter().collect::<Vec<_>>().join(", ")
                    )
                })
                .collect();
            return Err(StudyError::EmptyScope {
                scope: scope.describe(),
                values,
            });
        }
        Ok(())
    }

    /// Sets (or with `None` clears) the scope of a codebook and records it in its history.
    /// Returns how many transcripts the codebook is now for.
    pub fn set_scope(
        &mut self,
        coder: &str,
        codebook: &str,
        scope: Option<Scope>,
        why: Option<&str>,
    ) -> Result<usize> {
        let scope = scope.filter(|s| !s.is_everything());
        if let Some(scope) = &scope {
            self.validate_scope(scope)?;
        }
        let slot = self
            .codebooks
            .iter()
            .position(|c| c.file == codebook || c.codebook.name.eq_ignore_ascii_case(codebook))
            .ok_or_else(|| {
                StudyError::from(FrameworkError::NoCodebook {
                    name: codebook.to_string(),
                    known: self.codebook_names(),
                })
            })?;
        self.check_fresh(slot)?;
        let from = self.codebooks[slot].codebook.scope.clone();
        if from == scope {
            return Err(StudyError::SameScope(
                self.codebooks[slot].codebook.name.clone(),
            ));
        }
        self.codebooks[slot].codebook.scope = scope.clone();
        self.record(slot, coder, Operation::Scope { from, to: scope }, why)?;
        Ok(self.scope_transcripts(&self.codebooks[slot].codebook).len())
    }
}
