//! The shipped `postgres-hardening` checklist, run by the real binary against real
//! clusters: a hardened one on which every automated item passes (as a superuser and
//! as an auditor role that is not one), one with a deliberate mistake for each item,
//! where each fails naming the role, database, line or setting, and connections that
//! lack a privilege, where items say which one and none passes.

use serde_json::Value;

use crate::support::pg::{Cluster, ClusterConfig, SUPERUSER_PASSWORD, certificate_ending_in};
use crate::support::{Project, preflight};

/// Runs the checklist as `user` and returns the JSON report.
fn check(c: &Cluster, user: &str, password: &str) -> Value {
    let p = Project::new();
    let out = preflight(p.path())
        .args([
            "check",
            "--checklist",
            "postgres-hardening",
            "--format",
            "json",
        ])
        .env("PG_HOST", "localhost")
        .env("PG_PORT", c.port.to_string())
        .env("PG_USER", user)
        .env("PG_PASSWORD", password)
        .env("PG_DATABASE", "postgres")
        .env("PG_SSLMODE", "require")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Each item: (id, status, everything its probes said).
fn items(report: &Value) -> Vec<(String, String, String)> {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let said = i["probes"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let evidence: Vec<String> = p["evidence"]
                                .as_array()
                                .map(|es| {
                                    es.iter()
                                        .map(|e| e["message"].as_str().unwrap_or("").to_string())
                                        .collect()
                                })
                                .unwrap_or_default();
                            format!(
                                "[{}] {}\n  {}",
                                p["status"].as_str().unwrap_or(""),
                                p["summary"].as_str().unwrap_or(""),
                                evidence.join("\n  ")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            (
                i["id"].as_str().unwrap().to_string(),
                i["status"].as_str().unwrap().to_string(),
                said,
            )
        })
        .collect()
}

fn automated(report: &Value) -> Vec<(String, String, String)> {
    items(report)
        .into_iter()
        .filter(|(_, status, _)| status != "manual" && status != "pending")
        .collect()
}

fn item<'a>(all: &'a [(String, String, String)], id: &str) -> &'a (String, String, String) {
    all.iter()
        .find(|(i, ..)| i == id)
        .unwrap_or_else(|| panic!("no item {id}"))
}

