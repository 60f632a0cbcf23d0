//! The interactive terminal UI: the event loop that owns the terminal.
//!
//! [`app`] holds the state and its `update()`; [`dialog`] has one file per dialog
//! (its state, its keys returning a reply, its drawing); [`view`] draws the screen
//! from `&App`; [`layout`] places the panes; this module feeds
//! terminal events, probe events, ticks and signals to `update()` and carries out the
//! effects it returns (runs, sign-offs, exports) on tokio tasks, so the screen never
//! waits for a probe.

pub mod app;
pub mod dialog;
pub mod input;
pub mod layout;
pub mod view;
mod watch;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use futures_util::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::base::timestamp::Timestamp;
use crate::checklist::Checklist;
use crate::probe::ProbeContext;
use crate::probe::consent;
use crate::probe::runner::{self, RunOptions};
use crate::report;
use crate::signoff::{Contents, Identity, Ledger, Request, Trust, past_tense};
use crate::system::ssh::Signer;
use app::{Action, App, Effect};

/// Everything the UI needs to run a project's checklist.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The checklist.
    pub checklist: Arc<Checklist>,
    /// Where probes run.
    pub ctx: Arc<ProbeContext>,
    /// Concurrency and timeouts.
    pub options: RunOptions,
    /// The sign-off ledger.
    pub ledger: Ledger,
    /// Its path, for people.
    pub ledger_display: String,
    /// The environment.
    pub env: String,
    /// Every configured environment (`E` switches between them).
    pub environments: Vec<String>,
    /// Who signs.
    pub identity: Identity,
    /// The key that signs, if any.
    pub signer: Option<Arc<Signer>>,
    /// Who may sign what.
    pub trust: Arc<Trust>,
    /// Where exported reports go.
    pub export_dir: PathBuf,
    /// A message for the status line when the UI opens.
    pub notice: Option<String>,
    /// A first screen for a project without configuration (shown whole; any key
    /// closes it).
    pub welcome: Option<String>,
    /// Items whose probes wait for something (the demo's database) before they run.
    pub hold: Option<Hold>,
}

/// Items held back until something they need is ready.
#[derive(Debug, Clone)]
pub struct Hold {
    /// Checklist indexes.
    pub items: Vec<usize>,
    /// What they wait for, for people.
    pub why: String,
    /// Says when it is ready (`Ok`, a message) or will never be (`Err`, why); taken
    /// by the UI when it opens.
    pub ready: Ready,
}

/// How a [`Hold`] is released: once, by whoever takes the receiver.
pub type Ready = Arc<std::sync::Mutex<Option<oneshot::Receiver<Result<String, String>>>>>;

/// Why the UI could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// Standard output is not a terminal.
    #[error(
        "the terminal UI needs a terminal; in scripts and CI use `preflight check`, `preflight status` or `preflight report`"
    )]
    NotATerminal,
    /// The terminal or the runtime failed.
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
}

/// How the UI ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `q`, a dialog's quit, SIGTERM, SIGHUP or the terminal gone.
    Quit,
    /// Ctrl-C or SIGINT.
    Interrupted,
    /// `i` on the welcome: run `preflight init`, then open the UI again.
    Init,
}

/// Runs the UI until the user quits or a signal arrives. The terminal is restored on
/// every way out: return, error, panic (the hook prints the message after restoring),
/// SIGTERM, SIGINT and SIGHUP.
pub fn run(setup: Setup) -> Result<Ending, TuiError> {
    if !std::io::stdout().is_terminal() {
        return Err(TuiError::NotATerminal);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = rt.block_on(run_async(setup));
    // Probes still running when the user quits are not waited for, and nothing they
    // started outlives the UI.
    rt.shutdown_background();
    crate::system::process::kill_all();
    result
}

/// Reads the ledger and assesses its records under `trust`.
fn read_ledger(ledger: &Ledger, trust: &Trust) -> Result<Contents, String> {
    trust.read(ledger).map_err(|e| e.to_string())
}

async fn run_async(setup: Setup) -> Result<Ending, TuiError> {
    let (ledger, ledger_error) = match read_ledger(&setup.ledger, &setup.trust) {
        Ok(c) => (c, None),
        Err(e) => (Default::default(), Some(e.to_string())),
    };
    // Our own panic hook in place of ratatui's: its restore prints with `eprintln!`,
    // which panics when the terminal is gone (a closed tmux pane), and a panic inside
    // the hook aborts, skipping every destructor (the demo's database among them).
    let default_hook = std::panic::take_hook();
    let mut terminal = ratatui::try_init()?;
    let _ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        default_hook(info);
    }));
    let result = event_loop(&mut terminal, &setup, ledger, ledger_error).await;
    restore();
    result
}

