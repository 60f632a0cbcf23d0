//! `postgres-tls`: the quality of the server's TLS, from what the handshake itself
//! presents and what the server says of its settings:
//! - `certificate`: each certificate the server sends (its own and intermediates)
//!   lasts at least `min_days_left` more days, has an RSA key of at least
//!   `min_rsa_bits` (no DSA, no curve below P-256) and is not signed with MD5 or
//!   SHA-1. The chain is kept even when the handshake then fails, so a key too weak
//!   for the handshake is reported as such, not as "cannot connect";
//! - `protocol`: the negotiated protocol and the server's `ssl_min_protocol_version`
//!   are at least `min_protocol`;
//! - `ciphers`: the server's `ssl_ciphers` (used up to TLS 1.2) enables no weak class
//!   (NULL, aNULL, EXPORT, LOW, MEDIUM, RC4, DES, 3DES, MD5, `@SECLEVEL` 0 or 1).
//!
//! The probe always asks for TLS (an environment set to `disable` or `prefer` is
//! connected to with `require`), since TLS is what it examines.

use std::sync::Arc;
use std::time::SystemTime;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::postgres::{
    CONNECT_TIMEOUT, Connection, ENVIRONMENT, QUERY_TIMEOUT, checks_param, query_error,
    read_settings,
};
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};
use crate::system::certificate::{self, PublicKey};
use crate::system::postgres::{FailureKind, PresentedChain, SslMode, Target};

