//! Where each pane goes for a terminal size: three columns on a wide screen, two on a medium
//! one, only the focused pane on a small one. The app uses the same rectangles as the views, to
//! scroll the transcript and to tell what a mouse click hit.

use ratatui::layout::Rect;

use crate::tui::action::Pane;

/// Rectangles of the visible panes (outer, borders included) and the status bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Panes {
    /// The transcripts list.
    pub transcripts: Option<Rect>,
    /// The code tree.
    pub codes: Option<Rect>,
    /// The transcript.
    pub transcript: Option<Rect>,
    /// The right column: retrieval or search, whichever `right` says.
    pub right: Option<Rect>,
    /// Which pane the right column shows.
    pub right_pane: Option<Pane>,
    /// The status bar (one line at the bottom).
    pub status: Rect,
}

impl Panes {
    /// The rectangle of a pane, if it is on screen.
    pub fn rect(&self, pane: Pane) -> Option<Rect> {
        match pane {
            Pane::Transcripts => self.transcripts,
            Pane::Codes => self.codes,
            Pane::Transcript => self.transcript,
            Pane::Retrieval | Pane::Search => self.right.filter(|_| self.right_pane == Some(pane)),
        }
    }

    /// The pane at a screen cell.
    pub fn hit(&self, x: u16, y: u16) -> Option<Pane> {
        let inside = |r: Rect| x >= r.x && x < r.right() && y >= r.y && y < r.bottom();
        [Pane::Transcripts, Pane::Codes, Pane::Transcript]
            .into_iter()
            .find(|&p| self.rect(p).is_some_and(inside))
            .or_else(|| self.right.filter(|r| inside(*r)).and(self.right_pane))
    }
}

/// Wide enough for three columns.
pub const WIDE: u16 = 120;
/// Wide enough for two columns.
pub const MEDIUM: u16 = 80;

/// Lays out the screen. `focus` decides what a small screen shows; `right` is the pane the right
/// column shows (retrieval or search); `transcripts` is how many transcripts there are.
pub fn panes(area: Rect, focus: Pane, right: Pane, transcripts: usize) -> Panes {
    let status_h = u16::from(area.height > 0);
    let status = Rect::new(
        area.x,
        area.bottom().saturating_sub(status_h),
        area.width,
        status_h,
    );
    let body = Rect::new(
        area.x,
        area.y,
        area.width,
        area.height.saturating_sub(status_h),
    );
    let mut out = Panes {
        status,
        ..Panes::default()
    };
    if body.height == 0 || body.width == 0 {
        return out;
    }
    let split_side = |side: Rect| -> (Rect, Rect) {
        let wanted = u16::try_from(transcripts.saturating_add(2)).unwrap_or(u16::MAX);
        let list_h = wanted.clamp(3, (side.height / 2).max(3)).min(side.height);
        (
            Rect::new(side.x, side.y, side.width, list_h),
            Rect::new(side.x, side.y + list_h, side.width, side.height - list_h),
        )
    };
    if body.width < MEDIUM || body.height < 8 {
        // one pane: the focused one
        match focus {
            Pane::Transcripts => out.transcripts = Some(body),
            Pane::Codes => out.codes = Some(body),
            Pane::Transcript => out.transcript = Some(body),
            Pane::Retrieval | Pane::Search => {
                out.right = Some(body);
                out.right_pane = Some(focus);
            }
        }
        return out;
    }
    let side_w = (body.width / 4).clamp(24, 36);
    let side = Rect::new(body.x, body.y, side_w, body.height);
    let (list, tree) = split_side(side);
    out.transcripts = Some(list);
    out.codes = Some(tree).filter(|r| r.height > 0);
    let rest = Rect::new(body.x + side_w, body.y, body.width - side_w, body.height);
    if body.width >= WIDE {
        let right_w = (rest.width * 2 / 5).clamp(30, 64);
        out.transcript = Some(Rect::new(rest.x, rest.y, rest.width - right_w, rest.height));
        out.right = Some(Rect::new(
            rest.right() - right_w,
            rest.y,
            right_w,
            rest.height,
        ));
        out.right_pane = Some(right);
    } else if matches!(focus, Pane::Retrieval | Pane::Search) {
        out.right = Some(rest);
        out.right_pane = Some(focus);
    } else {
        out.transcript = Some(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_choose_columns() {
        let wide = panes(
            Rect::new(0, 0, 200, 60),
            Pane::Transcript,
            Pane::Retrieval,
            3,
        );
        assert!(wide.transcripts.is_some() && wide.transcript.is_some() && wide.right.is_some());
        assert_eq!(wide.status, Rect::new(0, 59, 200, 1));
        let medium = panes(
            Rect::new(0, 0, 100, 30),
            Pane::Transcript,
            Pane::Retrieval,
            3,
        );
        assert!(medium.right.is_none() && medium.transcript.is_some());
        let small = panes(Rect::new(0, 0, 40, 12), Pane::Codes, Pane::Retrieval, 3);
        assert_eq!(small.codes, Some(Rect::new(0, 0, 40, 11)));
        assert!(small.transcript.is_none());
        let none = panes(Rect::new(0, 0, 0, 0), Pane::Codes, Pane::Retrieval, 3);
        assert_eq!(none.codes, None);
        assert_eq!(wide.hit(100, 10), Some(Pane::Transcript));
    }
}
