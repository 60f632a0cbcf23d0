//! Repository and container hygiene probes on real files and git repositories:
//! `compose-images`, `compose-secrets`, `git-history`, `dockerfile-secrets`,
//! `file-fresh`.

use std::time::{Duration, SystemTime};

use preflight::probe::{ProbeOutcome, ProbeStatus};

use crate::support::pg::{Cluster, ClusterConfig};
use crate::support::{Project, outcome_text, run_probe};

fn probe(p: &Project, kind: &str, params: &str) -> ProbeOutcome {
    run_probe(p.path(), kind, params, &[])
}

#[track_caller]
fn assert_outcome(o: &ProbeOutcome, status: ProbeStatus, contains: &[&str]) {
    let t = outcome_text(o);
    assert_eq!(o.status, status, "{t}");
    for c in contains {
        assert!(t.contains(c), "expected `{c}` in:\n{t}");
    }
}

#[test]
fn compose_images_must_be_pinned() {
    let p = Project::new();
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres\n  cache:\n    image: redis:latest\n  app:\n    build: .\n  proxy:\n    image: ${PROXY_IMAGE}\n",
    );
    p.write(".env", "PROXY_IMAGE=nginx:1.27\n");
    let o = probe(&p, "compose-images", "");
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &[
            "2 of 3 images not pinned",
            "docker-compose.yml:3: service `db`: `postgres` has no tag",
            "docker-compose.yml:5: service `cache`: `redis:latest` uses `latest`",
            "service `proxy`: `${PROXY_IMAGE}` (= `nginx:1.27`) pinned to tag 1.27",
            "service `app` is built from source",
        ],
    );
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16.4\n  cache:\n    image: redis:latest@sha256:0f3c1e2d\n",
    );
    let o = probe(&p, "compose-images", "");
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        &["all 2 images pinned", "pinned by digest"],
    );
    let empty = Project::new();
    assert_outcome(
        &probe(&empty, "compose-images", ""),
        ProbeStatus::Skipped,
        &["no Compose files"],
    );
}

#[test]
fn compose_secrets_want_docker_secrets_for_the_database() {
    let p = Project::git();
    p.write(".gitignore", "");
    p.write("app.env", "LOG_LEVEL=info\n");
    // Map form with a literal password, list form with a variable, an env_file git tracks.
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: contextforge\n  db2:\n    image: docker.io/library/postgres:16\n    environment:\n      - POSTGRES_PASSWORD=${PG_PASSWORD}\n  app:\n    image: app:1\n    env_file: app.env\n    environment:\n      - API_TOKEN=Tq8x2LmZ4vB7wK9p\n      - PG_HOST=db\n",
    );
    p.commit_all("compose");
    let o = probe(&p, "compose-secrets", "");
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &[
            "4 secret problems (1 Compose file, 2 database services)",
            "docker-compose.yml:6: service `db`: POSTGRES_PASSWORD is set from a literal value",
            "docker-compose.yml:10: service `db2`: POSTGRES_PASSWORD is set from a variable",
            "docker-compose.yml:13: service `app`: env_file app.env is tracked by git",
            "docker-compose.yml:15: service `app`: API_TOKEN has a literal value",
        ],
    );
    assert!(!outcome_text(&o).contains("contextforge") && !outcome_text(&o).contains("abc123"));

    // The guide's fix: a secret file in development, external secrets in production.
    let q = Project::git();
    q.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets:\n      - db_password\nsecrets:\n  db_password:\n    file: ./secrets/db_password.txt\n",
    );
    q.write(
        "docker-compose.prod.yml",
        "services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_PASSWORD_FILE=/run/secrets/db_password\n    secrets:\n      - source: db_password\nsecrets:\n  db_password:\n    external: true\n",
    );
    q.commit_all("compose");
    let o = probe(&q, "compose-secrets", "");
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        &[
            "2 Compose files, 2 database services",
            "password from Docker secret `db_password`",
            "secret `db_password` is external",
        ],
    );
    // A production file with a file-based secret, and a secret the service does not list.
    q.write(
        "docker-compose.prod.yml",
        "services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_PASSWORD_FILE=/run/secrets/db_pw\nsecrets:\n  db_password:\n    file: ./db_password.txt\n",
    );
    let o = probe(&q, "compose-secrets", "");
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &[
            "docker-compose.prod.yml:5: service `db`: POSTGRES_PASSWORD_FILE names secret `db_pw`, which is not in the service's `secrets:`",
            "docker-compose.prod.yml:7: secret `db_password` in a production Compose file is not `external: true`",
        ],
    );
}

