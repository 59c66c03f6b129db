//! Codebook mode's writes: add, rename, describe, split, move and merge codes through the
//! study's framework operations, each through [`App::commit`] and, where it can be reversed,
//! recorded for undo.

use crate::model::codebook::Description;
use crate::study::framework::SplitAssignment;
use crate::tui::app::App;
use crate::tui::history::Change;

impl App {
    /// Adds code `name` under `parent` (a theme when `None`) in codebook file `book`.
    pub(crate) fn add_code(&mut self, parent: Option<String>, book: &str, name: &str) {
        if name.is_empty() {
            return;
        }
        let path = match &parent {
            Some(p) => format!("{}/{name}", self.study.code_path(p)),
            None => name.to_string(),
        };
        let result = self.study.add_code(
            &self.coder,
            Some(book),
            &path,
            &Description::default(),
            None,
        );
        let Some(id) = self.commit(result) else {
            return;
        };
        if let Some(p) = parent {
            self.tree.collapsed.remove(&p);
        }
        self.codebook_changed(Some(id));
        self.info(format!("added {path}"));
    }

    /// Renames `code` to `name`.
    pub(crate) fn rename_code(&mut self, code: &str, name: String) {
        let from = self
            .study
            .code(code)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        if name.is_empty() || name == from {
            return;
        }
        let result = self.study.rename_code(&self.coder, code, None, &name, None);
        if self.commit(result).is_none() {
            return;
        }
        self.history.record(Change::Renamed {
            code: code.to_string(),
            from,
            to: name,
        });
        self.codebook_changed(Some(code.to_string()));
        let path = self.study.code_path(code);
        self.info(format!("renamed: now {path}"));
    }

    /// Gives `code` the description `text`.
    pub(crate) fn describe_code(&mut self, code: &str, text: String) {
        let old = self.study.code(code).map(|c| c.description.clone());
        let before = Description {
            description: Some(old.unwrap_or_default()),
            ..Description::default()
        };
        let after = Description {
            description: Some(text),
            ..Description::default()
        };
        if before == after {
            return;
        }
        let result = self
            .study
            .describe_code(&self.coder, code, None, &after, None);
        if self.commit(result).is_none() {
            return;
        }
        self.history.record(Change::Described {
            code: code.to_string(),
            before,
            after,
        });
        self.codebook_changed(Some(code.to_string()));
        self.info("description saved");
    }

    /// Splits `code` into new children named in the comma-separated `names`.
    pub(crate) fn split_code(&mut self, code: &str, names: &str) {
        let names: Vec<String> = names
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        if names.is_empty() {
            return;
        }
        let result = self.study.split_code(
            &self.coder,
            code,
            None,
            &names,
            &SplitAssignment::Keep,
            None,
        );
        let Some((children, _)) = self.commit(result) else {
            return;
        };
        self.tree.collapsed.remove(code);
        self.codebook_changed(Some(code.to_string()));
        self.info(format!(
            "split {} into {} new code(s); its segments stay on it until you recode them",
            self.study.code_path(code),
            children.len()
        ));
    }

    /// Moves `code` under `to` (a theme when `None`).
    pub(crate) fn move_code(&mut self, code: &str, to: Option<String>) {
        let from = self.study.code(code).and_then(|c| c.parent.clone());
        let result = self
            .study
            .move_code(&self.coder, code, None, to.as_deref(), None);
        if self.commit(result).is_none() {
            return;
        }
        self.history.record(Change::Moved {
            code: code.to_string(),
            from,
            to,
        });
        self.codebook_changed(Some(code.to_string()));
        let path = self.study.code_path(code);
        self.info(format!("moved: now {path}"));
    }

    /// Merges `code` into `into`. Undo cannot reverse a merge: the history records it so that
    /// `u` says so and goes on past it to earlier changes, rewritten to name `into`.
    pub(crate) fn merge_code(&mut self, code: &str, into: &str) {
        let (from_path, into_path) = (self.study.code_path(code), self.study.code_path(into));
        let result = self.study.merge_codes(&self.coder, code, into, None, None);
        let Some(moved) = self.commit(result) else {
            return;
        };
        let merge = Change::Merged {
            from: from_path.clone(),
            into: into_path.clone(),
        };
        self.history.merged(code, into, merge);
        self.codebook_changed(Some(into.to_string()));
        self.info(format!(
            "merged {from_path} into {into_path}: {moved} segment(s) moved (the codebook history keeps it; undo does not reverse a merge)"
        ));
    }
}
