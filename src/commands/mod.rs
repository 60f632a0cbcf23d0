//! The subcommands, written against the library so tests can drive them in-process.
//! Each returns the exit code to use, or an error that the binary reports with code 2.
//! Commands that depend on the time take it as a parameter, so tests can move it.

mod check;
mod checklists;
pub mod cli;
pub mod demo;
pub mod exit;
mod init;
mod last_run;
mod report;
mod signoff;
mod tui;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc;

pub use check::check;
pub use checklists::{list, schema, validate};
pub use init::{init, interactive};
pub use report::report;
pub use signoff::{approve, attest, history, revoke, status, verify, waive};
pub use tui::{demo, tui};

use crate::base::diagnostic::{SourceFile, did_you_mean};
use crate::base::path::display_path;
use crate::base::text::safe_line;
use crate::base::timestamp::Timestamp;
use crate::checklist::{self, Checklist, LoadError, shipped};
use crate::config::user::UserDirs;
use crate::config::{self, Config, ConfigError, EnvVars};
use crate::probe::catalog::Catalog;
use crate::probe::events::RunEvent;
use crate::probe::runner::{self, RunOptions};
use crate::probe::{ItemResult, ProbeContext};
use crate::report::{Report, SignoffInput};
use crate::signoff::{Contents, Ledger, LedgerError, SignoffError, Trust};
use crate::system::process;
use cli::{LocationArgs, ProjectArgs, RunArgs, SessionArgs};
use last_run::LastRun;

