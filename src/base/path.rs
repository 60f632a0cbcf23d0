//! How a path inside the project is shown to people: relative to the project root,
//! with `/` separators, the same on every platform and in every report.

use std::path::Path;

/// A project-relative path for evidence and messages, with `/` separators (a path
/// outside the project is shown whole).
pub fn display_path(project_dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(project_dir).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}
