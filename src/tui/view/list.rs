//! The item list: items grouped under their tier (and, in a run of several checklists,
//! tiers under their checklist), each with its status symbol (a spinner while its
//! probes run) and its sign-off badge.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::{bold, fg, item_status, scrollbar, spinner, state_badge};
use crate::tui::app::{App, Matrix, Pane, Row, StatusFilter};

pub(super) fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let focused = app.focus == Pane::List;
    let mut title = format!(
        " Items {} ",
        app.rows
            .iter()
            .filter(|r| matches!(r, Row::Item(_)))
            .count()
    );
    if let Some(tier) = app.tier_filter {
        title.push_str(&format!("[{}] ", tier.as_str()));
    }
    if app.status_filter != StatusFilter::All {
        title.push_str(&format!("[{}] ", app.status_filter.label()));
    }
    if !app.filter.is_blank() {
        title.push_str(&format!("/{} ", app.filter.text()));
    }
    let mut block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(border(app, focused))
        .title(title);
    // The matrix's column headings sit on the border, over their columns.
    if let Some(matrix) = &app.matrix {
        let widths = column_widths(matrix, area.width.saturating_sub(2));
        let mut spans = Vec::new();
        for (column, &width) in matrix.columns.iter().zip(&widths) {
            let name: String = column.env.chars().take(width).collect();
            let style = if column.env == app.env {
                bold().add_modifier(Modifier::UNDERLINED)
            } else {
                Style::new()
            };
            spans.push(Span::raw(" "));
            spans.push(Span::styled(format!("{name:<width$}"), style));
        }
        block = block.title(Line::from(spans).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let lines: Vec<Line<'_>> = app
        .rows
        .iter()
        .skip(app.list_offset)
        .take(usize::from(inner.height))
        .map(|row| match row {
            Row::Checklist(part) => checklist_line(app, *part, width),
            Row::Tier(tier) => Line::styled(tier.as_str().to_uppercase(), bold()),
            Row::Item(i) => item_line(app, *i, width, focused),
        })
        .collect();
    if lines.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "no item matches the filter",
                fg(app, Color::DarkGray),
            )),
            inner,
        );
    } else {
        frame.render_widget(Paragraph::new(lines), inner);
        scrollbar(
            frame,
            area,
            app.rows.len(),
            usize::from(inner.height),
            app.list_offset,
        );
    }
}

/// The heading of one checklist of several: its title, cut to the pane.
fn checklist_line(app: &App, part: usize, width: usize) -> Line<'static> {
    let Some(part) = app.checklist.parts.get(part) else {
        return Line::default();
    };
    let text = format!("▌{} ({})", part.title, part.id);
    let mut shown: String = text.chars().take(width).collect();
    if text.chars().count() > width && width > 0 {
        shown.pop();
        shown.push('…');
    }
    Line::styled(shown, fg(app, Color::Cyan).add_modifier(Modifier::BOLD))
}

fn item_line(app: &App, index: usize, width: usize, focused: bool) -> Line<'static> {
    let item = &app.checklist.items[index];
    let (symbol, color) = if app.item_running(index) {
        (spinner(app), Color::Yellow)
    } else {
        app.item_report(index)
            .map_or(("·", Color::DarkGray), |r| item_status(r.status))
    };
    // The matrix shows a column per environment in place of the sign-off badge.
    let badge = if app.matrix.is_some() {
        None
    } else {
        app.state_of(index).and_then(state_badge)
    };
    let cells = app
        .matrix
        .as_ref()
        .map(|m| matrix_cells(app, m, index, column_widths(m, width as u16)));
    let badge_width = match &cells {
        Some(cells) => cells.iter().map(|(_, w, _)| w + 1).sum(),
        None => badge.map_or(0, |(b, _)| b.chars().count() + 1),
    };
    let room = width.saturating_sub(3 + badge_width);
    let mut title: String = item.title.chars().take(room).collect();
    if item.title.chars().count() > room && room > 0 {
        title.pop();
        title.push('…');
    }
    let pad = room.saturating_sub(title.chars().count());
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(
            symbol.to_string(),
            fg(app, color).add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
        Span::raw(title),
        Span::raw(" ".repeat(pad)),
    ];
    if let Some((text, color)) = badge {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(text.to_string(), fg(app, color)));
    }
    for (symbol, width, color) in cells.into_iter().flatten() {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!("{symbol:<width$}"),
            fg(app, color).add_modifier(Modifier::BOLD),
        ));
    }
    let line = Line::from(spans);
    if app.selected == Some(index) {
        let highlight = if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        };
        line.patch_style(highlight)
    } else {
        line
    }
}

/// How wide each environment's column of the matrix is in a list `width` columns
/// wide: each as wide as its name (at most 10), narrowed alike until the columns leave
/// the titles at least half the width (down to one column each, its name's initial).
fn column_widths(matrix: &Matrix, width: u16) -> Vec<usize> {
    let room = usize::from(width) / 2;
    let fits = |cap: usize| -> Vec<usize> {
        matrix
            .columns
            .iter()
            .map(|c| c.env.chars().count().clamp(1, cap))
            .collect()
    };
    for cap in [10, 7, 4, 3, 2] {
        let widths = fits(cap);
        if widths.iter().map(|w| w + 1).sum::<usize>() <= room {
            return widths;
        }
    }
    fits(1)
}

/// The matrix's cells of an item: symbol, width and colour per environment.
fn matrix_cells(
    app: &App,
    matrix: &Matrix,
    index: usize,
    widths: Vec<usize>,
) -> Vec<(&'static str, usize, Color)> {
    matrix
        .columns
        .iter()
        .zip(widths)
        .map(|(column, width)| {
            let (symbol, color) = match app.matrix_cell(column, index) {
                Some(status) => item_status(status),
                None => (spinner(app), Color::Yellow),
            };
            (symbol, width, color)
        })
        .collect()
}

/// The border of a pane: highlighted when it has the keyboard.
pub(super) fn border(app: &App, focused: bool) -> Style {
    if focused {
        fg(app, Color::Cyan).add_modifier(Modifier::BOLD)
    } else {
        fg(app, Color::DarkGray)
    }
}
