//! The live probes against real things: PostgreSQL probes against throwaway clusters
//! configured to pass and to fail them, `listening` and `reachable` against real
//! sockets on loopback.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use preflight::probe::{ProbeOutcome, ProbeStatus};

use crate::support::pg::{
    Cluster, ClusterConfig, SUPERUSER_PASSWORD, certificate_ending_in, free_port,
    openssl_certificate, pki_pems,
};
use crate::support::{Project, outcome_text as text, run_probe};

/// A project with the test CAs written into it.
fn project() -> Project {
    let p = Project::new();
    p.write("ca.pem", &pki_pems().ca_pem);
    p.write("other-ca.pem", &pki_pems().other_ca_pem);
    p
}

/// How the production environment reaches a cluster (the guides' `PG_*` variables).
#[derive(Clone)]
struct Env {
    host: &'static str,
    port: u16,
    user: String,
    password: String,
    sslmode: &'static str,
    rootcert: &'static str,
    database: &'static str,
}

impl Env {
    fn superuser(c: &Cluster) -> Env {
        Env {
            host: "localhost",
            port: c.port,
            user: "postgres".into(),
            password: SUPERUSER_PASSWORD.into(),
            sslmode: "prefer",
            rootcert: "",
            database: "postgres",
        }
    }

    fn vars(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("PG_HOST".to_string(), self.host.to_string()),
            ("PG_PORT".to_string(), self.port.to_string()),
            ("PG_USER".to_string(), self.user.clone()),
            ("PG_PASSWORD".to_string(), self.password.clone()),
            ("PG_DATABASE".to_string(), self.database.to_string()),
            ("PG_SSLMODE".to_string(), self.sslmode.to_string()),
        ];
        if !self.rootcert.is_empty() {
            v.push(("PG_SSLROOTCERT".to_string(), self.rootcert.to_string()));
        }
        v
    }
}

fn probe(p: &Project, kind: &str, params: &str, env: &Env) -> ProbeOutcome {
    let vars = env.vars();
    let refs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    run_probe(p.path(), kind, params, &refs)
}

fn assert_outcome(o: &ProbeOutcome, status: ProbeStatus, contains: &str) {
    let t = text(o);
    assert_eq!(o.status, status, "{t}");
    assert!(t.contains(contains), "expected `{contains}` in:\n{t}");
}

#[test]
fn connect_with_every_sslmode_against_a_tls_server() {
    let c = Cluster::start(ClusterConfig::default());
    let p = project();
    let mut env = Env::superuser(&c);
    let cases: &[(&str, &str, &str, ProbeStatus, &str)] = &[
        ("disable", "", "localhost", ProbeStatus::Pass, "over no TLS"),
        (
            "prefer",
            "",
            "localhost",
            ProbeStatus::Pass,
            "over TLS (TLSv1.3",
        ),
        (
            "require",
            "",
            "localhost",
            ProbeStatus::Pass,
            "over TLS (TLSv1.3",
        ),
        (
            "verify-ca",
            "ca.pem",
            "localhost",
            ProbeStatus::Pass,
            "over TLS",
        ),
        (
            "verify-ca",
            "ca.pem",
            "127.0.0.1",
            ProbeStatus::Pass,
            "over TLS",
        ),
        (
            "verify-ca",
            "other-ca.pem",
            "localhost",
            ProbeStatus::Fail,
            "not signed by a trusted root",
        ),
        (
            "verify-full",
            "ca.pem",
            "localhost",
            ProbeStatus::Pass,
            "over TLS",
        ),
        (
            "verify-full",
            "ca.pem",
            "127.0.0.1",
            ProbeStatus::Fail,
            "not valid for the host name `127.0.0.1`",
        ),
        (
            "verify-full",
            "other-ca.pem",
            "localhost",
            ProbeStatus::Fail,
            "not signed by a trusted root",
        ),
    ];
    for (mode, root, host, status, expected) in cases {
        env.sslmode = mode;
        env.rootcert = root;
        env.host = host;
        let o = probe(&p, "postgres-connect", "", &env);
        assert_outcome(&o, *status, expected);
    }
    env.sslmode = "disable";
    env.host = "localhost";
    let o = probe(&p, "postgres-connect", "require_tls = true", &env);
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        "the connection is not encrypted (TLS required)",
    );
    env.sslmode = "verify-full";
    env.rootcert = "";
    let o = probe(&p, "postgres-connect", "", &env);
    assert_outcome(&o, ProbeStatus::Error, "names no root certificate");
}

#[test]
fn connect_against_a_server_without_tls() {
    let c = Cluster::start(ClusterConfig {
        ssl: false,
        ..ClusterConfig::default()
    });
    let p = project();
    let mut env = Env::superuser(&c);
    for (mode, status, expected) in [
        ("disable", ProbeStatus::Pass, "over no TLS"),
        ("prefer", ProbeStatus::Pass, "over no TLS"),
        (
            "require",
            ProbeStatus::Fail,
            "sslmode require needs TLS, but the server does not offer it",
        ),
        (
            "verify-ca",
            ProbeStatus::Fail,
            "sslmode verify-ca needs TLS, but the server does not offer it",
        ),
        (
            "verify-full",
            ProbeStatus::Fail,
            "sslmode verify-full needs TLS, but the server does not offer it",
        ),
    ] {
        env.sslmode = mode;
        env.rootcert = if mode.starts_with("verify") {
            "ca.pem"
        } else {
            ""
        };
        assert_outcome(&probe(&p, "postgres-connect", "", &env), status, expected);
    }
    // No sslmode written: libpq would send the password in the clear; preflight
    // does not, and says how to allow it.
    env.sslmode = "";
    env.rootcert = "";
    for kind in ["postgres-connect", "postgres-settings"] {
        let params = if kind == "postgres-settings" {
            "settings = { ssl = false }"
        } else {
            ""
        };
        let o = probe(&p, kind, params, &env);
        assert_ne!(o.status, ProbeStatus::Pass, "{}", text(&o));
        assert!(
            text(&o).contains("the password is not sent unencrypted: set sslmode = \"prefer\""),
            "{}",
            text(&o)
        );
    }
}

