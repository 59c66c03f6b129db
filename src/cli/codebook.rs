//! `thema codebook ...`: list and refine the coding framework.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::cli::{output, Cli};
use crate::model::codebook::Description;
use crate::model::history::replay;
use crate::model::{Codebook, Operation};
use crate::study::files::load_history;
use crate::study::framework::SplitAssignment;
use crate::study::Study;

/// Codebook subcommands.
#[derive(Debug, Subcommand)]
pub enum CodebookCommand {
    /// Show the framework as a tree with segment counts per coder.
    List(Which),
    /// Add a code by path, creating missing parents: "Challenges/Transport".
    Add {
        /// Path of the new code.
        path: String,
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        fields: Fields,
        #[command(flatten)]
        why: Why,
    },
    /// Rename a code (its id and segments stay).
    Rename {
        /// Code path or id.
        code: String,
        /// New name.
        name: String,
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        why: Why,
    },
    /// Set a code's description, criteria, example or colour.
    Describe {
        /// Code path or id.
        code: String,
        #[command(flatten)]
        fields: Fields,
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        why: Why,
    },
    /// Move a code under another (or to the top with --top).
    Move {
        /// Code path or id.
        code: String,
        /// New parent path or id.
        #[arg(required_unless_present = "top")]
        parent: Option<String>,
        /// Make it a top-level theme.
        #[arg(long)]
        top: bool,
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        why: Why,
    },
    /// Merge code A into B: every coder's segments of A move to B.
    Merge {
        /// The code that disappears.
        from: String,
        /// The code that absorbs it.
        into: String,
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        why: Why,
    },
    /// Split a code into new child codes, reassigning segments.
    Split {
        /// Code path or id.
        code: String,
        /// Names of the new children, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        into: Vec<String>,
        /// Move every segment of the code to this new child.
        #[arg(long, conflicts_with = "assign")]
        all_to: Option<String>,
        /// Move one segment: SEGMENT_ID=CHILD (repeatable).
        #[arg(long, value_name = "SEGMENT=CHILD")]
        assign: Vec<String>,
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        why: Why,
    },
    /// Delete a code; refused while segments use it unless --reassign.
    Delete {
        /// Code path or id.
        code: String,
        /// Move its segments to this code first.
        #[arg(long)]
        reassign: Option<String>,
        #[command(flatten)]
        which: Which,
        #[command(flatten)]
        why: Why,
    },
    /// Say which transcripts a codebook is for; without options, show its scope.
    ///
    /// Agreement, matrices, theme reports and saturation then count its codes only over those
    /// transcripts. Values of one column are alternatives, columns must all match; named
    /// transcripts are in scope whatever their attributes.
    Scope {
        /// Codebook file name or display name.
        codebook: String,
        /// Attribute filter COLUMN=VALUE, e.g. --where role="link worker" (repeatable).
        #[arg(long = "where", value_name = "COLUMN=VALUE")]
        filters: Vec<String>,
        /// Transcripts in scope whatever their attributes (comma-separated ids).
        #[arg(long, value_delimiter = ',')]
        transcripts: Vec<String>,
        /// Remove the scope: the codebook is for every transcript again.
        #[arg(long, conflicts_with_all = ["filters", "transcripts"])]
        clear: bool,
        #[command(flatten)]
        why: Why,
    },
    /// Show how the framework evolved; with --at, the codebook as it was then.
    History {
        #[command(flatten)]
        which: Which,
        /// Print the codebook as it was at this date or time (2025-03-01 or RFC 3339).
        #[arg(long)]
        at: Option<String>,
    },
}

/// Which codebook.
#[derive(Debug, Args)]
pub struct Which {
    /// Codebook file name or display name (needed when a study has several).
    #[arg(long)]
    pub codebook: Option<String>,
}

/// Why a change was made (written to the history).
#[derive(Debug, Args)]
pub struct Why {
    /// Reason, e.g. "agreed in meeting 3".
    #[arg(long)]
    pub why: Option<String>,
}

/// Descriptive fields.
#[derive(Debug, Args)]
pub struct Fields {
    /// What the code means.
    #[arg(long)]
    pub description: Option<String>,
    /// When to apply it.
    #[arg(long)]
    pub include: Option<String>,
    /// When not to apply it.
    #[arg(long)]
    pub exclude: Option<String>,
    /// A typical passage.
    #[arg(long)]
    pub example: Option<String>,
    /// Colour as #rrggbb.
    #[arg(long)]
    pub color: Option<String>,
}

