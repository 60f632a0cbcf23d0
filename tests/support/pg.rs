//! Throwaway PostgreSQL clusters from the server package on this machine.
//!
//! A template cluster is initialised once per test process (`initdb`, SCRAM, `fsync =
//! off`, TLS with a test CA and a server certificate for `localhost` signed by it);
//! each test copies it, writes its own `pg_hba.conf` and settings, and starts it on a
//! free loopback port. As root, every server command runs as the `postgres` user. The
//! cluster is stopped (`-m immediate`) and removed when the test drops it.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The template superuser's password (tests only; never a real credential).
pub const SUPERUSER_PASSWORD: &str = "superuser-test-secret";

/// The test CA and a second, unrelated CA.
pub struct Pki {
    /// PEM of the CA that signed the server certificate.
    pub ca_pem: String,
    /// PEM of a CA that signed nothing the server presents.
    pub other_ca_pem: String,
}

struct Template {
    dir: tempfile::TempDir,
    bindir: PathBuf,
    owner: Option<(u32, u32)>,
    pki: Pki,
}

static TEMPLATE: OnceLock<Template> = OnceLock::new();

/// How a test wants its cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// `ssl = on`.
    pub ssl: bool,
    /// `pg_hba.conf` lines (after the superuser's local rule).
    pub hba: Vec<String>,
    /// Extra `postgresql.conf` lines; `{dir}` stands for a directory outside the data
    /// directory that the server may write to.
    pub settings: Vec<String>,
    /// A server certificate and key (PEM) instead of the template's.
    pub certificate: Option<(String, String)>,
    /// Run the server with OpenSSL's security level 0, so that it loads keys and
    /// signatures too weak for the default level (the certificate is loaded before
    /// `ssl_ciphers` could lower it).
    pub weak_openssl: bool,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            ssl: true,
            hba: vec![
                "host all all 127.0.0.1/32 scram-sha-256".into(),
                "host all all ::1/128 scram-sha-256".into(),
            ],
            settings: Vec::new(),
            certificate: None,
            weak_openssl: false,
        }
    }
}

/// A running cluster.
pub struct Cluster {
    /// Its port on 127.0.0.1.
    pub port: u16,
    data: PathBuf,
    _dir: tempfile::TempDir,
}

fn as_owner(cmd: &mut Command, owner: Option<(u32, u32)>) -> &mut Command {
    if let Some((uid, gid)) = owner {
        cmd.uid(uid).gid(gid);
    }
    cmd.env_remove("PGPASSWORD").env("LC_ALL", "C")
}

fn chown(path: &Path, owner: Option<(u32, u32)>) {
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    }
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pki() -> (Pki, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let ca = |name: &str| {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
    };
    let issuer = ca("preflight test CA");
    let other = ca("some other CA");
    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    (
        Pki {
            ca_pem: issuer.pem(),
            other_ca_pem: other.pem(),
        },
        cert.pem(),
        key.serialize_pem(),
    )
}

/// Where clusters live: a tmpfs when there is one (copying a data directory there takes
/// ~0.05 s instead of ~0.8 s on an ext4 mounted with `discard`), else the temp dir.
fn cluster_root() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let writable = tempfile::Builder::new()
        .prefix("preflight-probe-")
        .tempdir_in(shm)
        .is_ok();
    if writable {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Removes templates left by test processes that have ended.
fn remove_stale_templates(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("preflight-pg-template-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn template() -> &'static Template {
    TEMPLATE.get_or_init(|| {
        let owner = preflight::system::postgres::server::owner().unwrap_or_else(|e| panic!("{e}"));
        let bindir = preflight::system::postgres::server::bindir().expect(
            "no PostgreSQL server binaries (initdb, pg_ctl): run the tests with `scripts/test`, which installs them",
        );
        let root = cluster_root();
        remove_stale_templates(&root);
        // The template lives as long as the test process (a static is never dropped);
        // its name carries the pid so that the next run can remove it.
        let dir = tempfile::Builder::new()
            .prefix(&format!("preflight-pg-template-{}-", std::process::id()))
            .tempdir_in(root)
            .unwrap();
        chown(dir.path(), owner);
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, SUPERUSER_PASSWORD).unwrap();
        chown(&pwfile, owner);
        let data = dir.path().join("data");
        run(
            as_owner(&mut Command::new(bindir.join("initdb")), owner)
                .arg("-D")
                .arg(&data)
                .args(["-N", "-k", "-A", "scram-sha-256", "-U", "postgres", "--locale=C", "-E", "UTF8"])
                // 1 MB WAL segments instead of 16: the copy per test is 40% smaller.
                .arg("--wal-segsize=1")
                .arg(format!("--pwfile={}", pwfile.display())),
            "initdb",
        );
        std::fs::remove_file(&pwfile).unwrap();
        let (pki, cert, key) = pki();
        for (name, text) in [("server.crt", &cert), ("server.key", &key)] {
            let path = data.join(name);
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            chown(&path, owner);
        }
        let mut conf = std::fs::read_to_string(data.join("postgresql.conf")).unwrap();
        conf.push_str(
            "\n# preflight test template\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 16MB\nmax_connections = 30\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
        );
        std::fs::write(data.join("postgresql.conf"), conf).unwrap();
        Template {
            dir,
            bindir,
            owner,
            pki,
        }
    })
}

/// The test PKI (CA certificates as PEM).
pub fn pki_pems() -> &'static Pki {
    &template().pki
}

