//! The project's files a probe reads, as the walker lists them, and the `skipped`
//! outcome when no file matches what the probe looks for.

use std::sync::Arc;

use crate::base::pathglob::PathGlobs;
use crate::probe::{ProbeContext, ProbeOutcome};
use crate::system::walk::ProjectFile;

/// The project's files matching `globs` (git-ignored ones and vendored folders
/// skipped), or `skipped` saying that no `what` matches.
pub fn matching(
    ctx: &ProbeContext,
    globs: &PathGlobs,
    what: &str,
) -> Result<Arc<Vec<ProjectFile>>, ProbeOutcome> {
    let files = ctx.project_files_matching(globs);
    if files.is_empty() {
        return Err(none_match(globs, what));
    }
    Ok(files)
}

/// The `skipped` outcome of a probe that found no `what` matching `globs`.
pub fn none_match(globs: &PathGlobs, what: &str) -> ProbeOutcome {
    ProbeOutcome::skipped(format!("no {what} match {}", globs.describe()))
}

/// Whether a file holds development or example settings, never production ones:
/// `.env.example`, `.env.sample`, `.env.template`, `.env.development`, `.env.local`,
/// `.env.test`, and any `*.example`, `*.sample`, `*.template`, `*.dist` file or one
/// with such a part in its name (`docker-compose.example.yml`, `config.sample.toml`).
pub fn is_development_file(rel: &str) -> bool {
    const MARKS: &[&str] = &["example", "sample", "template", "dist", "tmpl", "tpl"];
    const ENVS: &[&str] = &["development", "dev", "local", "test", "testing", "ci"];
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let parts: Vec<&str> = name.split('.').filter(|p| !p.is_empty()).collect();
    parts.iter().skip(1).any(|p| MARKS.contains(p))
        || (name.starts_with(".env.") && parts.iter().skip(1).any(|p| ENVS.contains(p)))
}

#[cfg(test)]
mod tests {
    use super::is_development_file;

    #[test]
    fn development_and_example_files() {
        for rel in [
            ".env.example",
            ".env.sample",
            ".env.template",
            ".env.development",
            ".env.local",
            "deploy/.env.test",
            "docker-compose.example.yml",
            "config.toml.sample",
            "settings.sample.json",
            "app.env.dist",
        ] {
            assert!(is_development_file(rel), "{rel}");
        }
        for rel in [
            ".env",
            ".env.production",
            "config/prod.env",
            "sample/app.env",
            "docker-compose.yml",
        ] {
            assert!(!is_development_file(rel), "{rel}");
        }
    }
}
