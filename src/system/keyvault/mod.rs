//! Azure Key Vault through the Azure SDK for Rust: secret metadata for the
//! `keyvault-secrets` probe and secret values for the `keyvault` credential source.
//!
//! Every request is bounded: no SDK retries, a connect timeout and a timeout per call,
//! so an unreachable vault fails within seconds. TLS trusts the operating system's
//! certificate store (`SSL_CERT_FILE` / `SSL_CERT_DIR` replace it, as with OpenSSL), and
//! `HTTPS_PROXY` / `NO_PROXY` are honoured, so corporate CAs and proxies work.
//!
//! Values are fetched only when a credential source needs them, at most once per
//! secret and run, and live only in [`Secret`]s. Errors say which vault, which secret
//! and why, never a value.

pub mod credential;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use azure_core::http::{ClientOptions, RetryOptions, StatusCode, Transport};
use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
use futures_util::TryStreamExt;
use time::OffsetDateTime;
use tokio::sync::OnceCell;

use crate::base::diagnostic::error_chain;
use crate::base::secret::Secret;
use crate::config::{EnvVars, VaultUrl};
use crate::system::tls::{NoTrustedRoots, system_roots};

/// The time allowed for one call to the vault, token included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// The time allowed to open a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What the vault says about one secret, without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMeta {
    /// Whether it can be read.
    pub enabled: bool,
    /// When it stops being valid.
    pub expires: Option<OffsetDateTime>,
    /// When it becomes valid.
    pub not_before: Option<OffsetDateTime>,
    /// When its current version was created.
    pub created: Option<OffsetDateTime>,
    /// When it was last updated.
    pub updated: Option<OffsetDateTime>,
}

/// Why a vault call failed. Never carries a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// No answer in time.
    #[error("{vault} did not answer within {} s", .timeout.as_secs_f32())]
    Timeout {
        /// The vault.
        vault: VaultUrl,
        /// The limit.
        timeout: Duration,
    },
    /// The vault refused the identity (HTTP 401/403) or no token could be had.
    #[error("{vault}: access denied: {reason}")]
    Denied {
        /// The vault.
        vault: VaultUrl,
        /// Why.
        reason: String,
    },
    /// The secret does not exist (HTTP 404).
    #[error("{vault}: secret `{name}` does not exist")]
    NotFound {
        /// The vault.
        vault: VaultUrl,
        /// The secret.
        name: String,
    },
    /// Anything else: connection, TLS, an unexpected answer.
    #[error("{vault}: {reason}")]
    Failed {
        /// The vault.
        vault: VaultUrl,
        /// Why.
        reason: String,
    },
}

/// How to reach vaults: the HTTP client, the identity, the time limit per call.
#[derive(Clone)]
pub struct Access {
    http: reqwest::Client,
    credential: Arc<dyn azure_core::credentials::TokenCredential>,
    timeout: Duration,
    /// One client per vault: a client remembers the vault's authentication challenge,
    /// so only its first request goes out without a token.
    clients: Arc<Mutex<HashMap<VaultUrl, Arc<SecretClient>>>>,
}

