//! A headless terminal for TUI tests: an `App` on a study in a temporary folder, drawn into a
//! ratatui `TestBackend`, driven by the same key events a researcher types.

use std::path::Path;

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use tempfile::TempDir;
use thema::study::Study;
use thema::tui::keymap::action_for_event;
use thema::tui::{view, Action, App};

/// The app, its terminal and the study folder it works on.
pub struct Driver {
    pub app: App,
    pub terminal: Terminal<TestBackend>,
    pub dir: TempDir,
}

impl Driver {
    /// Opens the study in `dir` as `coder` on a `width` × `height` terminal.
    pub fn open_as(dir: TempDir, coder: &str, width: u16, height: u16) -> Driver {
        let study = Study::open(dir.path()).unwrap();
        let mut app = App::new(study, coder.to_string());
        app.update(Action::Resize(width, height));
        let terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        Driver { app, terminal, dir }
    }

    /// Resizes the terminal, as a window resize would.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.terminal.backend_mut().resize(width, height);
        self.app.update(Action::Resize(width, height));
    }

    /// Draws a frame and returns it as plain text, one line per row.
    pub fn screen(&mut self) -> String {
        let app = &self.app;
        self.terminal.draw(|f| view::draw(f, app)).unwrap();
        text_of(self.terminal.backend().buffer())
    }

    /// One key press through the key table.
    pub fn press(&mut self, code: KeyCode, mods: KeyModifiers) {
        let event = Event::Key(KeyEvent::new(code, mods));
        if let Some(action) = action_for_event(&self.app, &event) {
            self.app.update(action);
        }
    }

    /// Types keys: each character is one key press (uppercase with Shift).
    pub fn keys(&mut self, keys: &str) {
        for c in keys.chars() {
            let mods = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.press(KeyCode::Char(c), mods);
        }
    }

    /// Types into a picker or prompt (no Shift, so capitals are typed, not commands).
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    /// Enter.
    pub fn enter(&mut self) {
        self.press(KeyCode::Enter, KeyModifiers::NONE);
    }

    /// Escape.
    pub fn esc(&mut self) {
        self.press(KeyCode::Esc, KeyModifiers::NONE);
    }

    /// A study file's text, empty when absent.
    pub fn file(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(rel)).unwrap_or_default()
    }

    /// A JSON Lines study file, parsed.
    pub fn jsonl(&self, rel: &str) -> Vec<serde_json::Value> {
        self.file(rel)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The study folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// A buffer as text, wide characters counted once.
pub fn text_of(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
            line.push_str(symbol);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The cell where `needle` first appears on screen.
pub fn find_cell(buffer: &Buffer, needle: &str) -> (u16, u16) {
    let text = text_of(buffer);
    for (y, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            let x = unicode_width::UnicodeWidthStr::width(&line[..byte]);
            return (x as u16, y as u16);
        }
    }
    panic!("{needle} not on screen:\n{text}");
}
