//! A coding framework: codes nested to any depth under themes, each with a stable id.
//!
//! Codes are stored flat with parent ids (`codebooks/NAME.json`) and addressed by path of names
//! (`Challenges/Inappropriate referrals`) or by id. A name may itself hold `/` (codes imported
//! from other tools do); a path writes it as `\/` (and a backslash as `\\`), see [`escape_name`]. The operations here change only the
//! framework; moving segments between codes (merge, split, delete with reassignment) is the
//! study's job, since segments live in each coder's file.

use serde::{Deserialize, Serialize};

use crate::model::scope::Scope;
use std::collections::{BTreeMap, BTreeSet};

/// Separator of names in a code path.
pub const PATH_SEPARATOR: char = '/';

/// Escapes a code name for a path: `/` becomes `\/` and `\` becomes `\\`.
pub fn escape_name(name: &str) -> std::borrow::Cow<'_, str> {
    if !name.contains(['/', '\\']) {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        if c == PATH_SEPARATOR || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// The names of a code path, unescaped and trimmed: `a/b\/c` gives `["a", "b/c"]`. Separators at
/// either end are ignored; one between two others gives an empty name. A backslash before any
/// other character is kept as it is.
pub fn split_path(path: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('/' | '\\')) => {
                if let (Some(next), Some(last)) = (chars.next(), parts.last_mut()) {
                    last.push(next);
                }
            }
            PATH_SEPARATOR => parts.push(String::new()),
            c => {
                if let Some(last) = parts.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    let mut parts: Vec<String> = parts.into_iter().map(|p| p.trim().to_string()).collect();
    while parts.first().is_some_and(String::is_empty) {
        parts.remove(0);
    }
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts
}

/// A palette of distinguishable colours handed to new codes in turn.
pub const PALETTE: [&str; 12] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#86bcb6", "#d37295",
];

/// One code of a framework.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    /// Stable id, never changed by rename or move (`code` is accepted in hand-written logs).
    #[serde(alias = "code")]
    pub id: String,
    /// Display name; unique among its siblings (a `/` in it is escaped in paths).
    pub name: String,
    /// Parent code id, or `None` for a theme at the top.
    pub parent: Option<String>,
    /// What the code means.
    #[serde(default)]
    pub description: String,
    /// When to apply it.
    #[serde(default)]
    pub include: String,
    /// When not to apply it.
    #[serde(default)]
    pub exclude: String,
    /// A typical passage.
    #[serde(default)]
    pub example: String,
    /// Display colour, `#rrggbb`; empty for none (codes imported without one).
    #[serde(default)]
    pub color: String,
    /// Whether the code can be applied; `false` marks a folder that only groups codes (REFI-QDA
    /// `isCodable="false"`). Written only when `false`.
    #[serde(default = "codable_default", skip_serializing_if = "is_codable")]
    pub codable: bool,
    /// Position among its siblings, kept from an import; siblings without one follow, by name.
    /// Written only when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
}

fn codable_default() -> bool {
    true
}

fn is_codable(codable: &bool) -> bool {
    *codable
}

impl Code {
    /// A codable code with only an id, a name and a parent.
    pub fn new(id: impl Into<String>, name: impl Into<String>, parent: Option<String>) -> Self {
        Code {
            id: id.into(),
            name: name.into(),
            parent,
            description: String::new(),
            include: String::new(),
            exclude: String::new(),
            example: String::new(),
            color: String::new(),
            codable: true,
            order: None,
        }
    }
}

/// Errors of framework operations.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodebookError {
    /// No code with that path or id.
    #[error("no code '{0}' in codebook '{1}'")]
    NotFound(String, String),
    /// A sibling already has that name.
    #[error("'{0}' already exists under the same parent")]
    Duplicate(String),
    /// The name cannot be used.
    #[error("invalid code name '{0}': a name cannot be empty")]
    InvalidName(String),
    /// Moving a code under itself or one of its descendants.
    #[error("cannot move '{0}' under itself or one of its descendants")]
    Cycle(String),
    /// The code still has child codes.
    #[error("'{0}' has child codes; move, merge or delete them first")]
    HasChildren(String),
}

