//! Refining the coding framework: every codebook operation re-reads the file first (refusing
//! to clobber a change made elsewhere), moves the segments it affects in every coder's layer,
//! writes the codebook, and appends one line to the codebook's history.
//!
//! Write order keeps work safe through a crash: segments first, then the codebook, then the log.
//! A crash between steps leaves a study that `thema check` explains, never a lost segment.

use std::collections::BTreeSet;

use crate::model::codebook::{split_path, Description};
use crate::model::history::SplitChild;
use crate::model::{ids, Code, Codebook, HistoryEntry, Operation};
use crate::study::coding::now;
use crate::study::files::{self, append_history, save_codebook};
use crate::study::{LoadedCodebook, Result, Study, StudyError};

/// Why a change to the coding framework cannot be made. The messages state the problem; each
/// front-end adds its own hint (a flag on the command line, a key in the TUI).
#[derive(Debug, thiserror::Error)]
pub enum FrameworkError {
    /// A codebook name that makes no file name.
    #[error("'{0}' cannot name a codebook")]
    BadCodebookName(String),
    /// No codebook has this name.
    #[error("no codebook '{name}'; codebooks: {}", .known.join(", "))]
    NoCodebook {
        /// The name as given.
        name: String,
        /// The study's codebooks.
        known: Vec<String>,
    },
    /// A code reference that matches codes in several codebooks.
    #[error("'{0}' names codes in several codebooks")]
    AmbiguousCode(String),
    /// A new code needs a codebook, and the study has several.
    #[error("this study has several codebooks ({})", .0.join(", "))]
    AmbiguousCodebook(Vec<String>),
    /// Not a path of code names.
    #[error("'{0}' is not a code path like \"Theme/Sub-theme/Code\"")]
    BadPath(String),
    /// A code with that path exists.
    #[error("'{0}' already exists")]
    Exists(String),
    /// A describe that changes nothing.
    #[error("nothing to describe: give a description, criteria, an example or a colour")]
    NothingToDescribe,
    /// A colour not in `#rrggbb` form.
    #[error("colour '{0}' is not #rrggbb")]
    BadColour(String),
    /// Moving or merging across codebooks.
    #[error("codes can only be moved or merged within one codebook")]
    AcrossCodebooks,
    /// Merging a code into itself or its own sub-code.
    #[error("cannot merge '{0}' into itself or its own sub-code")]
    MergeIntoItself(String),
    /// A split without new children.
    #[error("a split needs at least one new child name")]
    SplitWithoutChildren,
    /// A split assignment naming a child that is not being created.
    #[error("'{0}' is not one of the new children")]
    NotANewChild(String),
    /// A split assignment naming a segment of another code.
    #[error("segment {segment} is not coded with '{code}'")]
    NotCodedWith {
        /// The segment id.
        segment: String,
        /// The code's path.
        code: String,
    },
    /// A split assignment naming no segment.
    #[error("no segment '{0}'")]
    NoSegment(String),
    /// Deleting a code by reassigning its segments to itself.
    #[error("cannot reassign a code's segments to itself")]
    ReassignToItself,
    /// Deleting a code that segments still use.
    #[error("'{code}' is used by {segments} segment(s) of {}", .coders.join(", "))]
    InUse {
        /// The code's path.
        code: String,
        /// Segments using it.
        segments: usize,
        /// Coders whose segments they are.
        coders: Vec<String>,
    },
    /// The codebook refused the change.
    #[error(transparent)]
    Codebook(#[from] crate::model::codebook::CodebookError),
    /// A code that no codebook holds (the study changed underneath).
    #[error("code '{0}' is in no codebook")]
    Orphan(String),
}

impl From<FrameworkError> for StudyError {
    fn from(e: FrameworkError) -> Self {
        StudyError::Framework(e)
    }
}

/// How a split hands out the split code's segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitAssignment {
    /// Leave every segment on the parent code.
    Keep,
    /// Move every segment to the child with this name.
    AllTo(String),
    /// Move the listed segment ids to the named children.
    Segments(Vec<(String, String)>),
}

