//! What every probe may read: the project root, its configuration, the environment
//! variables of the run, Key Vault access, and whether `command` probes may run; and
//! resolving a named environment from those.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::base::fs::ReadCache;
use crate::base::pathglob::PathGlobs;
use crate::config::{
    Config, EnvVars, EnvironmentSpec, FetchedSecrets, HostEntry, ResolvedEnvironment, SourceError,
};
use crate::system::compose::{self, ComposeError, ComposeFile};
use crate::system::git::{GitError, Repo};
use crate::system::keyvault::Vaults;
use crate::system::net::SocketSnapshot;
use crate::system::postgres::SessionPool;
use crate::system::walk::{IndexSource, Listing, ProjectFile, Walk};

/// Why a named environment could not be read. Never carries a value.
#[derive(Debug, thiserror::Error)]
pub enum EnvironmentError {
    /// Neither configured nor one with defaults.
    #[error("environment `{0}` is not configured in preflight.toml")]
    NotConfigured(String),
    /// A source could not be read.
    #[error("environment `{name}`: {reason}")]
    Source {
        /// The environment.
        name: String,
        /// Which field, which source, why.
        reason: SourceError,
    },
    /// A blocking probe asked for Key Vault secrets outside the runtime.
    #[error("environment `{0}` reads Key Vault, which needs the async runtime")]
    NeedsRuntime(String),
}

/// The listings of the project's files one run shares: every probe that reads the
/// project asks for one of these, so the tree is walked once per run.
#[derive(Debug)]
pub struct RunFiles {
    /// The standard listing and the one with git-ignored files, from one walk.
    listings: std::sync::OnceLock<(Arc<Listing>, Arc<Listing>)>,
    /// Each Compose file, parsed once for every probe that reads it (in memory once,
    /// however many probes run at the same time).
    compose: std::sync::Mutex<HashMap<PathBuf, Arc<std::sync::OnceLock<ParsedCompose>>>>,
    /// The files git tracks (`git ls-files`), asked once per run.
    index: std::sync::OnceLock<TrackedFiles>,
    /// The standard listing's files matching a list of patterns, keyed by the
    /// patterns: the Compose probes all ask for the same ones.
    matching: std::sync::Mutex<HashMap<Vec<String>, Arc<Vec<ProjectFile>>>>,
    /// The run's one pass over the files' contents (see [`super::pass`]).
    pass: PassGate,
    /// Configuration files, read once for the run by whoever asks first.
    pub reads: Arc<ReadCache>,
}

impl Default for RunFiles {
    fn default() -> Self {
        RunFiles {
            listings: Default::default(),
            compose: Default::default(),
            index: Default::default(),
            matching: Default::default(),
            pass: Default::default(),
            // The files some reader asks for by name are kept for the others.
            reads: Arc::new(ReadCache::keeping(crate::system::walk::read_by_name)),
        }
    }
}

/// Whether the run makes a pass over the project's files, and whether it has ended.
#[derive(Debug, Default)]
struct PassGate {
    state: std::sync::Mutex<PassState>,
    ended: std::sync::Condvar,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum PassState {
    /// No pass: a probe that reads files reads them itself.
    #[default]
    None,
    /// A pass is under way (or about to start): readers wait for it.
    Expected,
    /// The pass read every file it was asked for.
    Completed,
    /// The pass stopped early (a panic): what the visitors hold is incomplete.
    Failed,
}

/// How a run's pass over the files ended, for a reader that waited for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassEnd {
    /// The run makes no pass: a reader reads its files itself.
    None,
    /// Every file was read and visited.
    Completed,
    /// It stopped early: a reader must not conclude from what it collected.
    Failed,
}

/// The files git tracks, relative to the project, or why git could not say.
pub type TrackedFiles = Result<Arc<Vec<String>>, Arc<GitError>>;

impl RunFiles {
    /// Says that this run makes a pass over the files: probes that read files wait for
    /// it (see [`RunFiles::end_pass`]).
    pub fn expect_pass(&self) {
        *self.pass.state.lock().unwrap_or_else(|e| e.into_inner()) = PassState::Expected;
    }

    /// Says that the run's pass ended, having read everything (`completed`) or not:
    /// the waiting readers go on.
    pub fn end_pass(&self, completed: bool) {
        *self.pass.state.lock().unwrap_or_else(|e| e.into_inner()) = if completed {
            PassState::Completed
        } else {
            PassState::Failed
        };
        self.pass.ended.notify_all();
    }

    /// Waits for the run's pass to end, and says how it ended.
    pub fn await_pass(&self) -> PassEnd {
        let mut state = self.pass.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            match *state {
                PassState::None => return PassEnd::None,
                PassState::Completed => return PassEnd::Completed,
                PassState::Failed => return PassEnd::Failed,
                PassState::Expected => {
                    state = self
                        .pass
                        .ended
                        .wait(state)
                        .unwrap_or_else(|e| e.into_inner());
                }
            }
        }
    }

    fn tracked(&self, project_dir: &Path) -> TrackedFiles {
        self.index
            .get_or_init(|| {
                Repo::open(project_dir)
                    .and_then(|repo| repo.tracked_files())
                    .map(Arc::new)
                    .map_err(Arc::new)
            })
            .clone()
    }
}

