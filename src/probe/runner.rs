//! Runs the probes of selected checklist items concurrently, each under a timeout, and
//! reports progress as [`RunEvent`]s (see [`super::events`]) that printers and the TUI
//! consume. A probe of an environment that lists several servers runs once per host
//! (within the same `--jobs` bound) and its verdicts are merged; the terminal UI's
//! reruns may take the file readers' last outcomes when no file changed
//! ([`PassMemo`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use super::catalog;
use super::events::{ProbeId, RunEvent};
use super::outcome::{ItemResult, ItemStatus, ProbeResult};
use super::{Probe, ProbeContext, ProbeOutcome};
use crate::base::duration::{HumanDuration, describe};
use crate::checklist::Checklist;
use crate::system::walk::{FilesStamp, Visitor};

/// How the runner behaves.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How many probes may run at once.
    pub concurrency: usize,
    /// Timeout for probes that do not set their own.
    pub default_timeout: Duration,
    /// Outcomes kept from one run to the next (the terminal UI's), and whether this
    /// run may take them.
    pub memo: Option<MemoUse>,
}

/// A run's use of a [`PassMemo`].
#[derive(Debug, Clone)]
pub struct MemoUse {
    /// The memo: read when reusing, written after every run that reads files.
    pub memo: Arc<PassMemo>,
    /// Whether this run may take kept outcomes (a rerun of some items); a full rerun
    /// reads every file again and refreshes the memo.
    pub reuse: bool,
}

/// The outcomes of the probes that conclude from the project's files
/// ([`Probe::concludes_from_files`]), kept with a stamp of those files
/// ([`FilesStamp`]: sizes, modification times, inodes) and the environment checked. A
/// later run that may reuse them, and finds the same stamp, takes them instead of
/// reading every file again: each says so in its evidence.
#[derive(Debug, Default)]
pub struct PassMemo {
    kept: std::sync::Mutex<Option<Kept>>,
}

#[derive(Debug)]
struct Kept {
    environment: String,
    stamp: FilesStamp,
    outcomes: HashMap<String, ProbeOutcome>,
}

impl PassMemo {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Kept>> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What a reused outcome adds to its evidence.
pub const REUSED: &str = "no file changed since the last pass (sizes, modification times): its findings are reused; a full rerun reads every file again";

impl RunOptions {
    /// How many probes run at once unless told otherwise (`--jobs`).
    pub const DEFAULT_CONCURRENCY: u16 = 8;
    /// The timeout of a probe that sets none, unless told otherwise (`--timeout`).
    pub const DEFAULT_TIMEOUT: HumanDuration = HumanDuration::seconds(5);
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            concurrency: usize::from(Self::DEFAULT_CONCURRENCY),
            default_timeout: Self::DEFAULT_TIMEOUT.duration,
            memo: None,
        }
    }
}

/// One probe ready to run: built, with its timeout.
#[derive(Debug, Clone)]
pub struct PlannedProbe {
    /// Which probe.
    pub id: ProbeId,
    /// Its kind.
    pub kind: String,
    /// The built probe, or why it could not be built.
    pub probe: Result<Arc<dyn Probe>, String>,
    /// Its timeout.
    pub timeout: Duration,
    /// Probes of other items with the same kind, parameters and timeout: they get
    /// this probe's result instead of running again.
    pub shared_with: Vec<ProbeId>,
    /// What identifies it: kind, parameters and timeout.
    key: String,
}

