//! `file-mode`: a sensitive file (e.g. `~/.mcp.json`) is owned by the current user and
//! has no permission beyond `max_mode` (default `0o600`).

use std::os::unix::fs::MetadataExt;
use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "file-mode",
    summary: "A file is owned by the current user and has no permission beyond max_mode.",
    params: &[
        ParamSpec {
            name: "path",
            ty: ParamType::String,
            required: true,
            default: None,
            doc: "The file; `~` is the home directory, a relative path is from the project root.",
        },
        ParamSpec {
            name: "max_mode",
            ty: ParamType::FileMode,
            required: false,
            default: Some("0o600"),
            doc: "The most permissive mode allowed.",
        },
        ParamSpec {
            name: "missing",
            ty: ParamType::Choice(&["fail", "skip"]),
            required: false,
            default: Some("\"fail\""),
            doc: "What a missing file means.",
        },
    ],
    build: |p| Ok(Arc::new(FileModeProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct FileModeProbe {
    path: String,
    max_mode: u32,
    skip_if_missing: bool,
}

impl FileModeProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let path = p.string_or_default("path")?.to_string();
        if path.is_empty() {
            return Err(ParamError::new("path", "is empty"));
        }
        Ok(FileModeProbe {
            path,
            max_mode: p.file_mode_or_default("max_mode")?,
            skip_if_missing: p.string_or_default("missing")? == "skip",
        })
    }
}

impl BlockingProbe for FileModeProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let path = match ctx.expand_path(&self.path) {
            Ok(p) => p,
            Err(reason) => return ProbeOutcome::error(reason.to_string()),
        };
        let shown = &self.path;
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return if self.skip_if_missing {
                    ProbeOutcome::skipped(format!("{shown} does not exist"))
                } else {
                    ProbeOutcome::fail(format!("{shown} does not exist"))
                };
            }
            Err(e) => return ProbeOutcome::error(format!("cannot read {shown}: {e}")),
        };
        let mode = meta.mode() & 0o7777;
        let me = rustix::process::geteuid().as_raw();
        let mut problems = Vec::new();
        let extra = mode & !self.max_mode;
        if extra != 0 {
            problems.push(Evidence::file(
                shown.clone(),
                format!("mode {mode:04o} allows {extra:04o} beyond the permitted {:04o} (fix: chmod {:o} {shown})", self.max_mode, self.max_mode),
            ));
        }
        if meta.uid() != me {
            problems.push(Evidence::file(
                shown.clone(),
                format!(
                    "owned by uid {}, not by the current user (uid {me})",
                    meta.uid()
                ),
            ));
        }
        if problems.is_empty() {
            ProbeOutcome::pass(format!(
                "{shown} has mode {mode:04o} and is owned by the current user"
            ))
        } else {
            ProbeOutcome::fail(format!("{shown} is not protected as required"))
                .with_evidence(problems)
        }
    }
}
