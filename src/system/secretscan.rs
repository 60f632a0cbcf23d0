//! Finding hardcoded credentials in a project's files: the engine behind the
//! `secret-scan` probe.
//!
//! Three detectors, chosen for the database cases that general scanners miss:
//! - **connection URLs with an inline password** for database and broker schemes
//!   (`postgres://`, `postgresql://`, `mysql://`, `mongodb+srv://`, `redis://`, ...),
//!   localhost included;
//! - **assignments to secret-like names** (`password=`, `PGPASSWORD=`,
//!   `POSTGRES_PASSWORD:`, `"db_password": "..."`, `$env:PG_PASSWORD = '...'`,
//!   `password="..."` keyword arguments) in code, YAML, JSON, TOML, `.env`, shell and
//!   PowerShell, whatever the value's strength: `postgres` is reported like a random
//!   string;
//! - **a known password** (the production one, when it can be read), wherever it is.
//!
//! Placeholders (`${VAR}`, `$VAR`, `<password>`, `{{ secret }}`, `YOUR_..._HERE`,
//! `***`) and references in code (`password = os.environ["PG_PASSWORD"]`) are not
//! findings. Which files are scanned is the walker's answer ([`super::walk`]: git-ignored
//! files that git does not track, vendored folders, binary and oversized files are
//! skipped); they are read on every core. A finding never holds
//! the secret: its text is redacted, and its fingerprint hashes the file, the rule and
//! the redacted text, not the value.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use regex::bytes::Regex;

use super::walk::{Content, Listing, SkipReason};
use crate::base::digest::sha256_parts_hex;
use crate::base::secret::{MASK, Secret, is_reference};

/// What kind of credential was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// A connection URL with a password in it.
    UrlPassword,
    /// A literal value assigned to a secret-like name.
    Assignment,
    /// A password known to preflight (e.g. production's) written in a file.
    KnownPassword,
}

impl Rule {
    /// A short id, used in fingerprints.
    pub fn id(self) -> &'static str {
        match self {
            Rule::UrlPassword => "url-password",
            Rule::Assignment => "assignment",
            Rule::KnownPassword => "known-password",
        }
    }
}

/// One hardcoded credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// File relative to the scanned root, `/`-separated.
    pub file: String,
    /// One-based line.
    pub line: usize,
    /// One-based column (in characters) where the match starts.
    pub column: usize,
    /// What was found.
    pub rule: Rule,
    /// The match with the secret replaced by `********`.
    pub redacted: String,
    /// A stable id for allowlisting: derived from the file, the rule and the redacted
    /// text, never from the secret.
    pub fingerprint: String,
}

/// Counters of one scan.
#[derive(Debug, Default)]
pub struct Stats {
    /// Files read.
    pub files: AtomicU64,
    /// Bytes read.
    pub bytes: AtomicU64,
    /// Files skipped as binary or too large.
    pub skipped: AtomicU64,
}

/// The compiled detectors.
#[derive(Debug)]
pub struct Scanner {
    url: Regex,
    assignment: Regex,
    known: Vec<Secret>,
}

/// Extensions whose files are program code: there an unquoted right-hand side is an
/// expression, not a value.
const CODE: &[&str] = &[
    "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "rs", "go", "java", "kt", "kts", "scala", "rb",
    "php", "cs", "swift", "c", "h", "cc", "cpp", "hpp", "m", "dart", "lua", "pl", "r", "groovy",
    "ex", "exs", "clj",
];

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new(Vec::new())
    }
}

impl Scanner {
    /// Detectors, plus `known` passwords to look for verbatim (those under 6 characters
    /// are ignored: they would match by accident).
    pub fn new(known: Vec<Secret>) -> Scanner {
        Scanner {
            url: Regex::new(URL_PATTERN).expect("the URL pattern is valid"),
            assignment: Regex::new(ASSIGNMENT_PATTERN).expect("the assignment pattern is valid"),
            known: known
                .into_iter()
                .filter(|s| s.expose().len() >= 6)
                .collect(),
        }
    }

