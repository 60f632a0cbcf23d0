//! The help overlay (`?`): every key of the main screen. Arrows scroll it on a
//! terminal too small for all of them; any other key closes it.

use ratatui::Frame;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, modal_block};
use crate::tui::app::App;
use crate::tui::view::fg;

/// The keys the footer offers while it is open.
pub const KEYS: &[(&str, &str)] = &[("↑↓", "scroll"), ("any key", "close")];

/// Every key of the main screen and what it does.
const SCREEN_KEYS: &[(&str, &str)] = &[
    ("↑ ↓  j k", "move in the list, or scroll the details"),
    ("g G  Home End", "first, last item"),
    ("Tab", "switch between list and details"),
    ("PgUp PgDn", "scroll the details"),
    ("r", "rerun the selected item's probes"),
    ("R", "rerun every probe"),
    ("a", "attest the item (with a note)"),
    ("A", "approve the item as reviewer"),
    ("w", "waive the item (reason and expiry)"),
    ("u", "revoke the attestation or waiver"),
    ("/", "search items and what their probes said"),
    ("f", "cycle the status filter"),
    ("t", "cycle the tier filter"),
    ("E", "check the next environment (all probes rerun)"),
    ("m", "matrix: every environment's status side by side"),
    ("Esc", "clear the filters (never quits)"),
    ("e", "export a report"),
    ("mouse", "click to select, wheel to scroll"),
    ("q", "quit (Ctrl-C: quit, exit code 130)"),
];

/// Draws the list of keys, from the scroll position on.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let wanted = SCREEN_KEYS.len() as u16 + 4;
    let area = centered(frame, 62, wanted);
    frame.render_widget(Clear, area);
    let mut lines: Vec<Line<'_>> = SCREEN_KEYS
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(
                    format!(" {k:<14}"),
                    fg(app, Color::Cyan).add_modifier(Modifier::BOLD),
                ),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    // Rows for the keys inside the border; the rest is reached by scrolling.
    let rows = area.height.saturating_sub(2);
    let hidden = (lines.len() as u16 + 1).saturating_sub(rows);
    let scroll = app.help_scroll.min(hidden);
    lines.push(Line::styled(
        if hidden > 0 {
            " ↑↓ scroll, any other key closes this help"
        } else {
            " any key closes this help"
        },
        fg(app, Color::DarkGray),
    ));
    let title = if hidden > 0 {
        format!(
            " Keys ({}-{} of {}) ",
            scroll + 1,
            (scroll + rows).min(SCREEN_KEYS.len() as u16),
            SCREEN_KEYS.len()
        )
    } else {
        " Keys ".to_string()
    };
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(modal_block(app, title)),
        area,
    );
}
