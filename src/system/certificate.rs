//! What an X.509 certificate says about its own strength: who it names, when it ends,
//! its public key (algorithm and size) and the algorithm it was signed with. Read from
//! the DER a TLS server presents; judging the answers is the probes' business.

use std::time::{Duration, SystemTime};

use x509_cert::Certificate;
use x509_cert::der::Decode;
use x509_cert::der::asn1::ObjectIdentifier;

/// A certificate's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA with a modulus of this many bits.
    Rsa {
        /// Modulus size.
        bits: usize,
    },
    /// Elliptic curve (named curve, e.g. `P-256`, or its OID when unknown).
    Ec {
        /// The curve.
        curve: String,
    },
    /// Ed25519 or Ed448.
    EdDsa(&'static str),
    /// DSA (never acceptable for TLS today).
    Dsa,
    /// Anything else, by OID.
    Other(String),
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublicKey::Rsa { bits } => write!(f, "RSA {bits}-bit"),
            PublicKey::Ec { curve } => write!(f, "EC {curve}"),
            PublicKey::EdDsa(name) => f.write_str(name),
            PublicKey::Dsa => f.write_str("DSA"),
            PublicKey::Other(oid) => write!(f, "key algorithm {oid}"),
        }
    }
}

/// The algorithm a certificate is signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureAlgorithm {
    /// A readable name (`sha256WithRSAEncryption`) or the OID.
    pub name: String,
    /// Whether its hash is broken for signatures (MD2, MD5, SHA-1).
    pub weak_hash: bool,
}

/// The facts read from one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// The subject, as RFC 4514 text.
    pub subject: String,
    /// The issuer, as RFC 4514 text.
    pub issuer: String,
    /// The end of its validity.
    pub not_after: SystemTime,
    /// Its public key.
    pub key: PublicKey,
    /// How it is signed.
    pub signature: SignatureAlgorithm,
}

/// A certificate that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read the certificate: {0}")]
pub struct CertificateError(String);

const fn oid(text: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(text)
}

/// Signature algorithms by OID: name, and whether the hash is broken.
const SIGNATURES: &[(ObjectIdentifier, &str, bool)] = &[
    (oid("1.2.840.113549.1.1.2"), "md2WithRSAEncryption", true),
    (oid("1.2.840.113549.1.1.4"), "md5WithRSAEncryption", true),
    (oid("1.2.840.113549.1.1.5"), "sha1WithRSAEncryption", true),
    (oid("1.2.840.10045.4.1"), "ecdsa-with-SHA1", true),
    (oid("1.2.840.10040.4.3"), "dsa-with-SHA1", true),
    (oid("1.3.14.3.2.29"), "sha1WithRSASignature", true),
    (oid("1.2.840.113549.1.1.10"), "RSASSA-PSS", false),
    (
        oid("1.2.840.113549.1.1.11"),
        "sha256WithRSAEncryption",
        false,
    ),
    (
        oid("1.2.840.113549.1.1.12"),
        "sha384WithRSAEncryption",
        false,
    ),
    (
        oid("1.2.840.113549.1.1.13"),
        "sha512WithRSAEncryption",
        false,
    ),
    (oid("1.2.840.10045.4.3.2"), "ecdsa-with-SHA256", false),
    (oid("1.2.840.10045.4.3.3"), "ecdsa-with-SHA384", false),
    (oid("1.2.840.10045.4.3.4"), "ecdsa-with-SHA512", false),
    (oid("1.3.101.112"), "Ed25519", false),
    (oid("1.3.101.113"), "Ed448", false),
];

