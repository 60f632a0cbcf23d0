//! The HTML rendering of a [`Report`]: one self-contained page (the stylesheet in
//! `assets/report.css` is inlined; no scripts, fonts or images are fetched), readable
//! on screen and in print. Every text from the report is escaped.

use std::fmt::Write;

use super::{ItemReport, Report, Verdict, provenance_text};

const STYLESHEET: &str = include_str!("../../assets/report.css");

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A checklist's Markdown (remediation text) as HTML. The checklist may come from the
/// project under review, so raw HTML in it is shown as text, never passed through;
/// links keep only `http`, `https` and `mailto` targets (others become emphasis), and
/// images become their alt text (a report loads nothing from elsewhere).
pub fn markdown(text: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let safe_link = |url: &str| {
        let lower = url.trim().to_ascii_lowercase();
        lower.starts_with("https://")
            || lower.starts_with("http://")
            || lower.starts_with("mailto:")
    };
    // For each open link or image: whether it was turned into emphasis.
    let mut demoted: Vec<bool> = Vec::new();
    let events = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(
        |event| match event {
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            Event::Start(Tag::Link { dest_url, .. }) if !safe_link(&dest_url) => {
                demoted.push(true);
                Event::Start(Tag::Emphasis)
            }
            Event::Start(Tag::Image { .. }) => {
                demoted.push(true);
                Event::Start(Tag::Emphasis)
            }
            Event::Start(link @ Tag::Link { .. }) => {
                demoted.push(false);
                Event::Start(link)
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Image)) => {
                if demoted.pop().unwrap_or(false) {
                    Event::End(TagEnd::Emphasis)
                } else {
                    Event::End(end)
                }
            }
            other => other,
        },
    );
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// One bar of the overview: its label and its segments (count, colour, name).
type Bar<'a> = (String, Vec<(usize, &'a str, &'a str)>);

