//! `thema play TRANSCRIPT (--turn N | --segment ID | --at hh:mm:ss) [--before 2s]`: the
//! transcript's recording from that moment, in mpv, ffplay or VLC in this terminal.

use anyhow::{bail, Result};
use clap::{ArgGroup, Args};
use serde::Serialize;

use crate::cli::{output, Cli};
use crate::media::player::format_seconds;
use crate::media::{cue, playback, Player, Target};
use crate::model::timeline::{format_clock, parse_duration};
use crate::study::media::load_local;
use crate::study::Study;

/// Arguments of `thema play`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("from").required(true).args(["turn", "segment", "at"])))]
pub struct PlayArgs {
    /// Transcript id (may be left out with --segment).
    pub transcript: Option<String>,
    /// Play from this turn (paragraph number, from 1).
    #[arg(long)]
    pub turn: Option<usize>,
    /// Play from the start of this coded segment (an id from `thema segments`).
    #[arg(long)]
    pub segment: Option<String>,
    /// Play from this time: hh:mm:ss, mm:ss or seconds.
    #[arg(long, value_parser = time_arg, value_name = "TIME")]
    pub at: Option<f64>,
    /// Start this much earlier, to hear the moment come in (2s, 500ms, 0).
    #[arg(long, value_parser = time_arg, default_value = "2s", value_name = "TIME")]
    pub before: f64,
    /// Print the player's command instead of starting it.
    #[arg(long)]
    pub dry_run: bool,
}

fn time_arg(text: &str) -> Result<f64, String> {
    parse_duration(text)
        .ok_or_else(|| format!("'{text}' is not a time: write hh:mm:ss, mm:ss, 12s or 500ms"))
}

#[derive(Serialize)]
struct Plan {
    transcript: String,
    media: String,
    cue: String,
    approximate: bool,
    seconds: f64,
    from: String,
    player: String,
    command: Vec<String>,
}

/// The transcript and the offset where segment `id` starts, looking in the layer its id names
/// first (`r1-…` is r1's), then in every layer.
fn find_segment(study: &Study, id: &str) -> Result<(String, usize)> {
    let owner = id.split_once('-').map(|(coder, _)| coder);
    let mut coders: Vec<&str> = owner.filter(|c| study.has_coder(c)).into_iter().collect();
    coders.extend(study.coders().into_iter().filter(|c| Some(*c) != owner));
    for coder in coders {
        if let Some(s) = study.layer(coder)?.iter().find(|s| s.id == id) {
            return Ok((s.transcript.clone(), s.start));
        }
    }
    bail!("no segment '{id}' (`thema segments` lists them with their ids)")
}

/// Shell-quotes a word for printing.
fn quoted(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Runs `thema play`.
pub fn run(cli: &Cli, args: &PlayArgs) -> Result<()> {
    let study = cli.open()?;
    let (id, target) = match (&args.segment, args.turn, args.at) {
        (Some(segment), _, _) => {
            let (transcript, offset) = find_segment(&study, segment)?;
            if let Some(given) = &args.transcript {
                if !given.eq_ignore_ascii_case(&transcript) {
                    bail!("segment {segment} is in {transcript}, not {given}");
                }
            }
            let label = format!("segment {segment}");
            (transcript, Target::Offset { offset, label })
        }
        (None, turn, at) => {
            let Some(transcript) = args.transcript.clone() else {
                bail!("name the transcript: thema play TRANSCRIPT --turn N (or --at hh:mm:ss)");
            };
            let target = match (turn, at) {
                (Some(n), _) => Target::Turn(n),
                (None, Some(seconds)) => Target::At(seconds),
                (None, None) => bail!("give --turn N, --segment ID or --at hh:mm:ss"),
            };
            (transcript, target)
        }
    };
    let transcript = study.transcript(&id)?;
    let cue = cue(&transcript, &target)?;
    let seconds = cue.start(args.before);
    let link = study.media(&transcript.id)?;
    let file = link.require()?;
    let local = load_local(&study.root)?;
    let player = Player::for_study(&study.settings, &local)?;
    let words = player.args(file, seconds, &crate::media::Launch::Foreground);
    let mut command = vec![player.program.display().to_string()];
    command.extend(words.iter().map(|w| w.to_string_lossy().into_owned()));
    let plan = Plan {
        transcript: transcript.id.clone(),
        media: file.display().to_string(),
        cue: cue.what.clone(),
        approximate: cue.moment.approximate,
        seconds,
        from: format_clock(seconds),
        player: player.name(),
        command,
    };
    if cli.json {
        output::json(&plan)?;
    } else if args.dry_run {
        let line: Vec<String> = plan.command.iter().map(|w| quoted(w)).collect();
        println!("{}", line.join(" "));
    } else {
        let lead = if seconds < cue.moment.seconds {
            format!(
                ", {} s before",
                format_seconds(cue.moment.seconds - seconds)
            )
        } else {
            String::new()
        };
        let approximate = if cue.moment.approximate {
            " (~: interpolated from the turns around it)"
        } else {
            ""
        };
        println!(
            "{}: {} from {} ({}{lead}) with {}{approximate}",
            transcript.id, plan.media, plan.from, cue.what, plan.player
        );
    }
    if args.dry_run {
        return Ok(());
    }
    playback::run(&player, file, seconds)?;
    Ok(())
}
