//! Whose records count: signatures checked against the project's allowed-signers file
//! and the reviewers named in `preflight.toml`.
//!
//! Each record gets a [`Standing`]: signed by a key the allowed-signers file gives to
//! the principal the record names (its `by` e-mail address, else its name), at the
//! record's time, in the `preflight` namespace; or unsigned; or refused, with why. With
//! `require_signatures` (the default once an allowed-signers file exists) an unsigned
//! record counts for nothing. The derived state ([`super::state`]) then lets an
//! approval count only from a reviewer, never from the attester's key or principal.
//!
//! The trust root is the allowed-signers file and the reviewer list as checked out:
//! whoever can change them on the branch being checked can make their own records
//! count. Protect them as you protect CI configuration (code owners, branch
//! protection), and check sign-offs on the branch that is deployed.

use std::path::{Path, PathBuf};

use super::ledger::Contents;
use super::record::{Action, Record, SIGNATURE_NAMESPACE};
use crate::base::fs::{self, Links};
use crate::system::ssh::allowed_signers::{AllowedSigners, ParseError};
use crate::system::ssh::{fingerprint, verify};

/// The largest allowed-signers file read.
pub const MAX_ALLOWED_SIGNERS: u64 = 1024 * 1024;

/// How a record stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Not checked against signatures (no allowed-signers file and signatures not
    /// required): counts as it always did, on the identity it claims; `reviewer` says
    /// whether that identity is one of the reviewers.
    Unchecked {
        /// Whether the claimed identity is a reviewer.
        reviewer: bool,
    },
    /// Signed by a key allowed to sign as `principal`.
    Signed {
        /// The principal the record names and the key may sign as.
        principal: String,
        /// The key's fingerprint (`SHA256:…`).
        key: String,
        /// Whether the principal is one of the reviewers.
        reviewer: bool,
    },
    /// Counts for nothing.
    Refused(String),
}

impl Default for Standing {
    /// What a record read without trust settings is: unchecked, anyone may review.
    fn default() -> Standing {
        Standing::Unchecked { reviewer: true }
    }
}

impl Standing {
    /// Whether the record counts at all.
    pub fn counts(&self) -> bool {
        !matches!(self, Standing::Refused(_))
    }

    /// In words, for history and reports.
    pub fn describe(&self) -> String {
        match self {
            Standing::Unchecked { .. } => "unsigned".to_string(),
            Standing::Signed { key, reviewer, .. } => {
                format!(
                    "signed ({key}){}",
                    if *reviewer { ", reviewer" } else { "" }
                )
            }
            Standing::Refused(why) => format!("does not count: {why}"),
        }
    }
}

/// Why the trust settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The file could not be read.
    #[error("{path}: cannot read: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A line could not be read.
    #[error("{}:{}: {}", path.display(), error.line, error.message)]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The line and what is wrong.
        error: ParseError,
    },
}

/// Who may sign what.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// The allowed-signers file, if the project has one.
    pub signers: Option<AllowedSigners>,
    /// Principals whose approvals count (patterns as in allowed-signers); empty: any
    /// allowed signer other than the attester.
    pub reviewers: Vec<String>,
    /// Whether unsigned records count for nothing.
    pub require_signatures: bool,
}

