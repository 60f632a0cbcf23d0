//! Azure Key Vault addresses as written in `preflight.toml`: a full HTTPS URL or a bare
//! vault name meaning the public cloud, normalised so that the same vault is always
//! spelt the same way.

use std::fmt;

/// Why a text is not a vault's address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultUrlError {
    /// Neither a vault name nor a URL.
    #[error("`{text}` is not a vault URL: {reason}")]
    NotAUrl {
        /// What was written.
        text: String,
        /// Why.
        reason: url::ParseError,
    },
    /// Not HTTPS.
    #[error("`{0}` must use https (Key Vault only answers over TLS)")]
    NotHttps(String),
    /// `user:password@` in it.
    #[error("a vault URL must not carry credentials")]
    Credentials,
    /// A path, query or fragment after the address.
    #[error("`{0}` must be the vault's address only, e.g. https://NAME.vault.azure.net")]
    NotAnAddress(String),
}

/// A vault's URL, normalised to `https://HOST[:PORT]/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VaultUrl(String);

impl VaultUrl {
    /// Reads `https://NAME.vault.azure.net` (any HTTPS URL without a path) or a bare
    /// vault name (`contextforge-prod-vault`, meaning the public cloud).
    pub fn parse(text: &str) -> Result<VaultUrl, VaultUrlError> {
        let text = text.trim();
        let is_name = (3..=24).contains(&text.len())
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if is_name {
            return Ok(VaultUrl(format!(
                "https://{}.vault.azure.net/",
                text.to_ascii_lowercase()
            )));
        }
        let url = url::Url::parse(text).map_err(|reason| VaultUrlError::NotAUrl {
            text: text.to_string(),
            reason,
        })?;
        if url.scheme() != "https" {
            return Err(VaultUrlError::NotHttps(text.to_string()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(VaultUrlError::Credentials);
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(VaultUrlError::NotAnAddress(text.to_string()));
        }
        let host = url.host_str().unwrap_or_default();
        Ok(VaultUrl(match url.port() {
            Some(port) => format!("https://{host}:{port}/"),
            None => format!("https://{host}/"),
        }))
    }

    /// The URL text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VaultUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.trim_end_matches('/'))
    }
}