/// A named coding framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Codebook {
    /// Display name ("Link workers").
    pub name: String,
    /// The transcripts this framework is for; `None`: every transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Codes, kept sorted by id.
    pub codes: Vec<Code>,
}

impl Codebook {
    /// An empty framework.
    pub fn new(name: impl Into<String>) -> Self {
        Codebook {
            name: name.into(),
            scope: None,
            codes: Vec::new(),
        }
    }

    /// Sorts codes by id, as the file keeps them.
    pub fn normalise(&mut self) {
        self.codes.sort_by(|a, b| a.id.cmp(&b.id));
    }

    /// The code with this id.
    pub fn get(&self, id: &str) -> Option<&Code> {
        self.codes.iter().find(|c| c.id == id)
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Code> {
        self.codes.iter_mut().find(|c| c.id == id)
    }

    /// Whether the framework holds this id.
    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Children of `parent` (`None`: the top-level themes): those with an `order` first, in that
    /// order, then the others by name.
    pub fn children(&self, parent: Option<&str>) -> Vec<&Code> {
        let mut out: Vec<&Code> = self
            .codes
            .iter()
            .filter(|c| c.parent.as_deref() == parent)
            .collect();
        out.sort_by_cached_key(|c| (c.order.is_none(), c.order, c.name.to_lowercase()));
        out
    }

    /// The code and every code beneath it.
    pub fn subtree(&self, id: &str) -> BTreeSet<String> {
        let mut by_parent: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for code in &self.codes {
            if let Some(p) = code.parent.as_deref() {
                by_parent.entry(p).or_default().push(&code.id);
            }
        }
        let mut out = BTreeSet::new();
        let mut stack = vec![id];
        while let Some(next) = stack.pop() {
            if out.insert(next.to_string()) {
                if let Some(kids) = by_parent.get(next) {
                    stack.extend(kids.iter().copied());
                }
            }
        }
        out
    }

    /// Ancestors of a code from the top theme down, excluding the code itself.
    pub fn ancestors(&self, id: &str) -> Vec<&Code> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut current = self.get(id).and_then(|c| c.parent.as_deref());
        while let Some(pid) = current {
            if !seen.insert(pid) {
                break; // a cycle in a hand-edited file; `thema check` reports it
            }
            match self.get(pid) {
                Some(p) => {
                    out.push(p);
                    current = p.parent.as_deref();
                }
                None => break,
            }
        }
        out.reverse();
        out
    }

    /// Depth below the top (a theme is 0).
    pub fn depth(&self, id: &str) -> usize {
        self.ancestors(id).len()
    }

    /// The path of names, `Theme/Sub-theme/Code`, each name escaped ([`escape_name`]).
    pub fn path(&self, id: &str) -> String {
        let mut names: Vec<std::borrow::Cow<'_, str>> = self
            .ancestors(id)
            .iter()
            .map(|c| escape_name(&c.name))
            .collect();
        if let Some(code) = self.get(id) {
            names.push(escape_name(&code.name));
        }
        names.join("/")
    }

    /// The top-level theme a code belongs to.
    pub fn theme_of(&self, id: &str) -> Option<&Code> {
        self.ancestors(id).first().copied().or_else(|| self.get(id))
    }

    /// Finds a code by id or by path of names (case-insensitive; a leading `/` is allowed).
    pub fn resolve(&self, reference: &str) -> Option<&Code> {
        if let Some(code) = self.get(reference) {
            return Some(code);
        }
        let mut parent: Option<&str> = None;
        let mut found = None;
        for part in split_path(reference) {
            let next = self
                .codes
                .iter()
                .find(|c| c.parent.as_deref() == parent && c.name.eq_ignore_ascii_case(&part))?;
            parent = Some(&next.id);
            found = Some(next);
        }
        found
    }