/// Builds the probes of the items at `selection` (indexes into `checklist.items`). A
/// probe identical to one planned already (same kind, parameters and timeout: two
/// checklists of one run often share an item) is not planned again but shares that
/// one's result.
pub fn plan(checklist: &Checklist, selection: &[usize], options: &RunOptions) -> Vec<PlannedProbe> {
    let mut planned: Vec<PlannedProbe> = Vec::new();
    let mut first: HashMap<String, usize> = HashMap::new();
    for &item_index in selection {
        let Some(item) = checklist.items.get(item_index) else {
            continue;
        };
        for (probe_index, spec) in item.probes.iter().enumerate() {
            let id = ProbeId {
                item: item_index,
                probe: probe_index,
            };
            // The spec is plain data, so it always serialises; an empty key (never
            // expected) only disables sharing.
            let key = serde_json::to_string(spec).unwrap_or_default();
            if !key.is_empty() {
                if let Some(&at) = first.get(&key) {
                    planned[at].shared_with.push(id);
                    continue;
                }
                first.insert(key.clone(), planned.len());
            }
            let probe = catalog::find(&spec.kind)
                .ok_or_else(|| format!("unknown probe kind `{}`", spec.kind))
                .and_then(|k| k.probe(&spec.params).map_err(|e| e.to_string()));
            planned.push(PlannedProbe {
                id,
                kind: spec.kind.clone(),
                probe,
                timeout: spec.timeout.map_or(options.default_timeout, |t| t.duration),
                shared_with: Vec::new(),
                key,
            });
        }
    }
    planned
}

/// Runs planned probes, at most `concurrency` at once, each under its timeout; the
/// probes a planned one is shared with get its events and its result.
pub async fn execute(
    planned: Vec<PlannedProbe>,
    ctx: Arc<ProbeContext>,
    concurrency: usize,
    events: Option<mpsc::UnboundedSender<RunEvent>>,
) -> HashMap<ProbeId, ProbeResult> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for p in planned {
        let (ctx, permits, events) = (ctx.clone(), permits.clone(), events.clone());
        tasks.spawn(async move {
            let ids: Vec<ProbeId> = std::iter::once(p.id).chain(p.shared_with).collect();
            let hosts = match &p.probe {
                Ok(probe) if ctx.host.is_none() => probe
                    .environment(&ctx)
                    .map(|env| (env.to_string(), ctx.hosts(env)))
                    .filter(|(_, hosts)| !hosts.is_empty()),
                _ => None,
            };
            // A probe of one server holds a permit while it runs; a probe of several
            // holds none itself, each host's run takes one.
            let permit = match hosts {
                None => Some(permits.clone().acquire_owned().await),
                Some(_) => None,
            };
            if let Some(tx) = &events {
                for &id in &ids {
                    let _ = tx.send(RunEvent::Started(id));
                }
            }
            let started = Instant::now();
            let outcome = match (p.probe, hosts) {
                (Err(reason), _) => ProbeOutcome::error(reason),
                (Ok(probe), None) => timed(probe.run(ctx), p.timeout).await,
                (Ok(probe), Some((env, hosts))) => {
                    on_each_host(&probe, &ctx, &env, hosts, &permits, p.timeout).await
                }
            };
            drop(permit);
            let result = ProbeResult {
                kind: p.kind,
                outcome: outcome.sanitized(),
                elapsed: started.elapsed(),
            };
            if let Some(tx) = &events {
                for &id in &ids {
                    let _ = tx.send(RunEvent::Finished(id, result.clone()));
                }
            }
            (ids, result)
        });
    }
    let mut finished = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((ids, result)) = joined {
            for id in ids {
                finished.insert(id, result.clone());
            }
        }
    }
    finished
}

/// Takes out of `planned` the probes whose outcome `memo` kept for the same files
/// (`stamp`) and environment, and gives them that outcome (with [`REUSED`] in its
/// evidence) and their events.
fn take_kept(
    memo: &PassMemo,
    stamp: &FilesStamp,
    ctx: &ProbeContext,
    planned: &mut Vec<PlannedProbe>,
    finished: &mut HashMap<ProbeId, ProbeResult>,
    events: &Option<mpsc::UnboundedSender<RunEvent>>,
) {
    let kept = memo.lock();
    let Some(kept) = kept
        .as_ref()
        .filter(|k| stamp.settled && k.stamp == *stamp && k.environment == ctx.environment)
    else {
        return;
    };
    planned.retain(|p| {
        let from_files = p.probe.as_ref().is_ok_and(|p| p.concludes_from_files());
        let Some(outcome) = kept
            .outcomes
            .get(&p.key)
            .filter(|_| from_files && !p.key.is_empty())
        else {
            return true;
        };
        let result = ProbeResult {
            kind: p.kind.clone(),
            outcome: outcome
                .clone()
                .with_evidence([super::Evidence::note(REUSED)]),
            elapsed: Duration::ZERO,
        };
        for &id in std::iter::once(&p.id).chain(&p.shared_with) {
            if let Some(tx) = events {
                let _ = tx.send(RunEvent::Started(id));
                let _ = tx.send(RunEvent::Finished(id, result.clone()));
            }
            finished.insert(id, result.clone());
        }
        false
    });
}

