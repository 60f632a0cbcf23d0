//! One line of the ledger: who did what to which item, when, on what evidence, linked
//! by hash to the records its writer saw, and signed.
//!
//! Two formats are read. Version 1 (written by preflight before 0.2) is a linear chain:
//! `seq` numbers the line and `prev` is the hash of the line before. Version 2 is a
//! DAG: `parents` are the hashes of the ledger's heads when the record was written, so
//! records written on two git branches both stay valid after a merge. A version 2
//! record may carry `sig`, an SSH signature (`ssh-keygen -Y sign` format, namespace
//! `preflight`) over its hash.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::trust::Standing;
use crate::base::digest::sha256_hex;
use crate::base::text::escape_controls;
use crate::base::timestamp::Timestamp;

/// The record format this build writes.
pub const RECORD_VERSION: u32 = 2;

/// The linear-chain format of earlier versions, still read.
pub const RECORD_VERSION_CHAIN: u32 = 1;

/// The SSH signature namespace of sign-off records.
pub const SIGNATURE_NAMESPACE: &str = "preflight";

/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a record says about an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// An engineer says the item is done.
    Attest,
    /// A reviewer (another person) confirms the current attestation or waiver.
    Approve,
    /// The item is consciously skipped, with a justification, until an expiry.
    Waive,
    /// The current attestation or waiver no longer holds.
    Revoke,
}

impl Action {
    /// The command's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Attest => "attest",
            Action::Approve => "approve",
            Action::Waive => "waive",
            Action::Revoke => "revoke",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person, as `Name <email>` or a bare name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// Display name.
    pub name: String,
    /// E-mail address, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Identity {
    /// Reads `Name <email>`, `<email>` or `Name`.
    pub fn parse(text: &str) -> Result<Identity, String> {
        let text = text.trim();
        if text.chars().any(char::is_control) {
            return Err(format!(
                "`{}` contains control characters",
                escape_controls(text, false)
            ));
        }
        let (name, email) = match (text.find('<'), text.strip_suffix('>')) {
            (Some(open), Some(inner)) => (text[..open].trim(), Some(inner[open + 1..].trim())),
            (None, None) => (text, None),
            _ => return Err(format!("`{text}` is not `Name <email>` or `Name`")),
        };
        if let Some(email) = email
            && (email.is_empty() || !email.contains('@') || email.contains(['<', '>', ' ']))
        {
            return Err(format!("`{email}` in `{text}` is not an e-mail address"));
        }
        let name = if name.is_empty() {
            email.unwrap_or_default()
        } else {
            name
        };
        if name.is_empty() {
            return Err("an identity needs a name or an e-mail address".to_string());
        }
        Ok(Identity {
            name: name.to_string(),
            email: email.map(str::to_string),
        })
    }

    /// Whether two identities are the same person: the same e-mail address or the
    /// same name, ignoring case. Deliberately strict, so that a second e-mail address
    /// does not make a second reviewer.
    pub fn same_person(&self, other: &Identity) -> bool {
        let same_email = match (&self.email, &other.email) {
            (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
            _ => false,
        };
        same_email || self.name.trim().to_lowercase() == other.name.trim().to_lowercase()
    }
}

impl fmt::Display for Identity {
    /// `Name <email>`, control characters escaped (a ledger is data, and may come from
    /// a branch someone else wrote).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = escape_controls(&self.name, false);
        match &self.email {
            Some(email) => write!(f, "{name} <{}>", escape_controls(email, false)),
            None => f.write_str(&name),
        }
    }
}

/// The terms of a waiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// Why the item is skipped.
    pub reason: String,
    /// The first instant at which the waiver no longer holds; `None` for a permanent
    /// waiver.
    pub expires: Option<Timestamp>,
}

/// The file a checklist that is not a shipped one was read from, recorded with every
/// sign-off made under it: a file that reuses a shipped id is told apart from the
/// shipped checklist by this, never by its title or version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistFile {
    /// Its path, relative to the project when inside it.
    pub path: String,
    /// SHA-256 of its text.
    pub sha256: String,
}

/// What a new record says, before the ledger numbers and chains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Checklist id.
    pub checklist: String,
    /// The checklist's file, unless it is a shipped checklist.
    pub checklist_file: Option<ChecklistFile>,
    /// Item id.
    pub item: String,
    /// Environment name.
    pub env: String,
    /// What happened.
    pub action: Action,
    /// Who did it.
    pub by: Identity,
    /// When.
    pub at: Timestamp,
    /// Free text.
    pub note: Option<String>,
    /// SHA-256 of the item's definition at that moment.
    pub item_digest: String,
    /// SHA-256 of the item's probe outcomes at that moment.
    pub evidence_digest: String,
    /// For `waive` only.
    pub waiver: Option<Waiver>,
}

