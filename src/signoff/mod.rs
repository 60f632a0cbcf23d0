//! Sign-off: who stood behind which item, when, and on what evidence.
//!
//! [`record`] is one ledger line; [`ledger`] stores lines (append-only, hash-chained,
//! locked, synced); [`state`] derives each item's state from the records, the current
//! checklist and evidence, and a clock; [`identity`] finds out who is signing. None of
//! it runs probes or prints.

pub mod identity;
pub mod ledger;
pub mod record;
pub mod recording;
pub mod state;
pub mod trust;

pub use ledger::{ChainProblem, Contents, Ledger, LedgerError};
pub use record::{Action, ChecklistFile, Entry, Identity, Record, Waiver};
pub use recording::{Intent, Request, SignoffError, past_tense, validate_waiver};
pub use state::{Disposition, ItemSignoff, State, blocking_reason, evidence_digest, made_under};
pub use trust::{Standing, Trust, TrustError};
