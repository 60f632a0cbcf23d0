//! The selected item: every probe with a spinner while it runs and its evidence when
//! done (first: it is what the user came for), the remediation (code blocks shown as
//! code), the rationale, and the sign-off history.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::list::border;
use super::{bold, fg, item_status, probe_color, scrollbar, spinner, state_badge};
use crate::probe::EvidenceStatus;
use crate::tui::app::{App, Pane, ProbeState};

pub(super) fn draw(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(border(app, app.focus == Pane::Detail))
        .title(" Details ");
    let Some(index) = app.selected else {
        frame.render_widget(Paragraph::new("nothing selected").block(block), area);
        return;
    };
    let inner = block.inner(area);
    let lines = lines(app, index, usize::from(inner.width));
    // Rows once wrapped (a word that moves to the next row is not counted: close
    // enough for the scrollbar's thumb).
    let width = usize::from(inner.width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(width)).sum();
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0));
    frame.render_widget(paragraph, area);
    scrollbar(
        frame,
        area,
        rows,
        usize::from(inner.height),
        usize::from(app.detail_scroll),
    );
}

fn heading(app: &App, text: &'static str) -> Line<'static> {
    Line::styled(text, fg(app, Color::Blue).add_modifier(Modifier::BOLD))
}

fn lines(app: &App, index: usize, width: usize) -> Vec<Line<'static>> {
    let item = &app.checklist.items[index];
    let report = app.item_report(index);
    let mut out = vec![Line::styled(item.title.clone(), bold())];
    // In a run of several checklists, the item's says which one it belongs to.
    let id = if app.checklist.is_combined() {
        format!("{}/{}", app.checklist.part_of(item).id, item.id)
    } else {
        item.id.clone()
    };
    let mut meta = vec![
        Span::styled(id, fg(app, Color::DarkGray)),
        Span::raw(format!(" · {}", item.tier)),
    ];
    if let Some(r) = report {
        let (symbol, color) = item_status(r.status);
        meta.push(Span::raw(" · probes "));
        meta.push(Span::styled(
            format!("{symbol} {}", r.status.as_str()),
            fg(app, color),
        ));
        if let Some(s) = &r.signoff {
            meta.push(Span::raw(" · sign-off "));
            let color = state_badge(s.state).map_or(Color::DarkGray, |(_, c)| c);
            meta.push(Span::styled(s.state.as_str(), fg(app, color)));
        }
    } else {
        let doing = app.held_for(index).unwrap_or("checking");
        meta.push(Span::styled(
            format!(" · {} {doing}", spinner(app)),
            fg(app, Color::Yellow),
        ));
    }
    out.push(Line::from(meta));
    if let Some(reason) = report.and_then(|r| r.blocking.as_ref()) {
        out.push(Line::styled(
            format!("Blocks production: {reason}"),
            fg(app, Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    if !item.probes.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(app, "Probes"));
        for (p, spec) in item.probes.iter().enumerate() {
            match app.progress.get(index).and_then(|pr| pr.probes.get(p)) {
                Some(ProbeState::Done(result)) => {
                    let o = &result.outcome;
                    out.push(Line::from(vec![
                        Span::styled(
                            format!("{:<7} ", o.status.as_str()),
                            fg(app, probe_color(o.status)).add_modifier(Modifier::BOLD),
                        ),
                        Span::styled(format!("{}: ", spec.kind), fg(app, Color::DarkGray)),
                        Span::raw(o.summary.clone()),
                    ]));
                    for e in &o.evidence {
                        // A finding in red with ✗, a line in order in green with ✓.
                        let (mark, style) = match e.status {
                            EvidenceStatus::Fail => ("✗ ", fg(app, Color::Red)),
                            EvidenceStatus::Pass => ("✓ ", fg(app, Color::Green)),
                            EvidenceStatus::Info => ("  ", Style::new()),
                        };
                        // Wrapped with a hanging indent, so each line of evidence
                        // reads as one; a host's details sit under its verdict (the
                        // evidence of a probe run on several hosts nests them).
                        let text = e.to_string();
                        let (nest, text) = match text.strip_prefix("  ") {
                            Some(inner) if !o.hosts.is_empty() => ("  ", inner.to_string()),
                            _ => ("", text),
                        };
                        for (i, row) in wrap(&text, width.saturating_sub(4 + nest.len()))
                            .into_iter()
                            .enumerate()
                        {
                            let lead = if i == 0 {
                                Span::styled(format!("  {nest}{mark}"), style)
                            } else {
                                Span::raw(format!("    {nest}"))
                            };
                            out.push(Line::from(vec![lead, Span::raw(row)]));
                        }
                    }
                }
                Some(ProbeState::Running) => out.push(Line::from(vec![
                    Span::styled(format!("{} running ", spinner(app)), fg(app, Color::Yellow)),
                    Span::styled(spec.kind.clone(), fg(app, Color::DarkGray)),
                ])),
                _ => out.push(Line::from(vec![
                    Span::styled("· waiting ", fg(app, Color::DarkGray)),
                    Span::styled(spec.kind.clone(), fg(app, Color::DarkGray)),
                ])),
            }
        }
    }
    if !item.remediation.trim().is_empty() {
        out.push(Line::raw(""));
        out.push(heading(app, "What to do"));
        out.extend(markdown_lines(app, item.remediation.trim()));
    }
    if !item.rationale.trim().is_empty() {
        out.push(Line::raw(""));
        out.push(heading(app, "Why"));
        out.extend(
            item.rationale
                .trim()
                .lines()
                .map(|l| Line::raw(l.to_string())),
        );
    }
    out.push(Line::raw(""));
    out.push(heading(app, "Sign-off"));
    match report.and_then(|r| r.signoff.as_ref()) {
        None => out.push(Line::styled(
            "known once the probes finish",
            fg(app, Color::DarkGray),
        )),
        Some(s) => {
            let color = state_badge(s.state).map_or(Color::DarkGray, |(_, c)| c);
            out.push(Line::from(vec![
                Span::raw("state "),
                Span::styled(
                    s.state.as_str(),
                    fg(app, color).add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!(" in {}", app.env)),
            ]));
            for reason in &s.reasons {
                out.push(Line::styled(
                    format!("stale: {reason}"),
                    fg(app, Color::Yellow),
                ));
            }
            if let Some(due) = s.due {
                out.push(Line::raw(format!("due again {due}")));
            }
            if let Some(w) = &s.waiver {
                out.push(Line::raw(format!(
                    "waiver ({}; {}): {}",
                    w.expiry(),
                    w.approval(),
                    w.reason
                )));
            }
            if s.chain.is_empty() {
                out.push(Line::styled(
                    "no records yet: a attest · A approve · w waive",
                    fg(app, Color::DarkGray),
                ));
            }
            for e in &s.chain {
                let mut line = vec![
                    Span::styled(format!("{} ", e.at), fg(app, Color::DarkGray)),
                    Span::styled(format!("{:<7} ", e.action.as_str()), bold()),
                    Span::raw(e.by.to_string()),
                ];
                if let Some(reason) = &e.reason {
                    let until = e
                        .expires
                        .map_or_else(|| "permanent".to_string(), |t| format!("until {t}"));
                    line.push(Span::raw(format!(" ({until}): {reason}")));
                }
                if let Some(note) = &e.note {
                    line.push(Span::raw(format!(": {note}")));
                }
                out.push(Line::from(line));
            }
        }
    }
    if !item.references.is_empty() {
        out.push(Line::raw(""));
        out.push(heading(app, "References"));
        out.extend(item.references.iter().map(|r| Line::raw(format!("- {r}"))));
    }
    out
}

/// Remediation text: fenced code blocks in a code style, inline `code` highlighted.
fn markdown_lines(app: &App, text: &str) -> Vec<Line<'static>> {
    let code = fg(app, Color::LightYellow);
    let mut in_fence = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(Line::from(vec![
                Span::styled("│ ", fg(app, Color::DarkGray)),
                Span::styled(line.to_string(), code),
            ]));
            continue;
        }
        let mut spans = Vec::new();
        for (i, part) in line.split('`').enumerate() {
            if part.is_empty() {
                continue;
            }
            let style = if i % 2 == 1 { code } else { Style::new() };
            spans.push(Span::styled(part.to_string(), style));
        }
        out.push(Line::from(spans));
    }
    out
}

/// `text` in rows of at most `width` columns, broken between words where it can be
/// (a word longer than a row is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split(' ') {
        let mut word: String = word.to_string();
        loop {
            let used = row.chars().count();
            let need = word.chars().count() + usize::from(used > 0);
            if used + need <= width {
                if used > 0 {
                    row.push(' ');
                }
                row.push_str(&word);
                break;
            }
            if used > 0 {
                rows.push(std::mem::take(&mut row));
                continue;
            }
            // Longer than a whole row: cut it.
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            rows.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn evidence_wraps_between_words_and_cuts_long_ones() {
        assert_eq!(wrap("aaa bbb ccc", 8), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghijkl", 8), vec!["abcdefgh", "ijkl"]);
        assert_eq!(wrap("", 8), vec![""]);
        assert_eq!(wrap("a", 20), vec!["a"]);
    }
}
