//! Codebook scopes in the terminal interface: the codebooks in scope for the open transcript
//! come first in the code tree and the picker, and the others are marked as not meant for it.

use crate::study::Study;

/// The study's codebooks (by position) in display order for transcript `open`: those whose
/// scope holds it first, each with whether it does. Without an open transcript, every codebook
/// counts as in scope.
pub fn books_in_order(study: &Study, open: Option<&str>) -> Vec<(usize, bool)> {
    let mut books: Vec<(usize, bool)> = study
        .codebooks
        .iter()
        .enumerate()
        .map(|(b, loaded)| {
            let in_scope = match (open, &loaded.codebook.scope) {
                (Some(t), Some(scope)) => scope.contains(t, &study.attributes),
                _ => true,
            };
            (b, in_scope)
        })
        .collect();
    // stable: codebooks keep their order within each group
    books.sort_by_key(|(_, in_scope)| !in_scope);
    books
}

/// Whether any codebook of the study has a scope (then the order depends on the transcript).
pub fn any_scoped(study: &Study) -> bool {
    study.codebooks.iter().any(|c| c.codebook.scope.is_some())
}
