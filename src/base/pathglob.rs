//! File patterns as people write them in checklists: a pattern without `/` matches a
//! file name in any folder (`.env.*`), a pattern with `/` matches the path from the
//! project root (`deploy/**/*.yml`), like `.gitignore`.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

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
    /// Compiles the patterns.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, PatternError> {
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
        let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
        self.names.is_match(name) || self.paths.is_match(rel_path)
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
        assert_eq!(e.pattern, "[unclosed");
    }
}
