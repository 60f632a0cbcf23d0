//! The human rendering of a [`Report`]: grouped by tier, with status symbols, evidence
//! and a one-line verdict. Colour is added through `anstyle`; the caller's stream
//! decides whether it is kept (a terminal) or stripped (a pipe, `NO_COLOR`).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::{ItemReport, Report, Verdict};
use crate::probe::ItemStatus;
use crate::probe::ProbeStatus;
use crate::signoff::State;

fn style(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

/// The symbol, label and colour of an item status.
pub fn status_label(status: ItemStatus) -> (&'static str, &'static str, Style) {
    match status {
        ItemStatus::Pass => ("✓", "PASS", style(AnsiColor::Green)),
        ItemStatus::Fail => ("✗", "FAIL", style(AnsiColor::Red).bold()),
        ItemStatus::Error => ("!", "ERROR", style(AnsiColor::Yellow).bold()),
        ItemStatus::Skipped => ("-", "SKIP", style(AnsiColor::BrightBlack)),
        ItemStatus::Manual => ("?", "MANUAL", style(AnsiColor::Cyan)),
    }
}

/// The colour of a sign-off state.
pub fn state_style(state: State) -> Style {
    match state {
        State::SignedOff => style(AnsiColor::Green),
        State::Attested => style(AnsiColor::Cyan),
        State::Waived => style(AnsiColor::Magenta),
        State::Stale | State::WaiverExpired => style(AnsiColor::Yellow).bold(),
        State::Pending => style(AnsiColor::BrightBlack),
    }
}

fn probe_style(status: ProbeStatus) -> Style {
    match status {
        ProbeStatus::Pass => style(AnsiColor::Green),
        ProbeStatus::Fail => style(AnsiColor::Red),
        ProbeStatus::Error => style(AnsiColor::Yellow),
        ProbeStatus::Skipped => style(AnsiColor::BrightBlack),
    }
}

/// Renders the report. `verbose` also lists evidence of passing probes.
pub fn render(report: &Report, verbose: bool) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    render_header(&mut out, report);
    let mut last_checklist = None;
    for group in report.groups() {
        if let Some(c) = group.checklist.filter(|c| Some(&c.id) != last_checklist) {
            let _ = writeln!(out, "\n{bold}== {} =={bold:#} ({})", c.title, c.id);
            last_checklist = Some(&c.id);
        }
        let _ = writeln!(
            out,
            "\n{bold}{}{bold:#}",
            group.tier.as_str().to_uppercase()
        );
        for item in group.items {
            render_item(&mut out, item, verbose);
        }
    }

    let s = &report.summary;
    let _ = writeln!(
        out,
        "\n{} pass · {} fail · {} error · {} skipped · {} manual",
        s.pass, s.fail, s.error, s.skipped, s.manual
    );
    render_verdict(&mut out, report);
    out
}

fn render_header(out: &mut String, report: &Report) {
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let c = &report.checklist;
    if report.parts().len() > 1 {
        let ids: Vec<String> = report
            .parts()
            .iter()
            .map(|p| format!("{} v{}", p.id, p.version))
            .collect();
        let _ = writeln!(
            out,
            "{bold}{}{bold:#} {dim}({}){dim:#}",
            c.title,
            ids.join(", ")
        );
    } else {
        let _ = writeln!(
            out,
            "{bold}{}{bold:#} {dim}({} v{}){dim:#}",
            c.title, c.id, c.version
        );
    }
    for part in report.parts() {
        if let Some(source) = &part.source_line {
            if part.is_lookalike() {
                let st = style(AnsiColor::Red).bold();
                let _ = writeln!(out, "{st}warning{st:#}: {source}");
            } else {
                let _ = writeln!(out, "{dim}{source}{dim:#}");
            }
        }
    }
    if let (Some(env), Some(ledger)) = (&report.environment, &report.ledger) {
        let head = ledger
            .head
            .as_deref()
            .map_or("empty", |h| &h[..h.len().min(12)]);
        let _ = writeln!(
            out,
            "{dim}environment {env} · ledger {} ({} records, head {head}){dim:#}",
            ledger.path, ledger.records
        );
        if ledger.ignored > 0 {
            let st = style(AnsiColor::Yellow).bold();
            let _ = writeln!(
                out,
                "{st}{} ledger record{} count for nothing{st:#} (signatures; run `preflight verify`)",
                ledger.ignored,
                if ledger.ignored == 1 { "" } else { "s" }
            );
        }
        if let Some(problem) = &ledger.problem {
            let st = style(AnsiColor::Red).bold();
            let _ = writeln!(
                out,
                "{st}ledger damaged{st:#}: {problem}; sign-offs after it are ignored (run `preflight verify`)"
            );
        }
    }
}

fn render_verdict(out: &mut String, report: &Report) {
    render_verdict_line(out, report);
    // A verdict is only as good as the checklist behind it: one that poses as a shipped
    // checklist says so again beside the verdict, where a reader of a CI log looks.
    for c in report.lookalikes() {
        let Some(file) = &c.file else { continue };
        let st = style(AnsiColor::Red).bold();
        let _ = writeln!(
            out,
            "  {st}this verdict is for {file} (sha256 {}), NOT the shipped checklist `{}`{st:#}",
            &c.digest[..c.digest.len().min(12)],
            c.id
        );
    }
}

