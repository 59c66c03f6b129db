//! REFI-QDA code trees into thema codebooks.

use super::*;

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

/// Splits a description written by thema's export back into description, include, exclude and
/// example.
fn split_description(text: &str) -> (String, String, String, String) {
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

/// The file stem of a thema codebook folder code, if `node` is one.
fn thema_codebook_folder(node: &CodeNode) -> Option<String> {
    if node.codable {
        return None;
    }
    let rest = node
        .description
        .strip_prefix(&format!("Codebook \"{}\" (codebooks/", node.name))?;
    let file = rest.strip_suffix(".json), exported by thema.")?;
    (!file.is_empty() && !file.contains('/')).then(|| file.to_string())
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
    renamed: usize,
    folders: usize,
    bad_colors: BTreeSet<String>,
}

impl CodebookBuilder<'_> {
    fn build(&mut self, name: &str, roots: &[CodeNode]) -> Codebook {
        let mut codebook = Codebook::new(name);
        for node in roots {
            self.add(&mut codebook, node, None, "");
        }
        codebook
    }

    fn add(&mut self, codebook: &mut Codebook, node: &CodeNode, parent: Option<&str>, path: &str) {
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
        if !node.codable {
            self.folders += 1;
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
        let mut name = node.name.trim().replace(PATH_SEPARATOR, "\u{2215}");
        if name.is_empty() {
            name = "(unnamed)".to_string();
        }
        if name != node.name {
            self.renamed += 1;
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
                color: if color.is_empty() {
                    // what Codebook::add would pick, written explicitly so history replays
                    PALETTE[codebook.codes.len() % PALETTE.len()].to_string()
                } else {
                    color.clone()
                },
                codable: true,
                order: None,
            };
            match codebook.add(code) {
                Ok(()) => break,
                Err(CodebookError::Duplicate(_)) => {
                    attempt += 1;
                    name = format!("{base} ({attempt})");
                    if attempt == 2 {
                        self.warnings.push(format!(
                            "line {}: two codes named '{base}' under the same parent; the second is '{name}'",
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
        for child in &node.children {
            self.add(codebook, child, Some(&id), &path);
        }
    }

    fn finish_warnings(&mut self) {
        if self.renamed > 0 {
            self.warnings.push(format!(
                "{} code names were empty or held '/', which thema uses in code paths ('/' became '\u{2215}')",
                self.renamed
            ));
        }
        if self.folders > 0 {
            self.warnings.push(format!(
                "{} folder codes (isCodable=\"false\") became ordinary codes: thema has no uncodable codes",
                self.folders
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

/// Codebooks from top-level code nodes: one per thema codebook folder, the rest in one codebook
/// named `default_name`.
fn build_codebooks(
    roots: Vec<CodeNode>,
    default_name: &str,
    builder: &mut CodebookBuilder<'_>,
) -> Vec<ImportedCodebook> {
    let mut out = Vec::new();
    let mut taken = BTreeSet::new();
    let mut loose = Vec::new();
    let mut folders = Vec::new();
    for node in roots {
        match thema_codebook_folder(&node).filter(|_| builder.thema_origin) {
            Some(file) => folders.push((file, node)),
            None => loose.push(node),
        }
    }
    for (file, node) in folders {
        if let Some(guid) = &node.guid {
            builder.used_ids.insert(guid.clone());
        }
        let codebook = builder.build(&node.name, &node.children);
        let file = unique_stem(&file, "codebook", &mut taken);
        out.push(ImportedCodebook { file, codebook });
    }
    if !loose.is_empty() {
        let codebook = builder.build(default_name, &loose);
        let file = unique_stem(default_name, "codebook", &mut taken);
        out.push(ImportedCodebook { file, codebook });
    }
    out.retain(|c| !c.codebook.codes.is_empty());
    out
}

pub(super) fn read_codebook_document(root: &Element, stem: &str) -> RefiProject {
    let mut warnings = Vec::new();
    warnings.extend(namespace_warning(root, crate::refi::CODEBOOK_NS));
    let origin = root.attr("origin").unwrap_or("").to_string();
    let roots = root
        .child("Codes")
        .map(|c| read_code_nodes(c, &mut warnings))
        .unwrap_or_default();
    let sets = root
        .child("Sets")
        .map(|s| s.children_named("Set").count())
        .unwrap_or(0);
    let mut builder_warnings = Vec::new();
    let mut builder = CodebookBuilder {
        thema_origin: origin.starts_with("thema"),
        space: GuidSpace::for_study(stem),
        ids: HashMap::new(),
        used_ids: BTreeSet::new(),
        warnings: &mut builder_warnings,
        notes: Vec::new(),
        renamed: 0,
        folders: 0,
        bad_colors: BTreeSet::new(),
    };
    let codebooks = build_codebooks(roots, stem, &mut builder);
    builder.finish_warnings();
    warnings.extend(builder_warnings);
    if sets > 0 {
        warnings.push(format!(
            "{sets} code sets not imported: thema has no code groups (use a parent code instead)"
        ));
    }
    if codebooks.is_empty() {
        warnings.push("the codebook holds no codes".to_string());
    }
    RefiProject {
        name: stem.to_string(),
        origin,
        codebooks,
        warnings,
        ..RefiProject::default()
    }
}

impl Reader<'_> {
    pub(super) fn read_codes(&mut self) {
        let Some(codes) = self.root.child("CodeBook").and_then(|c| c.child("Codes")) else {
            return;
        };
        let mut warnings = Vec::new();
        let roots = read_code_nodes(codes, &mut warnings);
        let default_name = if self.project.name.trim().is_empty() {
            "Imported codes".to_string()
        } else {
            self.project.name.clone()
        };
        let mut builder = CodebookBuilder {
            thema_origin: self.thema_origin(),
            space: self.space.clone(),
            ids: HashMap::new(),
            used_ids: BTreeSet::new(),
            warnings: &mut warnings,
            notes: Vec::new(),
            renamed: 0,
            folders: 0,
            bad_colors: BTreeSet::new(),
        };
        let codebooks = build_codebooks(roots, &default_name, &mut builder);
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
    }
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
    fn colours_are_read_leniently() {
        assert_eq!(normalise_color("#ABC"), Ok("#aabbcc".to_string()));
        assert_eq!(normalise_color("#4E79A7"), Ok("#4e79a7".to_string()));
        assert!(normalise_color("#AABBCCDD").is_err());
        assert!(normalise_color("rgb(1,2,3)").is_err());
    }
}
