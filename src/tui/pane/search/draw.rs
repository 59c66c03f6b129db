//! The search pane: the query as typed, how many matches, and each hit in its context with the
//! match highlighted.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::tui::action::Pane;
use crate::tui::app::App;
use crate::tui::search::SearchHit;
use crate::tui::view::{fit, inner, pane_block};

fn snippet_line(hit: &SearchHit, width: usize) -> Line<'static> {
    let mut spans = vec![Span::raw("   ")];
    let text = &hit.snippet;
    let mut at = 0;
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut highlights = hit.highlights.clone();
    highlights.sort_unstable();
    for (a, b) in highlights {
        let (a, b) = (a.min(text.len()), b.min(text.len()));
        if a < at || !text.is_char_boundary(a) || !text.is_char_boundary(b) {
            continue;
        }
        pieces.push((text[at..a].to_string(), false));
        pieces.push((text[a..b].to_string(), true));
        at = b;
    }
    pieces.push((text[at..].to_string(), false));
    // centre the first highlight when the snippet is wider than the pane
    let room = width.saturating_sub(3);
    let lead: usize = pieces
        .iter()
        .take_while(|(_, h)| !h)
        .map(|(s, _)| s.chars().count())
        .sum();
    let mut skip = lead.saturating_sub(room / 3);
    if skip > 0 {
        // start at a word, and say that something was left out
        let flat: String = pieces.iter().map(|(s, _)| s.as_str()).collect();
        let chars: Vec<char> = flat.chars().collect();
        while skip < lead && chars.get(skip - 1).is_some_and(|c| !c.is_whitespace()) {
            skip += 1;
        }
        spans.push(Span::styled(
            "…",
            Style::default().add_modifier(Modifier::DIM),
        ));
    }
    let mut used = 0;
    for (piece, highlighted) in pieces {
        let mut s = String::new();
        for c in piece.chars() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(1);
            if used + w > room {
                break;
            }
            used += w;
            s.push(if c.is_control() { ' ' } else { c });
        }
        let style = if highlighted {
            Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        spans.push(Span::styled(s, style));
    }
    Line::from(spans)
}

/// Draws the pane.
pub fn draw(frame: &mut Frame, app: &App, rect: Rect) {
    let focused = app.focus == Pane::Search && app.overlay.is_none();
    frame.render_widget(pane_block(" Search ".to_string(), focused), rect);
    let area = inner(rect);
    if area.width == 0 || area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let s = &app.search;
    let cursor = if focused { "█" } else { "" };
    let query = Line::from(vec![
        Span::styled("/ ", Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(fit(
            &format!("{}{cursor}", s.query),
            width.saturating_sub(2),
        )),
    ]);
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &query, area.width);
    if area.height < 2 {
        return;
    }
    let summary = match (&s.error, s.query.trim().is_empty()) {
        (Some(e), _) => e.clone(),
        (None, true) => "words, \"a phrase\", code:/theme, speaker:LW7, coder:r1".to_string(),
        (None, false) if s.total > s.hits.len() => {
            format!("{} matches (first {} shown)", s.total, s.hits.len())
        }
        (None, false) => format!("{} match{}", s.total, if s.total == 1 { "" } else { "es" }),
    };
    let summary = match &s.note {
        Some(note) => format!("{summary} · {note}"),
        None => summary,
    };
    frame.buffer_mut().set_string(
        area.x,
        area.y + 1,
        fit(&summary, width),
        Style::default().add_modifier(Modifier::DIM),
    );
    let list_h = usize::from(area.height.saturating_sub(2)) / 2;
    if list_h == 0 || s.hits.is_empty() {
        return;
    }
    let top = crate::tui::view::scrolled(&s.list.offset, s.list.selected, s.hits.len(), list_h);
    let template = &app.study.settings.attribution;
    for (k, (i, hit)) in s.hits.iter().enumerate().skip(top).take(list_h).enumerate() {
        let selected = i == s.list.selected;
        let mut head = format!("{} ¶{}", hit.transcript, hit.turn);
        if let Some(sp) = &hit.speaker {
            head.push_str(&format!(" {sp}"));
        }
        if let Some((code, coder)) = &hit.segment {
            let name = app
                .study
                .code(code)
                .map_or(code.as_str(), |c| c.name.as_str());
            head.push_str(&format!(" · coded {name} [{coder}]"));
        }
        let attribution = app.study.attributes.attribution(&hit.transcript, template);
        if !attribution.is_empty() {
            head.push_str(&format!(" ({attribution})"));
        }
        let style = if selected {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        };
        let y = area.y + 2 + u16::try_from(k * 2).unwrap_or(u16::MAX);
        let marker = if selected { "▶ " } else { "  " };
        let line = Line::from(vec![
            Span::styled(marker, Style::default().add_modifier(Modifier::BOLD)),
            Span::styled(fit(&head, width.saturating_sub(2)), style),
        ]);
        frame.buffer_mut().set_line(area.x, y, &line, area.width);
        if y + 1 < area.bottom() {
            frame
                .buffer_mut()
                .set_line(area.x, y + 1, &snippet_line(hit, width), area.width);
        }
    }
}
