//! "Discard what you typed?": asked when Esc would throw away a dialog's text. `y`
//! discards, `n` or Esc goes back to the dialog as it was.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{Dialog, Reply, Then, centered, modal_block};
use crate::tui::app::App;
use crate::tui::view::fg;

/// The keys the footer offers.
pub const KEYS: &[(&str, &str)] = &[("y", "discard"), ("n", "keep editing")];

/// The question, with the dialog to go back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmDiscard {
    /// The dialog whose text would be discarded.
    pub previous: Box<Dialog>,
}

impl ConfirmDiscard {
    /// Asks about `previous`.
    pub fn new(previous: Dialog) -> ConfirmDiscard {
        ConfirmDiscard {
            previous: Box::new(previous),
        }
    }

    /// `y` closes both, `n`/Esc returns, anything else keeps asking.
    pub fn on_key(self, key: &KeyEvent) -> Reply {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Reply::close(Then::Nothing),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Reply::open(*self.previous),
            _ => Reply::open(Dialog::ConfirmDiscard(self)),
        }
    }

    /// Draws the question.
    pub fn draw(&self, frame: &mut Frame<'_>, app: &App) {
        let area = centered(frame, 44, 5);
        frame.render_widget(Clear, area);
        let text = Paragraph::new(vec![
            Line::raw("Discard what you typed?"),
            Line::raw(""),
            Line::styled("y discard · n keep editing", fg(app, Color::DarkGray)),
        ])
        .block(modal_block(app, " Unsaved text ".into()));
        frame.render_widget(text, area);
    }
}