#[test]
fn connect_failures_are_classified() {
    let c = Cluster::start(ClusterConfig {
        hba: vec!["hostssl all all 127.0.0.1/32 scram-sha-256".into()],
        ..ClusterConfig::default()
    });
    let p = project();
    let mut env = Env::superuser(&c);
    env.sslmode = "require";
    env.password = "wrong-password".into();
    assert_outcome(
        &probe(&p, "postgres-connect", "", &env),
        ProbeStatus::Fail,
        "authentication failed for user `postgres`",
    );
    env.password = SUPERUSER_PASSWORD.into();
    env.database = "no_such_db";
    assert_outcome(
        &probe(&p, "postgres-connect", "", &env),
        ProbeStatus::Fail,
        "database `no_such_db` does not exist",
    );
    env.database = "postgres";
    env.sslmode = "disable";
    assert_outcome(
        &probe(&p, "postgres-connect", "", &env),
        ProbeStatus::Fail,
        "the server requires TLS for this connection",
    );
    env.sslmode = "require";
    assert_outcome(
        &probe(&p, "postgres-connect", "min_version = 9", &env),
        ProbeStatus::Pass,
        "connected to postgres@localhost",
    );
    assert_outcome(
        &probe(&p, "postgres-connect", "min_version = 99", &env),
        ProbeStatus::Fail,
        "is older than the required 99",
    );
    // A minor version: this server's passes, the next one fails.
    let t = text(&probe(&p, "postgres-connect", "min_version = 9", &env));
    let version = t
        .split("server: PostgreSQL ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    let (major, minor) = version.split_once('.').unwrap();
    let minor: u32 = minor.parse().unwrap();
    assert_outcome(
        &probe(
            &p,
            "postgres-connect",
            &format!("min_version = \"{major}.{minor}\""),
            &env,
        ),
        ProbeStatus::Pass,
        "connected to postgres@localhost",
    );
    assert_outcome(
        &probe(
            &p,
            "postgres-connect",
            &format!("min_version = \"{major}.{}\"", minor + 1),
            &env,
        ),
        ProbeStatus::Fail,
        &format!(
            "PostgreSQL {version} is older than the required {major}.{}",
            minor + 1
        ),
    );
    env.port = free_port();
    assert_outcome(
        &probe(&p, "postgres-connect", "", &env),
        ProbeStatus::Fail,
        "connection refused",
    );
    env.host = "no-such-host.invalid";
    assert_outcome(
        &probe(&p, "postgres-connect", "", &env),
        ProbeStatus::Fail,
        "does not resolve",
    );
}

#[test]
fn a_server_that_never_answers_ends_within_the_timeout() {
    // Accepts TCP connections and never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    // The thread holds every connection open until the test process ends.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming() {
            held.push(s);
        }
    });
    let p = project();
    let env = Env {
        host: "127.0.0.1",
        port,
        user: "app".into(),
        password: "x".into(),
        sslmode: "prefer",
        rootcert: "",
        database: "app",
    };
    for kind in [
        "postgres-connect",
        "postgres-settings",
        "postgres-hba",
        "postgres-roles",
        "postgres-login-rejected",
    ] {
        let params = match kind {
            "postgres-settings" => "connect_timeout = \"400ms\"\nsettings = { ssl = true }",
            _ => "connect_timeout = \"400ms\"",
        };
        let started = Instant::now();
        let o = probe(&p, kind, params, &env);
        let took = started.elapsed();
        assert_ne!(o.status, ProbeStatus::Pass, "{kind}: {}", text(&o));
        assert!(
            text(&o).contains("no answer within 400ms"),
            "{kind}: {}",
            text(&o)
        );
        assert!(took < Duration::from_secs(4), "{kind} took {took:?}");
    }
}

