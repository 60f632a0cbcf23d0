//! The terminal UI without a terminal: `update()` driven by actions, screens rendered
//! into ratatui's TestBackend and compared with snapshots at 80×24 and 120×40, status
//! colours asserted cell by cell. The probe events come from a real run of the demo
//! project's probes.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use preflight::base::diagnostic::SourceFile;
use preflight::base::timestamp::Timestamp;
use preflight::checklist::{Checklist, Tier, load_source};
use preflight::commands::cli::ReportFormat;
use preflight::commands::demo;
use preflight::config::Config;
use preflight::config::EnvVars;
use preflight::probe::ProbeContext;
use preflight::probe::events::RunEvent;
use preflight::probe::kinds::command::command_lines;
use preflight::probe::runner::{self, RunOptions};
use preflight::signoff::{Contents, Identity, Intent};
use preflight::tui::app::{Action, App, Effect, Mode, Pane, Row, StatusFilter};
use preflight::tui::dialog::trust_commands::{TrustDialog, TrustLine};
use preflight::tui::dialog::{Dialog, EXPORT_FORMATS, ExportDialog, TrustCommandsDialog};
use preflight::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (60, 15)];

fn now() -> Timestamp {
    "2026-11-22T12:00:00Z".parse().unwrap()
}

fn checklist() -> Arc<Checklist> {
    Arc::new(
        load_source(
            &SourceFile::new("checklist.toml", demo::CHECKLIST),
            "demo",
            &preflight::probe::catalog::Catalog,
        )
        .unwrap(),
    )
}

/// The events of a real run of every probe on a fresh demo project.
fn demo_events(checklist: &Checklist) -> Vec<RunEvent> {
    let dir = tempfile::tempdir().unwrap();
    demo::populate(dir.path()).unwrap();
    let ctx = Arc::new(ProbeContext::new(
        dir.path().to_path_buf(),
        Arc::new(Config::default()),
        demo::DEMO_VARS.iter().copied().collect::<EnvVars>(),
    ));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let all: Vec<usize> = (0..checklist.items.len()).collect();
    rt.block_on(runner::run(
        checklist,
        &all,
        ctx,
        &RunOptions::default(),
        Some(tx),
    ));
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    events
}

/// An app on `checklist` for Jane Doe in production, with an empty ledger, before any
/// run.
fn new_app(checklist: Arc<Checklist>, size: (u16, u16)) -> App {
    App::new(
        checklist,
        "production",
        Identity::parse("Jane Doe <jane@example.com>").unwrap(),
        ".preflight/ledger.jsonl",
        Contents::default(),
        now(),
        size,
    )
}

fn app(size: (u16, u16)) -> (App, Vec<Effect>) {
    let mut app = new_app(checklist(), size);
    let effects = app.update(Action::RunAll);
    (app, effects)
}

/// An app whose first run has finished.
fn finished(size: (u16, u16)) -> App {
    let (mut app, _) = app(size);
    let events = demo_events(&app.checklist);
    for event in events {
        app.update(Action::Probe { run: 1, event });
    }
    assert!(!app.running());
    app
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(key(KeyCode::Char(c)));
    }
}

fn render(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal
}

fn snapshot(name: &str, app: &App) {
    let terminal = render(app);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!(
            format!("tui_{name}_{}x{}", app.size.0, app.size.1),
            terminal.backend()
        )
    });
}

/// The checklist index of an item and its row in the list.
fn row_of(app: &App, id: &str) -> (usize, usize) {
    let index = app.checklist.items.iter().position(|i| i.id == id).unwrap();
    let row = app
        .rows
        .iter()
        .position(|r| *r == Row::Item(index))
        .unwrap();
    (index, row)
}

fn select(app: &mut App, id: &str) {
    let (index, row) = row_of(app, id);
    let first = app
        .rows
        .iter()
        .position(|r| matches!(r, Row::Item(_)))
        .unwrap();
    app.update(key(KeyCode::Home));
    // Rows before it that are items, not tier headings.
    let steps = app.rows[first..row]
        .iter()
        .filter(|r| matches!(r, Row::Item(_)))
        .count();
    for _ in 0..steps {
        app.update(key(KeyCode::Down));
    }
    assert_eq!(app.selected, Some(index));
}

#[test]
fn the_first_run_covers_every_item_and_manual_items_are_done_at_once() {
    let (app, effects) = app((80, 24));
    assert_eq!(
        effects,
        vec![Effect::Run {
            run: 1,
            items: (0..24).collect(),
            allow_commands: false,
            env: "production".into()
        }]
    );
    assert!(app.running());
    assert_eq!(app.probe_counts(), (0, 21));
    let manual = app
        .checklist
        .items
        .iter()
        .position(|i| i.is_manual())
        .unwrap();
    assert!(
        app.item_report(manual).is_some(),
        "manual items need no probe"
    );
}