impl Study {
    fn codebook_mut(&mut self, slot: usize) -> &mut LoadedCodebook {
        &mut self.codebooks[slot]
    }

    /// Makes sure the codebook at `slot` is what is on disk, refusing if it changed.
    pub(crate) fn check_fresh(&self, slot: usize) -> Result<()> {
        let loaded = &self.codebooks[slot];
        let path = files::codebook_path(&self.root, &loaded.file);
        let current = std::fs::read(&path).ok();
        if current != loaded.on_disk {
            return Err(StudyError::ChangedOnDisk(path));
        }
        Ok(())
    }

    pub(crate) fn record(
        &mut self,
        slot: usize,
        coder: &str,
        op: Operation,
        why: Option<&str>,
    ) -> Result<()> {
        let root = self.root.clone();
        // held until the history line is written: another process's check-then-write cannot
        // slip in between (it would clobber this change or log its own out of order)
        let _writing = crate::study::lock::lock_codebook(&root, &self.codebooks[slot].file)?;
        save_codebook(&root, self.codebook_mut(slot))?;
        let entry = HistoryEntry {
            at: now(),
            coder: coder.to_string(),
            op,
            why: why.map(str::to_string).filter(|w| !w.trim().is_empty()),
        };
        append_history(&root, &self.codebooks[slot].file, &entry)
    }

    /// Finds or creates the codebook with this file stem or name.
    fn codebook_for_add(&mut self, codebook: Option<&str>) -> Result<usize> {
        match codebook {
            Some(name) => {
                if let Some(slot) = self
                    .codebooks
                    .iter()
                    .position(|c| c.file == name || c.codebook.name.eq_ignore_ascii_case(name))
                {
                    return Ok(slot);
                }
                let file = crate::study::coder::slug(name);
                if file.is_empty() {
                    return Err(FrameworkError::BadCodebookName(name.to_string()).into());
                }
                self.codebooks.push(LoadedCodebook {
                    file,
                    codebook: Codebook::new(name),
                    on_disk: None,
                });
                Ok(self.codebooks.len() - 1)
            }
            None => match self.codebooks.len() {
                0 => {
                    self.codebooks.push(LoadedCodebook {
                        file: "codebook".to_string(),
                        codebook: Codebook::new("Codebook"),
                        on_disk: None,
                    });
                    Ok(0)
                }
                1 => Ok(0),
                _ => Err(FrameworkError::AmbiguousCodebook(self.codebook_names()).into()),
            },
        }
    }

    /// Adds the code at `path` (creating missing parents), returning the id of the last one.
    pub fn add_code(
        &mut self,
        coder: &str,
        codebook: Option<&str>,
        path: &str,
        fields: &Description,
        why: Option<&str>,
    ) -> Result<String> {
        let slot = self.codebook_for_add(codebook)?;
        self.check_fresh(slot)?;
        let parts = split_path(path);
        if parts.is_empty() || parts.iter().any(|p| p.is_empty()) {
            return Err(FrameworkError::BadPath(path.to_string()).into());
        }
        if self.codebooks[slot].codebook.resolve(path).is_some() {
            return Err(FrameworkError::Exists(path.to_string()).into());
        }
        let mut parent: Option<String> = None;
        let mut last = String::new();
        for (i, name) in parts.iter().enumerate() {
            let existing = self.codebooks[slot]
                .codebook
                .children(parent.as_deref())
                .into_iter()
                .find(|c| c.name.eq_ignore_ascii_case(name))
                .map(|c| c.id.clone());
            let id = match existing {
                Some(id) => id,
                None => {
                    let mut id = ids::new_code_id();
                    while self.code(&id).is_some() {
                        id = ids::new_code_id();
                    }
                    let mut code = Code {
                        id: id.clone(),
                        name: name.to_string(),
                        parent: parent.clone(),
                        description: String::new(),
                        include: String::new(),
                        exclude: String::new(),
                        example: String::new(),
                        color: String::new(),
                        codable: true,
                        order: None,
                    };
                    if i == parts.len() - 1 {
                        fields.apply_to(&mut code);
                    }
                    let book = &mut self.codebook_mut(slot).codebook;
                    book.add(code).map_err(FrameworkError::from)?;
                    let stored = book
                        .get(&id)
                        .cloned()
                        .ok_or_else(|| FrameworkError::Orphan(id.clone()))?;
                    self.record(slot, coder, Operation::Add { code: stored }, why)?;
                    id
                }
            };
            parent = Some(id.clone());
            last = id;
        }
        Ok(last)
    }

