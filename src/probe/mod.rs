//! Probes: live checks that produce evidence, one module per kind behind one trait.
//!
//! A probe reads the world (files, git, sockets, servers) and returns a [`ProbeOutcome`].
//! Probes never touch the terminal and never print a secret: evidence holds file
//! locations, addresses and values that are safe to put in a ticket.

pub mod catalog;
pub mod runner;

pub mod command;
pub mod compose_images;
pub mod compose_ports;
pub mod compose_secrets;
pub mod connection_string;
pub mod credential_difference;
pub mod dockerfile_secrets;
pub mod env_vars;
pub mod file_fresh;
pub mod file_mode;
pub mod git_history;
pub mod git_hook;
pub mod git_tracked;
pub mod gitignore_covers;
pub mod keyvault_secrets;
pub mod listening;
pub mod password_policy;
pub mod postgres;
pub mod reachable;
pub mod secret_scan;
pub mod sql_injection;

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;

use crate::config::{Config, EnvironmentSpec, FetchedSecrets, ResolvedEnvironment};
use crate::keyvault::Vaults;

/// What a probe concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeStatus {
    /// The check holds.
    Pass,
    /// The check does not hold: the evidence says where.
    Fail,
    /// The check could not run: the summary says why.
    Error,
    /// The check does not apply here: the summary says why.
    Skipped,
}

impl ProbeStatus {
    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeStatus::Pass => "pass",
            ProbeStatus::Fail => "fail",
            ProbeStatus::Error => "error",
            ProbeStatus::Skipped => "skipped",
        }
    }
}

/// One line of evidence, optionally anchored to a place in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What was seen (never a secret value).
    pub message: String,
    /// File relative to the project root, when the evidence has a location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// One-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// One-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Evidence {
    /// Evidence without a location.
    pub fn note(message: impl Into<String>) -> Self {
        Evidence {
            message: message.into(),
            file: None,
            line: None,
            column: None,
        }
    }

    /// Evidence at a line of a file.
    pub fn at(
        file: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Evidence {
            message: message.into(),
            file: Some(file.into()),
            line: Some(line),
            column: Some(column),
        }
    }

    /// Evidence about a whole file.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Evidence {
            message: message.into(),
            file: Some(file.into()),
            line: None,
            column: None,
        }
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: {}", self.message),
            (Some(file), None) => write!(f, "{file}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// The result of one probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeOutcome {
    /// The conclusion.
    pub status: ProbeStatus,
    /// One line saying what was found.
    pub summary: String,
    /// The details behind the summary.
    pub evidence: Vec<Evidence>,
}

impl ProbeOutcome {
    fn new(status: ProbeStatus, summary: impl Into<String>) -> Self {
        ProbeOutcome {
            status,
            summary: summary.into(),
            evidence: Vec::new(),
        }
    }

    /// The check holds.
    pub fn pass(summary: impl Into<String>) -> Self {
        Self::new(ProbeStatus::Pass, summary)
    }

    /// The check does not hold.
    pub fn fail(summary: impl Into<String>) -> Self {
        Self::new(ProbeStatus::Fail, summary)
    }

    /// The check could not run.
    pub fn error(reason: impl Into<String>) -> Self {
        Self::new(ProbeStatus::Error, reason)
    }

    /// The check does not apply.
    pub fn skipped(reason: impl Into<String>) -> Self {
        Self::new(ProbeStatus::Skipped, reason)
    }

    /// Adds evidence.
    pub fn with_evidence(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }
}

/// A snapshot of environment variables, cheap to clone (shared). Its `Debug` lists
/// names only, never values.
#[derive(Clone, Default)]
pub struct EnvVars(Arc<BTreeMap<String, String>>);

impl EnvVars {
    /// The variables of this process (those that are valid Unicode).
    pub fn from_process() -> Self {
        EnvVars(Arc::new(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        ))
    }

    /// A value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EnvVars {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        EnvVars(Arc::new(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        ))
    }
}

