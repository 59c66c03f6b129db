//! The status bar: mode, study, coder, and whether everything is saved (or why it is read-only),
//! or the message of the last action.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::app::{App, Mode};
use crate::tui::view::fit;

/// Draws the bar.
pub fn draw(frame: &mut Frame, app: &App, rect: Rect) {
    if rect.width == 0 || rect.height == 0 {
        return;
    }
    let (mode, color) = match app.mode() {
        Mode::Code => (" CODE ", Color::Blue),
        Mode::Select => (" SELECT ", Color::Magenta),
        Mode::Codebook => (" CODEBOOK ", Color::Green),
    };
    let saved = match (&app.read_only, &app.unsaved) {
        (Some(why), _) => Span::styled(why.clone(), Style::default().fg(Color::Yellow)),
        (None, Some(e)) => Span::styled(format!("NOT SAVED: {e}"), Style::default().fg(Color::Red)),
        (None, None) => Span::styled("saved", Style::default().fg(Color::Green)),
    };
    let mut spans = vec![
        Span::styled(
            mode,
            Style::default()
                .bg(color)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(" {} │ coder {} │ ", app.study.name(), app.coder)),
        saved,
    ];
    if let Some(m) = &app.message {
        let style = if m.error {
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        spans.push(Span::raw(" │ "));
        spans.push(Span::styled(m.text.clone(), style));
    } else {
        spans.push(Span::styled(
            " │ ? keys",
            Style::default().add_modifier(Modifier::DIM),
        ));
    }
    // keep the end of a long message visible by cutting each span to what is left
    let mut left = usize::from(rect.width);
    let mut fitted = Vec::new();
    for span in spans {
        if left == 0 {
            break;
        }
        let text = fit(&span.content, left);
        left = left.saturating_sub(unicode_width::UnicodeWidthStr::width(text.as_str()));
        fitted.push(Span::styled(text, span.style));
    }
    frame
        .buffer_mut()
        .set_line(rect.x, rect.y, &Line::from(fitted), rect.width);
}