    /// Puts back a code exactly as it was (same id, name, parent and fields) into codebook
    /// file `codebook`: what redoing an undone "add" does, so segments naming the id find it.
    pub fn restore_code(
        &mut self,
        coder: &str,
        codebook: &str,
        code: &Code,
        why: Option<&str>,
    ) -> Result<()> {
        let slot = self.codebook_for_add(Some(codebook))?;
        self.check_fresh(slot)?;
        if self.code(&code.id).is_some() {
            return Err(FrameworkError::Exists(self.code_path(&code.id)).into());
        }
        let book = &mut self.codebook_mut(slot).codebook;
        book.insert(code.clone()).map_err(FrameworkError::from)?;
        self.record(slot, coder, Operation::Add { code: code.clone() }, why)
    }

    fn slot_of(&self, reference: &str, codebook: Option<&str>) -> Result<(usize, String)> {
        let id = self.resolve_code(reference, codebook)?.id.clone();
        let slot = self
            .codebook_slot(&id)
            .ok_or_else(|| FrameworkError::Orphan(reference.to_string()))?;
        Ok((slot, id))
    }

    /// Renames a code.
    pub fn rename_code(
        &mut self,
        coder: &str,
        reference: &str,
        codebook: Option<&str>,
        name: &str,
        why: Option<&str>,
    ) -> Result<String> {
        let (slot, id) = self.slot_of(reference, codebook)?;
        self.check_fresh(slot)?;
        let from = self
            .codebook_mut(slot)
            .codebook
            .rename(&id, name)
            .map_err(FrameworkError::from)?;
        self.record(
            slot,
            coder,
            Operation::Rename {
                code: id.clone(),
                from,
                to: name.trim().to_string(),
            },
            why,
        )?;
        Ok(id)
    }

    /// Sets a code's description, criteria, example or colour.
    pub fn describe_code(
        &mut self,
        coder: &str,
        reference: &str,
        codebook: Option<&str>,
        fields: &Description,
        why: Option<&str>,
    ) -> Result<String> {
        if fields.is_empty() {
            return Err(FrameworkError::NothingToDescribe.into());
        }
        if let Some(color) = &fields.color {
            let valid = color.len() == 7
                && color.starts_with('#')
                && color[1..].chars().all(|c| c.is_ascii_hexdigit());
            if !valid {
                return Err(FrameworkError::BadColour(color.to_string()).into());
            }
        }
        let (slot, id) = self.slot_of(reference, codebook)?;
        self.check_fresh(slot)?;
        self.codebook_mut(slot)
            .codebook
            .describe(&id, fields)
            .map_err(FrameworkError::from)?;
        self.record(
            slot,
            coder,
            Operation::Describe {
                code: id.clone(),
                fields: fields.clone(),
            },
            why,
        )?;
        Ok(id)
    }

