//! A local Azure Key Vault for tests: an HTTPS server on loopback that speaks the
//! documented secrets REST API (the 401 bearer challenge, `GET /secrets` with
//! `nextLink` paging, `GET /secrets/{name}/`) and Entra ID's client-credentials token
//! endpoint (`POST /{tenant}/oauth2/v2.0/token`). Its certificate is issued by a test CA
//! for `testvault.vault.azure.net` and `login.testcloud.local`, so the SDK's challenge
//! check stays on; clients reach it either through `reqwest`'s `resolve` or through the
//! CONNECT proxy below (which is how the real binary is tested).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use rustls::pki_types::pem::PemObject;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The vault's host name.
pub const VAULT_HOST: &str = "testvault.vault.azure.net";
/// The authority's host name.
pub const LOGIN_HOST: &str = "login.testcloud.local";
/// The tenant the token endpoint serves.
pub const TENANT: &str = "00000000-0000-0000-0000-00000000cafe";
/// The client id it accepts.
pub const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";
/// The client secret it accepts.
pub const CLIENT_SECRET: &str = "test-client-secret-value";

const DAY: i64 = 86_400;

/// One secret held by the emulator.
#[derive(Debug, Clone)]
pub struct FakeSecret {
    /// The value.
    pub value: String,
    /// Enabled.
    pub enabled: bool,
    /// Expiry (unix seconds).
    pub expires: Option<i64>,
    /// Last update (unix seconds).
    pub updated: i64,
}

impl FakeSecret {
    /// An enabled secret updated `days_ago` days ago.
    pub fn new(value: &str, days_ago: i64) -> FakeSecret {
        FakeSecret {
            value: value.to_string(),
            enabled: true,
            expires: None,
            updated: now() - days_ago * DAY,
        }
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// What the emulator holds and how it behaves.
#[derive(Debug)]
pub struct State {
    /// The secrets.
    pub secrets: BTreeMap<String, FakeSecret>,
    /// Secrets per page of `GET /secrets`.
    pub page_size: usize,
    /// The token the token endpoint issues.
    pub issued_token: String,
    /// The token the vault accepts.
    pub accepted_token: String,
    /// Every request: `METHOD path` (query included), ` [token]` when it carried one.
    pub requests: Vec<String>,
}

/// The running emulator.
pub struct Emulator {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The test CA (PEM).
    pub ca_pem: String,
    /// Shared state, changeable while it runs.
    pub state: Arc<Mutex<State>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The guide's five secrets, fresh, with `password` as db-password.
pub fn guide_secrets(password: &str) -> BTreeMap<String, FakeSecret> {
    [
        ("db-host", "127.0.0.1"),
        ("db-port", "5432"),
        ("db-name", "taskman_v2"),
        ("db-user", "contextforge_prod"),
        ("db-password", password),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), FakeSecret::new(v, 3)))
    .collect()
}

fn pki() -> (String, rustls::ServerConfig) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "preflight Key Vault test CA");
    let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![VAULT_HOST.to_string(), LOGIN_HOST.to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )
    .unwrap();
    (issuer.pem(), config)
}

/// A small runtime of its own for a test server, and a loopback listener on it.
fn server_runtime() -> (tokio::runtime::Runtime, TcpListener) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    (runtime, listener)
}