/// What a hardened server looks like (settings; `{dir}` is outside the data directory).
fn hardened_settings() -> Vec<String> {
    [
        "logging_collector = on",
        "log_directory = '{dir}'",
        "log_truncate_on_rotation = on",
        "log_connections = on",
        "log_disconnections = on",
        "log_line_prefix = '%m [%p]: user=%u,db=%d,app=%a,client=%h '",
        "log_statement = 'ddl'",
        "log_timezone = 'UTC'",
        "shared_preload_libraries = 'pgaudit,auth_delay,passwordcheck'",
        "pgaudit.log = 'ddl, role, write'",
        "auth_delay.milliseconds = 100",
        "ssl_ciphers = 'HIGH:!aNULL:!MD5:!3DES'",
        "ssl_min_protocol_version = 'TLSv1.2'",
        "log_replication_commands = on",
        "archive_mode = on",
        "archive_command = '/bin/true'",
        "unix_socket_permissions = 0770",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

const HARDENED_HBA: &str =
    "hostssl postgres,template1,app postgres,app,auditor 127.0.0.1/32 scram-sha-256";

fn hardened() -> Cluster {
    let c = Cluster::start(ClusterConfig {
        hba: vec![HARDENED_HBA.into()],
        settings: hardened_settings(),
        ..ClusterConfig::default()
    });
    c.sql("create role app login password 'Kx7-tree-Lamp-93' valid until '2030-01-01' connection limit 20");
    c.sql("create role auditor login password 'Qz4-river-Moss-58' valid until '2030-01-01' connection limit 40");
    c.sql("create database app owner app");
    for db in ["postgres", "template1", "app"] {
        c.sql(&format!(
            "revoke temporary, create on database {db} from public"
        ));
    }
    c.sql_in("app", "create table orders (id int)");
    c
}

#[test]
fn a_hardened_server_passes_every_automated_item() {
    let c = hardened();
    let report = check(&c, "postgres", SUPERUSER_PASSWORD);
    let all = automated(&report);
    let not_passing: Vec<String> = all
        .iter()
        .filter(|(_, status, _)| status != "pass")
        .map(|(id, status, said)| format!("{id}: {status}\n{said}"))
        .collect();
    assert!(not_passing.is_empty(), "{}", not_passing.join("\n\n"));
    assert_eq!(all.len(), 24, "automated items");
    // Manual items stay for a person.
    assert_eq!(items(&report).len() - all.len(), 11);
    let (_, _, tls) = item(&all, "tls-configured");
    assert!(tls.contains("EC P-256, signed ecdsa-with-SHA256"), "{tls}");
    let (_, _, privileges) = item(&all, "no-public-grants");
    assert!(
        privileges.contains("in 3 databases: postgres, app, template1"),
        "{privileges}"
    );

    // The same as an auditor that is not a superuser: with pg_monitor alone the pg_hba
    // rules are out of reach, and that item says which grant would let it run.
    c.sql("grant pg_monitor to auditor");
    let report = check(&c, "auditor", "Qz4-river-Moss-58");
    let all = automated(&report);
    let (_, status, said) = item(&all, "hba-rules");
    assert_eq!(status, "error", "{said}");
    assert!(
        said.contains("SELECT on pg_hba_file_rules and EXECUTE on pg_hba_file_rules()"),
        "{said}"
    );
    for (id, status, said) in &all {
        if id != "hba-rules" {
            assert_eq!(status, "pass", "{id} as pg_monitor:\n{said}");
        }
    }
    // With that grant (what a managed server's admin can give), everything passes.
    c.sql("grant select on pg_hba_file_rules to auditor");
    c.sql("grant execute on function pg_hba_file_rules() to auditor");
    let report = check(&c, "auditor", "Qz4-river-Moss-58");
    for (id, status, said) in automated(&report) {
        assert_eq!(status, "pass", "{id} as auditor with the grant:\n{said}");
    }
}

/// Without pg_monitor, settings that only a superuser or pg_read_all_settings may see
/// make their items errors naming that grant; nothing passes for lack of data.
#[test]
fn a_role_without_privileges_is_told_what_it_lacks() {
    let c = hardened();
    let report = check(&c, "app", "Kx7-tree-Lamp-93");
    let all = automated(&report);
    for id in [
        "locations-outside-data-directory",
        "logs-collected",
        "pgaudit",
        "authentication-timeout",
        "tls-configured",
    ] {
        let (_, status, said) = item(&all, id);
        assert_eq!(status, "error", "{id}:\n{said}");
        assert!(said.contains("pg_read_all_settings"), "{id}:\n{said}");
    }
    let (_, status, said) = item(&all, "hba-rules");
    assert_eq!(status, "error", "{said}");
    // Whatever passes read what it needed: the catalogs every role may read.
    for (id, status, said) in &all {
        if status == "pass" {
            assert!(
                !said.contains("hidden") && !said.contains("not visible"),
                "{id} passed without its data:\n{said}"
            );
        }
    }
}

/// One deliberate mistake per item; each fails naming what is wrong.
#[test]
fn each_mistake_fails_its_item_with_evidence() {
    let mut settings = hardened_settings();
    settings.retain(|s| {
        !s.starts_with("log_connections")
            && !s.starts_with("log_line_prefix")
            && !s.starts_with("shared_preload_libraries")
            && !s.starts_with("pgaudit")
            && !s.starts_with("auth_delay")
            && !s.starts_with("ssl_ciphers")
            && !s.starts_with("ssl_min_protocol_version")
            && !s.starts_with("log_directory")
    });
    settings.extend(
        [
            "log_connections = off",
            "log_line_prefix = '%m '",
            "authentication_timeout = 120",
            "ssl_min_protocol_version = 'TLSv1'",
            "password_encryption = 'md5'",
            "log_directory = 'log'",
            "debug_print_plan = on",
        ]
        .map(String::from),
    );
    let c = Cluster::start(ClusterConfig {
        hba: vec![
            "local all all trust".into(),
            "host all all 0.0.0.0/0 scram-sha-256".into(),
            "hostnossl app app 10.0.0.0/8 password".into(),
            "hostssl all postgres,app 127.0.0.1/32 scram-sha-256".into(),
        ],
        settings,
        certificate: Some(certificate_ending_in(10)),
        ..ClusterConfig::default()
    });
    c.sql("create role app login password 'Kx7-tree-Lamp-93'");
    c.sql("create role ops login password 'ops-Pass-1234-z' createdb valid until '2030-01-01' connection limit 3");
    c.sql("create role etl login password 'etl-Pass-5678-w' valid until '2030-01-01' connection limit 3");
    c.sql("grant pg_read_server_files to etl");
    c.sql("create role replicator login replication createrole password 'rep-Pass-0000-v' valid until '2030-01-01' connection limit 40");
    c.sql("create database app owner app");
    c.sql_in("app", "grant create on schema public to public");
    c.sql_in("app", "create table orders (id int)");
    c.sql_in("app", "grant select on orders to public");
    c.sql_in(
        "app",
        "create function open_door() returns int language sql security definer as 'select 1'",
    );
    c.sql_in("app", "create extension dblink");
    let report = check(&c, "postgres", SUPERUSER_PASSWORD);
    let all = automated(&report);
    let expect: &[(&str, &[&str])] = &[
        (
            "hba-rules",
            &[
                // Line 1 is the harness's comment.
                "pg_hba.conf:2: local all all trust",
                "pg_hba.conf:3: host all all 0.0.0.0/0",
                "admits a /0 network",
                "admits `all` users, superusers included, from the network",
                "pg_hba.conf:4: hostnossl app app",
                "`password` sends the password in clear text",
                "admits a /8 network",
            ],
        ),
        (
            "no-excess-attributes",
            &[
                "login role `ops` has CREATEDB",
                "role `etl` is a member of pg_read_server_files",
            ],
        ),
        (
            "roles-bounded",
            &[
                "login role `app` never expires",
                "login role `app` has no connection limit",
            ],
        ),
        (
            "replication-role",
            &["replication role `replicator` also has CREATEROLE"],
        ),
        (
            "no-public-grants",
            &[
                "database app: schema public: PUBLIC may CREATE in it",
                "database app: table public.orders: PUBLIC has SELECT",
                "database app: PUBLIC has TEMPORARY",
            ],
        ),
        (
            "security-definer-safe",
            &["database app: function public.open_door() is SECURITY DEFINER"],
        ),
        ("extensions-reviewed", &["database app: extension dblink"]),
        ("log-sessions", &["log_connections = off"]),
        ("log-content", &["log_line_prefix = %m"]),
        ("log-levels", &["debug_print_plan = on"]),
        ("pgaudit", &["shared_preload_libraries", "pgaudit.log"]),
        ("authentication-timeout", &["authentication_timeout = 120"]),
        ("password-encryption", &["password_encryption = md5"]),
        (
            "tls-configured",
            &[
                "expires on",
                "(in 10 days; at least 30 required)",
                "ssl_min_protocol_version = TLSv1 lets clients use protocols older than TLSv1.2",
                "ssl_ciphers enables weak classes for TLS 1.2: MEDIUM",
            ],
        ),
        (
            "locations-outside-data-directory",
            &["log_directory = log is relative"],
        ),
    ];
    for (id, words) in expect {
        let (_, status, said) = item(&all, id);
        assert_eq!(status, "fail", "{id}:\n{said}");
        for w in *words {
            assert!(said.contains(w), "{id}: `{w}` in\n{said}");
        }
    }
}

/// Every numbered entry of pgdsat's report (the CIS benchmark's sections) is named by
/// some item of the checklist, and nothing else is.
#[test]
fn every_benchmark_section_is_accounted_for() {
    const PGDSAT: &str = "1.1 1.1.1 1.1.2 1.2 1.3 1.3.1 1.3.2 1.3.3 1.3.4 1.3.5 1.4 1.5 1.6 \
        2.1 2.2 2.3 2.4 2.5 \
        3.1 3.1.1 3.1.2 3.1.3 3.1.4 3.1.5 3.1.6 3.1.7 3.1.8 3.1.9 3.1.10 3.1.11 3.1.12 3.1.13 \
        3.1.14 3.1.15 3.1.16 3.1.17 3.1.18 3.1.19 3.1.20 3.1.21 3.1.22 3.1.23 3.1.24 3.1.25 \
        3.1.26 3.1.27 3.2 \
        4.1 4.2 4.3 4.4 4.5 4.6 4.7 4.8 \
        5.1 5.2 5.3 5.4 5.5 5.6 5.7 5.8 5.9 \
        6.1 6.2 6.3 6.4 6.5 6.6 6.7 6.8 6.9 6.10 \
        7.1 7.2 7.3 7.4 7.5 \
        8.1 8.2 8.3";
    let expected: std::collections::BTreeSet<&str> = PGDSAT.split_whitespace().collect();
    assert_eq!(expected.len(), 82);
    let source = include_str!("../../checklists/postgres-hardening.toml");
    let re = regex::Regex::new(r#""CIS PostgreSQL ([0-9.]+)""#).unwrap();
    let named: std::collections::BTreeSet<&str> = re
        .captures_iter(source)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    let missing: Vec<_> = expected.difference(&named).collect();
    let unknown: Vec<_> = named.difference(&expected).collect();
    assert!(missing.is_empty(), "not named by any item: {missing:?}");
    assert!(unknown.is_empty(), "not a pgdsat entry: {unknown:?}");
}