#[test]
fn git_history_finds_env_files_even_after_they_were_removed() {
    let p = Project::git();
    p.write(".env", "PG_PASSWORD=leaked\n");
    p.write(".env.example", "PG_PASSWORD=\n");
    p.write("README", "hi\n");
    p.commit_all("initial import");
    p.run_git(&["rm", "-q", "--cached", ".env"]);
    p.write(".gitignore", ".env\n");
    p.commit_all("stop tracking .env");
    // On another branch only.
    p.run_git(&["checkout", "-q", "-b", "feature"]);
    p.write("config/prod.env", "X=1\n");
    p.commit_all("add prod.env");
    p.run_git(&["checkout", "-q", "-"]);
    let o = probe(&p, "git-history", "");
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &[
            "2 forbidden files in git history: .env, config/prod.env",
            "\"initial import\")",
            "\"add prod.env\")",
            "rotate every secret it held",
        ],
    );
    assert!(!outcome_text(&o).contains(".env.example"));
    let clean = Project::git();
    clean.write(".env.example", "PG_PASSWORD=\n");
    clean.commit_all("template");
    assert_outcome(
        &probe(&clean, "git-history", ""),
        ProbeStatus::Pass,
        &["no file matching"],
    );
    // A repository without commits has no history to look at: nothing was checked.
    let empty = Project::git();
    assert_outcome(
        &probe(&empty, "git-history", ""),
        ProbeStatus::Skipped,
        &["no commit adds a file yet"],
    );
    assert_outcome(
        &probe(&Project::new(), "git-history", ""),
        ProbeStatus::Error,
        &["not inside a git repository"],
    );
}

#[test]
fn dockerfile_secrets_in_every_stage_and_form() {
    let p = Project::new();
    p.write(
        "Dockerfile",
        "FROM python:3.12 AS build\nARG PIP_TOKEN\nENV DB_PASSWORD=contextforge \\\n    PG_HOST=db\nFROM python:3.12-slim\nENV SECRET_KEY k3X1mB5tq2Wc0xZ8\n",
    );
    p.write(
        "docker/worker.Dockerfile",
        "FROM alpine:3.20\nENV API_TOKEN=$API_TOKEN\n",
    );
    let o = probe(&p, "dockerfile-secrets", "");
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &[
            "2 literal secrets in 2 Dockerfiles",
            "Dockerfile:3: ENV DB_PASSWORD=**** in stage build",
            "Dockerfile:6: ENV SECRET_KEY=**** in stage 1",
            "Dockerfile:2: ARG PIP_TOKEN in stage build has no literal value",
            "docker/worker.Dockerfile:2: ENV API_TOKEN in stage 0 has no literal value",
        ],
    );
    assert!(!outcome_text(&o).contains("contextforge"));
    p.write(
        "Dockerfile",
        "FROM python:3.12\nRUN --mount=type=secret,id=db_password true\n",
    );
    assert_outcome(
        &probe(&p, "dockerfile-secrets", ""),
        ProbeStatus::Pass,
        &["2 Dockerfiles"],
    );
}

fn age(path: &std::path::Path, days: u64) {
    let when = SystemTime::now() - Duration::from_secs(days * 86_400);
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(when).unwrap();
}

