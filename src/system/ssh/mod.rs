//! SSH signatures in the format of `ssh-keygen -Y sign` (SSHSIG, armoured as
//! `-----BEGIN SSH SIGNATURE-----`), the format git uses for SSH-signed commits: made
//! with a private key file or through `ssh-agent` (so passphrase-protected and
//! hardware keys keep working), verified against the key the signature names. Who a
//! key belongs to is [`allowed_signers`]'s question.
//!
//! Every exchange with the agent has a time limit, and a key file is read with a size
//! limit; no secret is ever put in an error message.

pub mod allowed_signers;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use crate::base::fs::{self, Links};

/// How long the agent may take to answer (a hardware key may wait for a touch).
pub const AGENT_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest key file read.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// Why a signature could not be made or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SshError {
    /// The key file could not be read.
    #[error("cannot read key {path}: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The key is protected by a passphrase and the agent does not hold it.
    #[error(
        "key {path} is protected by a passphrase and ssh-agent does not hold it: add it with `ssh-add {path}`"
    )]
    Encrypted {
        /// The file.
        path: String,
    },
    /// A public key was named and no agent holds its private half.
    #[error("no ssh-agent holds the private key of {fingerprint}{why}")]
    NotInAgent {
        /// The key's fingerprint.
        fingerprint: String,
        /// Why the agent could not be asked, if it could not.
        why: String,
    },
    /// The agent refused or failed.
    #[error("ssh-agent: {0}")]
    Agent(String),
    /// Signing failed.
    #[error("cannot sign: {0}")]
    Sign(String),
    /// A signature is not in the SSHSIG format.
    #[error("not an SSH signature: {0}")]
    Malformed(String),
    /// A signature does not verify.
    #[error("the signature does not verify: {0}")]
    Invalid(String),
}

/// A key that signs: a private key read from a file, or one held by `ssh-agent`.
pub enum Signer {
    /// An unencrypted private key, in this process.
    Key(Box<PrivateKey>),
    /// A key the agent at `socket` holds.
    Agent {
        /// The agent's socket (`SSH_AUTH_SOCK`).
        socket: PathBuf,
        /// The key.
        key: Box<PublicKey>,
    },
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        write!(f, "Signer({})", fingerprint(&self.public_key()))
    }
}

impl Signer {
    /// The signer a key setting names, as git's `user.signingKey` does: `key::` and a
    /// public key in OpenSSH format (signed through the agent), or a path to a
    /// private key (signed here, or through the agent when the file is protected by a
    /// passphrase and the agent holds the key) or to a public key (through the
    /// agent). `agent` is the agent's socket, if there is one.
    pub fn from_setting(setting: &str, agent: Option<&Path>) -> Result<Signer, SshError> {
        if let Some(literal) = setting.strip_prefix("key::") {
            let key = PublicKey::from_openssh(literal.trim()).map_err(|e| SshError::KeyFile {
                path: "key::…".into(),
                reason: e.to_string(),
            })?;
            return agent_signer(key, agent);
        }
        let path = Path::new(setting);
        let shown = setting.to_string();
        let unreadable = |reason: String| SshError::KeyFile {
            path: shown.clone(),
            reason,
        };
        let text = fs::read_text(path, MAX_KEY_FILE, Links::Follow)
            .map_err(|e| unreadable(e.to_string()))?;
        if text.contains("PRIVATE KEY") {
            let key = PrivateKey::from_openssh(text.trim())
                .map_err(|_| unreadable("not an OpenSSH private key".into()))?;
            if key.is_encrypted() {
                return agent_signer(key.public_key().clone(), agent)
                    .map_err(|_| SshError::Encrypted { path: shown });
            }
            return Ok(Signer::Key(Box::new(key)));
        }
        let key = PublicKey::from_openssh(text.trim())
            .map_err(|_| unreadable("neither a private nor a public OpenSSH key".into()))?;
        agent_signer(key, agent)
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            Signer::Key(key) => key.public_key().clone(),
            Signer::Agent { key, .. } => (**key).clone(),
        }
    }

    /// Signs `message` in `namespace`; returns the armoured signature.
    pub fn sign(&self, namespace: &str, message: &[u8]) -> Result<String, SshError> {
        let signature = match self {
            Signer::Key(key) => match key.key_data() {
                ssh_key::private::KeypairData::Rsa(rsa) => sign_rsa(key, rsa, namespace, message)?,
                _ => key
                    .sign(namespace, HashAlg::Sha512, message)
                    .map_err(|e| SshError::Sign(e.to_string()))?,
            },
            Signer::Agent { socket, key } => {
                let data = SshSig::signed_data(namespace, HashAlg::Sha512, message)
                    .map_err(|e| SshError::Sign(e.to_string()))?;
                let mut client = connect(socket)?;
                let raw = client
                    .sign(key.as_ref(), &data)
                    .map_err(|e| SshError::Agent(e.to_string()))?;
                SshSig::new(key.key_data().clone(), namespace, HashAlg::Sha512, raw)
                    .map_err(|e| SshError::Sign(e.to_string()))?
            }
        };
        signature
            .to_pem(LineEnding::LF)
            .map_err(|e| SshError::Sign(e.to_string()))
    }
}

