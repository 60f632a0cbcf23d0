//! Modal dialogs, one file each: the dialog's state, its key handling (which returns a
//! [`Reply`] instead of changing the app) and its drawing. Adding a dialog means adding
//! its file and one variant here; `App::update` applies replies, the views draw the
//! open dialog.
//!
//! - [`note`]: attest, approve or revoke, with an optional note;
//! - [`waive`]: a waiver's reason and expiry;
//! - [`export`]: the report format to write;
//! - [`confirm_discard`]: whether to throw away typed text;
//! - [`trust_commands`]: whether a checklist that is not trusted may run its commands;
//! - [`message`]: a message too long for the status line, whole;
//! - [`help`]: the keys (an overlay rather than a dialog: any key closes it).

pub mod confirm_discard;
pub mod export;
pub mod help;
pub mod message;
pub mod note;
pub mod trust_commands;
pub mod waive;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType};

use super::app::{App, Effect};
use super::layout;
use super::view::{bold, fg};
pub use confirm_discard::ConfirmDiscard;
pub use export::{EXPORT_FORMATS, ExportDialog};
pub use message::MessageDialog;
pub use note::{NoteDialog, NoteKind};
pub use trust_commands::TrustCommandsDialog;
pub use waive::{Deadline, WaiveDialog, read_deadline};

/// An open dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// Attest, approve or revoke.
    Note(NoteDialog),
    /// Waive.
    Waive(WaiveDialog),
    /// Pick a report format.
    Export(ExportDialog),
    /// Discard the dialog's text?
    ConfirmDiscard(ConfirmDiscard),
    /// Run the commands of a checklist that is not trusted?
    TrustCommands(TrustCommandsDialog),
    /// A message too long for the status line.
    Message(MessageDialog),
}

/// What a key did in a dialog: the dialog as it now is (`None` when it closed), and
/// what the app must do next.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The dialog, still open, or `None`.
    pub dialog: Option<Dialog>,
    /// What follows.
    pub then: Then,
}

/// What follows a key in a dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum Then {
    /// Nothing else.
    Nothing,
    /// These effects (a sign-off to record, a report to write).
    Effects(Vec<Effect>),
    /// Show this error in the status line.
    Error(String),
    /// The user answered whether the checklist's commands may run this session.
    CommandsAllowed(bool),
    /// Leave preflight.
    Quit,
    /// Leave the UI to run `preflight init` (it opens again on the configured
    /// project).
    Init,
}

impl Reply {
    /// The dialog stays open as `dialog`.
    pub fn open(dialog: Dialog) -> Reply {
        Reply {
            dialog: Some(dialog),
            then: Then::Nothing,
        }
    }

    /// The dialog closes; `then` follows.
    pub fn close(then: Then) -> Reply {
        Reply { dialog: None, then }
    }
}

impl Dialog {
    /// Whether it holds text the user typed (Esc then asks before discarding it).
    pub fn has_text(&self) -> bool {
        match self {
            Dialog::Note(d) => d.has_text(),
            Dialog::Waive(d) => d.has_text(),
            _ => false,
        }
    }

    /// Handles a key; the app's state is read, never changed.
    pub fn on_key(self, key: &KeyEvent, app: &App) -> Reply {
        match self {
            Dialog::ConfirmDiscard(d) => d.on_key(key),
            Dialog::TrustCommands(d) => d.on_key(key, app),
            Dialog::Message(d) => d.on_key(key),
            // Esc in a dialog with text asks first; without, it just closes.
            dialog if key.code == KeyCode::Esc => {
                if dialog.has_text() {
                    Reply::open(Dialog::ConfirmDiscard(ConfirmDiscard::new(dialog)))
                } else {
                    Reply::close(Then::Nothing)
                }
            }
            Dialog::Export(d) => d.on_key(key),
            Dialog::Note(d) => d.on_key(key, app),
            Dialog::Waive(d) => d.on_key(key, app),
        }
    }

    /// Draws it over the screen.
    pub fn draw(&self, frame: &mut Frame<'_>, app: &App) {
        match self {
            Dialog::Note(d) => d.draw(frame, app),
            Dialog::Waive(d) => d.draw(frame, app),
            Dialog::Export(d) => d.draw(frame, app),
            Dialog::ConfirmDiscard(d) => d.draw(frame, app),
            Dialog::TrustCommands(d) => d.draw(frame, app),
            Dialog::Message(d) => d.draw(frame, app),
        }
    }

    /// The keys the footer offers while it is open.
    pub fn keys(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            Dialog::Note(_) => note::KEYS,
            Dialog::Waive(_) => waive::KEYS,
            Dialog::Export(_) => export::KEYS,
            Dialog::ConfirmDiscard(_) => confirm_discard::KEYS,
            Dialog::TrustCommands(_) => trust_commands::KEYS,
            Dialog::Message(m) if m.offers_init => message::WELCOME_KEYS,
            Dialog::Message(_) => message::KEYS,
        }
    }
}

/// A position in a dialog's list after `key`: ↓/`j` one further (at most `last`), ↑/`k`
/// one back; other keys leave it.
pub(crate) fn step(key: &KeyEvent, position: usize, last: usize) -> usize {
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => (position + 1).min(last),
        KeyCode::Up | KeyCode::Char('k') => position.saturating_sub(1),
        _ => position,
    }
}

/// A centred box of at most `width` × `height`.
pub(crate) fn centered(frame: &Frame<'_>, width: u16, height: u16) -> Rect {
    layout::centered(frame.area(), width, height)
}

/// The frame every dialog is drawn in.
pub(crate) fn modal_block(app: &App, title: String) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Double)
        .border_style(fg(app, Color::Cyan))
        .title(Span::styled(title, bold()))
}
