//! Where an environment's fields come from, and reading them: environment variables,
//! dotenv files, connection URLs and Azure Key Vault secrets (fetched by the caller and
//! handed in, so this module never talks to a vault). Values may be secrets: errors
//! name the field and the source, never a value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::dotenv;
use super::env_vars::EnvVars;
use super::environment::ResolvedEnvironment;
use super::pgurl::PgUrl;
use super::vault_url::VaultUrl;
use zeroize::Zeroizing;

use crate::base::secret::Secret;

/// Where one field of an environment comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Written in `preflight.toml` (never allowed for passwords).
    Literal(String),
    /// An environment variable.
    Env(String),
    /// A key of a dotenv file, relative to the project root.
    Dotenv {
        /// The file.
        file: PathBuf,
        /// The key.
        key: String,
    },
    /// A secret in Azure Key Vault.
    KeyVault {
        /// The vault.
        vault: VaultUrl,
        /// The secret's name.
        secret: String,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Literal(_) => f.write_str("preflight.toml"),
            Source::Env(name) => write!(f, "environment variable {name}"),
            Source::Dotenv { file, key } => write!(f, "{} key {key}", file.display()),
            Source::KeyVault { vault, secret } => write!(f, "Key Vault {vault} secret {secret}"),
        }
    }
}

/// How to reach one database environment (production, development, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvironmentSpec {
    /// Server host name or address.
    pub host: Option<Source>,
    /// Server port.
    pub port: Option<Source>,
    /// Database name.
    pub database: Option<Source>,
    /// User name.
    pub user: Option<Source>,
    /// Password (never a literal).
    pub password: Option<Source>,
    /// libpq `sslmode`.
    pub sslmode: Option<Source>,
    /// libpq `sslrootcert`: a CA file (relative to the project root) or `system`.
    pub sslrootcert: Option<Source>,
    /// A `postgres://` / `postgresql://` URL supplying every field not given on its own.
    pub url: Option<Source>,
    /// The environment's servers, when it has several (`hosts`): each replaces `host`
    /// (and `port`, `database` where it names them) for one check of each server.
    pub hosts: Vec<super::HostEntry>,
}

pub(super) const ENVIRONMENT_FIELDS: &[&str] = &[
    "url",
    "host",
    "port",
    "database",
    "user",
    "password",
    "sslmode",
    "sslrootcert",
];

/// A credential source that could not be read. Never carries the value.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The dotenv file could not be read.
    #[error("{field}: {source}")]
    Dotenv {
        /// Which field.
        field: &'static str,
        /// Why.
        source: dotenv::DotenvError,
    },
    /// The vault could not give the secret.
    #[error("{field} from {from}: {reason}")]
    Vault {
        /// Which field.
        field: &'static str,
        /// Which source.
        from: String,
        /// Why.
        reason: String,
    },
    /// The value is not usable (e.g. a port that is not a number).
    #[error("{field} from {from}: {reason}")]
    Invalid {
        /// Which field.
        field: &'static str,
        /// Which source.
        from: String,
        /// Why.
        reason: String,
    },
}

impl EnvironmentSpec {
    /// The guides' production convention: everything from `PG_*` variables.
    pub fn from_pg_variables() -> Self {
        Self::from_pg_keys(|name| Source::Env(name.to_string()))
    }

    /// The guides' development convention: `PG_*` keys of a dotenv file.
    pub fn from_dotenv(file: &Path) -> Self {
        Self::from_pg_keys(|key| Source::Dotenv {
            file: file.to_path_buf(),
            key: key.to_string(),
        })
    }

    /// Every field from the `PG_*` name the guides use for it, and `DATABASE_URL` for
    /// whatever those leave unset.
    fn from_pg_keys(source: impl Fn(&str) -> Source) -> Self {
        EnvironmentSpec {
            host: Some(source("PG_HOST")),
            port: Some(source("PG_PORT")),
            database: Some(source("PG_DATABASE")),
            user: Some(source("PG_USER")),
            password: Some(source("PG_PASSWORD")),
            sslmode: Some(source("PG_SSLMODE")),
            sslrootcert: Some(source("PG_SSLROOTCERT")),
            url: Some(source("DATABASE_URL")),
            hosts: Vec::new(),
        }
    }