    /// Moves a code under a new parent (`None`: to the top as a theme).
    pub fn move_code(
        &mut self,
        coder: &str,
        reference: &str,
        codebook: Option<&str>,
        parent: Option<&str>,
        why: Option<&str>,
    ) -> Result<String> {
        let (slot, id) = self.slot_of(reference, codebook)?;
        let parent_id = match parent {
            Some(p) => {
                let (pslot, pid) = self.slot_of(p, codebook)?;
                if pslot != slot {
                    return Err(FrameworkError::AcrossCodebooks.into());
                }
                Some(pid)
            }
            None => None,
        };
        self.check_fresh(slot)?;
        let from = self
            .codebook_mut(slot)
            .codebook
            .move_code(&id, parent_id.as_deref())
            .map_err(FrameworkError::from)?;
        self.record(
            slot,
            coder,
            Operation::Move {
                code: id.clone(),
                from,
                to: parent_id,
            },
            why,
        )?;
        Ok(id)
    }

    /// Reassigns segments, in every coder's layer, whose code is in `map`; returns how many moved.
    fn reassign(
        &mut self,
        decide: impl Fn(&crate::model::Segment) -> Option<String>,
    ) -> Result<usize> {
        let affected: Vec<String> = self
            .layers()?
            .into_iter()
            .filter(|(_, segs)| segs.iter().any(|s| decide(s).is_some()))
            .map(|(c, _)| c.to_string())
            .collect();
        for coder in &affected {
            self.lock(coder)?;
        }
        let mut moved = 0;
        for coder in &affected {
            if let Ok(segments) = self.layer_mut(coder) {
                for segment in segments.iter_mut() {
                    if let Some(to) = decide(segment) {
                        segment.code = to;
                        moved += 1;
                    }
                }
                // two segments now identical (same span, same code) collapse into one
                segments.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                segments.dedup_by(|a, b| {
                    a.transcript == b.transcript
                        && a.start == b.start
                        && a.end == b.end
                        && a.code == b.code
                });
            }
            self.save_coder(coder)?;
        }
        Ok(moved)
    }

    /// Merges code `from` into `into`: every coder's segments and the children of `from` move to
    /// `into`, then `from` is removed. Returns the number of segments moved.
    pub fn merge_codes(
        &mut self,
        coder: &str,
        from: &str,
        into: &str,
        codebook: Option<&str>,
        why: Option<&str>,
    ) -> Result<usize> {
        let (slot, from_id) = self.slot_of(from, codebook)?;
        let (into_slot, into_id) = self.slot_of(into, codebook)?;
        if slot != into_slot {
            return Err(FrameworkError::AcrossCodebooks.into());
        }
        if self.codebooks[slot]
            .codebook
            .subtree(&from_id)
            .contains(&into_id)
        {
            return Err(FrameworkError::MergeIntoItself(self.code_path(&from_id)).into());
        }
        self.check_fresh(slot)?;
        let target = into_id.clone();
        let moved = self.reassign(|s| (s.code == from_id).then(|| target.clone()))?;
        self.codebook_mut(slot)
            .codebook
            .merge(&from_id, &into_id)
            .map_err(FrameworkError::from)?;
        self.record(
            slot,
            coder,
            Operation::Merge {
                code: from_id,
                into: into_id,
                segments: moved,
            },
            why,
        )?;
        Ok(moved)
    }

