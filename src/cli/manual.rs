//! `thema completions SHELL` and `thema man [COMMAND...]`: shell completion scripts and manual
//! pages generated from the clap definitions (clap_complete, clap_mangen), printed to stdout, so
//! they always describe the commands this binary has.

use std::io::Write;

use anyhow::{bail, Result};
use clap::Args;

/// Arguments of `thema completions`.
#[derive(Debug, Args)]
#[command(after_help = "Install, e.g.:\n  \
    bash: thema completions bash > ~/.local/share/bash-completion/completions/thema\n  \
    zsh:  thema completions zsh > ~/.zfunc/_thema   (with fpath+=~/.zfunc before compinit)\n  \
    fish: thema completions fish > ~/.config/fish/completions/thema.fish")]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `thema man`.
#[derive(Debug, Args)]
#[command(
    after_help = "Read it with: thema man | man -l -   (a command's own page: thema man export)"
)]
pub struct ManArgs {
    /// A command (and sub-command) whose page to print, e.g. `export` or `codebook add`
    /// (default: thema's own page, which lists every command).
    pub command: Vec<String>,
}

/// Prints the completion script for `args.shell`.
pub fn completions(args: &CompletionsArgs) -> Result<()> {
    let mut command = crate::cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "thema", &mut out);
    out.flush()?;
    Ok(())
}

/// Prints the manual page (roff) of thema or of one of its commands.
pub fn man(args: &ManArgs) -> Result<()> {
    let mut command = crate::cli::command();
    command.build();
    let mut page = &command;
    for (depth, name) in args.command.iter().enumerate() {
        page = match page.find_subcommand(name) {
            Some(sub) => sub,
            None => {
                let known: Vec<&str> = page.get_subcommands().map(|s| s.get_name()).collect();
                let within = if depth == 0 {
                    "thema".to_string()
                } else {
                    format!("thema {}", args.command[..depth].join(" "))
                };
                bail!(
                    "no command '{name}' in {within}; commands: {}",
                    known.join(", ")
                );
            }
        };
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(page.clone()).render(&mut out)?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(())
}
