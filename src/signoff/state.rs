//! Derived sign-off state: what the ledger's records, the item's current definition,
//! its current probe evidence and the clock say about one item in one environment.
//!
//! Pure functions of their inputs; the clock is a parameter, so tests move time.

use serde::Serialize;

use super::record::{Action, Identity, Record};
use super::trust::approval_counts;
use crate::base::digest::sha256_hex;
use crate::base::timestamp::Timestamp;
use crate::checklist::{Item, Part, Provenance, Tier};
use crate::probe::{ItemStatus, ProbeResult};

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Attested and approved by someone else; definition and evidence unchanged.
    SignedOff,
    /// Attested, awaiting review.
    Attested,
    /// Attested once, but the definition or the evidence changed since, or the
    /// item's `recurs` cadence has elapsed.
    Stale,
    /// Consciously skipped, until its expiry.
    Waived,
    /// The waiver's expiry has passed.
    WaiverExpired,
    /// Nothing recorded (or the last record was revoked).
    Pending,
}

impl State {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            State::SignedOff => "signed-off",
            State::Attested => "attested",
            State::Stale => "stale",
            State::Waived => "waived",
            State::WaiverExpired => "waiver-expired",
            State::Pending => "pending",
        }
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// SHA-256 of the canonical JSON of an item's probe outcomes (kind, status, summary
/// and evidence of each, in checklist order; never timings). Outcomes never hold a
/// secret, so neither does this.
pub fn evidence_digest(probes: &[ProbeResult]) -> String {
    let outcomes: Vec<_> = probes
        .iter()
        .map(|p| {
            let mut value = serde_json::json!({ "kind": p.kind, "outcome": p.outcome });
            // An evidence line's `status` came after format-1 ledgers were written:
            // it is derived from the line, and left out so that their digests (and so
            // every sign-off recorded before it) still match.
            if let Some(lines) = value["outcome"]["evidence"].as_array_mut() {
                for line in lines {
                    if let Some(fields) = line.as_object_mut() {
                        fields.remove("status");
                    }
                }
            }
            value
        })
        .collect();
    sha256_hex(serde_json::Value::Array(outcomes).to_string().as_bytes())
}

/// One item's sign-off, derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSignoff {
    /// The state.
    pub state: State,
    /// Why it is stale, in words (empty unless stale).
    pub stale_reasons: Vec<String>,
    /// The attestation or waiver in force, with the approvals that count for it.
    pub current: Option<Disposition>,
    /// Every record of this item in this environment, oldest first.
    pub history: Vec<Record>,
    /// When the item must be signed off again (its `recurs` cadence), if it has one.
    pub due: Option<Timestamp>,
}

/// The attestation or waiver in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposition {
    /// The `attest` or `waive` record.
    pub record: Record,
    /// `approve` records by people other than its author.
    pub approvals: Vec<Record>,
}

impl Disposition {
    /// Who attested or waived.
    pub fn author(&self) -> &Identity {
        &self.record.by
    }
}

/// Whether `record` was made under `checklist`: the same id and, for a file that
/// reuses a shipped checklist's id, the same file contents. Sign-offs made under the
/// shipped checklist never count for a lookalike, nor the other way round; each
/// version of a lookalike is a checklist of its own. A custom checklist keeps its
/// sign-offs across edits (each item's digest says which still hold).
pub fn made_under(record: &Record, checklist: &Part) -> bool {
    if record.checklist != checklist.id {
        return false;
    }
    match checklist.provenance {
        Provenance::Shipped => record.checklist_file.is_none(),
        Provenance::Lookalike => record
            .checklist_file
            .as_ref()
            .is_some_and(|f| f.sha256 == checklist.digest),
        Provenance::Custom => true,
    }
}

