//! A value that must never be shown: passwords, tokens, connection secrets.
//!
//! [`Secret`] masks itself in `Debug`, `Display` and serialisation, compares in
//! constant time and wipes its memory when dropped. Code that needs the value asks
//! for it explicitly with [`Secret::expose`], which keeps every use greppable.
//!
//! Every value the run treats as secret is also **registered** (creating a [`Secret`]
//! registers its value; so do [`register`] and [`register_if_secret`] for values read
//! by name), and every output boundary passes its text through [`scrub`], which
//! replaces any registered value with `********`, as CI systems mask registered secrets
//! in their logs. [`is_secret`] is the one classifier of what is secret, by name or by
//! value, shared by the probes and the registry.

mod names;
mod values;

use std::fmt;

pub use names::{SecretKind, is_secret_name, secret_kind};
use subtle::ConstantTimeEq;
pub use values::{
    entropy, is_natural_language, is_placeholder, is_secret_assignment, looks_random,
    names_a_credential,
};
use zeroize::Zeroizing;

/// The text shown wherever a secret would otherwise appear.
pub const MASK: &str = "********";

/// A secret string. It never prints its value.
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value read from a credential source, and registers it for [`scrub`].
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register(&value);
        Secret(Zeroizing::new(value))
    }

    /// The value itself, for the few places that must use it (a login, a comparison).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({MASK})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(MASK)
    }
}

/// Whether a value carries a credential whatever its name: a URL with a password
/// (`scheme://user:password@host`, or a `password=` parameter), as in `DATABASE_URL`,
/// `REDIS_URL` or a `*_DSN`.
pub fn is_secret_value(value: &str) -> bool {
    url_password(value).is_some()
}

/// The password of a URL written as `scheme://user:password@...` or with a
/// `password=` parameter, if it has one.
pub fn url_password(value: &str) -> Option<&str> {
    let after_scheme = value.trim().split_once("://")?.1;
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..authority_end];
    if let Some((userinfo, _)) = authority.rsplit_once('@')
        && let Some((_, password)) = userinfo.split_once(':')
        && !password.is_empty()
    {
        return Some(password);
    }
    let query = after_scheme.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("password="))
        .filter(|p| !p.is_empty())
}

/// Whether a named value is secret, by its name or by what it holds.
pub fn is_secret(name: &str, value: &str) -> bool {
    is_secret_name(name) || is_secret_value(value)
}

/// Values shorter than this are not scrubbed: they would mask ordinary words.
pub const MIN_SCRUBBED: usize = 6;

/// Public defaults that are no secret to anyone (and ordinary words in output): never
/// scrubbed, although the probes still report them as weak.
const WELL_KNOWN: &[&str] = &[
    "postgres",
    "password",
    "changeme",
    "contextforge",
    "example",
    "secret",
];

/// The registered values and, once asked for, one matcher for all of them (rebuilt
/// after a registration): scrubbing costs one pass over the text however many values
/// a run registers.
struct Registry {
    values: std::collections::HashSet<String>,
    matcher: Option<aho_corasick::AhoCorasick>,
}

static REGISTERED: std::sync::Mutex<Option<Registry>> = std::sync::Mutex::new(None);

fn with_registry<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    let mut guard = REGISTERED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(guard.get_or_insert_with(|| Registry {
        values: std::collections::HashSet::new(),
        matcher: None,
    }))
}

/// Registers a value the run treats as secret, so [`scrub`] masks it in every output.
/// Values shorter than [`MIN_SCRUBBED`], references and well-known defaults are not
/// kept; a URL's password is registered too.
pub fn register(value: &str) {
    let value = value.trim();
    let mut candidates = vec![value];
    if let Some(password) = url_password(value) {
        candidates.push(password);
    }
    with_registry(|registry| {
        for candidate in candidates {
            if candidate.chars().count() < MIN_SCRUBBED
                || is_reference(candidate)
                || WELL_KNOWN.contains(&candidate.to_ascii_lowercase().as_str())
            {
                continue;
            }
            if registry.values.insert(candidate.to_string()) {
                registry.matcher = None;
            }
        }
    });
}

/// Registers a named value when [`is_secret`] says it is secret.
pub fn register_if_secret(name: &str, value: &str) {
    if is_secret(name, value) {
        register(value);
    }
}

/// The text with every registered secret replaced by [`MASK`]; where two overlap at
/// the same place, the longer is masked whole.
pub fn scrub(text: &str) -> std::borrow::Cow<'_, str> {
    with_registry(|registry| {
        if registry.values.is_empty() {
            return std::borrow::Cow::Borrowed(text);
        }
        if registry.matcher.is_none() {
            registry.matcher = aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&registry.values)
                .ok();
        }
        let Some(matcher) = &registry.matcher else {
            // Past the automaton's size limits: one value at a time, longest first.
            let mut values: Vec<&String> = registry.values.iter().collect();
            values.sort_by_key(|v| std::cmp::Reverse(v.len()));
            let mut out = std::borrow::Cow::Borrowed(text);
            for value in values {
                if out.contains(value.as_str()) {
                    out = std::borrow::Cow::Owned(out.replace(value.as_str(), MASK));
                }
            }
            return out;
        };
        if !matcher.is_match(text) {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        matcher.replace_all_with(text, &mut out, |_, _, dst| {
            dst.push_str(MASK);
            true
        });
        std::borrow::Cow::Owned(out)
    })
}

