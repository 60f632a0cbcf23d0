//! Rendering cost of the terminal UI: one full frame at 200×60 with 60 items, every
//! item finished (each with a failing probe and evidence), into ratatui's TestBackend.
//! Run with `cargo bench --bench tui`; prints the median and the 99th percentile.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use preflight::base::diagnostic::SourceFile;
use preflight::checklist::load_source;
use preflight::probe::events::{ProbeId, RunEvent};
use preflight::probe::{Evidence, ProbeOutcome, ProbeResult};
use preflight::signoff::{Contents, Identity};
use preflight::tui::app::{Action, App};
use preflight::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn checklist_text(items: usize) -> String {
    let mut text = String::from("[checklist]\nid = \"bench\"\ntitle = \"Sixty items\"\n");
    for i in 0..items {
        let tier = ["critical", "recommended", "optional"][i % 3];
        text.push_str(&format!(
            "\n[[item]]\nid = \"item-{i}\"\ntier = \"{tier}\"\ntitle = \"Item number {i} with a title long enough to be cut\"\nrationale = \"Why item {i} matters, in a sentence or two that wrap in the detail pane.\"\nremediation = \"\"\"\nDo this:\n\n```sh\nfix --item {i}\n```\n\"\"\"\n\n[[item.probe]]\nkind = \"env-vars\"\nvars = [\"VAR_{i}\"]\n"
        ));
    }
    text
}

fn main() {
    let checklist = Arc::new(
        load_source(
            &SourceFile::new("bench.toml", checklist_text(60)),
            "bench",
            &preflight::probe::catalog::Catalog,
        )
        .unwrap(),
    );
    let now = "2026-11-22T12:00:00Z".parse().unwrap();
    let mut app = App::new(
        Arc::clone(&checklist),
        "production",
        Identity::parse("Jane <jane@example.com>").unwrap(),
        ".preflight/ledger.jsonl",
        Contents::default(),
        now,
        (200, 60),
    );
    app.update(Action::RunAll);
    for item in 0..60 {
        let outcome =
            ProbeOutcome::fail(format!("VAR_{item} is not set")).with_evidence((0..3).map(|e| {
                Evidence::at(
                    "deploy/compose.yml",
                    e + 1,
                    5,
                    format!("evidence line {e} of item {item}"),
                )
            }));
        let result = ProbeResult {
            kind: "env-vars".into(),
            outcome,
            elapsed: Duration::from_millis(1),
        };
        app.update(Action::Probe {
            run: 1,
            event: RunEvent::Finished(ProbeId { item, probe: 0 }, result),
        });
    }
    assert!(!app.running());
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut samples = Vec::new();
    for round in 0..500 {
        // Move the selection so the detail pane changes, as when browsing.
        if round % 10 == 0 {
            app.update(Action::Key(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Down,
            )));
        }
        let start = Instant::now();
        terminal.draw(|f| view::draw(f, &app)).unwrap();
        samples.push(start.elapsed());
    }
    samples.sort();
    println!(
        "frame at 200x60, 60 items: median {:?}, p99 {:?} (target ≤ 2 ms)",
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100]
    );
    let start = Instant::now();
    for _ in 0..100 {
        app.refresh();
    }
    println!(
        "update: rebuilding the report model for 60 items: {:?} each",
        start.elapsed() / 100
    );
}
