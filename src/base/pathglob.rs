//! File patterns as people write them in checklists: a pattern without `/` matches a
//! file name in any folder (`.env.*`), a pattern with `/` matches the path from the
//! project root (`deploy/**/*.yml`), like `.gitignore`.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// How many lists of patterns [`PathGlobs::new`] keeps compiled.
const MAX_COMPILED: usize = 256;

/// A compiled set of name-or-path patterns.
#[derive(Debug, Clone)]
pub struct PathGlobs {
    names: GlobSet,
    paths: GlobSet,
    patterns: Vec<String>,
}

/// A pattern that is not a valid glob.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid pattern `{pattern}`: {reason}")]
pub struct PatternError {
    /// The pattern as written.
    pub pattern: String,
    /// Why it is invalid.
    pub reason: String,
}

impl PathGlobs {
    /// Compiles the patterns, once per process for each list: a checklist is checked
    /// when it loads and its probes are built again for each run, and several probes
    /// share a list (the Compose kinds' default files).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, PatternError> {
        type Compiled = HashMap<Vec<String>, Result<PathGlobs, PatternError>>;
        static COMPILED: LazyLock<Mutex<Compiled>> = LazyLock::new(Mutex::default);
        let key: Vec<String> = patterns.iter().map(|p| p.as_ref().to_string()).collect();
        if let Some(known) = COMPILED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
        {
            return known.clone();
        }
        // Compiled outside the lock: two threads may both compile a new list, and
        // the result is the same.
        let compiled = PathGlobs::compile_all(&key);
        let mut memo = COMPILED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bounded: a checklist names a few lists; a process making endless lists
        // (a long TUI session editing a checklist) starts over.
        if memo.len() >= MAX_COMPILED {
            memo.clear();
        }
        memo.insert(key, compiled.clone());
        compiled
    }

    fn compile_all<S: AsRef<str>>(patterns: &[S]) -> Result<Self, PatternError> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for pattern in patterns {
            let pattern = pattern.as_ref();
            let trimmed = pattern.trim_start_matches("./").trim_start_matches('/');
            let glob = compile(trimmed).map_err(|e| PatternError {
                pattern: pattern.to_string(),
                reason: e.kind().to_string(),
            })?;
            if trimmed.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        let build = |b: GlobSetBuilder| {
            b.build().map_err(|e| PatternError {
                pattern: patterns
                    .iter()
                    .map(|p| p.as_ref())
                    .collect::<Vec<_>>()
                    .join(", "),
                reason: e.to_string(),
            })
        };
        Ok(PathGlobs {
            names: build(names)?,
            paths: build(paths)?,
            patterns: patterns.iter().map(|p| p.as_ref().to_string()).collect(),
        })
    }

    /// Whether a project-relative path (with `/` separators) matches any pattern.
    pub fn is_match(&self, rel_path: &str) -> bool {
        // An empty set says no without looking (globset prepares the path first).
        let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
        (!self.names.is_empty() && self.names.is_match(name))
            || (!self.paths.is_empty() && self.paths.is_match(rel_path))
    }

    /// The patterns as written.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// The patterns joined for a one-line message.
    pub fn describe(&self) -> String {
        self.patterns.join(", ")
    }
}

fn compile(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_in_any_folder_paths_from_the_root() {
        let g = PathGlobs::new(&[".env", ".env.*", "deploy/*.yml"]).unwrap();
        assert!(g.is_match(".env"));
        assert!(g.is_match("app/config/.env.production"));
        assert!(g.is_match("deploy/prod.yml"));
        assert!(!g.is_match("other/deploy/prod.yml"));
        assert!(!g.is_match("env"));
        assert!(!g.is_match("my.env.txt"));
    }

    #[test]
    fn reports_the_bad_pattern() {
        let e = PathGlobs::new(&["ok", "[unclosed"]).unwrap_err();
        // Compiled once per process: the second ask gets the same answer.
        assert_eq!(PathGlobs::new(&["ok", "[unclosed"]).unwrap_err(), e);
        assert_eq!(e.pattern, "[unclosed");
    }
}