#[test]
fn file_fresh_checks_age_and_content() {
    let p = Project::new();
    let log = p.write(
        "logs/audit.jsonl",
        "{\"event\":\"login\"}\n\n{\"event\":\"query\"}\n",
    );
    let o = probe(
        &p,
        "file-fresh",
        "path = \"logs/audit.jsonl\"\nmax_age = \"1d\"\ncontent = \"jsonl\"",
    );
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        &["logs/audit.jsonl modified ", "(within 1d), every line JSON"],
    );
    age(&log, 3);
    let o = probe(
        &p,
        "file-fresh",
        "path = \"logs/audit.jsonl\"\nmax_age = \"1d\"",
    );
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &["logs/audit.jsonl was last modified 3 days ago, more than 1d"],
    );
    p.write(
        "logs/audit.jsonl",
        "{\"event\":\"login\"}\nplain text line\n",
    );
    let o = probe(
        &p,
        "file-fresh",
        "path = \"logs/audit.jsonl\"\nmax_age = \"1d\"\ncontent = \"jsonl\"",
    );
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &["logs/audit.jsonl line 2 is not JSON"],
    );

    let o = probe(
        &p,
        "file-fresh",
        "path = \"nightly/*.dump\"\nmax_age = \"7d\"",
    );
    assert_outcome(&o, ProbeStatus::Fail, &["nothing at `nightly/*.dump`"]);
}

#[test]
fn file_fresh_knows_real_pg_dump_archives() {
    let p = Project::new();
    let c = Cluster::start(ClusterConfig::default());
    c.sql(
        "CREATE TABLE books (id int PRIMARY KEY, title text); INSERT INTO books VALUES (1, 'Dune')",
    );
    std::fs::create_dir_all(p.path().join("backups")).unwrap();
    // The newest match counts, and it must be a custom-format archive.
    let old = p.path().join("backups/2026-11-01.dump");
    c.pg_dump("postgres", "-Fc", &old);
    age(&old, 21);
    let newest = p.path().join("backups/2026-11-20.dump");
    c.pg_dump("postgres", "-Fc", &newest);
    age(&newest, 2);
    let params = "path = \"backups/*.dump\"\nmax_age = \"7d\"\ncontent = \"pg_dump\"";
    assert_outcome(
        &probe(&p, "file-fresh", params),
        ProbeStatus::Pass,
        &["backups/2026-11-20.dump modified 2 days ago (within 7d), a pg_dump archive"],
    );
    // A plain SQL dump is not an archive `pg_restore` can read.
    let plain = p.path().join("backups/2026-11-21.dump");
    c.pg_dump("postgres", "-Fp", &plain);
    age(&plain, 1);
    assert_outcome(
        &probe(&p, "file-fresh", params),
        ProbeStatus::Fail,
        &["backups/2026-11-21.dump is not a pg_dump custom-format archive"],
    );
}

