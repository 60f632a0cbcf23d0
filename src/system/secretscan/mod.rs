//! Finding hardcoded credentials in a project's files: the engine behind the
//! `secret-scan` probe.
//!
//! One pass of a case-insensitive Aho-Corasick automaton over each file finds the
//! keywords (`pass`, `secret`, `token`, `key`, `://`, `-----BEGIN`, provider prefixes
//! such as `ghp_` or `AKIA`); only the lines it picks reach the detectors in
//! [`rules`]:
//! - **credentials in URLs** of any scheme (`postgres://app:pw@db`, `smtp://`,
//!   `https://user:token@`);
//! - **PEM private keys** with a body (a header alone or `...` is documentation);
//! - **provider tokens** in their documented formats (AWS, GitHub, GitLab, Slack,
//!   Google, Stripe, npm, SendGrid, Azure storage);
//! - **literal values assigned to secret names**, judged by the classifier shared with
//!   the Compose and Dockerfile probes ([`crate::base::secret::is_secret_assignment`]):
//!   a weak password counts, a placeholder, a reference, a label or a setting does not;
//! - **a known password** (the production one, when it can be read), wherever it is.
//!
//! Which files are scanned is the walker's answer ([`super::walk`]); which detectors
//! apply to a file is [`files`]' (translations, lockfiles and bundles get only the
//! form-based ones). A finding never holds the secret: its text is redacted, and its
//! fingerprint is an HMAC of the file, the rule, the redacted text and the value under
//! the project's fingerprint key, so it changes when the value does and cannot be
//! turned back into a short password without that key.

pub mod files;
pub mod key;
pub mod rules;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::AhoCorasick;

use self::files::FileKind;
use self::rules::{Hit, LONG_LINE, TOKENS, Tokens};
use super::walk::{Collect, Content, Listing, ProjectFile, SkipReason};
use crate::base::digest::hmac_sha256_parts_hex;
use crate::base::secret::{MASK, Secret};

pub use self::rules::Rule;

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
    /// A stable id for allowlisting: a keyed hash of the file, the rule, the redacted
    /// text and the value. It survives a move within the file and changes with the
    /// value.
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

/// Which detector a keyword wakes, as a bit: the name-based one, URLs, private keys,
/// then one bit per token rule.
const ASSIGNMENT: u32 = 1;
const URL: u32 = 2;
const PEM: u32 = 4;
const FIRST_TOKEN: u32 = 3;

/// Keywords of the name-based detector: every credential word of the classifier
/// contains one of them.
pub const NAME_KEYWORDS: &[&str] = &[
    "pass",
    "pwd",
    "pw",
    "secret",
    "token",
    "credential",
    "creds",
    "salt",
    "key",
];

/// The compiled detectors.
#[derive(Debug)]
pub struct Scanner {
    keywords: AhoCorasick,
    /// The detector bit of each keyword, by pattern index.
    wakes: Vec<u32>,
    tokens: Tokens,
    known: Vec<Secret>,
    fingerprint_key: Secret,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new(Vec::new())
    }
}

