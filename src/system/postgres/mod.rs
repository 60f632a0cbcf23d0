//! Talking to PostgreSQL in-process (tokio-postgres over rustls): where an environment's
//! database is, connecting with libpq's `sslmode` meanings under a timeout, running
//! queries under a timeout, and saying in plain words why a connection failed.
//!
//! Passwords stay in [`Secret`]s and go only into the protocol's authentication
//! exchange: never into a message, a log or a process argument.

pub mod server;
pub mod tls;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::Client;
pub use tokio_postgres::Row;
pub use tokio_postgres::types::ToSql;

use crate::base::diagnostic::error_chain;
use crate::base::duration::describe;
use crate::base::secret::Secret;
use crate::config::ResolvedEnvironment;
pub use tls::{PresentedChain, RootCerts, SslMode, SslModeError};

/// The port PostgreSQL listens on unless told otherwise (libpq's default too).
pub const DEFAULT_PORT: u16 = 5432;

/// One database to connect to.
#[derive(Clone)]
pub struct Target {
    /// The environment it came from.
    pub environment: String,
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database.
    pub database: String,
    /// User.
    pub user: String,
    /// Password.
    pub password: Option<Secret>,
    /// TLS mode.
    pub sslmode: SslMode,
    /// Whether the environment wrote its sslmode. When it did not, the mode is
    /// `prefer` as libpq's, except that a password is never sent without TLS (libpq
    /// would; 16 added `require_auth` for that reason): see [`connect`].
    pub sslmode_given: bool,
    /// Trusted roots for `verify-*`.
    pub roots: Option<RootCerts>,
}

impl Target {
    /// Whether connecting must use TLS because a password would otherwise cross the
    /// network unencrypted and the environment never said that is acceptable.
    pub fn password_needs_tls(&self) -> bool {
        !self.sslmode_given && self.sslmode == SslMode::Prefer && self.password.is_some()
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}@{}:{}/{} (sslmode {}{})",
            self.user,
            self.host,
            self.port,
            self.database,
            self.sslmode.as_str(),
            if self.password_needs_tls() {
                " by default: no password without TLS"
            } else {
                ""
            }
        )
    }
}

/// Why an environment does not name a database to connect to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// No host.
    #[error("environment `{env}` has no host (set PG_HOST, or `host` in [environments.{env}])")]
    NoHost {
        /// The environment.
        env: String,
    },
    /// No user.
    #[error("environment `{env}` has no user (set PG_USER, or `user` in [environments.{env}])")]
    NoUser {
        /// The environment.
        env: String,
    },
    /// An `sslmode` libpq would not accept, or preflight does not support.
    #[error("environment `{env}`: {reason}")]
    SslMode {
        /// The environment.
        env: String,
        /// What is wrong with it.
        reason: SslModeError,
    },
    /// `verify-ca` or `verify-full` without a root certificate to verify with.
    #[error(
        "environment `{env}` uses sslmode {} but names no root certificate: set `sslrootcert` (a CA file, or \"system\") or create ~/.postgresql/root.crt",
        .mode.as_str()
    )]
    NoRoots {
        /// The environment.
        env: String,
        /// Its sslmode.
        mode: SslMode,
    },
}

