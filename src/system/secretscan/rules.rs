//! The detectors, each run on a line the keyword prefilter picked: credentials in URLs
//! of any scheme, PEM private keys with a body, provider tokens by their documented
//! formats, and literal values assigned to secret names (judged by the shared
//! classifier in [`crate::base::secret`]).

use regex::Regex;

use super::files::FileKind;
use zeroize::Zeroizing;

use crate::base::secret::{
    MASK, SecretKind, entropy, is_placeholder, is_secret_assignment, names_a_credential,
    secret_kind,
};

/// What kind of credential was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// A URL with a password in it (`scheme://user:password@host`).
    UrlPassword,
    /// A PEM private key with its body.
    PrivateKey,
    /// A provider's token in its documented format.
    Token(&'static TokenRule),
    /// A literal value assigned to a secret name.
    Assignment,
    /// A password known to preflight (e.g. production's) written in a file.
    KnownPassword,
}

impl Rule {
    /// A short id, used in fingerprints and reports.
    pub fn id(self) -> &'static str {
        match self {
            Rule::UrlPassword => "url-password",
            Rule::PrivateKey => "private-key",
            Rule::Token(t) => t.id,
            Rule::Assignment => "assignment",
            Rule::KnownPassword => "known-password",
        }
    }

    /// What was found, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::UrlPassword => "URL with a password",
            Rule::PrivateKey => "private key",
            Rule::Token(t) => t.what,
            Rule::Assignment => "hardcoded secret",
            Rule::KnownPassword => "the production password",
        }
    }
}

/// A provider token format: the literal every token starts with (the prefilter's
/// keyword) and the whole token's pattern.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokenRule {
    /// Rule id (`github-token`).
    pub id: &'static str,
    /// What it is, for people.
    pub what: &'static str,
    /// Literals that start the token, lower case (the prefilter is case-insensitive).
    pub keywords: &'static [&'static str],
    /// The token; group 1 is the part shown before the mask.
    pub pattern: &'static str,
}

/// The provider formats, from each provider's documentation of its token prefixes.
pub static TOKENS: &[TokenRule] = &[
    TokenRule {
        id: "aws-access-key-id",
        what: "AWS access key id",
        keywords: &["akia", "asia", "abia", "acca"],
        pattern: r"\b((?:AKIA|ASIA|ABIA|ACCA))[A-Z2-7]{16}\b",
    },
    TokenRule {
        id: "github-token",
        what: "GitHub token",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        pattern: r"\b(gh[pousr]_)[A-Za-z0-9]{36}\b",
    },
    TokenRule {
        id: "github-fine-grained-token",
        what: "GitHub fine-grained token",
        keywords: &["github_pat_"],
        pattern: r"\b(github_pat_)[A-Za-z0-9_]{82}\b",
    },
    TokenRule {
        id: "gitlab-token",
        what: "GitLab personal access token",
        keywords: &["glpat-"],
        pattern: r"\b(glpat-)[A-Za-z0-9_-]{20}\b",
    },
    TokenRule {
        id: "slack-token",
        what: "Slack token",
        keywords: &["xox"],
        pattern: r"\b(xox[abposr]-)[A-Za-z0-9-]{10,}",
    },
    TokenRule {
        id: "slack-webhook",
        what: "Slack webhook URL",
        keywords: &["hooks.slack.com"],
        pattern: r"(https://hooks\.slack\.com/services/)T[A-Z0-9]{8,}/B[A-Z0-9]{8,}/[A-Za-z0-9]{24}",
    },
    TokenRule {
        id: "google-api-key",
        what: "Google API key",
        keywords: &["aiza"],
        pattern: r"\b(AIza)[0-9A-Za-z_-]{35}",
    },
    TokenRule {
        id: "stripe-live-key",
        what: "Stripe live key",
        keywords: &["sk_live_", "rk_live_"],
        pattern: r"\b([sr]k_live_)[0-9A-Za-z]{24,}\b",
    },
    TokenRule {
        id: "npm-token",
        what: "npm access token",
        keywords: &["npm_"],
        pattern: r"\b(npm_)[A-Za-z0-9]{36}\b",
    },
    TokenRule {
        id: "sendgrid-key",
        what: "SendGrid API key",
        keywords: &["sg."],
        pattern: r"\b(SG\.)[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
    },
    TokenRule {
        id: "azure-storage-key",
        what: "Azure storage account key",
        keywords: &["accountkey="],
        pattern: r"(AccountKey=)[A-Za-z0-9+/]{86}==",
    },
];