#[test]
fn settings_meet_expectations_or_say_which_do_not() {
    let c = Cluster::start(ClusterConfig {
        settings: vec![
            "log_statement = 'ddl'".into(),
            "log_connections = on".into(),
        ],
        ..ClusterConfig::default()
    });
    let p = project();
    let env = Env::superuser(&c);
    let good = "settings = { password_encryption = \"scram-sha-256\", ssl = true, log_statement = { one_of = [\"mod\", \"ddl\", \"all\"] }, log_connections = true, max_connections = { at_least = 10 }, listen_addresses = { not = \"*\" } }";
    assert_outcome(
        &probe(&p, "postgres-settings", good, &env),
        ProbeStatus::Pass,
        "6 settings as expected",
    );
    let bad = "settings = { log_disconnections = true, log_min_duration_statement = { at_least = 0 }, no_such_setting = 1 }";
    let o = probe(&p, "postgres-settings", bad, &env);
    assert_outcome(&o, ProbeStatus::Fail, "3 settings not as expected");
    assert!(
        text(&o).contains("log_min_duration_statement = -1, expected >= 0"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("no_such_setting: no such setting on this server"),
        "{}",
        text(&o)
    );

    // at_most, matches (a regular expression), contains (list members).
    c.sql("alter system set log_line_prefix = '%m [%p] %q%u@%d '");
    c.sql("alter system set authentication_timeout = '30s'");
    c.sql("select pg_reload_conf()");
    let good = "settings = { authentication_timeout = { at_most = 60 }, log_line_prefix = { matches = \"%m.*%p.*%u.*%d\" }, shared_preload_libraries = { not = \"x\" }, ssl_min_protocol_version = { one_of = [\"TLSv1.2\", \"TLSv1.3\"] } }";
    assert_outcome(
        &probe(&p, "postgres-settings", good, &env),
        ProbeStatus::Pass,
        "4 settings as expected",
    );
    let bad = "settings = { authentication_timeout = { at_most = 10 }, log_line_prefix = { matches = \"%a\" }, shared_preload_libraries = { contains = [\"pgaudit\"] } }";
    let o = probe(&p, "postgres-settings", bad, &env);
    assert_outcome(&o, ProbeStatus::Fail, "3 settings not as expected");
    let t = text(&o);
    assert!(
        t.contains("authentication_timeout = 30, expected <= 10"),
        "{t}"
    );
    assert!(t.contains("expected matching /%a/"), "{t}");
    assert!(t.contains("expected containing pgaudit"), "{t}");

    // A superuser-only setting, read by a role without pg_read_all_settings: an
    // error naming the grant, not "no such setting"; with the grant, it passes.
    c.sql("create role monitor login password 'monitor-pass'");
    let mut monitor = env.clone();
    monitor.user = "monitor".into();
    monitor.password = "monitor-pass".into();
    let hidden = "settings = { data_directory = { matches = \".\" }, ssl = true }";
    assert_outcome(
        &probe(&p, "postgres-settings", hidden, &monitor),
        ProbeStatus::Error,
        "1 setting hidden from this role",
    );
    assert!(
        text(&probe(&p, "postgres-settings", hidden, &monitor))
            .contains("GRANT pg_read_all_settings"),
    );
    c.sql("grant pg_read_all_settings to monitor");
    assert_outcome(
        &probe(&p, "postgres-settings", hidden, &monitor),
        ProbeStatus::Pass,
        "2 settings as expected",
    );
}

#[test]
fn settings_expectations_are_validated_when_the_checklist_loads() {
    let text = crate::support::single_probe_checklist(
        "postgres-settings",
        "settings = { ssl = { maybe = true } }",
    );
    let err = preflight::checklist::load_source(
        &preflight::base::diagnostic::SourceFile::new("test.toml", text),
        "test",
        &preflight::probe::catalog::Catalog,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("`settings`: `ssl`: unknown expectation `maybe` (expected equals, one_of, at_least, at_most, not, matches or contains)"),
        "{err}"
    );
    assert!(err.contains("test.toml:12:"), "{err}");
}

#[test]
fn hba_rules_are_judged() {
    let unsafe_rules = Cluster::start(ClusterConfig {
        hba: vec![
            "host all all 127.0.0.1/32 scram-sha-256".into(),
            "host all all 0.0.0.0/0 md5".into(),
            "host replication all 10.0.0.0/8 trust".into(),
        ],
        ..ClusterConfig::default()
    });
    let p = project();
    let o = probe(&p, "postgres-hba", "", &Env::superuser(&unsafe_rules));
    assert_outcome(&o, ProbeStatus::Fail, "2 of 3 pg_hba.conf rules");
    let t = text(&o);
    assert!(t.contains("pg_hba.conf:3: host all all 0.0.0.0/0 md5: `md5`: use scram-sha-256; open to every address for every database and user"), "{t}");
    assert!(
        t.contains("`trust` lets anyone connect without a password"),
        "{t}"
    );

    let tls_only = Cluster::start(ClusterConfig {
        hba: vec!["hostssl all all 127.0.0.1/32 scram-sha-256".into()],
        ..ClusterConfig::default()
    });
    let mut env = Env::superuser(&tls_only);
    env.sslmode = "require";
    assert_outcome(
        &probe(&p, "postgres-hba", "require_tls = true", &env),
        ProbeStatus::Pass,
        "1 pg_hba.conf rules",
    );
    let o = probe(
        &p,
        "postgres-hba",
        "require_tls = true",
        &Env::superuser(&unsafe_rules),
    );
    assert!(
        text(&o).contains("a `host` line accepts connections without TLS"),
        "{}",
        text(&o)
    );

    // Without the privilege to read the rules: an error naming what is needed.
    tls_only.sql("create role reader login password 'reader-pass'");
    env.user = "reader".into();
    env.password = "reader-pass".into();
    assert_outcome(
        &probe(&p, "postgres-hba", "", &env),
        ProbeStatus::Error,
        "permission denied; it needs a superuser",
    );
}

/// What the first version passed: `local` lines, `hostnossl`, `ident`, `md5` on the
/// socket; and the hardening options: networks broader than allowed, superusers and
/// `all` users from the network, `all` databases.
#[test]
fn hba_rules_catch_what_they_used_to_pass() {
    // The harness writes a comment as line 1: the rules start at line 2.
    let c = Cluster::start(ClusterConfig {
        hba: vec![
            // How the test connects (first match wins).
            "host all all 127.0.0.1/32 scram-sha-256".into(),
            "local all all trust".into(),
            "local app_db app md5".into(),
            "local all postgres peer".into(),
            "hostnossl all all 127.0.0.2/32 scram-sha-256".into(),
            "host app_db app 10.0.0.0/8 ident".into(),
            "hostssl app_db app 10.1.0.0/16 scram-sha-256".into(),
            "hostssl all postgres 192.168.1.0/24 scram-sha-256".into(),
            "hostssl app_db all 192.168.2.0/24 scram-sha-256".into(),
            "hostssl app_db app fd00::/16 scram-sha-256".into(),
            "hostssl all all ::1/128 scram-sha-256".into(),
        ],
        ..ClusterConfig::default()
    });
    let p = project();
    let env = Env::superuser(&c);
    let t = text(&probe(&p, "postgres-hba", "", &env));
    for (line, found) in [
        (3, "`trust` on the local socket lets any user"),
        (4, "`md5`: use scram-sha-256"),
        (7, "`ident` over the network believes"),
    ] {
        assert!(
            t.contains(&format!("pg_hba.conf:{line}:")) && t.contains(found),
            "{line}: {t}"
        );
    }
    assert!(
        !t.contains("pg_hba.conf:5:"),
        "peer on the socket is sound: {t}"
    );
    assert!(
        !t.contains("pg_hba.conf:6:"),
        "hostnossl passes without require_tls: {t}"
    );

    let strict = "require_tls = true\nmax_prefix = 16\nmax_prefix_v6 = 48\nremote_superusers = false\nall_databases = false";
    let o = probe(&p, "postgres-hba", strict, &env);
    assert_eq!(o.status, ProbeStatus::Fail);
    let t = text(&o);
    let line_of = |n: usize| -> String {
        t.lines()
            .find(|l| l.contains(&format!("pg_hba.conf:{n}:")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line_of(2).contains("a `host` line accepts connections without TLS"),
        "{t}"
    );
    assert!(!line_of(2).contains("admits `all` users"), "loopback: {t}");
    assert!(
        line_of(6).contains("a `hostnossl` line accepts connections without TLS"),
        "{t}"
    );
    assert!(
        line_of(7).contains("admits a /8 network, broader than the /16 allowed"),
        "{t}"
    );
    assert!(line_of(8).is_empty(), "a /16 is allowed: {t}");
    assert!(
        line_of(9).contains("admits the superuser `postgres` from the network"),
        "{t}"
    );
    assert!(line_of(9).contains("names `all` databases"), "{t}");
    assert!(
        line_of(10).contains("admits `all` users, superusers included"),
        "{t}"
    );
    assert!(
        line_of(11).contains("admits a /16 network, broader than the /48 allowed"),
        "{t}"
    );
    assert!(line_of(12).contains("names `all` databases"), "{t}");
    assert!(!line_of(12).contains("admits `all` users"), "loopback: {t}");
}

/// The hardening checks look at every login role, from an unprivileged connection.
#[test]
fn every_login_role_is_held_to_least_privilege() {
    let c = Cluster::start(ClusterConfig::default());
    c.sql("create role app login password 'app-pass' valid until '2030-01-01' connection limit 20");
    c.sql("create role ops login password 'ops-pass' createdb");
    c.sql("create role etl login password 'etl-pass' valid until '2030-01-01' connection limit 5");
    c.sql("create role files nologin");
    c.sql("grant pg_read_server_files to files");
    c.sql("grant files to etl");
    c.sql("create role replicator login replication password 'rep-pass' valid until '2030-01-01' connection limit 2");
    let p = project();
    let mut app = Env::superuser(&c);
    app.user = "app".into();
    app.password = "app-pass".into();
    let checks = "checks = [\"login_roles\", \"server_roles\", \"expiry\", \"connection_limits\"]";
    let o = probe(&p, "postgres-roles", checks, &app);
    assert_eq!(o.status, ProbeStatus::Fail, "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("login role `ops` has CREATEDB"), "{t}");
    assert!(t.contains("login role `replicator` has REPLICATION"), "{t}");
    assert!(
        t.contains("role `etl` is a member of pg_read_server_files"),
        "through `files`: {t}"
    );
    assert!(t.contains("login role `ops` never expires"), "{t}");
    assert!(
        t.contains("login role `ops` has no connection limit"),
        "{t}"
    );
    assert!(!t.contains("`app`"), "{t}");
    assert!(!t.contains("`postgres`"), "privileged by default: {t}");
    // The replication role, allowed; ops fixed: passes.
    c.sql("alter role ops nocreatedb valid until '2030-01-01' connection limit 3");
    let allowed = format!("{checks}\nprivileged_roles = [\"postgres\", \"replicator\"]");
    let o = probe(&p, "postgres-roles", &allowed, &app);
    assert_eq!(o.status, ProbeStatus::Fail, "{}", text(&o));
    c.sql("revoke files from etl");
    c.sql("revoke pg_read_server_files from files");
    assert_outcome(
        &probe(&p, "postgres-roles", &allowed, &app),
        ProbeStatus::Pass,
        "login roles outside privileged_roles",
    );
}

/// Grants too wide, each named; checked by the application's own (unprivileged) role.
#[test]
fn privileges_granted_to_public_are_named() {
    let c = Cluster::start(ClusterConfig::default());
    c.sql("create role app login password 'app-pass'");
    c.sql("create role reporter nologin");
    c.sql("create table orders (id int)");
    c.sql("create sequence order_ids");
    c.sql("grant select, insert on orders to public");
    c.sql("grant usage on order_ids to public");
    c.sql("grant select on orders to reporter with grant option");
    c.sql("alter default privileges in schema public grant select on tables to public");
    c.sql("grant create on database postgres to public");
    let p = project();
    let mut app = Env::superuser(&c);
    app.user = "app".into();
    app.password = "app-pass".into();
    let o = probe(&p, "postgres-privileges", "", &app);
    assert_eq!(o.status, ProbeStatus::Fail, "{}", text(&o));
    let t = text(&o);
    for expected in [
        "database postgres: PUBLIC has CREATE",
        // The built-in default, from an empty access list.
        "database postgres: PUBLIC has TEMPORARY",
        "table public.orders: PUBLIC has INSERT, SELECT",
        "sequence public.order_ids: PUBLIC has USAGE",
        "public.orders: reporter may grant SELECT to others (WITH GRANT OPTION)",
        "default privileges of postgres in schema public on new tables: PUBLIC gets SELECT",
    ] {
        assert!(t.contains(expected), "`{expected}` in:\n{t}");
    }
    // PostgreSQL 15 and later no longer let PUBLIC create in schema public.
    c.sql("grant create on schema public to public");
    assert!(
        text(&probe(
            &p,
            "postgres-privileges",
            "checks = [\"public_schema\"]",
            &app
        ))
        .contains("database postgres: schema public: PUBLIC may CREATE in it")
    );
    // Every database is connected to: one created by someone else is checked too.
    c.sql("create database shop");
    c.sql_in("shop", "grant create on schema public to public");
    let t = text(&probe(
        &p,
        "postgres-privileges",
        "checks = [\"public_schema\"]",
        &app,
    ));
    assert!(
        t.contains("database shop: schema public: PUBLIC may CREATE in it"),
        "{t}"
    );
    c.sql_in("shop", "revoke create on schema public from public");

    // Revoked, all of it: passes, saying what it checked.
    for sql in [
        "revoke all on orders from public",
        "revoke all on order_ids from public",
        "revoke grant option for select on orders from reporter",
        "alter default privileges in schema public revoke select on tables from public",
        "revoke create, temporary on database postgres from public",
        "revoke create, temporary on database template1 from public",
        "revoke create, temporary on database shop from public",
        "revoke create on schema public from public",
    ] {
        c.sql(sql);
    }
    assert_outcome(
        &probe(&p, "postgres-privileges", "", &app),
        ProbeStatus::Pass,
        "checked: database privileges, schema public, table privileges, grant options, default privileges; in 3 databases: postgres, shop, template1",
    );
    // A database this role may not enter is not passed over in silence.
    c.sql("revoke connect on database shop from public");
    let o = probe(&p, "postgres-privileges", "", &app);
    assert_outcome(
        &o,
        ProbeStatus::Error,
        "1 of 3 databases could not be checked",
    );
    assert!(
        text(&o).contains("database shop not checked: this role may not connect to it (GRANT CONNECT ON DATABASE shop TO app)"),
        "{}",
        text(&o)
    );
}

/// Code that runs on a caller's behalf: SECURITY DEFINER functions, untrusted
/// languages, risky extensions; checked by an unprivileged role.
#[test]
fn unsafe_code_is_named() {
    let c = Cluster::start(ClusterConfig::default());
    c.sql("create role app login password 'app-pass'");
    let p = project();
    let mut app = Env::superuser(&c);
    app.user = "app".into();
    app.password = "app-pass".into();
    assert_outcome(
        &probe(&p, "postgres-code", "", &app),
        ProbeStatus::Pass,
        "checked: SECURITY DEFINER functions, procedural languages, extensions",
    );
    c.sql("create function open_door() returns int language sql security definer as 'select 1'");
    c.sql("create function fixed() returns int language sql security definer set search_path = pg_catalog as 'select 1'");
    c.sql("create function door_handler() returns language_handler as 'plpgsql', 'plpgsql_call_handler' language c");
    c.sql("create language doorlang handler door_handler");
    c.sql("create extension dblink");
    c.sql("create extension file_fdw");
    let o = probe(
        &p,
        "postgres-code",
        "allowed_extensions = [\"file_fdw\"]",
        &app,
    );
    assert_eq!(o.status, ProbeStatus::Fail, "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("function public.open_door() is SECURITY DEFINER without a fixed search_path"),
        "{t}"
    );
    assert!(!t.contains("fixed()"), "{t}");
    assert!(
        t.contains("untrusted language doorlang is installed"),
        "{t}"
    );
    assert!(t.contains("extension dblink"), "{t}");
    assert!(!t.contains("file_fdw"), "allowed: {t}");
    assert!(t.contains("3 findings"), "{t}");
}

#[test]
fn roles_follow_least_privilege() {
    let c = Cluster::start(ClusterConfig::default());
    c.sql("create role app login password 'app-pass'");
    c.sql("create role contextforge login password 'contextforge'");
    let p = project();
    let su = Env::superuser(&c);
    let o = probe(
        &p,
        "postgres-roles",
        "app_role = \"app\"\nabsent = [\"contextforge\"]",
        &su,
    );
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        "role `contextforge` still exists and can log in",
    );
    c.sql("drop role contextforge");
    let o = probe(
        &p,
        "postgres-roles",
        "app_role = \"app\"\nabsent = [\"contextforge\"]",
        &su,
    );
    assert_outcome(&o, ProbeStatus::Pass, "follow least privilege");
    assert!(text(&o).contains("role `contextforge` does not exist"));

    c.sql("alter role app createdb createrole");
    c.sql("grant create on schema public to app");
    c.sql("create role nopass login");
    c.sql("set password_encryption = 'md5'; create role oldhash login password 'old-pass'");
    c.sql("create role second_admin superuser");
    let o = probe(&p, "postgres-roles", "app_role = \"app\"", &su);
    let t = text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    for expected in [
        "`app` has CREATEROLE, CREATEDB: more than an application needs",
        "`app` may CREATE in schema public",
        "login role `nopass` has no password",
        "role `oldhash` has a password hash that is not SCRAM-SHA-256",
        "2 superuser roles (postgres, second_admin); at most 1 allowed",
    ] {
        assert!(t.contains(expected), "`{expected}` missing:\n{t}");
    }
    // As the application itself: what pg_authid hides is said, not guessed.
    let app = Env {
        user: "app".into(),
        password: "app-pass".into(),
        ..Env::superuser(&c)
    };
    c.sql("alter role app nocreatedb nocreaterole");
    c.sql("revoke create on schema public from app");
    let o = probe(&p, "postgres-roles", "max_superusers = 2", &app);
    assert_outcome(&o, ProbeStatus::Error, "the password checks were not made");
    assert!(
        text(&o).contains("password checks not made: reading pg_authid needs a superuser"),
        "{}",
        text(&o)
    );
    // Without the password checks, what was checked passes, and says what it was.
    let o = probe(
        &p,
        "postgres-roles",
        "max_superusers = 2\nchecks = [\"privileges\", \"superusers\"]",
        &app,
    );
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        "follow least privilege (checked: the privileges of `app`, the superusers)",
    );
}

#[test]
fn the_development_user_must_be_gone_from_production() {
    let c = Cluster::start(ClusterConfig::default());
    c.sql("create role devuser login password 'dev-pass'");
    let p = project();
    p.write(
        ".env.development",
        "PG_HOST=localhost\nPG_USER=devuser\nPG_PASSWORD=dev-pass\n",
    );
    let su = Env::superuser(&c);
    let params = "checks = [\"absent\"]\nabsent_users_of = [\"development\"]";
    let o = probe(&p, "postgres-roles", params, &su);
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        "role `devuser` still exists and can log in",
    );
    c.sql("drop role devuser");
    let o = probe(&p, "postgres-roles", params, &su);
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        "follow least privilege (checked: 1 role that must be gone)",
    );
    // The development user is production's own: said, not passed.
    p.write(
        ".env.development",
        &format!("PG_HOST=localhost\nPG_USER={}\nPG_PASSWORD=x\n", su.user),
    );
    let o = probe(&p, "postgres-roles", params, &su);
    assert_outcome(&o, ProbeStatus::Fail, "is also the user here");
    // No development user anywhere: nothing to look for, so nothing passes.
    std::fs::remove_file(p.path().join(".env.development")).unwrap();
    let o = probe(&p, "postgres-roles", params, &su);
    assert_outcome(&o, ProbeStatus::Skipped, "no role to look for");
}