impl fmt::Debug for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Access")
            .field("credential", &self.credential)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Access {
    /// An explicit client and identity (for embedding and tests).
    pub fn new(
        http: reqwest::Client,
        credential: Arc<dyn azure_core::credentials::TokenCredential>,
        timeout: Duration,
    ) -> Access {
        Access {
            http,
            credential,
            timeout,
            clients: Arc::default(),
        }
    }

    /// The usual setup: the operating system's trust store, proxies from the
    /// environment, and the credential chain of [`credential::Chain`].
    pub fn from_environment(vars: &EnvVars) -> Result<Access, ClientError> {
        Ok(Access::with_http(
            http_client(DEFAULT_TIMEOUT)?,
            vars,
            DEFAULT_TIMEOUT,
        ))
    }

    /// The credential chain of [`credential::Chain`] for `vars`, with every request
    /// (tokens included) sent through `http`.
    pub fn with_http(http: reqwest::Client, vars: &EnvVars, timeout: Duration) -> Access {
        let credential = credential::Chain::from_environment(vars, transport_options(&http));
        Access::new(http, Arc::new(credential), timeout)
    }

    fn client(&self, vault: &VaultUrl) -> Result<Arc<SecretClient>, VaultError> {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = clients.get(vault) {
            return Ok(Arc::clone(client));
        }
        let options = SecretClientOptions {
            client_options: transport_options(&self.http),
            ..SecretClientOptions::default()
        };
        let client = SecretClient::new(vault.as_str(), Arc::clone(&self.credential), Some(options))
            .map_err(|e| VaultError::Failed {
                vault: vault.clone(),
                reason: error_chain(&e),
            })?;
        let client = Arc::new(client);
        clients.insert(vault.clone(), Arc::clone(&client));
        Ok(client)
    }

    /// Every secret in the vault with its attributes (`GET /secrets`, following
    /// `nextLink`). Reads no value.
    pub async fn list(&self, vault: &VaultUrl) -> Result<BTreeMap<String, SecretMeta>, VaultError> {
        let client = self.client(vault)?;
        let work = async {
            let mut pager = client
                .list_secret_properties(None)
                .map_err(|e| classify(vault, None, &e, self.timeout))?;
            let mut found = BTreeMap::new();
            while let Some(item) = pager
                .try_next()
                .await
                .map_err(|e| classify(vault, None, &e, self.timeout))?
            {
                let Some(name) = item.id.as_deref().and_then(secret_name) else {
                    continue;
                };
                found.insert(name, meta(item.attributes.as_ref()));
            }
            Ok(found)
        };
        self.bounded(vault, work).await
    }

    /// One secret's value (`GET /secrets/{name}/`), refused when it is disabled,
    /// expired or not yet valid.
    pub async fn value(&self, vault: &VaultUrl, name: &str) -> Result<Secret, VaultError> {
        let client = self.client(vault)?;
        let work = async {
            let response = client
                .get_secret(name, None)
                .await
                .map_err(|e| classify(vault, Some(name), &e, self.timeout))?;
            let model = response.into_model().map_err(|e| VaultError::Failed {
                vault: vault.clone(),
                reason: format!("secret `{name}`: unreadable answer: {}", error_chain(&e)),
            })?;
            let Some(value) = model.value else {
                return Err(VaultError::Failed {
                    vault: vault.clone(),
                    reason: format!("secret `{name}` has no value"),
                });
            };
            let value = Secret::new(value);
            if let Some(problem) =
                unusable(&meta(model.attributes.as_ref()), OffsetDateTime::now_utc())
            {
                return Err(VaultError::Failed {
                    vault: vault.clone(),
                    reason: format!("secret `{name}` is {problem}"),
                });
            }
            Ok(value)
        };
        self.bounded(vault, work).await
    }

    async fn bounded<T>(
        &self,
        vault: &VaultUrl,
        work: impl Future<Output = Result<T, VaultError>>,
    ) -> Result<T, VaultError> {
        tokio::time::timeout(self.timeout, work)
            .await
            .unwrap_or_else(|_| {
                Err(VaultError::Timeout {
                    vault: vault.clone(),
                    timeout: self.timeout,
                })
            })
    }
}

/// Why a secret with these attributes cannot be used at `now`, if it cannot.
pub fn unusable(meta: &SecretMeta, now: OffsetDateTime) -> Option<String> {
    let date = |t: OffsetDateTime| crate::base::timestamp::Timestamp::from_datetime(t).date();
    if !meta.enabled {
        Some("disabled".to_string())
    } else if let Some(at) = meta.expires.filter(|at| *at <= now) {
        Some(format!("expired (since {})", date(at)))
    } else {
        meta.not_before
            .filter(|at| *at > now)
            .map(|at| format!("not valid before {}", date(at)))
    }
}

fn meta(
    attributes: Option<&azure_security_keyvault_secrets::models::SecretAttributes>,
) -> SecretMeta {
    SecretMeta {
        // A secret without attributes is enabled (the service's default).
        enabled: attributes.and_then(|a| a.enabled).unwrap_or(true),
        expires: attributes.and_then(|a| a.expires),
        not_before: attributes.and_then(|a| a.not_before),
        created: attributes.and_then(|a| a.created),
        updated: attributes.and_then(|a| a.updated),
    }
}

/// `NAME` from `https://vault/secrets/NAME[/VERSION]`.
fn secret_name(id: &str) -> Option<String> {
    let path = url::Url::parse(id).ok()?.path().to_string();
    let mut parts = path.trim_matches('/').split('/');
    (parts.next()? == "secrets")
        .then(|| parts.next().map(str::to_string))
        .flatten()
}

