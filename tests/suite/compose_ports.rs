//! `compose-ports` on real Compose files: every syntax of `ports:`, interpolation,
//! anchors and merge keys, `network_mode: host`, discovery and filters.

use preflight::probe::{ProbeOutcome, ProbeStatus};

use crate::support::{Project, run_probe};

fn check(p: &Project, params: &str) -> ProbeOutcome {
    run_probe(p.path(), "compose-ports", params, &[])
}

fn compose(ports: &str) -> String {
    format!("services:\n  db:\n    image: postgres:16\n    ports:\n{ports}")
}

/// Each short or long form, alone in a file, and whether it must fail.
#[test]
fn every_port_syntax_is_judged_correctly() {
    let cases: &[(&str, bool, &str)] = &[
        (
            "      - \"5432\"\n",
            true,
            "0.0.0.0:(any free port)->5432/tcp",
        ),
        ("      - 5432\n", true, "0.0.0.0:(any free port)->5432/tcp"),
        ("      - \"5434:5432\"\n", true, "0.0.0.0:5434->5432/tcp"),
        ("      - 5434:5432\n", true, "0.0.0.0:5434->5432/tcp"),
        (
            "      - \"0.0.0.0:5434:5432\"\n",
            true,
            "0.0.0.0:5434->5432/tcp",
        ),
        ("      - \"[::]:5434:5432\"\n", true, "[::]:5434->5432/tcp"),
        (
            "      - \"10.0.0.5:5434:5432\"\n",
            true,
            "reachable on 10.0.0.5",
        ),
        (
            "      - \"8000-8010:8000-8010\"\n",
            true,
            "0.0.0.0:8000-8010->8000-8010/tcp",
        ),
        (
            "      - \"5434:5432/udp\"\n",
            true,
            "0.0.0.0:5434->5432/udp",
        ),
        (
            "      - \"127.0.0.1:5434:5432\"\n",
            false,
            "127.0.0.1:5434->5432/tcp",
        ),
        (
            "      - \"127.0.0.1::5432\"\n",
            false,
            "127.0.0.1:(any free port)->5432/tcp",
        ),
        (
            "      - \"[::1]:5434:5432\"\n",
            false,
            "[::1]:5434->5432/tcp",
        ),
        (
            "      - \"localhost:5434:5432\"\n",
            false,
            "localhost:5434->5432/tcp",
        ),
        (
            "      - \"127.0.0.1:5000-5010:5000-5010/udp\"\n",
            false,
            "127.0.0.1:5000-5010->5000-5010/udp",
        ),
        (
            "      - target: 5432\n        published: 5434\n",
            true,
            "0.0.0.0:5434->5432/tcp",
        ),
        (
            "      - target: 5432\n        published: \"5434\"\n        host_ip: 0.0.0.0\n        protocol: tcp\n        mode: host\n",
            true,
            "0.0.0.0:5434->5432/tcp",
        ),
        (
            "      - target: 5432\n        published: 5434\n        host_ip: 127.0.0.1\n",
            false,
            "127.0.0.1:5434->5432/tcp",
        ),
        (
            "      - target: 5432\n        host_ip: \"::1\"\n        protocol: UDP\n",
            false,
            "[::1]:(any free port)->5432/udp",
        ),
    ];
    for (ports, exposed, shown) in cases {
        let p = Project::new();
        p.write("docker-compose.yml", &compose(ports));
        let o = check(&p, "");
        let expected = if *exposed {
            ProbeStatus::Fail
        } else {
            ProbeStatus::Pass
        };
        assert_eq!(o.status, expected, "{ports}: {o:?}");
        assert!(
            o.evidence.iter().any(|e| e.message.contains(shown)),
            "{ports}: expected `{shown}` in {:?}",
            o.evidence
        );
        let e = &o.evidence[0];
        assert_eq!(
            (e.file.as_deref(), e.line),
            (Some("docker-compose.yml"), Some(5)),
            "{ports}"
        );
    }
}

#[test]
fn expose_is_internal_and_passes() {
    let p = Project::new();
    p.write(
        "compose.yaml",
        "services:\n  db:\n    image: postgres:16\n    expose:\n      - \"5432\"\n",
    );
    let o = check(&p, "");
    assert_eq!(o.status, ProbeStatus::Pass, "{o:?}");
    assert_eq!(o.summary, "no published ports (1 Compose file, 1 service)");
}