impl Scanner {
    /// Detectors, plus `known` passwords to look for verbatim (those under 6 characters
    /// are ignored: they would match by accident). Fingerprints use an empty key until
    /// [`Scanner::with_fingerprint_key`] gives one.
    pub fn new(known: Vec<Secret>) -> Scanner {
        let mut patterns: Vec<&str> = Vec::new();
        let mut wakes = Vec::new();
        for k in NAME_KEYWORDS {
            patterns.push(k);
            wakes.push(ASSIGNMENT);
        }
        patterns.push("://");
        wakes.push(URL);
        patterns.push("-----begin ");
        wakes.push(PEM);
        for (i, t) in TOKENS.iter().enumerate() {
            for k in t.keywords {
                patterns.push(k);
                wakes.push(1 << (FIRST_TOKEN as usize + i));
            }
        }
        Scanner {
            keywords: AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&patterns)
                .expect("the keywords build an automaton"),
            wakes,
            tokens: Tokens::default(),
            known: known
                .into_iter()
                .filter(|s| s.expose().len() >= 6)
                .collect(),
            fingerprint_key: Secret::new(String::new()),
        }
    }

    /// Keys fingerprints with `key` (the project's, see the `secret-scan` probe).
    pub fn with_fingerprint_key(mut self, key: Secret) -> Scanner {
        self.fingerprint_key = key;
        self
    }

    /// Findings in one file's contents.
    pub fn scan(&self, file: &str, bytes: &[u8]) -> Vec<Finding> {
        // Most files wake no detector: their path is judged only when one wakes.
        let kind = std::cell::OnceCell::new();
        let kind = || *kind.get_or_init(|| files::kind_of(file));
        // Rust keeps unit tests in the file they test, after `#[cfg(test)]`.
        let tests_from = if file.ends_with(".rs") {
            memchr::memmem::find(bytes, b"#[cfg(test)]").unwrap_or(bytes.len())
        } else {
            bytes.len()
        };
        let mut hits = Vec::new();
        // Lines are visited in order; the detectors woken on the current one add up
        // until a keyword falls on a later line.
        let mut current: Option<(usize, usize, u32)> = None;
        for m in self.keywords.find_overlapping_iter(bytes) {
            let wake = self.wakes[m.pattern().as_usize()];
            // A key's body spans lines: it is read from its header, not by line.
            if wake == PEM {
                hits.extend(rules::private_key(bytes, m.start()));
            }
            match &mut current {
                Some((start, end, mask)) if m.start() >= *start && m.start() < *end => {
                    *mask |= wake;
                    continue;
                }
                _ => {}
            }
            if let Some(line) = current.take() {
                self.scan_line(bytes, line, kind(), tests_from, &mut hits);
            }
            let start = memchr::memrchr(b'\n', &bytes[..m.start()]).map_or(0, |i| i + 1);
            let end =
                memchr::memchr(b'\n', &bytes[m.start()..]).map_or(bytes.len(), |i| m.start() + i);
            current = Some((start, end, wake));
        }
        if let Some(line) = current {
            self.scan_line(bytes, line, kind(), tests_from, &mut hits);
        }
        for known in &self.known {
            let needle = known.expose().as_bytes();
            for at in memchr::memmem::find_iter(bytes, needle) {
                hits.push(Hit {
                    offset: at,
                    rule: Rule::KnownPassword,
                    redacted: format!("{MASK} (the production password)"),
                    value: zeroize::Zeroizing::new(known.expose().to_string()),
                });
            }
        }
        if hits.is_empty() {
            return Vec::new();
        }
        let mut lines = LineIndex::new(bytes);
        hits.sort_by_key(|h| (h.offset, h.rule));
        let placed: Vec<(usize, usize, Hit)> = hits
            .into_iter()
            .map(|hit| {
                let (line, column) = lines.position(hit.offset);
                (line, column, hit)
            })
            .collect();
        // A line with a credential recognised by its form (a URL, a key, a token) is
        // reported for that; the name it is assigned to adds nothing.
        let by_form: std::collections::HashSet<usize> = placed
            .iter()
            .filter(|(_, _, h)| !matches!(h.rule, Rule::Assignment | Rule::KnownPassword))
            .map(|(line, _, _)| *line)
            .collect();
        let mut found: Vec<Finding> = Vec::with_capacity(placed.len());
        let mut places = std::collections::HashSet::new();
        let mut lines_reported = std::collections::HashSet::new();
        for (line, column, hit) in placed {
            // One finding per place; the known password only where nothing else
            // already reported the line.
            if (hit.rule == Rule::Assignment && by_form.contains(&line))
                || (hit.rule == Rule::KnownPassword && lines_reported.contains(&line))
                || !places.insert((line, column))
            {
                continue;
            }
            lines_reported.insert(line);
            found.push(self.finding(file, line, column, hit));
        }
        found.sort_by_key(|f| (f.line, f.column));
        found
    }

    /// Runs the detectors in `mask` on the line `bytes[start..end]`; a line at or after
    /// `tests_from` is test code. Invalid UTF-8 is skipped, the valid stretches around
    /// it are scanned.
    fn scan_line(
        &self,
        bytes: &[u8],
        (start, end, mask): (usize, usize, u32),
        kind: FileKind,
        tests_from: usize,
        hits: &mut Vec<Hit>,
    ) {
        let kind = FileKind {
            test: kind.test || start >= tests_from,
            ..kind
        };
        let mut at = start;
        for chunk in bytes[start..end].utf8_chunks() {
            let line = chunk.valid();
            if mask & URL != 0 {
                rules::url_credentials(line, at, hits);
            }
            for i in 0..TOKENS.len() {
                if mask & (1 << (FIRST_TOKEN as usize + i)) != 0 {
                    self.tokens.find(i, line, at, hits);
                }
            }
            if mask & ASSIGNMENT != 0 && !kind.form_only && end - start <= LONG_LINE {
                rules::assignments(line, at, kind, hits);
            }
            at += line.len() + chunk.invalid().len();
        }
    }

    fn finding(&self, file: &str, line: usize, column: usize, hit: Hit) -> Finding {
        let fingerprint = hmac_sha256_parts_hex(
            self.fingerprint_key.expose().as_bytes(),
            &[
                file.as_bytes(),
                hit.rule.id().as_bytes(),
                hit.redacted.as_bytes(),
                hit.value.as_bytes(),
            ],
            6,
        );
        Finding {
            file: file.to_string(),
            line,
            column,
            rule: hit.rule,
            redacted: hit.redacted,
            fingerprint,
        }
    }

    /// Scans every file of a walk, on every core. Findings come back sorted by file
    /// and position; binary and oversized files are counted in `stats.skipped`.
    pub fn scan_listing(self: &Arc<Self>, listing: &Listing, stats: &Arc<Stats>) -> Vec<Finding> {
        let collect =
            Arc::clone(self).visitor(Arc::new(listing.clone()), |_| true, Arc::clone(stats));
        super::walk::pass(&[&collect]);
        findings(&collect, stats)
    }

    /// A visitor that scans the files of `listing` that `keep` keeps as a pass over
    /// the project reads them (see [`super::walk::pass`]), counting what it reads in
    /// `stats`; [`findings`] gives what it found.
    pub fn visitor(
        self: Arc<Self>,
        listing: Arc<Listing>,
        keep: impl Fn(&ProjectFile) -> bool,
        stats: Arc<Stats>,
    ) -> Collect<'static, Vec<Finding>> {
        Collect::of(listing, keep, Content::Text, move |file, bytes| {
            stats.files.fetch_add(1, Ordering::Relaxed);
            stats.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            self.scan(&file.rel, bytes)
        })
    }
}

