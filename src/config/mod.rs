//! Environment and configuration: what the run is told, before anything is checked.
//!
//! - `preflight.toml` at the project root (this module): the checklist to run, the
//!   ledger's place, and environments (where the database is and where its credentials
//!   come from). Values are never secrets themselves: a password is always read from a
//!   source (`{ env = "PG_PASSWORD" }`, `{ dotenv = "...", key = "..." }`,
//!   `{ keyvault = "https://NAME.vault.azure.net", secret = "db-password" }`), and a
//!   literal password in the file is refused.
//! - [`sources`]: reading an environment's fields from those sources;
//! - [`environment`]: an environment's fields once read;
//! - [`hosts`]: the servers of an environment that lists several (`hosts = [...]`);
//! - [`env_vars`], [`dotenv`], [`pgurl`], [`vault_url`]: the sources' formats;
//! - [`user`]: the user's own settings;
//! - [`suggest`]: the configuration `preflight init` proposes for a project.
//!
//! Nothing here talks to a server or knows of probes, checklists or sign-offs.

pub mod dotenv;
pub mod env_vars;
pub mod environment;
pub mod hosts;
pub mod pgurl;
pub mod sources;
pub mod suggest;
pub mod user;
pub mod vault_url;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::DeValue;

use crate::base::diagnostic::{Diagnostics, SourceFile};
use crate::base::fs::{self, Links, ReadError};
use crate::base::text as base_text;
use crate::base::toml_reader::{Table, TomlReader, integer_value, parse_document, type_name};
pub use env_vars::EnvVars;
pub use environment::ResolvedEnvironment;
pub use hosts::HostEntry;
use sources::ENVIRONMENT_FIELDS;
pub use sources::{EnvironmentSpec, FetchedSecrets, Source, SourceError};
pub use vault_url::VaultUrl;

/// The largest configuration file read (`preflight.toml`, the user's settings).
pub const MAX_CONFIG: u64 = 1024 * 1024;

/// The most servers one environment may list (`hosts`): a run holds a session open per
/// server and credential.
pub const MAX_HOSTS: usize = 1000;

/// The file name looked for at the project root.
pub const FILE_NAME: &str = "preflight.toml";

/// Where the sign-off ledger lives unless `ledger` says otherwise, relative to the
/// project root.
pub const DEFAULT_LEDGER: &str = ".preflight/ledger.jsonl";

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration {}: {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: ReadError,
    },
    /// The file is not valid.
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// The project configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
    /// The checklists to run, in order: shipped names or paths (relative to the
    /// project root). Empty: the default one.
    pub checklists: Vec<String>,
    /// The sign-off ledger, relative to the project root (default
    /// `.preflight/ledger.jsonl`).
    pub ledger: Option<PathBuf>,
    /// Environments written in the file.
    pub environments: BTreeMap<String, EnvironmentSpec>,
    /// The `[signoff]` table.
    pub signoff: SignoffConfig,
}

/// Who may sign what (`[signoff]` in `preflight.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignoffConfig {
    /// Principals (e-mail addresses, or OpenSSH patterns) whose signed approvals count.
    pub reviewers: Vec<String>,
    /// Whether unsigned records count for nothing; by default, yes once an
    /// allowed-signers file exists.
    pub require_signatures: Option<bool>,
    /// The allowed-signers file, relative to the project root (default
    /// [`DEFAULT_ALLOWED_SIGNERS`]).
    pub allowed_signers: Option<PathBuf>,
}

/// Where the project's allowed-signers file is, unless `[signoff]` says otherwise.
pub const DEFAULT_ALLOWED_SIGNERS: &str = ".preflight/allowed_signers";

