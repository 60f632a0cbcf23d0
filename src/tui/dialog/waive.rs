//! The waive dialog: a reason (required) and an expiry (a date, an RFC 3339 time or
//! `permanent`), checked as it is typed; Enter records the waiver.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Dialog, Reply, Then, centered, modal_block};
use crate::base::timestamp::{Timestamp, parse_deadline};
use crate::signoff::{Intent, Waiver};
use crate::tui::app::{App, Effect};
use crate::tui::input::TextInput;
use crate::tui::view::{bold, fg, field_line, set_cursor};

/// The keys the footer offers.
pub const KEYS: &[(&str, &str)] = &[
    ("Tab", "next field"),
    ("Enter", "record"),
    ("Esc", "cancel"),
];

/// What the expiry field means, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deadline {
    /// Nothing typed yet.
    Empty,
    /// `permanent`.
    Permanent,
    /// A valid expiry in the future.
    Expires(Timestamp),
    /// Not valid: why.
    Invalid(String),
}

/// Reads the expiry field.
pub fn read_deadline(text: &str, now: Timestamp) -> Deadline {
    let text = text.trim();
    if text.is_empty() {
        return Deadline::Empty;
    }
    if text.eq_ignore_ascii_case("permanent") {
        return Deadline::Permanent;
    }
    match parse_deadline(text) {
        Ok(t) if t <= now => Deadline::Invalid(format!("{t} is in the past")),
        Ok(t) => Deadline::Expires(t),
        Err(_) => Deadline::Invalid(
            "not a date (YYYY-MM-DD, through the end of that day in UTC) or an RFC 3339 time with offset".to_string(),
        ),
    }
}

/// Waive one item: why, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiveDialog {
    /// The item (checklist index).
    pub item: usize,
    /// Why.
    pub reason: TextInput,
    /// Until when.
    pub until: TextInput,
    /// Which field has the cursor: 0 reason, 1 until.
    pub field: usize,
}

impl WaiveDialog {
    /// Empty fields for `item`, the cursor on the reason.
    pub fn new(item: usize) -> WaiveDialog {
        WaiveDialog {
            item,
            reason: TextInput::default(),
            until: TextInput::default(),
            field: 0,
        }
    }

    /// Whether anything was typed.
    pub fn has_text(&self) -> bool {
        !self.reason.is_blank() || !self.until.is_blank()
    }

    /// Tab and the arrows switch fields, Enter records a valid waiver (and says what is
    /// missing otherwise, keeping the dialog open), other keys edit the field.
    pub fn on_key(mut self, key: &KeyEvent, app: &App) -> Reply {
        match key.code {
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Down | KeyCode::Up => {
                self.field = 1 - self.field
            }
            KeyCode::Enter => {
                let expires = match (
                    read_deadline(self.until.text(), app.now),
                    self.reason.is_blank(),
                ) {
                    (_, true) => Err("a waiver needs a reason".to_string()),
                    (Deadline::Expires(t), false) => Ok(Some(t)),
                    (Deadline::Permanent, false) => Ok(None),
                    (Deadline::Empty, false) => {
                        Err("type an expiry date, or `permanent`".to_string())
                    }
                    (Deadline::Invalid(why), false) => Err(why),
                };
                match (expires, app.result_of(self.item)) {
                    (Err(why), _) => {
                        return Reply {
                            dialog: Some(Dialog::Waive(self)),
                            then: Then::Error(why),
                        };
                    }
                    (Ok(expires), Some(result)) => {
                        return Reply::close(Then::Effects(vec![Effect::Record {
                            intent: Intent::Waive(Waiver {
                                reason: self.reason.text().trim().to_string(),
                                expires,
                            }),
                            result,
                            note: None,
                            env: app.env.clone(),
                        }]));
                    }
                    // The item is running again: the waiver waits for its results.
                    (Ok(_), None) => {}
                }
            }
            _ => {
                if self.field == 0 {
                    self.reason.handle(key);
                } else {
                    self.until.handle(key);
                }
            }
        }
        Reply::open(Dialog::Waive(self))
    }

    /// Draws both fields and what the expiry means.
    pub fn draw(&self, frame: &mut Frame<'_>, app: &App) {
        let item = &app.checklist.items[self.item];
        let area = centered(frame, 70, 11);
        frame.render_widget(Clear, area);
        let block = modal_block(app, " Waive ".into());
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let feedback = match read_deadline(self.until.text(), app.now) {
            Deadline::Empty => Line::styled(
                "a date (YYYY-MM-DD: through that day, UTC), an RFC 3339 time, or `permanent`",
                fg(app, Color::DarkGray),
            ),
            Deadline::Permanent => Line::styled("✓ never expires", fg(app, Color::Green)),
            Deadline::Expires(t) => Line::styled(format!("✓ expires {t}"), fg(app, Color::Green)),
            Deadline::Invalid(why) => Line::styled(format!("✗ {why}"), fg(app, Color::Red)),
        };
        let label = |text: &'static str, active: bool| {
            let style = if active {
                bold()
            } else {
                fg(app, Color::DarkGray)
            };
            Line::styled(text, style)
        };
        let lines = vec![
            Line::styled(format!("{} ({})", item.title, item.id), bold()),
            Line::raw(""),
            label("Reason (required):", self.field == 0),
            field_line(&self.reason, self.field == 0),
            label("Until:", self.field == 1),
            field_line(&self.until, self.field == 1),
            feedback,
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        let (row, input) = if self.field == 0 {
            (3, &self.reason)
        } else {
            (5, &self.until)
        };
        set_cursor(
            frame,
            Rect::new(inner.x, inner.y + row, inner.width, 1),
            2,
            input,
        );
    }
}
