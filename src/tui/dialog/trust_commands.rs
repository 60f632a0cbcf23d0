//! The question asked before the first run when programs that are not preflight's would
//! run: the `command` probes of a checklist not shipped with preflight, and the
//! project's own pre-commit hook. Every one is listed under its item, wrapped and never
//! cut (scrolled with ↑/↓). `y` runs them this session, `n`/Esc skips them, `q` quits.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{Dialog, Reply, Then, modal_block, step};
use crate::probe::consent::{CommandLine, Origin};
use crate::tui::app::App;
use crate::tui::layout::{centered, inner};
use crate::tui::view::{bold, fg};

/// The keys the footer offers.
pub const KEYS: &[(&str, &str)] = &[
    ("y", "run them"),
    ("n", "skip them"),
    ("↑↓", "scroll"),
    ("q", "quit"),
];

/// The question, scrolled to a line of the command list. (The commands are
/// [`App::untrusted_commands`].)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustCommandsDialog {
    /// The first line of the command list shown.
    pub scroll: usize,
}

impl TrustCommandsDialog {
    /// `y`/`n`/Esc answer, `q` quits, ↑/↓ scroll.
    pub fn on_key(self, key: &KeyEvent, app: &App) -> Reply {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Reply::close(Then::CommandsAllowed(true)),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                Reply::close(Then::CommandsAllowed(false))
            }
            KeyCode::Char('q') => Reply::close(Then::Quit),
            _ => {
                let screen = Rect::new(0, 0, app.size.0, app.size.1);
                let last = TrustDialog::new(screen, &app.untrusted_commands).max_scroll();
                Reply::open(Dialog::TrustCommands(TrustCommandsDialog {
                    scroll: step(key, self.scroll, last),
                }))
            }
        }
    }

    /// Draws the explanation, the commands from the scroll position, and the answers.
    pub fn draw(&self, frame: &mut Frame<'_>, app: &App) {
        let dialog = TrustDialog::new(frame.area(), &app.untrusted_commands);
        frame.render_widget(Clear, dialog.area);
        let from_project = app
            .untrusted_commands
            .iter()
            .any(|c| c.origin == Origin::Project);
        let from_checklist = app
            .untrusted_commands
            .iter()
            .any(|c| c.origin == Origin::Checklist);
        let (title, explanation) = match (from_checklist, from_project) {
            (true, false) => (
                " Run this checklist's commands? ",
                [
                    "This checklist is not shipped with preflight. Its `command` probes",
                    "run these programs in the project directory:",
                ],
            ),
            (false, true) => (
                " Run the project's pre-commit hook? ",
                [
                    "The project's own code. To see that it refuses a secrets file,",
                    "preflight would run it (our secrets kept from it):",
                ],
            ),
            _ => (
                " Run these programs? ",
                [
                    "Not preflight's code: the commands of a checklist not shipped with",
                    "preflight, and the project's own pre-commit hook:",
                ],
            ),
        };
        let block = modal_block(app, title.into());
        let inner = block.inner(dialog.area);
        frame.render_widget(block, dialog.area);
        let scroll = self.scroll.min(dialog.max_scroll());
        let mut lines = vec![
            Line::raw(explanation[0]),
            Line::raw(explanation[1]),
            Line::raw(""),
        ];
        let below = dialog.lines.len().saturating_sub(scroll + dialog.room);
        // The last visible row says how much is below, when something is.
        let shown = if below > 0 {
            dialog.room - 1
        } else {
            dialog.room
        };
        let indent = " ".repeat(usize::from(TRUST_COMMAND_INDENT));
        for line in dialog.lines.iter().skip(scroll).take(shown) {
            lines.push(match line {
                TrustLine::Item(id) => Line::styled(format!(" {id}"), fg(app, Color::DarkGray)),
                TrustLine::Command { text, first } => Line::from(vec![
                    Span::raw(if *first {
                        "   $ ".to_string()
                    } else {
                        indent.clone()
                    }),
                    Span::styled(text.clone(), bold()),
                ]),
            });
        }
        if below > 0 {
            lines.push(Line::styled(
                format!(" … {} more lines (↓ to scroll)", below + 1),
                fg(app, Color::DarkGray),
            ));
        }
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled("y", fg(app, Color::Cyan).add_modifier(Modifier::BOLD)),
            Span::raw(" run them this session · "),
            Span::styled("n", fg(app, Color::Cyan).add_modifier(Modifier::BOLD)),
            Span::raw(" skip them (shown as skipped)"),
        ]));
        frame.render_widget(Paragraph::new(lines), inner);
    }
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
