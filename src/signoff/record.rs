//! One line of the ledger: who did what to which item, when, on what evidence, chained
//! to the line before it by hash.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::base::digest::sha256_hex;
use crate::base::text::escape_controls;
use crate::base::timestamp::Timestamp;

/// The record format this build writes and reads.
pub const RECORD_VERSION: u32 = 1;

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
    /// Position in the ledger, from 1.
    pub seq: u64,
    /// Hash of the previous record ([`GENESIS`] for the first).
    pub prev: String,
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
    /// SHA-256 of this record without this field: covers `prev`, so it chains.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hash: String,
}

impl Record {
    /// Numbers, chains and hashes an entry.
    pub fn seal(entry: Entry, seq: u64, prev: &str) -> Record {
        let mut record = Record {
            v: RECORD_VERSION,
            seq,
            prev: prev.to_string(),
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
            hash: String::new(),
        };
        record.hash = record.compute_hash();
        record
    }

    /// The hash this record should carry: SHA-256 of its canonical JSON (fields in
    /// declaration order, no whitespace) without the `hash` field.
    pub fn compute_hash(&self) -> String {
        let body = Record {
            hash: String::new(),
            ..self.clone()
        };
        sha256_hex(format!("preflight-ledger-v1\n{}", body.to_line()).as_bytes())
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
        let a = Record::seal(entry.clone(), 1, GENESIS);
        assert_eq!(a.hash, a.compute_hash());
        assert!(!a.to_line().contains(' '), "canonical JSON has no spaces");
        let b = Record::seal(entry.clone(), 1, &a.hash);
        assert_ne!(a.hash, b.hash, "prev is covered");
        let c = Record::seal(
            Entry {
                note: Some("x".into()),
                ..entry
            },
            1,
            GENESIS,
        );
        assert_ne!(a.hash, c.hash, "the note is covered");
        let parsed: Record = serde_json::from_str(&a.to_line()).unwrap();
        assert_eq!(parsed, a);
    }
}
