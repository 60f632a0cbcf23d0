//! An in-toto attestation of the report, for deployment gates: an in-toto Statement
//! (v1) whose subject is the commit checked (or, outside git, the checklist) and whose
//! predicate says what was checked, the verdict and each item's sign-off chain; wrapped
//! in a DSSE envelope signed with an SSH key.
//!
//! The signature is an SSHSIG (namespace [`NAMESPACE`]) over DSSE's pre-authentication
//! encoding ([`pae`]); the envelope's `sig` is the SSHSIG blob in base64 (the armoured
//! signature's body), so `ssh-keygen -Y verify` checks it (the README shows how).

use serde_json::{Value, json};

use super::Report;

/// The envelope's payload type.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// The predicate type of preflight's sign-off attestations.
pub const PREDICATE_TYPE: &str = "urn:preflight:attestation:signoff:v1";

/// The SSH signature namespace of attestations.
pub const NAMESPACE: &str = "preflight";

/// The statement: subject and predicate.
pub fn statement(report: &Report) -> Value {
    let revision = report.provenance.as_ref();
    let subject = match revision.and_then(|r| r.commit.as_ref()) {
        Some(commit) => json!({
            "name": revision.and_then(|r| r.remote.clone()).unwrap_or_else(|| ".".to_string()),
            "digest": { "gitCommit": commit },
        }),
        None => json!({
            "name": report.checklist.file.clone().unwrap_or_else(|| report.checklist.id.clone()),
            "digest": { "sha256": report.checklist.digest },
        }),
    };
    let items: Vec<Value> = report
        .items
        .iter()
        .map(|item| {
            let mut v = json!({
                "id": item.id,
                "tier": item.tier,
                "status": item.status,
            });
            if let Some(checklist) = &item.checklist {
                v["checklist"] = json!(checklist);
            }
            if let Some(signoff) = &item.signoff {
                v["state"] = json!(signoff.state);
                v["chain"] = json!(signoff.chain);
                if let Some(waiver) = &signoff.waiver {
                    v["waiver"] = json!(waiver);
                }
            }
            if let Some(blocking) = &item.blocking {
                v["blocking"] = json!(blocking);
            }
            v
        })
        .collect();
    let mut predicate = json!({
        "checklist": {
            "id": report.checklist.id,
            "version": report.checklist.version,
            "digest": { "sha256": report.checklist.digest },
            "provenance": report.checklist.provenance,
        },
        "verdict": report.verdict,
        "generatedAt": report.generated_at,
        "preflightVersion": report.preflight_version,
        "items": items,
    });
    if report.parts().len() > 1 {
        predicate["checklists"] = json!(
            report
                .parts()
                .iter()
                .map(|c| json!({
                    "id": c.id,
                    "version": c.version,
                    "digest": { "sha256": c.digest },
                    "provenance": c.provenance,
                }))
                .collect::<Vec<_>>()
        );
    }
    if let Some(env) = &report.environment {
        predicate["environment"] = json!(env);
    }
    if let Some(ledger) = &report.ledger {
        predicate["ledger"] = json!({
            "path": ledger.path,
            "records": ledger.records,
            "heads": ledger.head.as_deref().map(|h| h.split('+').collect::<Vec<_>>()).unwrap_or_default(),
        });
    }
    if let Some(revision) = revision {
        predicate["checked"] = json!(revision);
    }
    json!({
        "_type": STATEMENT_TYPE,
        "subject": [subject],
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    })
}

/// DSSE's pre-authentication encoding of a payload of [`PAYLOAD_TYPE`]:
/// `DSSEv1 <len(type)> <type> <len(payload)> <payload>`.
pub fn pae(payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {PAYLOAD_TYPE} {} ",
        PAYLOAD_TYPE.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The DSSE envelope of `statement`: `sign` returns an armoured SSH signature of the
/// bytes it is given; `keyid` names the key (its fingerprint).
pub fn envelope<E>(
    statement: &Value,
    keyid: &str,
    sign: impl FnOnce(&[u8]) -> Result<String, E>,
) -> Result<String, E> {
    use base64ct::Encoding;
    // Scrubbed before it is encoded: in base64, the final scrub could not see a secret.
    let text = serde_json::to_string(statement).unwrap_or_default();
    let payload = crate::base::secret::scrub(&text).into_owned().into_bytes();
    let armoured = sign(&pae(&payload))?;
    // The armour's body is the SSHSIG blob in base64.
    let sig: String = armoured
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let envelope = json!({
        "payloadType": PAYLOAD_TYPE,
        "payload": base64ct::Base64::encode_string(&payload),
        "signatures": [{ "keyid": keyid, "sig": sig }],
    });
    Ok(serde_json::to_string_pretty(&envelope).unwrap_or_default() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_is_dsse_v1() {
        // `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`, lengths in decimal bytes.
        assert_eq!(
            pae(b"hello world"),
            b"DSSEv1 28 application/vnd.in-toto+json 11 hello world".to_vec()
        );
    }
}
