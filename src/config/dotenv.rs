//! `.env` files, read as Docker Compose reads them (compose-go's dotenv rules): an
//! optional `export `, `KEY=value` or `KEY: value` with spaces allowed around the
//! separator, unquoted values trimmed and cut at an inline ` #` comment (inner spaces
//! kept), single quotes literal, double quotes with `\n`, `\t`, `\"` and `\\` escapes
//! and spanning lines, `${VAR}` and `$VAR` expanded from earlier keys in unquoted and
//! double-quoted values. Values may be secrets: they are returned, never printed, and
//! the secret ones are registered for scrubbing as they are read.

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
    read_via(None, path, root)
}

/// [`read`] through a run's [`fs::ReadCache`], when there is one.
pub fn read_via(
    cache: Option<&fs::ReadCache>,
    path: &Path,
    root: &Path,
) -> Result<BTreeMap<String, String>, DotenvError> {
    let unreadable = |reason| DotenvError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let text =
        fs::read_text_via(cache, path, MAX_DOTENV, Links::Within(root)).map_err(unreadable)?;
    let entries = parse(&text).map_err(|line| DotenvError::Syntax {
        path: path.to_path_buf(),
        line,
    })?;
    let mut out = BTreeMap::new();
    for (k, v) in entries {
        register_if_secret(&k, &v);
        out.insert(k, v);
    }
    Ok(out)
}

/// The entries of a dotenv text in order, or the one-based line that cannot be read.
pub fn parse(text: &str) -> Result<Vec<(String, String)>, usize> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let number = i + 1;
        let line = lines[i].trim_start();
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let key_end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .unwrap_or(line.len());
        let key = &line[..key_end];
        let rest = line[key_end..].trim_start();
        let Some(rest) = rest.strip_prefix('=').or_else(|| rest.strip_prefix(':')) else {
            return Err(number);
        };
        if key.is_empty() {
            return Err(number);
        }
        let rest = rest.trim_start();
        let lookup = |name: &str| {
            out.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let value = match rest.chars().next() {
            Some(q @ ('\'' | '"')) => {
                // A quoted value may span lines until its closing quote.
                let mut body = rest[1..].to_string();
                let closing = |b: &str| quote_end(b, q);
                while closing(&body).is_none() {
                    let Some(next) = lines.get(i) else {
                        return Err(number);
                    };
                    body.push('\n');
                    body.push_str(next);
                    i += 1;
                }
                let end = closing(&body).unwrap_or(body.len());
                let inner = &body[..end];
                if q == '\'' {
                    inner.to_string()
                } else {
                    expand(&unescape(inner), &lookup)
                }
            }
            _ => {
                // An inline comment starts at a `#` after whitespace.
                let cut = rest
                    .char_indices()
                    .find(|&(j, c)| c == '#' && (j == 0 || rest[..j].ends_with([' ', '\t'])))
                    .map_or(rest.len(), |(j, _)| j);
                expand(rest[..cut].trim_end(), &lookup)
            }
        };
        out.push((key.to_string(), value));
    }
    Ok(out)
}

/// Where a quoted body ends (its closing quote), skipping `\"` in double quotes.
fn quote_end(body: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

/// Double-quote escapes: `\n`, `\r`, `\t`, `\"`, `\\`, `\$`.
fn unescape(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other @ ('"' | '\\' | '$')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// `${VAR}`, `${VAR:-default}` and `$VAR` from earlier keys (absent ones empty).
fn expand(value: &str, lookup: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(braced) = after.strip_prefix('{')
            && let Some(end) = braced.find('}')
        {
            let inner = &braced[..end];
            let (name, default) = match inner.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (inner, None),
            };
            let found = lookup(name);
            out.push_str(if found.is_empty() {
                default.unwrap_or("")
            } else {
                &found
            });
            rest = &braced[end + 1..];
            continue;
        }
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if name_len == 0 {
            out.push('$');
            rest = after;
        } else {
            out.push_str(&lookup(&after[..name_len]));
            rest = &after[name_len..];
        }
    }
    out.push_str(rest);
    out
}

/// Like [`read`], but an absent file is an empty map.
pub fn read_if_exists(path: &Path, root: &Path) -> Result<BTreeMap<String, String>, DotenvError> {
    read_if_exists_via(None, path, root)
}

/// [`read_if_exists`] through a run's [`fs::ReadCache`], when there is one.
pub fn read_if_exists_via(
    cache: Option<&fs::ReadCache>,
    path: &Path,
    root: &Path,
) -> Result<BTreeMap<String, String>, DotenvError> {
    match read_via(cache, path, root) {
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
    fn reads_as_compose_reads() {
        let text = "\u{feff}# comment\nexport A=1\nB = false   # inline\nC=two words here\nD='x#y $A' # note\nE=\"line1\\nline2 $A\"\nF=\"multi\nline\"\nG=${A}-${MISSING:-dflt}\nH: colon\nI=a#b\nJ=\n";
        let got = parse(text).unwrap();
        let get = |k: &str| {
            got.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .unwrap()
        };
        assert_eq!(get("A"), "1");
        assert_eq!(get("B"), "false");
        assert_eq!(get("C"), "two words here");
        assert_eq!(get("D"), "x#y $A");
        assert_eq!(get("E"), "line1\nline2 1");
        assert_eq!(get("F"), "multi\nline");
        assert_eq!(get("G"), "1-dflt");
        assert_eq!(get("H"), "colon");
        assert_eq!(get("I"), "a#b");
        assert_eq!(get("J"), "");
        assert_eq!(parse("A=1\nnot a line\n"), Err(2));
        assert_eq!(parse("A=\"open\nB=2\n"), Err(1));
    }

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
