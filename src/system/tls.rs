//! The operating system's trusted certificate authorities, shared by every TLS client
//! preflight builds (Key Vault over HTTPS, PostgreSQL with `sslrootcert = "system"`).
//!
//! As with OpenSSL (and so libpq and the Azure CLI), `SSL_CERT_FILE` and `SSL_CERT_DIR`
//! replace the system store, so a corporate CA or a TLS-inspecting proxy's CA works
//! everywhere once it is trusted in one place.
//!
//! The store is read once per process (2.5–6 ms for the 145 roots of a Debian
//! machine) and shared: every PostgreSQL connection with `sslrootcert = "system"`
//! would otherwise read and parse it again.

use std::sync::OnceLock;

use rustls::RootCertStore;

/// The system store holds no usable certificate authority.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no trusted CA certificates found{detail} (install the ca-certificates package or set SSL_CERT_FILE)"
)]
pub struct NoTrustedRoots {
    /// The first problem met while reading the store, as `: reason`, or empty.
    detail: String,
}

/// The system's trusted roots, or why there are none (read on first use).
pub fn system_roots() -> Result<RootCertStore, NoTrustedRoots> {
    static ROOTS: OnceLock<Result<RootCertStore, NoTrustedRoots>> = OnceLock::new();
    ROOTS.get_or_init(load).clone()
}

fn load() -> Result<RootCertStore, NoTrustedRoots> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let detail = found
            .errors
            .first()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Err(NoTrustedRoots { detail });
    }
    Ok(roots)
}
