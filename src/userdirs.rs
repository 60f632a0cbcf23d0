//! Per-user files in the platform's directories (the `directories` crate): settings in
//! the configuration directory (`settings.toml`) and the last-run cache in the cache
//! directory. Sign-offs never live here: the ledger belongs to the project.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::{Deserialize, Serialize};

use crate::checklist::sha256_hex;
use crate::config::ConfigError;
use crate::diagnostic::SourceFile;
use crate::probe::runner::ItemStatus;
use crate::timestamp::Timestamp;
use crate::toml_reader::{TomlReader, parse_document};

/// The user's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The identity to sign with when `--as` is not given, `Name <email>`; it takes
    /// precedence over git's `user.name` and `user.email`.
    pub identity: Option<String>,
}

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

/// The user's directories for preflight.
#[derive(Debug, Clone)]
pub struct UserDirs {
    config: PathBuf,
    cache: PathBuf,
}

impl UserDirs {
    /// The platform's directories (on Linux `$XDG_CONFIG_HOME/preflight` and
    /// `$XDG_CACHE_HOME/preflight`), or `None` without a home directory.
    pub fn discover() -> Option<UserDirs> {
        let dirs = ProjectDirs::from("", "", "preflight")?;
        Some(UserDirs {
            config: dirs.config_dir().to_path_buf(),
            cache: dirs.cache_dir().to_path_buf(),
        })
    }

    /// The settings file.
    pub fn settings_path(&self) -> PathBuf {
        self.config.join("settings.toml")
    }

    /// Reads the settings; a missing file means defaults.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let path = self.settings_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(source) => return Err(ConfigError::Io { path, source }),
        };
        let source = SourceFile::new(&path, text);
        let doc = parse_document(&source).map_err(ConfigError::Invalid)?;
        let mut r = TomlReader::new(&source);
        r.reject_unknown_keys(doc.get_ref(), &["identity"], "settings.toml");
        let identity = r.string(doc.get_ref(), 0..0, "identity", false, "settings.toml");
        let diagnostics = r.finish();
        if diagnostics.is_empty() {
            Ok(Settings { identity })
        } else {
            Err(ConfigError::Invalid(diagnostics))
        }
    }

    fn last_run_path(&self, project_dir: &Path) -> PathBuf {
        let key = sha256_hex(project_dir.to_string_lossy().as_bytes());
        self.cache
            .join("last-run")
            .join(format!("{}.json", &key[..32]))
    }

    /// The last run recorded for a project, if any (an unreadable cache is ignored).
    pub fn last_run(&self, project_dir: &Path) -> Option<LastRun> {
        let text = std::fs::read_to_string(self.last_run_path(project_dir)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Records a run: the items that ran replace their earlier statuses. Written to a
    /// temporary file and renamed, so a reader never sees half a file.
    pub fn save_last_run(&self, project_dir: &Path, run: LastRun) -> std::io::Result<()> {
        let path = self.last_run_path(project_dir);
        let mut merged = match self.last_run(project_dir) {
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
