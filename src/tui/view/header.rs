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
                if c.is_combined() {
                    format!(" ({} checklists)", c.parts.len())
                } else {
                    format!(" ({} v{})", c.id, c.version)
                },
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
        let who = Span::raw(format!(" · as {}", app.identity));
        // Who signs and the ledger's state always show; the counts are abbreviated
        // first when the line is too narrow for them.
        let room = usize::from(bottom.width);
        let kept = who.width() + ledger.width();
        let full = [
            (format!(" {} pass", s.pass), Color::Green),
            (format!(" · {} fail", s.fail), Color::Red),
            (format!(" · {} error", s.error), Color::Yellow),
            (format!(" · {} skipped", s.skipped), Color::DarkGray),
            (format!(" · {} manual", s.manual), Color::Cyan),
        ];
        let short = [
            (format!(" {}✓", s.pass), Color::Green),
            (format!(" {}✗", s.fail), Color::Red),
            (format!(" {}!", s.error), Color::Yellow),
            (format!(" {}-", s.skipped), Color::DarkGray),
            (format!(" {}?", s.manual), Color::Cyan),
        ];
        let width =
            |parts: &[(String, Color)]| parts.iter().map(|(t, _)| t.chars().count()).sum::<usize>();
        let counts = if width(&full) + kept <= room {
            &full
        } else {
            &short
        };
        let mut spans: Vec<Span<'_>> = counts
            .iter()
            .map(|(text, colour)| Span::styled(text.clone(), fg(app, *colour)))
            .collect();
        if width(counts) + kept > room {
            // Still too narrow: the identity and the ledger come first.
            let mut first = vec![
                Span::raw(format!(" as {}", app.identity)),
                ledger,
                Span::raw(" ·"),
            ];
            first.append(&mut spans);
            spans = first;
        } else {
            spans.push(who);
            spans.push(ledger);
        }
        let line = Line::from(spans);
        frame.render_widget(Paragraph::new(line), bottom);
    }
}

/// Reverse video in a colour (plain reverse without colour).
fn on(app: &App, color: Color) -> Style {
    let style = bold().add_modifier(ratatui::style::Modifier::REVERSED);
    if app.color { style.fg(color) } else { style }
}