/// A free TCP port on 127.0.0.1 (bound, read, released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    /// Copies the template and starts it.
    pub fn start(config: ClusterConfig) -> Cluster {
        let t = template();
        let dir = tempfile::Builder::new()
            .prefix("preflight-pg-")
            .tempdir()
            .unwrap();
        chown(dir.path(), t.owner);
        let data = dir.path().join("data");
        run(
            as_owner(&mut Command::new("cp"), t.owner)
                .arg("-a")
                .arg(t.dir.path().join("data"))
                .arg(&data),
            "copying the template cluster",
        );
        let mut hba = String::from("# written by the test harness\n");
        for line in &config.hba {
            hba.push_str(line);
            hba.push('\n');
        }
        std::fs::write(data.join("pg_hba.conf"), hba).unwrap();
        let mut auto = format!("ssl = {}\n", if config.ssl { "on" } else { "off" });
        for line in &config.settings {
            auto.push_str(&line.replace("{dir}", &dir.path().display().to_string()));
            auto.push('\n');
        }
        std::fs::write(data.join("postgresql.auto.conf"), auto).unwrap();
        for f in ["pg_hba.conf", "postgresql.auto.conf"] {
            chown(&data.join(f), t.owner);
        }
        if let Some((cert, key)) = &config.certificate {
            for (name, text) in [("server.crt", cert), ("server.key", key)] {
                let path = data.join(name);
                std::fs::write(&path, text).unwrap();
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
                chown(&path, t.owner);
            }
        }
        let openssl_conf = dir.path().join("openssl.cnf");
        if config.weak_openssl {
            std::fs::write(
                &openssl_conf,
                "openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\nsystem_default = tls\n[tls]\nCipherString = DEFAULT@SECLEVEL=0\n",
            )
            .unwrap();
        }
        // A port can be taken between choosing and binding: retry a few times.
        for attempt in 0..5 {
            let port = free_port();
            let mut pg_ctl = Command::new(t.bindir.join("pg_ctl"));
            if config.weak_openssl {
                pg_ctl.env("OPENSSL_CONF", &openssl_conf);
            }
            let out = as_owner(&mut pg_ctl, t.owner)
                .arg("-D")
                .arg(&data)
                .args(["-w", "-t", "30", "-l"])
                .arg(dir.path().join("log"))
                .args(["-o", &format!("-p {port}"), "start"])
                .output()
                .unwrap();
            if out.status.success() {
                return Cluster {
                    port,
                    data,
                    _dir: dir,
                };
            }
            let log = std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();
            assert!(
                attempt < 4 && log.contains("could not bind"),
                "pg_ctl start failed: {}\n{log}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        unreachable!("the loop returns or panics")
    }

    /// The server log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data.parent().unwrap().join("log")).unwrap_or_default()
    }

    /// Dumps database `db` with the server package's `pg_dump` (`-Fc` custom format,
    /// `-Fp` plain SQL, …) into `out`, as the superuser.
    pub fn pg_dump(&self, db: &str, format: &str, out: &Path) {
        let t = template();
        run(
            Command::new(t.bindir.join("pg_dump"))
                .args(["-h", "127.0.0.1", "-U", "postgres", format, "-f"])
                .arg(out)
                .args(["-p", &self.port.to_string(), db])
                .env("PGPASSWORD", SUPERUSER_PASSWORD)
                .env("PGSSLMODE", "prefer"),
            &format!("pg_dump {format} {db}"),
        );
    }

    /// Runs SQL as the superuser through psql (setup only; the probes never use psql).
    pub fn sql(&self, sql: &str) {
        self.sql_in("postgres", sql);
    }

    /// Runs SQL as the superuser in database `db`.
    pub fn sql_in(&self, db: &str, sql: &str) {
        let t = template();
        let psql = t.bindir.join("psql");
        run(
            Command::new(psql)
                .args([
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-d",
                    db,
                ])
                .args(["-p", &self.port.to_string()])
                .env("PGPASSWORD", SUPERUSER_PASSWORD)
                .env("PGSSLMODE", "prefer")
                .args(["-c", sql]),
            &format!("psql -c {sql}"),
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let t = template();
        let _ = as_owner(&mut Command::new(t.bindir.join("pg_ctl")), t.owner)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// A self-signed certificate for `localhost` from the `openssl` command line (which,
/// unlike rcgen, makes RSA keys of any size and SHA-1 signatures): `(cert, key)` PEM.
pub fn openssl_certificate(key: &str, digest: &str, days: u32) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    run(
        Command::new("openssl")
            .args(["req", "-x509", "-newkey", key, digest, "-nodes"])
            .args(["-subj", "/CN=localhost", "-days", &days.to_string()])
            .arg("-keyout")
            .arg(dir.path().join("key.pem"))
            .arg("-out")
            .arg(dir.path().join("cert.pem")),
        "openssl req",
    );
    (
        std::fs::read_to_string(dir.path().join("cert.pem")).unwrap(),
        std::fs::read_to_string(dir.path().join("key.pem")).unwrap(),
    )
}

/// A certificate for `localhost` that ends `days` from now (EC P-256, rcgen), signed
/// by the test CA's sibling: `(cert, key)` PEM.
pub fn certificate_ending_in(days: i64) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(days) + time::Duration::hours(1);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}