impl Target {
    /// The target of environment `name` from its fields: port 5432, database = user,
    /// sslmode `prefer`, like libpq; a relative `sslrootcert` starts at `project_dir`,
    /// and without one `~/.postgresql/root.crt` (under `home`) is used if it exists.
    pub fn from_resolved(
        name: &str,
        env: ResolvedEnvironment,
        project_dir: &Path,
        home: Option<&Path>,
    ) -> Result<Target, TargetError> {
        let host = env
            .host
            .filter(|h| !h.is_empty())
            .ok_or_else(|| TargetError::NoHost {
                env: name.to_string(),
            })?;
        let user = env
            .user
            .filter(|u| !u.is_empty())
            .ok_or_else(|| TargetError::NoUser {
                env: name.to_string(),
            })?;
        let sslmode_given = env.sslmode.as_deref().is_some_and(|m| !m.is_empty());
        let sslmode = match env.sslmode.as_deref() {
            None | Some("") => SslMode::Prefer,
            Some(text) => SslMode::parse(text).map_err(|reason| TargetError::SslMode {
                env: name.to_string(),
                reason,
            })?,
        };
        let roots = match env.sslrootcert.as_deref() {
            Some("system") => Some(RootCerts::System),
            Some(path) if !path.is_empty() => Some(RootCerts::File(project_dir.join(path))),
            _ => tls::default_root_cert(home)
                .filter(|p| p.is_file())
                .map(RootCerts::File),
        };
        if sslmode.verifies() && roots.is_none() {
            return Err(TargetError::NoRoots {
                env: name.to_string(),
                mode: sslmode,
            });
        }
        Ok(Target {
            environment: name.to_string(),
            database: env
                .database
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| user.clone()),
            host,
            port: env.port.unwrap_or(DEFAULT_PORT),
            user,
            password: env.password,
            sslmode,
            sslmode_given,
            roots,
        })
    }

    /// The same server and database with other credentials.
    pub fn with_credentials(&self, user: &str, password: Option<Secret>) -> Target {
        Target {
            user: user.to_string(),
            password,
            ..self.clone()
        }
    }
}

/// Why a connection failed, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Nothing listens there.
    Refused,
    /// No answer within the timeout.
    Timeout,
    /// The host name does not resolve.
    NameResolution,
    /// The server rejected the user or password.
    Authentication,
    /// The database does not exist.
    DatabaseMissing,
    /// No `pg_hba.conf` rule admits this connection.
    NotAllowed,
    /// The server requires TLS and the client did not use it.
    TlsRequired,
    /// The client requires TLS and the server does not offer it.
    TlsUnsupported,
    /// The server's certificate does not lead to a trusted root.
    CertificateUntrusted,
    /// The server's certificate is not valid for the host name.
    CertificateWrongHost,
    /// Anything else.
    Other,
}

/// A failed connection: the kind and the whole error chain, never a password.
#[derive(Debug, Clone)]
pub struct ConnectError {
    /// The kind.
    pub kind: FailureKind,
    /// A plain-words message.
    pub message: String,
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConnectError {}

/// An open connection whose queries run under a timeout.
pub struct Session {
    client: Client,
    query_timeout: Duration,
    connection: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("query_timeout", &self.query_timeout)
            .finish_non_exhaustive()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

fn classify(target: &Target, e: &tokio_postgres::Error) -> ConnectError {
    let text = error_chain(e);
    let (kind, what) = if let Some(db) = e.as_db_error() {
        match db.code().code() {
            "28P01" => (FailureKind::Authentication, format!("authentication failed for user `{}`", target.user)),
            "3D000" => (FailureKind::DatabaseMissing, format!("database `{}` does not exist", target.database)),
            "28000" if db.message().contains("no encryption") => (
                FailureKind::TlsRequired,
                "the server requires TLS for this connection (its pg_hba.conf has no rule for a plaintext one)".to_string(),
            ),
            "28000" => (FailureKind::NotAllowed, format!("the server does not allow this connection: {}", db.message())),
            _ => (FailureKind::Other, db.message().to_string()),
        }
    } else if text.contains("Connection refused") {
        (
            FailureKind::Refused,
            "connection refused: nothing listens there".to_string(),
        )
    } else if text.contains("server does not support TLS") && target.password_needs_tls() {
        (
            FailureKind::TlsUnsupported,
            "the server does not offer TLS, and the password is not sent unencrypted: set sslmode = \"prefer\" (or \"disable\") to allow that, or enable TLS on the server".to_string(),
        )
    } else if text.contains("server does not support TLS") {
        (
            FailureKind::TlsUnsupported,
            format!(
                "sslmode {} needs TLS, but the server does not offer it",
                target.sslmode.as_str()
            ),
        )
    } else if text.contains("UnknownIssuer")
        || text.contains("unknown issuer")
        || text.contains("BadSignature")
    {
        (
            FailureKind::CertificateUntrusted,
            "the server's certificate is not signed by a trusted root (check sslrootcert)"
                .to_string(),
        )
    } else if text.contains("NotValidForName") || text.contains("not valid for name") {
        (
            FailureKind::CertificateWrongHost,
            format!(
                "the server's certificate is not valid for the host name `{}`",
                target.host
            ),
        )
    } else if text.contains("lookup")
        || text.contains("resolve")
        || text.contains("Name or service not known")
    {
        (
            FailureKind::NameResolution,
            format!("the host name `{}` does not resolve", target.host),
        )
    } else if text.contains("timed out") {
        (FailureKind::Timeout, "no answer (timed out)".to_string())
    } else {
        (FailureKind::Other, text.clone())
    };
    ConnectError {
        kind,
        message: format!("{target}: {what}"),
    }
}

/// The connections a run shares, one per target (server, database, user, password,
/// TLS mode and roots) and timeouts: probes that read the same server over the same
/// credentials share one session, so a run logs in once per host and credential.
/// A failed connection is shared too (its error), so a wrong password is tried once.
#[derive(Debug, Default)]
pub struct SessionPool {
    sessions: tokio::sync::Mutex<std::collections::HashMap<String, SharedSession>>,
    opened: std::sync::atomic::AtomicUsize,
}

/// A session (or why it could not be opened) and the certificates the server presented
/// while it was opened.
type Opened = (Result<Arc<Session>, ConnectError>, PresentedChain);

type SharedSession = Arc<tokio::sync::OnceCell<Opened>>;

impl SessionPool {
    /// The session to `target`, opened on first use (see [`connect`]).
    pub async fn session(
        &self,
        target: &Target,
        timeout: Duration,
        query_timeout: Duration,
    ) -> Result<Arc<Session>, ConnectError> {
        self.session_seeing(target, timeout, query_timeout).await.0
    }

