//! `thema import FILE...`: transcripts from any source format into canonical form.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde::Serialize;

use crate::cli::{output, Cli};
use crate::import::{import_bytes, ImportOptions};
use crate::model::{Transcript, TurnText};
use crate::study::media::{beside, cell_for, MEDIA_COLUMN};
use crate::study::{
    transcript_id_from_file, transcript_id_from_name, NewTranscript, SOURCE_NAME_COLUMN,
};

/// Arguments of `thema import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Source files: .txt .md .vtt .srt .json .docx (format detected from content).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Transcript id (only with one file; default: the file name).
    #[arg(long)]
    pub id: Option<String>,
    /// Attribute for the imported transcripts, `column=value` (repeatable).
    #[arg(long = "attr", value_name = "COLUMN=VALUE")]
    pub attrs: Vec<String>,
    /// The speaker labels used in the files, comma-separated (overrides label detection).
    #[arg(long, value_delimiter = ',')]
    pub speakers: Vec<String>,
    /// Show what would be imported without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Serialize)]
struct Imported {
    file: String,
    transcript: String,
    format: String,
    encoding: String,
    /// `interview` or `document` (paragraphs without speaker labels).
    kind: &'static str,
    turns: usize,
    speakers: Vec<String>,
    words: usize,
    /// The recording found beside the source, as the `media` column records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<String>,
}

impl Imported {
    /// "12 turns, 3400 words, speakers Interviewer, LW7", or for a document without speakers
    /// "document: 40 paragraphs, 4700 words".
    fn counts(&self) -> String {
        if self.kind == "document" || self.speakers.is_empty() {
            format!("document: {} paragraphs, {} words", self.turns, self.words)
        } else {
            format!(
                "{} turns, {} words, speakers {}",
                self.turns,
                self.words,
                self.speakers.join(", ")
            )
        }
    }
}

/// Runs `thema import`.
pub fn run(cli: &Cli, args: &ImportArgs) -> Result<()> {
    if args.id.is_some() && args.files.len() > 1 {
        bail!("--id names one transcript; give one file with it");
    }
    let attrs = crate::cli::coding::parse_filters(&args.attrs)
        .map_err(|_| anyhow::anyhow!("--attr needs COLUMN=VALUE, e.g. --attr role=volunteer"))?;
    let options = ImportOptions {
        speakers: (!args.speakers.is_empty()).then(|| args.speakers.clone()),
    };
    let is_refi = |p: &PathBuf| {
        let ext = p
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        matches!(ext.as_str(), "qdpx" | "qdc" | "qde")
    };
    if args.files.iter().any(is_refi) {
        if args.files.len() != 1 {
            bail!("import a REFI-QDA project (.qdpx/.qdc/.qde) on its own");
        }
        return refi(cli, &args.files[0]);
    }
    let mut study = cli.open()?;
    let mut batch = Vec::new();
    let mut report = Vec::new();
    for path in &args.files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let imported = import_bytes(&bytes, &path.display().to_string(), &options)?;
        let turns: Vec<TurnText> = imported
            .turns
            .iter()
            .map(|t| TurnText {
                speaker: t.speaker.clone(),
                timestamp: t.timestamp.clone(),
                text: t.text.clone(),
            })
            .collect();
        let text = Transcript::render(&turns);
        let id = args
            .id
            .clone()
            .unwrap_or_else(|| transcript_id_from_file(&name));
        let parsed = Transcript::parse(id.clone(), text.clone());
        // a recording of the same name beside the source (LW7.vtt + LW7.m4a)
        let mut attributes = attrs.clone();
        let media = if attrs.iter().any(|(k, _)| k == MEDIA_COLUMN) {
            None
        } else {
            beside(path).map(|m| cell_for(&study.root, &m))
        };
        if let Some(cell) = &media {
            attributes.push((MEDIA_COLUMN.to_string(), cell.clone()));
        }
        // a file name the id could not keep (`LW7 year 1.docx` → `LW7-year-1`)
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        let stem = stem.unwrap_or_default();
        if args.id.is_none() && transcript_id_from_name(&stem) != stem {
            attributes.push((SOURCE_NAME_COLUMN.to_string(), name.clone()));
        }
        report.push(Imported {
            file: path.display().to_string(),
            transcript: id.clone(),
            format: imported.format.to_string(),
            encoding: imported.encoding.to_string(),
            kind: if parsed.is_document() {
                "document"
            } else {
                "interview"
            },
            turns: parsed.turn_count(),
            speakers: parsed.speakers().iter().map(|s| s.to_string()).collect(),
            words: parsed.words,
            media,
        });
        batch.push(NewTranscript {
            id,
            text,
            attributes,
        });
    }
    if !args.dry_run {
        study.add_transcripts(batch)?;
    }
    if cli.json {
        return output::json(&report);
    }
    for r in &report {
        println!(
            "{} {} → {} ({}, {}): {}",
            if args.dry_run {
                "would import"
            } else {
                "imported"
            },
            r.file,
            r.transcript,
            r.format,
            r.encoding,
            r.counts()
        );
        if let Some(media) = &r.media {
            println!("  recording: {media}");
        }
    }
    Ok(())
}

/// Imports a REFI-QDA project or codebook, reporting everything that could not be mapped.
fn refi(cli: &Cli, path: &std::path::Path) -> Result<()> {
    let root = cli.root()?;
    let project = crate::refi::import_refi(path)?;
    let summary = crate::refi::apply_to_study(&root, &project)?;
    if cli.json {
        return output::json(
            &serde_json::json!({ "summary": summary, "notes": project.notes, "warnings": summary.warnings }),
        );
    }
    println!(
        "imported {} ({} transcript(s), {} code(s))",
        path.display(),
        summary.transcripts.len(),
        summary.codes_added
    );
    if let Some(name) = &summary.named {
        println!("  study named '{name}' after the project");
    }
    for id in &summary.transcripts_present {
        println!("  {id}: already in the study with the same text; left as it was");
    }
    for (transcript, unit) in &summary.offset_units {
        println!("  {transcript}: offsets read as {unit}");
    }
    for (coder, name) in &summary.coders {
        let n = summary.segments.get(coder).copied().unwrap_or(0);
        if name.is_empty() || name == coder {
            println!("  coder {coder}: {n} segment(s)");
        } else {
            println!("  coder {coder} ({name}): {n} segment(s)");
        }
    }
    for (coder, n) in summary
        .segments
        .iter()
        .filter(|(c, _)| !summary.coders.iter().any(|(id, _)| id == *c))
    {
        println!("  coder {coder}: {n} segment(s)");
    }
    for book in &summary.codebooks {
        println!("  codebook {book}");
    }
    for memo in &summary.memos_updated {
        println!("  memo {}: updated from the project", memo.display());
    }
    for note in &project.notes {
        eprintln!("  note: {note}");
    }
    for w in &summary.warnings {
        eprintln!("  warning: {w}");
    }
    Ok(())
}