#[test]
fn network_mode_host_exposes_everything() {
    let p = Project::new();
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    network_mode: host\n",
    );
    let o = check(&p, "");
    assert_eq!(o.status, ProbeStatus::Fail);
    assert!(
        o.evidence[0].message.contains("network_mode: host"),
        "{o:?}"
    );
    assert_eq!(o.evidence[0].line, Some(4));
}

#[test]
fn interpolation_uses_dotenv_and_the_shell_first() {
    let p = Project::new();
    p.write(".env", "BIND_IP=127.0.0.1\nDB_PORT=5434\n");
    p.write("docker-compose.yml", &compose("      - \"${BIND_IP}:${DB_PORT:-5432}:5432\"\n      - \"${UNSET_IP:-127.0.0.1}:6543:5432\"\n"));
    let o = check(&p, "");
    assert_eq!(o.status, ProbeStatus::Pass, "{o:?}");
    assert!(
        o.evidence[0]
            .message
            .contains("\"${BIND_IP}:${DB_PORT:-5432}:5432\" → 127.0.0.1:5434->5432/tcp"),
        "{:?}",
        o.evidence
    );

    // The shell overrides .env, as in Compose.
    let o = run_probe(p.path(), "compose-ports", "", &[("BIND_IP", "0.0.0.0")]);
    assert_eq!(o.status, ProbeStatus::Fail, "{o:?}");
    assert!(
        o.evidence[0].message.contains("→ 0.0.0.0:5434->5432/tcp"),
        "{:?}",
        o.evidence
    );

    // An unset variable without default becomes empty: every interface.
    p.write(".env", "DB_PORT=5434\n");
    let o = check(&p, "");
    assert_eq!(o.status, ProbeStatus::Fail, "{o:?}");
}

#[test]
fn a_required_variable_that_is_missing_is_an_error() {
    let p = Project::new();
    p.write(
        "docker-compose.yml",
        &compose("      - \"${BIND_IP:?set BIND_IP}:5434:5432\"\n"),
    );
    let o = check(&p, "");
    assert_eq!(o.status, ProbeStatus::Error, "{o:?}");
    assert_eq!(
        o.evidence[0].message,
        "service `db`: required variable BIND_IP is missing a value: set BIND_IP"
    );
}

#[test]
fn anchors_and_merge_keys_are_resolved() {
    let p = Project::new();
    p.write(
        "docker-compose.yml",
        "x-postgres: &postgres\n  image: postgres:16\n  ports:\n    - \"5435:5432\"\n\nservices:\n  dev-db:\n    <<: *postgres\n  test-db:\n    <<: *postgres\n    ports:\n      - \"127.0.0.1:5433:5432\"\n  other:\n    image: redis\n    ports: &p\n      - \"127.0.0.1:6379:6379\"\n  other2:\n    image: redis\n    ports: *p\n",
    );
    let o = check(&p, "");
    assert_eq!(o.status, ProbeStatus::Fail, "{o:?}");
    let exposed: Vec<&str> = o
        .evidence
        .iter()
        .filter(|e| e.message.contains("all interfaces"))
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        exposed,
        [
            "service `dev-db`: \"5435:5432\" → 0.0.0.0:5435->5432/tcp (all interfaces: bind it to 127.0.0.1)"
        ]
    );
    assert_eq!(
        o.evidence[0].line,
        Some(4),
        "merged values point where they are written"
    );
    assert_eq!(
        o.summary,
        "1 published port reachable from the network (1 Compose file, 4 services)"
    );
}

#[test]
fn discovery_is_recursive_and_skips_git_ignored_folders() {
    let p = Project::git();
    p.write(".gitignore", "node_modules/\n");
    p.write(
        "deploy/docker-compose.prod.yml",
        &compose("      - \"127.0.0.1:5432:5432\"\n"),
    );
    p.write(
        "docker-compose.test.yml",
        &compose("      - \"127.0.0.1:5433:5432\"\n"),
    );
    p.write(
        "node_modules/pkg/docker-compose.yml",
        &compose("      - \"5432:5432\"\n"),
    );
    p.write(
        "notes/compose-draft.txt",
        &compose("      - \"5432:5432\"\n"),
    );
    let o = check(&p, "");
    assert_eq!(o.status, ProbeStatus::Pass, "{o:?}");
    let files: Vec<&str> = o
        .evidence
        .iter()
        .filter_map(|e| e.file.as_deref())
        .collect();
    assert_eq!(
        files,
        ["deploy/docker-compose.prod.yml", "docker-compose.test.yml"]
    );
}