/// Gives the terminal back (mouse capture off, raw mode off, main screen), ignoring
/// failures: the terminal may already be gone.
fn restore() {
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    let _ = ratatui::try_restore();
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    setup: &Setup,
    ledger: crate::signoff::Contents,
    ledger_error: Option<String>,
) -> Result<Ending, TuiError> {
    crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
    let size = terminal.size()?;
    let mut app = App::new(
        Arc::clone(&setup.checklist),
        &setup.env,
        setup.identity.clone(),
        &setup.ledger_display,
        ledger,
        Timestamp::now(),
        (size.width, size.height),
    );
    app.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if setup.environments.contains(&setup.env) {
        app.environments = setup.environments.clone();
    }
    let foreign = consent::needing_consent(&setup.checklist, &setup.ctx);
    if !foreign.is_empty() {
        app.ask_before_commands(foreign);
    }
    if let Some(notice) = &setup.notice {
        app.update(Action::Recorded(Ok(notice.clone())));
    }
    if let Some(why) = ledger_error {
        app.update(Action::Ledger(Err(why)));
    }
    if let Some(text) = &setup.welcome {
        app.welcome(text);
    }
    // The first frame goes out before any probe has run.
    terminal.draw(|f| view::draw(f, &app))?;

    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let mut runs: Vec<JoinHandle<()>> = Vec::new();
    // Kept until the UI closes; without it (no ledger folder yet, no inotify) the
    // ledger is still read again after the UI's own records.
    let _watcher = watch::start(setup.ledger.clone(), Arc::clone(&setup.trust), tx.clone()).ok();
    // Held items wait; the rest run at once.
    if let Some(hold) = &setup.hold {
        app.hold(hold.items.clone(), &hold.why);
        let ready = hold.ready.lock().ok().and_then(|mut r| r.take());
        if let Some(ready) = ready {
            let tx = tx.clone();
            tokio::spawn(async move {
                let outcome = ready.await.unwrap_or_else(|_| {
                    Err("what the held items wait for ended without a word".into())
                });
                let _ = tx.send(Action::Released(outcome));
            });
        }
    }
    // With commands to confirm, this opens the question instead of running.
    let effects = app.update(Action::RunAll);
    carry_out(effects, &app, setup, &tx, &mut runs);

    let mut events = EventStream::new();
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut next_tick = tokio::time::Instant::now();
    loop {
        next_tick += if app.running() {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(1)
        };
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Action::Key(key),
                Some(Ok(Event::Mouse(mouse))) => Action::Mouse(mouse),
                Some(Ok(Event::Resize(w, h))) => Action::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => Action::Quit,
            },
            Some(action) = rx.recv() => action,
            _ = tokio::time::sleep_until(next_tick) => Action::Tick(Timestamp::now()),
            _ = terminate.recv() => Action::Quit,
            _ = interrupt.recv() => Action::Interrupt,
            _ = hangup.recv() => Action::Quit,
        };
        let mut effects = app.update(action);
        // Drain a burst (probe events arrive many at a time) before drawing once.
        while let Ok(action) = rx.try_recv() {
            effects.extend(app.update(action));
        }
        carry_out(effects, &app, setup, &tx, &mut runs);
        if app.should_quit {
            break;
        }
        terminal.draw(|f| view::draw(f, &app))?;
    }
    for run in runs {
        run.abort();
    }
    Ok(if app.interrupted {
        Ending::Interrupted
    } else if app.init_requested {
        Ending::Init
    } else {
        Ending::Quit
    })
}

