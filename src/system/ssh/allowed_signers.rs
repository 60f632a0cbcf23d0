//! OpenSSH's allowed-signers file (`ssh-keygen(1)`, "ALLOWED SIGNERS"), the file git
//! reads for `gpg.ssh.allowedSignersFile`: one key per line with the principals it
//! may sign as.
//!
//! ```text
//! jane@example.com ssh-ed25519 AAAAC3Nza… jane's laptop
//! sam@example.com,security@example.com namespaces="preflight,git",valid-after="20260101" ssh-ed25519 AAAA…
//! ```
//!
//! Principals are comma-separated patterns (`*` and `?`; `!` negates); options are
//! `namespaces`, `valid-after` and `valid-before` (`YYYYMMDD[HHMM[SS]]`, with `Z` for
//! UTC; without it OpenSSH reads local time, and so does this module) and
//! `cert-authority` (certificates are not accepted here: such lines are kept but never
//! match).

use ssh_key::PublicKey;

use crate::base::timestamp::Timestamp;

/// One line of the file.
#[derive(Debug, Clone)]
pub struct AllowedSigner {
    /// Line number, from 1.
    pub line: usize,
    /// Principal patterns.
    pub principals: Vec<String>,
    /// `cert-authority`.
    pub cert_authority: bool,
    /// `namespaces="…"`, if given.
    pub namespaces: Option<Vec<String>>,
    /// `valid-after`.
    pub valid_after: Option<Timestamp>,
    /// `valid-before`.
    pub valid_before: Option<Timestamp>,
    /// The key.
    pub key: PublicKey,
}

/// A parsed allowed-signers file.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    /// Its lines, in order.
    pub signers: Vec<AllowedSigner>,
}

/// A line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// Line number, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Why a key may not sign as a principal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No line has the key.
    #[error("the key is not in the allowed signers")]
    UnknownKey,
    /// The key is there, for other principals.
    #[error("the key may sign as {allowed}, not as {principal}")]
    OtherPrincipal {
        /// The principal asked.
        principal: String,
        /// The patterns it may sign as.
        allowed: String,
    },
    /// The key may sign as the principal, but not in this namespace.
    #[error("the key may not sign in namespace `{0}`")]
    Namespace(String),
    /// Not at that time.
    #[error("the key was not valid at {0}")]
    Time(Timestamp),
}

const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

impl AllowedSigners {
    /// Reads the file's text.
    pub fn parse(text: &str) -> Result<AllowedSigners, ParseError> {
        let mut signers = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            signers.push(parse_line(trimmed, line)?);
        }
        Ok(AllowedSigners { signers })
    }

    /// Whether `key` may sign as `principal` in `namespace` at time `at`: some line
    /// has the key, a pattern matching the principal, the namespace and the time.
    pub fn check(
        &self,
        key: &PublicKey,
        principal: &str,
        namespace: &str,
        at: Timestamp,
    ) -> Result<(), Refusal> {
        let lines: Vec<&AllowedSigner> = self
            .signers
            .iter()
            .filter(|s| !s.cert_authority && s.key.key_data() == key.key_data())
            .collect();
        if lines.is_empty() {
            return Err(Refusal::UnknownKey);
        }
        let mut refusal = None;
        for signer in &lines {
            if !matches_list(&signer.principals, principal) {
                continue;
            }
            if let Some(namespaces) = &signer.namespaces
                && !matches_list(namespaces, namespace)
            {
                refusal = Some(Refusal::Namespace(namespace.to_string()));
                continue;
            }
            if signer.valid_after.is_some_and(|t| at < t)
                || signer.valid_before.is_some_and(|t| at > t)
            {
                refusal = Some(Refusal::Time(at));
                continue;
            }
            return Ok(());
        }
        Err(refusal.unwrap_or_else(|| Refusal::OtherPrincipal {
            principal: principal.to_string(),
            allowed: lines
                .iter()
                .flat_map(|s| s.principals.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(", "),
        }))
    }
}