#[test]
fn results_of_a_superseded_run_are_dropped() {
    let (mut app, _) = app((80, 24));
    let events = demo_events(&app.checklist);
    // The user reruns everything before the first run reports.
    let effects = app.update(key(KeyCode::Char('R')));
    assert_eq!(
        effects,
        vec![Effect::Run {
            run: 2,
            items: (0..24).collect(),
            allow_commands: false,
            env: "production".into()
        }]
    );
    for event in events.clone() {
        app.update(Action::Probe { run: 1, event });
    }
    assert_eq!(app.probe_counts(), (0, 21), "run 1 no longer counts");
    for event in events {
        app.update(Action::Probe { run: 2, event });
    }
    assert_eq!(app.probe_counts(), (21, 21));
    // Rerunning one item supersedes only that item.
    let selected = app.selected.unwrap();
    let effects = app.update(key(KeyCode::Char('r')));
    assert_eq!(
        effects,
        vec![Effect::Run {
            run: 3,
            items: vec![selected],
            allow_commands: false,
            env: "production".into()
        }]
    );
    assert!(app.item_running(selected));
    assert!(app.running());
}

#[test]
fn keys_move_switch_panes_filter_and_quit() {
    let mut app = finished((80, 24));
    let first = app.selected.unwrap();
    app.update(key(KeyCode::Char('j')));
    assert_ne!(app.selected, Some(first));
    app.update(key(KeyCode::Up));
    assert_eq!(app.selected, Some(first));
    app.update(key(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Detail);
    app.update(key(KeyCode::Down));
    assert_eq!((app.selected, app.detail_scroll), (Some(first), 1));
    app.update(key(KeyCode::PageDown));
    assert!(app.detail_scroll > 1);
    app.update(key(KeyCode::Tab));

    app.update(key(KeyCode::Char('/')));
    assert_eq!(app.mode, Mode::Filter);
    keys(&mut app, "private key");
    assert_eq!(
        app.rows
            .iter()
            .filter(|r| matches!(r, Row::Item(_)))
            .count(),
        1
    );
    app.update(key(KeyCode::Enter));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(
        app.checklist.items[app.selected.unwrap()].id,
        "tls-key-private"
    );
    app.update(key(KeyCode::Char('/')));
    app.update(key(KeyCode::Esc));
    assert_eq!(
        app.rows
            .iter()
            .filter(|r| matches!(r, Row::Item(_)))
            .count(),
        24
    );

    app.update(key(KeyCode::Char('f')));
    assert_eq!(app.status_filter, StatusFilter::Failing);
    let failing: Vec<&str> = app
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Item(i) => Some(app.checklist.items[*i].id.as_str()),
            Row::Tier(_) | Row::Checklist(_) => None,
        })
        .collect();
    assert_eq!(
        failing,
        [
            "bind-ports-localhost",
            "env-files-not-committed",
            "env-files-gitignored",
            "credentials-from-environment",
            "tls-key-private",
            "staging-credentials-separate",
            "connection-string-tls",
            "no-hardcoded-credentials",
            "env-never-committed",
            "no-secrets-in-dockerfile",
            "development-password-strong",
            "docker-secrets",
            "pre-commit-hook",
            "parameterized-queries"
        ]
    );
    for _ in 0..4 {
        app.update(key(KeyCode::Char('f')));
    }
    assert_eq!(app.status_filter, StatusFilter::All);

    app.update(key(KeyCode::Char('?')));
    assert_eq!(app.mode, Mode::Help);
    app.update(key(KeyCode::Char('x')));
    assert_eq!(app.mode, Mode::Normal);
    assert!(!app.should_quit);

    // The tier filter; a search that finds a tier's name and the probes' evidence.
    let items = |app: &App| {
        app.rows
            .iter()
            .filter_map(|r| match r {
                Row::Item(i) => Some(app.checklist.items[*i].id.clone()),
                Row::Tier(_) | Row::Checklist(_) => None,
            })
            .collect::<Vec<_>>()
    };
    app.update(key(KeyCode::Char('t')));
    assert_eq!(app.tier_filter, Some(Tier::Critical));
    assert!(items(&app).iter().all(|id| {
        app.checklist
            .items
            .iter()
            .any(|i| &i.id == id && i.tier == Tier::Critical)
    }));
    for _ in 0..3 {
        app.update(key(KeyCode::Char('t')));
    }
    assert_eq!(app.tier_filter, None);
    app.update(key(KeyCode::Char('/')));
    keys(&mut app, "optional");
    app.update(key(KeyCode::Enter));
    let optional = items(&app);
    assert!(!optional.is_empty());
    assert!(optional.iter().all(|id| {
        app.checklist
            .items
            .iter()
            .any(|i| &i.id == id && i.tier == Tier::Optional)
            || id.contains("optional")
    }));
    // Esc with a filter on clears it, and does not quit.
    app.update(key(KeyCode::Esc));
    assert!(!app.should_quit, "Esc never quits");
    assert!(!app.filtered());
    assert_eq!(items(&app).len(), 24);
    app.update(key(KeyCode::Char('/')));
    keys(&mut app, "docker-compose.yml");
    app.update(key(KeyCode::Enter));
    assert!(
        items(&app).contains(&"bind-ports-localhost".to_string()),
        "the evidence's file name is searched: {:?}",
        items(&app)
    );
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::Esc));
    assert!(!app.should_quit, "Esc never quits");
    app.update(key(KeyCode::Char('q')));
    assert!(app.should_quit);
    assert!(!app.interrupted);
}

