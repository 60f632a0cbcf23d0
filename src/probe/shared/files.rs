//! The project's files a probe reads, as the walker lists them, and the `skipped`
//! outcome when no file matches what the probe looks for.

use crate::base::pathglob::PathGlobs;
use crate::probe::{ProbeContext, ProbeOutcome};
use crate::system::walk::ProjectFile;

/// The project's files matching `globs` (git-ignored ones and vendored folders
/// skipped), or `skipped` saying that no `what` matches.
pub fn matching(
    ctx: &ProbeContext,
    globs: &PathGlobs,
    what: &str,
) -> Result<Vec<ProjectFile>, ProbeOutcome> {
    let files = ctx.project_files().filtered(Some(globs), None).files;
    if files.is_empty() {
        return Err(ProbeOutcome::skipped(format!(
            "no {what} match {}",
            globs.describe()
        )));
    }
    Ok(files)
}