impl Fields {
    fn description(&self) -> Description {
        Description {
            description: self.description.clone(),
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            example: self.example.clone(),
            color: self.color.clone(),
        }
    }
}

/// `thema codebook …`: lists, refines and scopes the coding framework.
pub fn run(cli: &Cli, cmd: &CodebookCommand) -> Result<()> {
    match cmd {
        CodebookCommand::List(which) => list(cli, which.codebook.as_deref()),
        CodebookCommand::History { which, at } => {
            history(cli, which.codebook.as_deref(), at.as_deref())
        }
        CodebookCommand::Scope {
            codebook,
            filters,
            transcripts,
            clear,
            why,
        } if !filters.is_empty() || !transcripts.is_empty() || *clear => {
            let filters = crate::cli::coding::parse_filters(filters)?;
            let scope = (!*clear).then(|| crate::model::Scope {
                transcripts: transcripts.clone(),
                ..crate::model::Scope::from_filters(
                    filters.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                )
            });
            let coder = cli.coder()?;
            let mut study = cli.open()?;
            let n = study.set_scope(&coder, codebook, scope, why.why.as_deref())?;
            let book = study
                .codebooks
                .iter()
                .find(|c| c.file == *codebook || c.codebook.name.eq_ignore_ascii_case(codebook))
                .map(|c| c.codebook.clone());
            match book {
                Some(book) => println!("{}", study.scope_line(&book)),
                None => println!("{n} transcript(s) in scope"),
            }
            Ok(())
        }
        CodebookCommand::Scope { codebook, .. } => show_scope(cli, codebook),
        _ => change(cli, cmd),
    }
}

fn change(cli: &Cli, cmd: &CodebookCommand) -> Result<()> {
    let coder = cli.coder()?;
    let mut study = cli.open()?;
    let message = match cmd {
        CodebookCommand::Add {
            path,
            which,
            fields,
            why,
        } => {
            let id = study.add_code(
                &coder,
                which.codebook.as_deref(),
                path,
                &fields.description(),
                why.why.as_deref(),
            )?;
            format!("added {} ({id})", study.code_path(&id))
        }
        CodebookCommand::Rename {
            code,
            name,
            which,
            why,
        } => {
            let old = study
                .resolve_code(code, which.codebook.as_deref())?
                .name
                .clone();
            let id = study.rename_code(
                &coder,
                code,
                which.codebook.as_deref(),
                name,
                why.why.as_deref(),
            )?;
            format!("renamed '{old}' to {} ({id})", study.code_path(&id))
        }
        CodebookCommand::Describe {
            code,
            fields,
            which,
            why,
        } => {
            let id = study.describe_code(
                &coder,
                code,
                which.codebook.as_deref(),
                &fields.description(),
                why.why.as_deref(),
            )?;
            format!("described {} ({id})", study.code_path(&id))
        }
        CodebookCommand::Move {
            code,
            parent,
            top,
            which,
            why,
        } => {
            let parent = if *top { None } else { parent.as_deref() };
            let id = study.move_code(
                &coder,
                code,
                which.codebook.as_deref(),
                parent,
                why.why.as_deref(),
            )?;
            format!("moved to {} ({id})", study.code_path(&id))
        }
        CodebookCommand::Merge {
            from,
            into,
            which,
            why,
        } => merge(&mut study, &coder, from, into, which, why)?,
        CodebookCommand::Split {
            code,
            into,
            all_to,
            assign,
            which,
            why,
        } => {
            let assignment = split_assignment(all_to.as_deref(), assign)?;
            split(&mut study, &coder, code, into, &assignment, which, why)?
        }
        CodebookCommand::Delete {
            code,
            reassign,
            which,
            why,
        } => {
            let path = study.code_path(
                &study
                    .resolve_code(code, which.codebook.as_deref())?
                    .id
                    .clone(),
            );
            let moved = study.delete_code(
                &coder,
                code,
                which.codebook.as_deref(),
                reassign.as_deref(),
                why.why.as_deref(),
            )?;
            format!("deleted {path}; {moved} segment(s) reassigned")
        }
        CodebookCommand::List(_)
        | CodebookCommand::History { .. }
        | CodebookCommand::Scope { .. } => {
            bail!("list, history and scope do not change the codebook")
        }
    };
    println!("{message}");
    Ok(())
}

