//! Colour on the command line: only on a terminal, and never when `NO_COLOR` holds anything
//! (<https://no-color.org>) or `TERM` is `dumb`.
//!
//! The command line's only colour is clap's (styled help and error messages); `thema`'s own
//! output is plain text. The index's progress bar draws only when stderr is a terminal and uses no
//! colour. The terminal interface (`tui`) draws its own screen and is not covered here.

use std::ffi::OsStr;
use std::io::IsTerminal;

/// Whether `NO_COLOR` asks for no colour: set to anything but the empty string.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether output written to a stream may be coloured: it is a terminal, `NO_COLOR` is unset or
/// empty, and `TERM` is not `dumb`.
pub fn wanted(stream_is_terminal: bool) -> bool {
    decide(
        stream_is_terminal,
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// The rule of [`wanted`] with the environment given: colour on a terminal, unless `no_color`
/// holds anything or `term` is `dumb`.
pub fn decide(stream_is_terminal: bool, no_color: Option<&OsStr>, term: Option<&OsStr>) -> bool {
    stream_is_terminal && no_color.is_none_or(OsStr::is_empty) && term.is_none_or(|t| t != "dumb")
}

/// clap's colour choice for this process: never when neither stdout (help) nor stderr (errors)
/// may be coloured, so that not even `CLICOLOR_FORCE` colours a pipe; else clap's own per-stream
/// check, which also honours `NO_COLOR`.
pub fn clap_choice() -> clap::ColorChoice {
    if wanted(std::io::stdout().is_terminal()) || wanted(std::io::stderr().is_terminal()) {
        clap::ColorChoice::Auto
    } else {
        clap::ColorChoice::Never
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        let term = Some(OsStr::new("xterm-256color"));
        assert!(decide(true, None, term));
        assert!(
            decide(true, Some(OsStr::new("")), term),
            "an empty NO_COLOR is unset"
        );
        assert!(!decide(false, None, term), "never into a pipe or file");
        assert!(!decide(true, Some(OsStr::new("1")), term));
        assert!(
            !decide(true, Some(OsStr::new("false")), term),
            "any value counts"
        );
        assert!(!decide(true, None, Some(OsStr::new("dumb"))));
        assert!(decide(true, None, None));
    }
}
