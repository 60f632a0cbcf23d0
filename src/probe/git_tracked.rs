//! `git-tracked`: no file in the git index matches a forbidden pattern (by default any
//! `.env` file) unless it matches an allowed one (`.env.example`, templates).

use std::sync::Arc;

use super::catalog::KindInfo;
use super::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::git::{GitError, Repo};
use crate::pathglob::PathGlobs;

/// Files that usually hold secrets.
pub const DEFAULT_FORBID: &[&str] = &[".env", ".env.*", "*.env"];
/// Files that are meant to be committed: examples and templates.
pub const DEFAULT_ALLOW: &[&str] = &[".env.example", ".env.template", "*.example"];

/// `forbid` and `allow`, shared with `git-history`.
pub const FORBID_PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "forbid",
        ty: ParamType::StringList,
        required: false,
        default: Some("[\".env\", \".env.*\", \"*.env\"]"),
        doc: "Patterns of files that must not be committed (a pattern without `/` matches the file name in any folder).",
    },
    ParamSpec {
        name: "allow",
        ty: ParamType::StringList,
        required: false,
        default: Some("[\".env.example\", \".env.template\", \"*.example\"]"),
        doc: "Exceptions to `forbid` (templates without secrets).",
    },
];

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "git-tracked",
    summary: "No file in the git index matches a forbidden pattern (default: .env files).",
    params: FORBID_PARAMS,
    build: |p| Ok(Arc::new(GitTrackedProbe::from_params(p)?)),
};

/// Forbidden and allowed patterns, shared with the history probe.
#[derive(Debug, Clone)]
pub struct ForbiddenFiles {
    forbid: PathGlobs,
    allow: PathGlobs,
}

impl ForbiddenFiles {
    /// Reads `forbid` and `allow` parameters, with the defaults above.
    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(ForbiddenFiles {
            forbid: p.globs("forbid", DEFAULT_FORBID)?,
            allow: p.globs("allow", DEFAULT_ALLOW)?,
        })
    }

    /// Whether a path is forbidden.
    pub fn is_forbidden(&self, path: &str) -> bool {
        self.forbid.is_match(path) && !self.allow.is_match(path)
    }

    /// The forbidden patterns, for messages.
    pub fn describe(&self) -> String {
        self.forbid.describe()
    }
}

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
        let tracked = match Repo::open(&ctx.project_dir).and_then(|r| r.tracked_files()) {
            Ok(t) => t,
            Err(e) => return git_error(e),
        };
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
            Evidence::file(p.clone(), "tracked by git: remove it from the index (`git rm --cached`), ignore it, and rotate any secret it held")
        }))
    }
}

/// The outcome for a git question that could not be answered.
pub fn git_error(e: GitError) -> ProbeOutcome {
    ProbeOutcome::error(e.to_string())
}
