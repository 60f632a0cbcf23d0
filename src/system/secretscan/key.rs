//! The project's fingerprint key, `.preflight/fingerprint-key`: 32 random bytes as hex,
//! created on first use and meant to be committed, so every clone and CI run computes
//! the same fingerprints.
//!
//! Why a key: a fingerprint must change with the value (allowing `PG_PASSWORD=postgres`
//! must not allow the production password later written on the same line), yet
//! fingerprints travel in reports and tickets, and a plain hash of a short password is
//! reversed by trying every candidate. Under a key, trying candidates needs the key,
//! which lives beside the files holding the secrets: whoever can read it can read the
//! secrets anyway. A slow hash would also do, but costs every finding time and would
//! still fall to a dictionary for `postgres`.

use std::io::Write;
use std::path::Path;

use crate::base::fs::{Links, ReadError, read_text};
use crate::base::secret::Secret;

/// Where the key lives, relative to the project.
pub const KEY_FILE: &str = ".preflight/fingerprint-key";

/// How the key was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    /// Read from [`KEY_FILE`].
    Read,
    /// Created now at [`KEY_FILE`] (commit it).
    Created,
    /// Made for this run only: the file could not be read or written (why).
    Ephemeral(String),
}

/// Why the key file is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// It exists but could not be read.
    #[error("{KEY_FILE}: {0}")]
    Unreadable(ReadError),
    /// It holds something other than at least 32 hex digits.
    #[error("{KEY_FILE}: not a key (expected 64 hex digits); delete it to make a new one")]
    Malformed,
}

/// The project's key: read, or created when missing, or made for this run when it
/// cannot be written.
pub fn project_key(project: &Path) -> Result<(Secret, KeyOrigin), KeyError> {
    let path = project.join(KEY_FILE);
    match read_text(&path, 1024, Links::Refuse) {
        Ok(text) => {
            let key = text.trim();
            if key.len() >= 32 && key.chars().all(|c| c.is_ascii_hexdigit()) {
                Ok((Secret::new(key.to_ascii_lowercase()), KeyOrigin::Read))
            } else {
                Err(KeyError::Malformed)
            }
        }
        Err(ReadError::Missing(_)) => {
            let key = ephemeral_key()
                .map_err(|e| KeyError::Unreadable(ReadError::Unreadable(e.to_string())))?;
            match create(&path, &key) {
                Ok(()) => Ok((key, KeyOrigin::Created)),
                Err(e) => Ok((key, KeyOrigin::Ephemeral(e.to_string()))),
            }
        }
        Err(e) => Err(KeyError::Unreadable(e)),
    }
}

/// A key for this run only: 32 bytes from the operating system's generator, as hex.
pub fn ephemeral_key() -> std::io::Result<Secret> {
    let mut bytes = [0u8; 32];
    let mut filled = 0;
    while filled < bytes.len() {
        filled +=
            rustix::rand::getrandom(&mut bytes[filled..], rustix::rand::GetRandomFlags::empty())?;
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Secret::new(hex))
}

/// Writes a new key file; never replaces or follows anything already there, and
/// never writes through a `.preflight` that is a symbolic link (a checked branch could
/// point it anywhere).
fn create(path: &Path, key: &Secret) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        match std::fs::symlink_metadata(dir) {
            Ok(meta) if !meta.file_type().is_dir() => {
                return Err(std::io::Error::other(format!(
                    "{} is not a folder",
                    dir.display()
                )));
            }
            Ok(_) => {}
            Err(_) => std::fs::create_dir(dir)?,
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(format!("{}\n", key.expose()).as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_read() {
        let dir = tempfile::tempdir().unwrap();
        let (first, origin) = project_key(dir.path()).unwrap();
        assert_eq!(origin, KeyOrigin::Created);
        assert_eq!(first.expose().len(), 64);
        let (again, origin) = project_key(dir.path()).unwrap();
        assert_eq!(origin, KeyOrigin::Read);
        assert_eq!(first, again);
        let other = tempfile::tempdir().unwrap();
        assert_ne!(project_key(other.path()).unwrap().0, first);
    }

    #[test]
    fn refuses_what_is_not_a_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".preflight")).unwrap();
        std::fs::write(dir.path().join(KEY_FILE), "short\n").unwrap();
        assert_eq!(project_key(dir.path()).unwrap_err(), KeyError::Malformed);
        std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join(KEY_FILE)).unwrap();
        assert!(matches!(
            project_key(dir.path()),
            Err(KeyError::Unreadable(_))
        ));
    }

    #[test]
    fn never_writes_through_a_linked_folder() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(".preflight")).unwrap();
        let (_, origin) = project_key(dir.path()).unwrap();
        assert!(matches!(origin, KeyOrigin::Ephemeral(_)), "{origin:?}");
        assert!(!elsewhere.path().join("fingerprint-key").exists());
    }
}
