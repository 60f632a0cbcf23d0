//! PostgreSQL connection URLs (`postgres://` and `postgresql://`), as libpq reads them:
//! user, password, host, port, database, and the `sslmode` / `sslrootcert` parameters.
//!
//! A URL can carry a password, so nothing here ever puts the URL's text in an error.

use super::environment::ResolvedEnvironment;
use crate::base::secret::Secret;

/// A percent-encoded part of a URL, decoded.
pub(super) fn decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Why a text is not a PostgreSQL connection URL. Never carries the text, which may
/// hold a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not a URL at all.
    #[error("not a URL ({0})")]
    NotAUrl(url::ParseError),
    /// A URL of another scheme.
    #[error("the scheme is `{0}`; expected postgres:// or postgresql://")]
    Scheme(String),
}

/// A connection URL's parts, as an environment's fields.
pub struct PgUrl;

impl PgUrl {
    /// Parses a URL into the fields of an environment. The error says what is wrong,
    /// never what the URL holds.
    pub fn parse(text: &str) -> Result<ResolvedEnvironment, UrlError> {
        let parsed = url::Url::parse(text.trim()).map_err(UrlError::NotAUrl)?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(UrlError::Scheme(parsed.scheme().to_string()));
        }
        let non_empty = |s: String| (!s.is_empty()).then_some(s);
        let mut out = ResolvedEnvironment {
            host: parsed
                .host_str()
                .map(|h| h.trim_matches(['[', ']']).to_string())
                .and_then(non_empty),
            port: parsed.port(),
            database: non_empty(decode(parsed.path().trim_start_matches('/'))),
            user: non_empty(decode(parsed.username())),
            password: parsed.password().map(|p| Secret::new(decode(p))),
            ..ResolvedEnvironment::default()
        };
        for (key, value) in parsed.query_pairs() {
            match key.as_ref() {
                "sslmode" => out.sslmode = Some(value.into_owned()),
                "sslrootcert" => out.sslrootcert = Some(value.into_owned()),
                "password" => out.password = Some(Secret::new(value.into_owned())),
                _ => {}
            }
        }
        Ok(out)
    }
}

/// Whether a text is a connection URL with a password in it (`user:password@` or a
/// `password=` parameter).
pub fn has_password(text: &str) -> bool {
    PgUrl::parse(text).is_ok_and(|u| u.password.as_ref().is_some_and(|p| !p.expose().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_part_and_decodes_them() {
        let u = PgUrl::parse(
            "postgresql://contextforge_prod:p%40ss%2Fw0rd@172.25.14.122:5433/taskman_v2?sslmode=verify-full&sslrootcert=ca.pem",
        )
        .unwrap();
        assert_eq!(u.host.as_deref(), Some("172.25.14.122"));
        assert_eq!(u.port, Some(5433));
        assert_eq!(u.database.as_deref(), Some("taskman_v2"));
        assert_eq!(u.user.as_deref(), Some("contextforge_prod"));
        assert_eq!(u.password.as_ref().map(Secret::expose), Some("p@ss/w0rd"));
        assert_eq!(u.sslmode.as_deref(), Some("verify-full"));
        assert_eq!(u.sslrootcert.as_deref(), Some("ca.pem"));
        assert!(!format!("{u:?}").contains("p@ss"));
        let v6 = PgUrl::parse("postgres://[::1]/app").unwrap();
        assert_eq!(
            (v6.host.as_deref(), v6.port, v6.user),
            (Some("::1"), None, None)
        );
    }

    #[test]
    fn errors_never_show_the_url() {
        for bad in [
            "mysql://u:hunter2@h/db",
            "postgres://u:hunter2@h:notaport/db",
            "hunter2",
        ] {
            let e = PgUrl::parse(bad).unwrap_err().to_string();
            assert!(!e.contains("hunter2"), "{e}");
        }
        assert!(has_password("postgres://u:secret@h/db"));
        assert!(has_password("postgres://u@h/db?password=secret"));
        assert!(!has_password("postgres://u@h/db?sslmode=require"));
    }
}
