//! `git-hook`: a pre-commit hook is installed and really refuses a commit that adds a
//! `.env` file.
//!
//! The hook is found where git looks for it (`core.hooksPath` as configured, else the
//! git directory's `hooks`), read from the configuration without running anything; a
//! `.pre-commit-config.yaml` without an installed hook is reported as such. The hook
//! must be executable.
//!
//! The hook is the project's own code, so trying it needs consent whoever wrote the
//! checklist: `--allow-commands` or the TUI's yes ([`ProbeContext::allow_project_programs`]).
//! Without it the probe reports what is installed and says the block was not tried
//! (`skipped`). With it the hooks folder (and the pre-commit framework's configuration)
//! is copied into a throwaway repository in a temporary folder, where a harmless commit
//! must pass and a commit adding `.env` must be refused, with git hardened and our
//! environment left out (see [`crate::system::git`]) and the whole process group killed
//! at the probe's end. The user's repository, index and working tree are only read.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::base::fs::{self, Links};
use crate::base::path::display_path;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};
use crate::system::git::{self, GitError, Repo};
use crate::system::process::{self, Limits};
use crate::system::walk;

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "git-hook",
    summary: "A pre-commit hook is installed, executable, and refuses a commit that adds a .env file (tried in a throwaway copy).",
    params: &[ParamSpec {
        name: "file",
        ty: ParamType::String,
        required: false,
        default: Some("\".env\""),
        doc: "The file the hook must refuse to commit.",
    }],
    build: |p| Ok(Arc::new(GitHookProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct GitHookProbe {
    file: String,
}

impl GitHookProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let file = p.string_or_default("file")?.to_string();
        if file.is_empty() || file.contains("..") || file.starts_with('/') {
            return Err(ParamError::new("file", "must be a relative file name"));
        }
        Ok(GitHookProbe { file })
    }
}

/// How long one git step of the trial may take, and how much it may print.
const STEP_LIMITS: Limits = Limits {
    timeout: Duration::from_secs(20),
    max_output: 1024 * 1024,
};

/// Runs git in the throwaway repository, hooks from `hooks`, with a throwaway identity
/// and no signing; returns (success, stdout, last line of stderr).
async fn git(dir: &Path, hooks: &Path, args: &[&str]) -> Result<(bool, String, String), String> {
    let mut cmd = tokio::process::Command::from(git::command_with_hooks(dir, hooks));
    cmd.args([
        "-c",
        "user.name=preflight",
        "-c",
        "user.email=preflight@localhost",
        "-c",
        "commit.gpgsign=false",
    ])
    .args(args);
    let out = process::run_async(cmd, STEP_LIMITS)
        .await
        .map_err(|e| format!("`git {}` in the throwaway repository: {e}", args.join(" ")))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        last,
    ))
}

/// The hook git would run before a commit in the project, whether it exists.
pub struct InstalledHook {
    /// Its path.
    pub path: PathBuf,
    /// Its path for people (relative to the project when inside it).
    pub shown: String,
    /// Its `#!` line, or what it is without one.
    pub program: String,
}

/// Whether git would run the file at `path` as a hook (it exists and is executable).
pub fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The project's pre-commit hook, where git would look for it.
pub fn installed_hook(project_dir: &Path) -> Result<InstalledHook, GitError> {
    let hooks = Repo::open(project_dir)?.hooks_dir()?;
    let path = hooks.join("pre-commit");
    let shown = display_path(project_dir, &path);
    let program = match walk::read(&path, walk::Content::Any) {
        Ok(bytes) => {
            let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
            match first.strip_prefix(b"#!") {
                Some(line) => format!("#!{}", String::from_utf8_lossy(line).trim()),
                None => "no #! line: run directly".to_string(),
            }
        }
        Err(e) => e.to_string(),
    };
    Ok(InstalledHook {
        path,
        shown,
        program,
    })
}

/// The largest file copied from a hooks folder.
const MAX_HOOK_FILE: u64 = 16 * 1024 * 1024;

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() || kind.is_symlink() {
            // A hook linked to a shared script: copy what it points at, if that is a
            // regular file of a sensible size (never a FIFO or a device).
            if let Ok(bytes) = fs::read(&entry.path(), MAX_HOOK_FILE, Links::Follow) {
                use std::os::unix::fs::PermissionsExt;
                let mode =
                    std::fs::metadata(entry.path()).map_or(0o644, |m| m.permissions().mode());
                std::fs::write(&target, bytes)?;
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode & 0o755))?;
            }
        }
    }
    Ok(())
}

