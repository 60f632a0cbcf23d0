//! The subcommands, written against the library so tests can drive them in-process.
//! Each returns the exit code to use, or an error that the binary reports with code 2.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::checklist::{self, Checklist, LoadError, shipped};
use crate::cli::{CheckArgs, Format};
use crate::config::{Config, ConfigError};
use crate::diagnostic::did_you_mean;
use crate::exit;
use crate::probe::runner::{self, RunEvent, RunOptions};
use crate::probe::{EnvVars, ProbeContext, catalog};
use crate::report::{self, Report, Verdict};

/// Why a command could not do its job (all exit with code 2).
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// A checklist could not be loaded.
    #[error(transparent)]
    Checklist(#[from] LoadError),
    /// A shipped checklist is broken (a bug in this build).
    #[error("{0}")]
    ShippedChecklist(crate::diagnostic::Diagnostics),
    /// The configuration could not be loaded.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A flag names something that does not exist.
    #[error("{0}")]
    Usage(String),
    /// Output could not be written.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// The async runtime could not start.
    #[error("cannot start the probe runtime: {0}")]
    Runtime(std::io::Error),
}

/// Loads a checklist named on the command line or in the configuration: a shipped
/// name, else a file (relative paths from `base`).
pub fn resolve_checklist(name: &str, base: &Path) -> Result<Checklist, CommandError> {
    if let Some(s) = shipped::find(name) {
        return s.load().map_err(CommandError::ShippedChecklist);
    }
    let path = base.join(name);
    if path.is_file() {
        return Ok(checklist::load_file(&path)?);
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

/// `preflight check`.
pub fn check(args: &CheckArgs, stdout: &mut dyn Write) -> Result<u8, CommandError> {
    let dir = args.dir.clone();
    if !dir.is_dir() {
        return Err(CommandError::Usage(format!(
            "project directory {} does not exist",
            dir.display()
        )));
    }
    let config = Config::discover(&dir, args.config.as_deref())?;
    let checklist = match (&args.checklist, &config.checklist) {
        (Some(name), _) => resolve_checklist(name, Path::new("."))?,
        (None, Some(name)) => resolve_checklist(name, &dir)?,
        (None, None) => resolve_checklist(shipped::DEFAULT, &dir)?,
    };
    let selection = select(&checklist, &args.only, &args.tier)?;
    let ctx = Arc::new(ProbeContext {
        project_dir: std::fs::canonicalize(&dir).unwrap_or(dir),
        config: Arc::new(config),
        vars: EnvVars::from_process(),
    });
    let options = RunOptions {
        concurrency: usize::from(args.jobs),
        default_timeout: args.timeout.duration,
    };
    let show_progress = args.format == Format::Text && std::io::stderr().is_terminal();
    let results = run_with_progress(&checklist, &selection, ctx, &options, show_progress)?;
    let report = Report::new(&checklist, &results);
    match args.format {
        Format::Text => write!(stdout, "{}", report::text::render(&report, args.verbose))?,
        Format::Json => writeln!(stdout, "{}", report::json::render(&report))?,
    }
    stdout.flush()?;
    Ok(match report.verdict {
        Verdict::Go => exit::OK,
        Verdict::NoGo => exit::CRITICAL_FAILED,
    })
}

/// Indexes of the items chosen by `--only` and `--tier`.
fn select(
    checklist: &Checklist,
    only: &[String],
    tiers: &[checklist::Tier],
) -> Result<Vec<usize>, CommandError> {
    for id in only {
        if checklist.item(id).is_none() {
            let hint = match did_you_mean(id, checklist.items.iter().map(|i| i.id.as_str())) {
                Some(near) => format!(" (did you mean `{near}`?)"),
                None => String::new(),
            };
            return Err(CommandError::Usage(format!(
                "checklist `{}` has no item `{id}`{hint}",
                checklist.id
            )));
        }
    }
    Ok(checklist
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| only.is_empty() || only.contains(&item.id))
        .filter(|(_, item)| tiers.is_empty() || tiers.contains(&item.tier))
        .map(|(i, _)| i)
        .collect())
}

fn run_with_progress(
    checklist: &Checklist,
    selection: &[usize],
    ctx: Arc<ProbeContext>,
    options: &RunOptions,
    show_progress: bool,
) -> Result<Vec<runner::ItemResult>, CommandError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()
        .map_err(CommandError::Runtime)?;
    let total: usize = selection
        .iter()
        .map(|&i| checklist.items[i].probes.len())
        .sum();
    rt.block_on(async {
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
        Ok(results)
    })
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

/// `preflight validate FILE...`: prints every problem; exit 2 when any file is invalid.
pub fn validate(
    files: &[PathBuf],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<u8, CommandError> {
    let mut code = exit::OK;
    for path in files {
        match checklist::load_file(path) {
            Ok(c) => {
                let probes: usize = c.items.iter().map(|i| i.probes.len()).sum();
                writeln!(
                    stdout,
                    "{}: ok ({} items, {} probes)",
                    path.display(),
                    c.items.len(),
                    probes
                )?;
            }
            Err(LoadError::Invalid(d)) => {
                writeln!(stderr, "{d}\n")?;
                writeln!(
                    stderr,
                    "{}: {} error{}",
                    path.display(),
                    d.len(),
                    if d.len() == 1 { "" } else { "s" }
                )?;
                code = exit::INVALID_INPUT;
            }
            Err(e) => {
                writeln!(stderr, "error: {e}")?;
                code = exit::INVALID_INPUT;
            }
        }
    }
    Ok(code)
}

/// `preflight schema`.
pub fn schema(stdout: &mut dyn Write) -> Result<u8, CommandError> {
    let text = serde_json::to_string_pretty(&catalog::checklist_schema()).unwrap_or_default();
    writeln!(stdout, "{text}")?;
    Ok(exit::OK)
}

/// `preflight list`.
pub fn list(stdout: &mut dyn Write) -> Result<u8, CommandError> {
    for s in shipped::SHIPPED {
        let c = s.load().map_err(CommandError::ShippedChecklist)?;
        let probes = c.items.iter().filter(|i| !i.is_manual()).count();
        writeln!(
            stdout,
            "{:<22} {} ({} items, {} with probes)",
            s.name,
            c.title,
            c.items.len(),
            probes
        )?;
    }
    Ok(exit::OK)
}
