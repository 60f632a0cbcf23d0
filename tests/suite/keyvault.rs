//! Azure Key Vault: the `keyvault-secrets` probe and the `keyvault` credential source,
//! through the real Azure SDK client against the local emulator (HTTPS with a test CA,
//! the bearer challenge, paging), and the canary password through every source.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use preflight::base::diagnostic::SourceFile;
use preflight::config::Config;
use preflight::config::EnvVars;
use preflight::probe::{ProbeContext, ProbeOutcome, ProbeStatus};
use preflight::system::keyvault::{Access, Vaults};

use crate::support::keyvault::{Blackhole, Emulator, FakeSecret, Proxy, guide_secrets};
use crate::support::pg::{Cluster, ClusterConfig, SUPERUSER_PASSWORD};
use crate::support::{Project, outcome_text, preflight, run_probe_in, text};

const STRONG: &str = "Vq7#mZp2!Lx9$Rt4&Kw8";

/// A context whose vault access goes to `emulator` (resolved to `addr`), with
/// `preflight.toml` text and extra variables.
fn context(emulator: &Emulator, p: &Project, config: &str, timeout: Duration) -> ProbeContext {
    let config = Config::parse(&SourceFile::new("preflight.toml", config.to_string()))
        .unwrap_or_else(|d| panic!("{d}"));
    let vars: EnvVars = emulator.credential_vars().into_iter().collect();
    let http = emulator.http_client(timeout);
    let mut ctx = ProbeContext::new(p.path().to_path_buf(), Arc::new(config), vars.clone());
    ctx.vaults = Arc::new(Vaults::with_access(Access::with_http(http, &vars, timeout)));
    ctx
}

fn secrets_probe(emulator: &Emulator, params: &str) -> ProbeOutcome {
    let p = Project::new();
    let ctx = context(emulator, &p, "", Duration::from_secs(5));
    let params = format!("vault = \"{}\"\n{params}", emulator.vault_url());
    run_probe_in(ctx, "keyvault-secrets", &params)
}

fn assert_outcome(o: &ProbeOutcome, status: ProbeStatus, contains: &str) {
    let t = outcome_text(o);
    assert_eq!(o.status, status, "{t}");
    assert!(t.contains(contains), "expected `{contains}` in:\n{t}");
}

#[test]
fn all_secrets_present_pass_through_the_challenge_and_every_page() {
    let kv = Emulator::start(guide_secrets(STRONG));
    let o = secrets_probe(&kv, "max_age = \"90d\"");
    assert_outcome(&o, ProbeStatus::Pass, "all 5 secrets present and valid");
    assert!(outcome_text(&o).contains("db-password: enabled, updated 3 days ago"));
    let requests = kv.requests();
    // Token, the unauthenticated first request (challenged), then three pages of two.
    let listed: Vec<&String> = requests
        .iter()
        .filter(|r| r.starts_with("GET /secrets?"))
        .collect();
    assert_eq!(listed.len(), 4, "{requests:#?}");
    assert!(listed[3].contains("%24skiptoken=4"), "{requests:#?}");
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("POST /") && r.contains("/oauth2/v2.0/token")),
        "{requests:#?}"
    );
    // Metadata only: no secret value was read.
    assert!(
        !requests.iter().any(|r| r.starts_with("GET /secrets/")),
        "{requests:#?}"
    );
}

#[test]
fn a_missing_secret_fails() {
    let mut secrets = guide_secrets(STRONG);
    secrets.remove("db-port");
    let o = secrets_probe(&Emulator::start(secrets), "");
    assert_outcome(&o, ProbeStatus::Fail, "db-port missing");
    assert!(outcome_text(&o).contains("db-port: not in the vault"));
}

#[test]
fn a_disabled_secret_fails() {
    let mut secrets = guide_secrets(STRONG);
    secrets.get_mut("db-user").unwrap().enabled = false;
    let o = secrets_probe(&Emulator::start(secrets), "");
    assert_outcome(&o, ProbeStatus::Fail, "db-user disabled");
}

