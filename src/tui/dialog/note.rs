//! The note dialog of `a` (attest), `A` (approve) and `u` (revoke): what is being
//! signed, by whom, and an optional note; Enter records it with the item's current
//! results.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{Dialog, Reply, Then, centered, modal_block};
use crate::signoff::Intent;
use crate::tui::app::{App, Effect};
use crate::tui::input::TextInput;
use crate::tui::view::{bold, fg, field_line, set_cursor};

/// The keys the footer offers.
pub const KEYS: &[(&str, &str)] = &[("Enter", "record"), ("Esc", "cancel")];

/// What the dialog records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// `a`
    Attest,
    /// `A`
    Approve,
    /// `u`
    Revoke,
}

/// Attest, approve or revoke one item, with an optional note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteDialog {
    /// Which.
    pub kind: NoteKind,
    /// The item (checklist index).
    pub item: usize,
    /// The note.
    pub note: TextInput,
}

impl NoteDialog {
    /// An empty note for `item`.
    pub fn new(kind: NoteKind, item: usize) -> NoteDialog {
        NoteDialog {
            kind,
            item,
            note: TextInput::default(),
        }
    }

    /// Whether a note was typed.
    pub fn has_text(&self) -> bool {
        !self.note.is_blank()
    }

    /// Enter records (refused when the item's probes have not finished); other keys
    /// edit the note.
    pub fn on_key(mut self, key: &KeyEvent, app: &App) -> Reply {
        if key.code == KeyCode::Enter {
            let Some(result) = app.result_of(self.item) else {
                return Reply::close(Then::Error("the item's probes have not finished".into()));
            };
            let intent = match self.kind {
                NoteKind::Attest => Intent::Attest,
                NoteKind::Approve => Intent::Approve,
                NoteKind::Revoke => Intent::Revoke,
            };
            return Reply::close(Then::Effects(vec![Effect::Record {
                intent,
                result,
                note: (!self.note.is_blank()).then(|| self.note.text().trim().to_string()),
                env: app.env.clone(),
            }]));
        }
        self.note.handle(key);
        Reply::open(Dialog::Note(self))
    }

    /// Draws the item, the signer and the note field.
    pub fn draw(&self, frame: &mut Frame<'_>, app: &App) {
        let item = &app.checklist.items[self.item];
        let (title, what) = match self.kind {
            NoteKind::Attest => (" Attest ", "You attest that this item is done:"),
            NoteKind::Approve => (
                " Approve ",
                "You approve, as reviewer, the attestation or waiver of:",
            ),
            NoteKind::Revoke => (" Revoke ", "You withdraw the attestation or waiver of:"),
        };
        let area = centered(frame, 64, 9);
        frame.render_widget(Clear, area);
        let block = modal_block(app, title.into());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let lines = vec![
            Line::raw(what),
            Line::styled(format!("{} ({})", item.title, item.id), bold()),
            Line::raw(format!("as {} in {}", app.identity, app.env)),
            Line::raw(""),
            Line::styled("Note (optional):", fg(app, Color::DarkGray)),
            field_line(&self.note, true),
        ];
        frame.render_widget(Paragraph::new(lines), inner);
        set_cursor(
            frame,
            Rect::new(inner.x, inner.y + 5, inner.width, 1),
            2,
            &self.note,
        );
    }
}