/// A GnuPG home of its own, with one encryption key; its agent is stopped on drop.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new() -> Gpg {
        let home = tempfile::tempdir().unwrap();
        let gpg = Gpg { home };
        gpg.run(
            &[
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--quick-gen-key",
                "Backups <backups@example.com>",
                "default",
                "default",
                "never",
            ],
            None,
        );
        gpg
    }

    /// Runs gpg in batch mode; `stdin` is given on standard input (a passphrase is
    /// never an argument).
    fn run(&self, args: &[&str], stdin: Option<&str>) {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut child = Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args(["--batch", "--yes", "--quiet", "--trust-model", "always"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg is installed (scripts/test installs gnupg)");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.unwrap_or_default().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            crate::support::text(&out.stderr)
        );
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = std::process::Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

#[test]
fn file_fresh_knows_an_encrypted_backup_from_gpg() {
    let p = Project::new();
    let gpg = Gpg::new();
    let c = Cluster::start(ClusterConfig::default());
    let dump = p.path().join("backup_20261122.dump");
    c.pg_dump("postgres", "-Fc", &dump);
    let at = |name: &str| p.path().join(name).to_string_lossy().into_owned();
    let check = |name: &str| {
        probe(
            &p,
            "file-fresh",
            &format!("path = \"{name}\"\nmax_age = \"1d\"\ncontent = \"openpgp\""),
        )
    };
    // To a recipient's public key, binary and ASCII-armoured (the guide's command).
    let dump_path = at("backup_20261122.dump");
    let to_key = [
        "--encrypt",
        "--recipient",
        "backups@example.com",
        "--output",
    ];
    gpg.run(&[&to_key[..], &[&at("k.gpg"), &dump_path]].concat(), None);
    gpg.run(
        &[&["--armor"], &to_key[..], &[&at("k.asc"), &dump_path]].concat(),
        None,
    );
    // With a passphrase (read from standard input).
    gpg.run(
        &[
            "--pinentry-mode",
            "loopback",
            "--passphrase-fd",
            "0",
            "--symmetric",
            "--output",
            &at("s.gpg"),
            &dump_path,
        ],
        Some("backup passphrase for the test"),
    );
    for name in ["k.gpg", "k.asc", "s.gpg"] {
        assert_outcome(
            &check(name),
            ProbeStatus::Pass,
            &[
                &format!("pass {name} modified "),
                "(within 1d), an encrypted OpenPGP message",
            ],
        );
    }
    // Signed but not encrypted: anyone can read it.
    gpg.run(
        &[
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--sign",
            "--output",
            &at("signed.gpg"),
            &dump_path,
        ],
        None,
    );
    assert_outcome(
        &check("signed.gpg"),
        ProbeStatus::Fail,
        &["signed.gpg is OpenPGP but not encrypted (it starts with a compressed-data packet)"],
    );
    gpg.run(&["--armor", "--export", "--output", &at("key.asc")], None);
    assert_outcome(
        &check("key.asc"),
        ProbeStatus::Fail,
        &["key.asc is ASCII-armoured OpenPGP but not an encrypted message"],
    );
    // The archive itself, and a gzip of it, are not encrypted.
    assert_outcome(
        &check("backup_20261122.dump"),
        ProbeStatus::Fail,
        &["backup_20261122.dump is not an OpenPGP message"],
    );
    let gz = std::process::Command::new("gzip")
        .args(["-k", &dump_path])
        .status()
        .unwrap();
    assert!(gz.success());
    assert_outcome(
        &check("backup_*.dump.gz"),
        ProbeStatus::Fail,
        &["backup_20261122.dump.gz is not an OpenPGP message"],
    );
}

/// A corpus of planted credentials, one per line marked `PLANTED`, beside
/// placeholders that must not be reported.
fn secret_corpus(p: &Project) {
    p.write(".gitignore", "ignored.env\ncommitted.env\n");
    p.write("ignored.env", "PG_PASSWORD=ignored-by-git\n");
    // Ignored, but tracked (committed before the rule): it counts.
    p.write("committed.env", "PGPASSWORD=tracked-anyway\n");
    p.run_git(&["add", "-f", "committed.env"]);
    p.write("README.md", "PGPASSWORD=docs-example\n");
    p.write(
        ".env",
        "PG_HOST=localhost\nPG_PASSWORD=postgres\nDATABASE_URL=postgresql://app:pw@localhost:5432/app\nAPI_TOKEN=${API_TOKEN}\n",
    );
    p.write(
        ".env.example",
        "PG_PASSWORD=<password>\nDB_PASSWORD=YOUR_PASSWORD_HERE\nREDIS_URL=redis://:${REDIS_PASSWORD}@localhost:6379\n",
    );
    p.write(
        "docker-compose.yml",
        "x-db: &db\n  environment:\n    POSTGRES_PASSWORD: contextforge\nservices:\n  db:\n    <<: *db\n    image: postgres:16\n  app:\n    environment:\n      - DB_PASSWORD=${DB_PASSWORD}\n      - MONGO_URL=mongodb+srv://admin:Sup3r@cluster0.corp.net/db\n",
    );
    p.write(
        "config/settings.json",
        "{\n  \"db\": { \"password\": \"hunter2\", \"passwordMinLength\": 16 },\n  \"token\": \"\"\n}\n",
    );
    p.write(
        "config/app.toml",
        "[database]\npassword = \"s3cret!\"\nurl = \"postgres://app@db/app\"\n",
    );
    p.write(
        "scripts/load.sh",
        "#!/bin/sh\nexport PGPASSWORD=secret\npsql \"postgresql://postgres:postgres@127.0.0.1/postgres\" -c 'select 1'\n",
    );
    p.write(
        "scripts/deploy.ps1",
        "$env:PG_PASSWORD = 'contextforge'\n$env:PG_PASSWORD = (az keyvault secret show --name db-password --query value -o tsv)\n",
    );
    p.write(
        "app/db.py",
        "import os\nPASSWORD = os.environ[\"PG_PASSWORD\"]\nconn = connect(host=\"db\", password=\"pw1\")\npassword = get_password()\n",
    );
    p.write("app/bin.dat", "PGPASSWORD=in-a-binary\0\0\0");
}

#[test]
fn secret_scan_finds_every_planted_credential_and_no_placeholder() {
    let p = Project::git();
    secret_corpus(&p);
    let o = probe(&p, "secret-scan", "");
    let t = outcome_text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    let located: Vec<String> = o
        .evidence
        .iter()
        .filter_map(|e| Some(format!("{}:{}:{}", e.file.as_ref()?, e.line?, e.column?)))
        .collect();
    assert_eq!(
        located,
        [
            ".env:2:1",
            ".env:3:14",
            "app/db.py:3:27",
            "committed.env:1:1",
            "config/app.toml:2:1",
            "config/settings.json:2:12",
            "docker-compose.yml:3:5",
            "docker-compose.yml:11:19",
            "scripts/deploy.ps1:1:1",
            "scripts/load.sh:3:7",
        ],
        "{t}"
    );
    // `PGPASSWORD=secret` (line 2 of load.sh) is the word, a placeholder.
    assert!(t.starts_with("fail 10 hardcoded credentials in"), "{t}");
    for secret in [
        "postgres\n",
        ":pw@",
        "contextforge",
        "hunter2",
        "s3cret!",
        "Sup3r",
        "pw1",
        "secret\n",
    ] {
        assert!(!t.contains(secret), "`{secret}` shown in:\n{t}");
    }
    assert!(
        t.contains(".env:3: URL with a password: postgresql://app:********@"),
        "{t}"
    );
    assert!(t.contains("skipped as binary or large"), "{t}");
}

#[test]
fn secret_scan_allows_findings_by_fingerprint_and_finds_the_production_password() {
    let p = Project::git();
    p.write("config/fixture.env", "PG_PASSWORD=fixture-only\n");
    p.write("notes.txt", "prod is Prod-Canary-9931 for now\n");
    let o = probe(&p, "secret-scan", "");
    let fingerprint = o.evidence[0]
        .message
        .split("fingerprint ")
        .nth(1)
        .unwrap()
        .trim_end_matches(')')
        .to_string();
    let params = format!("allow = {{ \"{fingerprint}\" = \"a fake password for tests\" }}");
    let o = probe(&p, "secret-scan", &params);
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        &[
            "no hardcoded credential in 2 files (1 allowed)",
            "allowed: hardcoded secret: PG_PASSWORD=********",
            "(a fake password for tests)",
        ],
    );
    // With the production password known, it is found wherever it is written.
    let o = run_probe(
        p.path(),
        "secret-scan",
        &params,
        &[("PG_PASSWORD", "Prod-Canary-9931")],
    );
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &[
            "notes.txt:1: the production password: ******** (the production password)",
            "the production password searched for",
        ],
    );
    assert!(!outcome_text(&o).contains("Prod-Canary-9931"));
    // An allowance without a justification is refused when the checklist loads.
    let text = crate::support::single_probe_checklist(
        "secret-scan",
        &format!("allow = {{ \"{fingerprint}\" = \"\" }}"),
    );
    let err = preflight::checklist::load_source(
        &preflight::base::diagnostic::SourceFile::new("c.toml", text),
        "test",
        &preflight::probe::catalog::Catalog,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("needs a justification"), "{err}");
}