impl Emulator {
    /// Starts an emulator holding `secrets`.
    pub fn start(secrets: BTreeMap<String, FakeSecret>) -> Emulator {
        let (ca_pem, config) = pki();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let state = Arc::new(Mutex::new(State {
            secrets,
            page_size: 2,
            issued_token: "token-ok".to_string(),
            accepted_token: "token-ok".to_string(),
            requests: Vec::new(),
        }));
        let (runtime, listener) = server_runtime();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::clone(&state);
        runtime.spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        serve(tls, state).await;
                    }
                });
            }
        });
        Emulator {
            addr,
            ca_pem,
            state,
            runtime: Some(runtime),
        }
    }

    /// The vault URL clients resolving the host to the emulator use.
    pub fn vault_url(&self) -> String {
        format!("https://{VAULT_HOST}:{}", self.addr.port())
    }

    /// An HTTP client that trusts only the test CA and resolves both host names to
    /// loopback (the port comes from the URL, as with real DNS).
    pub fn http_client(&self, timeout: std::time::Duration) -> reqwest::Client {
        let addr = self.addr;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(self.ca_pem.as_bytes()) {
            roots.add(cert.unwrap()).unwrap();
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        preflight::system::keyvault::client_builder(timeout)
            .no_proxy()
            .resolve(VAULT_HOST, addr)
            .resolve(LOGIN_HOST, addr)
            .tls_backend_preconfigured(tls)
            .build()
            .unwrap()
    }

    /// The variables that make the credential chain use the emulator's token
    /// endpoint with a client secret.
    pub fn credential_vars(&self) -> Vec<(String, String)> {
        vec![
            ("AZURE_TENANT_ID".into(), TENANT.into()),
            ("AZURE_CLIENT_ID".into(), CLIENT_ID.into()),
            ("AZURE_CLIENT_SECRET".into(), CLIENT_SECRET.into()),
            (
                "AZURE_AUTHORITY_HOST".into(),
                format!("https://{LOGIN_HOST}:{}", self.addr.port()),
            ),
            // Never fall through to the CLI or the VM metadata endpoint in tests.
            (
                "AZURE_TOKEN_CREDENTIALS".into(),
                "EnvironmentCredential".into(),
            ),
        ]
    }

    /// Requests seen so far.
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Request> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut byte).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = buf[head_end + 4..].to_vec();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while body.len() < len {
        let n = stream.read(&mut byte).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&byte[..n]);
    }
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

async fn respond<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: &str,
    extra: &[(&str, String)],
    body: &str,
) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn attributes(s: &FakeSecret) -> serde_json::Value {
    let mut a = serde_json::json!({
        "enabled": s.enabled,
        "created": s.updated,
        "updated": s.updated,
        "recoveryLevel": "Recoverable+Purgeable",
    });
    if let Some(exp) = s.expires {
        a["exp"] = exp.into();
    }
    a
}