    /// Findings in one file's contents.
    pub fn scan(&self, file: &str, bytes: &[u8]) -> Vec<Finding> {
        let mut found = Vec::new();
        let mut lines = LineIndex::new(bytes);
        let code = Path::new(file)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| CODE.contains(&e.to_ascii_lowercase().as_str()));
        for m in self.url.captures_iter(bytes) {
            let (Some(whole), Some(password)) = (m.get(0), m.get(3)) else {
                continue;
            };
            let value = String::from_utf8_lossy(password.as_bytes());
            if is_placeholder(&value) {
                continue;
            }
            let redacted = format!(
                "{}{MASK}{}",
                String::from_utf8_lossy(&bytes[whole.start()..password.start()]),
                String::from_utf8_lossy(&bytes[password.end()..whole.end()])
            );
            found.push(self.finding(file, &mut lines, whole.start(), Rule::UrlPassword, redacted));
        }
        for m in self.assignment.captures_iter(bytes) {
            let (Some(name), Some(rest)) = (m.get(1), m.get(2)) else {
                continue;
            };
            let name_text = String::from_utf8_lossy(name.as_bytes());
            if !is_secret_key(&name_text) {
                continue;
            }
            let Some((value, quoted)) = value_of(rest.as_bytes()) else {
                continue;
            };
            if (code && !quoted) || is_placeholder(&value) || value.contains("://") {
                continue;
            }
            let redacted = format!(
                "{}{MASK}",
                String::from_utf8_lossy(&bytes[name.start()..rest.start()]).trim_end()
            );
            found.push(self.finding(file, &mut lines, name.start(), Rule::Assignment, redacted));
        }
        for known in &self.known {
            let needle = known.expose().as_bytes();
            for at in memchr::memmem::find_iter(bytes, needle) {
                // Already reported as a URL or an assignment on that line.
                let (line, _) = lines.position(at);
                if found
                    .iter()
                    .any(|f| f.line == line && f.rule != Rule::KnownPassword)
                {
                    continue;
                }
                found.push(self.finding(
                    file,
                    &mut lines,
                    at,
                    Rule::KnownPassword,
                    format!("{MASK} (the production password)"),
                ));
            }
        }
        found.sort_by_key(|f| (f.line, f.column));
        found
    }

    fn finding(
        &self,
        file: &str,
        lines: &mut LineIndex<'_>,
        offset: usize,
        rule: Rule,
        redacted: String,
    ) -> Finding {
        let (line, column) = lines.position(offset);
        let fingerprint = sha256_parts_hex(
            &[file.as_bytes(), rule.id().as_bytes(), redacted.as_bytes()],
            6,
        );
        Finding {
            file: file.to_string(),
            line,
            column,
            rule,
            redacted,
            fingerprint,
        }
    }

    /// Scans every file of a walk, on every core. Findings come back sorted by file
    /// and position; binary and oversized files are counted in `stats.skipped`.
    pub fn scan_listing(&self, listing: &Listing, stats: &Stats) -> Vec<Finding> {
        let (found, skipped) = listing.read_each(Content::Text, |file, bytes| {
            stats.files.fetch_add(1, Ordering::Relaxed);
            stats.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            self.scan(&file.rel, bytes)
        });
        let unscanned = skipped
            .iter()
            .filter(|s| matches!(s.reason, SkipReason::Binary | SkipReason::TooLarge { .. }))
            .count();
        stats.skipped.fetch_add(unscanned as u64, Ordering::Relaxed);
        let mut found: Vec<Finding> = found.into_iter().flatten().collect();
        found.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        found
    }
}

/// `scheme://user:password@` for database and broker schemes (JDBC's `jdbc:` prefix
/// included). Group 3 is the password.
pub const URL_PATTERN: &str = r"(?i)\b((?:jdbc:)?(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse|couchdb|neo4j(?:\+s)?|cassandra)://)([^:/?#@\s'`]*):([^@/?#\s'`]+)@";