/// One ledger line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Record format version.
    pub v: u32,
    /// Version 1: position in the ledger, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Version 1: hash of the previous record ([`GENESIS`] for the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// Version 2: hashes of the records this one follows (the ledger's heads when it
    /// was written; empty for the first record of a ledger).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
    /// Checklist id.
    pub checklist: String,
    /// The checklist's file, unless it is a shipped checklist (absent in records written
    /// before preflight recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist_file: Option<ChecklistFile>,
    /// Item id.
    pub item: String,
    /// Environment name.
    pub env: String,
    /// What happened.
    pub action: Action,
    /// Who did it.
    pub by: Identity,
    /// When (UTC).
    pub at: Timestamp,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// SHA-256 of the item's definition.
    pub item_digest: String,
    /// SHA-256 of the item's probe outcomes.
    pub evidence_digest: String,
    /// For `waive` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
    /// Version 2: an SSH signature (armoured, `-----BEGIN SSH SIGNATURE-----`) over
    /// the record's hash, namespace [`SIGNATURE_NAMESPACE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
    /// SHA-256 of this record without this field (and without `sig`): covers `prev`
    /// or `parents`, so it chains.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hash: String,
    /// Its place in the ledger's order (1 for the first), for people; not stored.
    #[serde(skip)]
    pub pos: u64,
    /// Whether it counts, by its signature ([`super::trust`]); not stored.
    #[serde(skip)]
    pub standing: Standing,
}

impl Record {
    /// Links an entry to `parents` and hashes it (unsigned).
    pub fn seal(entry: Entry, parents: Vec<String>) -> Record {
        let mut record = Record {
            v: RECORD_VERSION,
            seq: None,
            prev: None,
            parents,
            checklist: entry.checklist,
            checklist_file: entry.checklist_file,
            item: entry.item,
            env: entry.env,
            action: entry.action,
            by: entry.by,
            at: entry.at,
            note: entry.note,
            item_digest: entry.item_digest,
            evidence_digest: entry.evidence_digest,
            waiver: entry.waiver,
            sig: None,
            hash: String::new(),
            pos: 0,
            standing: Standing::default(),
        };
        record.hash = record.compute_hash();
        record
    }

    /// The hash this record should carry: SHA-256 of a domain line naming its version
    /// and its canonical JSON (fields in declaration order, no whitespace) without the
    /// `hash` and `sig` fields.
    pub fn compute_hash(&self) -> String {
        let body = Record {
            hash: String::new(),
            sig: None,
            ..self.clone()
        };
        sha256_hex(format!("preflight-ledger-v{}\n{}", self.v, body.to_line()).as_bytes())
    }

    /// The bytes a signature covers: the record's hash, as text.
    pub fn signed_message(&self) -> &[u8] {
        self.hash.as_bytes()
    }

    /// The record as one line of canonical JSON, without the line end.
    pub fn to_line(&self) -> String {
        // A struct of strings and numbers always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The first characters of the hash, for people.
    pub fn short_hash(&self) -> &str {
        self.hash.get(..12).unwrap_or(&self.hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_parse_and_compare() {
        let jane = Identity::parse("Jane Doe <jane@example.com>").unwrap();
        assert_eq!(jane.name, "Jane Doe");
        assert_eq!(jane.email.as_deref(), Some("jane@example.com"));
        assert_eq!(jane.to_string(), "Jane Doe <jane@example.com>");
        let bare = Identity::parse("<ops@example.com>").unwrap();
        assert_eq!(bare.name, "ops@example.com");
        assert!(jane.same_person(&Identity::parse("J. Doe <JANE@example.com>").unwrap()));
        assert!(jane.same_person(&Identity::parse("jane doe <jd@home.example>").unwrap()));
        assert!(!jane.same_person(&Identity::parse("Raj <raj@example.com>").unwrap()));
        assert!(Identity::parse("Jane <nope>").is_err());
        assert!(Identity::parse("Jane <jane@example.com").is_err());
        assert!(Identity::parse("  ").is_err());
    }

    #[test]
    fn the_hash_covers_every_field_and_the_link() {
        let entry = Entry {
            checklist: "c".into(),
            checklist_file: None,
            item: "i".into(),
            env: "production".into(),
            action: Action::Attest,
            by: Identity::parse("Jane <jane@example.com>").unwrap(),
            at: "2026-11-22T10:00:00Z".parse().unwrap(),
            note: None,
            item_digest: "d".into(),
            evidence_digest: "e".into(),
            waiver: None,
        };
        let a = Record::seal(entry.clone(), Vec::new());
        assert_eq!(a.hash, a.compute_hash());
        assert!(!a.to_line().contains(' '), "canonical JSON has no spaces");
        let b = Record::seal(entry.clone(), vec![a.hash.clone()]);
        assert_ne!(a.hash, b.hash, "parents are covered");
        let signed = Record {
            sig: Some("x".into()),
            ..a.clone()
        };
        assert_eq!(signed.compute_hash(), a.hash, "the signature is not");
        let c = Record::seal(
            Entry {
                note: Some("x".into()),
                ..entry
            },
            Vec::new(),
        );
        assert_ne!(a.hash, c.hash, "the note is covered");
        let parsed: Record = serde_json::from_str(&a.to_line()).unwrap();
        assert_eq!(parsed, a);
    }
}
