//! What `preflight init` proposes: the environments a project already describes (its
//! `.env*` files, the database variables of this process) and the `preflight.toml` that
//! reads them. Only variable names are kept, never values: every field of the file
//! written is a source (`{ env = … }`, `{ dotenv = …, key = … }`), so no password is
//! ever written down.

use std::path::Path;

use super::FILE_NAME;
use super::dotenv;
use super::env_vars::EnvVars;

/// The names projects use for each field, most specific first.
const FIELD_KEYS: &[(&str, &[&str])] = &[
    (
        "url",
        &[
            "DATABASE_URL",
            "POSTGRES_URL",
            "POSTGRESQL_URL",
            "PG_URL",
            "DB_URL",
        ],
    ),
    (
        "host",
        &[
            "PG_HOST",
            "PGHOST",
            "POSTGRES_HOST",
            "DB_HOST",
            "DATABASE_HOST",
        ],
    ),
    (
        "port",
        &[
            "PG_PORT",
            "PGPORT",
            "POSTGRES_PORT",
            "DB_PORT",
            "DATABASE_PORT",
        ],
    ),
    (
        "database",
        &[
            "PG_DATABASE",
            "PGDATABASE",
            "POSTGRES_DB",
            "DB_NAME",
            "DB_DATABASE",
            "DATABASE_NAME",
        ],
    ),
    (
        "user",
        &[
            "PG_USER",
            "PGUSER",
            "POSTGRES_USER",
            "DB_USER",
            "DB_USERNAME",
            "DATABASE_USER",
        ],
    ),
    (
        "password",
        &[
            "PG_PASSWORD",
            "PGPASSWORD",
            "POSTGRES_PASSWORD",
            "DB_PASSWORD",
            "DATABASE_PASSWORD",
        ],
    ),
    ("sslmode", &["PG_SSLMODE", "PGSSLMODE", "DB_SSLMODE"]),
    ("sslrootcert", &["PG_SSLROOTCERT", "PGSSLROOTCERT"]),
];

/// Dotenv files and the environment each describes, in the order they are preferred
/// (a real file before an example of it).
const DOTENV_FILES: &[(&str, &str)] = &[
    (".env.production", "production"),
    (".env.prod", "production"),
    (".env.staging", "staging"),
    (".env.stage", "staging"),
    (".env.deployment", "deployment"),
    (".env.development", "development"),
    (".env.dev", "development"),
    (".env.local", "development"),
    (".env", "development"),
    (".env.example", "development"),
    (".env.sample", "development"),
    (".env.template", "development"),
    (".env.test", "test"),
];

/// Where an environment's fields come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Variables of the process (and so of CI or the deployment platform).
    Process,
    /// A dotenv file at the project root.
    Dotenv(String),
    /// Nothing was found: the guides' `PG_*` variables, to be set.
    Convention,
}

/// One environment to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Its name (`production`, `staging`, …).
    pub name: String,
    /// Where its fields come from.
    pub origin: Origin,
    /// Field → the variable or key that holds it, in the order of the file.
    pub fields: Vec<(&'static str, String)>,
    /// The variables or keys that were found set (the others are to be set).
    pub found: Vec<String>,
}

impl Proposal {
    /// Where it comes from, in words (`.env.staging: PG_HOST, PG_USER, PG_PASSWORD`).
    pub fn describe(&self) -> String {
        let keys: Vec<&str> = self.fields.iter().map(|(_, k)| k.as_str()).collect();
        match &self.origin {
            Origin::Process if self.found.len() < keys.len() => format!(
                "this shell's variables {} (the other fields read the guides' PG_* variables)",
                self.found.join(", ")
            ),
            Origin::Process => format!("this shell's variables {}", keys.join(", ")),
            Origin::Dotenv(file) => format!("{file}: {}", keys.join(", ")),
            Origin::Convention => format!(
                "the guides' variables {} (none is set here yet: set them where preflight runs, or point the fields at a vault)",
                keys.join(", ")
            ),
        }
    }
}

/// What init found.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// The environments, production first.
    pub environments: Vec<Proposal>,
    /// Other things worth a line in the file (`.mcp.json` found, files unreadable).
    pub notes: Vec<String>,
}

/// The fields a set of names covers: for each field, the first of its names present.
fn fields_of(has: impl Fn(&str) -> bool) -> Vec<(&'static str, String)> {
    FIELD_KEYS
        .iter()
        .filter_map(|(field, keys)| {
            keys.iter()
                .find(|k| has(k))
                .map(|k| (*field, (*k).to_string()))
        })
        .collect()
}

/// The variables the guides use for production.
const GUIDE_VARIABLES: &[&str] = &[
    "PG_HOST",
    "PG_PORT",
    "PG_DATABASE",
    "PG_USER",
    "PG_PASSWORD",
    "PG_SSLMODE",
];

/// The field a variable name stands for.
fn field_of(key: &str) -> Option<&'static str> {
    FIELD_KEYS
        .iter()
        .find(|(_, keys)| keys.contains(&key))
        .map(|(field, _)| *field)
}

