//! Recording a sign-off: the rules that make a record acceptable, checked against the
//! ledger under its lock, shared by the commands and the terminal UI.
//!
//! - `attest` is refused while the item's probes fail (fix it, or waive it);
//! - `approve` needs an attestation or waiver in force, not stale or expired, by
//!   someone else, not already approved by this reviewer;
//! - `waive` needs a reason and an expiry in the future (or none: permanent);
//! - `revoke` needs something to revoke.

use super::ledger::{Contents, Ledger, LedgerError};
use super::record::SIGNATURE_NAMESPACE;
use super::record::{Action, ChecklistFile, Entry, Identity, Record, Waiver};
use super::state::{ItemSignoff, State, evidence_digest};
use super::trust::{Standing, Trust, approval_counts};
use crate::base::secret::scrub;
use crate::base::timestamp::Timestamp;
use crate::checklist::Checklist;
use crate::probe::ProbeStatus;
use crate::probe::{ItemResult, ItemStatus};
use crate::system::ssh::Signer;

/// Why nothing was recorded.
#[derive(Debug, thiserror::Error)]
pub enum SignoffError {
    /// The rules refuse it; the message says why and what to do.
    #[error("{0}")]
    Refused(String),
    /// The ledger could not be read or written.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// An engineer says the item is done.
    Attest,
    /// A reviewer confirms.
    Approve,
    /// Skip the item, with these terms.
    Waive(Waiver),
    /// Withdraw the attestation or waiver in force.
    Revoke,
}

impl Intent {
    /// The record's action.
    pub fn action(&self) -> Action {
        match self {
            Intent::Attest => Action::Attest,
            Intent::Approve => Action::Approve,
            Intent::Waive(_) => Action::Waive,
            Intent::Revoke => Action::Revoke,
        }
    }
}

/// Who records what about which item, with which evidence.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The checklist.
    pub checklist: &'a Checklist,
    /// The item's current probe results (its `item` indexes the checklist).
    pub result: &'a ItemResult,
    /// The environment.
    pub env: &'a str,
    /// The signer.
    pub by: &'a Identity,
    /// Now.
    pub now: Timestamp,
    /// A note (blank means none).
    pub note: Option<&'a str>,
    /// The key that signs the record, if any.
    pub signer: Option<&'a Signer>,
    /// Who may sign what.
    pub trust: &'a Trust,
}

impl Request<'_> {
    fn item_id(&self) -> &str {
        self.checklist
            .items
            .get(self.result.item)
            .map_or("", |i| i.id.as_str())
    }

    /// The item's sign-off as `contents` (whose records' standing is already
    /// assessed) and the current evidence say.
    pub fn derive(&self, contents: &Contents) -> Option<ItemSignoff> {
        let item = self.checklist.items.get(self.result.item)?;
        Some(ItemSignoff::derive(
            self.checklist.part_of(item),
            item,
            self.env,
            &contents.records,
            &item.digest(),
            &evidence_digest(&self.result.probes),
            self.now,
        ))
    }

    fn entry(&self, intent: Intent) -> Option<Entry> {
        let item = self.checklist.items.get(self.result.item)?;
        let action = intent.action();
        // Made under the checklist the item comes from, never a combination.
        let part = self.checklist.part_of(item);
        Some(Entry {
            checklist: part.id.clone(),
            checklist_file: part.source_file().map(|(path, sha256)| ChecklistFile {
                path: path.to_string(),
                sha256: sha256.to_string(),
            }),
            item: item.id.clone(),
            env: self.env.to_string(),
            action,
            by: self.by.clone(),
            at: self.now,
            // A note is kept as typed, except that a secret the run knows never lands
            // in the ledger (which is committed).
            note: self
                .note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| scrub(n).into_owned()),
            item_digest: item.digest(),
            evidence_digest: evidence_digest(&self.result.probes),
            waiver: match intent {
                Intent::Waive(w) => Some(Waiver {
                    reason: scrub(&w.reason).into_owned(),
                    ..w
                }),
                _ => None,
            },
        })
    }

    /// Checks the rules against the ledger (under its lock) and appends the record,
    /// signed when there is a signer. A record that would not count (unsigned where
    /// signatures are required, or signed by a key that may not sign as this identity)
    /// is refused before anything is written.
    pub fn record(&self, ledger: &Ledger, intent: Intent) -> Result<Record, SignoffError> {
        if let Intent::Waive(w) = &intent {
            validate_waiver(w, self.now).map_err(SignoffError::Refused)?;
        }
        if intent == Intent::Attest {
            self.check_attest()?;
        }
        let prospective = self.prospective(&intent)?;
        ledger.append_with(
            |contents| {
                // Only this item's records in this environment decide; only their
                // signatures are checked.
                let mut contents = contents.clone();
                let item = self.item_id();
                contents
                    .records
                    .retain(|r| r.item == item && r.env == self.env);
                self.trust.apply(&mut contents);
                let state = self
                    .derive(&contents)
                    .ok_or_else(|| SignoffError::Refused("no such item".to_string()))?;
                match &intent {
                    Intent::Approve => self.check_approve(&state, &prospective)?,
                    Intent::Revoke => {
                        if let Some(why) = refusal(
                            self.item_id(),
                            self.env,
                            &intent,
                            self.result,
                            &state,
                            self.by,
                        ) {
                            return Err(SignoffError::Refused(why));
                        }
                    }
                    _ => {}
                }
                self.entry(intent.clone())
                    .ok_or_else(|| SignoffError::Refused("no such item".to_string()))
            },
            |record| match self.signer {
                Some(signer) => signer
                    .sign(SIGNATURE_NAMESPACE, record.signed_message())
                    .map(Some)
                    .map_err(|e| SignoffError::Refused(e.to_string())),
                None => Ok(None),
            },
        )
    }

    /// The record this request would write, with the standing it would have.
    fn prospective(&self, intent: &Intent) -> Result<Record, SignoffError> {
        let entry = self
            .entry(intent.clone())
            .ok_or_else(|| SignoffError::Refused("no such item".to_string()))?;
        let mut record = Record::seal(entry, Vec::new());
        record.standing = match self.signer {
            Some(signer) => self.trust.signed_by(&record, &signer.public_key()),
            None => self.trust.unsigned(&record),
        };
        if let Standing::Refused(why) = &record.standing {
            let how = if self.signer.is_none() {
                "; sign with `--key PATH` (or `signing_key` in the user settings, or git's `user.signingKey` with `gpg.format = ssh`)"
            } else {
                ""
            };
            return Err(SignoffError::Refused(format!(
                "nothing was recorded: a record by {} would not count ({why}){how}",
                self.by
            )));
        }
        Ok(record)
    }

    fn check_attest(&self) -> Result<(), SignoffError> {
        match attest_refusal(self.item_id(), self.result) {
            Some(why) => Err(SignoffError::Refused(why)),
            None => Ok(()),
        }
    }

    fn check_approve(&self, state: &ItemSignoff, approval: &Record) -> Result<(), SignoffError> {
        let id = self.item_id();
        let refuse = |why: String| Err(SignoffError::Refused(why));
        if let Some(why) = approve_refusal(id, self.env, state, self.by) {
            return refuse(why);
        }
        let Some(current) = &state.current else {
            return Ok(());
        };
        let author = &current.record;
        if !approval_counts(author, approval) {
            let did = past_tense(author.action);
            return refuse(match (&author.standing, &approval.standing) {
                (Standing::Signed { key: a, .. }, Standing::Signed { key: b, .. }) if a == b => {
                    format!(
                        "`{id}` was {did} with the key {a} ({}); an approval with the same key does not count",
                        author.by
                    )
                }
                (
                    _,
                    Standing::Signed {
                        reviewer: false, ..
                    },
                )
                | (_, Standing::Unchecked { reviewer: false }) => format!(
                    "{} is not one of the reviewers in preflight.toml (`[signoff] reviewers`), so their approval would not count",
                    self.by
                ),
                _ => format!(
                    "an approval of `{id}` by {} would not count ({} {did} it)",
                    self.by, author.by
                ),
            });
        }
        Ok(())
    }
}