/// An RSA signature (`rsa-sha2-512`) made here. ssh-key 0.6.7 builds the RSA key from
/// the first prime twice (`p, p` for `p, q`), which the `rsa` crate refuses, so the key
/// is built here from its components.
fn sign_rsa(
    key: &PrivateKey,
    rsa_key: &ssh_key::private::RsaKeypair,
    namespace: &str,
    message: &[u8],
) -> Result<SshSig, SshError> {
    use rsa::signature::{SignatureEncoding, Signer as _};
    let failed = |what: &str| SshError::Sign(format!("RSA key: {what}"));
    let number = |m: &ssh_key::Mpint| {
        m.as_positive_bytes()
            .map(rsa::BigUint::from_bytes_be)
            .ok_or_else(|| failed("a component is not a positive number"))
    };
    let private = rsa::RsaPrivateKey::from_components(
        number(&rsa_key.public.n)?,
        number(&rsa_key.public.e)?,
        number(&rsa_key.private.d)?,
        vec![number(&rsa_key.private.p)?, number(&rsa_key.private.q)?],
    )
    .map_err(|_| failed("its components are inconsistent"))?;
    let data = SshSig::signed_data(namespace, HashAlg::Sha512, message)
        .map_err(|e| SshError::Sign(e.to_string()))?;
    let raw = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(private)
        .try_sign(&data)
        .map_err(|_| failed("signing failed"))?;
    let signature = ssh_key::Signature::new(
        ssh_key::Algorithm::Rsa {
            hash: Some(HashAlg::Sha512),
        },
        raw.to_vec(),
    )
    .map_err(|e| SshError::Sign(e.to_string()))?;
    SshSig::new(
        key.public_key().key_data().clone(),
        namespace,
        HashAlg::Sha512,
        signature,
    )
    .map_err(|e| SshError::Sign(e.to_string()))
}

/// A signer through the agent, if it holds `key`.
fn agent_signer(key: PublicKey, agent: Option<&Path>) -> Result<Signer, SshError> {
    let not_held = |why: String| SshError::NotInAgent {
        fingerprint: fingerprint(&key),
        why,
    };
    let Some(socket) = agent else {
        return Err(not_held(" (no agent: SSH_AUTH_SOCK is not set)".into()));
    };
    let mut client = connect(socket).map_err(|e| not_held(format!(" ({e})")))?;
    let held = client
        .list_all_identities()
        .map_err(|e| not_held(format!(" (ssh-agent: {e})")))?;
    let found = held.iter().any(|identity| {
        let data: &ssh_key::public::KeyData = identity.into();
        data == key.key_data()
    });
    if !found {
        return Err(not_held(String::new()));
    }
    Ok(Signer::Agent {
        socket: socket.to_path_buf(),
        key: Box::new(key),
    })
}

/// A connection to the agent whose every read and write has [`AGENT_TIMEOUT`].
fn connect(socket: &Path) -> Result<ssh_agent_client_rs::Client, SshError> {
    let stream = UnixStream::connect(socket)
        .map_err(|e| SshError::Agent(format!("cannot connect to {}: {e}", socket.display())))?;
    stream
        .set_read_timeout(Some(AGENT_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(AGENT_TIMEOUT)))
        .map_err(|e| SshError::Agent(e.to_string()))?;
    Ok(ssh_agent_client_rs::Client::with_read_write(Box::new(
        Timed(stream),
    )))
}

/// The agent's stream (a newtype so the client owns it as a boxed reader and writer).
struct Timed(UnixStream);

impl Read for Timed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Timed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Verifies an armoured signature of `message` in `namespace`; returns the key that
/// made it (whose it is, is the allowed signers' question).
pub fn verify(armoured: &str, namespace: &str, message: &[u8]) -> Result<PublicKey, SshError> {
    let signature =
        SshSig::from_pem(armoured.trim()).map_err(|e| SshError::Malformed(e.to_string()))?;
    let key = PublicKey::from(signature.public_key().clone());
    key.verify(namespace, message, &signature)
        .map_err(|e| SshError::Invalid(e.to_string()))?;
    Ok(key)
}

/// A key's SHA-256 fingerprint, as `ssh-keygen -l` shows it (`SHA256:…`).
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_with_a_key_in_process() {
        let key = PrivateKey::random(&mut rand_core(), ssh_key::Algorithm::Ed25519).unwrap();
        let signer = Signer::Key(Box::new(key));
        let armoured = signer.sign("preflight", b"message").unwrap();
        assert!(armoured.starts_with("-----BEGIN SSH SIGNATURE-----"));
        let by = verify(&armoured, "preflight", b"message").unwrap();
        assert_eq!(by, signer.public_key());
        assert!(matches!(
            verify(&armoured, "preflight", b"other"),
            Err(SshError::Invalid(_))
        ));
        assert!(matches!(
            verify(&armoured, "git", b"message"),
            Err(SshError::Invalid(_))
        ));
        assert!(matches!(
            verify("junk", "preflight", b"message"),
            Err(SshError::Malformed(_))
        ));
    }

    fn rand_core() -> impl ssh_key::rand_core::CryptoRngCore {
        ssh_key::rand_core::OsRng
    }
}