/// A probe's outcome, or an `error` when it did not end within `timeout`.
async fn timed(run: super::ProbeFuture, timeout: Duration) -> ProbeOutcome {
    match tokio::time::timeout(timeout, run).await {
        Ok(outcome) => outcome,
        Err(_) => ProbeOutcome::error(format!("timed out after {}", describe(timeout))),
    }
}

/// Runs `probe` once for each of environment `env`'s `hosts`, concurrently, each
/// under `timeout` and holding one of the run's permits (so `--jobs` bounds host
/// checks as it bounds probes), and merges the verdicts
/// ([`ProbeOutcome::across_hosts`]).
async fn on_each_host(
    probe: &Arc<dyn Probe>,
    ctx: &Arc<ProbeContext>,
    env: &str,
    hosts: Vec<crate::config::HostEntry>,
    permits: &Arc<Semaphore>,
    timeout: Duration,
) -> ProbeOutcome {
    let default_port = ctx
        .environment(env)
        .await
        .ok()
        .and_then(|e| e.port)
        .unwrap_or(crate::system::postgres::DEFAULT_PORT);
    let mut runs = JoinSet::new();
    for (index, entry) in hosts.into_iter().enumerate() {
        let label = entry.label(default_port);
        let here = Arc::new(ctx.on_host(env, entry));
        let (probe, permits) = (Arc::clone(probe), Arc::clone(permits));
        runs.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, label, timed(probe.run(here), timeout).await)
        });
    }
    let mut per_host = Vec::new();
    while let Some(joined) = runs.join_next().await {
        match joined {
            Ok(done) => per_host.push(done),
            // A host's run that panicked concluded nothing: the merge must not pass.
            Err(_) => {
                return ProbeOutcome::error(
                    "a host's check stopped early (this is a bug in preflight): nothing concluded",
                );
            }
        }
    }
    per_host.sort_by_key(|(index, _, _)| *index);
    ProbeOutcome::across_hosts(
        per_host
            .into_iter()
            .map(|(_, label, outcome)| (label, outcome))
            .collect(),
    )
}

