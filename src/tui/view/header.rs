//! The header: checklist, environment, verdict, and a gauge while probes run.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};

use super::{bold, fg};
use crate::checklist::Provenance;
use crate::report::Verdict;
use crate::tui::app::App;

pub(super) fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let [top, bottom] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let c = &app.checklist;
    let verdict = if app.running() {
        Span::styled(" checking… ", fg(app, Color::Yellow).patch(bold()))
    } else {
        let blocking = app.report.blocking_items().count();
        match app.report.verdict {
            Verdict::Go => Span::styled(" GO ", on(app, Color::Green)),
            Verdict::NoGo => {
                Span::styled(format!(" NO-GO: {blocking} blocking "), on(app, Color::Red))
            }
        }
    };
    // A checklist posing as a shipped one says so before its title.
    let lookalike = (c.provenance == Provenance::Lookalike).then(|| {
        Span::styled(
            " NOT the shipped checklist ",
            on(app, Color::Red).patch(bold()),
        )
    });
    // The verdict comes first so that a narrow terminal never cuts it off.
    let title = Line::from_iter(
        [
            Some(verdict),
            lookalike,
            Some(Span::raw(" env ")),
            Some(Span::styled(app.env.clone(), bold())),
            Some(Span::raw(" · ")),
            Some(Span::styled(c.title.clone(), bold())),
            Some(Span::styled(
                format!(" ({} v{})", c.id, c.version),
                fg(app, Color::DarkGray),
            )),
        ]
        .into_iter()
        .flatten(),
    );
    frame.render_widget(Paragraph::new(title), top);

    let (done, total) = app.probe_counts();
    if app.awaiting_command_answer() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    " nothing runs until you answer: {}?",
                    app.consent_question()
                ),
                fg(app, Color::Yellow),
            )),
            bottom,
        );
    } else if app.running() && total > 0 {
        let gauge = Gauge::default()
            .gauge_style(fg(app, Color::Cyan))
            .ratio(done as f64 / total as f64)
            .label(format!("running probes {done}/{total}"));
        frame.render_widget(gauge, bottom);
    } else {
        let s = &app.report.summary;
        let ledger = match app.report.ledger.as_ref() {
            Some(l) if l.problem.is_some() => Span::styled(
                " · ledger DAMAGED (run `preflight verify`)",
                fg(app, Color::Red).patch(bold()),
            ),
            Some(l) => Span::styled(
                format!(
                    " · ledger {} record{}",
                    l.records,
                    if l.records == 1 { "" } else { "s" }
                ),
                fg(app, Color::DarkGray),
            ),
            None => Span::raw(""),
        };
        let line = Line::from(vec![
            Span::styled(format!(" {} pass", s.pass), fg(app, Color::Green)),
            Span::raw(" · "),
            Span::styled(format!("{} fail", s.fail), fg(app, Color::Red)),
            Span::raw(" · "),
            Span::styled(format!("{} error", s.error), fg(app, Color::Yellow)),
            Span::raw(format!(" · {} skipped · ", s.skipped)),
            Span::styled(format!("{} manual", s.manual), fg(app, Color::Cyan)),
            Span::raw(format!(" · as {}", app.identity)),
            ledger,
        ]);
        frame.render_widget(Paragraph::new(line), bottom);
    }
}

/// Reverse video in a colour (plain reverse without colour).
fn on(app: &App, color: Color) -> Style {
    let style = bold().add_modifier(ratatui::style::Modifier::REVERSED);
    if app.color { style.fg(color) } else { style }
}
