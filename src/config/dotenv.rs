//! `.env` files, read with the usual syntax (quotes, `export`, comments, escapes)
//! through `dotenvy`. Values may be secrets: they are returned, never printed, and the
//! secret ones are registered for scrubbing as they are read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::base::fs::{self, Links, ReadError};
use crate::base::secret::register_if_secret;

/// Why a dotenv file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DotenvError {
    /// The file could not be read (missing, not a regular file, a link out of the
    /// project, too large).
    #[error("cannot read {}: {reason}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: ReadError,
    },
    /// A line could not be parsed.
    #[error("{}:{line}: cannot parse this line of the dotenv file", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// One-based line.
        line: usize,
    },
}

/// The largest dotenv file read.
pub const MAX_DOTENV: u64 = 1024 * 1024;

/// Reads a dotenv file of the project rooted at `root` into a map (later keys win, as
/// in shells). A symbolic link is followed only to a file inside `root`.
pub fn read(path: &Path, root: &Path) -> Result<BTreeMap<String, String>, DotenvError> {
    let unreadable = |reason| DotenvError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let text = fs::read_text(path, MAX_DOTENV, Links::Within(root)).map_err(unreadable)?;
    let mut out = BTreeMap::new();
    for entry in dotenvy::from_read_iter(text.as_bytes()) {
        match entry {
            Ok((k, v)) => {
                register_if_secret(&k, &v);
                out.insert(k, v);
            }
            Err(dotenvy::Error::LineParse(bad_line, _)) => {
                // dotenvy gives the offending text, not its number: find it. The text is
                // never put in the message because it may hold a secret.
                let first = bad_line.lines().next().unwrap_or("");
                let line = text
                    .lines()
                    .position(|l| l.contains(first))
                    .map_or(0, |i| i + 1);
                return Err(DotenvError::Syntax {
                    path: path.to_path_buf(),
                    line,
                });
            }
            Err(dotenvy::Error::Io(e)) => {
                return Err(unreadable(ReadError::Unreadable(e.to_string())));
            }
            Err(_) => {
                return Err(DotenvError::Syntax {
                    path: path.to_path_buf(),
                    line: 0,
                });
            }
        }
    }
    Ok(out)
}

/// Like [`read`], but an absent file is an empty map.
pub fn read_if_exists(path: &Path, root: &Path) -> Result<BTreeMap<String, String>, DotenvError> {
    match read(path, root) {
        Err(DotenvError::Unreadable {
            reason: ReadError::Missing(_),
            ..
        }) => Ok(BTreeMap::new()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_common_syntax_and_locates_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".env");
        std::fs::write(&p, "# c\nexport A=1\nB=\"two words\"\nC='x#y' # note\n").unwrap();
        let m = read(&p, dir.path()).unwrap();
        assert_eq!(m["A"], "1");
        assert_eq!(m["B"], "two words");
        assert_eq!(m["C"], "x#y");
        std::fs::write(&p, "A=1\nB=\"unterminated\n").unwrap();
        match read(&p, dir.path()).unwrap_err() {
            DotenvError::Syntax { line, .. } => assert_eq!(line, 2),
            e => panic!("{e}"),
        }
        assert!(
            read_if_exists(&dir.path().join("absent"), dir.path())
                .unwrap()
                .is_empty()
        );
    }
}