    /// [`SessionPool::session`], with the certificates the server presented when it
    /// was opened (empty without TLS, and kept when the login then failed): what
    /// `postgres-tls` judges, without a connection of its own.
    pub async fn session_seeing(
        &self,
        target: &Target,
        timeout: Duration,
        query_timeout: Duration,
    ) -> Opened {
        let key = format!(
            "{}\0{}\0{}\0{}\0{}\0{:?}\0{}\0{:?}\0{:?}\0{:?}",
            target.host,
            target.port,
            target.database,
            target.user,
            // The password's digest tells credentials apart; the value stays out of the key.
            target
                .password
                .as_ref()
                .map(|p| crate::base::digest::sha256_hex(p.expose().as_bytes()))
                .unwrap_or_default(),
            target.sslmode,
            target.sslmode_given,
            target.roots,
            timeout,
            query_timeout,
        );
        let cell = Arc::clone(self.sessions.lock().await.entry(key).or_default());
        cell.get_or_init(|| async {
            self.opened
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let chain = PresentedChain::default();
            let session = connect_seeing(target, timeout, query_timeout, Some(chain.clone()))
                .await
                .map(Arc::new);
            (session, chain)
        })
        .await
        .clone()
    }

    /// How many connections it opened (or tried to).
    pub fn opened(&self) -> usize {
        self.opened.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Connects within `timeout` (TCP, TLS and authentication together).
pub async fn connect(
    target: &Target,
    timeout: Duration,
    query_timeout: Duration,
) -> Result<Session, ConnectError> {
    connect_seeing(target, timeout, query_timeout, None).await
}

/// [`connect`], keeping the certificates the server presents in `seen`.
pub async fn connect_seeing(
    target: &Target,
    timeout: Duration,
    query_timeout: Duration,
    seen: Option<PresentedChain>,
) -> Result<Session, ConnectError> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&target.host)
        .port(target.port)
        .dbname(&target.database)
        .user(&target.user)
        .application_name("preflight")
        .connect_timeout(timeout)
        .ssl_mode(match target.sslmode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer if !target.password_needs_tls() => {
                tokio_postgres::config::SslMode::Prefer
            }
            _ => tokio_postgres::config::SslMode::Require,
        });
    if let Some(p) = &target.password {
        config.password(p.expose());
    }
    let tls_config =
        tls::client_config(target.sslmode, target.roots.as_ref(), seen).map_err(|e| {
            ConnectError {
                kind: FailureKind::Other,
                message: format!("{target}: {e}"),
            }
        })?;
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config);
    let attempt = tokio::time::timeout(timeout, config.connect(tls)).await;
    match attempt {
        Err(_) => Err(ConnectError {
            kind: FailureKind::Timeout,
            message: format!("{target}: no answer within {}", describe(timeout)),
        }),
        Ok(Err(e)) => Err(classify(target, &e)),
        Ok(Ok((client, connection))) => {
            let connection = tokio::spawn(async move {
                let _ = connection.await;
            });
            Ok(Session {
                client,
                query_timeout,
                connection,
            })
        }
    }
}