impl Config {
    /// Reads `path` if given, else `<project_dir>/preflight.toml` if it exists, else defaults.
    pub fn discover(project_dir: &Path, path: Option<&Path>) -> Result<Config, ConfigError> {
        match path {
            Some(p) => Config::load(p),
            None => {
                let default = project_dir.join(FILE_NAME);
                if default.is_file() {
                    Config::load(&default)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }

    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text =
            fs::read_text(path, MAX_CONFIG, Links::Follow).map_err(|reason| ConfigError::Io {
                path: path.to_path_buf(),
                reason,
            })?;
        let mut config =
            Config::parse(&SourceFile::new(path, text)).map_err(ConfigError::Invalid)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Validates configuration text.
    pub fn parse(source: &SourceFile) -> Result<Config, Diagnostics> {
        let doc = parse_document(source)?;
        let mut r = TomlReader::new(source);
        let root = doc.get_ref();
        r.reject_unknown_keys(
            root,
            &[
                "checklist",
                "checklists",
                "ledger",
                "environments",
                "signoff",
            ],
            FILE_NAME,
        );
        let one = r.string(root, 0..0, "checklist", false, FILE_NAME);
        let several = r.string_list(root, "checklists", FILE_NAME);
        let checklists = match (one, several) {
            (Some(_), Some(_)) => {
                let span = root.get("checklists").map_or(0..0, |v| v.span());
                r.error(
                    span,
                    "both `checklist` and `checklists` are set: keep one (`checklists = [\"a\", \"b\"]` runs several)",
                );
                Vec::new()
            }
            (Some(one), None) => vec![one],
            (None, Some(several)) => {
                if several.is_empty() {
                    let span = root.get("checklists").map_or(0..0, |v| v.span());
                    r.error(span, "`checklists` names no checklist");
                }
                several
            }
            (None, None) => Vec::new(),
        };
        let mut config = Config {
            checklists,
            ledger: r
                .string(root, 0..0, "ledger", false, FILE_NAME)
                .map(PathBuf::from),
            ..Config::default()
        };
        if let Some(value) = root.get("environments") {
            match value.get_ref() {
                DeValue::Table(envs) => {
                    for (name, env) in envs.iter() {
                        let name = name.get_ref().to_string();
                        match env.get_ref() {
                            DeValue::Table(t) => {
                                let spec = read_environment(&mut r, t, &name);
                                config.environments.insert(name, spec);
                            }
                            other => r.error(
                                env.span(),
                                format!(
                                    "environment `{name}` must be a table, found {}",
                                    type_name(other)
                                ),
                            ),
                        }
                    }
                }
                other => r.error(
                    value.span(),
                    format!("`environments` must be a table, found {}", type_name(other)),
                ),
            }
        }
        if let Some(value) = root.get("signoff") {
            match value.get_ref() {
                DeValue::Table(t) => config.signoff = read_signoff(&mut r, t),
                other => r.error(
                    value.span(),
                    format!("`signoff` must be a table, found {}", type_name(other)),
                ),
            }
        }
        let diagnostics = r.finish();
        if diagnostics.is_empty() {
            Ok(config)
        } else {
            Err(diagnostics)
        }
    }

    /// The allowed-signers file of a project rooted at `project_dir`.
    pub fn allowed_signers_path(&self, project_dir: &Path) -> PathBuf {
        project_dir.join(
            self.signoff
                .allowed_signers
                .as_deref()
                .unwrap_or(Path::new(DEFAULT_ALLOWED_SIGNERS)),
        )
    }

    /// The ledger file of a project rooted at `project_dir`.
    pub fn ledger_path(&self, project_dir: &Path) -> PathBuf {
        project_dir.join(self.ledger.as_deref().unwrap_or(Path::new(DEFAULT_LEDGER)))
    }

    /// Names of the environments sign-offs can be recorded for: those configured, plus
    /// `production` and `development`, which always have defaults.
    pub fn environment_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.environments.keys().cloned().collect();
        for default in ["production", "development", "deployment"] {
            if !self.environments.contains_key(default) {
                names.push(default.to_string());
            }
        }
        names.sort();
        names
    }

    /// The named environment: as configured, else the guides' defaults for
    /// `production` (`PG_*` variables), `development` (`.env.development` or
    /// `.env.example`, whichever exists first) and `deployment` (`.env.deployment`).
    pub fn environment(&self, name: &str, project_dir: &Path) -> Option<EnvironmentSpec> {
        if let Some(spec) = self.environments.get(name) {
            return Some(spec.clone());
        }
        match name {
            "production" => Some(EnvironmentSpec::from_pg_variables()),
            "development" => [".env.development", ".env.example"]
                .iter()
                .map(Path::new)
                .find(|f| project_dir.join(f).is_file())
                .map(EnvironmentSpec::from_dotenv),
            // The security guide keeps the deployment's credentials in .env.deployment.
            "deployment" => Some(Path::new(".env.deployment"))
                .filter(|f| project_dir.join(f).is_file())
                .map(EnvironmentSpec::from_dotenv),
            _ => None,
        }
    }
}

fn read_signoff(r: &mut TomlReader<'_>, table: &Table<'_>) -> SignoffConfig {
    const CONTEXT: &str = "[signoff]";
    r.reject_unknown_keys(
        table,
        &["reviewers", "require_signatures", "allowed_signers"],
        CONTEXT,
    );
    let require_signatures = table
        .get("require_signatures")
        .and_then(|v| match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                r.error(
                    v.span(),
                    format!(
                        "`require_signatures` in {CONTEXT} must be true or false, found {}",
                        type_name(other)
                    ),
                );
                None
            }
        });
    SignoffConfig {
        reviewers: r
            .string_list(table, "reviewers", CONTEXT)
            .unwrap_or_default(),
        require_signatures,
        allowed_signers: r
            .string(table, 0..0, "allowed_signers", false, CONTEXT)
            .map(PathBuf::from),
    }
}

