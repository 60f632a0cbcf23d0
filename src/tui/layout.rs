//! Where each part of the screen goes, as a pure function of the terminal size, so
//! that `update()` (scrolling, mouse clicks) and the views agree without a terminal.

use ratatui::layout::{Constraint, Layout, Rect};

/// The screen's areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// Title, verdict and progress (two lines).
    pub header: Rect,
    /// The item list, with its border.
    pub list: Rect,
    /// The selected item's details, with its border.
    pub detail: Rect,
    /// Messages (one line).
    pub status: Rect,
    /// The keys that apply now (one line).
    pub footer: Rect,
}

/// Below this width one pane shows at a time: the list, or the details (Enter opens
/// them, Esc returns).
pub const SINGLE_PANE_BELOW: u16 = 100;

impl Areas {
    /// The areas of a `width` × `height` terminal with both panes.
    pub fn new(width: u16, height: u16) -> Areas {
        Areas::with_focus(width, height, false, false)
    }

    /// The areas when the details have the focus (`detail`): on a narrow terminal the
    /// pane with the focus takes the whole width and the other none. With the matrix
    /// (`wide_list`), the list takes three fifths of a wide terminal, for its columns.
    pub fn with_focus(width: u16, height: u16, detail: bool, wide_list: bool) -> Areas {
        let screen = Rect::new(0, 0, width, height);
        let [header, body, status, footer] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(screen);
        let list_width = if width < SINGLE_PANE_BELOW {
            if detail { 0 } else { width }
        } else if wide_list {
            (width * 3 / 5).clamp(28.min(width), 96)
        } else {
            (width * 2 / 5).clamp(28.min(width), 64)
        };
        let [list, detail] =
            Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(body);
        Areas {
            header,
            list,
            detail,
            status,
            footer,
        }
    }

    /// The list without its border.
    pub fn list_inner(&self) -> Rect {
        inner(self.list)
    }

    /// The detail without its border.
    pub fn detail_inner(&self) -> Rect {
        inner(self.detail)
    }

    /// How many list rows are visible.
    pub fn list_rows(&self) -> u16 {
        self.list_inner().height
    }

    /// How many detail lines are visible.
    pub fn detail_rows(&self) -> u16 {
        self.detail_inner().height
    }
}

/// A centred box of at most `width` × `height` on `screen`, leaving a margin of one.
pub fn centered(screen: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(screen.width.saturating_sub(2));
    let h = height.min(screen.height.saturating_sub(2));
    Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height - h) / 2,
        w,
        h,
    )
}

/// A rectangle without its border of one cell.
pub fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x.saturating_add(1),
        r.y.saturating_add(1),
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}
