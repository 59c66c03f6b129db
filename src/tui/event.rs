//! The terminal loop, synchronous: draw, read one event, turn it into an action through the
//! keymap, update, repeat; while a recording plays, a tick when no key comes for a moment. It
//! also suspends the terminal while `$EDITOR` edits a memo.

use std::io::stdout;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Context as _;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::DefaultTerminal;

use crate::study::Study;
use crate::tui::action::{Action, PlayerAction};
use crate::tui::app::App;
use crate::tui::keymap::action_for_event;
use crate::tui::view;

/// Opens the TUI on `study` as `coder` and runs it until the user quits.
pub fn run(study: Study, coder: String) -> anyhow::Result<()> {
    // the coder's own layer is read before the screen changes, so a malformed file is reported
    // like any other error
    study.layer(&coder)?;
    let app = App::new(study, coder);
    let mut terminal = ratatui::try_init().context("cannot start the terminal interface")?;
    let result = execute!(stdout(), EnableMouseCapture)
        .context("cannot capture the mouse")
        .and_then(|()| run_loop(&mut terminal, app));
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

/// Most queued events handled before the next frame is drawn.
const BATCH: usize = 64;

fn run_loop(terminal: &mut DefaultTerminal, mut app: App) -> anyhow::Result<()> {
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    let mut dirty = true;
    while !app.quit {
        if dirty {
            terminal.draw(|frame| view::draw(frame, &app))?;
            dirty = false;
        }
        // while a recording plays, the player is asked where it is a few times a second
        if app.player.is_active() && !event::poll(crate::tui::player::TICK)? {
            app.update(Action::Player(PlayerAction::Tick));
            dirty = true;
            continue;
        }
        // one event, then whatever else is already queued (key repeat, a mouse drag)
        let mut handled = 0;
        loop {
            let event = event::read()?;
            if let Some(action) = action_for_event(&app, &event) {
                app.update(action);
                dirty = true;
            }
            if let Some(path) = app.take_editor_request() {
                edit(terminal, &path)?;
                app.update(Action::MemoClosed);
                let size = terminal.size()?;
                app.update(Action::Resize(size.width, size.height));
                dirty = true;
            }
            handled += 1;
            if app.quit || handled >= BATCH || !event::poll(Duration::ZERO)? {
                break;
            }
        }
    }
    Ok(())
}

/// Leaves the alternate screen, runs `$EDITOR` (or `vi`) on `path`, and comes back.
fn edit(terminal: &mut DefaultTerminal, path: &Path) -> anyhow::Result<()> {
    execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen)?;
    disable_raw_mode()?;
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".to_string());
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = Command::new(program).args(words).arg(path).status();
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    // redraw everything on the next frame (without asking the terminal where its cursor is)
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
    status.with_context(|| format!("cannot run the editor '{editor}' (set $EDITOR)"))?;
    Ok(())
}