    /// Codes in tree order (depth-first, siblings by name) with their depth.
    pub fn tree(&self) -> Vec<(&Code, usize)> {
        let mut out = Vec::with_capacity(self.codes.len());
        let mut stack: Vec<(&Code, usize)> = self
            .children(None)
            .into_iter()
            .rev()
            .map(|c| (c, 0))
            .collect();
        while let Some((code, depth)) = stack.pop() {
            out.push((code, depth));
            for child in self.children(Some(&code.id)).into_iter().rev() {
                stack.push((child, depth + 1));
            }
        }
        out
    }

    fn check_name(
        &self,
        name: &str,
        parent: Option<&str>,
        except: Option<&str>,
    ) -> Result<(), CodebookError> {
        if name.trim().is_empty() {
            return Err(CodebookError::InvalidName(name.to_string()));
        }
        let clash = self.codes.iter().any(|c| {
            c.parent.as_deref() == parent
                && c.name.eq_ignore_ascii_case(name.trim())
                && Some(c.id.as_str()) != except
        });
        if clash {
            return Err(CodebookError::Duplicate(name.to_string()));
        }
        Ok(())
    }

    fn require(&self, id: &str) -> Result<&Code, CodebookError> {
        self.get(id)
            .ok_or_else(|| CodebookError::NotFound(id.to_string(), self.name.clone()))
    }

    /// Adds a code; the colour defaults to the next palette colour, and among siblings kept in
    /// an explicit order (an imported tree) the code goes last.
    pub fn add(&mut self, mut code: Code) -> Result<(), CodebookError> {
        if code.color.is_empty() {
            code.color = PALETTE[self.codes.len() % PALETTE.len()].to_string();
        }
        if code.order.is_none() {
            code.order = self
                .codes
                .iter()
                .filter(|c| c.parent == code.parent)
                .filter_map(|c| c.order)
                .max()
                .map(|last| last.saturating_add(1));
        }
        self.insert(code)
    }

    /// Adds a code exactly as given (no colour or order chosen for it): what an import and a
    /// replayed history do.
    pub fn insert(&mut self, mut code: Code) -> Result<(), CodebookError> {
        if let Some(p) = code.parent.as_deref() {
            self.require(p)?;
        }
        self.check_name(&code.name, code.parent.as_deref(), None)?;
        code.name = code.name.trim().to_string();
        self.codes.push(code);
        self.normalise();
        Ok(())
    }

    /// Renames a code, returning the old name.
    pub fn rename(&mut self, id: &str, name: &str) -> Result<String, CodebookError> {
        let parent = self.require(id)?.parent.clone();
        self.check_name(name, parent.as_deref(), Some(id))?;
        let code = self
            .get_mut(id)
            .ok_or_else(|| CodebookError::NotFound(id.to_string(), String::new()))?;
        Ok(std::mem::replace(&mut code.name, name.trim().to_string()))
    }

    /// Moves a code (and its subtree) under a new parent, returning the old parent.
    pub fn move_code(
        &mut self,
        id: &str,
        parent: Option<&str>,
    ) -> Result<Option<String>, CodebookError> {
        let name = self.require(id)?.name.clone();
        if let Some(p) = parent {
            self.require(p)?;
            if self.subtree(id).contains(p) {
                return Err(CodebookError::Cycle(self.path(id)));
            }
        }
        self.check_name(&name, parent, Some(id))?;
        let code = self
            .get_mut(id)
            .ok_or_else(|| CodebookError::NotFound(id.to_string(), String::new()))?;
        Ok(std::mem::replace(
            &mut code.parent,
            parent.map(str::to_string),
        ))
    }

