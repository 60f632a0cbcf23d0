//! The Markdown rendering of a [`Report`], for tickets: plain CommonMark tables, lists
//! and code spans that GitHub, GitLab and Jira's Markdown all render, and no HTML.

use std::fmt::Write;

use super::{ItemReport, Report, Verdict, provenance_text};

/// Escapes text for Markdown prose and table cells: no character of it can start
/// markup, and it stays on one line.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A code span that holds any text: the fence is longer than any backtick run inside.
pub fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Renders the report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let c = &report.checklist;
    let _ = writeln!(out, "# Pre-deployment report: {}\n", escape(&c.title));
    let blocking = report.blocking_items().count();
    match report.verdict {
        Verdict::Go => {
            let _ = writeln!(out, "**Verdict: GO**: nothing blocks production.\n");
        }
        Verdict::NoGo => {
            let _ = writeln!(
                out,
                "**Verdict: NO-GO**: {blocking} item{} block{} production{}.\n",
                if blocking == 1 { "" } else { "s" },
                if blocking == 1 { "s" } else { "" },
                if report.ledger.as_ref().is_some_and(|l| l.problem.is_some()) {
                    ", and the sign-off ledger is damaged"
                } else {
                    ""
                }
            );
        }
    }

    for part in report.lookalikes() {
        if let Some(source) = &part.source_line {
            let _ = writeln!(out, "> **Warning**: {}\n", escape(source));
        }
    }
    out.push_str("| | |\n|---|---|\n");
    if let Some(env) = &report.environment {
        let _ = writeln!(out, "| Environment | {} |", escape(env));
    }
    for c in report.parts() {
        let _ = writeln!(
            out,
            "| Checklist | {} version {} |",
            code(&c.id),
            escape(&c.version)
        );
        let _ = writeln!(out, "| Checklist digest | {} |", code(&c.digest));
        if let Some(file) = &c.file {
            let _ = writeln!(
                out,
                "| Checklist file | {} ({}) |",
                code(file),
                provenance_text(c.provenance, &c.id)
            );
        }
    }
    if let Some(ledger) = &report.ledger {
        let head = ledger.head.as_deref().map_or("none".to_string(), code);
        let _ = writeln!(
            out,
            "| Ledger | {}, {} records, head {head} |",
            code(&ledger.path),
            ledger.records
        );
        if let Some(problem) = &ledger.problem {
            let _ = writeln!(out, "| Ledger problem | {} |", escape(problem));
        }
        if ledger.ignored > 0 {
            let _ = writeln!(
                out,
                "| Not counted | {} ledger records (signatures; see `preflight verify`) |",
                ledger.ignored
            );
        }
    }
    if let Some(revision) = &report.provenance {
        let _ = writeln!(out, "| Checked | {} |", escape(&revision.describe()));
    }
    let _ = writeln!(
        out,
        "| Generated | {} by preflight {} |\n",
        report.generated_at,
        escape(&report.preflight_version)
    );

    out.push_str("## Summary\n\n| Tier | Pass | Fail | Error | Skipped | Manual |\n|---|---:|---:|---:|---:|---:|\n");
    for (name, summary) in report.summary_rows() {
        let cells: Vec<String> = summary.counts().iter().map(|n| n.to_string()).collect();
        let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
    }
    out.push('\n');

    if blocking > 0 {
        out.push_str("## Blocking\n\n");
        for item in report.blocking_items() {
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                code(&item.name()),
                item.tier,
                escape(item.blocking.as_deref().unwrap_or_default())
            );
        }
        out.push('\n');
    }

    out.push_str("## Items\n\n");
    let mut last_checklist = None;
    for group in report.groups() {
        if let Some(c) = group.checklist.filter(|c| Some(&c.id) != last_checklist) {
            let _ = writeln!(out, "### {}: {}\n", code(&c.id), escape(&c.title));
            last_checklist = Some(&c.id);
        }
        let heading = if group.checklist.is_some() {
            "####"
        } else {
            "###"
        };
        let _ = writeln!(out, "{heading} {}\n", capitalised(group.tier.as_str()));
        let items = group.items;
        if report.covers_signoff() {
            out.push_str("| Item | Title | Probes | Sign-off |\n|---|---|---|---|\n");
        } else {
            out.push_str("| Item | Title | Probes |\n|---|---|---|\n");
        }
        for item in items {
            let _ = write!(
                out,
                "| {} | {} | {} |",
                code(&item.id),
                escape(&item.title),
                item.status.as_str()
            );
            if let Some(s) = &item.signoff {
                let _ = write!(out, " {} |", s.state);
            }
            out.push('\n');
        }
        out.push('\n');
    }

    let detailed: Vec<&ItemReport> = report
        .items
        .iter()
        .filter(|i| {
            !i.probes.is_empty()
                || i.blocking.is_some()
                || i.signoff.as_ref().is_some_and(|s| !s.chain.is_empty())
        })
        .collect();
    if !detailed.is_empty() {
        out.push_str("## Details\n");
        for item in detailed {
            render_details(&mut out, item);
        }
    }
    out
}

fn render_details(out: &mut String, item: &ItemReport) {
    let _ = writeln!(
        out,
        "\n### {}: {}\n",
        code(&item.name()),
        escape(&item.title)
    );
    let _ = write!(
        out,
        "- Tier: {} · probes: {}",
        item.tier,
        item.status.as_str()
    );
    if let Some(s) = &item.signoff {
        let _ = write!(out, " · sign-off: **{}**", s.state);
    }
    out.push('\n');
    if let Some(reason) = &item.blocking {
        let _ = writeln!(out, "- **Blocks production**: {}", escape(reason));
    }
    for probe in &item.probes {
        let _ = writeln!(
            out,
            "- **{}** {}: {}",
            probe.status.as_str(),
            code(&probe.kind),
            escape(&probe.summary)
        );
        for e in &probe.evidence {
            let place = match (&e.file, e.line) {
                (Some(f), Some(l)) => format!("{}: ", code(&format!("{f}:{l}"))),
                (Some(f), None) => format!("{}: ", code(f)),
                _ => String::new(),
            };
            let _ = writeln!(out, "  - {place}{}", escape(&e.message));
        }
    }
    if let Some(s) = &item.signoff {
        for reason in &s.reasons {
            let _ = writeln!(out, "- Stale: {}", escape(reason));
        }
        if let Some(due) = s.due {
            let _ = writeln!(out, "- Due again: {due}");
        }
        if let Some(w) = &s.waiver {
            let _ = writeln!(
                out,
                "- Waiver ({}; {}): {}",
                w.expiry(),
                escape(&w.approval()),
                escape(&w.reason)
            );
        }
        if !s.chain.is_empty() {
            out.push_str("- Sign-off chain:\n");
            for e in &s.chain {
                let note = e
                    .note
                    .as_deref()
                    .map(|n| format!(": {}", escape(n)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  - {} **{}** by {} (record {}, {}){note}",
                    e.at,
                    e.action,
                    escape(&e.by.to_string()),
                    e.seq,
                    code(&e.hash[..e.hash.len().min(12)])
                );
            }
        }
    }
    if item.blocking.is_some() && !item.remediation.trim().is_empty() {
        let _ = writeln!(out, "\n**Remediation**\n\n{}", item.remediation.trim());
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_fences_code() {
        assert_eq!(escape("a|b <c> *d*"), "a\\|b \\<c\\> \\*d\\*");
        assert_eq!(code("x"), "`x`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }
}