/// Splits off the first field: a quoted string (quotes removed) or up to whitespace.
fn field(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    if text.is_empty() {
        return None;
    }
    if let Some(rest) = text.strip_prefix('"') {
        let end = rest.find('"')?;
        return Some((rest[..end].to_string(), &rest[end + 1..]));
    }
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    Some((text[..end].to_string(), &text[end..]))
}

fn parse_line(text: &str, line: usize) -> Result<AllowedSigner, ParseError> {
    let error = |message: String| ParseError { line, message };
    let (principals, rest) = field(text).ok_or_else(|| error("no principals".into()))?;
    let principals: Vec<String> = principals
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    if principals.is_empty() {
        return Err(error("no principals".into()));
    }
    let rest = rest.trim_start();
    let mut signer_options = (false, None, None, None);
    let key_text = if KEY_TYPES.iter().any(|t| rest.starts_with(&format!("{t} "))) {
        rest
    } else {
        let (options, after) = options_field(rest).ok_or_else(|| error("no key".into()))?;
        signer_options = parse_options(&options).map_err(&error)?;
        after.trim_start()
    };
    // `keytype base64 [comment]`: the key parser takes the comment as well.
    let key = PublicKey::from_openssh(key_text)
        .map_err(|e| error(format!("not a public key in OpenSSH format ({e})")))?;
    let (cert_authority, namespaces, valid_after, valid_before) = signer_options;
    Ok(AllowedSigner {
        line,
        principals,
        cert_authority,
        namespaces,
        valid_after,
        valid_before,
        key,
    })
}

/// The options field: up to whitespace outside double quotes.
fn options_field(text: &str) -> Option<(String, &str)> {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return Some((text[..i].to_string(), &text[i..])),
            _ => {}
        }
    }
    None
}

type Options = (
    bool,
    Option<Vec<String>>,
    Option<Timestamp>,
    Option<Timestamp>,
);

fn parse_options(text: &str) -> Result<Options, String> {
    let mut out: Options = (false, None, None, None);
    let mut rest = text;
    while !rest.is_empty() {
        let (name, value, after) = match rest.find(['=', ',']) {
            Some(i) if rest.as_bytes()[i] == b'=' => {
                let value_text = &rest[i + 1..];
                let Some(inner) = value_text.strip_prefix('"') else {
                    return Err(format!("option `{}` needs a quoted value", &rest[..i]));
                };
                let end = inner
                    .find('"')
                    .ok_or_else(|| format!("option `{}`: unclosed quote", &rest[..i]))?;
                let after = inner[end + 1..]
                    .strip_prefix(',')
                    .unwrap_or(&inner[end + 1..]);
                (&rest[..i], Some(&inner[..end]), after)
            }
            Some(i) => (&rest[..i], None, &rest[i + 1..]),
            None => (rest, None, ""),
        };
        match (name.to_ascii_lowercase().as_str(), value) {
            ("cert-authority", None) => out.0 = true,
            ("namespaces", Some(v)) => {
                out.1 = Some(v.split(',').map(|s| s.trim().to_string()).collect());
            }
            ("valid-after", Some(v)) => out.2 = Some(parse_time(v)?),
            ("valid-before", Some(v)) => out.3 = Some(parse_time(v)?),
            (other, _) => return Err(format!("unknown option `{other}`")),
        }
        rest = after;
    }
    Ok(out)
}