/// The probes' context for a run against `env`: the same context (and Key Vault
/// cache) as the UI's, with the user's yes to commands if given.
fn run_context(setup: &Setup, allow_commands: bool, env: String) -> Arc<ProbeContext> {
    Arc::new(ProbeContext {
        allow_commands: allow_commands || setup.ctx.allow_commands,
        allow_project_programs: allow_commands || setup.ctx.allow_project_programs,
        environment: env,
        ..(*setup.ctx).clone()
    })
}

/// Starts what the effects ask for on tokio tasks; their results come back as actions.
fn carry_out(
    effects: Vec<Effect>,
    app: &App,
    setup: &Setup,
    tx: &UnboundedSender<Action>,
    runs: &mut Vec<JoinHandle<()>>,
) {
    for effect in effects {
        match effect {
            Effect::Run {
                run,
                items,
                allow_commands,
                env,
            } => {
                runs.retain(|h| !h.is_finished());
                if items.len() == setup.checklist.items.len() {
                    // Everything is rerun: the earlier runs' results would be dropped.
                    for h in runs.drain(..) {
                        h.abort();
                    }
                }
                let checklist = Arc::clone(&setup.checklist);
                let ctx = run_context(setup, allow_commands, env);
                let mut options = setup.options.clone();
                // A rerun of some items may take the file readers' last outcomes
                // (when no file changed); a full rerun reads every file again.
                let partial = items.len() < setup.checklist.items.len();
                if let Some(memo) = &mut options.memo {
                    memo.reuse = partial;
                }
                let tx = tx.clone();
                runs.push(tokio::spawn(async move {
                    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
                    let forward = tokio::spawn({
                        let tx = tx.clone();
                        async move {
                            while let Some(event) = events_rx.recv().await {
                                let _ = tx.send(Action::Probe { run, event });
                            }
                        }
                    });
                    runner::run(&checklist, &items, ctx, &options, Some(events_tx)).await;
                    let _ = forward.await;
                }));
            }
            Effect::Survey {
                run,
                items,
                allow_commands,
                env,
            } => {
                runs.retain(|h| !h.is_finished());
                let checklist = Arc::clone(&setup.checklist);
                let ctx = run_context(setup, allow_commands, env);
                // Another environment's run neither takes nor replaces this one's.
                let options = RunOptions {
                    memo: None,
                    ..setup.options.clone()
                };
                let tx = tx.clone();
                runs.push(tokio::spawn(async move {
                    let results = runner::run(&checklist, &items, ctx, &options, None).await;
                    let _ = tx.send(Action::Surveyed { run, results });
                }));
            }
            Effect::Record {
                intent,
                result,
                note,
                env,
            } => {
                let checklist = Arc::clone(&setup.checklist);
                let ledger = setup.ledger.clone();
                let by = setup.identity.clone();
                let signer = setup.signer.clone();
                let trust = Arc::clone(&setup.trust);
                let tx = tx.clone();
                tokio::task::spawn_blocking(move || {
                    let request = Request {
                        checklist: &checklist,
                        result: &result,
                        env: &env,
                        by: &by,
                        now: Timestamp::now(),
                        note: note.as_deref(),
                        signer: signer.as_deref(),
                        trust: &trust,
                    };
                    let outcome = request
                        .record(&ledger, intent)
                        .map(|r| {
                            format!(
                                "{} `{}` as {}: record {} ({})",
                                past_tense(r.action),
                                r.item,
                                r.by,
                                r.pos,
                                r.short_hash()
                            )
                        })
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Action::Recorded(outcome));
                    let _ = tx.send(Action::Ledger(read_ledger(&ledger, &trust)));
                });
            }
            Effect::Export(format) => {
                let mut report = app.report.clone();
                let dir = setup.export_dir.clone();
                let project = setup.ctx.project_dir.clone();
                let tx = tx.clone();
                tokio::task::spawn_blocking(move || {
                    // Asked of git at export time, not when the UI opens.
                    report.provenance = Some(report::CheckedRevision::of(&project));
                    let text = report::render(&report, format);
                    let outcome = report::write_new_file(&dir, &report, format, &text)
                        .map(|p| p.display().to_string())
                        .map_err(|e| format!("cannot write the report: {e}"));
                    let _ = tx.send(Action::Exported(outcome));
                });
            }
        }
    }
}
