//! `preflight demo`: a sandbox project with deliberate mistakes beside correct examples,
//! so a newcomer sees every probe kind pass and fail without any set-up.
//!
//! The sandbox is a git repository in a temporary directory: a committed `.env`, a
//! Compose file publishing PostgreSQL on every interface next to one bound to
//! localhost, a weak development password in `.env.example`, a world-readable TLS key
//! next to a private `.mcp.json`, and the demo checklist.

use std::path::Path;
use std::process::Command;

/// The demo's checklist (also written into the sandbox as `checklist.toml`).
pub const CHECKLIST: &str = include_str!("../assets/demo/checklist.toml");

/// Variables the demo adds to its probes' environment (for the passing `env-vars`
/// example).
pub const DEMO_VARS: &[(&str, &str)] = &[("APP_ENV", "production")];

/// Why the sandbox could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A file could not be written.
    #[error("cannot create the demo sandbox: {0}")]
    Io(#[from] std::io::Error),
    /// git is missing or failed.
    #[error("cannot create the demo's git repository (`git {0}`): {1}")]
    Git(String, String),
}

const FILES: &[(&str, &str, u32)] = &[
    ("checklist.toml", CHECKLIST, 0o644),
    (
        "preflight.toml",
        "# The demo's configuration: its own checklist, and the ledger in .preflight/.\nchecklist = \"checklist.toml\"\n",
        0o644,
    ),
    (
        "docker-compose.yml",
        "# Development: the database port is published on every interface (the mistake).\nservices:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${PG_PASSWORD:-contextforge}\n    ports:\n      - \"5434:5432\"\n",
        0o644,
    ),
    (
        "deploy/docker-compose.prod.yml",
        "# Production: bound to localhost (the good example).\nservices:\n  db:\n    image: postgres:16\n    ports:\n      - \"127.0.0.1:5432:5432\"\n",
        0o644,
    ),
    (
        ".env",
        "# Committed by mistake.\nPG_HOST=localhost\nPG_PORT=5434\nPG_USER=contextforge\nPG_PASSWORD=contextforge\n",
        0o600,
    ),
    (
        ".env.example",
        "# The development defaults, with the weak password the guides warn about.\nPG_HOST=localhost\nPG_PORT=5434\nPG_DATABASE=taskman_v2\nPG_USER=contextforge\nPG_PASSWORD=contextforge\n",
        0o644,
    ),
    (
        ".gitignore",
        "# .env.staging is missing here (the mistake), and .env was committed before this file existed.\n.env\n.env.production\nsecrets/\n",
        0o644,
    ),
    (
        ".mcp.json",
        "{ \"mcpServers\": { \"postgres\": { \"env\": { \"DATABASE_URL\": \"postgresql://localhost:5434/taskman_v2\" } } } }\n",
        0o600,
    ),
    (
        "certs/server.key",
        "-----BEGIN PRIVATE KEY-----\n(demo placeholder, not a key)\n-----END PRIVATE KEY-----\n",
        0o644,
    ),
];

/// Writes the sandbox into `dir` (which must exist and be empty) and commits it.
pub fn populate(dir: &Path) -> Result<(), DemoError> {
    use std::os::unix::fs::PermissionsExt;
    for (path, text, mode) in FILES {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&file, text)?;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(*mode))?;
    }
    git(dir, &["init", "-q"])?;
    // `.env` is committed on purpose; `-f` gets it past the ignore rule.
    git(dir, &["add", "-f", "."])?;
    git(dir, &["commit", "-q", "-m", "demo project"])?;
    Ok(())
}

fn git(dir: &Path, args: &[&str]) -> Result<(), DemoError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "preflight demo")
        .env("GIT_AUTHOR_EMAIL", "demo@preflight.invalid")
        .env("GIT_COMMITTER_NAME", "preflight demo")
        .env("GIT_COMMITTER_EMAIL", "demo@preflight.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .map_err(|e| DemoError::Git(args.join(" "), e.to_string()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(DemoError::Git(
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ))
    }
}
