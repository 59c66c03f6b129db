//! The refinement history of a codebook (`codebooks/NAME.log.jsonl`): one operation per line,
//! with who made it, when and why. Replaying the log from the start rebuilds the framework, so
//! `thema codebook history --at DATE` can show the codebook as it was on a given day.

use serde::{Deserialize, Serialize};

use crate::model::codebook::{Code, Codebook, CodebookError, Description};
use crate::model::scope::Scope;

/// One child created by a split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitChild {
    /// Id of the new child code.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// What one history line did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Operation {
    /// A new code.
    Add {
        /// Full definition of the new code.
        #[serde(flatten)]
        code: Code,
    },
    /// A new name.
    Rename {
        /// Code id.
        code: String,
        /// Old name.
        from: String,
        /// New name (`name` is accepted in hand-written logs).
        #[serde(alias = "name")]
        to: String,
    },
    /// New descriptive fields.
    Describe {
        /// Code id.
        code: String,
        /// The fields set.
        #[serde(flatten)]
        fields: Description,
    },
    /// A new parent.
    Move {
        /// Code id.
        code: String,
        /// Old parent id.
        from: Option<String>,
        /// New parent id (`parent` is accepted in hand-written logs).
        #[serde(alias = "parent")]
        to: Option<String>,
    },
    /// `code` merged into `into`: its segments and children now belong to `into`.
    Merge {
        /// The code that disappeared.
        code: String,
        /// The code that absorbed it.
        into: String,
        /// Segments moved, over all coders.
        #[serde(default)]
        segments: usize,
    },
    /// New child codes created under `code`, with segments reassigned to them.
    Split {
        /// The code split.
        code: String,
        /// The children created.
        into: Vec<SplitChild>,
        /// Segments reassigned, over all coders.
        #[serde(default)]
        segments: usize,
    },
    /// The transcripts the codebook is for changed (`None`: every transcript).
    Scope {
        /// The scope before.
        #[serde(default)]
        from: Option<Scope>,
        /// The scope after.
        #[serde(default)]
        to: Option<Scope>,
    },
    /// A code removed; its segments (if any) moved to `reassign`.
    Delete {
        /// Code id.
        code: String,
        /// Its name when deleted.
        #[serde(default)]
        name: String,
        /// Where its segments went.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reassign: Option<String>,
    },
}

/// One line of a codebook's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub coder: String,
    /// What.
    #[serde(flatten)]
    pub op: Operation,
    /// Why, as the team gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl Operation {
    /// Applies this operation to a codebook.
    pub fn apply(&self, codebook: &mut Codebook) -> Result<(), CodebookError> {
        match self {
            Operation::Add { code } => codebook.insert(code.clone()),
            Operation::Rename { code, to, .. } => codebook.rename(code, to).map(|_| ()),
            Operation::Describe { code, fields } => codebook.describe(code, fields),
            Operation::Move { code, to, .. } => codebook.move_code(code, to.as_deref()).map(|_| ()),
            Operation::Merge { code, into, .. } => codebook.merge(code, into).map(|_| ()),
            Operation::Split { code, into, .. } => {
                for child in into {
                    codebook.add(Code {
                        id: child.code.clone(),
                        name: child.name.clone(),
                        parent: Some(code.clone()),
                        description: String::new(),
                        include: String::new(),
                        exclude: String::new(),
                        example: String::new(),
                        color: String::new(),
                        codable: true,
                        order: None,
                    })?;
                }
                Ok(())
            }
            Operation::Delete { code, .. } => codebook.remove(code).map(|_| ()),
            Operation::Scope { to, .. } => {
                codebook.scope = to.clone().filter(|s| !s.is_everything());
                Ok(())
            }
        }
    }

    /// The code the operation is about (empty for a change of the whole codebook's scope).
    pub fn code(&self) -> &str {
        match self {
            Operation::Add { code } => &code.id,
            Operation::Rename { code, .. }
            | Operation::Describe { code, .. }
            | Operation::Move { code, .. }
            | Operation::Merge { code, .. }
            | Operation::Split { code, .. }
            | Operation::Delete { code, .. } => code,
            Operation::Scope { .. } => "",
        }
    }

    /// The operation's name as written in the log.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::Add { .. } => "add",
            Operation::Rename { .. } => "rename",
            Operation::Describe { .. } => "describe",
            Operation::Move { .. } => "move",
            Operation::Merge { .. } => "merge",
            Operation::Split { .. } => "split",
            Operation::Delete { .. } => "delete",
            Operation::Scope { .. } => "scope",
        }
    }
}

/// Rebuilds a codebook by replaying `entries` whose time is at or before `until` (all when `None`).
/// Times compare as RFC 3339 strings, so a bare date `2025-03-01` means the start of that day.
pub fn replay(
    name: &str,
    entries: &[HistoryEntry],
    until: Option<&str>,
) -> Result<Codebook, (usize, CodebookError)> {
    let mut codebook = Codebook::new(name);
    for (i, entry) in entries.iter().enumerate() {
        if let Some(limit) = until {
            if entry.at.as_str() > limit {
                break;
            }
        }
        entry.op.apply(&mut codebook).map_err(|e| (i + 1, e))?;
    }
    Ok(codebook)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_have_the_documented_shape() {
        let entry = HistoryEntry {
            at: "2025-03-01T10:00:00Z".into(),
            coder: "r1".into(),
            op: Operation::Rename {
                code: "c02".into(),
                from: "Referrals".into(),
                to: "Inappropriate referrals".into(),
            },
            why: Some("meeting 3".into()),
        };
        let line = serde_json::to_string(&entry).unwrap();
        assert_eq!(
            line,
            r#"{"at":"2025-03-01T10:00:00Z","coder":"r1","op":"rename","code":"c02","from":"Referrals","to":"Inappropriate referrals","why":"meeting 3"}"#
        );
        let back: HistoryEntry = serde_json::from_str(&line).unwrap();
        assert_eq!(back, entry);
        let add: HistoryEntry = serde_json::from_str(
            r#"{"at":"2025-01-01T00:00:00Z","coder":"r1","op":"add","id":"c01","name":"Role","parent":null}"#,
        )
        .unwrap();
        let cb = replay("x", &[add, back], Some("2025-02-01")).unwrap();
        assert_eq!(cb.codes.len(), 1);
    }
}