#[test]
fn sql_injection_flags_formatted_queries_in_real_sources() {
    let p = Project::new();
    p.write(
        "scripts/db_auth.py",
        "def find(cur, name):\n    cur.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n    return cur.fetchall()\n",
    );
    p.write(
        "web/api.ts",
        "export const q = (id: string) => db.query(`DELETE FROM sessions WHERE id = ${id}`);\n",
    );
    p.write(
        "src/safe.rs",
        "client.query(\"SELECT * FROM users WHERE id = $1\", &[&id]).await?;\nlet msg = format!(\"selected {n} rows from the list\");\n",
    );
    let o = probe(&p, "sql-injection", "");
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &[
            "2 lines build SQL from strings (3 source files; a heuristic: review each)",
            "scripts/db_auth.py:2: SQL built with a Python f-string",
            "web/api.ts:1: SQL built with a template literal",
        ],
    );
    p.write(
        "scripts/db_auth.py",
        "def find(cur, name):\n    cur.execute(\"SELECT * FROM users WHERE name = %s\", (name,))\n",
    );
    p.write(
        "web/api.ts",
        "export const q = (id: string) => sql`DELETE FROM sessions WHERE id = ${id}`;\n",
    );
    assert_outcome(
        &probe(&p, "sql-injection", ""),
        ProbeStatus::Pass,
        &["no SQL built by formatting"],
    );
}