/// A writer that scrubs registered secrets from every line before passing it on: the
/// program's standard output and error go through one. A line is held until its end
/// (or a flush), so a value written in pieces is still found whole.
pub struct ScrubbingWriter<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> ScrubbingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        ScrubbingWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// Scrubs and passes on the first `upto` pending bytes, at once (one pass, however
    /// many lines: a secret spread over lines is found too).
    fn pass_on(&mut self, upto: usize) -> std::io::Result<()> {
        if upto == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.pending[..upto]);
        let result = match scrub(&text) {
            std::borrow::Cow::Borrowed(_) => self.inner.write_all(&self.pending[..upto]),
            std::borrow::Cow::Owned(clean) => self.inner.write_all(clean.as_bytes()),
        };
        self.pending.drain(..upto);
        result
    }
}

impl<W: std::io::Write> std::io::Write for ScrubbingWriter<W> {
    /// Holds back an unfinished last line (a secret may continue in the next write);
    /// passes on every complete line.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(end) = memchr::memrchr(b'\n', &self.pending) {
            self.pass_on(end + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let all = self.pending.len();
        self.pass_on(all)?;
        self.inner.flush()
    }
}

impl<W: std::io::Write> Drop for ScrubbingWriter<W> {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

/// Whether a value written in a file is a reference to another value (`$VAR`,
/// `${VAR}`, `${VAR:-default}`) or empty, rather than a value itself.
pub fn is_reference(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    v.is_empty()
        || (v.starts_with("${") && v.ends_with('}') && !v[2..].contains("${"))
        || (v.starts_with('$')
            && v.len() > 1
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let s = Secret::new("hunter2-canary");
        assert_eq!(format!("{s}"), MASK);
        assert_eq!(format!("{s:?}"), "Secret(********)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"********\"");
        assert_eq!(s.expose(), "hunter2-canary");
    }

    #[test]
    fn compares_by_value() {
        assert_eq!(Secret::new("a"), Secret::new("a"));
        assert_ne!(Secret::new("a"), Secret::new("ab"));
    }

    #[test]
    fn recognises_secret_names() {
        for name in [
            "PG_PASSWORD",
            "db_pass",
            "API_TOKEN",
            "AZURE_CLIENT_SECRET",
            "SSH_KEY",
            "PGPASS",
            "DB_PW",
            "MYSQL_ROOT_PWD",
            "SESSION_SALT",
            "ENCRYPTION_KEY",
            "signing-key",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "PG_HOST",
            "PG_PORT",
            "ENVIRONMENT",
            "KEYVAULT_URL",
            "PWD",
            "OLDPWD",
            "KEYBOARD",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn urls_with_passwords_are_secret_whatever_their_name() {
        assert!(is_secret("DATABASE_URL", "postgres://app:pw-1@db/app"));
        assert!(is_secret("REDIS_URL", "redis://:hunter22@cache:6379/0"));
        assert!(is_secret(
            "DSN",
            "postgresql://db/app?password=hunter22&sslmode=require"
        ));
        assert!(!is_secret("DATABASE_URL", "postgres://app@db/app"));
        assert!(!is_secret("HOMEPAGE", "https://example.com/a:b@c"));
        assert_eq!(url_password("amqp://u:p%40ss@mq:5672/"), Some("p%40ss"));
    }

    #[test]
    fn registered_values_are_scrubbed_from_any_text() {
        let canary = "Scrub-Canary-93c1";
        register(&format!("postgres://app:{canary}@db/app"));
        assert_eq!(
            scrub(&format!("failed: {canary} and again {canary}")),
            "failed: ******** and again ********"
        );
        let _ = Secret::new("Another-Canary-55d0");
        assert_eq!(scrub("x Another-Canary-55d0 y"), "x ******** y");
        // Short values and public defaults stay: they would mask ordinary words.
        register("abc");
        register("postgres");
        assert_eq!(scrub("abc postgres"), "abc postgres");
        // Written in pieces, found whole.
        let mut out = Vec::new();
        {
            use std::io::Write;
            let mut w = ScrubbingWriter::new(&mut out);
            write!(w, "a Scrub-Can").unwrap();
            writeln!(w, "ary-93c1 b").unwrap();
            write!(w, "tail Scrub-Canary-93c1").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a ******** b\ntail ********"
        );
    }

    #[test]
    fn many_values_and_long_outputs_cost_one_pass() {
        // Tens of thousands of values (a `.env` of secrets) and an output of hundreds
        // of thousands of lines in one write: linear, where a scan per value or a
        // shift per line would take minutes.
        for i in 0..20_000 {
            register(&format!("Many-Canary-{i:05}-x"));
        }
        let line = "nothing secret here, just a line of evidence\n";
        let mut text = line.repeat(200_000);
        text.push_str("but Many-Canary-19999-x is\n");
        let mut out = Vec::new();
        {
            use std::io::Write;
            let mut w = ScrubbingWriter::new(&mut out);
            w.write_all(text.as_bytes()).unwrap();
        }
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out.len(),
            text.len() - "Many-Canary-19999-x".len() + MASK.len()
        );
        assert!(out.ends_with("but ******** is\n"));
        assert_eq!(
            scrub("Many-Canary-00001-x and Many-Canary-00001-xy"),
            "******** and ********y"
        );
    }
}