impl fmt::Debug for EnvVars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
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
        }
    }

    /// A path from a checklist: `~` is `$HOME`, a relative path starts at the project
    /// root.
    pub fn expand_path(&self, path: &str) -> Result<PathBuf, String> {
        if let Some(rest) = path
            .strip_prefix("~/")
            .or(if path == "~" { Some("") } else { None })
        {
            let home = self
                .vars
                .get("HOME")
                .filter(|h| !h.is_empty())
                .ok_or("cannot expand `~`: HOME is not set")?;
            return Ok(PathBuf::from(home).join(rest));
        }
        Ok(self.project_dir.join(path))
    }

    fn environment_spec(&self, name: &str) -> Result<EnvironmentSpec, String> {
        self.config
            .environment(name, &self.project_dir)
            .ok_or_else(|| format!("environment `{name}` is not configured in preflight.toml"))
    }

    fn resolve(
        &self,
        name: &str,
        spec: &EnvironmentSpec,
        fetched: &FetchedSecrets,
    ) -> Result<ResolvedEnvironment, String> {
        spec.resolve(&self.project_dir, &self.vars, fetched)
            .map_err(|e| format!("environment `{name}`: {e}"))
    }

    /// Every field of a named environment read from its sources, Key Vault secrets
    /// included. The error names the environment, the field and the source, never a
    /// value.
    pub async fn environment(&self, name: &str) -> Result<ResolvedEnvironment, String> {
        let spec = self.environment_spec(name)?;
        let fetched = self.fetch_vault_secrets(&spec).await;
        self.resolve(name, &spec, &fetched)
    }

    /// The Key Vault secrets an environment reads (each fetched at most once per run).
    async fn fetch_vault_secrets(&self, spec: &EnvironmentSpec) -> FetchedSecrets {
        let mut fetched = FetchedSecrets::new();
        for (vault, secret) in spec.vault_secrets() {
            let value = self.vaults.value(&vault, &secret).await;
            fetched.insert((vault, secret), value);
        }
        fetched
    }

    /// [`ProbeContext::environment`] for blocking probes (which run on tokio's blocking
    /// pool, where waiting for the vault is allowed).
    pub fn environment_blocking(&self, name: &str) -> Result<ResolvedEnvironment, String> {
        let spec = self.environment_spec(name)?;
        let fetched = if spec.vault_secrets().is_empty() {
            FetchedSecrets::new()
        } else {
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => handle.block_on(self.fetch_vault_secrets(&spec)),
                Err(_) => {
                    return Err(format!(
                        "environment `{name}` reads Key Vault, which needs the async runtime"
                    ));
                }
            }
        };
        self.resolve(name, &spec, &fetched)
    }
}

/// The future a probe returns.
pub type ProbeFuture = Pin<Box<dyn Future<Output = ProbeOutcome> + Send + 'static>>;

/// A configured check, ready to run any number of times.
pub trait Probe: Send + Sync + fmt::Debug + 'static {
    /// Runs the check. The runner applies the timeout; a probe that talks to the network
    /// also bounds each of its own steps.
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture;
}

/// A probe that does blocking work (files, child processes): it runs on tokio's
/// blocking pool so it never stalls the event loop.
pub trait BlockingProbe: Send + Sync + fmt::Debug + 'static {
    /// Runs the check synchronously.
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome;
}

impl<T: BlockingProbe> Probe for T {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move {
            match tokio::task::spawn_blocking(move || self.check(&ctx)).await {
                Ok(outcome) => outcome,
                Err(e) if e.is_panic() => {
                    ProbeOutcome::error("the probe panicked (this is a bug in preflight)")
                }
                Err(_) => ProbeOutcome::error("the probe was cancelled"),
            }
        })
    }
}

/// A project-relative path for evidence, with `/` separators.
pub fn display_path(project_dir: &std::path::Path, path: &std::path::Path) -> String {
    let rel = path.strip_prefix(project_dir).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}
