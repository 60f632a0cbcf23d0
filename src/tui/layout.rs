//! Where each part of the screen goes, as a pure function of the terminal size, so
//! that `update()` (scrolling, mouse clicks) and the views agree without a terminal.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::probe::kinds::command::CommandLine;

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

impl Areas {
    /// The areas of a `width` × `height` terminal.
    pub fn new(width: u16, height: u16) -> Areas {
        let screen = Rect::new(0, 0, width, height);
        let [header, body, status, footer] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(screen);
        let list_width = (width * 2 / 5).clamp(28.min(width), 64);
        let [list, detail] =
            Layout::horizontal([Constraint::Length(list_width), Constraint::Min(10)]).areas(body);
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

/// Lines of the command-trust dialog besides the commands: two of explanation, a
/// blank, a blank, the answer.
const TRUST_DIALOG_TEXT_LINES: u16 = 5;

/// One line of the command list in the command-trust dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustLine {
    /// The item whose probes run the commands below it.
    Item(String),
    /// A piece of a command, wrapped to the dialog's width (`first`: it starts the
    /// command).
    Command {
        /// The text.
        text: String,
        /// Whether it starts a command.
        first: bool,
    },
}

/// Indentation of a command line under its item (`   $ `).
pub const TRUST_COMMAND_INDENT: u16 = 5;

/// The command-trust dialog laid out on `screen`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustDialog {
    /// The box.
    pub area: Rect,
    /// The command list, whole: every command wrapped, never cut, so nothing a command
    /// does is hidden past the edge.
    pub lines: Vec<TrustLine>,
    /// How many of `lines` fit at once (at least one).
    pub room: usize,
}

impl TrustDialog {
    /// Lays the dialog out for `commands`.
    pub fn new(screen: Rect, commands: &[CommandLine]) -> TrustDialog {
        let width = 78.min(screen.width.saturating_sub(2));
        let text_width = usize::from(width.saturating_sub(2 + TRUST_COMMAND_INDENT)).max(8);
        let mut lines = Vec::new();
        let mut previous: Option<&str> = None;
        for c in commands {
            if previous != Some(c.item.as_str()) {
                lines.push(TrustLine::Item(c.item.clone()));
                previous = Some(&c.item);
            }
            let chars: Vec<char> = c.command.chars().collect();
            for (i, piece) in chars.chunks(text_width).enumerate() {
                lines.push(TrustLine::Command {
                    text: piece.iter().collect(),
                    first: i == 0,
                });
            }
        }
        let wanted = u16::try_from(lines.len()).unwrap_or(u16::MAX);
        let area = centered(
            screen,
            width,
            wanted.saturating_add(TRUST_DIALOG_TEXT_LINES + 2),
        );
        let room = inner(area).height.saturating_sub(TRUST_DIALOG_TEXT_LINES);
        TrustDialog {
            area,
            lines,
            room: usize::from(room).max(1),
        }
    }

    /// The largest useful scroll offset.
    pub fn max_scroll(&self) -> usize {
        self.lines.len().saturating_sub(self.room)
    }
}

fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x.saturating_add(1),
        r.y.saturating_add(1),
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}
