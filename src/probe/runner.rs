//! Runs the probes of selected checklist items concurrently, each under a timeout, and
//! reports progress as [`RunEvent`]s that printers and the TUI consume.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use super::catalog;
use super::{ProbeContext, ProbeOutcome, ProbeStatus};
use crate::checklist::Checklist;

/// How the runner behaves.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How many probes may run at once.
    pub concurrency: usize,
    /// Timeout for probes that do not set their own.
    pub default_timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            concurrency: 8,
            default_timeout: Duration::from_secs(5),
        }
    }
}

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

/// The outcome of one probe with its kind and how long it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    /// The probe kind.
    pub kind: String,
    /// What it found.
    pub outcome: ProbeOutcome,
    /// Wall time.
    pub elapsed: Duration,
}

/// An item's overall status, derived from its probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    /// Every probe passed (some may have been skipped).
    Pass,
    /// At least one probe failed.
    Fail,
    /// No probe failed, but at least one could not run.
    Error,
    /// Every probe was skipped.
    Skipped,
    /// No probes: a person must attest.
    Manual,
}

impl ItemStatus {
    /// An item is `fail` if any probe fails, else `error` if any errored, else `pass`
    /// (or `skipped` when nothing applied); with no probes it is `manual`.
    pub fn from_outcomes<'a>(statuses: impl IntoIterator<Item = &'a ProbeStatus>) -> ItemStatus {
        let statuses: Vec<ProbeStatus> = statuses.into_iter().copied().collect();
        if statuses.is_empty() {
            ItemStatus::Manual
        } else if statuses.contains(&ProbeStatus::Fail) {
            ItemStatus::Fail
        } else if statuses.contains(&ProbeStatus::Error) {
            ItemStatus::Error
        } else if statuses.iter().all(|s| *s == ProbeStatus::Skipped) {
            ItemStatus::Skipped
        } else {
            ItemStatus::Pass
        }
    }

    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Pass => "pass",
            ItemStatus::Fail => "fail",
            ItemStatus::Error => "error",
            ItemStatus::Skipped => "skipped",
            ItemStatus::Manual => "manual",
        }
    }
}

/// The results of one item's probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    /// Index of the item in `Checklist::items`.
    pub item: usize,
    /// Its probes' results, in checklist order.
    pub probes: Vec<ProbeResult>,
    /// The derived status.
    pub status: ItemStatus,
}

/// Runs the probes of the items at `selection` (indexes into `checklist.items`).
/// Events go to `events` when given; results come back in selection order.
pub async fn run(
    checklist: &Checklist,
    selection: &[usize],
    ctx: Arc<ProbeContext>,
    options: &RunOptions,
    events: Option<mpsc::UnboundedSender<RunEvent>>,
) -> Vec<ItemResult> {
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut kinds: HashMap<ProbeId, String> = HashMap::new();

    for &item_index in selection {
        let Some(item) = checklist.items.get(item_index) else {
            continue;
        };
        for (probe_index, spec) in item.probes.iter().enumerate() {
            let id = ProbeId {
                item: item_index,
                probe: probe_index,
            };
            kinds.insert(id, spec.kind.clone());
            let limit = spec.timeout.map_or(options.default_timeout, |t| t.duration);
            let built = catalog::find(&spec.kind)
                .ok_or_else(|| format!("unknown probe kind `{}`", spec.kind))
                .and_then(|k| (k.build)(&spec.params).map_err(|e| e.to_string()));
            let (ctx, permits, events, kind) = (
                ctx.clone(),
                permits.clone(),
                events.clone(),
                spec.kind.clone(),
            );
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                if let Some(tx) = &events {
                    let _ = tx.send(RunEvent::Started(id));
                }
                let started = Instant::now();
                let outcome = match built {
                    Err(reason) => ProbeOutcome::error(reason),
                    Ok(probe) => match tokio::time::timeout(limit, probe.run(ctx)).await {
                        Ok(outcome) => outcome,
                        Err(_) => {
                            ProbeOutcome::error(format!("timed out after {}", describe(limit)))
                        }
                    },
                };
                let result = ProbeResult {
                    kind,
                    outcome,
                    elapsed: started.elapsed(),
                };
                if let Some(tx) = &events {
                    let _ = tx.send(RunEvent::Finished(id, result.clone()));
                }
                (id, result)
            });
        }
    }

    let mut finished: HashMap<ProbeId, ProbeResult> = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((id, result)) = joined {
            finished.insert(id, result);
        }
    }

    selection
        .iter()
        .filter_map(|&item_index| {
            let item = checklist.items.get(item_index)?;
            let probes: Vec<ProbeResult> = (0..item.probes.len())
                .map(|p| {
                    let id = ProbeId {
                        item: item_index,
                        probe: p,
                    };
                    finished.remove(&id).unwrap_or_else(|| ProbeResult {
                        kind: kinds.get(&id).cloned().unwrap_or_default(),
                        outcome: ProbeOutcome::error("the probe task ended without a result"),
                        elapsed: Duration::ZERO,
                    })
                })
                .collect();
            let status = ItemStatus::from_outcomes(probes.iter().map(|p| &p.outcome.status));
            Some(ItemResult {
                item: item_index,
                probes,
                status,
            })
        })
        .collect()
}

fn describe(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_status_follows_the_rules() {
        use ProbeStatus::*;
        assert_eq!(ItemStatus::from_outcomes(&[]), ItemStatus::Manual);
        assert_eq!(
            ItemStatus::from_outcomes(&[Pass, Error, Fail]),
            ItemStatus::Fail
        );
        assert_eq!(ItemStatus::from_outcomes(&[Pass, Error]), ItemStatus::Error);
        assert_eq!(
            ItemStatus::from_outcomes(&[Pass, Skipped]),
            ItemStatus::Pass
        );
        assert_eq!(
            ItemStatus::from_outcomes(&[Skipped, Skipped]),
            ItemStatus::Skipped
        );
    }
}