/// Why a query failed. A caller branches on [`QueryError::sqlstate`], never on text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No answer within the query timeout.
    #[error("the query did not answer within {}", describe(*.0))]
    Timeout(Duration),
    /// The server refused or failed the query.
    #[error("{message} ({sqlstate})")]
    Server {
        /// The five-character SQLSTATE, e.g. `42501`.
        sqlstate: String,
        /// The server's message.
        message: String,
    },
    /// The connection failed under the query.
    #[error("{0}")]
    Connection(String),
    /// A query that always returns a row returned none.
    #[error("the server returned no row")]
    NoRow,
}

impl QueryError {
    /// SQLSTATE `insufficient_privilege`.
    pub const INSUFFICIENT_PRIVILEGE: &'static str = "42501";

    /// The server's SQLSTATE, when the server answered.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            QueryError::Server { sqlstate, .. } => Some(sqlstate),
            _ => None,
        }
    }

    /// Whether the role lacks a privilege the query needs.
    pub fn is_permission_denied(&self) -> bool {
        self.sqlstate() == Some(Self::INSUFFICIENT_PRIVILEGE)
    }
}

impl Session {
    /// Runs a query within the query timeout.
    pub async fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, QueryError> {
        match tokio::time::timeout(self.query_timeout, self.client.query(sql, params)).await {
            Err(_) => Err(QueryError::Timeout(self.query_timeout)),
            Ok(Err(e)) => Err(match e.as_db_error() {
                Some(db) => QueryError::Server {
                    sqlstate: db.code().code().to_string(),
                    message: db.message().to_string(),
                },
                None => QueryError::Connection(error_chain(&e)),
            }),
            Ok(Ok(rows)) => Ok(rows),
        }
    }

    /// What the server says about this connection.
    pub async fn describe(&self) -> Result<ServerInfo, QueryError> {
        let rows = self
            .query(
                "select current_setting('server_version'), current_setting('server_version_num')::int, current_user::text, \
                 coalesce((select ssl from pg_stat_ssl where pid = pg_backend_pid()), false), \
                 (select version from pg_stat_ssl where pid = pg_backend_pid()), \
                 (select cipher from pg_stat_ssl where pid = pg_backend_pid())",
                &[],
            )
            .await?;
        let row = rows.first().ok_or(QueryError::NoRow)?;
        Ok(ServerInfo {
            version: row.get(0),
            version_num: row.get(1),
            user: row.get(2),
            tls: row.get(3),
            tls_version: row.get(4),
            cipher: row.get(5),
        })
    }
}

/// The server's version, the authenticated user and the connection's TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// `server_version`, e.g. `16.2 (Debian ...)`.
    pub version: String,
    /// `server_version_num`, e.g. 160002.
    pub version_num: i32,
    /// `current_user`.
    pub user: String,
    /// Whether the connection is encrypted.
    pub tls: bool,
    /// e.g. `TLSv1.3`.
    pub tls_version: Option<String>,
    /// e.g. `TLS_AES_256_GCM_SHA384`.
    pub cipher: Option<String>,
}

impl ServerInfo {
    /// The major version (16 for 160002).
    pub fn major(&self) -> i32 {
        self.version_num / 10_000
    }

    /// `TLS (TLSv1.3, TLS_AES_256_GCM_SHA384)` or `no TLS`.
    pub fn tls_summary(&self) -> String {
        if self.tls {
            format!(
                "TLS ({}, {})",
                self.tls_version.as_deref().unwrap_or("?"),
                self.cipher.as_deref().unwrap_or("?")
            )
        } else {
            "no TLS".to_string()
        }
    }
}