    /// Splits a code into new child codes and reassigns its segments as asked.
    pub fn split_code(
        &mut self,
        coder: &str,
        reference: &str,
        codebook: Option<&str>,
        children: &[String],
        assignment: &SplitAssignment,
        why: Option<&str>,
    ) -> Result<(Vec<SplitChild>, usize)> {
        let (slot, id) = self.slot_of(reference, codebook)?;
        if children.is_empty() {
            return Err(FrameworkError::SplitWithoutChildren.into());
        }
        self.check_fresh(slot)?;
        let mut trial = self.codebooks[slot].codebook.clone();
        let mut created = Vec::new();
        for name in children {
            let mut child_id = ids::new_code_id();
            while self.code(&child_id).is_some() || trial.contains(&child_id) {
                child_id = ids::new_code_id();
            }
            trial
                .add(Code {
                    id: child_id.clone(),
                    name: name.trim().to_string(),
                    parent: Some(id.clone()),
                    description: String::new(),
                    include: String::new(),
                    exclude: String::new(),
                    example: String::new(),
                    color: String::new(),
                    codable: true,
                    order: None,
                })
                .map_err(FrameworkError::from)?;
            created.push(SplitChild {
                code: child_id,
                name: name.trim().to_string(),
            });
        }
        let child_id = |name: &str| -> Result<String> {
            created
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
                .map(|c| c.code.clone())
                .ok_or_else(|| StudyError::from(FrameworkError::NotANewChild(name.to_string())))
        };
        let moves: Vec<(String, String)> = match assignment {
            SplitAssignment::Keep => Vec::new(),
            SplitAssignment::AllTo(name) => {
                let to = child_id(name)?;
                self.layers()?
                    .into_iter()
                    .flat_map(|(_, segments)| segments)
                    .filter(|s| s.code == id)
                    .map(|s| (s.id.clone(), to.clone()))
                    .collect()
            }
            SplitAssignment::Segments(list) => {
                let mut out = Vec::new();
                for (segment, name) in list {
                    match self.find_segment(segment)? {
                        Some((_, s)) if s.code == id => {
                            out.push((segment.clone(), child_id(name)?))
                        }
                        Some(_) => {
                            return Err(FrameworkError::NotCodedWith {
                                segment: segment.to_string(),
                                code: self.code_path(&id),
                            }
                            .into())
                        }
                        None => return Err(FrameworkError::NoSegment(segment.to_string()).into()),
                    }
                }
                out
            }
        };
        let moved = self.reassign(|s| {
            moves
                .iter()
                .find(|(sid, _)| *sid == s.id)
                .map(|(_, to)| to.clone())
        })?;
        self.codebook_mut(slot).codebook = trial;
        self.record(
            slot,
            coder,
            Operation::Split {
                code: id,
                into: created.clone(),
                segments: moved,
            },
            why,
        )?;
        Ok((created, moved))
    }

    /// Deletes a code. Refused while any coder's segments use it, unless `reassign` names the
    /// code they should move to.
    pub fn delete_code(
        &mut self,
        coder: &str,
        reference: &str,
        codebook: Option<&str>,
        reassign: Option<&str>,
        why: Option<&str>,
    ) -> Result<usize> {
        let (slot, id) = self.slot_of(reference, codebook)?;
        let in_use: usize = self
            .layers()?
            .into_iter()
            .flat_map(|(_, segments)| segments)
            .filter(|s| s.code == id)
            .count();
        let target = match reassign {
            Some(r) => Some(self.slot_of(r, codebook)?.1),
            None => None,
        };
        if target.as_deref() == Some(id.as_str()) {
            return Err(FrameworkError::ReassignToItself.into());
        }
        if in_use > 0 && target.is_none() {
            let coders: BTreeSet<&str> = self
                .layers()?
                .into_iter()
                .filter(|(_, segs)| segs.iter().any(|s| s.code == id))
                .map(|(c, _)| c)
                .collect();
            return Err(FrameworkError::InUse {
                code: self.code_path(&id),
                segments: in_use,
                coders: coders.into_iter().map(str::to_string).collect(),
            }
            .into());
        }
        self.check_fresh(slot)?;
        let name = self.codebooks[slot]
            .codebook
            .get(&id)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        // refuse before touching segments if the code has children
        if self.codebooks[slot]
            .codebook
            .codes
            .iter()
            .any(|c| c.parent.as_deref() == Some(id.as_str()))
        {
            return Err(
                FrameworkError::from(crate::model::codebook::CodebookError::HasChildren(
                    self.code_path(&id),
                ))
                .into(),
            );
        }
        let moved = match &target {
            Some(to) => {
                let to = to.clone();
                self.reassign(|s| (s.code == id).then(|| to.clone()))?
            }
            None => 0,
        };
        self.codebook_mut(slot)
            .codebook
            .remove(&id)
            .map_err(FrameworkError::from)?;
        self.record(
            slot,
            coder,
            Operation::Delete {
                code: id,
                name,
                reassign: target,
            },
            why,
        )?;
        Ok(moved)
    }
}
