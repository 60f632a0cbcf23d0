//! Git helpers shared by the git probe kinds: the `forbid` / `allow` patterns of
//! `git-tracked` and `git-history`, and the outcome of a git question that could not be
//! answered.

use crate::base::pathglob::PathGlobs;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::ProbeOutcome;

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
            forbid: p.globs_or_default("forbid")?,
            allow: p.globs_or_default("allow")?,
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

/// The outcome for a git question that could not be answered.
pub fn git_error(e: impl std::fmt::Display) -> ProbeOutcome {
    ProbeOutcome::error(e.to_string())
}
