//! A probe's share of the run's one pass over the project's files.
//!
//! Every probe that reads file contents (secret-scan, sql-injection,
//! connection-string, credential-difference, ...) declares what it reads as a
//! [`Collect`] visitor. Before any file is read, the runner asks each probe of the run
//! for its visitor ([`super::Probe::visitor`]) and makes one pass over the union of
//! their files ([`walk::pass`]): each file is read once, on every core, and handed to
//! every visitor that wants it; the probes then conclude from what their visitor
//! collected. Run alone (a test, or outside the runner), a probe makes a pass of its
//! own with its one visitor.

use std::sync::{Arc, OnceLock};

use super::context::PassEnd;
use super::{ProbeContext, ProbeOutcome};
use crate::system::walk::{self, Collect, Found, Skipped, Visitor};

/// A probe's visitor for one run: prepared once, by the pass or by the probe itself,
/// whichever asks first; or the outcome that made reading pointless (nothing to read).
pub struct Share<T> {
    cell: OnceLock<Result<Arc<Collect<'static, T>>, ProbeOutcome>>,
}

impl<T> Default for Share<T> {
    fn default() -> Self {
        Share {
            cell: OnceLock::new(),
        }
    }
}

impl<T> std::fmt::Debug for Share<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Share")
            .field("prepared", &self.cell.get().is_some())
            .finish()
    }
}

impl<T: Send + Found + 'static> Share<T> {
    /// The visitor, prepared by `prepare` on the first call.
    fn get(
        &self,
        prepare: impl FnOnce() -> Result<Collect<'static, T>, ProbeOutcome>,
    ) -> Result<Arc<Collect<'static, T>>, ProbeOutcome> {
        self.cell.get_or_init(|| prepare().map(Arc::new)).clone()
    }

    /// The visitor as the pass takes it (see [`super::Probe::visitor`]).
    pub fn visitor(
        &self,
        prepare: impl FnOnce() -> Result<Collect<'static, T>, ProbeOutcome>,
    ) -> Option<Arc<dyn Visitor>> {
        self.get(prepare).ok().map(|c| c as Arc<dyn Visitor>)
    }

    /// The visitor after the run's pass (waited for), or after a pass of its own
    /// when the run makes none, for a probe that reads what it collected itself.
    pub fn collected(
        &self,
        ctx: &ProbeContext,
        prepare: impl FnOnce() -> Result<Collect<'static, T>, ProbeOutcome>,
    ) -> Result<Arc<Collect<'static, T>>, ProbeOutcome> {
        let collect = self.get(prepare)?;
        match ctx.files.await_pass() {
            PassEnd::None => walk::pass_via(&[&*collect], Some(&ctx.files.reads)),
            PassEnd::Completed => {}
            PassEnd::Failed => {
                return Err(ProbeOutcome::error(
                    "the run's pass over the project's files stopped early (this is a bug in preflight): nothing concluded",
                ));
            }
        }
        Ok(collect)
    }

    /// What the visits found (files that found nothing left out), the files not read,
    /// and how many were read: after the run's pass (waited for), or after a pass of
    /// its own when the run makes none. `Err` is the outcome `prepare` gave instead
    /// of a visitor.
    pub fn results(
        &self,
        ctx: &ProbeContext,
        prepare: impl FnOnce() -> Result<Collect<'static, T>, ProbeOutcome>,
    ) -> Result<(Vec<T>, Vec<Skipped>, usize), ProbeOutcome> {
        let collect = self.collected(ctx, prepare)?;
        let (found, skipped) = collect.take();
        Ok((found, skipped, collect.visited()))
    }
}
