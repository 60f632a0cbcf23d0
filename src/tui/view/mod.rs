//! Drawing: a pure function of `&App` into a frame. Views never change state; what they
//! need that is expensive (the report, the rows) was computed by `update()`.

mod detail;
mod header;
mod list;
mod overlay;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::app::App;
use super::input::TextInput;
use crate::probe::ItemStatus;
use crate::probe::ProbeStatus;
use crate::signoff::State;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let areas = app.areas();
    header::draw(frame, app, areas.header);
    if areas.list.width > 0 {
        list::draw(frame, app, areas.list);
    }
    if areas.detail.width > 0 {
        detail::draw(frame, app, areas.detail);
    }
    overlay::draw_status(frame, app, areas.status);
    overlay::draw_footer(frame, app, areas.footer);
    overlay::draw_modal(frame, app);
}

/// A style with a foreground colour, or none when colour is off.
pub(crate) fn fg(app: &App, color: Color) -> Style {
    if app.color {
        Style::new().fg(color)
    } else {
        Style::new()
    }
}

/// The spinner frame for the app's tick.
pub(crate) fn spinner(app: &App) -> &'static str {
    const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    FRAMES[(app.tick % FRAMES.len() as u64) as usize]
}

/// Symbol and colour of an item status.
pub(crate) fn item_status(status: ItemStatus) -> (&'static str, Color) {
    match status {
        ItemStatus::Pass => ("✓", Color::Green),
        ItemStatus::Fail => ("✗", Color::Red),
        ItemStatus::Error => ("!", Color::Yellow),
        ItemStatus::Skipped => ("-", Color::DarkGray),
        ItemStatus::Manual => ("?", Color::Cyan),
    }
}

/// Colour of a probe status.
pub(crate) fn probe_color(status: ProbeStatus) -> Color {
    match status {
        ProbeStatus::Pass => Color::Green,
        ProbeStatus::Fail => Color::Red,
        ProbeStatus::Error => Color::Yellow,
        ProbeStatus::Skipped => Color::DarkGray,
    }
}

/// Badge and colour of a sign-off state (`None` for pending): the state's one name,
/// the same word the details, the CLI and the reports use.
pub(crate) fn state_badge(state: State) -> Option<(&'static str, Color)> {
    let colour = match state {
        State::SignedOff => Color::Green,
        State::Attested => Color::Cyan,
        State::Waived => Color::Magenta,
        State::Stale | State::WaiverExpired => Color::Yellow,
        State::Pending => return None,
    };
    Some((state.as_str(), colour))
}

/// Bold, kept without colour.
pub(crate) fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// A text field on one line, with `> ` before the active one.
pub(crate) fn field_line(input: &TextInput, active: bool) -> Line<'static> {
    let marker = if active { "> " } else { "  " };
    Line::from(vec![Span::raw(marker), Span::raw(input.text().to_string())])
}

/// Puts the terminal cursor in a text field drawn on `area` after `prefix` columns.
pub(crate) fn set_cursor(frame: &mut Frame<'_>, area: Rect, prefix: usize, input: &TextInput) {
    let x = area.x as usize + prefix + input.cursor();
    let x = u16::try_from(x)
        .unwrap_or(u16::MAX)
        .min(area.right().saturating_sub(1));
    frame.set_cursor_position(Position::new(x, area.y));
}

/// A scrollbar on the right border of `area` when `content` rows do not fit in
/// `visible`, showing where `offset` is.
pub(crate) fn scrollbar(
    frame: &mut Frame<'_>,
    area: Rect,
    content: usize,
    visible: usize,
    offset: usize,
) {
    if content <= visible {
        return;
    }
    let mut state = ratatui::widgets::ScrollbarState::new(content.saturating_sub(visible))
        .position(offset.min(content.saturating_sub(visible)));
    frame.render_stateful_widget(
        ratatui::widgets::Scrollbar::new(ratatui::widgets::ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None),
        area.inner(ratatui::layout::Margin {
            vertical: 1,
            horizontal: 0,
        }),
        &mut state,
    );
}
