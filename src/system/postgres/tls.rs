//! TLS for PostgreSQL connections with libpq's `sslmode` meanings, on rustls.
//!
//! tokio-postgres itself knows `disable`, `prefer` and `require`; the certificate
//! checks are ours: `prefer` and `require` accept any certificate (handshake
//! signatures are still verified), `verify-ca` checks the chain against the root
//! certificates but not the host name, `verify-full` checks both.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::base::fs::{self, Links};
use crate::system::tls::{NoTrustedRoots, system_roots};

/// libpq's `sslmode`, as far as preflight supports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, any certificate.
    Prefer,
    /// TLS required, any certificate.
    Require,
    /// TLS required, the chain must lead to a trusted root.
    VerifyCa,
    /// TLS required, trusted chain and matching host name.
    VerifyFull,
}

/// An `sslmode` preflight cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SslModeError {
    /// libpq's `allow` tries plaintext first, which a check of production must not.
    #[error("sslmode `allow` (plaintext first) is not supported: use `prefer` or stricter")]
    Allow,
    /// Not an sslmode at all.
    #[error("unknown sslmode `{0}` (expected disable, prefer, require, verify-ca or verify-full)")]
    Unknown(String),
}

impl SslMode {
    /// Reads a libpq `sslmode` value.
    pub fn parse(text: &str) -> Result<SslMode, SslModeError> {
        match text.trim() {
            "disable" => Ok(SslMode::Disable),
            "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-ca" => Ok(SslMode::VerifyCa),
            "verify-full" => Ok(SslMode::VerifyFull),
            "allow" => Err(SslModeError::Allow),
            other => Err(SslModeError::Unknown(other.to_string())),
        }
    }

    /// The name libpq uses.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// Whether the certificate chain is checked.
    pub fn verifies(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }
}

/// Where trusted roots come from for `verify-ca` / `verify-full`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCerts {
    /// A PEM file of CA certificates.
    File(PathBuf),
    /// The operating system's store (`sslrootcert=system`), as libpq 16 uses
    /// OpenSSL's: `SSL_CERT_FILE` / `SSL_CERT_DIR` replace it.
    System,
}

/// Why the TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsConfigError {
    /// `sslrootcert = "system"`, and the system has no trusted roots.
    #[error("sslrootcert=system: {reason}")]
    SystemRoots {
        /// Why.
        reason: NoTrustedRoots,
    },
    /// The root certificate file could not be read.
    #[error("cannot read root certificates {}: {reason}", path.display())]
    RootCerts {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The largest root certificate file read.
const MAX_ROOT_CERTS: u64 = 4 * 1024 * 1024;

fn load_roots(roots: &RootCerts) -> Result<RootCertStore, TlsConfigError> {
    let path = match roots {
        RootCerts::System => {
            return system_roots().map_err(|reason| TlsConfigError::SystemRoots { reason });
        }
        RootCerts::File(path) => path,
    };
    let err = |reason: String| TlsConfigError::RootCerts {
        path: path.clone(),
        reason,
    };
    // A certificate file is small: a FIFO, a device or a huge file is refused.
    let bytes = fs::read(path, MAX_ROOT_CERTS, Links::Follow).map_err(|e| err(e.to_string()))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| err(e.to_string()))?;
    if certs.is_empty() {
        return Err(err("no PEM certificate in it".to_string()));
    }
    let mut store = RootCertStore::empty();
    for cert in certs {
        store.add(cert).map_err(|e| err(e.to_string()))?;
    }
    Ok(store)
}

/// libpq's default root certificate file: `~/.postgresql/root.crt`.
pub fn default_root_cert(home: Option<&Path>) -> Option<PathBuf> {
    home.map(|h| h.join(".postgresql").join("root.crt"))
}

/// The certificates a server presented (end entity first), kept as the handshake saw
/// them, whether or not it then succeeded: a key too weak for the handshake is still
/// a certificate to report.
#[derive(Debug, Clone, Default)]
pub struct PresentedChain(Arc<Mutex<Vec<CertificateDer<'static>>>>);

impl PresentedChain {
    /// The certificates seen by the last handshake (empty before one).
    pub fn certificates(&self) -> Vec<CertificateDer<'static>> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn record(&self, end_entity: &CertificateDer<'_>, intermediates: &[CertificateDer<'_>]) {
        if let Ok(mut chain) = self.0.lock() {
            chain.clear();
            chain.push(end_entity.clone().into_owned());
            chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        }
    }
}

/// A rustls client configuration for a mode (not used for `disable`); with `seen`,
/// the certificates the server presents are kept there.
pub fn client_config(
    mode: SslMode,
    roots: Option<&RootCerts>,
    seen: Option<PresentedChain>,
) -> Result<ClientConfig, TlsConfigError> {
    let provider = provider();
    let inner = match (mode.verifies(), roots) {
        (true, Some(roots)) => {
            let store = Arc::new(load_roots(roots)?);
            Some(
                WebPkiServerVerifier::builder_with_provider(store, Arc::clone(&provider))
                    .build()
                    .map_err(|e| TlsConfigError::RootCerts {
                        path: PathBuf::from("(roots)"),
                        reason: e.to_string(),
                    })?,
            )
        }
        _ => None,
    };
    let verifier = Arc::new(LibpqVerifier {
        mode,
        inner,
        provider: Arc::clone(&provider),
        seen,
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsConfigError::RootCerts {
            path: PathBuf::from("(protocol versions)"),
            reason: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

#[derive(Debug)]
struct LibpqVerifier {
    mode: SslMode,
    inner: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    seen: Option<PresentedChain>,
}

impl ServerCertVerifier for LibpqVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(seen) = &self.seen {
            seen.record(end_entity, intermediates);
        }
        let Some(inner) = &self.inner else {
            // prefer / require: encryption without authentication, as libpq does.
            return Ok(ServerCertVerified::assertion());
        };
        match inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.mode == SslMode::VerifyCa => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
