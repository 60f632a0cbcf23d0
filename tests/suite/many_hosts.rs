//! An environment of many servers (`hosts`): two real clusters, each listening on ten
//! loopback addresses, one of them with a deliberate mistake, configured as the twenty
//! hosts of production. The shipped `postgres-security` checklist, run by the binary,
//! must name exactly the ten hosts of the faulty cluster where it fails, pass the
//! others, and check every host of every database item.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::pg::{Cluster, ClusterConfig};
use crate::support::{Project, code, preflight, text};

/// `127.0.0.{first}` … `127.0.0.{first + 9}`.
fn addresses(first: u8) -> Vec<String> {
    (first..first + 10)
        .map(|i| format!("127.0.0.{i}"))
        .collect()
}

/// A cluster listening on 127.0.0.1 (for the harness) and `addresses`, with the
/// security guide's logging, or without it (the mistake).
fn cluster(addresses: &[String], logs_connections: bool) -> Cluster {
    let on = if logs_connections { "on" } else { "off" };
    Cluster::start(ClusterConfig {
        hba: vec!["host all all 127.0.0.0/8 scram-sha-256".into()],
        settings: vec![
            format!("listen_addresses = '127.0.0.1,{}'", addresses.join(",")),
            "max_connections = 100".into(),
            format!("log_connections = {on}"),
            format!("log_disconnections = {on}"),
            "log_statement = 'ddl'".into(),
        ],
        ..ClusterConfig::default()
    })
}

/// The per-host verdicts of the first probe of `kind` in item `id`.
fn per_host(report: &Value, id: &str, kind: &str) -> Vec<(String, String)> {
    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"));
    let probe = item["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == kind)
        .unwrap_or_else(|| panic!("item {id} has no {kind} probe"));
    probe["hosts"]
        .as_array()
        .unwrap_or_else(|| panic!("{kind} in {id} lists no hosts: {probe:#}"))
        .iter()
        .map(|h| {
            (
                h["host"].as_str().unwrap().to_string(),
                h["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn twenty_hosts_of_two_clusters_each_get_a_verdict_and_the_faulty_ten_are_named() {
    let (good_addresses, bad_addresses) = (addresses(2), addresses(12));
    let good = cluster(&good_addresses, true);
    let bad = cluster(&bad_addresses, false);
    for c in [&good, &bad] {
        c.sql("create role app login password 'app-hosts-secret'");
        c.sql("create database app owner app");
    }
    let hosts: Vec<String> = good_addresses
        .iter()
        .map(|a| format!("{a}:{}", good.port))
        .chain(bad_addresses.iter().map(|a| format!("{a}:{}", bad.port)))
        .collect();
    let p = Project::new();
    p.write(
        "preflight.toml",
        &format!(
            "checklist = \"postgres-security\"\n[environments.production]\nhosts = [{}]\nuser = \"app\"\ndatabase = \"app\"\npassword = {{ env = \"APP_PASSWORD\" }}\nsslmode = \"require\"\n",
            hosts
                .iter()
                .map(|h| format!("\"{h}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    let out = preflight(p.path())
        .args(["check", "--format", "json"])
        .env("APP_PASSWORD", "app-hosts-secret")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        !stdout.contains("app-hosts-secret") && !text(&out.stderr).contains("app-hosts-secret")
    );
    assert_eq!(code(&out), 1, "{stdout}{}", text(&out.stderr));
    let report: Value = serde_json::from_str(&stdout).unwrap();

    // The mistake: exactly the faulty cluster's ten hosts fail, by name.
    let logging = per_host(&report, "audit-logging-enabled", "postgres-settings");
    assert_eq!(logging.len(), 20, "{logging:?}");
    let failing: BTreeSet<&str> = logging
        .iter()
        .filter(|(_, s)| s == "fail")
        .map(|(h, _)| h.as_str())
        .collect();
    let want: BTreeSet<&str> = hosts[10..].iter().map(String::as_str).collect();
    assert_eq!(failing, want, "{logging:?}");
    assert!(
        logging[..10].iter().all(|(_, s)| s == "pass"),
        "{logging:?}"
    );
    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "audit-logging-enabled")
        .unwrap();
    assert_eq!(item["status"], "fail");
    let probe = &item["probes"][0];
    let summary = probe["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("fails on 10 of 20 hosts: "),
        "{summary}"
    );
    assert!(summary.contains(&hosts[10]), "{summary}");
    // The evidence names each host, and the faulty ones with their setting.
    let evidence: Vec<&str> = probe["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    let named_failing = |h: &str| {
        evidence.iter().any(|e| {
            let (names, said) = e.split_once(": ").unwrap_or_default();
            names.split(", ").any(|n| n == h)
                && said.starts_with("fail: ")
                && said.contains("log_connections")
        })
    };
    for h in &hosts {
        assert_eq!(
            named_failing(h),
            hosts[10..].contains(h),
            "{h}: {evidence:#?}"
        );
    }

    // Every database probe checked all twenty hosts, and connecting passed on each.
    let connect = per_host(&report, "ssl-in-connection-string", "postgres-connect");
    assert_eq!(connect.len(), 20);
    assert!(connect.iter().all(|(_, s)| s == "pass"), "{connect:?}");
    for item in report["items"].as_array().unwrap() {
        for probe in item["probes"].as_array().unwrap() {
            if probe["kind"].as_str().unwrap().starts_with("postgres-") {
                assert_eq!(
                    probe["hosts"].as_array().map(Vec::len),
                    Some(20),
                    "{} {}",
                    item["id"],
                    probe["kind"]
                );
            }
        }
    }

    // One session per host and credential: the good cluster (which logs connections)
    // saw the application log in to its database once per host, however many probes
    // read it (`postgres-tls` judges that session's handshake, since the environment
    // requires TLS). Each probe opening its own would be five per host.
    let logins = app_logins(&good.log());
    assert_eq!(logins, good_addresses.len());
}

/// How many times `app` logged in to database `app` (the server log's `connection
/// authorized` lines).
fn app_logins(log: &str) -> usize {
    log.lines()
        .filter(|l| l.contains("connection authorized: user=app database=app "))
        .count()
}