const PROTOCOLS: &[&str] = &["TLSv1.2", "TLSv1.3"];

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "postgres-tls",
    summary: "The server's TLS: certificate lifetime, key size and signature; protocol versions; cipher classes.",
    params: &[
        ParamSpec {
            name: "checks",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"certificate\", \"protocol\", \"ciphers\"]"),
            doc: "Which checks to make: `certificate` (lifetime, key, signature of every certificate the server presents), `protocol` (negotiated and minimum protocol version), `ciphers` (no weak cipher class in ssl_ciphers; needs pg_read_all_settings).",
        },
        ParamSpec {
            name: "min_days_left",
            ty: ParamType::Integer,
            required: false,
            default: Some("30"),
            doc: "Fail when a presented certificate ends within this many days.",
        },
        ParamSpec {
            name: "min_rsa_bits",
            ty: ParamType::Integer,
            required: false,
            default: Some("2048"),
            doc: "The smallest acceptable RSA key.",
        },
        ParamSpec {
            name: "min_protocol",
            ty: ParamType::Choice(PROTOCOLS),
            required: false,
            default: Some("\"TLSv1.2\""),
            doc: "The oldest acceptable protocol, negotiated and as the server's ssl_min_protocol_version.",
        },
        ENVIRONMENT,
        CONNECT_TIMEOUT,
        QUERY_TIMEOUT,
    ],
    build: |p| Ok(Arc::new(TlsProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct TlsProbe {
    connection: Connection,
    checks: Vec<&'static str>,
    min_days_left: i64,
    min_rsa_bits: usize,
    min_protocol: &'static str,
}

/// The order of protocol names (`TLSv1` < `TLSv1.1` < `TLSv1.2` < `TLSv1.3`); an
/// empty setting (no minimum) counts as the oldest.
fn protocol_rank(name: &str) -> u8 {
    match name.trim() {
        "TLSv1.3" => 4,
        "TLSv1.2" => 3,
        "TLSv1.1" => 2,
        _ => 1,
    }
}

/// The cipher-list classes that enable weak suites. A token starting with `!` or `-`
/// removes suites and `+` only reorders them, so neither enables anything.
fn weak_cipher_tokens(list: &str) -> Vec<String> {
    const WEAK: &[&str] = &[
        "NULL",
        "ENULL",
        "ANULL",
        "EXPORT",
        "EXP",
        "LOW",
        "MEDIUM",
        "RC4",
        "DES",
        "3DES",
        "MD5",
        "ALL",
        "COMPLEMENTOFALL",
    ];
    list.split([':', ',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.starts_with(['!', '-', '+']))
        .filter(|t| {
            let upper = t.to_ascii_uppercase();
            upper == "@SECLEVEL=0"
                || upper == "@SECLEVEL=1"
                || upper.split('+').any(|part| {
                    WEAK.contains(&part)
                        || part.contains("RC4")
                        || part.contains("DES-CBC")
                        || part.contains("NULL")
                        || part.ends_with("-MD5")
                })
        })
        .map(str::to_string)
        .collect()
}

impl TlsProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let positive = |name: &str| -> Result<i64, ParamError> {
            let n = p.integer_or_default(name)?;
            if n < 0 {
                return Err(ParamError::new(name, "must not be negative"));
            }
            Ok(n)
        };
        let min_protocol = p.string_or_default("min_protocol")?;
        Ok(TlsProbe {
            connection: Connection::from_params(p)?,
            checks: checks_param(p, &["certificate", "protocol", "ciphers"])?,
            min_days_left: positive("min_days_left")?,
            min_rsa_bits: usize::try_from(positive("min_rsa_bits")?).unwrap_or(usize::MAX),
            min_protocol: PROTOCOLS
                .iter()
                .find(|p| **p == min_protocol)
                .copied()
                .unwrap_or("TLSv1.2"),
        })
    }

    fn wants(&self, check: &str) -> bool {
        self.checks.contains(&check)
    }

    /// Findings about the presented certificates, and one line of evidence for each.
    fn judge_chain(&self, chain: &PresentedChain, findings: &mut Vec<String>) -> Vec<Evidence> {
        let now = SystemTime::now();
        let mut evidence = Vec::new();
        for (i, der) in chain.certificates().iter().enumerate() {
            let role = if i == 0 {
                "server certificate"
            } else {
                "intermediate"
            };
            let facts = match certificate::inspect(der) {
                Ok(f) => f,
                Err(e) => {
                    findings.push(format!("{role}: {e}"));
                    continue;
                }
            };
            // A root the server sends along is trusted or not by the client; its own
            // signature and lifetime are the client's store's business.
            if i > 0 && facts.self_issued() {
                continue;
            }
            let days = facts.days_left(now);
            let until = crate::base::timestamp::Timestamp::from_datetime(facts.not_after.into());
            evidence.push(Evidence::note(format!(
                "{role} {}: {}, signed {}, valid until {} ({days} days left)",
                facts.subject,
                facts.key,
                facts.signature.name,
                until.date()
            )));
            if days < 0 {
                findings.push(format!(
                    "{role} {} expired on {}",
                    facts.subject,
                    until.date()
                ));
            } else if days < self.min_days_left {
                findings.push(format!(
                    "{role} {} expires on {} (in {days} days; at least {} required)",
                    facts.subject,
                    until.date(),
                    self.min_days_left
                ));
            }
            match &facts.key {
                PublicKey::Rsa { bits } if *bits < self.min_rsa_bits => findings.push(format!(
                    "{role} {} has an RSA key of {bits} bits (at least {} required)",
                    facts.subject, self.min_rsa_bits
                )),
                PublicKey::Dsa => findings.push(format!(
                    "{role} {} has a DSA key (use RSA ≥ {} bits, ECDSA P-256 or stronger, or Ed25519)",
                    facts.subject, self.min_rsa_bits
                )),
                PublicKey::Ec { curve } if curve == "P-192" || curve == "P-224" => {
                    findings.push(format!(
                        "{role} {} uses the weak curve {curve}",
                        facts.subject
                    ));
                }
                _ => {}
            }
            if facts.signature.weak_hash {
                findings.push(format!(
                    "{role} {} is signed with {} (a broken hash)",
                    facts.subject, facts.signature.name
                ));
            }
        }
        evidence
    }

    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let mut target = match self.connection.target(ctx).await {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        if matches!(target.sslmode, SslMode::Disable | SslMode::Prefer) {
            target.sslmode = SslMode::Require;
            target.sslmode_given = true;
        }
        // The run's session when the environment asks for TLS itself (the same
        // handshake the other probes' session made); its own when TLS was forced.
        let (connected, chain) = ctx
            .sessions
            .session_seeing(
                &target,
                self.connection.connect_timeout,
                self.connection.query_timeout,
            )
            .await;
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        if self.wants("certificate") {
            evidence.extend(self.judge_chain(&chain, &mut findings));
        }
        let session = match connected {
            Ok(s) => s,
            Err(e) if e.kind == FailureKind::TlsUnsupported => {
                return ProbeOutcome::fail(format!("{target}: the server does not offer TLS"));
            }
            Err(e) if chain.certificates().is_empty() => {
                return ProbeOutcome::error(format!("cannot connect: {e}"));
            }
            Err(e)
                if !matches!(
                    e.kind,
                    FailureKind::Other
                        | FailureKind::CertificateUntrusted
                        | FailureKind::CertificateWrongHost
                ) =>
            {
                // TLS got through, the login did not: the certificate's findings stand,
                // the settings could not be read.
                evidence.push(Evidence::note(format!(
                    "protocol and ciphers not checked: cannot log in: {e}"
                )));
                if findings.is_empty() {
                    return ProbeOutcome::error(format!("cannot connect: {e}"))
                        .with_evidence(evidence);
                }
                return problems(&target, findings, evidence);
            }
            Err(e) => {
                // The handshake got as far as the certificate: what it showed stands,
                // the rest could not be examined.
                findings.push(format!(
                    "the TLS handshake failed after the certificate: {e}"
                ));
                return problems(&target, findings, evidence);
            }
        };
        let info = match session.describe().await {
            Ok(i) => i,
            Err(e) => return ProbeOutcome::error(format!("cannot read the connection's TLS: {e}")),
        };
        evidence.push(Evidence::note(format!(
            "connection: {}",
            info.tls_summary()
        )));
        let mut hidden = Vec::new();
        if self.wants("protocol") || self.wants("ciphers") {
            let names = ["ssl_min_protocol_version", "ssl_ciphers"];
            let settings = match read_settings(&session, &names).await {
                Ok(s) => s,
                Err(e) => return query_error("pg_settings", "any role", e),
            };
            let server_min = settings.get("ssl_min_protocol_version");
            if self.wants("protocol") {
                let negotiated = info.tls_version.clone().unwrap_or_default();
                if protocol_rank(&negotiated) < protocol_rank(self.min_protocol) {
                    findings.push(format!(
                        "the connection negotiated {negotiated}, older than {}",
                        self.min_protocol
                    ));
                }
                match server_min {
                    Some(min) => {
                        evidence.push(Evidence::note(format!("ssl_min_protocol_version = {min}")));
                        if protocol_rank(min) < protocol_rank(self.min_protocol) {
                            findings.push(format!(
                                "ssl_min_protocol_version = {} lets clients use protocols older than {}",
                                if min.is_empty() { "(none)" } else { min },
                                self.min_protocol
                            ));
                        }
                    }
                    None => hidden.push("ssl_min_protocol_version"),
                }
            }
            if self.wants("ciphers") {
                let tls13_only = server_min.is_some_and(|m| protocol_rank(m) >= 4);
                match settings.get("ssl_ciphers") {
                    Some(_) if tls13_only => evidence.push(Evidence::note(
                        "ssl_ciphers: not used (the server accepts TLS 1.3 only)",
                    )),
                    Some(list) => {
                        evidence.push(Evidence::note(format!("ssl_ciphers = {list}")));
                        let weak = weak_cipher_tokens(list);
                        if !weak.is_empty() {
                            findings.push(format!(
                                "ssl_ciphers enables weak classes for TLS 1.2: {}",
                                weak.join(", ")
                            ));
                        }
                    }
                    None => hidden.push("ssl_ciphers"),
                }
            }
        }
        if !findings.is_empty() {
            return problems(&target, findings, evidence);
        }
        if !hidden.is_empty() {
            return ProbeOutcome::error(format!(
                "{} hidden from this role on {target}; it needs a superuser or `GRANT pg_read_all_settings TO <role>`",
                hidden.join(", ")
            ))
            .with_evidence(evidence);
        }
        ProbeOutcome::pass(format!(
            "TLS as required on {target} (checked: {})",
            self.checks.join(", ")
        ))
        .with_evidence(evidence)
    }
}

impl Probe for TlsProbe {
    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        Some(self.connection.environment.name(ctx))
    }

    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}

/// The outcome for TLS findings: `fail`, each finding a failing line after the context.
fn problems(target: &Target, findings: Vec<String>, evidence: Vec<Evidence>) -> ProbeOutcome {
    ProbeOutcome::fail(format!(
        "{} TLS {} on {target}",
        findings.len(),
        if findings.len() == 1 {
            "problem"
        } else {
            "problems"
        }
    ))
    .with_evidence(
        evidence
            .into_iter()
            .chain(findings.into_iter().map(|f| Evidence::note(f).failing())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_cipher_classes_are_found_and_exclusions_are_not() {
        assert_eq!(
            weak_cipher_tokens("HIGH:MEDIUM:+3DES:!aNULL"),
            vec!["MEDIUM"]
        );
        assert!(weak_cipher_tokens("HIGH:!aNULL:!MD5:!3DES").is_empty());
        assert_eq!(
            weak_cipher_tokens("DEFAULT:@SECLEVEL=0"),
            vec!["@SECLEVEL=0"]
        );
        assert_eq!(weak_cipher_tokens("ALL:eNULL"), vec!["ALL", "eNULL"]);
        assert_eq!(
            weak_cipher_tokens("ECDHE-RSA-AES128-GCM-SHA256:RC4-SHA:DES-CBC3-SHA"),
            vec!["RC4-SHA", "DES-CBC3-SHA"]
        );
    }

    #[test]
    fn protocols_are_ordered() {
        assert!(protocol_rank("TLSv1.3") > protocol_rank("TLSv1.2"));
        assert!(protocol_rank("TLSv1.2") > protocol_rank("TLSv1.1"));
        assert!(protocol_rank("") < protocol_rank("TLSv1.2"));
    }
}
