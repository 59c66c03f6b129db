//! Who is coding: `--coder`, else `THEMA_CODER`, else `git config user.name`.

use std::process::Command;

use crate::study::{Result, StudyError};

/// Resolves the coder name from the flag, the environment or git, as a file-safe id.
pub fn resolve(flag: Option<&str>) -> Result<String> {
    if let Some(name) = flag.filter(|n| !n.trim().is_empty()) {
        validate(name)?;
        return Ok(name.to_string());
    }
    if let Ok(name) = std::env::var("THEMA_CODER") {
        if !name.trim().is_empty() {
            validate(&name)?;
            return Ok(name);
        }
    }
    let git = Command::new("git").args(["config", "user.name"]).output();
    if let Ok(out) = git {
        let name = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if out.status.success() && !name.is_empty() {
            let slug = slug(&name);
            if !slug.is_empty() {
                return Ok(slug);
            }
        }
    }
    Err(StudyError::NoCoder)
}

/// Turns a person's name into a coder id: `Jane Smith` → `jane-smith`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Whether `name` can name a study file: letters, digits, `-`, `_`, `.`, not starting with a
/// dot, at most `max` characters.
pub fn is_file_safe(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.chars().count() <= max
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Coder ids name files: letters, digits, `-`, `_`, `.`; at most 40 characters.
pub fn validate(coder: &str) -> Result<()> {
    if is_file_safe(coder, 40) {
        Ok(())
    } else {
        Err(StudyError::BadCoderName(coder.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_file_safe_ids() {
        assert_eq!(slug("Jane Smith"), "jane-smith");
        assert_eq!(slug("  Zoë  O'Neil "), "zoë-o-neil");
        assert!(validate("r1").is_ok());
        assert!(validate("../x").is_err());
        assert!(resolve(Some("bad name")).is_err());
    }
}
