//! The status line, the footer of keys, and the modal layer (the open dialog or the
//! help, each drawn by its own file under [`crate::tui::dialog`]).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{bold, fg, set_cursor};
use crate::signoff::Intent;
use crate::tui::app::{App, Mode, Pane};
use crate::tui::dialog::help;

pub(super) fn draw_status(frame: &mut Frame<'_>, app: &App, area: Rect) {
    if app.mode == Mode::Filter {
        let prefix = " filter: ";
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prefix, bold()),
                Span::raw(app.filter.text().to_string()),
            ])),
            area,
        );
        set_cursor(frame, area, prefix.len(), &app.filter);
        return;
    }
    if let Some(m) = &app.message {
        let style = if m.error {
            fg(app, Color::Red).add_modifier(Modifier::BOLD)
        } else {
            fg(app, Color::Green)
        };
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {}", m.text), style)),
            area,
        );
    }
}

pub(super) fn draw_footer(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let keys: &[(&str, &str)] = match &app.mode {
        Mode::Normal => &[
            ("↑↓", "move"),
            ("a", "attest"),
            ("A", "approve"),
            ("w", "waive"),
            ("u", "revoke"),
            ("r/R", "rerun"),
            ("/", "search"),
            ("f", "status"),
            ("t", "tier"),
            ("E", "env"),
            ("m", "matrix"),
            ("e", "export"),
            ("Tab", "pane"),
            ("PgUp/PgDn", "scroll"),
        ],
        Mode::Filter => &[("type", "filter"), ("Enter", "keep"), ("Esc", "clear")],
        Mode::Help => help::KEYS,
        Mode::Dialog(dialog) => dialog.keys(),
    };
    // On the main screen, help and quit are always offered: their room is kept first;
    // with one pane at a time, so is the way between them.
    let always: &[(&str, &str)] = match app.mode {
        Mode::Normal if app.single_pane() && app.focus == Pane::Detail => {
            &[("Esc", "list"), ("?", "help"), ("q", "quit")]
        }
        Mode::Normal if app.single_pane() => &[("Enter", "details"), ("?", "help"), ("q", "quit")],
        Mode::Normal => &[("?", "help"), ("q", "quit")],
        _ => &[],
    };
    let width_of = |(key, what): &(&str, &str)| key.chars().count() + what.chars().count() + 3;
    let reserved: usize = always.iter().map(width_of).sum();
    let mut spans = Vec::new();
    let mut used = reserved;
    let mut shown: Vec<&(&str, &str)> = Vec::new();
    for entry in keys {
        let width = width_of(entry);
        if used + width > usize::from(area.width) {
            break;
        }
        used += width;
        shown.push(entry);
    }
    // The sign-off keys the selected item refuses, decided once for the frame (all of
    // them until its probes have finished: a sign-off records their evidence).
    let refused: Vec<&str> = if matches!(app.mode, Mode::Normal) {
        let why = app
            .selected
            .and_then(|item| app.refusals(item, &SIGNOFF_KEYS.map(|(_, intent)| intent)));
        SIGNOFF_KEYS
            .iter()
            .enumerate()
            .filter(|(i, _)| why.as_ref().is_none_or(|w| w[*i].is_some()))
            .map(|(_, (key, _))| *key)
            .collect()
    } else {
        Vec::new()
    };
    for (key, what) in shown.into_iter().chain(always) {
        if refused.contains(key) {
            // Offered, but refused for the selected item: dimmed.
            let dim = fg(app, Color::DarkGray);
            spans.push(Span::styled(format!(" {key}"), dim));
            spans.push(Span::styled(format!(" {what} "), dim));
            continue;
        }
        spans.push(Span::styled(
            format!(" {key}"),
            fg(app, Color::Cyan).add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(format!(" {what} ")));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(fg(app, Color::Gray)),
        area,
    );
}

pub(super) fn draw_modal(frame: &mut Frame<'_>, app: &App) {
    match &app.mode {
        Mode::Help => help::draw(frame, app),
        Mode::Dialog(dialog) => dialog.draw(frame, app),
        _ => {}
    }
}

/// The footer's sign-off keys and what each asks for.
const SIGNOFF_KEYS: [(&str, Intent); 3] = [
    ("a", Intent::Attest),
    ("A", Intent::Approve),
    ("u", Intent::Revoke),
];
