//! The export dialog: pick a report format with ↑/↓, Enter writes the report to the
//! current directory.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::{Dialog, Reply, Then, centered, modal_block, step};
use crate::report::ReportFormat;
use crate::tui::app::{App, Effect};

/// The formats offered, in order.
pub const EXPORT_FORMATS: [ReportFormat; 5] = [
    ReportFormat::Markdown,
    ReportFormat::Html,
    ReportFormat::Json,
    ReportFormat::Junit,
    ReportFormat::Sarif,
];

/// The keys the footer offers.
pub const KEYS: &[(&str, &str)] = &[("↑↓", "choose"), ("Enter", "write"), ("Esc", "cancel")];

/// The format under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDialog {
    /// Index into [`EXPORT_FORMATS`].
    pub selected: usize,
}

impl ExportDialog {
    /// Enter writes the selected format; ↑/↓ move.
    pub fn on_key(self, key: &KeyEvent) -> Reply {
        if key.code == KeyCode::Enter {
            return Reply::close(Then::Effects(vec![Effect::Export(
                EXPORT_FORMATS[self.selected.min(EXPORT_FORMATS.len() - 1)],
            )]));
        }
        Reply::open(Dialog::Export(ExportDialog {
            selected: step(key, self.selected, EXPORT_FORMATS.len() - 1),
        }))
    }

    /// Draws the list of formats.
    pub fn draw(&self, frame: &mut Frame<'_>, app: &App) {
        let area = centered(frame, 40, EXPORT_FORMATS.len() as u16 + 4);
        frame.render_widget(Clear, area);
        let mut lines = vec![Line::raw("Write a report to the current directory:")];
        for (i, f) in EXPORT_FORMATS.iter().enumerate() {
            let name = format!(
                " {:<10} .{}",
                format!("{f:?}").to_lowercase(),
                f.extension()
            );
            lines.push(if i == self.selected {
                Line::styled(name, Style::new().add_modifier(Modifier::REVERSED))
            } else {
                Line::raw(name)
            });
        }
        frame.render_widget(
            Paragraph::new(lines).block(modal_block(app, " Export ".into())),
            area,
        );
    }
}