fn query_param<'a>(target: &'a str, name: &str) -> Option<&'a str> {
    let query = target.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name || k.replace("%24", "$") == name).then_some(v)
    })
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, state: Arc<Mutex<State>>) {
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    state.lock().unwrap().requests.push(format!(
        "{} {}{}",
        req.method,
        req.target,
        if req.header("authorization").is_some() {
            " [token]"
        } else {
            ""
        }
    ));
    let host = req.header("host").unwrap_or(VAULT_HOST).to_string();
    let path = req.target.split('?').next().unwrap_or_default().to_string();

    if req.method == "POST" && path == format!("/{TENANT}/oauth2/v2.0/token") {
        let form: BTreeMap<String, String> = url::form_urlencoded::parse(&req.body)
            .into_owned()
            .collect();
        let good = form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
            && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
            && form.get("grant_type").map(String::as_str) == Some("client_credentials");
        if good {
            let token = state.lock().unwrap().issued_token.clone();
            let body = serde_json::json!({
                "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                "access_token": token,
            });
            respond(&mut stream, "200 OK", &[], &body.to_string()).await;
        } else {
            let body = serde_json::json!({
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
                "error_codes": [7000215],
            });
            respond(&mut stream, "401 Unauthorized", &[], &body.to_string()).await;
        }
        return;
    }

    let challenge = (
        "www-authenticate",
        format!(
            "Bearer authorization=\"https://{LOGIN_HOST}/{TENANT}\", resource=\"https://vault.azure.net\""
        ),
    );
    let accepted = format!("Bearer {}", state.lock().unwrap().accepted_token);
    match req.header("authorization") {
        None => {
            let body = r#"{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}}"#;
            respond(&mut stream, "401 Unauthorized", &[challenge], body).await;
            return;
        }
        Some(auth) if auth != accepted => {
            let body = r#"{"error":{"code":"Unauthorized","message":"AKV10032: Invalid issuer."}}"#;
            respond(&mut stream, "401 Unauthorized", &[challenge], body).await;
            return;
        }
        Some(_) => {}
    }
    if query_param(&req.target, "api-version").is_none() {
        let body = r#"{"error":{"code":"BadParameter","message":"The request URI contains an invalid api-version"}}"#;
        respond(&mut stream, "400 Bad Request", &[], body).await;
        return;
    }

    let base = format!("https://{host}");
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (status, body) = {
        let st = state.lock().unwrap();
        match (req.method.as_str(), parts.as_slice()) {
        ("GET", ["secrets"]) => {
            let skip: usize = query_param(&req.target, "$skiptoken")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let all: Vec<_> = st.secrets.iter().collect();
            let page: Vec<serde_json::Value> = all
                .iter()
                .skip(skip)
                .take(st.page_size)
                .map(|(name, s)| {
                    serde_json::json!({
                        "id": format!("{base}/secrets/{name}"),
                        "attributes": attributes(s),
                        "tags": {},
                    })
                })
                .collect();
            let next = skip + st.page_size;
            let next_link = (next < all.len()).then(|| {
                format!("{base}/secrets?api-version=7.6&$skiptoken={next}&maxresults={}", st.page_size)
            });
            (
                "200 OK",
                serde_json::json!({ "value": page, "nextLink": next_link }).to_string(),
            )
        }
        ("GET", ["secrets", name]) | ("GET", ["secrets", name, ""]) => match st.secrets.get(*name) {
            Some(s) if !s.enabled => (
                "403 Forbidden",
                r#"{"error":{"code":"Forbidden","message":"Operation get is not allowed on a disabled secret.","innererror":{"code":"SecretDisabled"}}}"#.to_string(),
            ),
            Some(s) => (
                "200 OK",
                serde_json::json!({
                    "value": s.value,
                    "id": format!("{base}/secrets/{name}/0123456789abcdef"),
                    "attributes": attributes(s),
                    "tags": {},
                })
                .to_string(),
            ),
            None => (
                "404 Not Found",
                format!(
                    r#"{{"error":{{"code":"SecretNotFound","message":"A secret with (name/id) {name} was not found in this key vault."}}}}"#
                ),
            ),
        },
        _ => (
            "404 Not Found",
            r#"{"error":{"code":"NotFound","message":"no such operation"}}"#.to_string(),
        ),
    }
    };
    respond(&mut stream, status, &[], &body).await;
}

/// A server that accepts connections and never answers: a vault that hangs.
pub struct Blackhole {
    /// Where it listens.
    pub addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Blackhole {
    /// Starts one.
    pub fn start() -> Blackhole {
        let (runtime, listener) = server_runtime();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(async move {
            let mut held = Vec::new();
            while let Ok((tcp, _)) = listener.accept().await {
                held.push(tcp);
            }
        });
        Blackhole {
            addr,
            _runtime: runtime,
        }
    }
}

/// An HTTP CONNECT proxy on loopback that sends every tunnel to `target`, whatever
/// host was asked for, and records the hosts asked for. It stands in for a corporate
/// proxy so the real binary reaches the emulator without any name resolution.
pub struct Proxy {
    /// Where it listens.
    pub addr: SocketAddr,
    /// `host:port` of every CONNECT.
    pub connects: Arc<Mutex<Vec<String>>>,
    _runtime: tokio::runtime::Runtime,
}

impl Proxy {
    /// Starts one in front of `target`.
    pub fn start(target: SocketAddr) -> Proxy {
        let (runtime, listener) = server_runtime();
        let addr = listener.local_addr().unwrap();
        let connects = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&connects);
        runtime.spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    let Some(req) = read_request(&mut client).await else {
                        return;
                    };
                    if req.method != "CONNECT" {
                        let _ = client
                            .write_all(
                                b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n",
                            )
                            .await;
                        return;
                    }
                    seen.lock().unwrap().push(req.target.clone());
                    let Ok(mut upstream) = TcpStream::connect(target).await else {
                        return;
                    };
                    let _ = client
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await;
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                });
            }
        });
        Proxy {
            addr,
            connects,
            _runtime: runtime,
        }
    }
}