impl Trust {
    /// Reads the allowed-signers file at `path` (inside `project_dir`; absent is
    /// none) with the reviewers and the `require_signatures` setting (default: true
    /// when the file exists).
    pub fn load(
        project_dir: &Path,
        path: &Path,
        reviewers: Vec<String>,
        require_signatures: Option<bool>,
    ) -> Result<Trust, TrustError> {
        let text = match fs::read_text(path, MAX_ALLOWED_SIGNERS, Links::Within(project_dir)) {
            Ok(text) => Some(text),
            Err(fs::ReadError::Missing(_)) => None,
            Err(e) => {
                return Err(TrustError::Io {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        Trust::from_text(text.as_deref(), path, reviewers, require_signatures)
    }

    /// [`Trust::load`] from the file's text (`None`: there is no file), read from
    /// wherever it was (a git revision); `path` names it in errors.
    pub fn from_text(
        text: Option<&str>,
        path: &Path,
        reviewers: Vec<String>,
        require_signatures: Option<bool>,
    ) -> Result<Trust, TrustError> {
        let signers = match text {
            Some(text) => {
                Some(
                    AllowedSigners::parse(text).map_err(|error| TrustError::Invalid {
                        path: path.to_path_buf(),
                        error,
                    })?,
                )
            }
            None => None,
        };
        Ok(Trust {
            require_signatures: require_signatures.unwrap_or(signers.is_some()),
            signers,
            reviewers,
        })
    }

    /// Whether `principal` is a reviewer (any principal when no reviewers are named).
    pub fn is_reviewer(&self, principal: &str) -> bool {
        self.reviewers.is_empty()
            || self
                .reviewers
                .iter()
                .any(|r| crate::system::ssh::allowed_signers::matches_pattern(r, principal))
    }

    /// How `record` stands.
    pub fn assess(&self, record: &Record) -> Standing {
        let Some(sig) = &record.sig else {
            return self.unsigned(record);
        };
        match verify(sig, SIGNATURE_NAMESPACE, record.signed_message()) {
            Ok(key) => self.signed_by(record, &key),
            Err(e) => Standing::Refused(e.to_string()),
        }
    }

    /// How a record would stand signed by `key` (whose signature verified, or will).
    pub fn signed_by(&self, record: &Record, key: &ssh_key::PublicKey) -> Standing {
        let principal = principal(record);
        let shown = fingerprint(key);
        let Some(signers) = &self.signers else {
            return if self.require_signatures {
                Standing::Refused(format!(
                    "signed by {shown}, but there is no allowed-signers file to say whose key it is"
                ))
            } else {
                Standing::Unchecked {
                    reviewer: self.is_reviewer(principal),
                }
            };
        };
        if let Err(refusal) = signers.check(key, principal, SIGNATURE_NAMESPACE, record.at) {
            return Standing::Refused(format!("signed by {shown}: {refusal}"));
        }
        Standing::Signed {
            principal: principal.to_string(),
            key: shown,
            reviewer: self.is_reviewer(principal),
        }
    }

    /// How an unsigned record stands.
    pub fn unsigned(&self, record: &Record) -> Standing {
        if self.require_signatures {
            Standing::Refused("unsigned, and this project requires signatures".into())
        } else {
            Standing::Unchecked {
                reviewer: self.is_reviewer(principal(record)),
            }
        }
    }

    /// Reads `ledger` and assesses its records: what every reader of sign-offs uses.
    pub fn read(&self, ledger: &super::Ledger) -> Result<Contents, super::LedgerError> {
        let mut contents = ledger.read()?;
        self.apply(&mut contents);
        Ok(contents)
    }

    /// Assesses every record of `contents`, on every core (checking a signature is
    /// the costly part of reading a signed ledger).
    pub fn apply(&self, contents: &mut Contents) {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = contents.records.len().div_ceil(threads).max(64);
        std::thread::scope(|scope| {
            for part in contents.records.chunks_mut(chunk) {
                scope.spawn(move || {
                    for record in part {
                        record.standing = self.assess(record);
                    }
                });
            }
        });
    }
}

/// The principal a record names: its `by` e-mail address, else its name.
pub fn principal(record: &Record) -> &str {
    record.by.email.as_deref().unwrap_or(&record.by.name)
}

/// Whether an approval counts for an attestation or waiver: it counts at all, comes
/// from a reviewer, and not from the author (same person, or, signed, same key or
/// principal).
pub fn approval_counts(author: &Record, approval: &Record) -> bool {
    if approval.action != Action::Approve || !approval.standing.counts() {
        return false;
    }
    if author.by.same_person(&approval.by) {
        return false;
    }
    match (&author.standing, &approval.standing) {
        (
            Standing::Signed {
                principal: a,
                key: ak,
                ..
            },
            Standing::Signed {
                principal: b,
                key: bk,
                reviewer,
            },
        ) => *reviewer && ak != bk && !a.eq_ignore_ascii_case(b),
        (_, Standing::Signed { reviewer, .. } | Standing::Unchecked { reviewer }) => *reviewer,
        (_, Standing::Refused(_)) => false,
    }
}