const RSA: ObjectIdentifier = oid("1.2.840.113549.1.1.1");
const RSA_PSS: ObjectIdentifier = oid("1.2.840.113549.1.1.10");
const EC: ObjectIdentifier = oid("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = oid("1.3.101.112");
const ED448: ObjectIdentifier = oid("1.3.101.113");
const DSA: ObjectIdentifier = oid("1.2.840.10040.4.1");

const CURVES: &[(ObjectIdentifier, &str)] = &[
    (oid("1.2.840.10045.3.1.7"), "P-256"),
    (oid("1.3.132.0.34"), "P-384"),
    (oid("1.3.132.0.35"), "P-521"),
    (oid("1.3.132.0.10"), "secp256k1"),
    (oid("1.2.840.10045.3.1.1"), "P-192"),
    (oid("1.3.132.0.33"), "P-224"),
];

/// The number of significant bits of a big-endian unsigned integer.
fn bit_length(bytes: &[u8]) -> usize {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(i) => &bytes[i..],
        None => return 0,
    };
    (trimmed.len() - 1) * 8 + (8 - trimmed[0].leading_zeros() as usize)
}

fn public_key(cert: &Certificate) -> Result<PublicKey, CertificateError> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let algorithm = spki.algorithm.oid;
    Ok(if algorithm == RSA || algorithm == RSA_PSS {
        use rsa::pkcs1::der::Decode as _;
        let bytes = spki.subject_public_key.raw_bytes();
        let key = rsa::pkcs1::RsaPublicKey::from_der(bytes)
            .map_err(|e| CertificateError(format!("its RSA key: {e}")))?;
        PublicKey::Rsa {
            bits: bit_length(key.modulus.as_bytes()),
        }
    } else if algorithm == EC {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let name = curve.map_or_else(
            || "(unnamed curve)".to_string(),
            |c| {
                CURVES
                    .iter()
                    .find(|(o, _)| *o == c)
                    .map_or_else(|| c.to_string(), |(_, n)| (*n).to_string())
            },
        );
        PublicKey::Ec { curve: name }
    } else if algorithm == ED25519 {
        PublicKey::EdDsa("Ed25519")
    } else if algorithm == ED448 {
        PublicKey::EdDsa("Ed448")
    } else if algorithm == DSA {
        PublicKey::Dsa
    } else {
        PublicKey::Other(algorithm.to_string())
    })
}

/// Reads a DER certificate.
pub fn inspect(der: &[u8]) -> Result<CertificateFacts, CertificateError> {
    let cert = Certificate::from_der(der).map_err(|e| CertificateError(e.to_string()))?;
    let tbs = &cert.tbs_certificate;
    let signature = cert.signature_algorithm.oid;
    let signature = SIGNATURES
        .iter()
        .find(|(o, _, _)| *o == signature)
        .map_or_else(
            || SignatureAlgorithm {
                name: signature.to_string(),
                weak_hash: false,
            },
            |(_, name, weak)| SignatureAlgorithm {
                name: (*name).to_string(),
                weak_hash: *weak,
            },
        );
    Ok(CertificateFacts {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        not_after: SystemTime::UNIX_EPOCH + tbs.validity.not_after.to_unix_duration(),
        key: public_key(&cert)?,
        signature,
    })
}

impl CertificateFacts {
    /// Whole days from `now` until it ends (negative once it has ended).
    pub fn days_left(&self, now: SystemTime) -> i64 {
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        match self.not_after.duration_since(now) {
            Ok(left) => secs(left) / 86_400,
            Err(past) => -(secs(past.duration()).saturating_add(86_399) / 86_400),
        }
    }

    /// Whether it names itself as its issuer (a root the server sends along).
    pub fn self_issued(&self) -> bool {
        self.subject == self.issuer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_length_ignores_leading_zero_bytes() {
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01, 0]), 9);
        assert_eq!(bit_length(&[0, 0]), 0);
    }

    #[test]
    fn a_generated_certificate_reads_back() {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        params.not_after = rcgen::date_time_ymd(2030, 1, 2);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        let cert = params.self_signed(&key).expect("cert");
        let facts = inspect(cert.der()).expect("facts");
        assert_eq!(
            facts.key,
            PublicKey::Ec {
                curve: "P-256".into()
            }
        );
        assert_eq!(facts.signature.name, "ecdsa-with-SHA256");
        assert!(!facts.signature.weak_hash);
        assert!(facts.subject.contains("CN=localhost"), "{}", facts.subject);
        assert!(facts.self_issued());
        let jan_1 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_000); // 2030-01-01
        assert_eq!(facts.days_left(jan_1), 1);
        assert!(inspect(b"not a certificate").is_err());
    }
}