/// Why a command could not do its job (all exit with code 2).
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// A checklist could not be loaded.
    #[error(transparent)]
    Checklist(#[from] LoadError),
    /// A shipped checklist is broken (a bug in this build).
    #[error("{0}")]
    ShippedChecklist(crate::base::diagnostic::Diagnostics),
    /// The configuration could not be loaded.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A flag names something that does not exist.
    #[error("{0}")]
    Usage(String),
    /// A sign-off was refused (self-approval, nothing to approve, failing probes, ...).
    #[error("{0}")]
    Refused(String),
    /// The ledger could not be read or written.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The allowed-signers file could not be read.
    #[error(transparent)]
    Trust(#[from] crate::signoff::TrustError),
    /// A sign-off could not be signed.
    #[error(transparent)]
    Signing(#[from] crate::system::ssh::SshError),
    /// Output could not be written.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// The terminal UI failed.
    #[error(transparent)]
    Tui(#[from] crate::tui::TuiError),
    /// The demo sandbox could not be made.
    #[error(transparent)]
    Demo(#[from] crate::commands::demo::DemoError),
    /// The async runtime could not start.
    #[error("cannot start the probe runtime: {0}")]
    Runtime(std::io::Error),
}

impl CommandError {
    /// The exit code to end with: every command error is invalid input or usage.
    pub fn exit_code(&self) -> u8 {
        exit::INVALID_INPUT
    }

    /// Whether the message is already rendered as diagnostics, each opening with its
    /// own `error:` and pointing at file, line and column; other messages need the
    /// `error: ` prefix.
    pub fn is_diagnostic(&self) -> bool {
        matches!(
            self,
            CommandError::Checklist(LoadError::Invalid(_))
                | CommandError::ShippedChecklist(_)
                | CommandError::Config(ConfigError::Invalid(_))
        )
    }
}

impl From<SignoffError> for CommandError {
    fn from(e: SignoffError) -> Self {
        match e {
            SignoffError::Refused(why) => CommandError::Refused(why),
            SignoffError::Ledger(e) => CommandError::Ledger(e),
        }
    }
}

/// Loads a checklist named on the command line or in the configuration: a shipped
/// name, else a file (relative paths from `base`).
pub fn resolve_checklist(name: &str, base: &Path) -> Result<Checklist, CommandError> {
    if let Some(s) = shipped::find(name) {
        return s.load(&Catalog).map_err(CommandError::ShippedChecklist);
    }
    let path = base.join(name);
    if path.is_file() {
        return Ok(checklist::load_file(&path, &Catalog)?);
    }
    let names: Vec<&str> = shipped::SHIPPED.iter().map(|s| s.name).collect();
    let hint = match did_you_mean(name, names.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("shipped checklists: {}", names.join(", ")),
    };
    Err(CommandError::Usage(format!(
        "no shipped checklist and no file named `{name}` ({hint})"
    )))
}

/// A project opened for a command: its root, configuration and checklist.
pub(crate) struct Project {
    /// The project root, canonical when possible.
    pub dir: PathBuf,
    /// Its configuration.
    pub config: Arc<Config>,
    /// The checklist to run.
    pub checklist: Checklist,
    /// Whether the checklist is one shipped with preflight (its commands are trusted).
    pub trusted: bool,
    /// The git revision who may sign is read from (`--trust-ref`), if not the working tree.
    pub trust_ref: Option<String>,
}

impl Project {
    /// Opens the project the flags name, with its checklists combined into one (each
    /// item keeps the checklist it came from).
    pub fn open(args: &ProjectArgs) -> Result<Project, CommandError> {
        let (dir, config) = open_config(&args.location)?;
        // Checklist files named on the command line are relative to the current
        // directory, those in preflight.toml to the project.
        let (names, base) = match (args.checklist.as_slice(), config.checklists.as_slice()) {
            ([], []) => (vec![shipped::DEFAULT.to_string()], dir.clone()),
            ([], names) => (names.to_vec(), dir.clone()),
            (names, _) => (names.to_vec(), PathBuf::from(".")),
        };
        let mut checklists = Vec::new();
        for name in &names {
            let mut checklist = resolve_checklist(name, &base)?;
            if checklist.source_file().is_some() {
                // Said in reports and recorded in the ledger: relative to the project.
                checklist.set_origin(display_path(&dir, Path::new(&checklist.origin)));
            }
            // Sign-offs name a checklist by id: two different checklists with one id
            // could not be told apart in the ledger.
            if let Some(same) = checklists
                .iter()
                .find(|c: &&Checklist| c.id == checklist.id && c.digest != checklist.digest)
            {
                return Err(CommandError::Usage(format!(
                    "checklists {} and {} both have the id `{}`: give one of them another id (sign-offs name a checklist by its id)",
                    safe_line(&same.origin),
                    safe_line(&checklist.origin),
                    checklist.id
                )));
            }
            checklists.push(checklist);
        }
        Ok(Project {
            trust_ref: args.location.trust_ref.clone(),
            // Only checklists compiled into preflight may run commands unasked.
            trusted: names.iter().all(|name| shipped::find(name).is_some()),
            dir,
            config: Arc::new(config),
            checklist: Checklist::combine(checklists),
        })
    }

    /// The index of the item named `name` (an id, or `checklist/id` when several of
    /// the run's checklists share it), or a usage error with a suggestion.
    pub fn item_index(&self, name: &str) -> Result<usize, CommandError> {
        self.checklist
            .find_item(name)
            .map_err(|e| CommandError::Usage(e.to_string()))
    }

    /// Checks that sign-offs can be recorded for this environment name.
    pub fn check_env(&self, env: &str) -> Result<(), CommandError> {
        check_env(&self.config, env)
    }

    /// The project's ledger.
    pub fn ledger(&self) -> Ledger {
        Ledger::new(self.config.ledger_path(&self.dir))
    }

    /// Who may sign what: the allowed-signers file and `[signoff]` settings.
    pub fn trust(&self) -> Result<Trust, CommandError> {
        trust_of(&self.dir, &self.config, self.trust_ref.as_deref())
    }

    /// The ledger's path as people should see it: relative to the project root.
    pub fn ledger_display(&self) -> String {
        let path = self.config.ledger_path(&self.dir);
        display_path(&self.dir, &path)
    }

    /// Runs the probes of the selected items against environment `env` (progress on
    /// stderr if asked).
    pub fn run(
        &self,
        selection: &[usize],
        args: &RunArgs,
        env: &str,
        show_progress: bool,
    ) -> Result<Vec<ItemResult>, CommandError> {
        run_with_progress(
            &self.checklist,
            selection,
            self.context(EnvVars::from_process(), args.allow_commands, env),
            &args.options(),
            show_progress,
        )
    }

    /// Records this run's item statuses in the user's cache and returns the previous
    /// run of the same checklist, if there was one. The cache is a convenience: when
    /// it cannot be written, nothing else is affected.
    pub fn remember(&self, results: &[ItemResult], now: Timestamp) -> Option<LastRun> {
        let dirs = UserDirs::discover()?;
        let previous =
            last_run::last_run(&dirs, &self.dir).filter(|r| r.checklist == self.checklist.key());
        let items = results
            .iter()
            .filter_map(|r| Some((self.checklist.items.get(r.item)?.id.clone(), r.status)))
            .collect();
        let _ = last_run::save_last_run(
            &dirs,
            &self.dir,
            LastRun {
                checklist: self.checklist.key(),
                at: now,
                items,
            },
        );
        previous
    }

    /// Where its probes run, with these environment variables. `command` probes may
    /// run when the checklist is shipped with preflight or `allow_commands` is set; the
    /// project's own programs (its pre-commit hook) only when `allow_commands` is set.
    /// Probes check `env` unless their checklist names another environment.
    pub fn context(&self, vars: EnvVars, allow_commands: bool, env: &str) -> Arc<ProbeContext> {
        let mut ctx = ProbeContext::new(self.dir.clone(), Arc::clone(&self.config), vars);
        ctx.allow_commands = allow_commands || self.trusted;
        ctx.allow_project_programs = allow_commands;
        ctx.environment = env.to_string();
        Arc::new(ctx)
    }

    /// Every item's index.
    pub fn all_items(&self) -> Vec<usize> {
        (0..self.checklist.items.len()).collect()
    }
}

/// What a run's report says besides the probes' results.
#[derive(Debug, Clone, Copy)]
struct ReportWith {
    /// The ledger's sign-offs in the session's environment (checked before anything
    /// runs).
    signoff: bool,
    /// Which revision of the project was checked ([`Report::provenance`]): only the
    /// reports that show it ask git (`check` and `status` show none).
    revision: bool,
}

/// Runs the selected items' probes and builds the report, with what `with` asks for.
/// Also returns the project's previous run, from the user's cache.
fn run_report(
    project: &Project,
    session: &SessionArgs,
    selection: &[usize],
    with: ReportWith,
    now: Timestamp,
    show_progress: bool,
) -> Result<(Report, Option<LastRun>), CommandError> {
    let ReportWith { signoff, revision } = with;
    let env = &session.env.env;
    // The probes check this environment, so it must exist even without sign-off.
    project.check_env(env)?;
    // Which revision is checked is asked of git while the probes run.
    let revision = revision.then(|| {
        let dir = project.dir.clone();
        std::thread::spawn(move || crate::report::CheckedRevision::of(&dir))
    });
    let results = project.run(selection, &session.run, env, show_progress)?;
    let previous = project.remember(&results, now);
    let contents = if signoff {
        Some(read_ledger(&project.ledger(), &project.trust()?)?)
    } else {
        None
    };
    let ledger_path = project.ledger_display();
    let input = contents.as_ref().map(|ledger| SignoffInput {
        env,
        ledger,
        ledger_path: &ledger_path,
    });
    let mut report = Report::new(&project.checklist, &results, now, input);
    report.provenance = revision.map(|asked| {
        asked
            .join()
            .unwrap_or_else(|_| crate::report::CheckedRevision::of(&project.dir))
    });
    // The probes checked this environment, sign-off or not.
    report.environment = Some(env.clone());
    Ok((report, previous))
}

/// Who may sign what in the project at `dir` with `config`; with `trust_ref`, as the
/// project's `preflight.toml` and allowed-signers file are at that git revision (the
/// working tree's may come from the branch being checked).
fn trust_of(dir: &Path, config: &Config, trust_ref: Option<&str>) -> Result<Trust, CommandError> {
    let Some(rev) = trust_ref else {
        return Ok(Trust::load(
            dir,
            &config.allowed_signers_path(dir),
            config.signoff.reviewers.clone(),
            config.signoff.require_signatures,
        )?);
    };
    let git_error =
        |e: crate::system::git::GitError| CommandError::Usage(format!("--trust-ref {rev}: {e}"));
    let repo = crate::system::git::Repo::open(dir).map_err(git_error)?;
    let text_at = |path: &str| -> Result<Option<String>, CommandError> {
        Ok(repo
            .file_at(rev, &format!("./{path}"))
            .map_err(git_error)?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    };
    let shown = |path: &str| PathBuf::from(format!("{rev}:{path}"));
    let signoff = match text_at(config::FILE_NAME)? {
        Some(text) => {
            let source = SourceFile::new(shown(config::FILE_NAME), text);
            Config::parse(&source)
                .map_err(|d| CommandError::Config(config::ConfigError::Invalid(d)))?
                .signoff
        }
        None => config::SignoffConfig::default(),
    };
    let signers = signoff
        .allowed_signers
        .as_deref()
        .map_or(config::DEFAULT_ALLOWED_SIGNERS.to_string(), |p| {
            p.display().to_string()
        });
    let text = text_at(&signers)?;
    Ok(Trust::from_text(
        text.as_deref(),
        &shown(&signers),
        signoff.reviewers,
        signoff.require_signatures,
    )?)
}

/// A project directory that is missing, not a directory or unreadable, said so.
fn check_project_dir(dir: &Path) -> Result<(), CommandError> {
    let problem = match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => match std::fs::read_dir(dir) {
            Ok(_) => return Ok(()),
            Err(e) => format!("cannot be read ({e})"),
        },
        Ok(_) => "is not a directory".to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "does not exist".to_string(),
        Err(e) => format!("cannot be read ({e})"),
    };
    Err(CommandError::Usage(format!(
        "project directory {} {problem}",
        dir.display()
    )))
}

/// Reads the configuration of the project at `dir`, which must exist.
fn open_config(location: &LocationArgs) -> Result<(PathBuf, Config), CommandError> {
    let dir = location.dir.as_path();
    check_project_dir(dir)?;
    let config = Config::discover(dir, location.config.as_deref())?;
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    Ok((dir, config))
}

fn check_env(config: &Config, env: &str) -> Result<(), CommandError> {
    let names = config.environment_names();
    if names.iter().any(|n| n == env) {
        return Ok(());
    }
    let hint = match did_you_mean(env, names.iter().map(String::as_str)) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("known: {}", names.join(", ")),
    };
    Err(CommandError::Usage(format!(
        "unknown environment `{env}` ({hint}); environments are configured in preflight.toml"
    )))
}

/// Reads the ledger and says how each record stands under `trust`; a damaged one is
/// returned with its problem, for the caller to report.
fn read_ledger(ledger: &Ledger, trust: &Trust) -> Result<Contents, CommandError> {
    Ok(trust.read(ledger)?)
}

/// Whether to draw progress: only when stderr is a terminal.
fn progress_wanted() -> bool {
    std::io::stderr().is_terminal()
}

fn run_with_progress(
    checklist: &Checklist,
    selection: &[usize],
    ctx: Arc<ProbeContext>,
    options: &RunOptions,
    show_progress: bool,
) -> Result<Vec<ItemResult>, CommandError> {
    // Every thread of this run's runtime is marked, so that what the run started is
    // ended with it, and nothing another run in this process started.
    let run = process::new_run();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .on_thread_start(move || process::enter_run(run))
        .build()
        .map_err(CommandError::Runtime)?;
    let total: usize = selection
        .iter()
        .map(|&i| checklist.items[i].probes.len())
        .sum();
    let results = rt.block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let events = show_progress.then_some(tx);
        let printer = tokio::spawn(async move {
            let mut progress = Progress::new(total);
            while let Some(event) = rx.recv().await {
                progress.update(&event);
            }
            progress.clear();
        });
        let results = runner::run(checklist, selection, ctx, options, events).await;
        let _ = printer.await;
        results
    });
    // A probe that timed out may have left a blocking thread behind: the results are
    // in, so do not wait for it, and end whatever it started.
    rt.shutdown_background();
    process::kill_run(run);
    Ok(results)
}

/// A one-line progress display on stderr, drawn only on a terminal.
struct Progress {
    total: usize,
    done: usize,
    running: Vec<String>,
    drawn: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress {
            total,
            done: 0,
            running: Vec::new(),
            drawn: false,
        }
    }

    fn update(&mut self, event: &RunEvent) {
        match event {
            RunEvent::Started(_) => self.running.push(String::new()),
            RunEvent::Finished(_, result) => {
                self.done += 1;
                self.running.pop();
                let mut err = std::io::stderr().lock();
                let _ = write!(
                    err,
                    "\r\x1b[2K[{}/{}] {} {}",
                    self.done,
                    self.total,
                    result.kind,
                    result.outcome.status.as_str()
                );
                let _ = err.flush();
                self.drawn = true;
            }
        }
    }

    fn clear(&self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