    /// Sets the descriptive fields given as `Some`.
    pub fn describe(&mut self, id: &str, fields: &Description) -> Result<(), CodebookError> {
        let name = self.name.clone();
        let code = self
            .get_mut(id)
            .ok_or_else(|| CodebookError::NotFound(id.to_string(), name))?;
        fields.apply_to(code);
        Ok(())
    }

    /// Removes a code that has no children. Its segments must be dealt with by the caller.
    pub fn remove(&mut self, id: &str) -> Result<Code, CodebookError> {
        self.require(id)?;
        if self.codes.iter().any(|c| c.parent.as_deref() == Some(id)) {
            return Err(CodebookError::HasChildren(self.path(id)));
        }
        let pos = self
            .codes
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| CodebookError::NotFound(id.to_string(), self.name.clone()))?;
        Ok(self.codes.remove(pos))
    }

    /// Merges `from` into `into`: `from`'s children move under `into`, then `from` is removed.
    pub fn merge(&mut self, from: &str, into: &str) -> Result<Vec<String>, CodebookError> {
        self.require(into)?;
        self.require(from)?;
        if from == into || self.subtree(from).contains(into) {
            return Err(CodebookError::Cycle(self.path(from)));
        }
        let children: Vec<String> = self
            .codes
            .iter()
            .filter(|c| c.parent.as_deref() == Some(from))
            .map(|c| c.id.clone())
            .collect();
        for child in &children {
            self.move_code(child, Some(into))?;
        }
        self.remove(from)?;
        Ok(children)
    }
}

/// Descriptive fields to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description {
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New inclusion criteria.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    /// New exclusion criteria.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<String>,
    /// New example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// New colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

impl Description {
    /// Writes the fields given as `Some` into `code`.
    pub fn apply_to(&self, code: &mut Code) {
        let pairs = [
            (&mut code.description, &self.description),
            (&mut code.include, &self.include),
            (&mut code.exclude, &self.exclude),
            (&mut code.example, &self.example),
            (&mut code.color, &self.color),
        ];
        for (slot, value) in pairs {
            if let Some(v) = value {
                slot.clone_from(v);
            }
        }
    }

    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Description::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(id: &str, name: &str, parent: Option<&str>) -> Code {
        Code::new(id, name, parent.map(Into::into))
    }

    fn sample() -> Codebook {
        let mut cb = Codebook::new("Link workers");
        cb.add(code("c1", "Challenges", None)).unwrap();
        cb.add(code("c2", "Inappropriate referrals", Some("c1")))
            .unwrap();
        cb.add(code("c3", "Housing crisis", Some("c2"))).unwrap();
        cb.add(code("c4", "Outcomes", None)).unwrap();
        cb
    }

    #[test]
    fn paths_resolve_both_ways() {
        let cb = sample();
        assert_eq!(
            cb.path("c3"),
            "Challenges/Inappropriate referrals/Housing crisis"
        );
        assert_eq!(
            cb.resolve("challenges/inappropriate referrals")
                .map(|c| c.id.as_str()),
            Some("c2")
        );
        assert_eq!(cb.resolve("/Challenges").map(|c| c.id.as_str()), Some("c1"));
        assert_eq!(cb.resolve("c4").map(|c| c.name.as_str()), Some("Outcomes"));
        assert!(cb.resolve("Challenges/Nope").is_none());
        assert_eq!(cb.subtree("c1").len(), 3);
        assert_eq!(cb.theme_of("c3").map(|c| c.id.as_str()), Some("c1"));
    }

    #[test]
    fn moves_refuse_cycles_and_duplicates() {
        let mut cb = sample();
        assert!(matches!(
            cb.move_code("c1", Some("c3")),
            Err(CodebookError::Cycle(_))
        ));
        cb.add(code("c5", "Housing crisis", None)).unwrap();
        assert!(matches!(
            cb.move_code("c5", Some("c2")),
            Err(CodebookError::Duplicate(_))
        ));
        assert_eq!(cb.move_code("c3", Some("c4")), Ok(Some("c2".into())));
        assert_eq!(cb.path("c3"), "Outcomes/Housing crisis");
    }