/// The findings of a [`Scanner::visitor`] after its pass, sorted by file and position;
/// binary and oversized files are counted in `stats.skipped`.
pub fn findings(collect: &Collect<'static, Vec<Finding>>, stats: &Stats) -> Vec<Finding> {
    let (found, skipped) = collect.take();
    let unscanned = skipped
        .iter()
        .filter(|s| matches!(s.reason, SkipReason::Binary | SkipReason::TooLarge { .. }))
        .count();
    stats.skipped.fetch_add(unscanned as u64, Ordering::Relaxed);
    let mut found: Vec<Finding> = found.into_iter().flatten().collect();
    found.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    found
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
                "PGPASSWORD=postgres\nexport DB_PASSWORD='s3cr3t-Pw'\nPG_PASSWORD=${KEYVAULT_SECRET}\nAPI_TOKEN=<token>\nPASSWORD_FILE=/run/secrets/x\nPG_PASSWORD=YOUR_PASSWORD_HERE\nPG_PASSWORD=${PG_PASSWORD:-contextforge}\nPG_PASSWORD=${PG_PASSWORD:-}\n"
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
    fn fingerprints_hide_the_secret_survive_a_move_and_follow_the_value() {
        let s = Scanner::default().with_fingerprint_key(Secret::new("k".repeat(64)));
        let a = s.scan(".env", b"PGPASSWORD=postgres\n");
        let b = s.scan(".env", b"# moved\n\nPGPASSWORD=postgres\n");
        assert_eq!(a[0].fingerprint, b[0].fingerprint);
        assert_eq!(a[0].fingerprint.len(), 12);
        assert!(!format!("{a:?}").contains("postgres\""));
        // The real secret later written on the same line is not allowed with the example.
        let c = s.scan(".env", b"PGPASSWORD=Yx42hafg7Q4f-prod\n");
        assert_eq!(a[0].redacted, c[0].redacted);
        assert_ne!(a[0].fingerprint, c[0].fingerprint);
        // Another key, other fingerprints: they cannot be matched against guesses.
        let other = Scanner::default().with_fingerprint_key(Secret::new("j".repeat(64)));
        assert_ne!(
            other.scan(".env", b"PGPASSWORD=postgres\n")[0].fingerprint,
            a[0].fingerprint
        );
    }

    #[test]
    fn any_arrangement_of_keywords_operators_and_wide_characters_scans() {
        let parts = [
            "：",
            "例",
            "é",
            "://",
            "@",
            ":",
            "=",
            "==",
            "\"",
            "'",
            "$env:",
            "$",
            "password",
            "PwD",
            "key",
            "token",
            "-----BEGIN PRIVATE KEY-----",
            "\\n",
            "ghp_",
            "AKIA",
            " ",
            "\u{feff}",
            "\u{1F600}",
            "abc123XYZ!",
        ];
        let s = Scanner::default();
        for a in parts {
            for b in parts {
                for c in parts {
                    for d in parts {
                        let line = format!("{a}{b}{c}{d}");
                        s.scan("x.env", line.as_bytes());
                        s.scan("x.py", line.as_bytes());
                        // Cut inside a character too.
                        s.scan("x.env", &line.as_bytes()[..line.len() - 1]);
                    }
                }
            }
        }
    }

    #[test]
    fn the_noise_of_real_projects_is_not_a_finding() {
        for (file, text) in [
            ("package-lock.json", r#"    "node_modules/js-tokens": {"#),
            (
                "package-lock.json",
                r#"      "integrity": "sha512-3lPwDXxZ+kK8qbpUUDvyZSw2Y9Ub0e3DL8Nh2j8FvBy+Xo8Nc5UTwfbY2NiW9y9kPwDxO0Ek8KMlPSJwYhB6qQ==","#,
            ),
            ("app/i18n/de.json", r#"  "password": "Passwort","#),
            ("web/src/lang/fr.json", r#"  "token": "Jeton d'accès","#),
            ("settings.json", r#"  "password": "Password","#),
            (".github/workflows/ci.yml", "      id-token: write"),
            (".github/workflows/ci.yml", "    secrets: inherit"),
            ("values.yaml", "  existingSecret: \"n8n-core-secrets\""),
            ("mailcow.conf", "MAILCOW_PASS_SCHEME=BLF-CRYPT"),
            (".env", "SECRET_LOCAL_HOSTNAME=0.0.0.0"),
            (
                "generate.sh",
                "RAND_PASS=$(cat /dev/urandom | tr -dc A-Za-z0-9 | head -c 28)",
            ),
            (".env", "TLS_KEY = </etc/ssl/private/key.pem"),
            ("compose.yml", "      password: !reset null"),
            ("template.yml", "      SecretString: !Sub |"),
            ("style.css", ".password-field:focus { outline: none; }"),
            ("compose.yml", "      - MYSQL_RANDOM_ROOT_PASSWORD=yes"),
            ("compose.yml", "      - MYSQL_ALLOW_EMPTY_PASSWORD=yes"),
            (
                "compose.yml",
                "      - POSTGRES_PASSWORD_FILE=/run/secrets/db_password",
            ),
            (".env", "SECRET_FORCED_LANGUAGE=en"),
            (
                "wg0.conf",
                "WG_PUBLIC_KEY=k3X1mB5tq2Wc0xZ8yJ9pR4sT7uV6wA1bC2dE3fG4hI5=",
            ),
            (
                ".env.example",
                "DATABASE_URL=postgres://user:password@localhost:5432/app",
            ),
            ("README.txt", "curl https://user:pass@example.com/api"),
            ("docs.txt", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"),
            ("docs.txt", "-----BEGIN RSA PRIVATE KEY-----"),
            (
                "docs.txt",
                "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
            ),
            ("app.py", "if password == \"secret123\":"),
            ("app.py", "password = request.form[\"password\"]"),
            ("app.ts", "const token = getToken();"),
            (".env", "ENCRYPTION_KEY=my-secret-key"),
            (".env", "PASSWORD_MIN_LENGTH=12"),
        ] {
            assert_eq!(redacted(file, text), Vec::<String>::new(), "{file}: {text}");
        }
    }

    #[test]
    fn what_matters_is_found() {
        let key_body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n";
        for (file, text, expected) in [
            (
                ".env",
                "ENCRYPTION_KEY=k3X1mB5tq2Wc0xZ8yJ9pR4sT7uV6wA1b",
                "1:1 ENCRYPTION_KEY=********",
            ),
            (
                ".env",
                "SETTINGS_ENCRYPTION_KEY=Zq8rW2nT5vK9pL3x",
                "1:1 SETTINGS_ENCRYPTION_KEY=********",
            ),
            (
                "wp.env",
                "AUTH_SALT='h7#Kd9!mQ2@xL5^pR8&v'",
                "1:1 AUTH_SALT=********",
            ),
            (
                "compose.yml",
                "      POSTGRES_PASSWORD: postgres",
                "1:7 POSTGRES_PASSWORD:********",
            ),
            (
                "app.env",
                "GIT_URL=https://deploy:Yx42hafg7Q4f@git.corp.local/x.git",
                "1:9 https://deploy:********@",
            ),
            (
                "app.env",
                "SMTP_URL=smtp://mailer:Mail-Pw-2291@mail.internal:587",
                "1:10 smtp://mailer:********@",
            ),
            (
                "cache.env",
                "REDIS_URL=redis://:Cache-Pw-77@redis:6379/0",
                "1:11 redis://:********@",
            ),
            (
                "ci.sh",
                "export AWS_ACCESS_KEY_ID=AKIAQYLPMN5HJKFPZAM2",
                "1:26 AKIA********",
            ),
            (
                "ci.sh",
                "TOKEN_VALUE=ghp_R8x2Lk9QmZ4vT7wB1nC5pD3sF6gH0jK2aE4u",
                "1:13 ghp_********",
            ),
            (
                "ci.sh",
                "gl = 'glpat-Xy7kQ2mN9pR4sT1vW3zA'",
                "1:7 glpat-********",
            ),
            (
                "hooks.txt",
                "https://hooks.slack.com/services/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",
                "1:1 https://hooks.slack.com/services/********",
            ),
            (
                "maps.js",
                "const k = 'AIzaSyD8x2Lk9QmZ4vT7wB1nC5pD3sF6gH0jK2a';",
                "1:12 AIza********",
            ),
            (
                "pay.env",
                "STRIPE=sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                "1:8 sk_live_********",
            ),
            (
                ".npmrc",
                "//registry.npmjs.org/:_authToken=npm_R8x2Lk9QmZ4vT7wB1nC5pD3sF6gH0jK2aE4u",
                "1:34 npm_********",
            ),
            (
                "storage.env",
                "CONN=DefaultEndpointsProtocol=https;AccountName=x;AccountKey=Zk3d8sKq1mZ0Xp9Lw4Rt7Yb2Nc5Vf8Hj1Gs4Dq7Ea0Uo3Ii6Pl9Ky2Tw5Rx8Zc1Vb4Nm7Qa0Sd3Fg6Hj9Kl2Zx5Cv8Bn1Mq4==;",
                "1:51 AccountKey=********",
            ),
            (
                "sg.env",
                "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",
                "1:1 SG.********",
            ),
            (
                "slack.env",
                "SLACK_BOT=xoxb-2931029-8820192-Yx42hafg7Q4fkLmN",
                "1:11 xoxb-********",
            ),
        ] {
            assert_eq!(redacted(file, text), [expected], "{file}: {text}");
        }
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{key_body}-----END PRIVATE KEY-----\n");
        assert_eq!(
            redacted("tls/server.key", &pem),
            ["1:1 -----BEGIN PRIVATE KEY----- ******** (128 characters)"]
        );
        let json = format!(
            "{{\"key\": \"-----BEGIN RSA PRIVATE KEY-----\\n{}-----END RSA PRIVATE KEY-----\"}}",
            key_body.replace('\n', "\\n")
        );
        assert_eq!(
            redacted("sa.json", &json),
            ["1:10 -----BEGIN RSA PRIVATE KEY----- ******** (128 characters)"]
        );
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