/// A secret-like name, an assignment operator, and the rest of the line. Group 1 is
/// the name (with `$`, `$env:` or a quote before it), group 2 what follows the operator.
pub const ASSIGNMENT_PATTERN: &str = r#"(?im)((?:\$env:|\$)?[A-Za-z0-9_.\-]*(?:passw(?:or)?d|pwd|secret|token|api_?key|private_?key|access_?key|_pass)[A-Za-z0-9_\-]*)["']?[ \t]*(?:=|:=|:|=>|-Value)[ \t]*([^\r\n]*)"#;

/// Whether a name holds a credential (rather than a path, a length, a policy, ...).
fn is_secret_key(name: &str) -> bool {
    let upper = name
        .trim_start_matches("$env:")
        .trim_start_matches('$')
        .to_ascii_uppercase();
    let last = upper.rsplit(['.', '-']).next().unwrap_or(&upper);
    const NOT_VALUES: &[&str] = &[
        "FILE",
        "PATH",
        "DIR",
        "LENGTH",
        "LEN",
        "MIN",
        "MAX",
        "POLICY",
        "ENCRYPTION",
        "EXPIRY",
        "EXPIRES",
        "EXPIRATION",
        "AGE",
        "RESET",
        "PROMPT",
        "FIELD",
        "PATTERN",
        "REGEX",
        "TYPE",
        "URL",
        "URI",
        "ENDPOINT",
        "HEADER",
        "NAME",
        "ID",
        "HASH",
        "HASHER",
        "ALGORITHM",
        "ENV",
        "VAR",
        "KEY_ID",
        "COUNT",
        "SIZE",
        "TTL",
        "TIMEOUT",
        "LIMIT",
        "REQUIRED",
        "ENABLED",
        "COMMAND",
        "CMD",
        "STDIN",
        "RULES",
        "CHANGED",
        "VERSION",
        "LABEL",
        "HINT",
        "STRENGTH",
        "MANAGER",
        "STORE",
        "PROVIDER",
        "SOURCE",
        "REF",
        "PARAM",
    ];
    !(upper == "PWD"
        || upper == "OLDPWD"
        || NOT_VALUES
            .iter()
            .any(|s| last.ends_with(&format!("_{s}")) || last.starts_with(&format!("{s}_"))))
}

/// The value after an assignment operator: quoted (`"..."`, `'...'`) or bare up to a
/// space, comma, semicolon or closing bracket. `None` for block scalars and aliases.
fn value_of(rest: &[u8]) -> Option<(String, bool)> {
    let text = String::from_utf8_lossy(rest);
    let mut t = text.trim_start();
    // A YAML anchor on the value: `password: &pw secret`.
    if let Some(anchored) = t.strip_prefix('&') {
        t = anchored
            .split_once(' ')
            .map(|(_, v)| v.trim_start())
            .unwrap_or("");
    }
    let first = t.chars().next()?;
    if matches!(first, '*' | '|' | '>' | '[' | '{' | '(') && !t.starts_with("{{") {
        return None;
    }
    if first == '"' || first == '\'' {
        let inner = &t[1..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in inner.char_indices() {
            match c {
                '\\' if first == '"' && !escaped => escaped = true,
                c if c == first && !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        return Some((inner[..end?].to_string(), true));
    }
    let end = if t.starts_with("${") {
        t.find('}').map_or(t.len(), |i| i + 1)
    } else {
        t.find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ')' | ']' | '}' | '#'))
            .unwrap_or(t.len())
    };
    Some((t[..end].to_string(), false))
}

/// Whether a value only stands for a secret: references, templates, masks, examples.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    // `${PG_PASSWORD:-contextforge}`: the default is a value.
    if let Some(inner) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
        && let Some((_, default)) = inner.split_once(":-").or_else(|| inner.split_once('-'))
    {
        return is_placeholder(default);
    }
    if is_reference(v) || v.len() < 2 {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    let upper = v.to_ascii_uppercase();
    (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || (v.starts_with("%(") && v.ends_with(")s"))
        || v.contains("${")
        || v.chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '#' | '-' | '•'))
        || matches!(
            lower.as_str(),
            "none" | "null" | "nil" | "true" | "false" | "undefined" | "required" | "optional"
        )
        || lower.starts_with("os.environ")
        || lower.starts_with("os.getenv")
        || lower.starts_with("process.env")
        || lower.starts_with("env(")
        || lower.starts_with("env::var")
        || ((upper.starts_with("YOUR_")
            || upper.starts_with("YOUR-")
            || upper.ends_with("_HERE")
            || upper.starts_with("REPLACE_")
            || upper.starts_with("CHANGE_ME")
            || upper.starts_with("INSERT_")
            || upper.starts_with("ENTER_"))
            && v == upper)
}