#[test]
fn production_rejects_development_and_default_credentials() {
    let c = Cluster::start(ClusterConfig::default());
    c.sql("create role app login password 'prod-secret-1'");
    let p = project();
    p.write(
        ".env.development",
        "PG_HOST=localhost\nPG_USER=app\nPG_PASSWORD=dev-password\n",
    );
    let env = Env {
        user: "app".into(),
        password: "prod-secret-1".into(),
        ..Env::superuser(&c)
    };
    let o = probe(&p, "postgres-login-rejected", "", &env);
    assert_outcome(&o, ProbeStatus::Pass, "rejects all 5 credentials tried");
    assert!(text(&o).contains("rejected: user `app` with the development credentials"));

    // Development reuses the production password: production accepts it.
    p.write(
        ".env.development",
        "PG_USER=app\nPG_PASSWORD=prod-secret-1\n",
    );
    let o = probe(&p, "postgres-login-rejected", "defaults = false", &env);
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        "accepts user `app` (the development credentials)",
    );
    assert!(!text(&o).contains("prod-secret-1"), "{}", text(&o));

    // A well-known default that works.
    c.sql("create role contextforge login password 'contextforge'");
    let o = probe(&p, "postgres-login-rejected", "try_environments = []", &env);
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        "accepts user `contextforge` (a well-known default)",
    );
}

