//! `preflight` / `preflight tui` and `preflight demo`: the terminal UI on a project, or
//! on a sandbox made for the occasion.

use std::io::Write;
use std::sync::Arc;

use super::cli::{DemoArgs, InitArgs, LocationArgs, ProjectArgs, RunArgs, SignerArgs};
use super::signoff::{signing_identity, signing_key};
use super::{CommandError, Project};

use super::exit;
use crate::config::EnvVars;
use crate::probe::ProbeContext;
use crate::probe::runner::{MemoUse, RunOptions};
use crate::signoff::Identity;
use crate::tui::{self, Setup};

/// `preflight tui` (and `preflight` alone). On a project without configuration it
/// opens on a welcome whose `i` leaves the UI to run `preflight init` on the terminal,
/// then opens again on the configured project.
pub fn tui(args: &SignerArgs) -> Result<u8, CommandError> {
    loop {
        let project = Project::open(&args.session.project)?;
        project.check_env(&args.session.env.env)?;
        let mut setup = setup(
            &project,
            &args.session.env.env,
            args.identity.as_deref(),
            &args.session.run,
            EnvVars::from_process(),
        )?;
        setup.signer = signing_key(&project.dir, args.key.as_deref())?.map(Arc::new);
        // A project nobody configured yet: say so once, and how to fix it.
        let configured = args.session.project.location.config.is_some()
            || project.dir.join(crate::config::FILE_NAME).exists();
        if !configured {
            setup.welcome = Some(
                "This project has no preflight.toml. The database probes read the guides' PG_* variables (PG_HOST, PG_USER, PG_PASSWORD, …) and are skipped until they are set. `preflight init` writes a preflight.toml from this project's .env files and your shell's variables (names only, never values), asking about each environment it finds."
                    .to_string(),
            );
        }
        let ending = tui::run(setup)?;
        if ending != tui::Ending::Init {
            return Ok(exit_code(ending));
        }
        // The UI has given the terminal back: init asks its questions there.
        let init_args = InitArgs {
            dir: project.dir.clone(),
            checklist: args.session.project.checklist.clone(),
            yes: false,
            force: false,
            stdout: false,
        };
        let mut stdout = std::io::stdout();
        super::init(
            &init_args,
            &EnvVars::from_process(),
            super::interactive(),
            &mut std::io::stdin().lock(),
            &mut stdout,
        )?;
    }
}

/// The process's exit code for how the UI ended.
fn exit_code(ending: tui::Ending) -> u8 {
    match ending {
        tui::Ending::Quit | tui::Ending::Init => exit::OK,
        tui::Ending::Interrupted => exit::INTERRUPTED,
    }
}

/// `preflight demo`: makes the sandbox, opens the UI on it, removes it afterwards
/// unless `--keep`.
pub fn demo(args: &DemoArgs, stdout: &mut dyn Write) -> Result<u8, CommandError> {
    // Before making a sandbox and a database that nobody could see.
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Err(tui::TuiError::NotATerminal.into());
    }
    let sandbox = tempfile::Builder::new()
        .prefix("preflight-demo-")
        .tempdir()
        .map_err(super::demo::DemoError::Io)?;
    super::demo::populate(sandbox.path())?;
    // Where the PostgreSQL server package is installed, the database probes get a
    // throwaway cluster of their own. It is decided now (a port, passwords) and made
    // while the UI is already open: its items wait for it, saying so.
    let (pending, notice) = match super::demo::DemoCluster::prepare() {
        Ok(Some(pending)) => {
            super::demo::add_postgres(sandbox.path(), &pending)?;
            (Some(pending), None)
        }
        Ok(None) => (
            None,
            Some("no PostgreSQL server installed: the demo has no database items".to_string()),
        ),
        Err(why) => (
            None,
            Some(format!(
                "the demo database could not start ({why}); no database items"
            )),
        ),
    };
    let project = Project::open(&ProjectArgs {
        checklist: Vec::new(),
        location: LocationArgs {
            trust_ref: None,
            config: None,
            dir: sandbox.path().to_path_buf(),
        },
    })?;
    let cluster_vars = pending.iter().flat_map(|c| c.vars.clone());
    // The demo never reaches a real vault, whatever this shell has configured.
    let vars: EnvVars = std::env::vars()
        .filter(|(k, _)| k != "AZURE_KEYVAULT_URL")
        .chain(
            super::demo::DEMO_VARS
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .chain(cluster_vars)
        .collect();
    let mut setup = setup(
        &project,
        "production",
        args.identity.as_deref(),
        &args.run,
        vars,
    )?;
    setup.notice = notice;
    // The sandbox's pre-commit hook is preflight's own, written a moment ago.
    setup.ctx = Arc::new(ProbeContext {
        allow_project_programs: true,
        ..(*setup.ctx).clone()
    });
    // The database items come after the demo checklist's own.
    let base = crate::checklist::load_source(
        &crate::base::diagnostic::SourceFile::new("checklist.toml", super::demo::CHECKLIST),
        "demo",
        &crate::probe::catalog::Catalog,
    )
    .map_err(CommandError::ShippedChecklist)?
    .items
    .len();
    let starter = pending.map(|pending| {
        let port = pending.port;
        let (tx, rx) = tokio::sync::oneshot::channel();
        setup.hold = Some(tui::Hold {
            items: (base..project.checklist.items.len()).collect(),
            why: "starting the demo database…".to_string(),
            ready: Arc::new(std::sync::Mutex::new(Some(rx))),
        });
        std::thread::spawn(move || {
            let started = pending.start();
            let _ = tx.send(match &started {
                Ok(_) => Ok(format!(
                    "demo database: a throwaway PostgreSQL cluster on 127.0.0.1:{port}"
                )),
                Err(why) => Err(format!(
                    "the demo database could not start ({why}): its items say what they find"
                )),
            });
            started.ok()
        })
    });
    let result = tui::run(setup);
    // The cluster stops before the sandbox goes (after its start, if still under way).
    if let Some(starter) = starter {
        drop(starter.join());
    }
    if args.keep {
        let kept = sandbox.keep();
        writeln!(stdout, "the demo project is kept at {}", kept.display())?;
    }
    Ok(exit_code(result?))
}

fn setup(
    project: &Project,
    env: &str,
    identity: Option<&str>,
    run: &RunArgs,
    vars: EnvVars,
) -> Result<Setup, CommandError> {
    let identity = match identity {
        Some(text) => {
            Identity::parse(text).map_err(|e| CommandError::Usage(format!("--as: {e}")))?
        }
        None => signing_identity(&project.dir)?,
    };
    Ok(Setup {
        checklist: Arc::new(project.checklist.clone()),
        ctx: project.context(vars, run.allow_commands, env),
        // The session keeps the file readers' outcomes: a rerun of one item takes
        // them when no file changed.
        options: RunOptions {
            memo: Some(MemoUse {
                memo: Arc::default(),
                reuse: false,
            }),
            ..run.options()
        },
        ledger: project.ledger(),
        ledger_display: project.ledger_display(),
        env: env.to_string(),
        environments: project.config.environment_names(),
        welcome: None,
        hold: None,
        identity,
        signer: None,
        trust: Arc::new(project.trust()?),
        export_dir: std::env::current_dir().unwrap_or_else(|_| project.dir.clone()),
        notice: None,
    })
}