impl ItemSignoff {
    /// Derives the state of `item` of `checklist` in `env` from the ledger's records
    /// (those [`made_under`] that checklist), the item's current definition digest and
    /// evidence digest, at time `now`.
    pub fn derive(
        checklist: &Part,
        item: &Item,
        env: &str,
        records: &[Record],
        item_digest: &str,
        evidence_digest: &str,
        now: Timestamp,
    ) -> ItemSignoff {
        let history: Vec<Record> = records
            .iter()
            .filter(|r| r.item == item.id && r.env == env && made_under(r, checklist))
            .cloned()
            .collect();
        let mut current: Option<Disposition> = None;
        // A record that does not count (its signature, or the lack of one; see
        // `trust`) changes nothing; it stays in the history, marked.
        for record in history.iter().filter(|r| r.standing.counts()) {
            match record.action {
                Action::Attest | Action::Waive => {
                    current = Some(Disposition {
                        record: record.clone(),
                        approvals: Vec::new(),
                    });
                }
                Action::Approve => {
                    // An approval by the author, or not by a reviewer, never counts,
                    // even if a ledger was written by something other than this program.
                    if let Some(d) = current.as_mut()
                        && approval_counts(&d.record, record)
                    {
                        d.approvals.push(record.clone());
                    }
                }
                Action::Revoke => current = None,
            }
        }
        let mut stale_reasons = Vec::new();
        let mut due = None;
        let state = match &current {
            None => State::Pending,
            Some(d) if d.record.action == Action::Waive => {
                match d.record.waiver.as_ref().and_then(|w| w.expires) {
                    Some(expires) if now >= expires => State::WaiverExpired,
                    _ => State::Waived,
                }
            }
            Some(d) => {
                let attested = &d.record;
                if attested.item_digest != item_digest {
                    stale_reasons.push(format!(
                        "the item's definition changed since it was attested on {}",
                        attested.at.date()
                    ));
                }
                if attested.evidence_digest != evidence_digest {
                    stale_reasons.push(format!(
                        "the probe evidence changed since it was attested on {}",
                        attested.at.date()
                    ));
                }
                if let Some(every) = item.recurs {
                    let next = attested.at.plus(every.duration);
                    due = Some(next);
                    if now >= next {
                        stale_reasons.push(format!(
                            "it recurs every {every}: last attested on {}, due {}",
                            attested.at.date(),
                            next
                        ));
                    }
                }
                if !stale_reasons.is_empty() {
                    State::Stale
                } else if d.approvals.is_empty() {
                    State::Attested
                } else {
                    State::SignedOff
                }
            }
        };
        ItemSignoff {
            state,
            stale_reasons,
            current,
            history,
            due,
        }
    }

    /// Whether a waiver in force covers the item.
    pub fn validly_waived(&self) -> bool {
        self.state == State::Waived
    }
}

/// Why an item keeps a release from going to production under `--require-signoff`,
/// or `None` when it does not: every critical item must pass and be signed off (or be
/// validly waived); every recommended item must pass (a manual one: be attested) or be
/// validly waived; optional items never block.
pub fn blocking_reason(tier: Tier, status: ItemStatus, signoff: &ItemSignoff) -> Option<String> {
    if signoff.validly_waived() {
        return None;
    }
    let stale = || {
        format!(
            "its sign-off is stale: {}",
            signoff.stale_reasons.join("; ")
        )
    };
    let expired = || "its waiver has expired".to_string();
    let probes_fail = || format!("its probes {}", status.as_str());
    match (tier, status) {
        (Tier::Optional, _) => None,
        (_, ItemStatus::Fail | ItemStatus::Error) => Some(match signoff.state {
            State::WaiverExpired => format!("{} and {}", probes_fail(), expired()),
            _ => probes_fail(),
        }),
        (Tier::Recommended, ItemStatus::Pass | ItemStatus::Skipped) => None,
        (Tier::Recommended, ItemStatus::Manual) => match signoff.state {
            State::SignedOff | State::Attested => None,
            State::Stale => Some(stale()),
            State::WaiverExpired => Some(expired()),
            State::Waived | State::Pending => Some("manual item not attested".to_string()),
        },
        (Tier::Critical, _) => match signoff.state {
            State::SignedOff => None,
            State::Attested => Some("attested but not yet approved by a reviewer".to_string()),
            State::Stale => Some(stale()),
            State::WaiverExpired => Some(expired()),
            State::Waived | State::Pending => Some("not signed off".to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{Evidence, ProbeOutcome};

    #[test]
    fn an_evidence_lines_status_does_not_change_the_digest() {
        let result = |e: Evidence| {
            vec![ProbeResult {
                kind: "compose-ports".into(),
                outcome: ProbeOutcome::fail("1 published port").with_evidence([e]),
                elapsed: std::time::Duration::ZERO,
            }]
        };
        let plain = Evidence::at("docker-compose.yml", 5, 9, "5432:5432");
        assert_eq!(
            evidence_digest(&result(plain.clone())),
            evidence_digest(&result(plain.clone().failing()))
        );
        assert_ne!(
            evidence_digest(&result(plain)),
            evidence_digest(&result(Evidence::at(
                "docker-compose.yml",
                6,
                9,
                "5432:5432"
            )))
        );
    }
}
