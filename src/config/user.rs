//! The user's own files, in the platform's directories (the `directories` crate):
//! settings in the configuration directory (`settings.toml`) and a cache directory
//! that the commands keep their last-run record in. Sign-offs never live here: the
//! ledger belongs to the project.

use std::path::PathBuf;

use directories::ProjectDirs;

use super::{ConfigError, MAX_CONFIG};
use crate::base::diagnostic::SourceFile;
use crate::base::fs::{self, Links, ReadError};
use crate::base::toml_reader::{TomlReader, parse_document};

/// The user's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The identity to sign with when `--as` is not given, `Name <email>`; it takes
    /// precedence over git's `user.name` and `user.email`.
    pub identity: Option<String>,
    /// The SSH key to sign records with (as `--key`); it takes precedence over git's
    /// `user.signingKey`.
    pub signing_key: Option<String>,
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

    /// The cache directory (its contents can be deleted at any time).
    pub fn cache_dir(&self) -> &std::path::Path {
        &self.cache
    }

    /// Reads the settings; a missing file means defaults.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let path = self.settings_path();
        let text = match fs::read_text(&path, MAX_CONFIG, Links::Follow) {
            Ok(t) => t,
            Err(ReadError::Missing(_)) => return Ok(Settings::default()),
            Err(reason) => return Err(ConfigError::Io { path, reason }),
        };
        let source = SourceFile::new(&path, text);
        let doc = parse_document(&source).map_err(ConfigError::Invalid)?;
        let mut r = TomlReader::new(&source);
        r.reject_unknown_keys(doc.get_ref(), &["identity", "signing_key"], "settings.toml");
        let identity = r.string(doc.get_ref(), 0..0, "identity", false, "settings.toml");
        let signing_key = r.string(doc.get_ref(), 0..0, "signing_key", false, "settings.toml");
        let diagnostics = r.finish();
        if diagnostics.is_empty() {
            Ok(Settings {
                identity,
                signing_key,
            })
        } else {
            Err(ConfigError::Invalid(diagnostics))
        }
    }
}
