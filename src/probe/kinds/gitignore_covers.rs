//! `gitignore-covers`: files that must never be committed are ignored by git, with
//! exactly git's rules (nested `.gitignore`, negation, `.git/info/exclude`,
//! `core.excludesFile`), because the answer comes from `git check-ignore`.

use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::git::git_error;
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::system::git::Repo;

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "gitignore-covers",
    summary: "The given paths are ignored by git (as `git check-ignore` decides).",
    params: &[ParamSpec {
        name: "paths",
        ty: ParamType::StringList,
        required: false,
        default: Some("[\".env\", \".env.production\", \".env.staging\", \".env.deployment\"]"),
        doc: "Paths, relative to the project root, that must be ignored (they need not exist).",
    }],
    build: |p| Ok(Arc::new(GitignoreCoversProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct GitignoreCoversProbe {
    paths: Vec<String>,
}

impl GitignoreCoversProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let paths = p.string_list_or_default("paths")?;
        if paths.is_empty() {
            return Err(ParamError::new("paths", "is empty"));
        }
        if let Some(bad) = paths
            .iter()
            .find(|p| p.is_empty() || p.starts_with('/') || p.split('/').any(|c| c == ".."))
        {
            return Err(ParamError::new(
                "paths",
                format!("`{bad}` must be a relative path inside the project"),
            ));
        }
        Ok(GitignoreCoversProbe { paths })
    }
}

impl BlockingProbe for GitignoreCoversProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let repo = match Repo::open(&ctx.project_dir) {
            Ok(r) => r,
            Err(e) => return git_error(e),
        };
        let (statuses, tracked) = match (repo.check_ignore(&self.paths), ctx.tracked_files()) {
            (Ok(s), Ok(t)) => (s, t),
            (Err(e), _) => return git_error(e),
            (_, Err(e)) => return git_error(e),
        };
        let mut uncovered = Vec::new();
        let mut covered = Vec::new();
        for s in &statuses {
            if s.ignored {
                covered.push(Evidence::file(
                    s.path.clone(),
                    format!("ignored by {}", s.rule.as_deref().unwrap_or("a rule")),
                ));
            } else if tracked.contains(&s.path) {
                uncovered.push(Evidence::file(
                    s.path.clone(),
                    "tracked by git, so ignore rules do not apply to it",
                ));
            } else if let Some(rule) = &s.rule {
                uncovered.push(Evidence::file(
                    s.path.clone(),
                    format!("re-included by {rule}"),
                ));
            } else {
                uncovered.push(Evidence::file(
                    s.path.clone(),
                    "not ignored: no rule matches it",
                ));
            }
        }
        if uncovered.is_empty() {
            let n = statuses.len();
            ProbeOutcome::pass(format!(
                "{} {} ignored by git",
                crate::probe::shared::every(n, "path", "paths"),
                if n == 1 { "is" } else { "are" }
            ))
            .with_evidence(covered)
        } else {
            let names: Vec<&str> = uncovered.iter().filter_map(|e| e.file.as_deref()).collect();
            ProbeOutcome::fail(format!("not ignored by git: {}", names.join(", ")))
                .with_evidence(uncovered)
                .with_evidence(covered)
        }
    }
}