/// One detection, before it becomes a finding. `value` is what the fingerprint is
/// computed over; it is wiped when dropped. It is not registered for scrubbing: the
/// value is never printed, and registering what a scan finds (`grafana`, `gitea`)
/// would mask every path that contains it.
pub struct Hit {
    /// Byte offset in the file.
    pub offset: usize,
    /// The detector.
    pub rule: Rule,
    /// The match with the secret masked.
    pub redacted: String,
    /// The secret itself.
    pub value: Zeroizing<String>,
}

/// Lines longer than this are data (a bundle, an embedded blob): the name-based
/// detector skips them.
pub const LONG_LINE: usize = 4096;

/// The compiled token patterns, in [`TOKENS`] order.
#[derive(Debug)]
pub struct Tokens(Vec<Regex>);

impl Default for Tokens {
    /// Compiles every pattern.
    fn default() -> Tokens {
        Tokens(
            TOKENS
                .iter()
                .map(|t| Regex::new(t.pattern).expect("token patterns are valid"))
                .collect(),
        )
    }
}

impl Tokens {
    /// Tokens of rule `index` in `line` (at byte `at` of the file).
    pub fn find(&self, index: usize, line: &str, at: usize, out: &mut Vec<Hit>) {
        let rule = &TOKENS[index];
        for m in self.0[index].captures_iter(line) {
            let (Some(whole), Some(prefix)) = (m.get(0), m.get(1)) else {
                continue;
            };
            if is_fake_token(&whole.as_str()[prefix.len()..]) {
                continue;
            }
            out.push(Hit {
                offset: at + whole.start(),
                rule: Rule::Token(rule),
                redacted: format!("{}{MASK}", prefix.as_str()),
                value: Zeroizing::new(whole.as_str().to_string()),
            });
        }
    }
}

/// Documentation's tokens: `AKIAIOSFODNN7EXAMPLE`, `ghp_xxxx…`, a counting sequence,
/// one character repeated.
fn is_fake_token(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    let mut distinct: Vec<char> = body.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    lower.contains("example")
        || lower.contains("xxxxxxxx")
        || lower.contains("1234567890")
        || lower.contains("abcdefghij")
        || lower.contains("0000000000")
        || distinct.len() < 6
}

/// Credentials in URLs of any scheme: `postgres://app:pw@db`, `https://u:t@host`,
/// `smtp://user:pw@mail`, `redis://:pw@cache`. Placeholders (`${PW}`, `password`,
/// `<pw>`) and documentation hosts (`example.com`) are not findings.
pub fn url_credentials(line: &str, at: usize, out: &mut Vec<Hit>) {
    for (sep, _) in line.match_indices("://") {
        let scheme_start = line[..sep]
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let scheme = &line[scheme_start..sep];
        if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let rest = &line[sep + 3..];
        let authority_end = rest
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '/' | '?' | '#' | '"' | '\'' | '`' | '<' | '>')
            })
            .unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let Some((userinfo, host)) = authority.rsplit_once('@') else {
            continue;
        };
        let Some((user, password)) = userinfo.split_once(':') else {
            continue;
        };
        let host = host.to_ascii_lowercase();
        if password.is_empty()
            || is_placeholder(password)
            || names_a_credential(password)
            || is_placeholder(user) && !user.is_empty()
            || password.contains(['$', '{', '}', '[', ']'])
            || user.contains(['[', ']'])
            || host.is_empty()
            || host.contains("example")
        {
            continue;
        }
        let password_at = sep + 3 + user.len() + 1;
        out.push(Hit {
            offset: at + scheme_start,
            rule: Rule::UrlPassword,
            redacted: format!("{}{MASK}@", &line[scheme_start..password_at]),
            value: Zeroizing::new(password.to_string()),
        });
    }
}