#[test]
fn an_expired_secret_fails() {
    let mut secrets = guide_secrets(STRONG);
    let yesterday = time::OffsetDateTime::now_utc().unix_timestamp() - 86_400;
    secrets.get_mut("db-name").unwrap().expires = Some(yesterday);
    let o = secrets_probe(&Emulator::start(secrets), "");
    assert_outcome(&o, ProbeStatus::Fail, "db-name expired (since ");
}

#[test]
fn a_secret_older_than_the_rotation_window_fails_only_with_max_age() {
    let mut secrets = guide_secrets(STRONG);
    secrets.insert("db-password".into(), FakeSecret::new(STRONG, 91));
    let kv = Emulator::start(secrets);
    let o = secrets_probe(&kv, "max_age = \"90d\"");
    assert_outcome(&o, ProbeStatus::Fail, "db-password older than 90d");
    assert!(outcome_text(&o).contains("db-password: updated 91 days ago"));
    let o = secrets_probe(&kv, "");
    assert_outcome(&o, ProbeStatus::Pass, "all 5 secrets present");
}

#[test]
fn an_unreachable_vault_ends_within_the_timeout() {
    let kv = Emulator::start(guide_secrets(STRONG));
    let hole = Blackhole::start();
    let p = Project::new();
    let ctx = context(&kv, &p, "", Duration::from_secs(1));
    let started = Instant::now();
    // The same host name, on the port of a server that accepts and never answers.
    let o = run_probe_in(
        ctx,
        "keyvault-secrets",
        &format!(
            "vault = \"https://testvault.vault.azure.net:{}\"",
            hole.addr.port()
        ),
    );
    let took = started.elapsed();
    assert_outcome(&o, ProbeStatus::Error, "did not answer within 1 s");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn a_rejected_token_or_client_secret_is_access_denied() {
    let kv = Emulator::start(guide_secrets(STRONG));
    kv.state.lock().unwrap().issued_token = "token-from-another-tenant".into();
    let o = secrets_probe(&kv, "");
    assert_outcome(&o, ProbeStatus::Error, "access denied: HTTP 401");

    let kv = Emulator::start(guide_secrets(STRONG));
    let p = Project::new();
    let mut vars: BTreeMap<String, String> = kv.credential_vars().into_iter().collect();
    vars.insert("AZURE_CLIENT_SECRET".into(), "wrong-client-secret".into());
    let vars: EnvVars = vars.into_iter().collect();
    let mut ctx = ProbeContext::new(
        p.path().to_path_buf(),
        Arc::new(Config::default()),
        vars.clone(),
    );
    let http = kv.http_client(Duration::from_secs(5));
    ctx.vaults = Arc::new(Vaults::with_access(Access::with_http(
        http,
        &vars,
        Duration::from_secs(5),
    )));
    let o = run_probe_in(
        ctx,
        "keyvault-secrets",
        &format!("vault = \"{}\"", kv.vault_url()),
    );
    assert_outcome(
        &o,
        ProbeStatus::Error,
        "environment (AZURE_CLIENT_SECRET) was rejected",
    );
    assert!(outcome_text(&o).contains("AADSTS7000215"));
    assert!(!outcome_text(&o).contains("wrong-client-secret"));
}

#[test]
fn without_a_vault_the_probe_is_skipped() {
    let p = Project::new();
    let ctx = ProbeContext::new(
        p.path().to_path_buf(),
        Arc::new(Config::default()),
        EnvVars::default(),
    );
    let o = run_probe_in(ctx, "keyvault-secrets", "");
    assert_outcome(&o, ProbeStatus::Skipped, "no vault configured");
}

fn vault_config(kv_url: &str, port: u16, password_secret: &str) -> String {
    format!(
        "[environments.production]\nhost = \"127.0.0.1\"\nport = {port}\nuser = {{ keyvault = \"{kv_url}\", secret = \"db-user\" }}\ndatabase = \"postgres\"\nsslmode = \"require\"\npassword = {{ keyvault = \"{kv_url}\", secret = \"{password_secret}\" }}\n"
    )
}

#[test]
fn postgres_probes_log_in_with_credentials_from_the_vault_fetched_once() {
    let c = Cluster::start(ClusterConfig::default());
    let mut secrets = guide_secrets(SUPERUSER_PASSWORD);
    secrets.insert("db-user".into(), FakeSecret::new("postgres", 1));
    let kv = Emulator::start(secrets);
    let p = Project::new();
    let config = vault_config(&kv.vault_url(), c.port, "db-password");
    let ctx = context(&kv, &p, &config, Duration::from_secs(5));
    let o = run_probe_in(ctx.clone(), "postgres-connect", "");
    assert_outcome(&o, ProbeStatus::Pass, "authenticated as postgres");
    // The same context (one run): the value is not fetched again.
    let o = run_probe_in(ctx, "password-policy", "");
    assert_outcome(&o, ProbeStatus::Fail, "");
    let gets: Vec<String> = kv
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET /secrets/db-password/") && r.ends_with("[token]"))
        .collect();
    assert_eq!(gets.len(), 1, "{gets:?}");
}

#[test]
fn a_failing_vault_source_names_the_source_and_the_reason() {
    let mut secrets = guide_secrets(STRONG);
    secrets.get_mut("db-user").unwrap().enabled = false;
    let kv = Emulator::start(secrets);
    let p = Project::new();
    let config = vault_config(&kv.vault_url(), 5432, "no-such-secret");
    let ctx = context(&kv, &p, &config, Duration::from_secs(5));
    let o = run_probe_in(ctx, "password-policy", "");
    let t = outcome_text(&o);
    assert_eq!(o.status, ProbeStatus::Error, "{t}");
    assert!(
        t.contains(&format!(
            "environment `production`: password from Key Vault {} secret no-such-secret: ",
            kv.vault_url()
        )) && t.contains("secret `no-such-secret` does not exist"),
        "{t}"
    );
    // The user field's source fails too, with its own reason, when it is the first read.
    let ctx = context(
        &kv,
        &p,
        &vault_config(&kv.vault_url(), 5432, "db-password"),
        Duration::from_secs(5),
    );
    let o = run_probe_in(ctx, "postgres-connect", "");
    assert_outcome(&o, ProbeStatus::Error, "user from Key Vault");
    assert!(
        outcome_text(&o).contains("access denied: HTTP 403"),
        "{}",
        outcome_text(&o)
    );
}

/// How one source delivers the canary: its name, `preflight.toml`, variables, a file.
type Delivery = (
    &'static str,
    String,
    Vec<(String, String)>,
    Option<(&'static str, String)>,
);

/// The canary, delivered by each source in turn, reaches the database (the login
/// works) and no output, report, ledger line or process argument list.
#[test]
fn a_canary_password_from_every_source_appears_nowhere() {
    const CANARY: &str = "Canary-Kv-5e1d-Xq9!pw";
    let c = Cluster::start(ClusterConfig::default());
    c.sql(&format!("create role app login password '{CANARY}'"));
    let kv = Emulator::start({
        let mut s = guide_secrets(CANARY);
        s.insert("db-user".into(), FakeSecret::new("app", 1));
        s
    });
    let proxy = Proxy::start(kv.addr);
    let port = c.port;
    let url = format!("postgresql://app:{CANARY}@127.0.0.1:{port}/postgres?sslmode=require");
    let sources: Vec<Delivery> = vec![
        (
            "env",
            String::new(),
            vec![
                ("PG_HOST".into(), "127.0.0.1".into()),
                ("PG_PORT".into(), port.to_string()),
                ("PG_USER".into(), "app".into()),
                ("PG_DATABASE".into(), "postgres".into()),
                ("PG_SSLMODE".into(), "require".into()),
                ("PG_PASSWORD".into(), CANARY.into()),
            ],
            None,
        ),
        (
            "dotenv",
            format!(
                "[environments.production]\nhost = \"127.0.0.1\"\nport = {port}\nuser = \"app\"\ndatabase = \"postgres\"\nsslmode = \"require\"\npassword = {{ dotenv = \".env.production\", key = \"PG_PASSWORD\" }}\n"
            ),
            vec![],
            Some((".env.production", format!("PG_PASSWORD=\"{CANARY}\"\n"))),
        ),
        (
            "url",
            "[environments.production]\nurl = { env = \"DATABASE_URL\" }\n".to_string(),
            vec![("DATABASE_URL".into(), url)],
            None,
        ),
        (
            "keyvault",
            format!(
                "[environments.production]\nhost = \"127.0.0.1\"\nport = {port}\nuser = {{ keyvault = \"https://testvault.vault.azure.net\", secret = \"db-user\" }}\ndatabase = \"postgres\"\nsslmode = \"require\"\npassword = {{ keyvault = \"https://testvault.vault.azure.net\", secret = \"db-password\" }}\n"
            ),
            vec![],
            None,
        ),
    ];
    let watcher = crate::support::ArgvWatcher::start(CANARY);
    for (name, config, vars, file) in sources {
        let p = Project::git();
        p.write("ca.pem", &kv.ca_pem);
        p.write(".gitignore", ".env*\nca.pem\n.preflight/\n");
        p.write(
            "checklist.toml",
            "[checklist]\nid = \"c\"\ntitle = \"Canary\"\n\n[[item]]\nid = \"login\"\ntier = \"critical\"\ntitle = \"Login\"\n\n[[item.probe]]\nkind = \"postgres-connect\"\n\n[[item.probe]]\nkind = \"password-policy\"\n\n[[item.probe]]\nkind = \"keyvault-secrets\"\nvault = \"https://testvault.vault.azure.net\"\ntimeout = \"20s\"\n\n[[item]]\nid = \"apart\"\ntier = \"critical\"\ntitle = \"Apart\"\n\n[[item.probe]]\nkind = \"credential-difference\"\n",
        );
        p.write(
            "preflight.toml",
            &format!("checklist = \"checklist.toml\"\n{config}"),
        );
        p.write(
            ".env.development",
            "PG_HOST=localhost\nPG_USER=dev\nPG_PASSWORD=development-only\n",
        );
        if let Some((file, content)) = &file {
            p.write(file, content);
        }
        p.commit_all("init");
        let run = |args: &[&str]| {
            let mut cmd = preflight(p.path());
            cmd.env("HTTPS_PROXY", format!("http://{}", proxy.addr))
                .env("NO_PROXY", "")
                .env("SSL_CERT_FILE", p.path().join("ca.pem"));
            for (k, v) in kv.credential_vars() {
                if k != "AZURE_AUTHORITY_HOST" {
                    cmd.env(k, v);
                }
            }
            cmd.env("AZURE_AUTHORITY_HOST", "https://login.testcloud.local");
            for (k, v) in &vars {
                cmd.env(k, v);
            }
            let out = cmd.args(args).output().unwrap();
            format!("{}{}", text(&out.stdout), text(&out.stderr))
        };
        let mut outputs = vec![
            run(&["check", "--verbose"]),
            run(&["check", "--format", "json"]),
            run(&[
                "attest",
                "login",
                "--as",
                "Jane <jane@example.com>",
                "--note",
                "checked",
            ]),
            run(&["status"]),
            run(&["history"]),
        ];
        for format in ["text", "markdown", "json", "html", "junit", "sarif"] {
            outputs.push(run(&["report", "--format", format, "-o", "-"]));
        }
        outputs.push(
            std::fs::read_to_string(p.path().join(".preflight/ledger.jsonl")).unwrap_or_default(),
        );
        let check = &outputs[0];
        assert!(
            check.contains("authenticated as app"),
            "{name}: the canary did not reach the database:\n{check}"
        );
        assert!(
            check.contains("all 5 secrets present and valid"),
            "{name}: the vault was not listed:\n{check}"
        );
        for (i, out) in outputs.iter().enumerate() {
            assert!(!out.is_empty(), "{name}: output {i} is empty");
            assert!(
                !out.contains(CANARY),
                "{name}: output {i} leaks the password:\n{out}"
            );
        }
        assert!(
            outputs[11].contains("\"item\":\"login\""),
            "{name}: {}",
            outputs[11]
        );
    }
    let seen = watcher.finish();
    assert!(
        seen.is_empty(),
        "a process argument list held the password: {seen:?}"
    );
    // Every tunnel went to the Azure host names, through the loopback proxy.
    let connects = proxy.connects.lock().unwrap().clone();
    assert!(
        connects
            .iter()
            .any(|c| c == "testvault.vault.azure.net:443"),
        "{connects:?}"
    );
    assert!(
        connects.iter().any(|c| c == "login.testcloud.local:443"),
        "{connects:?}"
    );
}
