//! An environment's connection fields once read from their sources (or from a
//! connection URL): what a database connection is made from. Plain data; the password
//! stays a [`Secret`].

use super::HostEntry;
use crate::base::secret::Secret;

/// An environment with every field read from its source (or a connection URL's parts).
#[derive(Debug, Clone, Default)]
pub struct ResolvedEnvironment {
    /// Host.
    pub host: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// Database.
    pub database: Option<String>,
    /// User.
    pub user: Option<String>,
    /// Password, masked wherever it is printed.
    pub password: Option<Secret>,
    /// sslmode.
    pub sslmode: Option<String>,
    /// sslrootcert.
    pub sslrootcert: Option<String>,
    /// The servers, when the environment lists several (`hosts`); `host` is then unset
    /// until one of them is chosen ([`ResolvedEnvironment::on_host`]).
    pub hosts: Vec<HostEntry>,
}

impl ResolvedEnvironment {
    /// The environment as one of its `hosts` sees it: that host, and its port and
    /// database where the entry names them.
    pub fn on_host(mut self, entry: &HostEntry) -> ResolvedEnvironment {
        self.host = Some(entry.host.clone());
        self.port = entry.port.or(self.port);
        if let Some(db) = &entry.database {
            self.database = Some(db.clone());
        }
        self.hosts.clear();
        self
    }

    /// The host names of its servers: `host`, or each of `hosts`.
    pub fn host_names(&self) -> Vec<&str> {
        match &self.host {
            Some(h) if !h.trim().is_empty() => vec![h.as_str()],
            _ => self.hosts.iter().map(|h| h.host.as_str()).collect(),
        }
    }

    /// Whether it names a server at all (`host`, or `hosts`).
    pub fn has_host(&self) -> bool {
        self.host.as_deref().is_some_and(|h| !h.trim().is_empty()) || !self.hosts.is_empty()
    }
}
