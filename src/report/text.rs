//! The human rendering of a [`Report`]: grouped by tier, with status symbols, evidence
//! and a one-line verdict. Colour is added through `anstyle`; the caller's stream
//! decides whether it is kept (a terminal) or stripped (a pipe, `NO_COLOR`).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::{ItemReport, Report, Verdict};
use crate::checklist::Tier;
use crate::probe::ProbeStatus;
use crate::probe::runner::ItemStatus;

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
    let dim = Style::new().dimmed();
    let c = &report.checklist;
    let _ = writeln!(
        out,
        "{bold}{}{bold:#} {dim}({} v{}){dim:#}",
        c.title, c.id, c.version
    );

    for tier in Tier::ALL {
        let items: Vec<&ItemReport> = report.items.iter().filter(|i| i.tier == tier).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{bold}{}{bold:#}", tier.as_str().to_uppercase());
        for item in items {
            render_item(&mut out, item, verbose);
        }
    }

    let s = &report.summary;
    let _ = writeln!(
        out,
        "\n{} pass · {} fail · {} error · {} skipped · {} manual",
        s.pass, s.fail, s.error, s.skipped, s.manual
    );
    match report.verdict {
        Verdict::Go => {
            let st = style(AnsiColor::Green).bold();
            let _ = writeln!(out, "{st}GO{st:#}: no critical item fails");
        }
        Verdict::NoGo => {
            let st = style(AnsiColor::Red).bold();
            let ids: Vec<&str> = report.blocking_items().map(|i| i.id.as_str()).collect();
            let _ = writeln!(
                out,
                "{st}NO-GO{st:#}: critical items fail or could not be checked: {}",
                ids.join(", ")
            );
        }
    }
    out
}

fn render_item(out: &mut String, item: &ItemReport, verbose: bool) {
    let (symbol, label, st) = status_label(item.status);
    let dim = Style::new().dimmed();
    let _ = writeln!(
        out,
        "  {st}{symbol} {label:<6}{st:#} {}  {dim}{}{dim:#}",
        item.title, item.id
    );
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
