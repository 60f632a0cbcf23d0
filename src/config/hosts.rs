//! An environment's `hosts`: the servers of one environment (a primary and its
//! replicas, shards, one database per region), each written as `host`, `host:port`,
//! `[v6]:port`, a bare IPv6 address, or a `postgres://host:port/database` URL. An entry
//! says where a server is; who connects (user, password) and how (sslmode) are the
//! environment's, so a URL entry with a user, a password or parameters is refused.

use std::net::Ipv6Addr;

/// One server of an environment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostEntry {
    /// Host name, address, or Unix socket directory.
    pub host: String,
    /// Its port, when the entry gives one (else the environment's).
    pub port: Option<u16>,
    /// Its database, when a URL entry gives one (else the environment's).
    pub database: Option<String>,
}

impl HostEntry {
    /// Reads one entry of `hosts`; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<HostEntry, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty host".to_string());
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Self::from_url(text);
        }
        if text.contains("://") {
            return Err("a URL entry must start with postgres:// or postgresql://".to_string());
        }
        // A Unix socket directory, as libpq takes it for a host.
        if text.starts_with('/') {
            return Ok(HostEntry {
                host: text.to_string(),
                port: None,
                database: None,
            });
        }
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (address, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("`{text}`: `[` without `]`"))?;
            address
                .parse::<Ipv6Addr>()
                .map_err(|_| format!("`{address}` is not an IPv6 address"))?;
            match after {
                "" => (address, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (address, Some(port)),
                    None => return Err(format!("`{text}`: expected `:port` after `]`")),
                },
            }
        } else if text.matches(':').count() > 1 {
            text.parse::<Ipv6Addr>().map_err(|_| {
                format!(
                    "`{text}` is not an IPv6 address (write `[address]:port` for one with a port)"
                )
            })?;
            (text, None)
        } else {
            match text.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            }
        };
        if !host.contains(':') {
            check_name(host)?;
        }
        let port = port.map(parse_port).transpose()?;
        Ok(HostEntry {
            host: host.to_string(),
            port,
            database: None,
        })
    }

    fn from_url(text: &str) -> Result<HostEntry, String> {
        let url = url::Url::parse(text).map_err(|e| format!("not a URL ({e})"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "a host URL says where a server is: its user and password are the environment's (`user`, `password`)"
                    .to_string(),
            );
        }
        if url.query().is_some() {
            return Err(
                "a host URL takes no parameters: sslmode and the others are the environment's"
                    .to_string(),
            );
        }
        let host = url
            .host_str()
            .map(|h| h.trim_matches(['[', ']']).to_string())
            .filter(|h| !h.is_empty())
            .ok_or_else(|| "the URL names no host".to_string())?;
        let database = super::pgurl::decode(url.path().trim_start_matches('/'));
        Ok(HostEntry {
            host,
            port: url.port(),
            database: (!database.is_empty()).then(|| database.to_string()),
        })
    }

    /// How evidence and reports name this server: `host:port` (`[v6]:port`), with
    /// `/database` when the entry names its own.
    pub fn label(&self, default_port: u16) -> String {
        let port = self.port.unwrap_or(default_port);
        let mut label = if self.host.starts_with('/') {
            format!("{}:{port}", self.host)
        } else if self.host.contains(':') {
            format!("[{}]:{port}", self.host)
        } else {
            format!("{}:{port}", self.host)
        };
        if let Some(db) = &self.database {
            label.push('/');
            label.push_str(db);
        }
        label
    }
}

fn parse_port(text: &str) -> Result<u16, String> {
    text.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("`{text}` is not a port number"))
}

fn check_name(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("the entry names no host".to_string());
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(format!(
            "`{}` is not a host name (it holds {c:?})",
            crate::base::text::safe_line(host)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(host: &str, port: Option<u16>, database: Option<&str>) -> HostEntry {
        HostEntry {
            host: host.to_string(),
            port,
            database: database.map(str::to_string),
        }
    }

    #[test]
    fn every_written_form_is_read() {
        let cases = [
            ("db-1.internal", entry("db-1.internal", None, None)),
            (
                "db-2.internal:5433",
                entry("db-2.internal", Some(5433), None),
            ),
            ("127.0.0.2:6000", entry("127.0.0.2", Some(6000), None)),
            ("::1", entry("::1", None, None)),
            ("[fd00::5]:5433", entry("fd00::5", Some(5433), None)),
            ("[::1]", entry("::1", None, None)),
            (
                "/var/run/postgresql",
                entry("/var/run/postgresql", None, None),
            ),
            (
                "postgres://db-3.internal:6543/tenant_a",
                entry("db-3.internal", Some(6543), Some("tenant_a")),
            ),
            ("postgresql://[fd00::7]/", entry("fd00::7", None, None)),
        ];
        for (text, want) in cases {
            assert_eq!(HostEntry::parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("", "empty"),
            ("db:0", "not a port"),
            ("db:99999", "not a port"),
            ("db:abc", "not a port"),
            ("db 1", "not a host name"),
            ("fd00::5:5433:x", "not an IPv6"),
            ("[fd00::5", "without `]`"),
            ("[fd00::5]5433", "expected `:port`"),
            ("mysql://db", "postgres://"),
            ("postgres://app@db/x", "user and password"),
            ("postgres://app:s3cret@db/x", "user and password"),
            ("postgres://db/x?sslmode=disable", "no parameters"),
            ("postgres:///x", "no host"),
        ];
        for (text, want) in cases {
            let e = HostEntry::parse(text).expect_err(text);
            assert!(e.contains(want), "{text}: {e}");
            assert!(!e.contains("s3cret"), "{e}");
        }
    }

    #[test]
    fn labels_name_the_port_and_database() {
        assert_eq!(entry("db", None, None).label(5432), "db:5432");
        assert_eq!(
            entry("fd00::1", Some(6000), None).label(5432),
            "[fd00::1]:6000"
        );
        assert_eq!(
            entry("db", Some(7000), Some("shard_2")).label(5432),
            "db:7000/shard_2"
        );
    }
}