/// A Compose file as parsed for a run, or why it could not be.
pub type ParsedCompose = Result<Arc<ComposeFile>, ComposeError>;

/// A path from a checklist that cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// `~` without a home directory.
    #[error("cannot expand `~`: HOME is not set")]
    NoHome,
}

/// What every probe may read: where the project is, its configuration, the environment.
#[derive(Debug, Clone)]
pub struct ProbeContext {
    /// The project root.
    pub project_dir: PathBuf,
    /// The project configuration (`preflight.toml` or defaults).
    pub config: Arc<Config>,
    /// Environment variables as they were when the run started.
    pub vars: EnvVars,
    /// Key Vault access for this run, with the secret values fetched so far.
    pub vaults: Arc<Vaults>,
    /// Whether `command` probes may run (a shipped checklist, or `--allow-commands`).
    pub allow_commands: bool,
    /// The project's files, listed at most once per run (see [`ProbeContext::for_run`]).
    pub files: Arc<RunFiles>,
    /// Whether programs from the project itself may run (its pre-commit hook, tried in
    /// a throwaway repository): only with `--allow-commands` or the TUI's yes, whoever
    /// wrote the checklist, because the project is not trusted.
    pub allow_project_programs: bool,
    /// The run's environment (`--env`): what a probe checks unless its checklist names
    /// another.
    pub environment: String,
    /// The run's database sessions, one per server and credential (see
    /// [`SessionPool`]).
    pub sessions: Arc<SessionPool>,
    /// The machine's listening sockets, read once per run.
    pub sockets: Arc<SocketSnapshot>,
    /// The one server of an environment's `hosts` this probe checks (the runner runs
    /// a probe once per host): that environment reads as that host.
    pub host: Option<(String, HostEntry)>,
}

impl ProbeContext {
    /// A context whose Key Vault access is set up from `vars` on first use.
    pub fn new(project_dir: PathBuf, config: Arc<Config>, vars: EnvVars) -> ProbeContext {
        ProbeContext {
            project_dir,
            config,
            vaults: Arc::new(Vaults::from_environment(vars.clone())),
            vars,
            allow_commands: false,
            allow_project_programs: false,
            files: Arc::default(),
            environment: DEFAULT_ENVIRONMENT.to_string(),
            sessions: Arc::default(),
            sockets: Arc::default(),
            host: None,
        }
    }

    /// The same context for a new run: the project's files are listed afresh (a file
    /// may have changed since the last run), once, for every probe of the run; database
    /// sessions are opened afresh, once per server and credential.
    pub fn for_run(&self) -> ProbeContext {
        ProbeContext {
            files: Arc::default(),
            sessions: Arc::default(),
            sockets: Arc::default(),
            ..self.clone()
        }
    }

    /// The same context checking one server of environment `env`'s `hosts`.
    pub fn on_host(&self, env: &str, entry: HostEntry) -> ProbeContext {
        ProbeContext {
            host: Some((env.to_string(), entry)),
            ..self.clone()
        }
    }

    /// The servers environment `env` lists (`hosts`), empty when it names one `host`
    /// or is not configured.
    pub fn hosts(&self, env: &str) -> Vec<HostEntry> {
        self.config
            .environment(env, &self.project_dir)
            .map(|spec| spec.hosts)
            .unwrap_or_default()
    }

    /// The project's files as the walker lists them (git-ignored files and vendored
    /// folders skipped), listed on first use in this run.
    pub fn project_files(&self) -> &Listing {
        self.project_files_shared()
    }

    /// The files of [`ProbeContext::project_files`] whose path matches `globs`, in
    /// path order, chosen once per run for each list of patterns.
    pub fn project_files_matching(&self, globs: &PathGlobs) -> Arc<Vec<ProjectFile>> {
        // Listed before the lock is taken: a walk is long.
        let listing = self.project_files();
        let mut memo = self
            .files
            .matching
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(found) = memo.get(globs.patterns()) {
            return Arc::clone(found);
        }
        let found: Arc<Vec<ProjectFile>> = Arc::new(
            listing
                .files
                .iter()
                .filter(|f| globs.is_match(&f.rel))
                .cloned()
                .collect(),
        );
        memo.insert(globs.patterns().to_vec(), Arc::clone(&found));
        found
    }

    /// [`ProbeContext::project_files`], to share with a visitor of the run's pass.
    pub fn project_files_shared(&self) -> &Arc<Listing> {
        &self.listings().0
    }

    /// Both listings of the run, made by one walk on first use.
    fn listings(&self) -> &(Arc<Listing>, Arc<Listing>) {
        self.files.listings.get_or_init(|| {
            let files = Arc::clone(&self.files);
            let dir = self.project_dir.clone();
            let index = IndexSource::new(move || files.tracked(&dir).unwrap_or_default());
            let (standard, with_ignored) = Walk::new(&self.project_dir)
                .index(index)
                .reads(Arc::clone(&self.files.reads))
                .list_with_ignored();
            (Arc::new(standard), Arc::new(with_ignored))
        })
    }

