//! REFI-QDA code trees and sets into thema codebooks.
//!
//! Every code keeps its GUID (as its id), name (a `/` included), codability, colour (none when
//! there is none), description and place among its siblings. Sets that stand for thema codebooks
//! ([`crate::refi::codebooks`]) become those codebooks again; other sets are kept for the way back.

use super::*;
use crate::refi::codebooks::{old_folder_file, parse_set_description, split_description};
use crate::refi::record::SetRecord;

/// A code as written, before it becomes part of a thema codebook.
struct CodeNode {
    guid: Option<String>,
    name: String,
    codable: bool,
    color: Option<String>,
    description: String,
    notes: Vec<String>,
    children: Vec<CodeNode>,
    line: usize,
}

fn read_code_nodes(parent: &Element, warnings: &mut Vec<String>) -> Vec<CodeNode> {
    parent
        .children_named("Code")
        .map(|code| {
            let raw_guid = code.attr("guid").unwrap_or("");
            let guid = normalise_guid(raw_guid);
            if guid.is_none() {
                warnings.push(format!(
                    "line {}: code '{}' has no valid GUID ('{raw_guid}'); given a new id",
                    code.line,
                    code.attr("name").unwrap_or("")
                ));
            }
            CodeNode {
                guid,
                name: code.attr("name").unwrap_or("").to_string(),
                codable: !matches!(code.attr("isCodable").map(str::trim), Some("false" | "0")),
                color: code.attr("color").map(str::to_string),
                description: code.child_text("Description").unwrap_or("").to_string(),
                notes: code
                    .children_named("NoteRef")
                    .filter_map(|n| n.attr("targetGUID").and_then(normalise_guid))
                    .collect(),
                children: read_code_nodes(code, warnings),
                line: code.line,
            }
        })
        .collect()
}

/// A set as written: its members are GUIDs not yet resolved.
pub(super) struct RawSet {
    guid: String,
    name: String,
    description: Option<String>,
    codes: Vec<String>,
    pub(super) sources: Vec<String>,
    pub(super) notes: Vec<String>,
}

/// The member GUIDs of one kind: `targetGUID` (project), `guid` (codebook; older files), or the
/// element's text (Transana).
fn members(set: &Element, kind: &str) -> Vec<String> {
    set.children_named(kind)
        .filter_map(|m| {
            m.attr("targetGUID")
                .or(m.attr("guid"))
                .or(Some(m.text.as_str()))
                .and_then(normalise_guid)
        })
        .collect()
}

/// The sets under `sets` (a `Sets` element, if any).
pub(super) fn read_sets(sets: Option<&Element>, space: &GuidSpace) -> Vec<RawSet> {
    let Some(sets) = sets else {
        return Vec::new();
    };
    sets.children_named("Set")
        .map(|set| {
            let name = set.attr("name").unwrap_or("").to_string();
            RawSet {
                guid: set
                    .attr("guid")
                    .and_then(normalise_guid)
                    .unwrap_or_else(|| space.derived("set", &format!("{name}#{}", set.line))),
                description: set
                    .child_text("Description")
                    .filter(|d| !d.trim().is_empty())
                    .map(str::to_string),
                codes: members(set, "MemberCode"),
                sources: members(set, "MemberSource"),
                notes: members(set, "MemberNote"),
                name,
            }
        })
        .collect()
}

/// `#rrggbb` from `#rgb` or `#rrggbb` in any case; `Err` for anything else.
fn normalise_color(text: &str) -> Result<String, ()> {
    let hex = text.trim().strip_prefix('#').ok_or(())?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(());
    }
    match hex.len() {
        6 => Ok(format!("#{}", hex.to_ascii_lowercase())),
        3 => Ok(format!(
            "#{}",
            hex.chars()
                .flat_map(|c| [c, c])
                .collect::<String>()
                .to_ascii_lowercase()
        )),
        _ => Err(()),
    }
}