/// The overview at a glance, as inline SVG (nothing fetched): one bar per tier split
/// by item status, and one of sign-off progress when the report covers sign-off. Each
/// segment carries a `<title>` with its count, so the numbers are there for screen
/// readers and on hover; the table below has them too.
pub fn overview_svg(report: &Report) -> String {
    const STATUS: [(&str, &str); 5] = [
        ("pass", "#2e7d32"),
        ("fail", "#c62828"),
        ("error", "#f9a825"),
        ("skipped", "#9e9e9e"),
        ("manual", "#1565c0"),
    ];
    let mut bars: Vec<Bar<'_>> = report
        .tiers
        .iter()
        .filter(|t| t.counts().iter().sum::<usize>() > 0)
        .map(|t| {
            let label = t
                .tier
                .map_or_else(|| "all".to_string(), |tier| tier.to_string());
            let segments = t
                .counts()
                .iter()
                .zip(STATUS)
                .map(|(n, (name, colour))| (*n, colour, name))
                .collect();
            (label, segments)
        })
        .collect();
    let states: Vec<crate::signoff::State> = report
        .items
        .iter()
        .filter_map(|i| i.signoff.as_ref().map(|s| s.state))
        .collect();
    if !states.is_empty() {
        use crate::signoff::State;
        let count = |wanted: &[State]| states.iter().filter(|s| wanted.contains(s)).count();
        bars.push((
            "sign-off".to_string(),
            vec![
                (count(&[State::SignedOff]), "#2e7d32", "signed-off"),
                (count(&[State::Waived]), "#6a1b9a", "waived"),
                (count(&[State::Attested]), "#00838f", "attested"),
                (
                    count(&[State::Stale, State::WaiverExpired]),
                    "#f9a825",
                    "stale or expired",
                ),
                (count(&[State::Pending]), "#9e9e9e", "pending"),
            ],
        ));
    }
    const LABEL: usize = 110;
    const WIDTH: usize = 480;
    const ROW: usize = 26;
    let height = bars.len() * ROW + 4;
    let mut svg = format!(
        "<svg class=\"overview\" role=\"img\" viewBox=\"0 0 {} {height}\" width=\"{}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">\n<title>Items by status per tier, and sign-off progress</title>\n",
        LABEL + WIDTH,
        LABEL + WIDTH
    );
    for (row, (label, segments)) in bars.iter().enumerate() {
        let y = row * ROW + 2;
        let total: usize = segments.iter().map(|(n, ..)| n).sum();
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"13\" fill=\"currentColor\">{}</text>",
            y + 16,
            escape(label)
        );
        let mut x = LABEL;
        for (n, colour, name) in segments.iter().filter(|(n, ..)| *n > 0) {
            let w = (n * WIDTH).div_ceil(total.max(1));
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"20\" fill=\"{colour}\"><title>{n} {name}</title></rect>"
            );
            if w >= 24 {
                let _ = write!(
                    svg,
                    "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#fff\" text-anchor=\"middle\">{n}</text>",
                    x + w / 2,
                    y + 15
                );
            }
            svg.push('\n');
            x += w;
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Renders the report.
pub fn render(report: &Report) -> String {
    let c = &report.checklist;
    let mut out = String::new();
    let title = format!("Pre-deployment report: {}", c.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLESHEET}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let blocking = report.blocking_items().count();
    let (class, text) = match report.verdict {
        Verdict::Go => ("go", "GO: nothing blocks production".to_string()),
        Verdict::NoGo => (
            "no-go",
            format!(
                "NO-GO: {blocking} item{} block{} production",
                if blocking == 1 { "" } else { "s" },
                if blocking == 1 { "s" } else { "" }
            ),
        ),
    };
    let _ = writeln!(
        out,
        "<div class=\"verdict {class}\" id=\"verdict\">{}</div>",
        escape(&text)
    );

    for source in report.lookalikes().filter_map(|p| p.source_line.as_ref()) {
        let _ = writeln!(
            out,
            "<div class=\"verdict no-go provenance\">Warning: {}</div>",
            escape(source)
        );
    }
    out.push_str("<table class=\"meta\">\n");
    let meta = |out: &mut String, k: &str, v: String| {
        let _ = writeln!(out, "<tr><th>{k}</th><td>{v}</td></tr>");
    };
    if let Some(env) = &report.environment {
        meta(&mut out, "Environment", escape(env));
    }
    for c in report.parts() {
        meta(
            &mut out,
            "Checklist",
            format!(
                "<code>{}</code> version {}",
                escape(&c.id),
                escape(&c.version)
            ),
        );
        meta(
            &mut out,
            "Checklist digest",
            format!("<code>{}</code>", escape(&c.digest)),
        );
        if let Some(file) = &c.file {
            meta(
                &mut out,
                "Checklist file",
                format!(
                    "<code>{}</code> ({})",
                    escape(file),
                    escape(&provenance_text(c.provenance, &c.id))
                ),
            );
        }
    }
    if let Some(ledger) = &report.ledger {
        meta(
            &mut out,
            "Ledger",
            format!(
                "<code>{}</code>, {} records, head <code>{}</code>",
                escape(&ledger.path),
                ledger.records,
                escape(ledger.head.as_deref().unwrap_or("none"))
            ),
        );
        if let Some(problem) = &ledger.problem {
            meta(
                &mut out,
                "Ledger problem",
                format!("<span class=\"fail\">{}</span>", escape(problem)),
            );
        }
        if ledger.ignored > 0 {
            meta(
                &mut out,
                "Not counted",
                format!(
                    "{} ledger records (signatures; see <code>preflight verify</code>)",
                    ledger.ignored
                ),
            );
        }
    }
    if let Some(revision) = &report.provenance {
        meta(&mut out, "Checked", escape(&revision.describe()));
    }
    meta(
        &mut out,
        "Generated",
        format!(
            "{} by preflight {}",
            report.generated_at,
            escape(&report.preflight_version)
        ),
    );
    out.push_str("</table>\n");

    if blocking > 0 {
        out.push_str("<h2>Blocking</h2>\n<ul>\n");
        for item in report.blocking_items() {
            let _ = writeln!(
                out,
                "<li><a href=\"#item-{id}\"><code>{id}</code></a> ({}): {}</li>",
                item.tier,
                escape(item.blocking.as_deref().unwrap_or_default()),
                id = escape(&item.name())
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<h2>Summary</h2>\n");
    out.push_str(&overview_svg(report));
    out.push_str("<table>\n<tr><th>Tier</th><th class=\"num\">Pass</th><th class=\"num\">Fail</th><th class=\"num\">Error</th><th class=\"num\">Skipped</th><th class=\"num\">Manual</th></tr>\n");
    for (name, summary) in report.summary_rows() {
        let cells: String = summary
            .counts()
            .iter()
            .map(|n| format!("<td class=\"num\">{n}</td>"))
            .collect();
        let _ = writeln!(out, "<tr><td>{name}</td>{cells}</tr>");
    }
    out.push_str("</table>\n");

    let mut last_checklist = None;
    for group in report.groups() {
        if let Some(c) = group.checklist.filter(|c| Some(&c.id) != last_checklist) {
            let _ = writeln!(
                out,
                "<h2 class=\"checklist\">{} <code>{}</code></h2>",
                escape(&c.title),
                escape(&c.id)
            );
            last_checklist = Some(&c.id);
        }
        let _ = writeln!(out, "<h2>{}</h2>", group.tier.as_str().to_uppercase());
        for item in group.items {
            render_item(&mut out, item);
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn render_item(out: &mut String, item: &ItemReport) {
    let class = if item.blocking.is_some() {
        "item blocking"
    } else {
        "item"
    };
    let status = item.status.as_str();
    let _ = writeln!(
        out,
        "<section class=\"{class}\" id=\"item-{id}\">\n<h3><code>{id}</code> {}</h3>",
        escape(&item.title),
        id = escape(&item.name())
    );
    let _ = write!(
        out,
        "<p>Probes: <span class=\"status {status}\">{status}</span>"
    );
    if let Some(s) = &item.signoff {
        let _ = write!(
            out,
            " · sign-off: <span class=\"status {state}\">{state}</span>",
            state = s.state
        );
    }
    out.push_str("</p>\n");
    if let Some(reason) = &item.blocking {
        let _ = writeln!(
            out,
            "<p><strong class=\"fail\">Blocks production:</strong> {}</p>",
            escape(reason)
        );
    }
    if !item.probes.is_empty() {
        out.push_str("<ul>\n");
        for probe in &item.probes {
            let ps = probe.status.as_str();
            let _ = write!(
                out,
                "<li><span class=\"status {ps}\">{ps}</span> <code>{}</code>: {}",
                escape(&probe.kind),
                escape(&probe.summary)
            );
            if !probe.evidence.is_empty() {
                out.push_str("<ul>");
                for e in &probe.evidence {
                    let place = match (&e.file, e.line) {
                        (Some(f), Some(l)) => format!("<code>{}:{l}</code>: ", escape(f)),
                        (Some(f), None) => format!("<code>{}</code>: ", escape(f)),
                        _ => String::new(),
                    };
                    let _ = write!(out, "<li>{place}{}</li>", escape(&e.message));
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    if let Some(s) = &item.signoff {
        for reason in &s.reasons {
            let _ = writeln!(
                out,
                "<p><span class=\"stale\">Stale:</span> {}</p>",
                escape(reason)
            );
        }
        if let Some(w) = &s.waiver {
            let _ = writeln!(
                out,
                "<p><span class=\"waived\">Waiver</span> ({}; {}): {}</p>",
                escape(&w.expiry()),
                escape(&w.approval()),
                escape(&w.reason)
            );
        }
        if !s.chain.is_empty() {
            out.push_str("<table>\n<tr><th>Record</th><th>When (UTC)</th><th>Action</th><th>By</th><th>Note</th></tr>\n");
            for e in &s.chain {
                let _ = writeln!(
                    out,
                    "<tr><td class=\"mono\">{} <span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    e.seq,
                    escape(&e.hash[..e.hash.len().min(12)]),
                    e.at,
                    e.action,
                    escape(&e.by.to_string()),
                    escape(e.note.as_deref().unwrap_or(""))
                );
            }
            out.push_str("</table>\n");
        }
    }
    if item.blocking.is_some() && !item.remediation.trim().is_empty() {
        let _ = writeln!(
            out,
            "<p><strong>Remediation</strong></p>\n<div class=\"remediation\">{}</div>",
            markdown(item.remediation.trim())
        );
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::markdown;

    #[test]
    fn remediation_markdown_is_rendered_and_never_trusted() {
        let html = markdown("Run `git rm --cached .env`:\n\n```sh\ngit rm --cached .env\n```\n");
        assert!(html.contains("<code>git rm --cached .env</code>"), "{html}");
        assert!(html.contains("<pre><code class=\"language-sh\">"), "{html}");
        assert!(!html.contains('`'), "{html}");
        let hostile = markdown(
            "<script>alert(1)</script>\n\nSee [x](javascript:alert(1)) and <b onclick=x>y</b>, ![i](https://evil.example/t.png) [ok](https://example.com)",
        );
        assert!(!hostile.contains("<script"), "{hostile}");
        assert!(!hostile.contains("<b "), "{hostile}");
        assert!(hostile.contains("&lt;script&gt;"), "{hostile}");
        assert!(!hostile.contains("href=\"javascript:"), "{hostile}");
        assert!(hostile.contains("<em>x</em>"), "{hostile}");
        assert!(!hostile.contains("<img"), "{hostile}");
        assert!(
            hostile.contains("<a href=\"https://example.com\">ok</a>"),
            "{hostile}"
        );
    }
}