fn render_verdict_line(out: &mut String, report: &Report) {
    match report.verdict {
        Verdict::Go if report.covers_signoff() => {
            let st = style(AnsiColor::Green).bold();
            let _ = writeln!(
                out,
                "{st}GO{st:#}: every critical item passes and is signed off or waived"
            );
        }
        Verdict::Go => {
            let st = style(AnsiColor::Green).bold();
            let _ = writeln!(out, "{st}GO{st:#}: no critical item fails");
        }
        Verdict::NoGo if report.covers_signoff() => {
            let st = style(AnsiColor::Red).bold();
            let _ = writeln!(out, "{st}NO-GO{st:#}: not ready for production");
            if report.ledger.as_ref().is_some_and(|l| l.problem.is_some()) {
                let _ = writeln!(out, "  the ledger is damaged");
            }
            for item in report.blocking_items() {
                let reason = item.blocking.as_deref().unwrap_or_default();
                let _ = writeln!(out, "  {} ({}): {reason}", item.name(), item.tier);
            }
        }
        Verdict::NoGo => {
            let st = style(AnsiColor::Red).bold();
            let ids: Vec<String> = report.blocking_items().map(ItemReport::name).collect();
            let _ = writeln!(
                out,
                "{st}NO-GO{st:#}: critical items fail or could not be checked: {}",
                ids.join(", ")
            );
        }
    }
}

/// Renders `preflight status`: one line per item with its sign-off state and probe
/// status, counts by state, and the `--require-signoff` verdict.
pub fn render_status(report: &Report) -> String {
    let mut out = String::new();
    render_header(&mut out, report);
    let dim = Style::new().dimmed();
    let _ = writeln!(
        out,
        "\n{dim}{:<15}{:<9}{:<13}ITEM{dim:#}",
        "SIGN-OFF", "PROBES", "TIER"
    );
    let mut counts: Vec<(State, usize)> = [
        State::SignedOff,
        State::Attested,
        State::Stale,
        State::Waived,
        State::WaiverExpired,
        State::Pending,
    ]
    .into_iter()
    .map(|s| (s, 0))
    .collect();
    for item in &report.items {
        let Some(signoff) = &item.signoff else {
            continue;
        };
        if let Some(c) = counts.iter_mut().find(|(s, _)| *s == signoff.state) {
            c.1 += 1;
        }
        let ss = state_style(signoff.state);
        let (_, _, ps) = status_label(item.status);
        let _ = writeln!(
            out,
            "{ss}{:<15}{ss:#}{ps}{:<9}{ps:#}{:<13}{}  {dim}{}{dim:#}",
            signoff.state.as_str(),
            item.status.as_str(),
            item.tier.as_str(),
            item.name(),
            item.title
        );
        for reason in &signoff.reasons {
            let _ = writeln!(out, "{:37}{dim}stale:{dim:#} {reason}", "");
        }
    }
    let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let _ = writeln!(out, "\n{}", counts.join(" · "));
    render_verdict(&mut out, report);
    out
}

fn render_item(out: &mut String, item: &ItemReport, verbose: bool) {
    let (symbol, label, st) = status_label(item.status);
    let dim = Style::new().dimmed();
    let signoff = item
        .signoff
        .as_ref()
        .map(|s| {
            let ss = state_style(s.state);
            format!("  {ss}[{}]{ss:#}", s.state)
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  {st}{symbol} {label:<6}{st:#} {}  {dim}{}{dim:#}{signoff}",
        item.title, item.id
    );
    if let Some(s) = &item.signoff {
        for reason in &s.reasons {
            let _ = writeln!(out, "           {dim}stale:{dim:#} {reason}");
        }
        if let Some(w) = &s.waiver {
            let until = w
                .expires
                .map_or("permanently".to_string(), |e| format!("until {e}"));
            let _ = writeln!(
                out,
                "           {dim}waived {until} by {}:{dim:#} {}",
                w.by, w.reason
            );
        }
    }
    if item.status == ItemStatus::Manual {
        return;
    }
    let show_evidence = verbose || matches!(item.status, ItemStatus::Fail | ItemStatus::Error);
    for probe in &item.probes {
        let ps = probe_style(probe.status);
        let _ = writeln!(
            out,
            "           {ps}{}{ps:#} {dim}{}:{dim:#} {}",
            probe.status.as_str(),
            probe.kind,
            probe.summary
        );
        if (show_evidence && probe.status != ProbeStatus::Pass) || verbose {
            for e in &probe.evidence {
                let _ = writeln!(out, "             {e}");
            }
        }
    }
    if item.status == ItemStatus::Fail && !item.remediation.trim().is_empty() {
        let _ = writeln!(out, "           {dim}fix:{dim:#}");
        for line in item.remediation.trim().lines() {
            if line.trim().is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "             {line}");
            }
        }
    }
}