#[test]
fn sql_injection_says_which_files_it_could_not_read_and_never_passes_on_none() {
    let p = Project::new();
    // A NUL byte makes a file binary; the walker does not read it as text.
    std::fs::write(p.path().join("blob.py"), b"x = 1\0\0\0").unwrap();
    assert_outcome(
        &probe(&p, "sql-injection", ""),
        ProbeStatus::Error,
        &[
            "none of the 1 matching source file could be read",
            "blob.py: not read: binary",
        ],
    );
    p.write(
        "app.py",
        "cur.execute(\"SELECT 1 FROM t WHERE id = %s\", (i,))\n",
    );
    assert_outcome(
        &probe(&p, "sql-injection", ""),
        ProbeStatus::Pass,
        &[
            "(1 source file, 1 not read; a heuristic)",
            "blob.py: not read: binary",
        ],
    );
}

fn trusted(p: &Project) -> preflight::probe::ProbeContext {
    let mut ctx = preflight::probe::ProbeContext::new(
        p.path().to_path_buf(),
        std::sync::Arc::new(preflight::config::Config::default()),
        preflight::config::EnvVars::default(),
    );
    ctx.allow_commands = true;
    ctx
}

#[test]
fn command_checks_exit_code_and_output_and_is_killed_on_timeout() {
    use crate::support::run_probe_in;
    let p = Project::new();
    p.write("VERSION", "preflight-test 1.2.3\n");
    let o = run_probe_in(
        trusted(&p),
        "command",
        "argv = [\"cat\", \"VERSION\"]\nexpect_stdout = '^preflight-test 1\\.'",
    );
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        &["`cat VERSION` exited with 0, output matches"],
    );
    let o = run_probe_in(trusted(&p), "command", "argv = [\"cat\", \"missing\"]");
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &[
            "`cat missing` exited with 1, expected 0",
            "stderr: cat: missing: No such file or directory",
        ],
    );
    let o = run_probe_in(
        trusted(&p),
        "command",
        "argv = [\"grep -q 2.0 VERSION\"]\nshell = true\nexpect_exit = 1",
    );
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        &["`sh -c \"grep -q 2.0 VERSION\"` exited with 1"],
    );
    let o = run_probe_in(trusted(&p), "command", "argv = [\"no-such-program-xyz\"]");
    assert_outcome(
        &o,
        ProbeStatus::Error,
        &["cannot run `no-such-program-xyz`"],
    );
    // Untrusted: not run at all.
    let o = run_probe(p.path(), "command", "argv = [\"touch\", \"ran\"]", &[]);
    assert_outcome(&o, ProbeStatus::Skipped, &["--allow-commands"]);
    assert!(!p.path().join("ran").exists());
    // The timeout kills the process.
    let o = run_probe_in(
        trusted(&p),
        "command",
        "argv = [\"echo $$ > pid; exec sleep 30\"]\nshell = true\ntimeout = \"500ms\"",
    );
    assert_outcome(&o, ProbeStatus::Error, &["timed out after 500ms"]);
    let pid = std::fs::read_to_string(p.path().join("pid")).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let alive = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false);
    assert!(!alive, "the command still runs after the timeout");
    // And so is everything it started, not only its direct child.
    let o = run_probe_in(
        trusted(&p),
        "command",
        "argv = [\"sleep 30 & echo $! > grandchild; wait\"]\nshell = true\ntimeout = \"500ms\"",
    );
    assert_outcome(&o, ProbeStatus::Error, &["timed out after 500ms"]);
    let pid = std::fs::read_to_string(p.path().join("grandchild")).unwrap();
    let dead = |pid: &str| {
        std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true)
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !dead(&pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        dead(&pid),
        "a process the command started still runs after the timeout"
    );
}