/// Builds thema codebooks from code trees.
struct CodebookBuilder<'a> {
    thema_origin: bool,
    space: GuidSpace,
    /// GUID → code id for every code placed.
    ids: HashMap<String, String>,
    used_ids: BTreeSet<String>,
    warnings: &'a mut Vec<String>,
    /// Code id → note GUIDs referenced from the code.
    notes: Vec<(String, String)>,
    unnamed: usize,
    trimmed: usize,
    bad_colors: BTreeSet<String>,
}

impl<'a> CodebookBuilder<'a> {
    fn new(thema_origin: bool, space: GuidSpace, warnings: &'a mut Vec<String>) -> Self {
        CodebookBuilder {
            thema_origin,
            space,
            ids: HashMap::new(),
            used_ids: BTreeSet::new(),
            warnings,
            notes: Vec::new(),
            unnamed: 0,
            trimmed: 0,
            bad_colors: BTreeSet::new(),
        }
    }

    fn build<'n>(&mut self, name: &str, roots: impl IntoIterator<Item = &'n CodeNode>) -> Codebook {
        let mut codebook = Codebook::new(name);
        for (order, node) in roots.into_iter().enumerate() {
            self.add(&mut codebook, node, None, "", order);
        }
        codebook
    }

    fn add(
        &mut self,
        codebook: &mut Codebook,
        node: &CodeNode,
        parent: Option<&str>,
        path: &str,
        order: usize,
    ) {
        let mut id = node.guid.clone().unwrap_or_default();
        if id.is_empty() || self.used_ids.contains(&id) {
            if !id.is_empty() {
                self.warnings.push(format!(
                    "line {}: code GUID {id} is used twice; the second code '{}' got a new id",
                    node.line, node.name
                ));
            }
            id = self
                .space
                .derived("code", &format!("{path}/{}#{}", node.name, node.line));
        }
        self.used_ids.insert(id.clone());
        if let Some(guid) = &node.guid {
            self.ids.entry(guid.clone()).or_insert_with(|| id.clone());
        }
        let (description, include, exclude, example) = if self.thema_origin {
            split_description(&node.description)
        } else {
            (
                node.description.clone(),
                String::new(),
                String::new(),
                String::new(),
            )
        };
        let color = match node.color.as_deref() {
            None => String::new(),
            Some(c) if c.trim().is_empty() => String::new(),
            Some(c) => normalise_color(c).unwrap_or_else(|_| {
                self.bad_colors.insert(c.to_string());
                String::new()
            }),
        };
        let mut name = node.name.trim().to_string();
        if name.is_empty() {
            name = "(unnamed)".to_string();
            self.unnamed += 1;
        } else if name != node.name {
            self.trimmed += 1;
        }
        let base = name.clone();
        let mut attempt = 1;
        loop {
            let code = Code {
                id: id.clone(),
                name: name.clone(),
                parent: parent.map(str::to_string),
                description: description.clone(),
                include: include.clone(),
                exclude: exclude.clone(),
                example: example.clone(),
                color: color.clone(),
                codable: node.codable,
                order: u32::try_from(order).ok(),
            };
            match codebook.insert(code) {
                Ok(()) => break,
                Err(CodebookError::Duplicate(_)) => {
                    attempt += 1;
                    name = format!("{base} ({attempt})");
                    if attempt == 2 {
                        self.warnings.push(format!(
                            "line {}: two codes named '{base}' under the same parent (thema addresses codes by path); the second is '{name}'",
                            node.line
                        ));
                    }
                }
                Err(e) => {
                    self.warnings.push(format!(
                        "line {}: code '{}' left out: {e}",
                        node.line, node.name
                    ));
                    return;
                }
            }
        }
        for note in &node.notes {
            self.notes.push((id.clone(), note.clone()));
        }
        let path = format!("{path}/{name}");
        for (order, child) in node.children.iter().enumerate() {
            self.add(codebook, child, Some(&id), &path, order);
        }
    }

    fn finish_warnings(&mut self) {
        if self.unnamed > 0 {
            self.warnings.push(format!(
                "{} codes without a name are named '(unnamed)'",
                self.unnamed
            ));
        }
        if self.trimmed > 0 {
            self.warnings.push(format!(
                "{} code names lost spaces at their start or end",
                self.trimmed
            ));
        }
        if !self.bad_colors.is_empty() {
            self.warnings.push(format!(
                "colours not in #RGB or #RRGGBB form were ignored: {}",
                self.bad_colors
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }

    /// A set that is not a codebook, with its codes as code ids (unknown ones reported).
    fn other_set(&mut self, set: &RawSet) -> SetRecord {
        let mut unknown = 0;
        let codes = set
            .codes
            .iter()
            .filter_map(|g| {
                let id = self.ids.get(g).cloned();
                unknown += usize::from(id.is_none());
                id
            })
            .collect();
        if unknown > 0 {
            self.warnings.push(format!(
                "set '{}': {unknown} members point at no code and were left out",
                set.name
            ));
        }
        SetRecord {
            guid: set.guid.clone(),
            name: set.name.clone(),
            description: set.description.clone(),
            codes,
            sources: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// A unique, file-safe stem from `name`, or `fallback`.
pub(super) fn unique_stem(name: &str, fallback: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base = slug(name);
    if base.is_empty() {
        base = fallback.to_string();
    }
    let base: String = base.chars().take(60).collect();
    let mut stem = base.clone();
    let mut n = 2;
    while !taken.insert(stem.clone()) {
        stem = format!("{base}-{n}");
        n += 1;
    }
    stem
}

/// Codebooks from the top-level code nodes: one per set standing for a thema codebook (and per
/// folder code of an earlier thema export), the other codes in one codebook named
/// `default_name`. Returns the codebooks and the sets that are not codebooks.
fn build_codebooks<'s>(
    roots: Vec<CodeNode>,
    sets: &'s [RawSet],
    default_name: &str,
    builder: &mut CodebookBuilder<'_>,
) -> (Vec<ImportedCodebook>, Vec<&'s RawSet>) {
    let mut out = Vec::new();
    let mut taken = BTreeSet::new();
    let mut claimed = vec![false; roots.len()];
    let mut others = Vec::new();
    for set in sets {
        let Some((file, folder)) = set.description.as_deref().and_then(parse_set_description)
        else {
            others.push(set);
            continue;
        };
        let tops: Vec<usize> = (0..roots.len())
            .filter(|&i| {
                !claimed[i]
                    && roots[i]
                        .guid
                        .as_ref()
                        .is_some_and(|g| set.codes.contains(g))
            })
            .collect();
        for &i in &tops {
            claimed[i] = true;
        }
        let wrapper = match tops.as_slice() {
            [one]
                if folder && !roots[*one].codable && roots[*one].name.trim() == set.name.trim() =>
            {
                Some(&roots[*one])
            }
            _ => None,
        };
        let codebook = match wrapper {
            Some(node) => {
                if let Some(guid) = &node.guid {
                    builder.used_ids.insert(guid.clone());
                }
                builder.build(&set.name, &node.children)
            }
            None => builder.build(&set.name, tops.iter().map(|&i| &roots[i])),
        };
        let file = unique_stem(&file, "codebook", &mut taken);
        out.push(ImportedCodebook { file, codebook });
    }
    let mut loose = Vec::new();
    for (i, node) in roots.iter().enumerate() {
        if claimed[i] {
            continue;
        }
        let old = (builder.thema_origin && !node.codable)
            .then(|| old_folder_file(&node.name, &node.description))
            .flatten();
        match old {
            Some(file) => {
                if let Some(guid) = &node.guid {
                    builder.used_ids.insert(guid.clone());
                }
                let codebook = builder.build(&node.name, &node.children);
                let file = unique_stem(&file, "codebook", &mut taken);
                out.push(ImportedCodebook { file, codebook });
            }
            None => loose.push(node),
        }
    }
    if !loose.is_empty() {
        let codebook = builder.build(default_name, loose);
        let file = unique_stem(default_name, "codebook", &mut taken);
        out.push(ImportedCodebook { file, codebook });
    }
    out.retain(|c| !c.codebook.codes.is_empty());
    // sets carrying a thema codebook's scope give it back (other programs' sets stay sets)
    others.retain(|set| {
        let Some((file, scope)) = set
            .description
            .as_deref()
            .and_then(crate::refi::codebooks::parse_scope_set_description)
        else {
            return true;
        };
        match out.iter_mut().find(|c| c.file == file) {
            Some(book) => {
                book.codebook.scope = Some(scope);
                false
            }
            None => true,
        }
    });
    (out, others)
}

pub(super) fn read_codebook_document(root: &Element, stem: &str) -> RefiProject {
    let mut warnings = Vec::new();
    let mut notes: Vec<String> = namespace_note(root, crate::refi::CODEBOOK_NS)
        .into_iter()
        .collect();
    notes.extend(empty_containers(root, &["Codes", "Sets"]));
    let origin = root.attr("origin").unwrap_or("").to_string();
    let roots = root
        .child("Codes")
        .map(|c| read_code_nodes(c, &mut warnings))
        .unwrap_or_default();
    let space = GuidSpace::for_study(stem);
    let sets = read_sets(root.child("Sets"), &space);
    let mut builder_warnings = Vec::new();
    let mut builder =
        CodebookBuilder::new(origin.starts_with("thema"), space, &mut builder_warnings);
    let (codebooks, others) = build_codebooks(roots, &sets, stem, &mut builder);
    let record_sets: Vec<SetRecord> = others.iter().map(|s| builder.other_set(s)).collect();
    builder.finish_warnings();
    warnings.extend(builder_warnings);
    if codebooks.is_empty() {
        warnings.push("the codebook holds no codes".to_string());
    }
    RefiProject {
        name: stem.to_string(),
        origin,
        codebooks,
        record: crate::refi::record::RefiRecord {
            sets: record_sets,
            ..Default::default()
        },
        notes,
        warnings,
        ..RefiProject::default()
    }
}

impl Reader<'_> {
    /// Reads the code tree and the sets: codebooks, and the other sets for later.
    pub(super) fn read_codes(&mut self) {
        let sets = read_sets(self.root.child("Sets"), &self.space);
        let roots = match self.root.child("CodeBook").and_then(|c| c.child("Codes")) {
            Some(codes) => read_code_nodes(codes, &mut self.warnings),
            None => Vec::new(),
        };
        let default_name = if self.project.name.trim().is_empty() {
            "Imported codes".to_string()
        } else {
            self.project.name.clone()
        };
        let mut warnings = Vec::new();
        let mut builder =
            CodebookBuilder::new(self.thema_origin(), self.space.clone(), &mut warnings);
        let (codebooks, others) = build_codebooks(roots, &sets, &default_name, &mut builder);
        let mut pending = Vec::new();
        for set in others {
            pending.push((
                builder.other_set(set),
                set.sources.clone(),
                set.notes.clone(),
            ));
        }
        builder.finish_warnings();
        let ids = std::mem::take(&mut builder.ids);
        let notes = std::mem::take(&mut builder.notes);
        self.warnings.extend(warnings);
        self.codes = ids;
        for (code, note) in notes {
            self.note_targets
                .entry(note)
                .or_default()
                .push(NoteTarget::Code(code));
        }
        self.project.codebooks = codebooks;
        self.pending_sets = pending;
    }

    /// Resolves the sources and notes of the sets read with the codes, once both are known.
    pub(super) fn finish_sets(&mut self) {
        let mut unknown = 0;
        for (mut set, sources, notes) in std::mem::take(&mut self.pending_sets) {
            for guid in sources {
                match self.transcript_ids.get(&guid) {
                    Some(id) => set.sources.push(id.clone()),
                    None => unknown += 1,
                }
            }
            for guid in notes {
                if self.note_guids.contains(&guid) {
                    set.notes.push(guid);
                } else {
                    unknown += 1;
                }
            }
            self.project.record.sets.push(set);
        }
        if unknown > 0 {
            self.warnings.push(format!(
                "{unknown} set members are sources or notes thema did not import; the sets keep their other members"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_read_leniently() {
        assert_eq!(normalise_color("#ABC"), Ok("#aabbcc".to_string()));
        assert_eq!(normalise_color("#4E79A7"), Ok("#4e79a7".to_string()));
        assert!(normalise_color("#AABBCCDD").is_err());
        assert!(normalise_color("rgb(1,2,3)").is_err());
    }
}