impl GitHookProbe {
    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let dir = &ctx.project_dir;
        let installed = {
            let project = dir.clone();
            match tokio::task::spawn_blocking(move || installed_hook(&project)).await {
                Ok(Ok(hook)) => hook,
                Ok(Err(e)) => return ProbeOutcome::error(e.to_string()),
                Err(_) => return ProbeOutcome::error("the hook lookup was cancelled"),
            }
        };
        let hook = installed.path.clone();
        let hooks = hook.parent().map(Path::to_path_buf).unwrap_or_default();
        let framework = dir.join(".pre-commit-config.yaml");
        let shown = installed.shown.clone();
        let meta = match std::fs::metadata(&hook) {
            Ok(m) => m,
            Err(_) if framework.is_file() => {
                return ProbeOutcome::fail(format!(
                    ".pre-commit-config.yaml exists but no hook is installed at {shown}: run `pre-commit install`"
                ));
            }
            Err(_) => {
                return ProbeOutcome::fail(format!(
                    "no pre-commit hook at {shown}: add one that refuses {} files",
                    self.file
                ));
            }
        };
        if meta.permissions().mode() & 0o111 == 0 {
            return ProbeOutcome::fail(format!(
                "{shown} is not executable, so git skips it: `chmod +x {shown}`"
            ));
        }
        let mut evidence = vec![Evidence::file(
            &shown,
            format!("installed and executable ({})", installed.program),
        )];
        if !ctx.allow_project_programs {
            return ProbeOutcome::skipped(format!(
                "{shown} is installed and executable; whether it refuses {} was not tried: the hook is the project's own code and runs only with --allow-commands or the terminal UI's yes",
                self.file
            ))
            .with_evidence(evidence);
        }

        // The throwaway repository.
        let sandbox = match tempfile::Builder::new().prefix("preflight-hook-").tempdir() {
            Ok(t) => t,
            Err(e) => return ProbeOutcome::error(format!("cannot create a temporary folder: {e}")),
        };
        let repo = sandbox.path().join("repo");
        let copied_hooks = sandbox.path().join("hooks");
        let prepared = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&repo)?;
            copy_dir(&hooks, &copied_hooks)?;
            if framework.is_file() {
                let config = fs::read(&framework, MAX_HOOK_FILE, Links::Within(dir))
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                std::fs::write(repo.join(".pre-commit-config.yaml"), config)?;
            }
            std::fs::write(repo.join("README.preflight"), "a harmless file\n")?;
            Ok(())
        })();
        if let Err(e) = prepared {
            return ProbeOutcome::error(format!("cannot prepare the throwaway repository: {e}"));
        }
        let steps: [&[&str]; 2] = [&["init", "-q"], &["add", "--all"]];
        for args in steps {
            match git(&repo, &copied_hooks, args).await {
                Ok((true, _, _)) => {}
                Ok((false, _, err)) => {
                    return ProbeOutcome::error(format!(
                        "`git {}` in the throwaway repository failed: {err}",
                        args.join(" ")
                    ));
                }
                Err(e) => return ProbeOutcome::error(e),
            }
        }
        // A harmless commit must go through, or the hook refuses everything.
        match git(
            &repo,
            &copied_hooks,
            &["commit", "-q", "-m", "preflight: harmless commit"],
        )
        .await
        {
            Ok((true, _, _)) => {}
            Ok((false, _, err)) => {
                return ProbeOutcome::error(format!(
                    "the hook refuses even a harmless commit, so it proves nothing about {}: {err}",
                    self.file
                ))
                .with_evidence(evidence);
            }
            Err(e) => return ProbeOutcome::error(e),
        }
        if let Err(e) = std::fs::write(repo.join(&self.file), "PG_PASSWORD=preflight-hook-test\n") {
            return ProbeOutcome::error(format!("cannot write {}: {e}", self.file));
        }
        if let Ok((false, _, err)) =
            git(&repo, &copied_hooks, &["add", "-f", "--", &self.file]).await
        {
            return ProbeOutcome::error(format!("cannot stage {}: {err}", self.file));
        }
        let attempt = git(
            &repo,
            &copied_hooks,
            &["commit", "-q", "-m", "preflight: add a secrets file"],
        )
        .await;
        let count = git(&repo, &copied_hooks, &["rev-list", "--count", "HEAD"]).await;
        match (attempt, count) {
            (Ok((false, _, err)), Ok((_, n, _))) if n == "1" => {
                let said = if err.is_empty() { String::new() } else { format!(": {err}") };
                evidence.push(Evidence::note(format!(
                    "in a throwaway repository, a commit adding {} was refused{said}",
                    self.file
                )));
                ProbeOutcome::pass(format!("the pre-commit hook refuses to commit {}", self.file))
                    .with_evidence(evidence)
            }
            (Ok(_), _) => ProbeOutcome::fail(format!(
                "the pre-commit hook let a commit adding {} through (tried in a throwaway repository)",
                self.file
            ))
            .with_evidence(evidence),
            (Err(e), _) => ProbeOutcome::error(e),
        }
    }
}

impl Probe for GitHookProbe {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}
