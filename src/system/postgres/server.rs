//! Where the PostgreSQL server package is on this machine, and whom its commands must
//! run as: shared by `preflight demo` and the test harness's throwaway clusters.

use std::path::Path;

/// The PostgreSQL server binaries: `initdb` on PATH, else the newest
/// `/usr/lib/postgresql/*/bin`.
pub fn bindir() -> Option<std::path::PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
            .map(|d| d.join("initdb"))
            .and_then(|p| std::fs::canonicalize(p).ok())
            .and_then(|p| p.parent().map(Path::to_path_buf))
    });
    on_path.or_else(|| {
        let mut dirs: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
            .collect();
        dirs.sort();
        dirs.pop()
    })
}

/// Why the server's commands have no user to run as.
#[derive(Debug, thiserror::Error)]
pub enum OwnerError {
    /// `/etc/passwd` could not be read.
    #[error("cannot read /etc/passwd: {0}")]
    Passwd(std::io::Error),
    /// Root, but no `postgres` user.
    #[error("running as root, and there is no `postgres` user to run the server")]
    NoUser,
    /// The `postgres` line has no numeric ids.
    #[error("cannot read the `postgres` user's ids")]
    BadIds,
}

/// As root, the `postgres` user's uid and gid (initdb refuses to run as root).
pub fn owner() -> Result<Option<(u32, u32)>, OwnerError> {
    if !rustix::process::geteuid().is_root() {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(OwnerError::Passwd)?;
    let fields: Vec<&str> = passwd
        .lines()
        .find(|l| l.starts_with("postgres:"))
        .ok_or(OwnerError::NoUser)?
        .split(':')
        .collect();
    match (
        fields.get(2).and_then(|u| u.parse().ok()),
        fields.get(3).and_then(|g| g.parse().ok()),
    ) {
        (Some(uid), Some(gid)) => Ok(Some((uid, gid))),
        _ => Err(OwnerError::BadIds),
    }
}