    /// The files git tracks in the project (`git ls-files`), asked once per run.
    pub fn tracked_files(&self) -> TrackedFiles {
        self.files.tracked(&self.project_dir)
    }

    /// The Compose file at `path` (one of the project's files), parsed once per run.
    pub fn compose_file(&self, path: &Path) -> ParsedCompose {
        let cell = {
            let mut map = self
                .files
                .compose
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(map.entry(path.to_path_buf()).or_default())
        };
        // Outside the map's lock: another probe asking for the same file waits for
        // this parse instead of starting its own.
        cell.get_or_init(|| {
            compose::load(&self.project_dir, path, &self.vars, Some(&self.files.reads))
                .map(Arc::new)
        })
        .clone()
    }

    /// The project's files, git-ignored ones included (vendored folders skipped).
    pub fn project_files_with_ignored(&self) -> &Listing {
        self.project_files_with_ignored_shared()
    }

    /// [`ProbeContext::project_files_with_ignored`], to share with a visitor.
    pub fn project_files_with_ignored_shared(&self) -> &Arc<Listing> {
        &self.listings().1
    }

    /// A path from a checklist: `~` is `$HOME`, a relative path starts at the project
    /// root.
    pub fn expand_path(&self, path: &str) -> Result<PathBuf, PathError> {
        if let Some(rest) = path
            .strip_prefix("~/")
            .or(if path == "~" { Some("") } else { None })
        {
            let home = self
                .vars
                .get("HOME")
                .filter(|h| !h.is_empty())
                .ok_or(PathError::NoHome)?;
            return Ok(PathBuf::from(home).join(rest));
        }
        Ok(self.project_dir.join(path))
    }

    fn environment_spec(&self, name: &str) -> Result<EnvironmentSpec, EnvironmentError> {
        self.config
            .environment(name, &self.project_dir)
            .ok_or_else(|| EnvironmentError::NotConfigured(name.to_string()))
    }

    fn resolve(
        &self,
        name: &str,
        spec: &EnvironmentSpec,
        fetched: &FetchedSecrets,
    ) -> Result<ResolvedEnvironment, EnvironmentError> {
        spec.resolve(
            &self.project_dir,
            &self.vars,
            fetched,
            Some(&self.files.reads),
        )
        .map_err(|reason| EnvironmentError::Source {
            name: name.to_string(),
            reason,
        })
        .map(|resolved| match &self.host {
            Some((env, entry)) if env == name => resolved.on_host(entry),
            _ => resolved,
        })
    }

    /// Every field of a named environment read from its sources, Key Vault secrets
    /// included. The error names the environment, the field and the source, never a
    /// value.
    pub async fn environment(&self, name: &str) -> Result<ResolvedEnvironment, EnvironmentError> {
        let spec = self.environment_spec(name)?;
        let fetched = self.fetch_vault_secrets(&spec).await;
        self.resolve(name, &spec, &fetched)
    }

    /// The Key Vault secrets an environment reads (each fetched at most once per run).
    async fn fetch_vault_secrets(&self, spec: &EnvironmentSpec) -> FetchedSecrets {
        let mut fetched = FetchedSecrets::new();
        for (vault, secret) in spec.vault_secrets() {
            let value = self
                .vaults
                .value(&vault, &secret)
                .await
                .map_err(|e| e.to_string());
            fetched.insert((vault, secret), value);
        }
        fetched
    }

    /// [`ProbeContext::environment`] for blocking probes (which run on tokio's blocking
    /// pool, where waiting for the vault is allowed).
    pub fn environment_blocking(
        &self,
        name: &str,
    ) -> Result<ResolvedEnvironment, EnvironmentError> {
        let spec = self.environment_spec(name)?;
        let fetched = if spec.vault_secrets().is_empty() {
            FetchedSecrets::new()
        } else {
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => handle.block_on(self.fetch_vault_secrets(&spec)),
                Err(_) => return Err(EnvironmentError::NeedsRuntime(name.to_string())),
            }
        };
        self.resolve(name, &spec, &fetched)
    }
}

/// The environment a run checks unless told otherwise.
pub const DEFAULT_ENVIRONMENT: &str = "production";

/// A probe's `environment` parameter: the environment its checklist names, or else the
/// run's (`--env`, production by default), so that a run for staging checks staging.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnvironmentChoice(Option<String>);

impl EnvironmentChoice {
    /// Reads the `environment` parameter.
    pub fn from_params(
        p: &crate::checklist::params::Params,
    ) -> Result<Self, crate::checklist::params::ParamError> {
        Ok(EnvironmentChoice(
            p.string("environment")?.map(str::to_string),
        ))
    }

    /// The environment to use in `ctx`.
    pub fn name<'a>(&'a self, ctx: &'a ProbeContext) -> &'a str {
        self.0.as_deref().unwrap_or(&ctx.environment)
    }
}