/// `thema codebook merge`: every coder's segments of FROM move to INTO.
fn merge(
    study: &mut Study,
    coder: &str,
    from: &str,
    into: &str,
    which: &Which,
    why: &Why,
) -> Result<String> {
    let from_path = study.code_path(
        &study
            .resolve_code(from, which.codebook.as_deref())?
            .id
            .clone(),
    );
    let moved = study.merge_codes(
        coder,
        from,
        into,
        which.codebook.as_deref(),
        why.why.as_deref(),
    )?;
    let into_id = study
        .resolve_code(into, which.codebook.as_deref())?
        .id
        .clone();
    Ok(format!(
        "merged {from_path} into {}: {moved} segment(s) moved",
        study.code_path(&into_id)
    ))
}

/// Where `thema codebook split` puts the code's segments.
fn split_assignment(all_to: Option<&str>, assign: &[String]) -> Result<SplitAssignment> {
    Ok(match (all_to, assign.is_empty()) {
        (Some(child), _) => SplitAssignment::AllTo(child.to_string()),
        (None, false) => SplitAssignment::Segments(
            assign
                .iter()
                .map(|a| match a.split_once('=') {
                    Some((s, c)) => Ok((s.trim().to_string(), c.trim().to_string())),
                    None => bail!("--assign needs SEGMENT_ID=CHILD (got '{a}')"),
                })
                .collect::<Result<_>>()?,
        ),
        (None, true) => SplitAssignment::Keep,
    })
}

/// `thema codebook split`: new child codes, segments reassigned as asked.
fn split(
    study: &mut Study,
    coder: &str,
    code: &str,
    into: &[String],
    assignment: &SplitAssignment,
    which: &Which,
    why: &Why,
) -> Result<String> {
    let (children, moved) = study.split_code(
        coder,
        code,
        which.codebook.as_deref(),
        into,
        assignment,
        why.why.as_deref(),
    )?;
    let names: Vec<String> = children
        .iter()
        .map(|c| format!("{} ({})", study.code_path(&c.code), c.code))
        .collect();
    Ok(format!(
        "split into {}; {moved} segment(s) reassigned",
        names.join(", ")
    ))
}

#[derive(Serialize)]
struct CodeRow {
    id: String,
    path: String,
    name: String,
    parent: Option<String>,
    depth: usize,
    description: String,
    include: String,
    exclude: String,
    example: String,
    color: String,
    /// Segments per coder on this code alone.
    segments: BTreeMap<String, usize>,
}

#[derive(Serialize)]
struct CodebookListing {
    file: String,
    name: String,
    codes: Vec<CodeRow>,
}

fn selected<'a>(
    study: &'a Study,
    codebook: Option<&str>,
) -> Result<Vec<&'a crate::study::LoadedCodebook>> {
    let books: Vec<_> = study
        .codebooks
        .iter()
        .filter(|c| codebook.is_none_or(|n| c.file == n || c.codebook.name.eq_ignore_ascii_case(n)))
        .collect();
    if books.is_empty() {
        match codebook {
            Some(n) => bail!("no codebook '{n}'; codebooks: {}", study.codebook_names().join(", ")),
            None => bail!("this study has no codebook yet; add a code with `thema codebook add \"Theme/Code\"`"),
        }
    }
    Ok(books)
}

/// Prints a codebook's scope and the transcripts it holds.
fn show_scope(cli: &Cli, codebook: &str) -> Result<()> {
    let study = cli.open()?;
    let Some(book) = study
        .codebooks
        .iter()
        .find(|c| c.file == codebook || c.codebook.name.eq_ignore_ascii_case(codebook))
    else {
        bail!(
            "no codebook '{codebook}'; codebooks: {}",
            study.codebook_names().join(", ")
        );
    };
    let transcripts = study.scope_transcripts(&book.codebook);
    if cli.json {
        #[derive(Serialize)]
        struct ScopeView<'a> {
            codebook: &'a str,
            scope: Option<&'a crate::model::Scope>,
            transcripts: &'a [&'a str],
        }
        return output::json(&ScopeView {
            codebook: &book.codebook.name,
            scope: book.codebook.scope.as_ref(),
            transcripts: &transcripts,
        });
    }
    println!("{}", study.scope_line(&book.codebook));
    println!("  {}", transcripts.join(", "));
    Ok(())
}