/// The PEM private key whose header starts at byte `header` of the file, when a body
/// follows it (a header alone, or a body cut to `...`, is documentation).
pub fn private_key(bytes: &[u8], header: usize) -> Option<Hit> {
    const LABELS: &[&str] = &[
        "PRIVATE KEY-----",
        "RSA PRIVATE KEY-----",
        "EC PRIVATE KEY-----",
        "DSA PRIVATE KEY-----",
        "OPENSSH PRIVATE KEY-----",
        "ENCRYPTED PRIVATE KEY-----",
        "PGP PRIVATE KEY BLOCK-----",
    ];
    const BEGIN: &[u8] = b"-----BEGIN ";
    let after = header + BEGIN.len();
    if bytes.get(header..after)? != BEGIN {
        return None;
    }
    let label = LABELS
        .iter()
        .find(|l| bytes[after..].starts_with(l.as_bytes()))?;
    let body_start = after + label.len();
    // A key is a few kilobytes; anything longer than 16 KiB before its end is not one.
    let window = &bytes[body_start..bytes.len().min(body_start + 16 * 1024)];
    // The key ends; everything between is base64 (a line may sit in a string, a
    // comment or a concatenation, and the legacy format has `Name: value` fields).
    let body_end = memchr::memmem::find(window, b"-----END")?;
    let text = String::from_utf8_lossy(&window[..body_end])
        .replace("\\n", "\n")
        .replace("\\r", "");
    let mut encoded = String::new();
    for line in text.lines() {
        let line = line
            .trim()
            .trim_start_matches(['#', '/', '*', ';'])
            .trim()
            .trim_matches(['"', '\'', ',', '+', ' ', '\\']);
        if line.is_empty() || line.contains(": ") {
            continue;
        }
        if !line
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        {
            return None;
        }
        encoded.push_str(line);
    }
    // Base64 of key material: long enough, and not `privatekeyprivatekey…` or `AAAA…`.
    if encoded.len() < 64 || is_fake_token(&encoded) || entropy(&encoded) < 4.5 {
        return None;
    }
    let shown = String::from_utf8_lossy(&bytes[header..body_start]).into_owned();
    Some(Hit {
        offset: header,
        rule: Rule::PrivateKey,
        redacted: format!("{shown} {MASK} ({} characters)", encoded.len()),
        value: Zeroizing::new(encoded),
    })
}