/// Whether a reqwest error somewhere in the chain is a timeout.
fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if c.downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
        {
            return true;
        }
        cause = c.source();
    }
    false
}

fn classify(
    vault: &VaultUrl,
    name: Option<&str>,
    e: &azure_core::Error,
    timeout: Duration,
) -> VaultError {
    let vault = vault.clone();
    if timed_out(e) {
        return VaultError::Timeout { vault, timeout };
    }
    match (e.http_status(), name) {
        (Some(StatusCode::NotFound), Some(name)) => VaultError::NotFound {
            vault,
            name: name.to_string(),
        },
        (Some(status @ (StatusCode::Unauthorized | StatusCode::Forbidden)), _) => {
            VaultError::Denied {
                vault,
                reason: format!(
                    "HTTP {}: the identity needs `get` and `list` permission on secrets",
                    u16::from(status)
                ),
            }
        }
        _ if matches!(e.kind(), azure_core::error::ErrorKind::Credential) => VaultError::Denied {
            vault,
            reason: error_chain(e),
        },
        _ => VaultError::Failed {
            vault,
            reason: error_chain(e),
        },
    }
}

/// Makes `ring` the process's default TLS provider, so that any HTTP client the SDK
/// builds on its own (without our transport) works instead of panicking.
pub(crate) fn install_crypto_provider() {
    // Fails only when a provider is already installed, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Client options that send every request through `http` and never retry (each call
/// is bounded by the caller instead).
fn transport_options(http: &reqwest::Client) -> ClientOptions {
    ClientOptions {
        transport: Some(Transport::new(Arc::new(http.clone()))),
        retry: RetryOptions::none(),
        ..ClientOptions::default()
    }
}

/// Why no HTTPS client could be built for the vaults.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The system trusts no certificate authority.
    #[error(transparent)]
    Roots(#[from] NoTrustedRoots),
    /// The TLS library or the HTTP client refused the configuration.
    #[error("{0}")]
    Setup(String),
}

/// An HTTPS client trusting the operating system's roots (or `SSL_CERT_FILE` /
/// `SSL_CERT_DIR`), with proxies from the environment.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, ClientError> {
    http_client_with_roots(system_roots()?, timeout)
}

/// An HTTPS client trusting exactly `roots`.
pub fn http_client_with_roots(
    roots: rustls::RootCertStore,
    timeout: Duration,
) -> Result<reqwest::Client, ClientError> {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| ClientError::Setup(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    client_builder(timeout)
        .tls_backend_preconfigured(tls)
        .build()
        .map_err(|e| ClientError::Setup(error_chain(&e)))
}

/// The builder every client starts from: time limits, no redirects.
pub fn client_builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
}

type Cached = Arc<OnceCell<Result<Secret, VaultError>>>;

/// Vault access for one run, with the values fetched so far (each secret at most once).
#[derive(Default)]
pub struct Vaults {
    access: OnceCell<Result<Access, ClientError>>,
    explicit: Option<Access>,
    vars: EnvVars,
    values: Mutex<HashMap<(VaultUrl, String), Cached>>,
}

impl fmt::Debug for Vaults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vaults").finish_non_exhaustive()
    }
}

impl Vaults {
    /// Access set up from the environment on first use.
    pub fn from_environment(vars: EnvVars) -> Vaults {
        Vaults {
            vars,
            ..Vaults::default()
        }
    }

    /// Access through an explicit client and identity.
    pub fn with_access(access: Access) -> Vaults {
        Vaults {
            explicit: Some(access),
            ..Vaults::default()
        }
    }

    /// The access, set up on first use.
    pub async fn access(&self) -> Result<&Access, ClientError> {
        if let Some(access) = &self.explicit {
            return Ok(access);
        }
        self.access
            .get_or_init(|| async { Access::from_environment(&self.vars) })
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// A secret's value, fetched once per run.
    pub async fn value(&self, vault: &VaultUrl, name: &str) -> Result<Secret, VaultError> {
        let cell = {
            let mut values = self
                .values
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(values.entry((vault.clone(), name.to_string())).or_default())
        };
        let result = cell
            .get_or_init(|| async {
                match self.access().await {
                    Ok(access) => access.value(vault, name).await,
                    Err(e) => Err(VaultError::Failed {
                        vault: vault.clone(),
                        reason: e.to_string(),
                    }),
                }
            })
            .await;
        result.clone()
    }
}
