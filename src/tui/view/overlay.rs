//! The status line, the footer of keys, and the modal layers: dialogs and help.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use super::{bold, fg};
use crate::tui::app::{App, Deadline, Dialog, EXPORT_FORMATS, Mode, NoteKind, read_deadline};
use crate::tui::input::TextInput;
use crate::tui::layout::{self, TrustDialog, TrustLine};

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
            ("/", "filter"),
            ("f", "status"),
            ("e", "export"),
            ("Tab", "pane"),
            ("PgUp/PgDn", "scroll"),
            ("?", "help"),
            ("q", "quit"),
        ],
        Mode::Filter => &[("type", "filter"), ("Enter", "keep"), ("Esc", "clear")],
        Mode::Help => &[("any key", "close")],
        Mode::Dialog(Dialog::Waive { .. }) => &[
            ("Tab", "next field"),
            ("Enter", "record"),
            ("Esc", "cancel"),
        ],
        Mode::Dialog(Dialog::Note { .. }) => &[("Enter", "record"), ("Esc", "cancel")],
        Mode::Dialog(Dialog::Export { .. }) => {
            &[("↑↓", "choose"), ("Enter", "write"), ("Esc", "cancel")]
        }
        Mode::Dialog(Dialog::ConfirmDiscard(_)) => &[("y", "discard"), ("n", "keep editing")],
        Mode::Dialog(Dialog::TrustCommands { .. }) => &[
            ("y", "run them"),
            ("n", "skip them"),
            ("↑↓", "scroll"),
            ("q", "quit"),
        ],
    };
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, what) in keys {
        let width = key.chars().count() + what.chars().count() + 3;
        if used + width > usize::from(area.width) {
            break;
        }
        used += width;
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
        Mode::Help => help(frame, app),
        Mode::Dialog(dialog) => draw_dialog(frame, app, dialog),
        _ => {}
    }
}

/// A centred box of at most `width` × `height`.
fn centered(frame: &Frame<'_>, width: u16, height: u16) -> Rect {
    layout::centered(frame.area(), width, height)
}

fn modal_block(app: &App, title: String) -> Block<'static> {
    Block::bordered()
        .border_type(BorderType::Double)
        .border_style(fg(app, Color::Cyan))
        .title(Span::styled(title, bold()))
}

fn draw_dialog(frame: &mut Frame<'_>, app: &App, dialog: &Dialog) {
    match dialog {
        Dialog::ConfirmDiscard(_) => {
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
        Dialog::TrustCommands { scroll } => trust_commands(frame, app, *scroll),
        Dialog::Export { selected } => {
            let area = centered(frame, 40, EXPORT_FORMATS.len() as u16 + 4);
            frame.render_widget(Clear, area);
            let mut lines = vec![Line::raw("Write a report to the current directory:")];
            for (i, f) in EXPORT_FORMATS.iter().enumerate() {
                let name = format!(
                    " {:<10} .{}",
                    format!("{f:?}").to_lowercase(),
                    f.extension()
                );
                lines.push(if i == *selected {
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
        Dialog::Note { kind, item, note } => {
            let item = &app.checklist.items[*item];
            let (title, what) = match kind {
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
                field_line(note, true),
            ];
            frame.render_widget(Paragraph::new(lines), inner);
            set_cursor(
                frame,
                Rect::new(inner.x, inner.y + 5, inner.width, 1),
                2,
                note,
            );
        }
        Dialog::Waive {
            item,
            reason,
            until,
            field,
        } => {
            let item = &app.checklist.items[*item];
            let area = centered(frame, 70, 11);
            frame.render_widget(Clear, area);
            let block = modal_block(app, " Waive ".into());
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let feedback = match read_deadline(until.text(), app.now) {
                Deadline::Empty => Line::styled(
                    "a date (YYYY-MM-DD: through that day, UTC), an RFC 3339 time, or `permanent`",
                    fg(app, Color::DarkGray),
                ),
                Deadline::Permanent => Line::styled("✓ never expires", fg(app, Color::Green)),
                Deadline::Expires(t) => {
                    Line::styled(format!("✓ expires {t}"), fg(app, Color::Green))
                }
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
                label("Reason (required):", *field == 0),
                field_line(reason, *field == 0),
                label("Until:", *field == 1),
                field_line(until, *field == 1),
                feedback,
            ];
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
            let (row, input) = if *field == 0 { (3, reason) } else { (5, until) };
            set_cursor(
                frame,
                Rect::new(inner.x, inner.y + row, inner.width, 1),
                2,
                input,
            );
        }
    }
}

/// Asks whether the commands of a checklist that is not trusted may run.
fn trust_commands(frame: &mut Frame<'_>, app: &App, scroll: usize) {
    let dialog = TrustDialog::new(frame.area(), &app.untrusted_commands);
    frame.render_widget(Clear, dialog.area);
    let block = modal_block(app, " Run this checklist's commands? ".into());
    let inner = block.inner(dialog.area);
    frame.render_widget(block, dialog.area);
    let scroll = scroll.min(dialog.max_scroll());
    let mut lines = vec![
        Line::raw("This checklist is not shipped with preflight. Its `command` probes"),
        Line::raw("run these programs in the project directory:"),
        Line::raw(""),
    ];
    let below = dialog.lines.len().saturating_sub(scroll + dialog.room);
    // The last visible row says how much is below, when something is.
    let shown = if below > 0 {
        dialog.room - 1
    } else {
        dialog.room
    };
    let indent = " ".repeat(usize::from(layout::TRUST_COMMAND_INDENT));
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

fn field_line(input: &TextInput, active: bool) -> Line<'static> {
    let marker = if active { "> " } else { "  " };
    Line::from(vec![Span::raw(marker), Span::raw(input.text().to_string())])
}

fn set_cursor(frame: &mut Frame<'_>, area: Rect, prefix: usize, input: &TextInput) {
    let x = area.x as usize + prefix + input.cursor();
    let x = u16::try_from(x)
        .unwrap_or(u16::MAX)
        .min(area.right().saturating_sub(1));
    frame.set_cursor_position(Position::new(x, area.y));
}

fn help(frame: &mut Frame<'_>, app: &App) {
    const KEYS: &[(&str, &str)] = &[
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
        ("/", "filter by text"),
        ("f", "cycle the status filter"),
        ("e", "export a report"),
        ("mouse", "click to select, wheel to scroll"),
        ("q  Esc", "quit"),
    ];
    let area = centered(frame, 62, KEYS.len() as u16 + 4);
    frame.render_widget(Clear, area);
    let mut lines: Vec<Line<'_>> = KEYS
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
    lines.push(Line::styled(
        " any key closes this help",
        fg(app, Color::DarkGray),
    ));
    frame.render_widget(
        Paragraph::new(lines).block(modal_block(app, " Keys ".into())),
        area,
    );
}
