//! `git-tracked`: no file in the git index matches a forbidden pattern (by default any
//! `.env` file) unless it matches an allowed one (`.env.example`, templates).

use std::sync::Arc;

use crate::checklist::params::{ParamError, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::git::{FORBID_PARAMS, ForbiddenFiles, git_error};
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "git-tracked",
    summary: "No file in the git index matches a forbidden pattern (default: .env files).",
    params: FORBID_PARAMS,
    build: |p| Ok(Arc::new(GitTrackedProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct GitTrackedProbe {
    files: ForbiddenFiles,
}

impl GitTrackedProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(GitTrackedProbe {
            files: ForbiddenFiles::from_params(p)?,
        })
    }
}

impl BlockingProbe for GitTrackedProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let tracked = match ctx.tracked_files() {
            Ok(t) => t,
            Err(e) => return git_error(e),
        };
        if tracked.is_empty() {
            return ProbeOutcome::skipped("git tracks no file yet: nothing to check");
        }
        let bad: Vec<&String> = tracked
            .iter()
            .filter(|p| self.files.is_forbidden(p))
            .collect();
        if bad.is_empty() {
            return ProbeOutcome::pass(format!(
                "no tracked file matches {} ({} tracked files checked)",
                self.files.describe(),
                tracked.len()
            ));
        }
        let names: Vec<&str> = bad.iter().map(|s| s.as_str()).collect();
        ProbeOutcome::fail(format!(
            "{} forbidden file{} tracked by git: {}",
            bad.len(),
            if bad.len() == 1 { " is" } else { "s are" },
            names.join(", ")
        ))
        .with_evidence(bad.into_iter().map(|p| {
            Evidence::file(p.clone(), "tracked by git: remove it from the index (`git rm --cached`), ignore it, and rotate any secret it held").failing()
        }))
    }
}