#[test]
fn ctrl_c_quits_as_interrupted() {
    let mut app = finished((100, 30));
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(app.should_quit && app.interrupted);
}

#[test]
fn the_mouse_selects_and_scrolls() {
    let mut app = finished((120, 40));
    let list = app.areas().list_inner();
    // Row 0 is the CRITICAL heading; row 3 is the third critical item.
    app.update(Action::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: list.x + 2,
        row: list.y + 3,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(
        app.checklist.items[app.selected.unwrap()].id,
        "env-files-not-committed"
    );
    let detail = app.areas().detail;
    app.update(Action::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: detail.x + 5,
        row: detail.y + 5,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(app.detail_scroll, 3);
}

#[test]
fn attest_dialog_records_with_the_note_and_esc_asks_before_discarding() {
    let mut app = finished((80, 24));
    select(&mut app, "rotate-production-credentials");
    app.update(key(KeyCode::Char('a')));
    keys(&mut app, "rotated, OPS-142");
    assert!(matches!(app.mode, Mode::Dialog(Dialog::Note(_))));
    app.update(key(KeyCode::Esc));
    assert!(matches!(app.mode, Mode::Dialog(Dialog::ConfirmDiscard(_))));
    app.update(key(KeyCode::Char('n')));
    let effects = app.update(key(KeyCode::Enter));
    assert_eq!(effects.len(), 1);
    let Effect::Record {
        intent,
        result,
        note,
        ..
    } = &effects[0]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(*intent, Intent::Attest);
    assert_eq!(note.as_deref(), Some("rotated, OPS-142"));
    assert_eq!(
        app.checklist.items[result.item].id,
        "rotate-production-credentials"
    );
    assert_eq!(app.mode, Mode::Normal);
    // Esc on an empty dialog closes it at once.
    app.update(key(KeyCode::Char('A')));
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn waive_dialog_validates_the_expiry_as_typed() {
    let mut app = finished((80, 24));
    select(&mut app, "env-files-not-committed");
    app.update(key(KeyCode::Char('w')));
    keys(&mut app, "history rewrite scheduled");
    app.update(key(KeyCode::Tab));
    keys(&mut app, "2026-13-01");
    assert!(
        app.update(key(KeyCode::Enter)).is_empty(),
        "an invalid date records nothing"
    );
    assert!(app.message.as_ref().unwrap().error);
    for _ in 0..5 {
        app.update(key(KeyCode::Backspace));
    }
    keys(&mut app, "12-31");
    let effects = app.update(key(KeyCode::Enter));
    let [
        Effect::Record {
            intent: Intent::Waive(w),
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(w.reason, "history rewrite scheduled");
    assert_eq!(w.expires, Some("2027-01-01T00:00:00Z".parse().unwrap()));
}

#[test]
fn screens_match_their_snapshots() {
    for size in SIZES {
        let (app, _) = app(size);
        snapshot("first_frame", &app);

        let (mut running, _) = app_with_started(size);
        running.update(Action::Tick(now()));
        snapshot("probes_running", &running);

        let mut failed = finished(size);
        select(&mut failed, "bind-ports-localhost");
        if failed.single_pane() {
            // One pane at a time: Enter opens the details, Esc returns to the list.
            failed.update(key(KeyCode::Enter));
            assert_eq!(failed.focus, Pane::Detail);
            let mut back = failed.clone();
            back.update(key(KeyCode::Esc));
            assert_eq!(back.focus, Pane::List);
            assert!(!back.should_quit);
        }
        snapshot("failed_item", &failed);

        let mut attest = finished(size);
        select(&mut attest, "rotate-production-credentials");
        attest.update(key(KeyCode::Char('a')));
        keys(&mut attest, "rotated, see OPS-142");
        snapshot("attest_dialog", &attest);

        let mut waive = finished(size);
        select(&mut waive, "env-files-not-committed");
        waive.update(key(KeyCode::Char('w')));
        keys(&mut waive, "history rewrite scheduled");
        waive.update(key(KeyCode::Tab));
        keys(&mut waive, "31/12/2026");
        snapshot("waive_invalid_date", &waive);

        let mut help = finished(size);
        help.update(key(KeyCode::Char('?')));
        snapshot("help", &help);

        let mut filter = finished(size);
        filter.update(key(KeyCode::Char('/')));
        keys(&mut filter, "env");
        snapshot("filter", &filter);
    }
}

/// An app whose probes have all started and none finished.
fn app_with_started(size: (u16, u16)) -> (App, ()) {
    let (mut app, _) = app(size);
    let events = demo_events(&app.checklist);
    for event in events {
        if let RunEvent::Started(_) = event {
            app.update(Action::Probe { run: 1, event });
        }
    }
    assert!(app.running());
    (app, ())
}

#[test]
fn status_colours_carry_meaning() {
    let app = finished((120, 40));
    let terminal = render(&app);
    let buffer = terminal.backend().buffer();
    let list = app.areas().list_inner();
    let symbol = |id: &str| {
        let (_, row) = row_of(&app, id);
        buffer[(list.x + 1, list.y + row as u16)].clone()
    };
    let fail = symbol("bind-ports-localhost");
    assert_eq!((fail.symbol(), fail.fg), ("✗", Color::Red));
    let pass = symbol("bind-ports-localhost-production");
    assert_eq!((pass.symbol(), pass.fg), ("✓", Color::Green));
    let manual = symbol("rotate-production-credentials");
    assert_eq!((manual.symbol(), manual.fg), ("?", Color::Cyan));

    let mut plain = finished((120, 40));
    plain.color = false;
    let terminal = render(&plain);
    let cell = terminal.backend().buffer()[(list.x + 1, list.y + 1)].clone();
    assert_eq!(
        (cell.symbol(), cell.fg),
        ("✗", Color::Reset),
        "NO_COLOR: no colour"
    );
}

#[test]
fn a_small_terminal_stays_usable() {
    let app = finished((80, 24));
    let terminal = render(&app);
    let text = format!("{}", terminal.backend());
    assert!(text.contains("NO-GO"), "{text}");
    assert!(text.contains("a attest"), "{text}");
    let mut app = app;
    app.update(Action::Resize(60, 15));
    let terminal = render(&app);
    assert!(format!("{}", terminal.backend()).contains("Items"));
}

/// A checklist that is not shipped with preflight, with three commands over two items
/// and a manual item.
const COMMANDS_CHECKLIST: &str = r#"
[checklist]
id = "custom"
title = "Custom checks"

[[item]]
id = "version-pinned"
tier = "critical"
title = "The release is pinned"

[[item.probe]]
kind = "command"
argv = ["grep", "-q", "release 1.2", "VERSION"]

[[item.probe]]
kind = "command"
argv = ["test", "-f", "Cargo.lock"]

[[item]]
id = "health-endpoint"
tier = "recommended"
title = "The service answers its health check"

[[item.probe]]
kind = "command"
shell = true
argv = ["curl -fsS --max-time 2 http://127.0.0.1:8080/health | grep -q '\"status\":\"ok\"' && echo healthy-and-ready"]

[[item]]
id = "runbook"
tier = "optional"
title = "The runbook is up to date"
"#;

fn commands_app(size: (u16, u16)) -> App {
    let checklist = Arc::new(
        load_source(
            &SourceFile::new("checklist.toml", COMMANDS_CHECKLIST),
            "custom",
            &preflight::probe::catalog::Catalog,
        )
        .unwrap(),
    );
    let mut app = new_app(checklist, size);
    app.ask_before_commands(command_lines(&app.checklist));
    app
}

#[test]
fn commands_are_listed_as_they_will_run() {
    let app = commands_app((80, 24));
    let listed: Vec<(&str, &str)> = app
        .untrusted_commands
        .iter()
        .map(|c| (c.item.as_str(), c.command.as_str()))
        .collect();
    assert_eq!(
        listed,
        vec![
            // The argument with a space is quoted: these are the words that run.
            ("version-pinned", "grep -q \"release 1.2\" VERSION"),
            ("version-pinned", "test -f Cargo.lock"),
            (
                "health-endpoint",
                "sh -c \"curl -fsS --max-time 2 http://127.0.0.1:8080/health | grep -q '\\\"status\\\":\\\"ok\\\"' && echo healthy-and-ready\""
            ),
        ]
    );
    // The demo is shipped and runs no command: nothing to ask.
    assert!(command_lines(&checklist()).is_empty());
}

#[test]
fn commands_of_an_untrusted_checklist_run_only_after_yes() {
    let mut app = commands_app((80, 24));
    // The first run waits for the answer.
    assert_eq!(app.update(Action::RunAll), vec![]);
    assert_eq!(
        app.mode,
        Mode::Dialog(Dialog::TrustCommands(TrustCommandsDialog { scroll: 0 }))
    );
    assert!(app.running(), "nothing has run yet");
    // Other keys do nothing while asking.
    assert_eq!(app.update(key(KeyCode::Char('a'))), vec![]);
    assert_eq!(app.update(key(KeyCode::Char('R'))), vec![]);
    assert_eq!(
        app.mode,
        Mode::Dialog(Dialog::TrustCommands(TrustCommandsDialog { scroll: 0 }))
    );
    let effects = app.update(key(KeyCode::Char('y')));
    assert_eq!(
        effects,
        vec![Effect::Run {
            run: 1,
            items: vec![0, 1, 2],
            allow_commands: true,
            env: "production".into()
        }]
    );
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.commands_allowed, Some(true));
    // Reruns keep the answer and do not ask again.
    let effects = app.update(key(KeyCode::Char('R')));
    assert_eq!(
        effects,
        vec![Effect::Run {
            run: 2,
            items: vec![0, 1, 2],
            allow_commands: true,
            env: "production".into()
        }]
    );
    let effects = app.update(key(KeyCode::Char('r')));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Run {
                allow_commands: true,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn no_or_esc_skips_the_commands_and_q_quits_without_running() {
    for answer in [KeyCode::Char('n'), KeyCode::Esc] {
        let mut app = commands_app((80, 24));
        app.update(Action::RunAll);
        let effects = app.update(key(answer));
        assert_eq!(
            effects,
            vec![Effect::Run {
                run: 1,
                items: vec![0, 1, 2],
                allow_commands: false,
                env: "production".into()
            }],
            "{answer:?}"
        );
        assert_eq!(app.commands_allowed, Some(false));
        assert!(
            app.message
                .as_ref()
                .is_some_and(|m| m.text.contains("skipped") && m.text.contains("--allow-commands")),
            "{:?}",
            app.message
        );
        assert_eq!(
            app.update(Action::RunAll),
            vec![Effect::Run {
                run: 2,
                items: vec![0, 1, 2],
                allow_commands: false,
                env: "production".into()
            }],
            "not asked again"
        );
    }
    let mut app = commands_app((80, 24));
    app.update(Action::RunAll);
    assert_eq!(app.update(key(KeyCode::Char('q'))), vec![]);
    assert!(app.should_quit);
    assert_eq!(app.commands_allowed, None);
}

#[test]
fn a_long_command_list_scrolls_and_is_never_cut() {
    // 12 rows leave room for 3 lines of the list. At 40 columns it has 8: an item,
    // two commands, an item and its command wrapped onto four lines.
    let mut app = commands_app((40, 12));
    let dialog = TrustDialog::new(
        ratatui::layout::Rect::new(0, 0, 40, 12),
        &app.untrusted_commands,
    );
    assert_eq!((dialog.lines.len(), dialog.room), (8, 3));
    app.update(Action::RunAll);
    for _ in 0..10 {
        app.update(key(KeyCode::Down));
    }
    let Mode::Dialog(Dialog::TrustCommands(TrustCommandsDialog { scroll })) = app.mode else {
        panic!("{:?}", app.mode)
    };
    assert_eq!(scroll, 5, "stops when the last line is in view");
    let screen = format!("{}", render(&app).backend());
    assert!(screen.contains("healthy-and-ready"), "{screen}");
    app.update(key(KeyCode::Home));
    for _ in 0..10 {
        app.update(key(KeyCode::Up));
    }
    let screen = format!("{}", render(&app).backend());
    assert!(screen.contains("more lines (↓ to scroll)"), "{screen}");
    // Every character of every command is somewhere in the list, in order.
    let dialog = TrustDialog::new(
        ratatui::layout::Rect::new(0, 0, 40, 12),
        &app.untrusted_commands,
    );
    let text: String = dialog
        .lines
        .iter()
        .filter_map(|l| match l {
            TrustLine::Command { text, .. } => Some(text.as_str()),
            TrustLine::Item(_) => None,
        })
        .collect();
    let whole: String = app
        .untrusted_commands
        .iter()
        .map(|c| c.command.as_str())
        .collect();
    assert_eq!(text, whole);
}

#[test]
fn the_command_question_matches_its_snapshots() {
    for size in SIZES {
        let mut app = commands_app(size);
        app.update(Action::RunAll);
        snapshot("trust_commands", &app);
    }
}

#[test]
fn export_waits_for_the_probes_then_offers_every_format() {
    let (mut app, _) = app((80, 24));
    app.update(key(KeyCode::Char('e')));
    assert_eq!(app.mode, Mode::Normal, "refused while probes run");
    assert!(app.message.as_ref().is_some_and(|m| m.error));

    let mut app = finished((80, 24));
    app.update(key(KeyCode::Char('e')));
    assert_eq!(
        app.mode,
        Mode::Dialog(Dialog::Export(ExportDialog { selected: 0 }))
    );
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Char('j')));
    app.update(key(KeyCode::Up));
    assert_eq!(
        app.mode,
        Mode::Dialog(Dialog::Export(ExportDialog { selected: 1 }))
    );
    for _ in 0..10 {
        app.update(key(KeyCode::Down));
    }
    assert_eq!(
        app.mode,
        Mode::Dialog(Dialog::Export(ExportDialog {
            selected: EXPORT_FORMATS.len() - 1
        })),
        "stops at the last format"
    );
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Effect::Export(ReportFormat::Sarif)]
    );
    app.update(key(KeyCode::Char('e')));
    app.update(key(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal, "Esc closes it");
}

/// Everything a rendered screen shows, cell by cell.
fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for (i, cell) in buffer.content().iter().enumerate() {
        if i > 0 && i % usize::from(buffer.area.width) == 0 {
            out.push('\n');
        }
        out.push_str(cell.symbol());
    }
    out
}

#[test]
fn a_hostile_project_never_reaches_the_screen_raw() {
    const CANARY: &str = "Canary-Tui-Secret-51c2e8";
    const CANARY_ENV: &str = "Canary-Dotenv-Secret-0d9b44";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        "services:\n  \"db\u{1b}]0;pwned\u{7}\u{1b}[2J\":\n    image: \"postgres:${PG_PASSWORD}\"\n    ports: [\"${APP_SECRET}:5432\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".env"),
        format!("APP_SECRET={CANARY_ENV}\n"),
    )
    .unwrap();
    // A lookalike of the shipped checklist whose item title carries escapes.
    let shipped = include_str!("../../checklists/postgres-production.toml");
    let header = &shipped[..shipped.find("[[item]]").unwrap()];
    let text = format!(
        "{header}[[item]]\nid = \"bind-ports-localhost\"\ntier = \"critical\"\ntitle = \"Ports \\u001b[31mred\\u0007\"\n\n[[item.probe]]\nkind = \"compose-ports\"\n"
    );
    let checklist = Arc::new(
        load_source(
            &SourceFile::new("ops/checklist.toml", text),
            "ops/checklist.toml",
            &preflight::probe::catalog::Catalog,
        )
        .unwrap(),
    );
    let ctx = Arc::new(ProbeContext::new(
        dir.path().to_path_buf(),
        Arc::new(Config::default()),
        [("PG_PASSWORD", CANARY)].into_iter().collect::<EnvVars>(),
    ));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    rt.block_on(runner::run(
        &checklist,
        &[0],
        ctx,
        &RunOptions::default(),
        Some(tx),
    ));
    let mut app = new_app(checklist, (160, 50));
    app.update(Action::RunAll);
    while let Ok(event) = rx.try_recv() {
        app.update(Action::Probe { run: 1, event });
    }
    assert!(!app.running());
    select(&mut app, "bind-ports-localhost");
    let shown = screen_text(&render(&app));
    assert!(shown.contains("NOT the shipped checklist"), "{shown}");
    assert!(shown.contains("${APP_SECRET}:5432"), "{shown}");
    assert!(shown.contains("Ports \\x1b[31mred\\x07"), "{shown}");
    assert!(shown.contains("db\\x1b]0;pwned\\x07\\x1b[2J"), "{shown}");
    assert!(
        !shown.contains(CANARY) && !shown.contains(CANARY_ENV),
        "{shown}"
    );
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "a control character reached the screen"
    );
}

