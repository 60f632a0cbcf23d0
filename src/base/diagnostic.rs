//! Errors that point into a file: path, line, column and the offending snippet; and
//! [`error_chain`], any error with its causes on one line.
//!
//! Loaders collect every problem they find into [`Diagnostics`] instead of stopping at
//! the first, then render them in one familiar layout:
//!
//! ```text
//! error: unknown probe kind `compose-port`
//!  --> broken.toml:7:8
//!   |
//! 7 | kind = "compose-port"
//!   |        ^^^^^^^^^^^^^^
//!   = help: did you mean `compose-ports`?
//! ```

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use super::secret::{is_secret_name, is_secret_value};
use super::text::escape_controls;

/// A file's text with what is needed to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (shown in messages).
    pub path: PathBuf,
    /// The whole text.
    pub text: String,
    /// Where each line starts, found on first use: a loader asks for many positions,
    /// and counting lines from the start each time made loading quadratic.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// A source with the given display path and text.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1))
                .collect()
        })
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let starts = self.line_starts();
        let line = starts.partition_point(|s| *s <= offset);
        let line_start = starts[line - 1];
        let column = self.text[line_start..offset].chars().count() + 1;
        (line, column)
    }

    /// The text of a one-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let starts = self.line_starts();
        let Some(&start) = starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = starts.get(line).map_or(self.text.len(), |next| next - 1);
        self.text[start..end]
            .trim_end_matches('\n')
            .trim_end_matches('\r')
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One problem in one file, already resolved to line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file.
    pub path: PathBuf,
    /// One-based line.
    pub line: usize,
    /// One-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The line of the file the problem is on.
    pub snippet: String,
    /// How many characters of the snippet to underline, from `column`.
    pub underline: usize,
    /// A suggestion, if there is one.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic for a byte range of a source file.
    pub fn at(source: &SourceFile, span: Range<usize>, message: impl Into<String>) -> Self {
        let (line, column) = source.line_col(span.start);
        // A line that assigns a secret-like key (even misspelt) or holds a URL with a
        // password is never shown as written, whatever the problem on it is.
        let text = source.line_text(line);
        let snippet = match secret_assignment(text) {
            Some(value_at) => mask_from(text, value_at),
            None => text.to_string(),
        };
        let line_chars = snippet.chars().count();
        let span_text = source.text.get(span.clone()).unwrap_or("");
        let first_line = span_text.split('\n').next().unwrap_or("");
        let underline = first_line
            .chars()
            .count()
            .clamp(1, line_chars.saturating_sub(column - 1).max(1));
        Diagnostic {
            path: source.path.clone(),
            line,
            column,
            message: message.into(),
            snippet,
            underline,
            help: None,
        }
    }

    /// Replaces the underlined text of the snippet with `*`, for a value that may be a
    /// secret (the message must not repeat what it refuses).
    pub fn masked(mut self) -> Self {
        let start = self.column.saturating_sub(1);
        self.snippet = self
            .snippet
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i >= start && i < start + self.underline {
                    '*'
                } else {
                    c
                }
            })
            .collect();
        self
    }

    /// Adds a suggestion.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Where the value starts on a line that assigns a secret: a key that is secret-like
/// ([`is_secret_name`]) or one or two letters away from `password`, `passwd`, `secret`
/// or `token` (a misspelt key is still a password), or a line holding a URL with a
/// password. `None` for any other line.
fn secret_assignment(line: &str) -> Option<usize> {
    let (key, _) = line.split_once('=')?;
    let value_at = key.len() + 1;
    if is_secret_value(&line[value_at..]) {
        return Some(value_at);
    }
    let key = key.trim().trim_matches(['"', '\'']);
    let last = key
        .rsplit('.')
        .next()
        .unwrap_or(key)
        .trim_matches(['"', '\'']);
    let lower = last.to_ascii_lowercase();
    let near = ["password", "passwd", "secret", "token"]
        .iter()
        .any(|word| lower.len() >= 4 && strsim::damerau_levenshtein(&lower, word) <= 2);
    (is_secret_name(last) || near).then_some(value_at)
}

/// The line with every letter and digit from `at` on replaced by `*`.
fn mask_from(line: &str, at: usize) -> String {
    let (kept, value) = line.split_at(at.min(line.len()));
    let masked: String = value
        .chars()
        .map(|c| if c.is_alphanumeric() { '*' } else { c })
        .collect();
    format!("{kept}{masked}")
}

impl fmt::Display for Diagnostic {
    /// The problem, with every control character of the file's text escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = escape_controls(&self.message, false);
        let snippet = escape_controls(&self.snippet, false);
        writeln!(f, "error: {message}")?;
        if self.line == 0 {
            write!(f, " --> {}", self.path.display())?;
        } else {
            let gutter = self.line.to_string().len();
            let pad = " ".repeat(gutter);
            writeln!(
                f,
                "{pad}--> {}:{}:{}",
                self.path.display(),
                self.line,
                self.column
            )?;
            writeln!(f, "{pad} |")?;
            writeln!(f, "{} | {snippet}", self.line)?;
            write!(
                f,
                "{pad} | {}{}",
                " ".repeat(self.column.saturating_sub(1)),
                "^".repeat(self.underline)
            )?;
        }
        if let Some(help) = &self.help {
            let pad = " ".repeat(self.line.max(1).to_string().len());
            write!(f, "\n{pad} = help: {help}")?;
        }
        Ok(())
    }
}

/// Every problem found in one or more files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Orders the problems by file, line and column, as a reader expects them.
    pub fn sort(&mut self) {
        self.0
            .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// The closest candidate to a misspelt name, if one is close enough to suggest.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// An error and its causes on one line (`Display` alone is often terse), each cause
/// added unless an earlier part already says it.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_with_snippet_and_caret() {
        let src = SourceFile::new("x.toml", "a = 1\nkind = \"compose-port\"\n");
        let d = Diagnostic::at(&src, 13..27, "unknown probe kind `compose-port`")
            .with_help("did you mean `compose-ports`?");
        assert_eq!(
            d.to_string(),
            "error: unknown probe kind `compose-port`\n --> x.toml:2:8\n  |\n2 | kind = \"compose-port\"\n  |        ^^^^^^^^^^^^^^\n  = help: did you mean `compose-ports`?"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = SourceFile::new("x", "title = \"é\" x");
        assert_eq!(src.line_col(13), (1, 13));
    }

    #[test]
    fn suggests_near_names_only() {
        let names = ["compose-ports", "git-tracked", "file-mode"];
        assert_eq!(did_you_mean("compose-port", names), Some("compose-ports"));
        assert_eq!(did_you_mean("zzz", names), None);
    }
}