/// `YYYYMMDD[HHMM[SS]][Z]`; without `Z`, local time (as OpenSSH reads it).
fn parse_time(text: &str) -> Result<Timestamp, String> {
    let bad = || format!("`{text}` is not a time (YYYYMMDD[HHMM[SS]][Z])");
    let (digits, utc) = match text.strip_suffix(['Z', 'z']) {
        Some(d) => (d, true),
        None => (text, false),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| -> Result<u32, String> {
        digits
            .get(range)
            .map_or(Ok(0), |s| s.parse().map_err(|_| bad()))
    };
    let year = i32::try_from(num(0..4)?).map_err(|_| bad())?;
    let month =
        time::Month::try_from(u8::try_from(num(4..6)?).map_err(|_| bad())?).map_err(|_| bad())?;
    let date =
        time::Date::from_calendar_date(year, month, u8::try_from(num(6..8)?).map_err(|_| bad())?)
            .map_err(|_| bad())?;
    let clock = time::Time::from_hms(
        u8::try_from(num(8..10)?).map_err(|_| bad())?,
        u8::try_from(num(10..12)?).map_err(|_| bad())?,
        u8::try_from(num(12..14)?).map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    let offset = if utc {
        time::UtcOffset::UTC
    } else {
        time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC)
    };
    Ok(Timestamp::from_datetime(
        time::PrimitiveDateTime::new(date, clock).assume_offset(offset),
    ))
}

/// Whether `text` matches one pattern (`*`, `?`; a leading `!` negates).
pub fn matches_pattern(pattern: &str, text: &str) -> bool {
    match pattern.strip_prefix('!') {
        Some(negated) => !wildcard(negated, text),
        None => wildcard(pattern, text),
    }
}

/// OpenSSH's `match_pattern_list`: a comma-separated list of patterns matches when
/// one pattern matches and no negated (`!`) pattern does.
fn matches_list(patterns: &[String], text: &str) -> bool {
    let mut matched = false;
    for pattern in patterns {
        match pattern.strip_prefix('!') {
            Some(negated) if wildcard(negated, text) => return false,
            Some(_) => {}
            None => matched |= wildcard(pattern, text),
        }
    }
    matched
}

/// `*` (any run) and `?` (one character) wildcards.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKGk3AuF4qKK4gh+fbCfPcT78EJeH7V4nfZsApHARhnW";

    #[test]
    fn reads_principals_options_and_times() {
        let text = format!(
            "# team\n\njane@example.com {KEY} jane's laptop\n\"sam@example.com,*@security.example\" namespaces=\"preflight,git\",valid-after=\"20260101Z\",valid-before=\"202612312359Z\" {KEY}\n"
        );
        let file = AllowedSigners::parse(&text).unwrap();
        assert_eq!(file.signers.len(), 2);
        let key = &file.signers[0].key;
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert!(
            file.check(
                key,
                "jane@example.com",
                "preflight",
                at("2020-01-01T00:00:00Z")
            )
            .is_ok()
        );
        assert!(
            file.check(
                key,
                "ann@security.example",
                "preflight",
                at("2026-06-01T00:00:00Z")
            )
            .is_ok()
        );
        assert_eq!(
            file.check(
                key,
                "ann@security.example",
                "preflight",
                at("2027-06-01T00:00:00Z")
            ),
            Err(Refusal::Time(at("2027-06-01T00:00:00Z")))
        );
        assert_eq!(
            file.check(key, "sam@example.com", "file", at("2026-06-01T00:00:00Z")),
            Err(Refusal::Namespace("file".into()))
        );
        assert!(matches!(
            file.check(
                key,
                "eve@example.com",
                "preflight",
                at("2026-06-01T00:00:00Z")
            ),
            Err(Refusal::OtherPrincipal { .. })
        ));
    }

    #[test]
    fn refuses_lines_it_cannot_read() {
        for (text, message) in [
            ("jane@example.com", "no key"),
            (
                &format!("jane@example.com bogus=\"x\" {KEY}"),
                "unknown option",
            ),
            (
                &format!("jane@example.com valid-after=\"2026\" {KEY}"),
                "not a time",
            ),
            ("jane@example.com ssh-ed25519 AAAA", "not a public key"),
        ] {
            let e = AllowedSigners::parse(text).unwrap_err();
            assert_eq!(e.line, 1);
            assert!(e.message.contains(message), "{text}: {e}");
        }
    }

    #[test]
    fn patterns_match_as_openssh_does() {
        let list = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        assert!(matches_list(&list("*@example.com"), "jane@example.com"));
        assert!(!matches_list(
            &list("*@example.com,!eve@example.com"),
            "eve@example.com"
        ));
        assert!(matches_list(&list("j?ne@example.com"), "jane@example.com"));
        assert!(!matches_list(
            &list("jane@example.com"),
            "jane@example.comx"
        ));
        assert!(matches_list(&list("*"), ""));
    }
}