/// Sign-off keys that cannot apply are refused before a dialog opens, and a refusal
/// too long for the status line opens whole, with its way out.
#[test]
fn refusals_come_before_the_dialog_and_are_never_cut() {
    let mut app = finished((100, 30));
    select(&mut app, "bind-ports-localhost");
    app.update(key(KeyCode::Char('a')));
    let Mode::Dialog(Dialog::Message(m)) = &app.mode else {
        panic!("expected the refusal, got {:?}", app.mode);
    };
    assert!(m.error);
    assert!(
        m.text.contains("cannot be attested while its probes fail"),
        "{}",
        m.text
    );
    assert!(m.text.contains("fix it, or waive it"), "{}", m.text);
    let screen = screen_text(&render(&app));
    assert!(
        screen.contains("fix it, or waive"),
        "the way out is on screen:\n{screen}"
    );
    // Any key closes it; nothing was opened behind it.
    app.update(key(KeyCode::Char('x')));
    assert_eq!(app.mode, Mode::Normal);
    // Nothing to approve or revoke on a pending item.
    app.update(key(KeyCode::Char('A')));
    let text = match &app.mode {
        Mode::Dialog(Dialog::Message(m)) => m.text.clone(),
        _ => app.message.clone().map(|m| m.text).unwrap_or_default(),
    };
    assert!(
        text.contains("has no attestation or waiver in production to approve"),
        "{text}"
    );
    app.update(key(KeyCode::Char('x')));
    app.update(key(KeyCode::Char('u')));
    let text = match &app.mode {
        Mode::Dialog(Dialog::Message(m)) => m.text.clone(),
        _ => app.message.clone().map(|m| m.text).unwrap_or_default(),
    };
    assert!(text.contains("to revoke"), "{text}");
    assert!(!matches!(app.mode, Mode::Dialog(Dialog::Note(_))));
}

