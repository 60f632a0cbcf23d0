//! `preflight demo`: a sandbox project with deliberate mistakes beside correct examples,
//! so a newcomer sees every probe kind pass and fail without any set-up.
//!
//! The sandbox is a git repository in a temporary directory: a committed `.env`, a
//! Compose file publishing PostgreSQL on every interface next to one bound to
//! localhost, a weak development password in `.env.example`, a world-readable TLS key
//! next to a private `.mcp.json`, and the demo checklist.

use std::path::Path;
use std::process::Command;

use crate::system::postgres::server::OwnerError;
use crate::system::postgres::{ConnectError, QueryError};

/// The demo's checklist (also written into the sandbox as `checklist.toml`).
pub const CHECKLIST: &str = include_str!("../../assets/demo/checklist.toml");

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

/// Why the demo's database could not start (the demo then goes on without it).
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No user to run the server as.
    #[error(transparent)]
    Owner(#[from] OwnerError),
    /// A file or folder of the cluster could not be made.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A server command could not run.
    #[error("{what}: {source}")]
    Spawn {
        /// The command.
        what: String,
        /// Why.
        source: std::io::Error,
    },
    /// A server command failed.
    #[error("{what} failed: {stderr}")]
    Failed {
        /// The command.
        what: String,
        /// What it said.
        stderr: String,
    },
    /// The new cluster refused the demo's connection.
    #[error("{0}")]
    Connect(#[from] ConnectError),
    /// Setting up the demo's roles failed.
    #[error("{0}")]
    Query(#[from] QueryError),
}

const FILES: &[(&str, &str, u32)] = &[
    ("checklist.toml", CHECKLIST, 0o644),
    (
        "preflight.toml",
        "# The demo's configuration: its own checklist, and the ledger in .preflight/.\nchecklist = \"checklist.toml\"\n\n# Staging reuses the development credentials (the mistake). It lives on this machine:\n# port 9 is closed (its database probes say they cannot connect) unless the demo's own\n# cluster runs, which it then shares.\n[environments.staging]\nhost = \"127.0.0.1\"\nport = 9\ndatabase = \"taskman_v2\"\nuser = { dotenv = \".env.staging\", key = \"PG_USER\" }\npassword = { dotenv = \".env.staging\", key = \"PG_PASSWORD\" }\n",
        0o644,
    ),
    (
        "docker-compose.yml",
        "# Development: the database port is published on every interface (the mistake).\nservices:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${PG_PASSWORD:-contextforge}\n    ports:\n      - \"5434:5432\"\n",
        0o644,
    ),
    (
        "deploy/docker-compose.prod.yml",
        "# Production: bound to localhost, the password from an external Docker secret (the good example).\nservices:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets:\n      - db_password\n    ports:\n      - \"127.0.0.1:5432:5432\"\nsecrets:\n  db_password:\n    external: true\n",
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
        ".env.staging",
        "# Staging: the development user and password again.\nPG_USER=contextforge\nPG_PASSWORD=contextforge\n",
        0o600,
    ),
    (
        "deploy/production.env",
        "# The good example: no password in the URL, TLS with certificate verification.\nDATABASE_URL=postgresql://contextforge_prod@db.prod.internal:5432/taskman_v2?sslmode=verify-full\n",
        0o644,
    ),
    (
        "Dockerfile",
        "FROM python:3.12-slim\n# The mistake: the password is baked into the image.\nENV PG_PASSWORD=contextforge\nCOPY scripts/ /app/scripts/\n",
        0o644,
    ),
    (
        "scripts/db_auth.py",
        "def find_user(cursor, name):\n    # The mistake: SQL built with an f-string.\n    cursor.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n    return cursor.fetchone()\n\n\ndef find_task(cursor, task_id):\n    # The good example: a query parameter.\n    cursor.execute(\"SELECT * FROM tasks WHERE id = %s\", (task_id,))\n    return cursor.fetchone()\n",
        0o644,
    ),
    (
        ".gitignore",
        "# .env.staging is missing here (the mistake), and .env was committed before this file existed.\n.env\n.env.production\nsecrets/\n",
        0o644,
    ),
    (
        ".mcp.json",
        "{ \"mcpServers\": {\n  \"local\": { \"env\": { \"DATABASE_URL\": \"postgresql://localhost:5434/taskman_v2\" } },\n  \"production\": { \"env\": { \"DATABASE_URL\": \"postgresql://contextforge_prod:Inline-Demo-Secret-1@db.prod.internal:5432/taskman_v2\" } }\n} }\n",
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

/// The demo checklist's PostgreSQL items, for when a cluster runs (`{port}` is
/// replaced by its port).
pub const POSTGRES_ITEMS: &str = include_str!("../../assets/demo/postgres.toml");

/// A throwaway PostgreSQL cluster for the demo, on 127.0.0.1; stopped and removed on
/// drop.
#[derive(Debug)]
pub struct DemoCluster {
    /// Its port.
    pub port: u16,
    /// Variables the demo's probes see: the production environment (`PG_*`, the
    /// application role) and the admin password the `admin` environment reads.
    pub vars: Vec<(String, String)>,
    bindir: std::path::PathBuf,
    owner: Option<(u32, u32)>,
    dir: tempfile::TempDir,
}

impl Drop for DemoCluster {
    fn drop(&mut self) {
        let _ = as_owner(Command::new(self.bindir.join("pg_ctl")), self.owner)
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "fast", "stop"])
            .output();
    }
}

fn as_owner(mut cmd: Command, owner: Option<(u32, u32)>) -> Command {
    use std::os::unix::process::CommandExt;
    if let Some((uid, gid)) = owner {
        cmd.uid(uid).gid(gid);
    }
    cmd.env("LC_ALL", "C");
    cmd
}

fn random_hex() -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn run_checked(mut cmd: Command, what: &str) -> Result<(), ClusterError> {
    let out = cmd.output().map_err(|source| ClusterError::Spawn {
        what: what.to_string(),
        source,
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(ClusterError::Failed {
            what: what.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// A demo cluster decided but not made yet: its folder, port and passwords are
/// chosen (quickly), so the sandbox can be configured for it while [`start`] makes it
/// (the slow part) on another thread.
///
/// [`start`]: PendingCluster::start
#[derive(Debug)]
pub struct PendingCluster {
    /// The port it will listen on.
    pub port: u16,
    /// Variables the demo's probes see (see [`DemoCluster::vars`]).
    pub vars: Vec<(String, String)>,
    bindir: std::path::PathBuf,
    owner: Option<(u32, u32)>,
    dir: tempfile::TempDir,
    admin_password: String,
    app_password: String,
}

impl DemoCluster {
    /// Decides a cluster when the PostgreSQL server package is installed: `Ok(None)`
    /// without it, `Err` when no folder or user can hold it. Nothing is started.
    pub fn prepare() -> Result<Option<PendingCluster>, ClusterError> {
        let Some(bindir) = crate::system::postgres::server::bindir() else {
            return Ok(None);
        };
        let owner = crate::system::postgres::server::owner()?;
        let shm = Path::new("/dev/shm");
        let dir = tempfile::Builder::new()
            .prefix("preflight-demo-pg-")
            .tempdir_in(if shm.is_dir() { shm } else { Path::new("/tmp") })
            .or_else(|_| {
                tempfile::Builder::new()
                    .prefix("preflight-demo-pg-")
                    .tempdir()
            })?;
        let admin_password = random_hex()?;
        // Strong by the password policy: random, with every character class.
        let app_password = format!("{}-Xq#7", random_hex()?);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())?
            .port();
        Ok(Some(PendingCluster {
            port,
            vars: vec![
                ("PG_HOST".into(), "127.0.0.1".into()),
                ("PG_PORT".into(), port.to_string()),
                ("PG_USER".into(), "app".into()),
                ("PG_PASSWORD".into(), app_password.clone()),
                ("PG_DATABASE".into(), "taskman_v2".into()),
                ("PG_SSLMODE".into(), "prefer".into()),
                (ADMIN_PASSWORD_VAR.into(), admin_password.clone()),
            ],
            bindir,
            owner,
            dir,
            admin_password,
            app_password,
        }))
    }
}

impl PendingCluster {
    /// Makes and starts the cluster, with the demo's roles and database (about a
    /// second).
    pub fn start(self) -> Result<DemoCluster, ClusterError> {
        let PendingCluster {
            port,
            vars,
            bindir,
            owner,
            dir,
            admin_password,
            app_password,
        } = self;
        let chown = |p: &Path| match owner {
            Some((uid, gid)) => std::os::unix::fs::chown(p, Some(uid), Some(gid)),
            None => Ok(()),
        };
        chown(dir.path())?;
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, &admin_password)?;
        chown(&pwfile)?;
        let data = dir.path().join("data");
        let mut initdb = as_owner(Command::new(bindir.join("initdb")), owner);
        initdb
            .arg("-D")
            .arg(&data)
            .args([
                "-N",
                "-A",
                "scram-sha-256",
                "-U",
                "postgres",
                "--locale=C",
                "-E",
                "UTF8",
                "--wal-segsize=1",
            ])
            .arg(format!("--pwfile={}", pwfile.display()));
        run_checked(initdb, "initdb")?;
        let _ = std::fs::remove_file(&pwfile);
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf)?;
        text.push_str(&format!(
            "\n# preflight demo\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''\nfsync = off\nssl = off\n"
        ));
        std::fs::write(&conf, text)?;
        std::fs::write(
            data.join("pg_hba.conf"),
            "# The demo's mistake: every address may try.\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all 0.0.0.0/0 scram-sha-256\n",
        )?;
        let mut start = as_owner(Command::new(bindir.join("pg_ctl")), owner);
        start
            .arg("-D")
            .arg(&data)
            .args(["-w", "-t", "20", "-l"])
            .arg(dir.path().join("log"))
            .arg("start");
        // Made before it starts, so that a failed set-up still stops it.
        let cluster = DemoCluster {
            port,
            vars,
            bindir,
            owner,
            dir,
        };
        run_checked(start, "pg_ctl start")?;
        cluster.setup(&admin_password, &app_password)?;
        Ok(cluster)
    }

    /// The `[environments.admin]` table the demo's `preflight.toml` gets.
    pub fn admin_environment(&self) -> String {
        format!(
            "\n# The demo cluster's superuser, for the probes that must read what only it may.\n[environments.admin]\nhost = \"127.0.0.1\"\nport = {}\ndatabase = \"postgres\"\nuser = \"postgres\"\npassword = {{ env = \"{ADMIN_PASSWORD_VAR}\" }}\nsslmode = \"disable\"\n",
            self.port
        )
    }
}

impl DemoCluster {
    /// Creates the demo's roles and database, with their deliberate mistakes.
    fn setup(&self, admin_password: &str, app_password: &str) -> Result<(), ClusterError> {
        let admin = crate::system::postgres::Target {
            environment: "admin".into(),
            host: "127.0.0.1".into(),
            port: self.port,
            database: "postgres".into(),
            user: "postgres".into(),
            password: Some(crate::base::secret::Secret::new(admin_password.to_string())),
            sslmode: crate::system::postgres::SslMode::Disable,
            sslmode_given: true,
            roots: None,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let timeout = std::time::Duration::from_secs(5);
            let session = crate::system::postgres::connect(&admin, timeout, timeout).await?;
            // The password goes in as a literal: CREATE ROLE takes no parameters. It is
            // random hex and `-Xq#7`, so it needs no quoting beyond the quotes.
            for sql in [
                format!("create role app login createdb password '{app_password}'"),
                "create role contextforge login password 'contextforge'".to_string(),
                "create database taskman_v2 owner app".to_string(),
            ] {
                session.query(&sql, &[]).await?;
            }
            Ok(())
        })
    }
}

/// The variable the demo's `admin` environment reads its password from.
pub const ADMIN_PASSWORD_VAR: &str = "PREFLIGHT_DEMO_ADMIN_PASSWORD";

/// Adds the database items and the admin environment to a populated sandbox, for a
/// cluster that may still be starting.
pub fn add_postgres(dir: &Path, cluster: &PendingCluster) -> Result<(), DemoError> {
    use std::io::Write;
    let items = POSTGRES_ITEMS.replace("{port}", &cluster.port.to_string());
    std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("checklist.toml"))?
        .write_all(items.as_bytes())?;
    // Staging shares the cluster (with the development credentials: the mistake).
    let config = dir.join("preflight.toml");
    let text = std::fs::read_to_string(&config)?.replacen(
        "port = 9\n",
        &format!("port = {}\n", cluster.port),
        1,
    ) + &cluster.admin_environment();
    std::fs::write(&config, text)?;
    git(dir, &["commit", "-q", "-a", "-m", "demo database"])?;
    Ok(())
}
