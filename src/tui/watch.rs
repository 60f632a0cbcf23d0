//! Watching the ledger while the UI is open: records written by another terminal,
//! another person or a `git pull` are folded in within a second.
//!
//! The folder holding the ledger is watched (git replaces the file rather than
//! writing into it); a burst of changes is read once, after [`SETTLE`], and handed to
//! the UI as [`Action::LedgerChanged`]. A project without the folder yet is not
//! watched (the UI creates nothing to watch it).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc::{self, UnboundedSender};

use super::app::Action;
use crate::signoff::{Ledger, Trust};

/// How long to wait for a burst of changes to end before reading.
pub const SETTLE: Duration = Duration::from_millis(150);

/// Starts watching; the watch ends when the returned watcher is dropped.
pub fn start(
    ledger: Ledger,
    trust: Arc<Trust>,
    tx: UnboundedSender<Action>,
) -> Result<notify::RecommendedWatcher, String> {
    let path = ledger.path().to_path_buf();
    let folder: PathBuf = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let name = path.file_name().map(std::ffi::OsStr::to_os_string);
    let (changed_tx, mut changed) = mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if event.kind.is_access() {
            return;
        }
        if event.paths.iter().any(|p| p.file_name() == name.as_deref()) {
            let _ = changed_tx.send(());
        }
    })
    .map_err(|e| e.to_string())?;
    // Nothing is created in the project to watch it: without the folder (no record
    // yet), the UI re-reads the ledger after its own records only.
    watcher
        .watch(&folder, RecursiveMode::NonRecursive)
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        while changed.recv().await.is_some() {
            tokio::time::sleep(SETTLE).await;
            while changed.try_recv().is_ok() {}
            let ledger = ledger.clone();
            let trust = Arc::clone(&trust);
            let read =
                tokio::task::spawn_blocking(move || super::read_ledger(&ledger, &trust)).await;
            let contents = read.unwrap_or_else(|e| Err(e.to_string()));
            if tx.send(Action::LedgerChanged(contents)).is_err() {
                break;
            }
        }
    });
    Ok(watcher)
}
