//! How thema's codebooks travel in REFI-QDA, which knows one code tree per project.
//!
//! One codebook: its codes are the project's codes, at the top. Several: all their codes at the
//! top, and one `Set` per codebook naming its codes, described so that an import recognises it
//! ([`set_description`], [`parse_set_description`]). Only when two codebooks have top-level codes
//! of the same name (which other programs would merge or confuse) is a codebook's tree put under
//! a folder code (`isCodable="false"`) named after it; its set says so and an import removes the
//! folder again. Exports by earlier thema versions, which always used such folders and marked
//! them in the folder's description, are still recognised ([`old_folder_file`]).
//!
//! A code's definition is one REFI-QDA `Description`: the description, then the other fields as
//! labelled paragraphs ([`code_description`], [`split_description`]).

use crate::model::Code;

/// Label of the inclusion criteria inside an exported code description.
pub const INCLUDE_LABEL: &str = "Include: ";
/// Label of the exclusion criteria inside an exported code description.
pub const EXCLUDE_LABEL: &str = "Exclude: ";
/// Label of the example inside an exported code description.
pub const EXAMPLE_LABEL: &str = "Example: ";

/// The text of `Code/Description`: the description, then labelled paragraphs for the other
/// definition fields that are set.
pub fn code_description(code: &Code) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !code.description.trim().is_empty() {
        parts.push(code.description.clone());
    }
    for (label, value) in [
        (INCLUDE_LABEL, &code.include),
        (EXCLUDE_LABEL, &code.exclude),
        (EXAMPLE_LABEL, &code.example),
    ] {
        if !value.trim().is_empty() {
            parts.push(format!("{label}{value}"));
        }
    }
    parts.join("\n\n")
}

/// Splits a description written by [`code_description`] back into description, include,
/// exclude and example.
pub fn split_description(text: &str) -> (String, String, String, String) {
    let mut rest = format!("\n\n{text}");
    let mut take = |label: &str| -> String {
        let marker = format!("\n\n{label}");
        match rest.rfind(&marker) {
            Some(at) => {
                let value = rest[at + marker.len()..].to_string();
                rest.truncate(at);
                value
            }
            None => String::new(),
        }
    };
    let example = take(EXAMPLE_LABEL);
    let exclude = take(EXCLUDE_LABEL);
    let include = take(INCLUDE_LABEL);
    let description = rest.trim_start_matches('\n').to_string();
    (description, include, exclude, example)
}

/// The description of the set standing for codebook `file` (`codebooks/<file>.json`);
/// `folder` says whether its tree sits under a folder code named after it.
pub fn set_description(file: &str, folder: bool) -> String {
    let mut text = format!("thema codebook (codebooks/{file}.json)");
    if folder {
        text.push_str(FOLDER_NOTE);
    }
    text
}

const FOLDER_NOTE: &str = ", under a folder code of its name because another codebook has top-level codes of the same names";

/// The codebook file and whether it sits under a folder code, if `description` is one written
/// by [`set_description`].
pub fn parse_set_description(description: &str) -> Option<(String, bool)> {
    let rest = description
        .trim()
        .strip_prefix("thema codebook (codebooks/")?;
    let (file, tail) = rest.split_once(".json)")?;
    let folder = match tail {
        "" => false,
        t if t == FOLDER_NOTE => true,
        _ => return None,
    };
    valid_file(file).then(|| (file.to_string(), folder))
}

/// The description of the set that carries codebook `file`'s scope: its members are the
/// transcripts the codebook is for, and the scope itself follows as JSON, so a thema import
/// restores it exactly. REFI-QDA has no place for a scope; other programs see a source set.
pub fn scope_set_description(file: &str, scope: &crate::model::Scope) -> String {
    let json = serde_json::to_string(scope).unwrap_or_else(|_| "{}".to_string());
    format!("{SCOPE_PREFIX}{file}.json): {json}")
}

const SCOPE_PREFIX: &str = "thema codebook scope (codebooks/";

/// The codebook file and scope, if `description` is one written by [`scope_set_description`].
pub fn parse_scope_set_description(description: &str) -> Option<(String, crate::model::Scope)> {
    let rest = description.trim().strip_prefix(SCOPE_PREFIX)?;
    let (file, json) = rest.split_once(".json): ")?;
    let scope = serde_json::from_str(json).ok()?;
    valid_file(file).then(|| (file.to_string(), scope))
}

/// The codebook file named by the folder code of an export by an earlier thema version
/// (`Codebook "NAME" (codebooks/FILE.json), exported by thema.`).
pub fn old_folder_file(name: &str, description: &str) -> Option<String> {
    let rest = description.strip_prefix(&format!("Codebook \"{name}\" (codebooks/"))?;
    let file = rest.strip_suffix(".json), exported by thema.")?;
    valid_file(file).then(|| file.to_string())
}

fn valid_file(file: &str) -> bool {
    !file.is_empty() && !file.contains(['/', '\\']) && !file.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_split_back_into_fields() {
        let (d, i, e, x) =
            split_description("Lack of time.\n\nInclude: rotas\n\nExample: No lunch");
        assert_eq!(
            (d.as_str(), i.as_str(), e.as_str(), x.as_str()),
            ("Lack of time.", "rotas", "", "No lunch")
        );
        let (d, i, _, _) = split_description("Include: only this");
        assert_eq!((d.as_str(), i.as_str()), ("", "only this"));
        let (d, ..) = split_description("Plain\n\nparagraphs");
        assert_eq!(d, "Plain\n\nparagraphs");
    }

    #[test]
    fn scope_sets_carry_the_scope_back() {
        let scope = crate::model::Scope::from_filters([("role", "link worker")]);
        let text = scope_set_description("link-workers", &scope);
        assert_eq!(
            parse_scope_set_description(&text),
            Some(("link-workers".to_string(), scope))
        );
        assert_eq!(parse_scope_set_description("Transcripts of LW"), None);
        assert_eq!(parse_set_description(&text), None);
    }

    #[test]
    fn set_descriptions_are_recognised_and_nothing_else() {
        for folder in [false, true] {
            let text = set_description("link-workers", folder);
            assert_eq!(
                parse_set_description(&text),
                Some(("link-workers".to_string(), folder))
            );
        }
        assert_eq!(parse_set_description("Codes about coke"), None);
        assert_eq!(
            parse_set_description("thema codebook (codebooks/../x.json)"),
            None
        );
        assert_eq!(
            old_folder_file(
                "Link workers",
                "Codebook \"Link workers\" (codebooks/link-workers.json), exported by thema."
            )
            .as_deref(),
            Some("link-workers")
        );
    }
}