/// `E` moves to the next environment: sign-offs and probes follow it.
#[test]
fn e_switches_the_environment_and_reruns_against_it() {
    let mut app = finished((120, 40));
    let effects = app.update(key(KeyCode::Char('E')));
    assert!(effects.is_empty(), "one environment: nothing to switch to");
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.text.contains("only one environment")),
        "{:?}",
        app.message
    );
    app.environments = vec!["production".into(), "staging".into()];
    let effects = app.update(key(KeyCode::Char('E')));
    assert_eq!(app.env, "staging");
    let [Effect::Run { items, env, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(env, "staging");
    assert_eq!(items.len(), app.checklist.items.len());
    let screen = screen_text(&render(&app));
    assert!(screen.contains("env staging"), "{screen}");
    app.update(key(KeyCode::Char('E')));
    assert_eq!(app.env, "production");
}

/// The header keeps who signs and the ledger's state at every width, abbreviating the
/// counts first.
#[test]
fn the_header_never_drops_identity_or_ledger() {
    for width in [60, 80, 100, 120] {
        let app = finished((width, 24));
        let screen = screen_text(&render(&app));
        let header = screen.lines().nth(1).unwrap_or_default().to_string();
        assert!(header.contains("as Jane Doe"), "{width}: {header}");
        if width >= 80 {
            assert!(header.contains("ledger 0 records"), "{width}: {header}");
        }
    }
}

/// On a small terminal the help scrolls, so every key can be read.
#[test]
fn the_help_scrolls_on_a_small_terminal() {
    let mut app = finished((60, 15));
    app.update(key(KeyCode::Char('?')));
    let first = screen_text(&render(&app));
    assert!(first.contains("Keys (1-"), "{first}");
    assert!(
        !first.contains("quit (Ctrl-C"),
        "the last key is below: {first}"
    );
    for _ in 0..20 {
        app.update(key(KeyCode::Down));
    }
    assert_eq!(app.mode, Mode::Help, "arrows scroll, they do not close");
    let last = screen_text(&render(&app));
    assert!(last.contains("quit (Ctrl-C"), "{last}");
    app.update(key(KeyCode::Char('x')));
    assert_eq!(app.mode, Mode::Normal);
}

/// A project without configuration opens on one screen saying what to do.
#[test]
fn an_unconfigured_project_is_welcomed_once() {
    let mut app = finished((100, 30));
    app.welcome("This project has no preflight.toml. … `preflight init` writes one");
    let screen = screen_text(&render(&app));
    assert!(screen.contains("preflight init"), "{screen}");
    app.update(key(KeyCode::Char('x')));
    assert_eq!(app.mode, Mode::Normal);
    assert!(!app.should_quit);
    // q on it quits: there is nothing typed to lose.
    app.welcome("This project has no preflight.toml.");
    let screen = screen_text(&render(&app));
    assert!(
        screen.contains("i run preflight init"),
        "the footer offers it: {screen}"
    );
    app.update(key(KeyCode::Char('q')));
    assert!(app.should_quit);
    assert!(!app.init_requested);
    // i leaves to run `preflight init`; elsewhere i does nothing of the kind.
    let mut app = finished((100, 30));
    app.update(key(KeyCode::Char('i')));
    assert!(!app.should_quit);
    app.welcome("This project has no preflight.toml.");
    app.update(key(KeyCode::Char('i')));
    assert!(app.should_quit && app.init_requested);
}

/// The matrix (`m`) checks every other environment in a run of its own and shows each
/// item's status per environment; `E` and `R` refresh it, `m` closes it.
#[test]
fn the_matrix_shows_every_environment_side_by_side() {
    let mut app = finished((120, 40));
    app.update(key(KeyCode::Char('m')));
    assert!(app.matrix.is_none(), "one environment: nothing to compare");
    assert!(
        app.message
            .as_ref()
            .is_some_and(|m| m.text.contains("only one is configured")),
        "{:?}",
        app.message
    );
    app.environments = vec!["production".into(), "staging".into()];
    let effects = app.update(key(KeyCode::Char('m')));
    let [
        Effect::Survey {
            run, items, env, ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert_eq!(env, "staging");
    assert_eq!(items.len(), app.checklist.items.len());
    let run = *run;
    // Until staging's run ends its column spins; production's is the list's own.
    let screen = screen_text(&render(&app));
    assert!(screen.contains("production staging"), "{screen}");
    let (_, row) = row_of(&app, "bind-ports-localhost");
    let line = screen
        .lines()
        .nth(app.areas().list_inner().y as usize + row)
        .unwrap();
    // Each column as wide as its name: production's ✗, then staging's spinner.
    assert!(line.contains("✗          ⠋      │"), "{line}");

    // Staging's results: everything passes but one item that errors.
    let mut results: Vec<_> = app
        .progress
        .iter()
        .filter_map(|p| p.result.clone())
        .collect();
    let bind = app
        .checklist
        .items
        .iter()
        .position(|i| i.id == "bind-ports-localhost")
        .unwrap();
    for r in &mut results {
        r.status = if r.item == bind {
            preflight::probe::ItemStatus::Error
        } else {
            preflight::probe::ItemStatus::Pass
        };
    }
    // A superseded survey's results are dropped.
    app.update(Action::Surveyed {
        run: run + 100,
        results: Vec::new(),
    });
    app.update(Action::Surveyed { run, results });
    let terminal = render(&app);
    let screen = screen_text(&terminal);
    let line = screen
        .lines()
        .nth(app.areas().list_inner().y as usize + row)
        .unwrap();
    assert!(line.contains("✗          !      │"), "{line}");
    let buffer = terminal.backend().buffer();
    let list = app.areas().list_inner();
    let cell = &buffer[(list.x + list.width - 7, list.y + row as u16)];
    assert_eq!((cell.symbol(), cell.fg), ("!", Color::Yellow));
    snapshot("matrix", &app);

    // E checks staging in the list; production gets a survey of its own.
    let effects = app.update(key(KeyCode::Char('E')));
    let surveyed: Vec<&str> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Survey { env, .. } => Some(env.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(surveyed, ["production"]);
    let effects = app.update(key(KeyCode::Char('R')));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Survey { env, .. } if env == "production")),
        "{effects:?}"
    );
    app.update(key(KeyCode::Char('m')));
    assert!(app.matrix.is_none());
    let screen = screen_text(&render(&app));
    assert!(!screen.contains("production staging"), "{screen}");
}

/// A run of several checklists lists items under their checklist, then tier; search
/// finds a checklist by id.
#[test]
fn several_checklists_are_grouped_by_checklist() {
    let other = load_source(
        &SourceFile::new("other.toml", COMMANDS_CHECKLIST),
        "other.toml",
        &preflight::probe::catalog::Catalog,
    )
    .unwrap();
    let combined = Checklist::combine(vec![(*checklist()).clone(), other]);
    let mut app = new_app(Arc::new(combined), (120, 40));
    app.update(Action::RunAll);
    assert_eq!(app.rows.first(), Some(&Row::Checklist(0)));
    let second = app
        .rows
        .iter()
        .position(|r| *r == Row::Checklist(1))
        .expect("the second checklist's heading");
    assert_eq!(app.rows[second + 1], Row::Tier(Tier::Critical));
    let screen = screen_text(&render(&app));
    assert!(screen.contains("▌Custom checks (custom)"), "{screen}");
    assert!(screen.contains("(2 checklists)"), "{screen}");
    app.update(key(KeyCode::Char('/')));
    keys(&mut app, "custom");
    app.update(key(KeyCode::Enter));
    let ids: Vec<String> = app
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Item(i) => Some(app.checklist.items[*i].id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["version-pinned", "health-endpoint", "runbook"]);
    // The details name the item's checklist.
    let screen = screen_text(&render(&app));
    assert!(screen.contains("custom/version-pinned"), "{screen}");
}

/// The demo opens before its database is up: the database items wait, saying why,
/// and run when it is ready (or say what they find when it never is).
#[test]
fn held_items_wait_for_the_demo_database_then_run() {
    for outcome in [
        Ok("demo database: a throwaway PostgreSQL cluster on 127.0.0.1:5999".to_string()),
        Err("the demo database could not start (initdb failed)".to_string()),
    ] {
        let mut app = new_app(checklist(), (120, 40));
        app.environments = vec!["production".into(), "staging".into()];
        let (held, _) = row_of(&app, "bind-ports-localhost");
        app.hold(vec![held], "starting the demo database…");
        let effects = app.update(Action::RunAll);
        let [Effect::Run { items, .. }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert!(!items.contains(&held), "a held item does not run");
        assert_eq!(items.len(), app.checklist.items.len() - 1);
        // Rerunning it (r) or everything (R) keeps it waiting.
        select(&mut app, "bind-ports-localhost");
        let effects = app.update(key(KeyCode::Char('r')));
        assert!(effects.is_empty(), "{effects:?}");
        assert!(
            app.message
                .as_ref()
                .is_some_and(|m| m.text == "it runs when ready: starting the demo database…"),
            "{:?}",
            app.message
        );
        let screen = screen_text(&render(&app));
        assert!(screen.contains("starting the demo database…"), "{screen}");
        app.update(key(KeyCode::Char('m')));
        assert!(app.matrix.is_none(), "the matrix waits too");

        let error = outcome.is_err();
        let effects = app.update(Action::Released(outcome));
        let [Effect::Run { items, .. }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert_eq!(items, &[held]);
        assert!(app.held.is_none());
        let message = app.message.clone().expect("the outcome is said");
        assert_eq!(message.error, error);
        // Released once: a second word changes nothing.
        assert!(app.update(Action::Released(Ok(String::new()))).is_empty());
    }
}

/// A probe run on several hosts shows each group of hosts' verdict under the probe,
/// with what they found nested beneath it.
#[test]
fn per_host_results_show_under_the_probe() {
    use preflight::probe::events::ProbeId;
    use preflight::probe::{Evidence, ProbeOutcome, ProbeResult};
    let source = "[checklist]\nid = \"t\"\ntitle = \"Replicas\"\n\n[[item]]\nid = \"logging\"\ntier = \"critical\"\ntitle = \"Connections are logged\"\n\n[[item.probe]]\nkind = \"postgres-settings\"\nsettings = { log_connections = true }\n";
    let checklist = Arc::new(
        load_source(
            &SourceFile::new("checklist.toml", source),
            "t",
            &preflight::probe::catalog::Catalog,
        )
        .unwrap(),
    );
    let host = |name: &str, on: bool| {
        let outcome = if on {
            ProbeOutcome::pass(format!("1 setting as expected on app@{name}/app"))
                .with_evidence([Evidence::note("log_connections = on (expected = on)").passing()])
        } else {
            ProbeOutcome::fail(format!(
                "1 setting not as expected on app@{name}/app: log_connections"
            ))
            .with_evidence([Evidence::note("log_connections = off, expected = on").failing()])
        };
        (name.to_string(), outcome)
    };
    let merged = ProbeOutcome::across_hosts(vec![
        host("db-1:5432", true),
        host("db-2:5432", false),
        host("db-3:5432", true),
        host("db-4:5432", false),
    ]);
    let mut app = new_app(checklist, (150, 20));
    app.update(Action::RunAll);
    let id = ProbeId { item: 0, probe: 0 };
    for event in [
        RunEvent::Started(id),
        RunEvent::Finished(
            id,
            ProbeResult {
                kind: "postgres-settings".into(),
                outcome: merged,
                elapsed: std::time::Duration::from_millis(40),
            },
        ),
    ] {
        app.update(Action::Probe { run: 1, event });
    }
    select(&mut app, "logging");
    let screen = format!("{}", render(&app).backend());
    for want in [
        "fail    postgres-settings: fails on 2 of 4 hosts: db-2:5432, db-4:5432 (2 pass)",
        "✓ db-1:5432, db-3:5432: pass: 1 setting as expected on app@each host/app",
        "  ✓ 2 hosts: log_connections = on (expected = on)",
        "✗ db-2:5432, db-4:5432: fail: 1 setting not as expected on app@each host/app:",
        "  ✗ 2 hosts: log_connections = off, expected = on",
    ] {
        assert!(screen.contains(want), "{want}\n{screen}");
    }
    snapshot("per_host_results", &app);
}
