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

/// The system's trusted roots, or why there are none (read on first use).
pub fn system_roots() -> Result<RootCertStore, String> {
    static ROOTS: OnceLock<Result<RootCertStore, String>> = OnceLock::new();
    ROOTS.get_or_init(load).clone()
}

fn load() -> Result<RootCertStore, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found
            .errors
            .first()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        return Err(format!(
            "no trusted CA certificates found{why} (install the ca-certificates package or set SSL_CERT_FILE)"
        ));
    }
    Ok(roots)
}