/// Byte offset → (line, column), moving forward cheaply.
struct LineIndex<'a> {
    bytes: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineIndex {
            bytes,
            starts: Vec::new(),
        }
    }

    fn position(&mut self, offset: usize) -> (usize, usize) {
        if self.starts.is_empty() {
            self.starts.push(0);
            self.starts
                .extend(memchr::memchr_iter(b'\n', self.bytes).map(|i| i + 1));
        }
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self.starts[line - 1];
        let column = String::from_utf8_lossy(&self.bytes[start..offset])
            .chars()
            .count()
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(file: &str, text: &str) -> Vec<String> {
        Scanner::default()
            .scan(file, text.as_bytes())
            .into_iter()
            .map(|f| format!("{}:{} {}", f.line, f.column, f.redacted))
            .collect()
    }

    #[test]
    fn finds_urls_and_assignments_and_skips_placeholders() {
        assert_eq!(
            redacted(
                "app.py",
                "DB = \"postgresql://app:pw@localhost:5432/db\"\npassword = os.environ[\"PG_PASSWORD\"]\nconnect(password=\"postgres\")\nurl = \"postgres://${USER}:${PASSWORD}@db/x\"\n"
            ),
            ["1:7 postgresql://app:********@", "3:9 password=********",]
        );
        assert_eq!(
            redacted(
                ".env",
                "PGPASSWORD=postgres\nexport DB_PASSWORD='s3cr3t'\nPG_PASSWORD=${KEYVAULT_SECRET}\nAPI_TOKEN=<token>\nPASSWORD_FILE=/run/secrets/x\nPG_PASSWORD=YOUR_PASSWORD_HERE\nPG_PASSWORD=${PG_PASSWORD:-contextforge}\nPG_PASSWORD=${PG_PASSWORD:-}\n"
            ),
            [
                "1:1 PGPASSWORD=********",
                "2:8 DB_PASSWORD=********",
                "7:1 PG_PASSWORD=********"
            ]
        );
        assert_eq!(
            redacted(
                "deploy.ps1",
                "$env:PG_PASSWORD = \"contextforge\"\n$Password = 'hunter2!'\n"
            ),
            ["1:1 $env:PG_PASSWORD =********", "2:1 $Password =********"]
        );
        assert_eq!(
            redacted(
                "compose.yml",
                "x-db: &db\n  POSTGRES_PASSWORD: postgres\n  other: &pw sekret1\nservices:\n  a:\n    environment:\n      - POSTGRES_PASSWORD=postgres\n      db_password: *pw\n"
            ),
            [
                "2:3 POSTGRES_PASSWORD:********",
                "7:9 POSTGRES_PASSWORD=********"
            ]
        );
    }

    #[test]
    fn fingerprints_hide_the_secret_and_survive_a_move() {
        let s = Scanner::default();
        let a = s.scan(".env", b"PGPASSWORD=postgres\n");
        let b = s.scan(".env", b"# moved\n\nPGPASSWORD=postgres\n");
        assert_eq!(a[0].fingerprint, b[0].fingerprint);
        assert_eq!(a[0].fingerprint.len(), 12);
        assert!(!format!("{a:?}").contains("postgres\""));
    }

    #[test]
    fn finds_a_known_password_anywhere() {
        let s = Scanner::new(vec![Secret::new("Prod-Pw-4471")]);
        let f = s.scan("notes.txt", b"the password is Prod-Pw-4471 ok\n");
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].line, f[0].column, f[0].rule),
            (1, 17, Rule::KnownPassword)
        );
    }
}