#[test]
fn filters_limit_services_and_container_ports() {
    let p = Project::new();
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    ports: [\"5434:5432\"]\n  web:\n    ports: [\"8080:80\"]\n",
    );
    assert_eq!(check(&p, "services = [\"web\"]").status, ProbeStatus::Fail);
    let o = check(&p, "container_ports = [443]");
    assert_eq!(o.status, ProbeStatus::Pass, "{o:?}");
    let o = check(&p, "container_ports = [5432]");
    assert_eq!(o.evidence.len(), 1, "{o:?}");
    assert!(o.evidence[0].message.contains("5434->5432"));
}

#[test]
fn broken_yaml_and_missing_files_are_reported() {
    let p = Project::new();
    assert_eq!(check(&p, "").status, ProbeStatus::Skipped);
    assert_eq!(
        check(&p, "").summary,
        "no Compose files match docker-compose*.y*ml, compose*.y*ml"
    );
    p.write(
        "compose.yml",
        "services:\n  db:\n    ports: [\"5432:5432\"\n",
    );
    let o = check(&p, "");
    assert_eq!(o.status, ProbeStatus::Error, "{o:?}");
    assert!(
        o.evidence[0]
            .message
            .starts_with("compose.yml:4:1: invalid YAML:"),
        "{:?}",
        o.evidence
    );
    p.write(
        "compose.yml",
        "services:\n  db:\n    ports:\n      - \"5432:abc\"\n",
    );
    let o = check(&p, "");
    assert_eq!(o.status, ProbeStatus::Error);
    assert_eq!(
        o.evidence[0].message,
        "service `db`: invalid container port in \"5432:abc\": `abc` is not a port number"
    );
    assert_eq!(o.evidence[0].line, Some(4));
}

#[test]
fn scope_separates_database_ports_from_the_others() {
    let p = Project::new();
    p.write(
        "compose.yaml",
        "services:\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n  cache:\n    image: docker.io/bitnami/redis:7\n    ports: [\"6380:6380\"]\n  web:\n    image: nginx:1.27\n    ports: [\"8080:80\", \"127.0.0.1:9090:9090\"]\n  adminer:\n    image: adminer\n    ports: [\"15432:5432\"]\n",
    );
    let o = check(&p, "scope = \"databases\"");
    let t = crate::support::outcome_text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    // db by image and port, cache by image, adminer by its container port 5432.
    assert!(
        t.starts_with("fail 3 published database ports reachable"),
        "{t}"
    );
    assert!(!t.contains("8080"), "{t}");
    let o = check(&p, "scope = \"others\"");
    let t = crate::support::outcome_text(&o);
    assert!(
        t.starts_with("fail 1 published non-database port reachable"),
        "{t}"
    );
    assert!(t.contains("8080:80"), "{t}");
    assert!(!t.contains("5432:5432"), "{t}");
}