fn read_environment(r: &mut TomlReader<'_>, table: &Table<'_>, name: &str) -> EnvironmentSpec {
    let context = format!("[environments.{name}]");
    let allowed: Vec<&str> = ENVIRONMENT_FIELDS
        .iter()
        .copied()
        .chain(std::iter::once("hosts"))
        .collect();
    r.reject_unknown_keys(table, &allowed, &context);
    let mut spec = EnvironmentSpec {
        hosts: read_hosts(r, table, &context),
        ..EnvironmentSpec::default()
    };
    for field in ENVIRONMENT_FIELDS {
        let Some(value) = table.get(*field) else {
            continue;
        };
        let source = read_source(r, field, value.get_ref(), value.span(), &context);
        match *field {
            "host" => spec.host = source,
            "port" => spec.port = source,
            "database" => spec.database = source,
            "user" => spec.user = source,
            "password" => spec.password = source,
            "sslmode" => spec.sslmode = source,
            "url" => spec.url = source,
            _ => spec.sslrootcert = source,
        }
    }
    spec
}

/// `hosts = ["db-1.internal", "db-2.internal:5433", "postgres://db-3/tenant"]`: each
/// entry checked where it is written; `host` beside it is refused (which would win?).
fn read_hosts(r: &mut TomlReader<'_>, table: &Table<'_>, context: &str) -> Vec<HostEntry> {
    let Some(value) = table.get("hosts") else {
        return Vec::new();
    };
    let DeValue::Array(items) = value.get_ref() else {
        let found = type_name(value.get_ref());
        r.error(
            value.span(),
            format!("`hosts` in {context} must be an array of strings, found {found}"),
        );
        return Vec::new();
    };
    if let Some(host) = table.get("host") {
        r.error_with_help(
            host.span(),
            format!("both `host` and `hosts` in {context}"),
            "list every server in `hosts` and remove `host`",
        );
    }
    if items.is_empty() {
        r.error(value.span(), format!("`hosts` in {context} names no host"));
    }
    if items.len() > MAX_HOSTS {
        r.error(
            value.span(),
            format!(
                "`hosts` in {context} lists {} hosts; at most {MAX_HOSTS} are checked in one run (split them into environments)",
                items.len()
            ),
        );
        return Vec::new();
    }
    let mut hosts: Vec<HostEntry> = Vec::with_capacity(items.len());
    for item in items.iter() {
        let DeValue::String(text) = item.get_ref() else {
            let found = type_name(item.get_ref());
            r.error(
                item.span(),
                format!("`hosts` in {context} must contain only strings, found {found}"),
            );
            continue;
        };
        if pgurl::has_password(text) {
            r.secret_error(
                item.span(),
                format!("a host URL with a password in `hosts` of {context}"),
                "a host entry says where a server is; give the password as the environment's `password` from a source",
            );
            continue;
        }
        match HostEntry::parse(text) {
            Ok(entry) if hosts.contains(&entry) => {
                r.error(
                    item.span(),
                    format!(
                        "`hosts` in {context} lists `{}` twice",
                        base_text::safe_line(text)
                    ),
                );
            }
            Ok(entry) => hosts.push(entry),
            Err(why) => r.error(item.span(), format!("`hosts` in {context}: {why}")),
        }
    }
    hosts
}