    /// The Key Vault secrets this environment reads, each once.
    pub fn vault_secrets(&self) -> Vec<(VaultUrl, String)> {
        let mut found: Vec<(VaultUrl, String)> = self
            .sources()
            .filter_map(|(_, source)| match source {
                Source::KeyVault { vault, secret } => Some((vault.clone(), secret.clone())),
                _ => None,
            })
            .collect();
        found.sort();
        found.dedup();
        found
    }

    fn sources(&self) -> impl Iterator<Item = (&'static str, &Source)> {
        [
            ("url", &self.url),
            ("host", &self.host),
            ("port", &self.port),
            ("database", &self.database),
            ("user", &self.user),
            ("password", &self.password),
            ("sslmode", &self.sslmode),
            ("sslrootcert", &self.sslrootcert),
        ]
        .into_iter()
        .filter_map(|(field, source)| Some((field, source.as_ref()?)))
    }

    /// Reads every field from its source; Key Vault secrets come from `fetched` (see
    /// [`EnvironmentSpec::vault_secrets`]). Missing variables or keys leave the field
    /// empty.
    pub fn resolve(
        &self,
        project_dir: &Path,
        vars: &EnvVars,
        fetched: &FetchedSecrets,
        reads: Option<&crate::base::fs::ReadCache>,
    ) -> Result<ResolvedEnvironment, SourceError> {
        let mut files: BTreeMap<PathBuf, BTreeMap<String, String>> = BTreeMap::new();
        // Values stay in memory that is wiped on drop; only the password (and a URL's)
        // becomes a registered Secret: a host or a user name is no secret, and output
        // must not mask it.
        type Read = Result<Option<Zeroizing<String>>, SourceError>;
        let owned = |v: &str| Zeroizing::new(v.to_string());
        let mut read = |field: &'static str, source: &Option<Source>| -> Read {
            match source {
                None => Ok(None),
                Some(Source::Literal(v)) => Ok(Some(owned(v))),
                Some(Source::Env(name)) => Ok(vars.get(name).map(owned)),
                Some(Source::Dotenv { file, key }) => {
                    let path = project_dir.join(file);
                    if !files.contains_key(&path) {
                        let map = dotenv::read_via(reads, &path, project_dir)
                            .map_err(|source| SourceError::Dotenv { field, source })?;
                        files.insert(path.clone(), map);
                    }
                    Ok(files.get(&path).and_then(|m| m.get(key)).map(|v| owned(v)))
                }
                Some(from @ Source::KeyVault { vault, secret }) => {
                    let vault_error = |reason: String| SourceError::Vault {
                        field,
                        from: from.to_string(),
                        reason,
                    };
                    match fetched.get(&(vault.clone(), secret.clone())) {
                        Some(Ok(value)) => Ok(Some(owned(value.expose()))),
                        Some(Err(reason)) => Err(vault_error(reason.clone())),
                        None => Err(vault_error("not fetched".to_string())),
                    }
                }
            }
        };
        let password = read("password", &self.password)?.map(|p| Secret::new(p.as_str()));
        let mut text = |field: &'static str, source: &Option<Source>| {
            read(field, source).map(|v| v.map(|s| s.to_string()))
        };
        let url = match text("url", &self.url)? {
            None => ResolvedEnvironment::default(),
            // The URL may hold a password: errors say what is wrong, never the text.
            Some(url) => PgUrl::parse(&url).map_err(|e| SourceError::Invalid {
                field: "url",
                from: self.url.as_ref().map(|s| s.to_string()).unwrap_or_default(),
                reason: e.to_string(),
            })?,
        };
        let port = match text("port", &self.port)? {
            None => None,
            Some(port) => Some(port.trim().parse::<u16>().map_err(|_| {
                SourceError::Invalid {
                    field: "port",
                    from: self
                        .port
                        .as_ref()
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    reason: format!("`{port}` is not a port number"),
                }
            })?),
        };
        // Fields given on their own win over the URL's.
        Ok(ResolvedEnvironment {
            host: text("host", &self.host)?.or(url.host),
            port: port.or(url.port),
            database: text("database", &self.database)?.or(url.database),
            user: text("user", &self.user)?.or(url.user),
            password: password.or(url.password),
            sslmode: text("sslmode", &self.sslmode)?.or(url.sslmode),
            sslrootcert: text("sslrootcert", &self.sslrootcert)?.or(url.sslrootcert),
            hosts: self.hosts.clone(),
        })
    }
}

/// Key Vault secrets read for an environment: the value, or why it could not be read.
pub type FetchedSecrets = std::collections::HashMap<(VaultUrl, String), Result<Secret, String>>;