#[test]
fn a_canary_password_appears_in_no_outcome_and_no_process_arguments() {
    const CANARY: &str = "Canary-9f2c-pw";
    let c = Cluster::start(ClusterConfig::default());
    c.sql(&format!("create role app login password '{CANARY}'"));
    let p = project();
    p.write(
        ".env.development",
        &format!("PG_USER=app\nPG_PASSWORD={CANARY}\n"),
    );
    let env = Env {
        user: "app".into(),
        password: CANARY.into(),
        ..Env::superuser(&c)
    };
    let watcher = crate::support::ArgvWatcher::start(CANARY);
    let mut outcomes = Vec::new();
    for (kind, params) in [
        ("postgres-connect", ""),
        ("postgres-connect", "min_version = 99"),
        ("postgres-settings", "settings = { ssl = true }"),
        ("postgres-hba", ""),
        ("postgres-roles", "app_role = \"app\""),
        ("postgres-login-rejected", ""),
    ] {
        outcomes.push(text(&probe(&p, kind, params, &env)));
    }
    let mut wrong = env;
    wrong.password = format!("{CANARY}-wrong");
    outcomes.push(text(&probe(&p, "postgres-connect", "", &wrong)));
    let seen = watcher.finish();
    assert!(
        seen.is_empty(),
        "a process argument list held the password: {seen:?}"
    );
    for o in &outcomes {
        assert!(!o.contains(CANARY), "an outcome shows the password:\n{o}");
    }
    assert!(
        outcomes[6].contains("authentication failed"),
        "{}",
        outcomes[6]
    );
}

