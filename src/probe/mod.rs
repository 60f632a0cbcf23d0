//! Probes: live checks that produce evidence, one module per kind behind one trait.
//!
//! A probe reads the world through the system layer (files, git, sockets, servers) and
//! returns a [`ProbeOutcome`]. Probes never touch the terminal and never print a
//! secret: evidence holds file locations, addresses and values that are safe to put in
//! a ticket. A probe that examined nothing says so (`skipped` or `error`), never `pass`.
//!
//! - [`outcome`]: what a probe concludes, and an item's status derived from it;
//! - [`events`]: the runner's progress events, the interface to its consumers;
//! - [`context`]: what a probe may read;
//! - [`runner`]: plans and runs probes concurrently under timeouts;
//! - [`pass`]: a probe's share of the run's one pass over the project's files;
//! - [`catalog`]: every kind with its parameters;
//! - [`consent`]: the programs a run would start that need the user's yes;
//! - [`shared`]: helpers several kinds use (Compose files, git patterns, PostgreSQL
//!   connections);
//! - [`kinds`]: one module per probe kind.

pub mod catalog;
pub mod consent;
pub mod context;
pub mod events;
pub mod kinds;
pub mod outcome;
pub mod pass;
pub mod runner;
pub mod shared;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::system::walk::Visitor;
pub use context::ProbeContext;
pub use outcome::{
    Evidence, EvidenceStatus, HostOutcome, ItemResult, ItemStatus, ProbeOutcome, ProbeResult,
    ProbeStatus,
};

/// The future a probe returns.
pub type ProbeFuture = Pin<Box<dyn Future<Output = ProbeOutcome> + Send + 'static>>;

/// A configured check, ready to run any number of times.
pub trait Probe: Send + Sync + fmt::Debug + 'static {
    /// Runs the check. The runner applies the timeout; a probe that talks to the network
    /// also bounds each of its own steps.
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture;

    /// Whether it reads the contents of the project's files (then it takes them from
    /// the run's one pass: see [`pass`]).
    fn reads_files(&self) -> bool {
        false
    }

    /// Its share of the run's pass over the project's files, prepared once (on the
    /// pass's thread, before any file is read): which files, and what it does with
    /// each. `None` when it reads none after all (its `run` says why).
    fn visitor(&self, _ctx: &ProbeContext) -> Option<Arc<dyn Visitor>> {
        None
    }

    /// The environment whose servers it checks, when it checks a server: where that
    /// environment lists several (`hosts`), the runner runs it once per host (each
    /// under its own timeout, within `--jobs`) and merges the verdicts.
    fn environment<'a>(&'a self, _ctx: &'a ProbeContext) -> Option<&'a str> {
        None
    }

    /// Whether what it concludes follows from the project's files alone (and its
    /// parameters): then a rerun that finds no file changed may take its last outcome
    /// instead of reading every file again (see [`runner::PassMemo`]).
    fn concludes_from_files(&self) -> bool {
        false
    }
}

/// A probe that does blocking work (files, child processes): it runs on tokio's
/// blocking pool so it never stalls the event loop. A blocking probe that declares
/// more (files it reads, servers it checks) implements [`Probe`] itself and runs its
/// check through [`on_blocking_pool`].
pub trait BlockingProbe: Send + Sync + fmt::Debug + 'static {
    /// Runs the check synchronously.
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome;
}

impl<T: BlockingProbe> Probe for T {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        on_blocking_pool(self, ctx, T::check)
    }
}

/// Runs `check` of `probe` on tokio's blocking pool; a panic or a cancellation is an
/// `error`, never a verdict.
pub fn on_blocking_pool<T: Send + Sync + 'static>(
    probe: Arc<T>,
    ctx: Arc<ProbeContext>,
    check: fn(&T, &ProbeContext) -> ProbeOutcome,
) -> ProbeFuture {
    Box::pin(async move {
        match tokio::task::spawn_blocking(move || check(&probe, &ctx)).await {
            Ok(outcome) => outcome,
            Err(e) if e.is_panic() => {
                ProbeOutcome::error("the probe panicked (this is a bug in preflight)")
            }
            Err(_) => ProbeOutcome::error("the probe was cancelled"),
        }
    })
}
