//! A value that must never be shown: passwords, tokens, connection secrets.
//!
//! [`Secret`] masks itself in `Debug`, `Display` and serialisation, compares in
//! constant time and wipes its memory when dropped. Code that needs the value asks
//! for it explicitly with [`Secret::expose`], which keeps every use greppable.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The text shown wherever a secret would otherwise appear.
pub const MASK: &str = "********";

/// A secret string. It never prints its value.
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value read from a credential source.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
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

/// Whether a variable or key name looks like it holds a secret (`PG_PASSWORD`,
/// `API_TOKEN`, `AZURE_CLIENT_SECRET`, ...). Such values are never printed.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    const MARKERS: [&str; 8] = [
        "PASSWORD",
        "PASSWD",
        "PWD",
        "SECRET",
        "TOKEN",
        "CREDENTIAL",
        "PRIVATE",
        "API_KEY",
    ];
    MARKERS.iter().any(|m| upper.contains(m))
        || upper.ends_with("_PASS")
        || upper.ends_with("_KEY")
        || upper == "PASS"
        || upper == "KEY"
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
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["PG_HOST", "PG_PORT", "ENVIRONMENT", "KEYVAULT_URL"] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