#[test]
fn listening_sees_wildcard_sockets_and_names_their_process() {
    let open = TcpListener::bind("0.0.0.0:0").unwrap();
    let open_port = open.local_addr().unwrap().port();
    let local = TcpListener::bind("127.0.0.1:0").unwrap();
    let local_port = local.local_addr().unwrap().port();
    let p = Project::new();
    let o = run_probe(
        p.path(),
        "listening",
        &format!("ports = [{open_port}, {local_port}]"),
        &[],
    );
    let t = text(&o);
    assert_eq!(o.status, ProbeStatus::Fail, "{t}");
    let me = std::fs::read_to_string("/proc/self/comm").unwrap();
    assert!(
        t.contains(&format!(
            "0.0.0.0:{open_port} listens on every interface ({}, pid {}",
            me.trim(),
            std::process::id()
        )),
        "{t}"
    );
    assert!(
        t.contains(&format!("127.0.0.1:{local_port} ({}", me.trim())),
        "{t}"
    );
    let o = run_probe(
        p.path(),
        "listening",
        &format!("ports = [{local_port}]"),
        &[],
    );
    assert_outcome(&o, ProbeStatus::Pass, "1 listening socket on ports");
    let v6 = TcpListener::bind("[::]:0");
    if let Ok(v6) = v6 {
        let port = v6.local_addr().unwrap().port();
        let o = run_probe(p.path(), "listening", &format!("ports = [{port}]"), &[]);
        assert_outcome(
            &o,
            ProbeStatus::Fail,
            &format!("[::]:{port} listens on every interface"),
        );
    }
    // Without `ports`: the production port (PG_PORT) and the Compose published ports,
    // on the database host only.
    p.write(
        "docker-compose.yml",
        &format!(
            "services:\n  db:\n    image: postgres\n    ports:\n      - \"{open_port}:5432\"\n"
        ),
    );
    let port_var = local_port.to_string();
    for (host, why) in [
        (
            None,
            "cannot tell whether this machine is the database host (environment `production` has no host)",
        ),
        (
            Some("192.0.2.10"),
            "this machine is not the database host (`production` runs on 192.0.2.10)",
        ),
    ] {
        let mut vars = vec![("PG_PORT", port_var.as_str())];
        vars.extend(host.map(|h| ("PG_HOST", h)));
        let o = run_probe(p.path(), "listening", "", &vars);
        assert_outcome(&o, ProbeStatus::Skipped, why);
    }
    let o = run_probe(
        p.path(),
        "listening",
        "",
        &[
            ("PG_PORT", &local_port.to_string()),
            ("PG_HOST", "localhost"),
        ],
    );
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        &format!(
            "ports {}, {}",
            open_port.min(local_port),
            open_port.max(local_port)
        ),
    );
    // Nothing listening is no evidence.
    drop((open, local));
    let o = run_probe(
        p.path(),
        "listening",
        &format!("ports = [{local_port}]"),
        &[],
    );
    assert_outcome(&o, ProbeStatus::Skipped, "nothing listens on ports");
}