/// Characters of a name: `PG_PASSWORD`, `db.password`, `api-key`, `dbPassword`.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// Literal values assigned to secret names in `line`: `PGPASSWORD=postgres`,
/// `POSTGRES_PASSWORD: postgres`, `"db_password": "x"`, `$env:PG_PASSWORD = 'x'`,
/// `password="x"` keyword arguments, `'secret' => 'x'`. In code only quoted values
/// count. Comparisons (`==`) are not assignments.
pub fn assignments(line: &str, at: usize, kind: FileKind, out: &mut Vec<Hit>) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        let Some(c) = line[i..].chars().next() else {
            break;
        };
        if !is_name_char(c) {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        while i < line.len() && line[i..].starts_with(is_name_char) {
            i += 1;
        }
        let before = line[..start].chars().next_back();
        // Inside a hash, a path or an encoded blob (`sha512-…+PwD…`), not a name.
        if before.is_some_and(|b| matches!(b, '/' | '+' | '\\' | '%' | '@')) {
            continue;
        }
        let name = &line[start..i];
        let quote = before.filter(|b| matches!(b, '"' | '\'' | '`'));
        let mut j = i;
        // `"KEY=value"` inside a string (a Compose list, a JSON array, `putenv`) is an
        // assignment; `"Pass: it works"` is not.
        let mut in_string = None;
        if let Some(q) = quote {
            if line[j..].starts_with(q) {
                j += 1;
                // `cond ? 'pass' : 'fail'` is a choice, not a key.
                let opening = start - q.len_utf8();
                if line[..opening].trim_end().ends_with('?') {
                    continue;
                }
            } else {
                in_string = Some(q);
            }
        }
        while j < line.len() && matches!(bytes[j], b' ' | b'\t') {
            j += 1;
        }
        let op_len = match (&bytes[j..], in_string) {
            ([b'=', b'=' | b'~', ..], _) => continue,
            ([b'=', b'>', ..], None) | ([b':', b'=', ..], None) => 2,
            ([b'=', ..], _) => 1,
            (_, Some(_)) => continue,
            ([b':', b':', ..], _) => continue,
            ([b':'], _) => 1,
            ([b':', next, ..], _) if next.is_ascii_whitespace() || quote.is_some() => 1,
            _ => continue,
        };
        // `key: value` is a mapping when the key starts the line's content (after
        // indentation, a list dash or a comment mark) or follows `{`, `,` or `(`;
        // `'hashsync: password1: abcd'` is prose.
        if bytes[j] == b':' && op_len == 1 {
            let opening = start - quote.map_or(0, char::len_utf8);
            let lead = line[..opening].trim_end();
            let lead = lead.trim_start_matches([' ', '\t', '-', '#', '/']);
            if !(lead.is_empty() || lead.ends_with(['{', ',', '('])) {
                continue;
            }
        }
        // In code, `PascalCase = "…"` is a type or an enum member (`LastPass = "<uuid>"`,
        // `IPasswords = "<uuid>"`); constants are in capitals.
        if kind.code
            && name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.contains(|c: char| c.is_ascii_lowercase())
            && !name.contains('_')
        {
            continue;
        }
        let full_name = if line[..start].ends_with("$env:") {
            &line[start - 5..i]
        } else if line[..start].ends_with('$') {
            &line[start - 1..i]
        } else {
            name
        };
        let value_at = j + op_len;
        let rest = &line[value_at..];
        let found = match in_string {
            // Up to the string's end.
            Some(q) => rest.find(q).map(|end| (rest[..end].to_string(), true)),
            // YAML reads a plain scalar to the end of the line.
            None if bytes[j] == b':' && !kind.code && op_len == 1 && quote.is_none() => {
                yaml_value(rest)
            }
            None => value_of(rest),
        };
        let Some((value, quoted)) = found else {
            continue;
        };
        if (kind.code && !quoted)
            || value.contains("://")
            || (kind.test && secret_kind(full_name) != Some(SecretKind::Key))
            || !is_secret_assignment(full_name, &value)
        {
            continue;
        }
        let name_at = start - (full_name.len() - name.len());
        out.push(Hit {
            offset: at + name_at,
            rule: Rule::Assignment,
            redacted: format!("{}{MASK}", line[name_at..value_at].trim_end()),
            value: Zeroizing::new(value),
        });
    }
}

/// A YAML value: quoted, or a plain scalar to the end of the line (` #` starts a
/// comment).
fn yaml_value(rest: &str) -> Option<(String, bool)> {
    let t = rest.trim_start();
    if t.starts_with(['"', '\'', '&', '*', '|', '>', '[', '{']) {
        return value_of(rest);
    }
    if t.starts_with('#') {
        return None;
    }
    let end = t.find(" #").unwrap_or(t.len());
    let value = t[..end].trim_end();
    (!value.is_empty()).then(|| (value.to_string(), false))
}

/// The value after an assignment operator: quoted (`"..."`, `'...'`) or bare up to a
/// space, comma, semicolon or closing bracket. `None` for block scalars, aliases and
/// nested structures.
fn value_of(rest: &str) -> Option<(String, bool)> {
    let mut t = rest.trim_start();
    // A YAML anchor on the value: `password: &pw secret`.
    if let Some(anchored) = t.strip_prefix('&') {
        t = anchored
            .split_once(' ')
            .map(|(_, v)| v.trim_start())
            .unwrap_or("");
    }
    let first = t.chars().next()?;
    if matches!(first, '*' | '|' | '>' | '[' | '(') || (first == '{' && !t.starts_with("{{")) {
        return None;
    }
    if first == '"' || first == '\'' {
        let inner = &t[1..];
        let mut escaped = false;
        for (i, c) in inner.char_indices() {
            match c {
                '\\' if first == '"' && !escaped => escaped = true,
                c if c == first && !escaped => return Some((inner[..i].to_string(), true)),
                _ => escaped = false,
            }
        }
        return None;
    }
    let end = if t.starts_with("${") {
        t.find('}').map_or(t.len(), |i| i + 1)
    } else {
        t.find(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    ',' | ';' | ')' | ']' | '}' | '#' | '"' | '\'' | '`' | '&'
                )
        })
        .unwrap_or(t.len())
    };
    Some((t[..end].to_string(), false))
}