#[test]
fn command_probes_of_a_custom_checklist_run_only_with_allow_commands() {
    let p = Project::new();
    p.write(
        "checklist.toml",
        &crate::support::single_probe_checklist("command", "argv = [\"touch\", \"ran\"]"),
    );
    let (code, out, _) = crate::support::run(p.path(), &["check", "--checklist", "checklist.toml"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("SKIP") && !p.path().join("ran").exists(),
        "{out}"
    );
    let (code, out, _) = crate::support::run(
        p.path(),
        &["check", "--checklist", "checklist.toml", "--allow-commands"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(p.path().join("ran").exists(), "{out}");
}

/// Every file below `dir` (the `.git` folder included) with its bytes and mode.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                let bytes = std::fs::read(e.path()).unwrap_or_default();
                all.push((
                    e.path().display().to_string(),
                    bytes,
                    meta.permissions().mode(),
                ));
            }
        }
    }
    all.sort();
    all
}

const GUIDE_HOOK: &str = "#!/bin/sh\nif git diff --cached --name-only | grep -qE '(^|/)\\.env($|\\.)'; then\n  echo 'ERROR: Attempting to commit .env file with potential secrets!' >&2\n  exit 1\nfi\n";

/// The project's hook may run only with the user's consent (it is the project's code).
fn consenting(p: &Project) -> preflight::probe::ProbeContext {
    let mut ctx = trusted(p);
    ctx.allow_project_programs = true;
    ctx
}

fn hook_probe(p: &Project) -> ProbeOutcome {
    crate::support::run_probe_in(consenting(p), "git-hook", "")
}

