//! Progress events of a run: the interface between the runner and its consumers (the
//! `check` progress line and the TUI). The runner sends a [`RunEvent::Started`] when a
//! probe acquires its concurrency slot and a [`RunEvent::Finished`] with its result when
//! it ends (passed, failed, errored, timed out or could not be built); every started
//! probe finishes exactly once. Consumers never see a probe's work, only these events.

use super::outcome::ProbeResult;

/// Identifies one probe of one item: indexes into the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProbeId {
    /// Index of the item in `Checklist::items`.
    pub item: usize,
    /// Index of the probe in `Item::probes`.
    pub probe: usize,
}

/// Progress of a run.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// A probe began.
    Started(ProbeId),
    /// A probe ended.
    Finished(ProbeId, ProbeResult),
}