    #[test]
    fn merge_moves_children_and_removes_the_code() {
        let mut cb = sample();
        cb.merge("c2", "c4").unwrap();
        assert!(cb.get("c2").is_none());
        assert_eq!(cb.path("c3"), "Outcomes/Housing crisis");
        assert!(matches!(
            cb.remove("c4"),
            Err(CodebookError::HasChildren(_))
        ));
        assert!(matches!(
            cb.add(code("c9", " ", None)),
            Err(CodebookError::InvalidName(_))
        ));
    }

    #[test]
    fn names_with_slashes_are_escaped_in_paths() {
        let mut cb = sample();
        cb.add(code("c6", "happy/joyful", Some("c4"))).unwrap();
        cb.add(code("c7", "back\\slash", Some("c6"))).unwrap();
        assert_eq!(cb.path("c6"), "Outcomes/happy\\/joyful");
        assert_eq!(cb.path("c7"), "Outcomes/happy\\/joyful/back\\\\slash");
        assert_eq!(
            cb.resolve(&cb.path("c7")).map(|c| c.id.as_str()),
            Some("c7")
        );
        assert_eq!(
            cb.resolve("outcomes/HAPPY\\/joyful").map(|c| c.id.as_str()),
            Some("c6")
        );
        assert!(cb.resolve("Outcomes/happy/joyful").is_none());
        assert_eq!(split_path("/a\\b/ c /"), ["a\\b", "c"]);
        assert_eq!(split_path("a//b"), ["a", "", "b"]);
    }

    #[test]
    fn explicit_order_comes_before_names_and_new_codes_go_last() {
        let mut cb = Codebook::new("Imported");
        for (i, (id, name)) in [("z", "Zebra"), ("a", "Apple"), ("m", "Mango")]
            .into_iter()
            .enumerate()
        {
            let mut c = code(id, name, None);
            c.order = Some(i as u32);
            cb.insert(c).unwrap();
        }
        cb.add(code("b", "Banana", None)).unwrap();
        let names: Vec<&str> = cb.children(None).iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Zebra", "Apple", "Mango", "Banana"]);
        assert_eq!(cb.get("b").and_then(|c| c.order), Some(3));
        // insert keeps an empty colour; add picks one
        assert_eq!(cb.get("z").map(|c| c.color.as_str()), Some(""));
        assert!(!cb
            .get("b")
            .map(|c| c.color.as_str())
            .unwrap_or("")
            .is_empty());
        // a tree without explicit order stays alphabetical, and new codes get no order
        let plain = sample();
        assert!(plain.codes.iter().all(|c| c.order.is_none()));
    }

    #[test]
    fn optional_fields_are_written_only_when_set() {
        let plain = code("c1", "Challenges", None);
        let json = serde_json::to_string(&plain).unwrap();
        assert!(
            !json.contains("codable") && !json.contains("order"),
            "{json}"
        );
        let mut folder = plain.clone();
        folder.codable = false;
        folder.order = Some(2);
        let json = serde_json::to_string(&folder).unwrap();
        assert!(json.ends_with(r#""codable":false,"order":2}"#), "{json}");
        let back: Code = serde_json::from_str(&json).unwrap();
        assert_eq!(back, folder);
        let old: Code = serde_json::from_str(r#"{"id":"x","name":"X","parent":null}"#).unwrap();
        assert!(old.codable && old.order.is_none());
    }

    #[test]
    fn tree_is_depth_first_by_name() {
        let cb = sample();
        let names: Vec<(&str, usize)> = cb
            .tree()
            .iter()
            .map(|(c, d)| (c.name.as_str(), *d))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Challenges", 0),
                ("Inappropriate referrals", 1),
                ("Housing crisis", 2),
                ("Outcomes", 0)
            ]
        );
    }
}