/// Starts the run's one pass over the project's files on a blocking thread, when a
/// planned probe reads files: every reader's visitor is prepared, then each file is
/// read once for all of them (see [`super::pass`]). The readers wait for it; a pass
/// that stops early (a panic) is said to have failed, so that none concludes from
/// half the files.
fn start_pass(
    planned: &[PlannedProbe],
    ctx: &Arc<ProbeContext>,
) -> Option<tokio::task::JoinHandle<()>> {
    let readers: Vec<Arc<dyn Probe>> = planned
        .iter()
        .filter_map(|p| p.probe.as_ref().ok())
        .filter(|p| p.reads_files())
        .cloned()
        .collect();
    if readers.is_empty() {
        return None;
    }
    ctx.files.expect_pass();
    let ctx = Arc::clone(ctx);
    Some(tokio::task::spawn_blocking(move || {
        struct End(Arc<ProbeContext>, bool);
        impl Drop for End {
            fn drop(&mut self) {
                self.0.files.end_pass(self.1);
            }
        }
        let mut end = End(Arc::clone(&ctx), false);
        // Each reader chooses its files on a core of its own (a glob per file).
        let visitors: Vec<Arc<dyn Visitor>> = std::thread::scope(|scope| {
            let choosing: Vec<_> = readers
                .iter()
                .map(|p| scope.spawn(|| p.visitor(&ctx)))
                .collect();
            choosing
                .into_iter()
                .filter_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let refs: Vec<&dyn Visitor> = visitors.iter().map(|v| &**v).collect();
        crate::system::walk::pass_via(&refs, Some(&ctx.files.reads));
        end.1 = true;
    }))
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
    let mut planned = plan(checklist, selection, options);
    // The probes of this run share one listing of the project's files, and one pass
    // over their contents.
    let ctx = Arc::new(ctx.for_run());
    let mut finished = HashMap::new();
    let memo = options.memo.as_ref().map(|m| {
        let from_files: Vec<(String, ProbeId)> = planned
            .iter()
            .filter(|p| p.probe.as_ref().is_ok_and(|p| p.concludes_from_files()))
            .map(|p| (p.key.clone(), p.id))
            .collect();
        (m, from_files)
    });
    let stamp = match &memo {
        Some((_, from_files)) if !from_files.is_empty() => {
            let ctx = Arc::clone(&ctx);
            tokio::task::spawn_blocking(move || FilesStamp::of(ctx.project_files_with_ignored()))
                .await
                .ok()
        }
        _ => None,
    };
    if let (Some((m, _)), Some(stamp)) = (&memo, &stamp)
        && m.reuse
    {
        take_kept(&m.memo, stamp, &ctx, &mut planned, &mut finished, &events);
    }
    // Not waited for at the end: a reader that timed out does not hold the run.
    let _pass = start_pass(&planned, &ctx);
    let environment = ctx.environment.clone();
    finished.extend(execute(planned, ctx, options.concurrency, events).await);
    if let Some((m, from_files)) = &memo
        && !from_files.is_empty()
    {
        // Kept only with a stamp taken before the files were read, and settled: a file
        // that changes meanwhile, or within the clock's tick, is read again next time.
        let outcomes = from_files.iter().filter_map(|(key, id)| {
            // A reused outcome is kept as it was first found.
            let mut outcome = finished.get(id)?.outcome.clone();
            outcome.evidence.retain(|e| e.message != REUSED);
            Some((key.clone(), outcome))
        });
        let mut kept = m.memo.lock();
        match (stamp.filter(|s| s.settled), kept.as_mut()) {
            // The same files: this run's outcomes join the others kept (a rerun of one
            // item does not make the memo forget the rest).
            (Some(stamp), Some(k)) if k.stamp == stamp && k.environment == environment => {
                k.outcomes.extend(outcomes);
            }
            (Some(stamp), _) => {
                *kept = Some(Kept {
                    environment,
                    stamp,
                    outcomes: outcomes.collect(),
                });
            }
            (None, _) => *kept = None,
        }
    }
    selection
        .iter()
        .filter_map(|&item_index| {
            let item = checklist.items.get(item_index)?;
            let probes: Vec<ProbeResult> = item
                .probes
                .iter()
                .enumerate()
                .map(|(p, spec)| {
                    finished
                        .remove(&ProbeId {
                            item: item_index,
                            probe: p,
                        })
                        .unwrap_or_else(|| ProbeResult {
                            kind: spec.kind.clone(),
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::config::Config;
    use crate::probe::{ProbeFuture, ProbeStatus};

    /// A probe that sleeps, recording how many run at once.
    #[derive(Debug)]
    struct Sleeper {
        sleep: Duration,
        running: Arc<AtomicUsize>,
        peak: Arc<AtomicUsize>,
    }

    impl Probe for Sleeper {
        fn run(self: Arc<Self>, _ctx: Arc<ProbeContext>) -> ProbeFuture {
            Box::pin(async move {
                let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
                self.peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(self.sleep).await;
                self.running.fetch_sub(1, Ordering::SeqCst);
                ProbeOutcome::pass("slept")
            })
        }
    }

    fn ctx() -> Arc<ProbeContext> {
        Arc::new(ProbeContext::new(
            ".".into(),
            Arc::new(Config::default()),
            Default::default(),
        ))
    }

    /// A probe reading every `*.txt` of the project through the run's pass, whose
    /// visits panic on a file named `boom.txt` when `fragile`.
    #[derive(Debug)]
    struct Reader {
        fragile: bool,
        share: crate::probe::pass::Share<Vec<usize>>,
    }

    impl Reader {
        fn prepare(
            &self,
            ctx: &ProbeContext,
        ) -> Result<crate::system::walk::Collect<'static, Vec<usize>>, ProbeOutcome> {
            let fragile = self.fragile;
            Ok(crate::system::walk::Collect::of(
                Arc::clone(ctx.project_files_shared()),
                |f| f.rel.ends_with(".txt"),
                crate::system::walk::Content::Text,
                move |file, bytes| {
                    assert!(!(fragile && file.rel == "boom.txt"), "a visitor's bug");
                    vec![bytes.len()]
                },
            ))
        }
    }

    impl Probe for Reader {
        fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
            crate::probe::on_blocking_pool(self, ctx, Self::check)
        }

        fn reads_files(&self) -> bool {
            true
        }

        fn visitor(&self, ctx: &ProbeContext) -> Option<Arc<dyn Visitor>> {
            self.share.visitor(|| self.prepare(ctx))
        }
    }

    impl Reader {
        fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
            match self.share.results(ctx, || self.prepare(ctx)) {
                Ok((found, _, read)) => {
                    ProbeOutcome::pass(format!("{read} read, {} found", found.len()))
                }
                Err(outcome) => outcome,
            }
        }
    }

    async fn readers(fragile: bool) -> Vec<ProbeOutcome> {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.txt", "boom.txt", "c.txt"] {
            std::fs::write(dir.path().join(name), "text").unwrap();
        }
        let ctx = Arc::new(
            ProbeContext::new(
                dir.path().to_path_buf(),
                Arc::new(Config::default()),
                Default::default(),
            )
            .for_run(),
        );
        let planned: Vec<PlannedProbe> = [fragile, false]
            .into_iter()
            .enumerate()
            .map(|(i, fragile)| PlannedProbe {
                id: ProbeId { item: i, probe: 0 },
                kind: "reader".into(),
                probe: Ok(Arc::new(Reader {
                    fragile,
                    share: Default::default(),
                }) as Arc<dyn Probe>),
                timeout: Duration::from_secs(10),
                shared_with: Vec::new(),
                key: format!("{i}"),
            })
            .collect();
        let _pass = start_pass(&planned, &ctx);
        let mut results = execute(planned, ctx, 4, None).await;
        (0..2)
            .map(|i| {
                results
                    .remove(&ProbeId { item: i, probe: 0 })
                    .unwrap()
                    .outcome
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readers_share_one_pass_and_a_failed_pass_concludes_nothing() {
        let outcomes = readers(false).await;
        for o in &outcomes {
            assert_eq!(o.status, ProbeStatus::Pass, "{o:?}");
            assert_eq!(o.summary, "3 read, 3 found");
        }
        // One visitor's bug stops the pass: neither reader passes on half the files.
        let outcomes = readers(true).await;
        for o in &outcomes {
            assert_eq!(o.status, ProbeStatus::Error, "{o:?}");
            assert!(o.summary.contains("stopped early"), "{o:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn timeouts_and_the_concurrency_bound_hold() {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let planned: Vec<PlannedProbe> = (0..6)
            .map(|i| PlannedProbe {
                id: ProbeId { item: i, probe: 0 },
                kind: "sleeper".into(),
                probe: Ok(Arc::new(Sleeper {
                    sleep: Duration::from_secs(if i == 5 { 3600 } else { 1 }),
                    running: running.clone(),
                    peak: peak.clone(),
                }) as Arc<dyn Probe>),
                timeout: Duration::from_secs(5),
                shared_with: Vec::new(),
                key: format!("{i}"),
            })
            .collect();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let results = execute(planned, ctx(), 2, Some(tx)).await;
        assert_eq!(peak.load(Ordering::SeqCst), 2, "never more than the bound");
        let stuck = &results[&ProbeId { item: 5, probe: 0 }];
        assert_eq!(stuck.outcome, ProbeOutcome::error("timed out after 5s"));
        assert!(
            results
                .values()
                .filter(|r| r.outcome.status == ProbeStatus::Pass)
                .count()
                == 5
        );
        let mut started = 0;
        let mut finished = 0;
        while let Ok(event) = rx.try_recv() {
            match event {
                RunEvent::Started(_) => started += 1,
                RunEvent::Finished(..) => finished += 1,
            }
        }
        assert_eq!((started, finished), (6, 6));
    }
}