/// What Compose itself accepts, read the same way: a byte-order mark, every YAML
/// document merged, a flow list closed at its key's indent (as getsentry/self-hosted
/// writes it), `.env` values with spaces and inline comments, and an override file git
/// ignores. What Compose refuses is an error, never "no ports".
#[test]
fn files_are_read_as_compose_reads_them() {
    let exposed = |p: &Project| {
        let o = check(p, "");
        let t = crate::support::outcome_text(&o);
        (o.status, t)
    };
    let p = Project::new();
    p.write(
        "compose.yaml",
        "\u{feff}services:\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n",
    );
    let (status, t) = exposed(&p);
    assert_eq!(status, ProbeStatus::Fail, "{t}");
    assert!(t.contains("compose.yaml:4"), "{t}");

    let p = Project::new();
    p.write(
        "compose.yaml",
        "services:\n  db:\n    image: postgres:16\n---\nservices:\n  db:\n    ports:\n      - \"5433:5432\"\n",
    );
    let (status, t) = exposed(&p);
    assert_eq!(status, ProbeStatus::Fail, "{t}");
    assert!(t.contains("0.0.0.0:5433->5432"), "{t}");

    let p = Project::new();
    p.write(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [\n          \"CMD\",\n          \"true\",\n      ]\n    ports:\n      - \"9000:80\"\n",
    );
    let (status, t) = exposed(&p);
    assert_eq!(status, ProbeStatus::Fail, "{t}");
    assert!(t.contains("0.0.0.0:9000->80"), "{t}");

    let p = Project::new();
    p.write(
        ".env",
        "BIND = 0.0.0.0   # every interface\nLABEL=two words\n",
    );
    p.write(
        "compose.yaml",
        "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"${BIND}:5432:5432\"\n",
    );
    let (status, t) = exposed(&p);
    assert_eq!(status, ProbeStatus::Fail, "{t}");
    assert!(t.contains("0.0.0.0:5432->5432"), "{t}");

    let p = Project::git();
    p.write(".gitignore", "docker-compose.override.yml\n");
    p.write(
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n",
    );
    p.write(
        "docker-compose.override.yml",
        "services:\n  db:\n    ports:\n      - \"5433:5432\"\n",
    );
    p.commit_all("compose");
    let (status, t) = exposed(&p);
    assert_eq!(status, ProbeStatus::Fail, "{t}");
    assert!(t.contains("docker-compose.override.yml"), "{t}");

    // `extends:` within the file: the service inherits the base's ports, and adds its own.
    let p = Project::new();
    p.write(
        "compose.yaml",
        "services:\n  base:\n    image: postgres:16\n    ports: [\"127.0.0.1:5432:5432\"]\n  db:\n    extends: base\n    ports: [\"5433:5432\"]\n  db2:\n    extends:\n      service: db\n",
    );
    let (status, t) = exposed(&p);
    assert_eq!(status, ProbeStatus::Fail, "{t}");
    assert!(t.contains("service `db`: \"5433:5432\""), "{t}");
    assert!(t.contains("service `db2`: \"5433:5432\""), "{t}");
    assert!(t.contains("service `db2`: \"127.0.0.1:5432:5432\""), "{t}");

    for (text, message) in [
        (
            "services:\n  db:\n    image: postgres:16\n    image: mysql:8\n",
            "duplicate key `image` (first at line 3)",
        ),
        (
            "services:\n  db:\n    image: postgres:16\n    ports: {a: b}\n",
            "`ports` must be a list",
        ),
    ] {
        let p = Project::new();
        p.write("compose.yaml", text);
        let (status, t) = exposed(&p);
        assert_eq!(status, ProbeStatus::Error, "{t}");
        assert!(t.contains(message), "{t}");
    }
}

/// `extends:` naming another file: the service takes that file's ports, evidence names
/// the file and line they are written on; `!reset` and `!override` apply.
#[test]
fn extends_from_another_file_is_followed() {
    let p = Project::new();
    p.write(
        "deploy/common.yml",
        "services:\n  pg:\n    image: postgres:16\n    ports:\n      - \"5432:5432\"\n  quiet:\n    image: postgres:16\n    ports: [\"127.0.0.1:5432:5432\"]\n",
    );
    p.write(
        "compose.yaml",
        "services:\n  db:\n    extends:\n      file: deploy/common.yml\n      service: pg\n  safe:\n    extends: {file: ./deploy/common.yml, service: pg}\n    ports: !override [\"127.0.0.1:5433:5432\"]\n  none:\n    extends: {file: deploy/common.yml, service: pg}\n    ports: !reset []\n",
    );
    let o = check(&p, "");
    let t = crate::support::outcome_text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    assert!(
        t.contains("deploy/common.yml:5") && t.contains("service `db`: \"5432:5432\""),
        "{t}"
    );
    assert!(!t.contains("service `safe`: \"5432:5432\""), "{t}");
    assert!(t.contains("service `safe`: \"127.0.0.1:5433:5432\""), "{t}");
    assert!(!t.contains("service `none`"), "{t}");

    // A base that extends a third file, relative to its own folder.
    let p = Project::new();
    p.write(
        "a/base.yml",
        "services:\n  root:\n    image: postgres:16\n    ports: [\"5435:5432\"]\n",
    );
    p.write(
        "a/mid.yml",
        "services:\n  mid:\n    extends: {file: base.yml, service: root}\n",
    );
    p.write(
        "compose.yaml",
        "services:\n  db:\n    extends: {file: a/mid.yml, service: mid}\n",
    );
    let o = check(&p, "");
    let t = crate::support::outcome_text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    assert!(t.contains("a/base.yml:4"), "{t}");
}

/// `include:` loads each file as a Compose file of its own, with its `.env` under the
/// including file's; a file both found and included is read once.
#[test]
fn include_is_followed() {
    let p = Project::new();
    p.write(".env", "DB_BIND=0.0.0.0\n");
    p.write("db/.env", "DB_BIND=127.0.0.1\nDB_PORT=5439\n");
    p.write(
        "db/postgres.yaml",
        "services:\n  db:\n    image: postgres:16\n    ports: [\"${DB_BIND}:${DB_PORT}:5432\"]\n",
    );
    p.write(
        "compose.yaml",
        "include:\n  - db/postgres.yaml\nservices:\n  web:\n    image: nginx\n",
    );
    let o = check(&p, "");
    let t = crate::support::outcome_text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    // The including project's `.env` wins over the included one's, as in compose-go.
    assert!(t.contains("db/postgres.yaml:4"), "{t}");
    assert!(t.contains("0.0.0.0:5439->5432"), "{t}");

    // Long form, several paths, env_file; and an included file the glob also finds.
    let p = Project::new();
    p.write("infra/db.env", "PORT=5440\n");
    p.write(
        "infra/compose.db.yaml",
        "services:\n  db:\n    image: postgres:16\n    ports: [\"127.0.0.1:${PORT}:5432\"]\n",
    );
    p.write(
        "compose.yaml",
        "include:\n  - path: [infra/compose.db.yaml]\n    env_file: infra/db.env\n",
    );
    let o = check(&p, "");
    let t = crate::support::outcome_text(&o);
    assert_eq!(o.status, ProbeStatus::Pass, "{t}");
    assert_eq!(t.matches("127.0.0.1:5440->5432").count(), 1, "{t}");
}

/// What the checked branch names must stay inside the project and finite: files
/// outside it, remote files, cycles and missing bases make the probe `error` at the
/// line that names them, never pass and never hang.
#[test]
fn named_files_are_confined_and_bounded() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("other.yml"),
        "services:\n  x:\n    image: postgres\n    ports: [\"5432:5432\"]\n",
    )
    .unwrap();
    let other = outside.path().join("other.yml");
    let cases = [
        (
            format!("include:\n  - {}\n", other.display()),
            "outside the project",
        ),
        ("include:\n  - ../other.yml\n".to_string(), "include"),
        (
            "include:\n  - oci://registry.example/compose:latest\n".to_string(),
            "a remote file",
        ),
        (
            "services:\n  db:\n    extends: {file: https://example.com/x.yml, service: x}\n"
                .to_string(),
            "a remote file",
        ),
        (
            "include:\n  - compose.yaml\nservices:\n  web:\n    image: nginx\n".to_string(),
            "a cycle",
        ),
        (
            "services:\n  db:\n    extends: {file: missing.yml, service: x}\n".to_string(),
            "missing.yml",
        ),
        (
            "services:\n  db:\n    extends: nowhere\n".to_string(),
            "`extends` names service `nowhere`",
        ),
        (
            "services:\n  a:\n    extends: b\n  b:\n    extends: a\n".to_string(),
            "leads back to itself",
        ),
    ];
    for (text, message) in cases {
        let p = Project::new();
        p.write("compose.yaml", &text);
        let o = check(&p, "");
        let t = crate::support::outcome_text(&o);
        assert_eq!(o.status, ProbeStatus::Error, "{text}\n{t}");
        assert!(t.contains(message), "{text}\n{t}");
        assert!(t.contains("compose.yaml:"), "{text}\n{t}");
    }

    // A link inside the project that leads out of it is not followed either.
    let p = Project::new();
    std::os::unix::fs::symlink(&other, p.path().join("linked.yml")).unwrap();
    p.write("compose.yaml", "include:\n  - linked.yml\n");
    let o = check(&p, "");
    let t = crate::support::outcome_text(&o);
    assert_eq!(o.status, ProbeStatus::Error, "{t}");
    assert!(t.contains("outside the project"), "{t}");

    // Two files including each other, and a chain of 40 files: both end.
    let p = Project::new();
    p.write("compose.yaml", "include:\n  - b.yaml\n");
    p.write("b.yaml", "include:\n  - compose.yaml\n");
    let o = check(&p, "");
    assert_eq!(
        o.status,
        ProbeStatus::Error,
        "{}",
        crate::support::outcome_text(&o)
    );
    let p = Project::new();
    for i in 0..40 {
        p.write(
            &format!("f{i}.yaml"),
            &format!(
                "services:\n  s:\n    extends: {{file: f{}.yaml, service: s}}\n",
                i + 1
            ),
        );
    }
    p.write("f40.yaml", "services:\n  s:\n    image: postgres\n");
    p.write(
        "compose.yaml",
        "services:\n  db:\n    extends: {file: f0.yaml, service: s}\n",
    );
    let o = check(&p, "");
    let t = crate::support::outcome_text(&o);
    assert_eq!(o.status, ProbeStatus::Error, "{t}");
    assert!(t.contains("deep"), "{t}");
}
