//! The files of a REFI-QDA project: a `.qdpx` archive or a folder, the project document in it,
//! and the text files its sources name.

use super::*;
use std::io::Read;

/// The files of a project, in an archive or a folder.
pub(super) enum Package {
    Zip {
        path: PathBuf,
        archive: Box<zip::ZipArchive<std::io::BufReader<fs::File>>>,
        names: Vec<String>,
    },
    Folder {
        root: PathBuf,
        names: Vec<String>,
    },
}

impl Package {
    pub(super) fn open_zip(path: &Path) -> Result<Package, RefiError> {
        let file = fs::File::open(path).map_err(|source| RefiError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let archive =
            zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| RefiError::Zip {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        let names = archive
            .file_names()
            .map(|n| n.replace('\\', "/").trim_start_matches("./").to_string())
            .collect();
        Ok(Package::Zip {
            path: path.to_path_buf(),
            archive: Box::new(archive),
            names,
        })
    }

    /// A folder: its files and the files of its `sources` folder (any case).
    pub(super) fn open_folder(root: &Path) -> Result<Package, RefiError> {
        let io = |source| RefiError::Io {
            path: root.to_path_buf(),
            source,
        };
        let mut names = Vec::new();
        for entry in fs::read_dir(root).map_err(io)? {
            let entry = entry.map_err(io)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_file() {
                names.push(name);
            } else if path.is_dir() && name.eq_ignore_ascii_case("sources") {
                for inner in fs::read_dir(&path).map_err(io)? {
                    let inner = inner.map_err(io)?;
                    if inner.path().is_file() {
                        names.push(format!("{name}/{}", inner.file_name().to_string_lossy()));
                    }
                }
            }
        }
        names.sort();
        Ok(Package::Folder {
            root: root.to_path_buf(),
            names,
        })
    }

    pub(super) fn names(&self) -> &[String] {
        match self {
            Package::Zip { names, .. } | Package::Folder { names, .. } => names,
        }
    }

    pub(super) fn read(&mut self, name: &str) -> Result<Vec<u8>, RefiError> {
        match self {
            Package::Zip {
                path,
                archive,
                names,
            } => {
                let index = names.iter().position(|n| n == name).ok_or_else(|| {
                    RefiError::Invalid(format!("{name} is not in {}", path.display()))
                })?;
                let mut entry = archive.by_index(index).map_err(|e| RefiError::Zip {
                    path: path.clone(),
                    message: format!("{name}: {e}"),
                })?;
                let mut bytes = Vec::new();
                entry
                    .read_to_end(&mut bytes)
                    .map_err(|source| RefiError::Io {
                        path: path.join(name),
                        source,
                    })?;
                Ok(bytes)
            }
            Package::Folder { root, .. } => {
                let path = root.join(name);
                fs::read(&path).map_err(|source| RefiError::Io { path, source })
            }
        }
    }

    /// Finds the file a source path names. Returns the entry and a note when the path was not
    /// the conformant `internal://<file>`.
    pub(super) fn find_source(&self, reference: &str) -> (Option<String>, Option<String>) {
        let (file, note) = if let Some(rest) = strip_scheme(reference, "internal://") {
            (rest.to_string(), None)
        } else if let Some(rest) = ["relative://", "absolute://", "file://"]
            .iter()
            .find_map(|s| strip_scheme(reference, s))
        {
            let base = rest.rsplit(['/', '\\']).next().unwrap_or(rest).to_string();
            (
                base,
                Some(format!(
                    "'{reference}' points outside the archive; looked for its file name in sources/"
                )),
            )
        } else {
            (
                reference.to_string(),
                Some(format!(
                    "'{reference}' is not an internal:// path (not conformant); looked for it in sources/"
                )),
            )
        };
        let file = file.trim_start_matches('/').replace('\\', "/");
        let wanted = format!("sources/{}", file.to_lowercase());
        if let Some(hit) = self.names().iter().find(|n| n.to_lowercase() == wanted) {
            return (Some(hit.clone()), note);
        }
        let base = file.rsplit('/').next().unwrap_or(&file).to_lowercase();
        let hit = self.names().iter().find(|n| {
            n.rsplit('/')
                .next()
                .is_some_and(|b| b.to_lowercase() == base)
        });
        (hit.cloned(), note)
    }
}

fn strip_scheme<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    text.get(..scheme.len())
        .filter(|s| s.eq_ignore_ascii_case(scheme))
        .map(|_| &text[scheme.len()..])
}

/// The project document of a package: `project.qde` in any case, else the only `.qde` at the
/// root, else the only `.qde` anywhere, else the only `.qdc`.
pub(super) fn find_document(names: &[String]) -> Option<(String, Option<String>)> {
    let lower = |n: &String| n.to_lowercase();
    if let Some(hit) = names.iter().find(|n| lower(n) == "project.qde") {
        let note = (hit != "project.qde")
            .then(|| format!("the project document is named '{hit}' (expected project.qde)"));
        return Some((hit.clone(), note));
    }
    let root_qde: Vec<&String> = names
        .iter()
        .filter(|n| !n.contains('/') && lower(n).ends_with(".qde"))
        .collect();
    if let [one] = root_qde.as_slice() {
        return Some((
            (*one).clone(),
            Some(format!(
                "the project document is named '{one}' (expected project.qde)"
            )),
        ));
    }
    let any_qde: Vec<&String> = names
        .iter()
        .filter(|n| lower(n).ends_with(".qde"))
        .collect();
    if let [one] = any_qde.as_slice() {
        return Some((
            (*one).clone(),
            Some(format!(
                "the project document is '{one}', not at the archive root"
            )),
        ));
    }
    let qdc: Vec<&String> = names
        .iter()
        .filter(|n| !n.contains('/') && lower(n).ends_with(".qdc"))
        .collect();
    if let [one] = qdc.as_slice() {
        return Some(((*one).clone(), None));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_found_under_any_name() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            find_document(&names(&["Sources/a.txt", "project.qde"])).map(|d| d.0),
            Some("project.qde".into())
        );
        let (name, note) = find_document(&names(&["Project.qde"])).unwrap();
        assert_eq!(name, "Project.qde");
        assert!(note.is_some());
        assert_eq!(
            find_document(&names(&["Trial.qde", "sources/x.txt"])).map(|d| d.0),
            Some("Trial.qde".into())
        );
        assert_eq!(find_document(&names(&["a.qde", "b.qde"])), None);
    }
}