/// Whether the fields name a database at all (a host or a URL).
fn names_a_database(fields: &[(&'static str, String)]) -> bool {
    fields.iter().any(|(f, _)| *f == "host" || *f == "url")
}

/// Looks at the project at `dir` and the process's variables `vars`.
pub fn discover(dir: &Path, vars: &EnvVars) -> Findings {
    let mut findings = Findings::default();
    let from_process = fields_of(|k| vars.get(k).is_some_and(|v| !v.is_empty()));
    if names_a_database(&from_process) {
        let found = from_process.iter().map(|(_, k)| k.clone()).collect();
        // Fields not set yet read the guides' variables, so setting one later works.
        let from_process = fields_of(|k| {
            vars.get(k).is_some_and(|v| !v.is_empty())
                || (GUIDE_VARIABLES.contains(&k)
                    && !from_process.iter().any(|(f, _)| Some(*f) == field_of(k)))
        });
        findings.environments.push(Proposal {
            name: "production".into(),
            origin: Origin::Process,
            fields: from_process,
            found,
        });
    }
    for (file, env) in DOTENV_FILES {
        if findings.environments.iter().any(|p| p.name == *env) {
            continue;
        }
        let path = dir.join(file);
        if !path.is_file() {
            continue;
        }
        match dotenv::read(&path, dir) {
            Ok(entries) => {
                let fields = fields_of(|k| entries.contains_key(k));
                if names_a_database(&fields) {
                    findings.environments.push(Proposal {
                        name: (*env).to_string(),
                        origin: Origin::Dotenv((*file).to_string()),
                        found: fields.iter().map(|(_, k)| k.clone()).collect(),
                        fields,
                    });
                }
            }
            Err(e) => findings.notes.push(format!("{file} was not read: {e}")),
        }
    }
    if !findings.environments.iter().any(|p| p.name == "production") {
        let fields = fields_of(|k| GUIDE_VARIABLES.contains(&k));
        findings.environments.insert(
            0,
            Proposal {
                name: "production".into(),
                origin: Origin::Convention,
                fields,
                found: Vec::new(),
            },
        );
    }
    // Production first, then the order found.
    findings
        .environments
        .sort_by_key(|p| usize::from(p.name != "production"));
    if dir.join(".mcp.json").is_file() {
        findings.notes.push(
            ".mcp.json found: the postgres-security checklist checks that only you can read it"
                .into(),
        );
    }
    findings
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `preflight.toml` for the chosen environments.
pub fn render(environments: &[Proposal], notes: &[String], checklists: &[String]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# {FILE_NAME}: what preflight checks and where each environment's database is.\n\
         # Written by `preflight init` from what it found in this project; edit freely.\n\
         # Every field is read from a source, never written here: {{ env = \"VAR\" }},\n\
         # {{ dotenv = \"FILE\", key = \"VAR\" }}, or {{ keyvault = \"https://NAME.vault.azure.net\", secret = \"NAME\" }}.\n\
         # A literal password is refused. See the README, \"Project configuration\".\n\n"
    ));
    let names: Vec<String> = checklists.iter().map(|c| quoted(c)).collect();
    out.push_str(&format!("checklists = [{}]\n", names.join(", ")));
    out.push_str(
        "# Shipped: postgres-production, postgres-security, postgres-hardening (`preflight list`);\n\
         # postgres-hardening needs a monitoring role (README, \"Hardening a server\").\n",
    );
    for note in notes {
        out.push_str(&format!("# Note: {note}\n"));
    }
    for p in environments {
        out.push_str(&format!("\n[environments.{}]\n", p.name));
        out.push_str(&format!("# From {}\n", p.describe()));
        for (field, key) in &p.fields {
            let field = *field;
            let source = match &p.origin {
                Origin::Process | Origin::Convention => format!("{{ env = {} }}", quoted(key)),
                Origin::Dotenv(file) => {
                    format!("{{ dotenv = {}, key = {} }}", quoted(file), quoted(key))
                }
            };
            out.push_str(&format!("{field} = {source}\n"));
        }
        if p.name == "production" && !p.fields.iter().any(|(f, _)| *f == "sslmode") {
            out.push_str(
                "# sslmode = \"verify-full\"            # with sslrootcert: the server's CA, or \"system\"\n",
            );
        }
    }
    out.push_str(
        "\n[signoff]\n\
         # reviewers = [\"reviewer@example.com\"]             # whose approvals count\n\
         # require_signatures = true                         # once .preflight/allowed_signers exists\n\
         # allowed_signers = \".preflight/allowed_signers\"    # OpenSSH's format, as git uses it\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_environments_and_writes_only_names() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(
            dir.path().join(".env.example"),
            "DB_HOST=localhost\nDB_USER=app\nDB_PASSWORD=example-only\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join(".env.staging"),
            "DATABASE_URL=postgres://app:hunter2-staging@db/app\n",
        )
        .expect("write");
        let vars: EnvVars = [("PG_HOST", "db.internal"), ("PG_PASSWORD", "s3cret-prod")]
            .into_iter()
            .collect();
        let found = discover(dir.path(), &vars);
        let names: Vec<&str> = found.environments.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["production", "staging", "development"]);
        assert_eq!(found.environments[0].origin, Origin::Process);
        let text = render(
            &found.environments,
            &found.notes,
            &["postgres-production".to_string()],
        );
        for secret in [
            "example-only",
            "hunter2-staging",
            "s3cret-prod",
            "db.internal",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(
            text.contains("password = { env = \"PG_PASSWORD\" }"),
            "{text}"
        );
        assert!(
            text.contains("url = { dotenv = \".env.staging\", key = \"DATABASE_URL\" }"),
            "{text}"
        );
        assert!(
            text.contains("user = { dotenv = \".env.example\", key = \"DB_USER\" }"),
            "{text}"
        );
        let parsed = crate::config::Config::parse(&crate::base::diagnostic::SourceFile::new(
            "preflight.toml",
            &text,
        ))
        .expect("the file written is valid");
        assert_eq!(parsed.environments.len(), 3);
    }

    #[test]
    fn without_anything_production_reads_the_guides_variables() {
        let dir = tempfile::tempdir().expect("dir");
        let found = discover(dir.path(), &EnvVars::default());
        assert_eq!(found.environments.len(), 1);
        assert_eq!(found.environments[0].origin, Origin::Convention);
        assert!(
            found.environments[0]
                .describe()
                .contains("none is set here yet")
        );
    }
}