#[test]
fn reachable_from_loopback_only() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let p = Project::new();
    // This machine's addresses say something only on the database host.
    let here = [("PG_HOST", "127.0.0.1")];
    let o = run_probe(
        p.path(),
        "reachable",
        &format!("port = {port}\naddresses = [\"127.0.0.1\"]"),
        &[],
    );
    assert_outcome(
        &o,
        ProbeStatus::Skipped,
        "cannot tell whether this machine is the database host",
    );
    let o = run_probe(
        p.path(),
        "reachable",
        &format!("port = {port}\naddresses = [\"127.0.0.1\"]"),
        &[("PG_HOST", "192.0.2.10")],
    );
    assert_outcome(&o, ProbeStatus::Skipped, "is not the database host");
    let o = run_probe(
        p.path(),
        "reachable",
        &format!("port = {port}\naddresses = [\"127.0.0.1\"]"),
        &here,
    );
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        &format!("port {port} is reachable at the address"),
    );
    let o = run_probe(
        p.path(),
        "reachable",
        &format!("port = {port}\naddresses = [\"127.0.0.2\"]\nexpect = \"unreachable\""),
        &here,
    );
    assert_outcome(&o, ProbeStatus::Pass, "is unreachable");
    let o = run_probe(
        p.path(),
        "reachable",
        &format!("port = {port}\naddresses = [\"127.0.0.1\", \"127.0.0.2\"]"),
        &here,
    );
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        "should be reachable but is not at 1 of 2 addresses",
    );
    assert!(text(&o).contains("127.0.0.2 port"), "{}", text(&o));
    let o = run_probe(
        p.path(),
        "reachable",
        &format!("port = {port}\naddresses = [\"localhost\"]"),
        &here,
    );
    assert_ne!(o.status, ProbeStatus::Error, "{}", text(&o));
    drop(server);
    // "Unreachable" while nothing listens at all is no evidence of a firewall.
    let o = run_probe(
        p.path(),
        "reachable",
        &format!("port = {port}\naddresses = [\"127.0.0.2\"]\nexpect = \"unreachable\""),
        &here,
    );
    assert_outcome(&o, ProbeStatus::Skipped, "nothing listens on port");
}