fn list(cli: &Cli, codebook: Option<&str>) -> Result<()> {
    let study = cli.open()?;
    let mut counts: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for (coder, segments) in study.layers()? {
        for s in segments {
            *counts
                .entry(s.code.as_str())
                .or_default()
                .entry(coder.to_string())
                .or_default() += 1;
        }
    }
    let listings: Vec<CodebookListing> = selected(&study, codebook)?
        .into_iter()
        .map(|loaded| CodebookListing {
            file: loaded.file.clone(),
            name: loaded.codebook.name.clone(),
            codes: loaded
                .codebook
                .tree()
                .into_iter()
                .map(|(c, depth)| CodeRow {
                    id: c.id.clone(),
                    path: loaded.codebook.path(&c.id),
                    name: c.name.clone(),
                    parent: c.parent.clone(),
                    depth,
                    description: c.description.clone(),
                    include: c.include.clone(),
                    exclude: c.exclude.clone(),
                    example: c.example.clone(),
                    color: c.color.clone(),
                    segments: counts.get(c.id.as_str()).cloned().unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    if cli.json {
        return output::json(&listings);
    }
    let coders = study.coders();
    for listing in &listings {
        println!("{} ({}.json)", listing.name, listing.file);
        if let Some(book) = study.codebooks.iter().find(|c| c.file == listing.file) {
            if book.codebook.scope.is_some() {
                println!("{}", study.scope_line(&book.codebook));
            }
        }
        let mut rows = Vec::new();
        for code in &listing.codes {
            let mut row = vec![
                format!("{}{}", "  ".repeat(code.depth), code.name),
                code.id.clone(),
            ];
            row.extend(coders.iter().map(|c| {
                code.segments
                    .get(*c)
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "·".into())
            }));
            rows.push(row);
        }
        let mut headers = vec!["code", "id"];
        headers.extend(coders.iter().copied());
        output::table(&headers, &rows);
        println!();
    }
    Ok(())
}

fn history(cli: &Cli, codebook: Option<&str>, at: Option<&str>) -> Result<()> {
    let study = cli.open()?;
    for loaded in selected(&study, codebook)? {
        let entries = load_history(&study.root, &loaded.file)?;
        if let Some(at) = at {
            let until = if at.len() == 10 {
                format!("{at}T23:59:59Z")
            } else {
                at.to_string()
            };
            let book =
                replay(&loaded.codebook.name, &entries, Some(&until)).map_err(|(line, e)| {
                    crate::cli::exit::BadInput(format!(
                        "codebooks/{}.log.jsonl:{line}: cannot replay: {e}",
                        loaded.file
                    ))
                })?;
            if cli.json {
                output::json(&book)?;
            } else {
                println!("{} as it was at {at}:", loaded.codebook.name);
                if let Some(scope) = &book.scope {
                    println!("for {}", scope.describe());
                }
                print_tree(&book);
            }
            continue;
        }
        if cli.json {
            output::json(&entries)?;
            continue;
        }
        println!("{} ({} changes)", loaded.codebook.name, entries.len());
        // names as they were when each line was written
        let mut book = Codebook::new(&loaded.codebook.name);
        for entry in &entries {
            let name_of = |b: &Codebook, id: &str| {
                let path = b.path(id);
                if path.is_empty() {
                    id.to_string()
                } else {
                    path
                }
            };
            let what = match &entry.op {
                Operation::Add { code } => format!("add {}", {
                    let mut b = book.clone();
                    let _ = b.add(code.clone());
                    name_of(&b, &code.id)
                }),
                Operation::Rename { from, to, .. } => format!("rename '{from}' → '{to}'"),
                Operation::Describe { code, .. } => format!("describe {}", name_of(&book, code)),
                Operation::Move { code, to, .. } => format!(
                    "move {} under {}",
                    name_of(&book, code),
                    to.as_deref()
                        .map(|t| name_of(&book, t))
                        .unwrap_or_else(|| "the top".into())
                ),
                Operation::Merge {
                    code,
                    into,
                    segments,
                } => {
                    format!(
                        "merge {} into {} ({segments} segments)",
                        name_of(&book, code),
                        name_of(&book, into)
                    )
                }
                Operation::Split {
                    code,
                    into,
                    segments,
                } => format!(
                    "split {} into {} ({segments} segments)",
                    name_of(&book, code),
                    into.iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Operation::Delete { name, .. } => format!("delete '{name}'"),
                Operation::Scope { to, .. } => match to {
                    Some(scope) => format!("scope: {}", scope.describe()),
                    None => "scope: every transcript".to_string(),
                },
            };
            let _ = entry.op.apply(&mut book);
            let why = entry
                .why
                .as_deref()
                .map(|w| format!(" — {w}"))
                .unwrap_or_default();
            println!("  {}  {:<8} {what}{why}", entry.at, entry.coder);
        }
    }
    Ok(())
}

fn print_tree(book: &Codebook) {
    for (code, depth) in book.tree() {
        println!("{}{} ({})", "  ".repeat(depth + 1), code.name, code.id);
    }
}
