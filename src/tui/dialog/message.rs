//! A message too long for the status line (a refusal with its way out, a long error),
//! shown whole in a box; `q` quits, any other key closes it. The welcome of a project
//! without configuration also offers `i`: leave the UI to run `preflight init`, and
//! come back to the project it configured.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Reply, Then, centered, modal_block};
use crate::tui::app::App;
use crate::tui::view::fg;

/// The keys the footer offers.
pub const KEYS: &[(&str, &str)] = &[("any key", "close"), ("q", "quit")];

/// The keys the footer offers on the welcome.
pub const WELCOME_KEYS: &[(&str, &str)] = &[
    ("i", "run preflight init"),
    ("any key", "look around"),
    ("q", "quit"),
];

/// The message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDialog {
    /// An error (red frame title) or information.
    pub error: bool,
    /// The whole text (control characters already escaped).
    pub text: String,
    /// Whether it offers `i` (run `preflight init`): the welcome of a project
    /// without configuration.
    pub offers_init: bool,
}

impl MessageDialog {
    /// `q` quits (nothing typed here is lost), any other key closes it.
    pub fn on_key(self, key: &KeyEvent) -> Reply {
        match key.code {
            KeyCode::Char('q') => Reply::close(Then::Quit),
            KeyCode::Char('i') if self.offers_init => Reply::close(Then::Init),
            _ => Reply::close(Then::Nothing),
        }
    }

    /// Lines `text` takes at `width` columns, counting words that wrap.
    fn lines_at(&self, width: u16) -> u16 {
        let width = usize::from(width.max(1));
        let mut lines = 0usize;
        let mut used = 0usize;
        for word in self.text.split(' ') {
            let w = word.chars().count();
            if used > 0 && used + 1 + w > width {
                lines += 1;
                used = 0;
            }
            used += if used > 0 { 1 } else { 0 } + w;
            while used > width {
                lines += 1;
                used -= width;
            }
        }
        u16::try_from(lines + 1).unwrap_or(u16::MAX)
    }

    /// Draws it, as wide as the screen allows (at most 90 columns).
    pub fn draw(&self, frame: &mut Frame<'_>, app: &App) {
        let width = frame.area().width.saturating_sub(4).clamp(20, 90);
        let inner = width.saturating_sub(2);
        let height = self.lines_at(inner).saturating_add(4);
        let area = centered(frame, width, height);
        frame.render_widget(Clear, area);
        let title = if self.error { " Not done " } else { " Note " };
        let text = Paragraph::new(vec![
            Line::raw(self.text.clone()),
            Line::raw(""),
            Line::styled(
                if self.offers_init {
                    "i runs preflight init · any other key looks around · q quits"
                } else {
                    "any key closes this · q quits"
                },
                fg(app, Color::DarkGray),
            ),
        ])
        .wrap(Wrap { trim: false })
        .block(modal_block(app, title.into()));
        frame.render_widget(text, area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_are_counted() {
        let m = MessageDialog {
            error: true,
            text: "aaaa bbbb cccc".into(),
            offers_init: false,
        };
        assert_eq!(m.lines_at(9), 2);
        assert_eq!(m.lines_at(20), 1);
        assert_eq!(m.lines_at(2), 6);
    }
}