/// `sslrootcert=system` trusts the operating system's store, and `SSL_CERT_FILE`
/// replaces it as with OpenSSL (libpq 16 behaves the same): the real binary, with the
/// test CA as the whole system store and then an unrelated one.
#[test]
fn sslrootcert_system_uses_the_os_store_and_ssl_cert_file() {
    let c = Cluster::start(ClusterConfig::default());
    let p = project();
    p.write(
        "checklist.toml",
        &crate::support::single_probe_checklist("postgres-connect", ""),
    );
    let mut env = Env::superuser(&c);
    env.sslmode = "verify-full";
    env.rootcert = "system";
    for (store, status, expected) in [
        ("ca.pem", 0, "over TLS"),
        ("other-ca.pem", 1, "not signed by a trusted root"),
    ] {
        let out = crate::support::preflight(p.path())
            .args(["check", "--checklist", "checklist.toml"])
            .envs(env.vars())
            .env("SSL_CERT_FILE", p.path().join(store))
            .env("SSL_CERT_DIR", p.path().join("no-such-dir"))
            .output()
            .unwrap();
        let stdout = crate::support::text(&out.stdout);
        assert_eq!(out.status.code(), Some(status), "{store}: {stdout}");
        assert!(stdout.contains(expected), "{store}: {stdout}");
        assert!(!stdout.contains(SUPERUSER_PASSWORD));
    }
}

/// The server's TLS judged from the handshake: a certificate ending in 10 days, an
/// RSA-1024 key and a SHA-1 signature each fail their check; the server's protocol
/// floor and cipher list are read from its settings.
#[test]
fn tls_quality_is_judged_from_the_handshake() {
    let p = project();
    // The template's certificate (EC P-256, a year) with a strict server: passes.
    let strict = Cluster::start(ClusterConfig {
        settings: vec![
            "ssl_min_protocol_version = 'TLSv1.2'".into(),
            "ssl_ciphers = 'HIGH:!aNULL:!MD5'".into(),
        ],
        ..ClusterConfig::default()
    });
    let env = Env::superuser(&strict);
    let o = probe(&p, "postgres-tls", "", &env);
    assert_outcome(
        &o,
        ProbeStatus::Pass,
        "checked: certificate, protocol, ciphers",
    );
    assert!(
        text(&o).contains("EC P-256, signed ecdsa-with-SHA256"),
        "{}",
        text(&o)
    );
    // A wrong password is not a TLS problem: the certificate was judged, the rest not.
    let mut wrong = env.clone();
    wrong.password = "not-the-password".into();
    let o = probe(&p, "postgres-tls", "", &wrong);
    assert_outcome(&o, ProbeStatus::Error, "authentication failed");
    assert!(!text(&o).contains("handshake failed"), "{}", text(&o));
    assert!(text(&o).contains("EC P-256"), "{}", text(&o));
    // TLS 1.3 only, asked for: the negotiated protocol passes.
    assert_outcome(
        &probe(&p, "postgres-tls", "min_protocol = \"TLSv1.3\"", &env),
        ProbeStatus::Fail,
        "ssl_min_protocol_version = TLSv1.2 lets clients use protocols older than TLSv1.3",
    );
    drop(strict);

    // PostgreSQL's defaults: a minimum of TLS 1.2, MEDIUM ciphers enabled.
    let loose = Cluster::start(ClusterConfig {
        settings: vec!["ssl_min_protocol_version = 'TLSv1'".into()],
        ..ClusterConfig::default()
    });
    let o = probe(&p, "postgres-tls", "", &Env::superuser(&loose));
    assert_eq!(o.status, ProbeStatus::Fail, "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains(
            "ssl_min_protocol_version = TLSv1 lets clients use protocols older than TLSv1.2"
        ),
        "{t}"
    );
    assert!(
        t.contains("ssl_ciphers enables weak classes for TLS 1.2: MEDIUM"),
        "{t}"
    );
    drop(loose);

    // Weak certificates need OpenSSL's security level 0 for the server to load them.
    let weak = |certificate: (String, String)| {
        Cluster::start(ClusterConfig {
            settings: vec!["ssl_ciphers = 'DEFAULT:@SECLEVEL=0'".into()],
            certificate: Some(certificate),
            weak_openssl: true,
            ..ClusterConfig::default()
        })
    };
    let certificate_only = "checks = [\"certificate\"]";

    let c = Cluster::start(ClusterConfig {
        certificate: Some(certificate_ending_in(10)),
        ..ClusterConfig::default()
    });
    let o = probe(&p, "postgres-tls", certificate_only, &Env::superuser(&c));
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        "server certificate CN=localhost expires on",
    );
    assert!(
        text(&o).contains("(in 10 days; at least 30 required)"),
        "{}",
        text(&o)
    );
    assert_outcome(
        &probe(
            &p,
            "postgres-tls",
            "checks = [\"certificate\"]\nmin_days_left = 7",
            &Env::superuser(&c),
        ),
        ProbeStatus::Pass,
        "TLS as required",
    );
    drop(c);

    let c = weak(openssl_certificate("rsa:2048", "-sha1", 365));
    let o = probe(&p, "postgres-tls", certificate_only, &Env::superuser(&c));
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        "server certificate CN=localhost is signed with sha1WithRSAEncryption (a broken hash)",
    );
    assert!(!text(&o).contains("RSA key of"), "{}", text(&o));
    drop(c);

    // rustls refuses a 1024-bit key in the handshake itself: the certificate seen
    // before that is still judged.
    let c = weak(openssl_certificate("rsa:1024", "-sha256", 365));
    let o = probe(&p, "postgres-tls", certificate_only, &Env::superuser(&c));
    assert_outcome(
        &o,
        ProbeStatus::Fail,
        "server certificate CN=localhost has an RSA key of 1024 bits (at least 2048 required)",
    );
    assert!(!text(&o).contains("sha1"), "{}", text(&o));
}
