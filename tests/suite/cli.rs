//! The `preflight check` command end to end: exit codes, text and JSON output, flags.

use crate::support::{Project, code, preflight, text};

/// The deployment guide's two classic mistakes: a committed `.env` and a published port.
fn broken_project() -> Project {
    let p = Project::git();
    p.write(".env", "PG_PASSWORD=contextforge-canary-7f3a\n");
    p.write("docker-compose.taskman.yml", "services:\n  taskman-postgres:\n    image: postgres:16\n    ports:\n      - \"5434:5432\"\n");
    p.commit_all("initial");
    p
}

#[test]
fn check_names_a_tracked_env_file_and_an_exposed_port() {
    let p = broken_project();
    let out = preflight(p.path())
        .args(["check", "--checklist", "postgres-production"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("1 forbidden file is tracked by git: .env"),
        "{stdout}"
    );
    assert!(
        stdout.contains("docker-compose.taskman.yml:5: service `taskman-postgres`: \"5434:5432\" → 0.0.0.0:5434->5432/tcp (all interfaces: bind it to 127.0.0.1)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("NO-GO: critical items fail or could not be checked:"),
        "{stdout}"
    );
    assert!(!stdout.contains("contextforge-canary-7f3a"));
    assert!(!stdout.contains("\x1b["), "no colour when piped");
}

#[test]
fn check_json_is_one_documented_object() {
    let p = broken_project();
    let out = preflight(p.path())
        .args([
            "check",
            "--format",
            "json",
            "--only",
            "bind-ports-localhost,env-files-not-committed",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["checklist"]["id"], "postgres-production");
    assert_eq!(v["checklist"]["digest"].as_str().unwrap().len(), 64);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let ports = &items
        .iter()
        .find(|i| i["id"] == "bind-ports-localhost")
        .unwrap()["probes"][0];
    assert_eq!(ports["kind"], "compose-ports");
    assert_eq!(ports["status"], "fail");
    assert_eq!(ports["evidence"][0]["file"], "docker-compose.taskman.yml");
    assert_eq!(ports["evidence"][0]["line"], 5);
    let env = items
        .iter()
        .find(|i| i["id"] == "env-files-not-committed")
        .unwrap();
    assert_eq!(env["status"], "fail");
    assert_eq!(env["tier"], "critical");
    assert_eq!(env["probes"][0]["evidence"][0]["file"], ".env");
    assert_eq!(
        v["summary"],
        serde_json::json!({"pass": 0, "fail": 2, "error": 0, "skipped": 0, "manual": 0})
    );
    assert_eq!(v["verdict"], "no-go");
}

#[test]
fn fixing_both_problems_makes_the_gate_pass() {
    let p = broken_project();
    p.run_git(&["rm", "-q", "--cached", ".env"]);
    p.write(".gitignore", ".env\n.env.*\n!.env.example\n");
    p.write("docker-compose.taskman.yml", "services:\n  taskman-postgres:\n    image: postgres:16\n    ports:\n      - \"127.0.0.1:5434:5432\"\n");
    p.commit_all("fix");
    p.write(
        "gate.toml",
        "[checklist]\nid = \"gate\"\ntitle = \"Gate\"\n\n[[item]]\nid = \"ports\"\ntier = \"critical\"\ntitle = \"Ports\"\n[[item.probe]]\nkind = \"compose-ports\"\n\n[[item]]\nid = \"env\"\ntier = \"critical\"\ntitle = \"Env\"\n[[item.probe]]\nkind = \"git-tracked\"\n[[item.probe]]\nkind = \"gitignore-covers\"\n",
    );
    let out = preflight(p.path())
        .args(["check", "--checklist", "gate.toml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("GO: no critical item fails"));
}

#[test]
fn preflight_toml_selects_the_checklist() {
    let p = broken_project();
    p.write("preflight.toml", "checklist = \"postgres-security\"\n");
    let out = preflight(p.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["checklist"]["id"], "postgres-security");
}

#[test]
fn tier_filter_keeps_only_that_tier() {
    let p = broken_project();
    let out = preflight(p.path())
        .args(["check", "--tier", "optional", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "optional items never block");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["tier"] == "optional")
    );
}

#[test]
fn usage_errors_exit_2_with_a_hint() {
    let p = broken_project();
    let out = preflight(p.path())
        .args(["check", "--only", "bind-port-localhost"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert_eq!(
        text(&out.stderr),
        "error: checklist `postgres-production` has no item `bind-port-localhost` (did you mean `bind-ports-localhost`?)\n"
    );
    let out = preflight(p.path())
        .args(["check", "--checklist", "postgres-prod"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("no shipped checklist and no file named `postgres-prod` (did you mean `postgres-production`?)"));
    let out = preflight(p.path())
        .args(["check", "--tier", "urgent"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert_eq!(
        usage_error(p.path(), &["check", "--dir", "does/not/exist"]),
        "error: project directory does/not/exist does not exist\n"
    );
    assert_eq!(
        usage_error(p.path(), &["check", "--dir", "docker-compose.taskman.yml"]),
        "error: project directory docker-compose.taskman.yml is not a directory\n"
    );
}

/// Runs preflight, expects a usage error (exit 2), and returns what it said.
fn usage_error(dir: &std::path::Path, args: &[&str]) -> String {
    let out = preflight(dir).args(args).output().unwrap();
    assert_eq!(code(&out), 2, "{args:?}: {}", text(&out.stdout));
    text(&out.stderr)
}

/// The terminal UI's options work without naming the subcommand.
#[test]
fn the_ui_options_work_at_the_top_level() {
    let p = broken_project();
    for args in [
        vec!["--dir", "docker-compose.taskman.yml"],
        vec!["--env", "production", "--dir", "docker-compose.taskman.yml"],
        vec![
            "--as",
            "Sam <sam@example.com>",
            "--checklist",
            "postgres-security",
            "--dir",
            "docker-compose.taskman.yml",
        ],
    ] {
        assert_eq!(
            usage_error(p.path(), &args),
            "error: project directory docker-compose.taskman.yml is not a directory\n",
            "parsed as the UI's options: {args:?}"
        );
    }
    // Options and a subcommand do not mix.
    usage_error(p.path(), &["--env", "production", "check"]);
}

#[test]
fn a_literal_password_in_preflight_toml_is_refused_at_its_line() {
    let p = broken_project();
    p.write(
        "preflight.toml",
        "[environments.production]\nhost = \"db.internal\"\npassword = \"hunter2-canary\"\n",
    );
    let out = preflight(p.path()).arg("check").output().unwrap();
    assert_eq!(code(&out), 2);
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: a literal password is not allowed in preflight.toml ([environments.production])\n --> "), "{stderr}");
    assert!(stderr.contains("preflight.toml:3:12"), "{stderr}");
    assert!(
        !stderr.contains("hunter2-canary"),
        "the refused password is never echoed: {stderr}"
    );
}

#[test]
fn help_documents_exit_codes_and_examples() {
    let out = preflight(std::path::Path::new("."))
        .args(["check", "--help"])
        .output()
        .unwrap();
    let help = text(&out.stdout);
    assert!(help.contains("Exit codes:"));
    assert!(help.contains("1  no-go: a critical item fails or errors"));
    assert!(help.contains("preflight check --require-signoff"));
    assert!(help.contains("NO_COLOR"));
    let out = preflight(std::path::Path::new("."))
        .arg("list")
        .output()
        .unwrap();
    assert!(text(&out.stdout).contains("postgres-production"));
}

/// `init` writes a preflight.toml from the project's .env files and this shell's
/// variables: names only, never a value; it never replaces a file unasked, and replaces
/// a link rather than writing through it.
#[test]
fn init_writes_the_environments_it_finds() {
    let p = Project::git();
    p.write(
        ".env.example",
        "PG_HOST=localhost\nPG_USER=app_dev\nPG_PASSWORD=dev-secret-123\n",
    );
    p.write(
        ".env.staging",
        "DATABASE_URL=postgres://app:staging-secret-456@db.staging/app\n",
    );
    let out = preflight(p.path())
        .args(["init", "--yes"])
        .env("PG_HOST", "db.prod.internal")
        .env("PG_PASSWORD", "prod-secret-789")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("[environments.production] from this shell's variables PG_HOST, PG_PASSWORD"),
        "{said}"
    );
    assert!(
        said.contains("[environments.staging] from .env.staging: DATABASE_URL"),
        "{said}"
    );
    let written = std::fs::read_to_string(p.path().join("preflight.toml")).unwrap();
    for secret in [
        "dev-secret-123",
        "staging-secret-456",
        "prod-secret-789",
        "db.prod.internal",
    ] {
        assert!(!written.contains(secret), "{written}");
        assert!(!said.contains(secret), "{said}");
    }
    // The file is what the other commands read: the environments resolve.
    let v = configured_item(
        p.path(),
        &[],
        &[
            ("PG_HOST", "127.0.0.1"),
            ("PG_PASSWORD", "prod-secret-789"),
            ("PG_USER", "app"),
        ],
    );
    assert_eq!(v["status"], "pass", "{v:#}");
    // Never replaced unasked.
    let said = usage_error(p.path(), &["init", "--yes"]);
    assert!(said.contains("already exists"), "{said}");
    // A link the project put in its place is replaced with --force, its target untouched.
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("victim.toml");
    std::fs::write(&target, "untouched").unwrap();
    std::fs::remove_file(p.path().join("preflight.toml")).unwrap();
    std::os::unix::fs::symlink(&target, p.path().join("preflight.toml")).unwrap();
    let out = preflight(p.path())
        .args(["init", "--yes"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "a link counts as an existing file");
    let out = preflight(p.path())
        .args(["init", "--yes", "--force"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
    assert!(!p.path().join("preflight.toml").is_symlink());
}

/// On a terminal, init asks about each environment besides production.
#[test]
fn init_asks_about_each_environment() {
    let p = Project::new();
    p.write(".env.staging", "PG_HOST=db.staging\nPG_PASSWORD=x-secret\n");
    p.write(".env.example", "PG_HOST=localhost\n");
    let args = preflight::commands::cli::InitArgs {
        dir: p.path().to_path_buf(),
        checklist: Vec::new(),
        yes: false,
        force: false,
        stdout: false,
    };
    let mut answers = std::io::Cursor::new(b"n\n\n".to_vec());
    let mut out = Vec::new();
    let code = preflight::commands::init(
        &args,
        &preflight::config::EnvVars::default(),
        true,
        &mut answers,
        &mut out,
    )
    .unwrap();
    assert_eq!(code, 0);
    let said = String::from_utf8(out).unwrap();
    assert!(
        said.contains("add environment `staging` (from .env.staging: PG_HOST, PG_PASSWORD)? [Y/n]"),
        "{said}"
    );
    assert!(said.contains("add environment `development`"), "{said}");
    let written = std::fs::read_to_string(p.path().join("preflight.toml")).unwrap();
    assert!(
        !written.contains("[environments.staging]"),
        "declined: {written}"
    );
    assert!(written.contains("[environments.development]"), "{written}");
    assert!(written.contains("[environments.production]"), "{written}");
}

/// `--env` is the environment the probes check, not only whose sign-offs count.
#[test]
fn probes_check_the_environment_asked_for() {
    let p = Project::git();
    p.write(
        "preflight.toml",
        "[environments.staging]\nhost = \"db.staging.internal\"\nuser = \"app_staging\"\npassword = { env = \"STAGING_PASSWORD\" }\n",
    );
    let run = |env: &str| {
        let item = configured_item(
            p.path(),
            &["--env", env],
            &[("STAGING_PASSWORD", "staging-secret-1")],
        );
        item["probes"][0]["summary"].as_str().unwrap().to_string()
    };
    let staging = run("staging");
    assert!(
        staging.contains(
            "environment `staging` is configured: host db.staging.internal, user app_staging"
        ),
        "{staging}"
    );
    assert!(!staging.contains("staging-secret-1"));
    let production = run("production");
    assert!(
        production.contains("environment `production`"),
        "{production}"
    );
    // Several at once: a report each, and the gate needs all of them.
    let out = preflight(p.path())
        .args([
            "check",
            "--only",
            "production-configured",
            "--format",
            "json",
            "--env",
            "staging,production",
        ])
        .env("STAGING_PASSWORD", "staging-secret-1")
        .output()
        .unwrap();
    let both: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let envs: Vec<&str> = both
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["environment"].as_str().unwrap())
        .collect();
    assert_eq!(envs, ["staging", "production"]);
    assert_eq!(both[0]["verdict"], "go", "{both:#}");
    assert_eq!(
        code(&out),
        1,
        "production is not configured: no-go for the pair"
    );
    let out = preflight(p.path())
        .args([
            "check",
            "--only",
            "production-configured",
            "--env",
            "staging,production",
        ])
        .env("STAGING_PASSWORD", "staging-secret-1")
        .output()
        .unwrap();
    let said = text(&out.stdout);
    assert!(said.contains("== environment staging =="), "{said}");
    assert!(said.contains("== environment production =="), "{said}");
    // An environment nobody configured is refused before anything runs.
    let said = usage_error(p.path(), &["check", "--env", "stagign"]);
    assert!(said.contains("did you mean `staging`?"), "{said}");
    let said = usage_error(p.path(), &["check", "--env", "staging,stagign"]);
    assert!(said.contains("did you mean `staging`?"), "{said}");
}

/// The `production-configured` item of `check --format json`, run with `args` and the
/// variables `vars`.
fn configured_item(
    dir: &std::path::Path,
    args: &[&str],
    vars: &[(&str, &str)],
) -> serde_json::Value {
    let mut cmd = preflight(dir);
    cmd.args([
        "check",
        "--only",
        "production-configured",
        "--format",
        "json",
    ])
    .args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    v["items"][0].clone()
}

/// Each evidence line says whether it is a finding: a loopback port beside an exposed
/// one is `pass`, and SARIF reports only the finding.
#[test]
fn evidence_lines_carry_their_own_status() {
    let p = Project::git();
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"5432:5432\"\n      - \"127.0.0.1:6379:6379\"\n",
    );
    p.commit_all("init");
    let out = preflight(p.path())
        .args([
            "check",
            "--only",
            "bind-ports-localhost",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let evidence = v["items"][0]["probes"][0]["evidence"].as_array().unwrap();
    let statuses: Vec<(&str, u64)> = evidence
        .iter()
        .map(|e| (e["status"].as_str().unwrap(), e["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(statuses, [("fail", 5), ("pass", 6)], "{evidence:#?}");
    let out = preflight(p.path())
        .args(["report", "--format", "sarif", "-o", "-"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    let ports: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "bind-ports-localhost")
        .collect();
    assert_eq!(ports.len(), 1, "{ports:#?}");
    assert_eq!(
        ports[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
}

/// `init` on `.env` files from public projects (tests/corpus/secrets, with their
/// sources): hoppscotch's `.env.example` names its database by `DATABASE_URL`; n8n's
/// Compose `.env` gives the container's `POSTGRES_*` credentials but no host (the
/// database is a Compose service), so it is no environment to connect to. No value
/// from either file is written or printed.
#[test]
fn init_reads_real_env_files() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/secrets");
    let hoppscotch =
        std::fs::read_to_string(corpus.join("hoppscotch+hoppscotch/.env.example")).unwrap();
    let n8n =
        std::fs::read_to_string(corpus.join("n8n-io+n8n-hosting/docker-compose/withPostgres/.env"))
            .unwrap();
    let p = Project::git();
    p.write(".env.example", &hoppscotch);
    p.write(".env.staging", &n8n);
    let out = preflight(p.path())
        .args(["init", "--stdout"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let written = text(&out.stdout);
    assert!(
        written.contains("url = { dotenv = \".env.example\", key = \"DATABASE_URL\" }"),
        "{written}"
    );
    assert!(
        !written.contains("[environments.staging]"),
        "no host: {written}"
    );
    for value in ["testpass", "hoppscotch-db", "changePassword", "changeUser"] {
        assert!(!written.contains(value), "`{value}` written:\n{written}");
    }
}
