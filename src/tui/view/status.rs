//! The status bar: mode, study, coder, and whether everything is saved (or why it is read-only),
//! what is playing (transcript, time, speed), then the message of the last action. On a narrow screen the study name gives way first.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::action::Action;
use crate::tui::app::{App, Mode};
use crate::tui::keymap::{key_for, Context};
use crate::tui::view::fit;

/// Draws the bar.
pub fn draw(frame: &mut Frame, app: &App, rect: Rect) {
    if rect.width == 0 || rect.height == 0 {
        return;
    }
    let width = usize::from(rect.width);
    let (mode, color) = match app.mode() {
        Mode::Code => (" CODE ", Color::Blue),
        Mode::Select => (" SELECT ", Color::Magenta),
        Mode::Codebook => (" CODEBOOK ", Color::Green),
        Mode::Compare => (" COMPARE ", Color::Yellow),
    };
    let saved = match (&app.read_only, &app.unsaved) {
        (Some(why), _) => Span::styled(why.clone(), Style::default().fg(Color::Yellow)),
        (None, Some(e)) => Span::styled(format!("NOT SAVED: {e}"), Style::default().fg(Color::Red)),
        (None, None) => Span::styled("saved", Style::default().fg(Color::Green)),
    };
    let tail = match &app.message {
        Some(m) if m.error => Span::styled(
            format!(" │ {}", m.text),
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        Some(m) => Span::raw(format!(" │ {}", m.text)),
        None => Span::styled(
            format!(" │ {} keys", key_for(Context::Global, &Action::ToggleHelp)),
            Style::default().add_modifier(Modifier::DIM),
        ),
    };
    let who = [
        format!(" {} │ coder {} │ ", app.study.name(), app.coder),
        format!(" coder {} │ ", app.coder),
        format!(" {} │ ", app.coder),
    ];
    // what is playing, when something is
    let playing = app.player.status().map(|text| {
        let paused = app.player.position.is_some_and(|p| p.paused);
        let color = if paused { Color::Yellow } else { Color::Green };
        Span::styled(format!(" │ {text}"), Style::default().fg(color))
    });
    let fixed = mode.chars().count() + saved.width() + playing.as_ref().map_or(0, Span::width) + 12;
    let who = who
        .iter()
        .find(|w| fixed + w.chars().count() <= width)
        .unwrap_or(&who[2])
        .clone();
    let spans = [
        Span::styled(
            mode,
            Style::default()
                .bg(color)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(who),
        saved,
        playing.unwrap_or_default(),
        tail,
    ];
    // cut each span to what is left of the line
    let mut left = width;
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
