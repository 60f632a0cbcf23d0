//! An environment's connection fields once read from their sources (or from a
//! connection URL): what a database connection is made from. Plain data; the password
//! stays a [`Secret`].

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
}