#[test]
fn git_hook_must_exist_be_executable_and_really_refuse_a_env_file() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::git();
    p.write("app.py", "print('hi')\n");
    p.commit_all("init");
    p.write("staged.txt", "work in progress\n");
    p.run_git(&["add", "staged.txt"]);
    assert_outcome(
        &hook_probe(&p),
        ProbeStatus::Fail,
        &["no pre-commit hook at .git/hooks/pre-commit"],
    );
    p.write(".pre-commit-config.yaml", "repos: []\n");
    assert_outcome(&hook_probe(&p), ProbeStatus::Fail, &["pre-commit install"]);

    let hook = p.write(".git/hooks/pre-commit", GUIDE_HOOK);
    assert_outcome(&hook_probe(&p), ProbeStatus::Fail, &["is not executable"]);
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Without consent: what is installed, and that the block was not tried.
    assert_outcome(
        &probe(&p, "git-hook", ""),
        ProbeStatus::Skipped,
        &[
            ".git/hooks/pre-commit is installed and executable; whether it refuses .env was not tried",
            "installed and executable (#!/bin/sh)",
        ],
    );
    let before = snapshot(p.path());
    let o = hook_probe(&p);
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        &[
            "the pre-commit hook refuses to commit .env",
            "refused: ERROR: Attempting to commit .env file",
        ],
    );
    assert!(
        before == snapshot(p.path()),
        "the probe changed the user's repository, index or working tree"
    );

    // A hook that lets everything through.
    p.write(".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n");
    assert_outcome(
        &hook_probe(&p),
        ProbeStatus::Fail,
        &["let a commit adding .env through"],
    );
    // A hook that refuses everything proves nothing.
    p.write(
        ".git/hooks/pre-commit",
        "#!/bin/sh\necho 'tests failed' >&2\nexit 1\n",
    );
    assert_outcome(
        &hook_probe(&p),
        ProbeStatus::Error,
        &["refuses even a harmless commit"],
    );

    // core.hooksPath: a tracked hooks folder.
    std::fs::remove_file(p.path().join(".git/hooks/pre-commit")).unwrap();
    let shared = p.write(".githooks/pre-commit", GUIDE_HOOK);
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.run_git(&["config", "core.hooksPath", ".githooks"]);
    let o = hook_probe(&p);
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        &[".githooks/pre-commit: installed and executable"],
    );
}

/// The real-project cases: the three secret probes agree, because they share
/// one classifier; the secure settings and references are not findings.
#[test]
fn compose_and_dockerfile_secrets_share_the_scanner_classifier() {
    let p = Project::new();
    p.write(
        "docker-compose.yml",
        "services:\n  mysql:\n    image: mysql:8\n    environment:\n      - MYSQL_RANDOM_ROOT_PASSWORD=yes\n      - MYSQL_ALLOW_EMPTY_PASSWORD=yes\n  wg:\n    image: wireguard\n    environment:\n      WG_PUBLIC_KEY: k3X1mB5tq2Wc0xZ8yJ9pR4sT7uV6wA1bC2dE3fG4hI5=\n      SECRET_FORCED_LANGUAGE: en\n      API_TOKEN: your-api-token-here\n",
    );
    p.write(
        "Dockerfile",
        "FROM postgres:16\nENV POSTGRES_PASSWORD_FILE=/run/secrets/db_password\nARG APP_SECRET=changeme\n",
    );
    for kind in ["compose-secrets", "dockerfile-secrets", "secret-scan"] {
        let o = probe(&p, kind, "");
        let t = outcome_text(&o);
        assert_ne!(o.status, ProbeStatus::Fail, "{kind}: {t}");
        for name in [
            "MYSQL_RANDOM_ROOT_PASSWORD",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "WG_PUBLIC_KEY",
            "SECRET_FORCED_LANGUAGE",
            "API_TOKEN",
            "APP_SECRET=****",
            "POSTGRES_PASSWORD_FILE=****",
        ] {
            assert!(!t.contains(name), "{kind} reports {name}:\n{t}");
        }
    }
}

/// A branch that breaks the fingerprint key (a folder in its place) does not stop the
/// scan: the run uses its own key and says so.
#[test]
fn a_broken_fingerprint_key_does_not_stop_the_scan() {
    let p = Project::new();
    std::fs::create_dir_all(p.path().join(".preflight/fingerprint-key")).unwrap();
    p.write(".env", "PGPASSWORD=Yx42hafg7Q4f-prod\n");
    let o = probe(&p, "secret-scan", "");
    let t = outcome_text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    assert!(
        t.contains(".env:1: hardcoded secret: PGPASSWORD=********"),
        "{t}"
    );
    assert!(
        t.contains("fingerprints are valid for this run only"),
        "{t}"
    );
}
