//! A one-line prompt: the question in the border, the answer as typed.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::app::Prompt;
use crate::tui::view::{dialog, fit};

/// Draws the prompt.
pub fn draw(frame: &mut Frame, prompt: &Prompt, area: Rect) {
    let Some(inside) = dialog(frame, area, 4, &prompt.title) else {
        return;
    };
    let width = usize::from(inside.width);
    // show the end of a long answer
    let shown: String = {
        let chars: Vec<char> = prompt.input.chars().collect();
        let room = width.saturating_sub(3);
        chars[chars.len().saturating_sub(room)..].iter().collect()
    };
    let line = Line::from(vec![
        Span::styled("› ", Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(format!("{shown}█")),
    ]);
    frame
        .buffer_mut()
        .set_line(inside.x, inside.y, &line, inside.width);
    if inside.height > 1 {
        frame.buffer_mut().set_string(
            inside.x,
            inside.y + 1,
            fit("Enter confirms · Esc cancels", width),
            Style::default().add_modifier(Modifier::DIM),
        );
    }
}