fn read_source(
    r: &mut TomlReader<'_>,
    field: &str,
    value: &DeValue<'_>,
    span: Range<usize>,
    context: &str,
) -> Option<Source> {
    match value {
        DeValue::String(s) if field == "url" && pgurl::has_password(s) => {
            r.secret_error(
                span,
                format!("a literal URL with a password is not allowed in {FILE_NAME} ({context})"),
                "read it from a source instead: `url = { env = \"DATABASE_URL\" }`, or leave the password out of the URL and give `password = { env = \"PG_PASSWORD\" }`",
            );
            None
        }
        DeValue::String(_) | DeValue::Integer(_) if field == "password" => {
            r.secret_error(
                span,
                format!("a literal password is not allowed in {FILE_NAME} ({context})"),
                "read it from a source instead: `password = { env = \"PG_PASSWORD\" }` or `password = { dotenv = \".env.production\", key = \"PG_PASSWORD\" }`",
            );
            None
        }
        DeValue::String(s) => Some(Source::Literal(s.to_string())),
        DeValue::Integer(_) if field == "port" => {
            integer_value(value).map(|p| Source::Literal(p.to_string()))
        }
        DeValue::Table(t) => {
            let at = span.clone();
            let text = |r: &mut TomlReader<'_>, key: &str| {
                r.string(t, at.clone(), key, true, &format!("`{field}` in {context}"))
            };
            if t.contains_key("env") {
                r.reject_unknown_keys(t, &["env"], &format!("`{field}` in {context}"));
                text(r, "env").map(Source::Env)
            } else if t.contains_key("dotenv") {
                r.reject_unknown_keys(t, &["dotenv", "key"], &format!("`{field}` in {context}"));
                let file = text(r, "dotenv");
                let key = text(r, "key");
                Some(Source::Dotenv {
                    file: PathBuf::from(file?),
                    key: key?,
                })
            } else if t.contains_key("keyvault") {
                r.reject_unknown_keys(
                    t,
                    &["keyvault", "secret"],
                    &format!("`{field}` in {context}"),
                );
                let vault = text(r, "keyvault");
                let secret = text(r, "secret");
                let vault = match VaultUrl::parse(&vault?) {
                    Ok(vault) => vault,
                    Err(reason) => {
                        r.error(span, format!("`{field}` in {context}: {reason}"));
                        return None;
                    }
                };
                Some(Source::KeyVault {
                    vault,
                    secret: secret?,
                })
            } else {
                r.error_with_help(
                    span,
                    format!("`{field}` in {context} names no source"),
                    "use `{ env = \"NAME\" }`, `{ dotenv = \"FILE\", key = \"NAME\" }` or `{ keyvault = \"https://NAME.vault.azure.net\", secret = \"NAME\" }`",
                );
                None
            }
        }
        other => {
            r.error(
                span,
                format!(
                    "`{field}` in {context} must be a string or a source table, found {}",
                    type_name(other)
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::secret::Secret;

    fn parse(text: &str) -> Result<Config, Diagnostics> {
        Config::parse(&SourceFile::new("preflight.toml", text))
    }

    #[test]
    fn reads_sources() {
        let c = parse(
            "checklist = \"postgres-production\"\n[environments.production]\nhost = { env = \"PG_HOST\" }\nport = 5432\npassword = { dotenv = \".env.production\", key = \"PG_PASSWORD\" }\n",
        )
        .unwrap();
        let p = &c.environments["production"];
        assert_eq!(p.host, Some(Source::Env("PG_HOST".into())));
        assert_eq!(p.port, Some(Source::Literal("5432".into())));
        assert_eq!(
            p.password,
            Some(Source::Dotenv {
                file: ".env.production".into(),
                key: "PG_PASSWORD".into()
            })
        );
    }

    #[test]
    fn reads_key_vault_sources_and_resolves_them_from_fetched_values() {
        let c = parse(
            "[environments.production]\nhost = { keyvault = \"contextforge-prod-vault\", secret = \"db-host\" }\npassword = { keyvault = \"https://contextforge-prod-vault.vault.azure.net/\", secret = \"db-password\" }\n",
        )
        .unwrap();
        let p = &c.environments["production"];
        let vault = VaultUrl::parse("contextforge-prod-vault").unwrap();
        assert_eq!(
            p.vault_secrets(),
            vec![
                (vault.clone(), "db-host".to_string()),
                (vault.clone(), "db-password".to_string())
            ]
        );
        let mut fetched = FetchedSecrets::new();
        fetched.insert(
            (vault.clone(), "db-host".into()),
            Ok(Secret::new("db.internal")),
        );
        fetched.insert(
            (vault.clone(), "db-password".into()),
            Err("secret `db-password` is disabled".into()),
        );
        let err = p
            .resolve(Path::new("."), &EnvVars::default(), &fetched, None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "password from Key Vault https://contextforge-prod-vault.vault.azure.net secret db-password: secret `db-password` is disabled"
        );
        fetched.insert((vault, "db-password".into()), Ok(Secret::new("s3cret")));
        let env = p
            .resolve(Path::new("."), &EnvVars::default(), &fetched, None)
            .unwrap();
        assert_eq!(env.host.as_deref(), Some("db.internal"));
        assert_eq!(env.password.unwrap().expose(), "s3cret");
    }

    #[test]
    fn refuses_a_vault_that_is_not_https_at_its_line() {
        let err = parse(
            "[environments.production]\n\npassword = { keyvault = \"http://v.vault.azure.net\", secret = \"p\" }\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("preflight.toml:3:"), "{err}");
        assert!(err.contains("must use https"), "{err}");
    }

    #[test]
    fn refuses_a_literal_password_at_its_line() {
        let e = parse("[environments.production]\nuser = \"app\"\npassword = \"hunter2\"\n")
            .unwrap_err();
        assert_eq!(e.len(), 1);
        let d = &e.0[0];
        assert_eq!((d.line, d.column), (3, 12));
        assert_eq!(
            d.message,
            "a literal password is not allowed in preflight.toml ([environments.production])"
        );
        assert!(
            !e.to_string().contains("hunter2"),
            "the refused password is masked: {e}"
        );
        assert!(e.to_string().contains("3 | password = *********\n"), "{e}");
    }

    #[test]
    fn resolves_from_env_and_dotenv_with_masked_password() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env.example"),
            "PG_HOST=localhost\nPG_PORT=5434\nPG_USER=dev\nPG_PASSWORD=contextforge\n",
        )
        .unwrap();
        let c = Config::default();
        let dev = c
            .environment("development", dir.path())
            .unwrap()
            .resolve(
                dir.path(),
                &EnvVars::default(),
                &FetchedSecrets::new(),
                None,
            )
            .unwrap();
        assert_eq!(dev.port, Some(5434));
        assert_eq!(dev.password.as_ref().unwrap().expose(), "contextforge");
        assert!(!format!("{dev:?}").contains("contextforge"));
        let vars: EnvVars = [("PG_HOST", "db.internal"), ("PG_PORT", "nope")]
            .into_iter()
            .collect();
        let err = c
            .environment("production", dir.path())
            .unwrap()
            .resolve(dir.path(), &vars, &FetchedSecrets::new(), None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "port from environment variable PG_PORT: `nope` is not a port number"
        );
    }

    #[test]
    fn a_url_fills_what_the_fields_leave_unset() {
        let c = parse(
            "[environments.production]\nurl = { env = \"DATABASE_URL\" }\nuser = { env = \"PG_USER\" }\n",
        )
        .unwrap();
        let vars: EnvVars = [
            (
                "DATABASE_URL",
                "postgresql://urluser:url-secret@db.internal:6543/taskman_v2?sslmode=require",
            ),
            ("PG_USER", "app"),
        ]
        .into_iter()
        .collect();
        let dir = std::path::Path::new(".");
        let env = c.environments["production"]
            .resolve(dir, &vars, &FetchedSecrets::new(), None)
            .unwrap();
        assert_eq!(env.host.as_deref(), Some("db.internal"));
        assert_eq!(env.port, Some(6543));
        assert_eq!(env.database.as_deref(), Some("taskman_v2"));
        assert_eq!(
            env.user.as_deref(),
            Some("app"),
            "a field given on its own wins"
        );
        assert_eq!(
            env.password.as_ref().map(Secret::expose),
            Some("url-secret")
        );
        assert_eq!(env.sslmode.as_deref(), Some("require"));
        let bad: EnvVars = [("DATABASE_URL", "mysql://u:url-secret@h/db")]
            .into_iter()
            .collect();
        let e = c.environments["production"]
            .resolve(dir, &bad, &FetchedSecrets::new(), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("url from environment variable DATABASE_URL: the scheme is `mysql`"),
            "{e}"
        );
        assert!(!e.contains("url-secret"), "{e}");
    }

    #[test]
    fn refuses_a_literal_url_with_a_password_masked() {
        let e = parse("[environments.production]\nurl = \"postgres://app:hunter2@db/app\"\n")
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("a literal URL with a password is not allowed"),
            "{e}"
        );
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(
            parse(
                "[environments.production]\nurl = \"postgres://app@db/app?sslmode=verify-full\"\n"
            )
            .is_ok()
        );
    }

    #[test]
    fn hosts_are_read_and_each_mistake_is_named_where_it_is() {
        let c = parse(
            "[environments.production]\nhosts = [\"db-1.internal\", \"db-2.internal:5433\", \"postgres://db-3.internal/tenant_b\"]\nuser = \"app\"\n",
        )
        .unwrap();
        let hosts = &c.environments["production"].hosts;
        assert_eq!(hosts.len(), 3);
        assert_eq!(hosts[1].port, Some(5433));
        assert_eq!(hosts[2].database.as_deref(), Some("tenant_b"));
        let e = parse(
            "[environments.production]\nhosts = [\"db-1\", \"db 2\", \"db-1\", 5, \"postgres://app:hunter2@db-4/x\"]\nhost = \"db\"\n",
        )
        .unwrap_err()
        .to_string();
        for want in [
            "preflight.toml:2:18",
            "`db 2` is not a host name",
            "preflight.toml:2:26",
            "lists `db-1` twice",
            "preflight.toml:2:34",
            "must contain only strings, found an integer",
            "preflight.toml:2:37",
            "a host URL with a password",
            "preflight.toml:3:8",
            "both `host` and `hosts`",
        ] {
            assert!(e.contains(want), "{want}: {e}");
        }
        assert!(!e.contains("hunter2"), "{e}");
        let empty = parse("[environments.production]\nhosts = []\n").unwrap_err();
        assert!(empty.to_string().contains("names no host"), "{empty}");
        let list = |n: usize| {
            (0..n)
                .map(|i| format!("\"10.0.{}.{}\"", i / 250, i % 250 + 1))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let most = parse(&format!(
            "[environments.production]\nhosts = [{}]\n",
            list(MAX_HOSTS)
        ));
        assert_eq!(
            most.unwrap().environments["production"].hosts.len(),
            MAX_HOSTS
        );
        let too_many = parse(&format!(
            "[environments.production]\nhosts = [{}]\n",
            list(MAX_HOSTS + 1)
        ))
        .unwrap_err();
        assert!(
            too_many
                .to_string()
                .contains("lists 1001 hosts; at most 1000"),
            "{too_many}"
        );
    }
}
