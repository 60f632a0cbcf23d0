//! `git-history`: no `.env`-like file (the same patterns as `git-tracked`) was ever
//! added by a commit reachable from any branch or tag. Deleting a committed secret
//! leaves it in history, so a hit means the secret must be rotated, not just removed.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::checklist::params::{ParamError, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::git::{FORBID_PARAMS, ForbiddenFiles, git_error};
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::system::git::{Addition, Repo};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "git-history",
    summary: "No .env-like file was ever added in any commit reachable from a branch or tag.",
    params: FORBID_PARAMS,
    build: |p| Ok(Arc::new(GitHistoryProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct GitHistoryProbe {
    files: ForbiddenFiles,
}

impl GitHistoryProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(GitHistoryProbe {
            files: ForbiddenFiles::from_params(p)?,
        })
    }
}

impl BlockingProbe for GitHistoryProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let added = match Repo::open(&ctx.project_dir).and_then(|r| r.added_in_history()) {
            Ok(a) => a,
            Err(e) => return git_error(e),
        };
        if added.is_empty() {
            return ProbeOutcome::skipped("no commit adds a file yet: no history to check");
        }
        let mut by_path: BTreeMap<&str, Vec<&Addition>> = BTreeMap::new();
        for a in added.iter().filter(|a| self.files.is_forbidden(&a.path)) {
            by_path.entry(a.path.as_str()).or_default().push(a);
        }
        if by_path.is_empty() {
            return ProbeOutcome::pass(format!(
                "no file matching {} was ever committed ({} file additions in history checked)",
                self.files.describe(),
                added.len()
            ));
        }
        let names: Vec<&str> = by_path.keys().copied().collect();
        let evidence = by_path.iter().map(|(path, commits)| {
            let list: Vec<String> = commits
                .iter()
                .map(|a| format!("{} ({}, \"{}\")", &a.commit[..a.commit.len().min(12)], a.date, a.subject))
                .collect();
            Evidence::file(
                path.to_string(),
                format!(
                    "added in {}: rotate every secret it held; removing it needs a history rewrite (git filter-repo) and a force-push",
                    list.join(", ")
                ),
            )
        });
        ProbeOutcome::fail(format!(
            "{} forbidden file{} in git history: {}",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ))
        .with_evidence(evidence)
    }
}