/// Why an item may not be attested: its probes fail (naming each failing probe).
fn attest_refusal(id: &str, result: &ItemResult) -> Option<String> {
    if result.status != ItemStatus::Fail {
        return None;
    }
    let failing: Vec<String> = result
        .probes
        .iter()
        .filter(|p| p.outcome.status == ProbeStatus::Fail)
        .map(|p| format!("{}: {}", p.kind, p.outcome.summary))
        .collect();
    Some(format!(
        "`{id}` cannot be attested while its probes fail ({}); fix it, or waive it with `preflight waive {id} --reason TEXT --until DATE`",
        failing.join("; ")
    ))
}

/// Why `by` may not approve the item in `state`, as far as the records already say:
/// nothing to approve, their own attestation or waiver, a stale attestation, an
/// expired waiver, an approval of theirs already counted.
fn approve_refusal(id: &str, env: &str, state: &ItemSignoff, by: &Identity) -> Option<String> {
    let Some(current) = &state.current else {
        return Some(format!(
            "`{id}` has no attestation or waiver in {env} to approve"
        ));
    };
    let author = &current.record;
    if author.by.same_person(by) {
        return Some(format!(
            "{by} cannot approve `{id}`: they {} it themselves ({}), and approval must come from someone else",
            past_tense(author.action),
            author.by
        ));
    }
    match state.state {
        State::Stale => Some(format!(
            "the attestation of `{id}` is stale ({}); it must be attested again before it can be approved",
            state.stale_reasons.join("; ")
        )),
        State::WaiverExpired => Some(format!(
            "the waiver of `{id}` has expired; nothing to approve"
        )),
        _ if current.approvals.iter().any(|a| a.by.same_person(by)) => {
            Some(format!("{by} has already approved `{id}`"))
        }
        _ => None,
    }
}

/// Why `intent` by `by` would be refused, decided from what is already known (the
/// item's probe results and its records) before anyone types a note: the rules
/// [`Request::record`] applies again, with the signature rules, when it writes.
pub fn refusal(
    id: &str,
    env: &str,
    intent: &Intent,
    result: &ItemResult,
    state: &ItemSignoff,
    by: &Identity,
) -> Option<String> {
    match intent {
        Intent::Attest => attest_refusal(id, result),
        Intent::Approve => approve_refusal(id, env, state, by),
        Intent::Revoke if state.current.is_none() => Some(format!(
            "`{id}` has no attestation or waiver in {env} to revoke"
        )),
        Intent::Revoke | Intent::Waive(_) => None,
    }
}

/// A waiver needs a reason and, unless permanent, an expiry after `now`.
pub fn validate_waiver(waiver: &Waiver, now: Timestamp) -> Result<(), String> {
    if waiver.reason.trim().is_empty() {
        return Err("a waiver needs a reason: say why the item is skipped".to_string());
    }
    match waiver.expires {
        Some(expires) if expires <= now => Err(format!(
            "the waiver would already have expired (at {expires})"
        )),
        _ => Ok(()),
    }
}

/// `attested`, `approved`, `waived`, `revoked`.
pub fn past_tense(action: Action) -> &'static str {
    match action {
        Action::Attest => "attested",
        Action::Approve => "approved",
        Action::Waive => "waived",
        Action::Revoke => "revoked",
    }
}
