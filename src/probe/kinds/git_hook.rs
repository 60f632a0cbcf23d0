//! `git-hook`: a pre-commit hook is installed and really refuses a commit that adds a
//! `.env` file.
//!
//! The hook is found where git looks for it (`git rev-parse --git-path hooks`, which
//! honours `core.hooksPath`); a `.pre-commit-config.yaml` without an installed hook is
//! reported as such. The hook must be executable. Then it is tried, never in the
//! user's repository: the hooks folder (and the pre-commit framework's configuration)
//! is copied into a throwaway repository in a temporary folder, where a harmless
//! commit must pass and a commit adding `.env` must be refused. The user's repository,
//! index and working tree are only read.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use crate::base::path::display_path;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};

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

/// Runs git as [`crate::system::git::command`] does, with a throwaway identity and no signing,
/// killed if the probe is dropped; returns (success, stdout, last line of stderr).
async fn git(dir: &Path, args: &[&str]) -> Result<(bool, String, String), String> {
    let out = tokio::process::Command::from(crate::system::git::command(dir))
        .args([
            "-c",
            "user.name=preflight",
            "-c",
            "user.email=preflight@localhost",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| format!("cannot run git: {e}"))?;
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

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        } else if kind.is_symlink() {
            // A hook linked to a shared script: copy what it points at.
            if let Ok(meta) = std::fs::metadata(entry.path())
                && meta.is_file()
            {
                std::fs::copy(entry.path(), &target)?;
            }
        }
    }
    Ok(())
}

impl GitHookProbe {
    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let dir = &ctx.project_dir;
        let hooks = match git(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-path", "hooks"],
        )
        .await
        {
            Ok((true, path, _)) => PathBuf::from(path),
            Ok((false, _, err)) => {
                return ProbeOutcome::error(format!("not a git repository: {err}"));
            }
            Err(e) => return ProbeOutcome::error(e),
        };
        let hook = hooks.join("pre-commit");
        let framework = dir.join(".pre-commit-config.yaml");
        let shown = display_path(dir, &hook);
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
        let mut evidence = vec![Evidence::file(&shown, "installed and executable")];

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
                std::fs::copy(&framework, repo.join(".pre-commit-config.yaml"))?;
            }
            std::fs::write(repo.join("README.preflight"), "a harmless file\n")?;
            Ok(())
        })();
        if let Err(e) = prepared {
            return ProbeOutcome::error(format!("cannot prepare the throwaway repository: {e}"));
        }
        let hooks_path = copied_hooks.to_string_lossy().into_owned();
        let steps: [&[&str]; 3] = [
            &["init", "-q"],
            &["config", "core.hooksPath", &hooks_path],
            &["add", "--all"],
        ];
        for args in steps {
            match git(&repo, args).await {
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
        match git(&repo, &["commit", "-q", "-m", "preflight: harmless commit"]).await {
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
        if let Ok((false, _, err)) = git(&repo, &["add", "-f", "--", &self.file]).await {
            return ProbeOutcome::error(format!("cannot stage {}: {err}", self.file));
        }
        let attempt = git(
            &repo,
            &["commit", "-q", "-m", "preflight: add a secrets file"],
        )
        .await;
        let count = git(&repo, &["rev-list", "--count", "HEAD"]).await;
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
