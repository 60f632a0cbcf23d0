//! The probe statuses of a project's last run, kept in the user's cache directory, so
//! `status` can show what changed since. A convenience: an unreadable or unwritable
//! cache never affects a command's result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::base::digest::sha256_hex;
use crate::base::timestamp::Timestamp;
use crate::config::user::UserDirs;
use crate::probe::ItemStatus;

/// The probe statuses of a project's last run, to show what changed since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRun {
    /// The checklist that ran.
    pub checklist: String,
    /// When.
    pub at: Timestamp,
    /// Each item's status.
    pub items: BTreeMap<String, ItemStatus>,
}

fn last_run_path(dirs: &UserDirs, project_dir: &Path) -> PathBuf {
    let key = sha256_hex(project_dir.to_string_lossy().as_bytes());
    dirs.cache_dir()
        .join("last-run")
        .join(format!("{}.json", &key[..32]))
}

/// The last run recorded for a project, if any (an unreadable cache is ignored).
pub fn last_run(dirs: &UserDirs, project_dir: &Path) -> Option<LastRun> {
    let text = std::fs::read_to_string(last_run_path(dirs, project_dir)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Records a run: the items that ran replace their earlier statuses. Written to a
/// temporary file and renamed, so a reader never sees half a file.
pub fn save_last_run(dirs: &UserDirs, project_dir: &Path, run: LastRun) -> std::io::Result<()> {
    let path = last_run_path(dirs, project_dir);
    let mut merged = match last_run(dirs, project_dir) {
        Some(old) if old.checklist == run.checklist => old,
        _ => LastRun {
            items: BTreeMap::new(),
            ..run.clone()
        },
    };
    merged.at = run.at;
    merged.items.extend(run.items);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&tmp, serde_json::to_vec(&merged).unwrap_or_default())?;
    std::fs::rename(&tmp, &path)
}

/// Items whose status differs from the last run: `(id, before, now)`.
pub fn changes_since(
    last: &LastRun,
    now: &BTreeMap<String, ItemStatus>,
) -> Vec<(String, ItemStatus, ItemStatus)> {
    now.iter()
        .filter_map(|(id, status)| {
            let before = *last.items.get(id)?;
            (before != *status).then(|| (id.clone(), before, *status))
        })
        .collect()
}
