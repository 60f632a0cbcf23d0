//! `compose-ports`: every port a Compose file publishes binds to loopback only.
//!
//! The deployment guide's blocker: `"5434:5432"` publishes PostgreSQL on every
//! interface. This probe reads every form Compose accepts (short and long syntax,
//! ranges, protocols, interpolation from `.env`, anchors and merge keys) and fails on
//! any binding reachable from the network, and on `network_mode: host`.

use std::sync::Arc;

use crate::base::pathglob::PathGlobs;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::compose::{
    BindingError, FILES_PARAM, compose_files, evidence_at, read_binding,
};
use crate::probe::shared::{holds_secret, plural};
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::system::compose::ports::{Exposure, PortBinding};
use crate::system::compose::{ComposeFile, Data, Node, Service, items, scalar_text};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "compose-ports",
    summary: "Every port published in the project's Compose files binds to loopback only.",
    params: &[
        FILES_PARAM,
        ParamSpec {
            name: "services",
            ty: ParamType::StringList,
            required: false,
            default: None,
            doc: "Only check these services.",
        },
        ParamSpec {
            name: "container_ports",
            ty: ParamType::IntegerList,
            required: false,
            default: None,
            doc: "Only check bindings whose container port is one of these, e.g. [5432].",
        },
        ParamSpec {
            name: "scope",
            ty: ParamType::String,
            required: false,
            default: Some("\"all\""),
            doc: "Which published ports: `all`, `databases` (a database's port, or any port of a service running a database image: PostgreSQL, MySQL, MariaDB, MongoDB, Redis, ...) or `others` (everything else).",
        },
    ],
    build: |p| Ok(Arc::new(ComposePortsProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct ComposePortsProbe {
    files: PathGlobs,
    services: Option<Vec<String>>,
    container_ports: Option<Vec<u16>>,
    scope: Scope,
}

/// Which published ports a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    All,
    Databases,
    Others,
}

/// Container ports of databases and caches, by their defaults.
const DATABASE_PORTS: &[u16] = &[
    5432, 5433, 3306, 33060, 27017, 27018, 6379, 1433, 1521, 9042, 26257, 5984, 11211, 9200, 8123,
    7687,
];

/// Image names (the last path part, before the tag) of databases and caches.
const DATABASE_IMAGES: &[&str] = &[
    "postgres",
    "postgis",
    "timescaledb",
    "pgvector",
    "mysql",
    "mariadb",
    "percona",
    "mongo",
    "redis",
    "valkey",
    "keydb",
    "mssql",
    "oracle",
    "cassandra",
    "cockroach",
    "couchdb",
    "memcached",
    "elasticsearch",
    "opensearch",
    "clickhouse",
    "neo4j",
    "influxdb",
    "supabase",
];

/// Whether a service runs a database image (`postgres:16`, `bitnami/postgresql`,
/// `mcr.microsoft.com/mssql/server`, `${DB_IMAGE}` resolved).
fn runs_database_image(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    let name = lower.split([':', '@']).next().unwrap_or(&lower);
    name.split('/')
        .any(|part| DATABASE_IMAGES.iter().any(|db| part.starts_with(db)))
}

impl ComposePortsProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let files = p.globs_or_default("files")?;
        let container_ports = p.port_list("container_ports")?;
        let scope = match p.string_or_default("scope")? {
            "all" => Scope::All,
            "databases" => Scope::Databases,
            "others" => Scope::Others,
            other => {
                return Err(ParamError::new(
                    "scope",
                    format!("`{other}` is not a scope (expected all, databases or others)"),
                ));
            }
        };
        Ok(ComposePortsProbe {
            files,
            services: p.string_list("services")?,
            container_ports,
            scope,
        })
    }

    fn wants_service(&self, name: &str) -> bool {
        self.services
            .as_ref()
            .is_none_or(|s| s.iter().any(|n| n == name))
    }

    /// Whether something of a database (or not) is in the scope.
    fn in_scope(&self, database: bool) -> bool {
        match self.scope {
            Scope::All => true,
            Scope::Databases => database,
            Scope::Others => !database,
        }
    }

    fn wants_binding(&self, binding: &PortBinding, database_service: bool) -> bool {
        self.in_scope(database_service || DATABASE_PORTS.iter().any(|p| binding.targets(*p)))
            && self
                .container_ports
                .as_ref()
                .is_none_or(|ports| ports.iter().any(|p| binding.targets(*p)))
    }
}

/// What one Compose file revealed.
#[derive(Default)]
struct Findings {
    exposed: Vec<Evidence>,
    safe: Vec<Evidence>,
    errors: Vec<Evidence>,
    services: usize,
}

impl BlockingProbe for ComposePortsProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let loaded = match compose_files(ctx, &self.files) {
            Ok(loaded) => loaded,
            Err(skipped) => return skipped,
        };
        let mut findings = Findings::default();
        for file in &loaded {
            match file {
                Ok(file) => self.inspect(file, &mut findings),
                Err(e) => findings.errors.push(Evidence::note(e.to_string())),
            }
        }
        let files = loaded.len();
        let Findings {
            exposed,
            safe,
            errors,
            services,
        } = findings;
        let scope = format!(
            "{files} Compose file{}, {services} service{}",
            plural(files),
            plural(services)
        );
        if !exposed.is_empty() {
            let n = exposed.len();
            ProbeOutcome::fail(format!(
                "{n} {}{} reachable from the network ({scope})",
                self.what(),
                plural(n)
            ))
            .with_evidence(exposed)
            .with_evidence(errors)
            .with_evidence(safe)
        } else if !errors.is_empty() {
            ProbeOutcome::error(format!("could not read every Compose file ({scope})"))
                .with_evidence(errors)
                .with_evidence(safe)
        } else if services == 0 {
            ProbeOutcome::skipped(format!("the Compose files define no service ({scope})"))
        } else if safe.is_empty() {
            ProbeOutcome::pass(format!("no {}s ({scope})", self.what()))
        } else {
            let n = safe.len();
            ProbeOutcome::pass(format!(
                "{} {n} {}{} bind{} to loopback ({scope})",
                if n == 1 { "the" } else { "all" },
                self.what(),
                plural(n),
                if n == 1 { "s" } else { "" }
            ))
            .with_evidence(safe)
        }
    }
}

impl ComposePortsProbe {
    /// The service's image, its variables resolved.
    fn image_of(&self, file: &ComposeFile, service: &Service) -> String {
        service
            .get("image")
            .and_then(scalar_text)
            .map(|written| file.variables.interpolate(&written).unwrap_or(written))
            .unwrap_or_default()
    }

    /// The ports looked at, in words.
    fn what(&self) -> &'static str {
        match self.scope {
            Scope::All => "published port",
            Scope::Databases => "published database port",
            Scope::Others => "published non-database port",
        }
    }

    fn inspect(&self, file: &ComposeFile, out: &mut Findings) {
        for service in file.services.iter().filter(|s| self.wants_service(&s.name)) {
            out.services += 1;
            let database = runs_database_image(&self.image_of(file, service));
            if let Some(mode) = service
                .get("network_mode")
                .filter(|_| self.in_scope(database))
            {
                let written = scalar_text(mode).unwrap_or_default();
                match file.variables.interpolate(&written) {
                    Ok(resolved) if resolved == "host" => {
                        out.exposed.push(evidence_at(
                            file,
                            mode,
                            format!("service `{}`: network_mode: host shares the host's network, exposing every port it listens on", service.name),
                        ).failing());
                    }
                    Ok(_) => {}
                    Err(e) => {
                        out.errors
                            .push(at(file, mode, format!("service `{}`: {e}", service.name)))
                    }
                }
            }
            if let Some(ports) = service.get("ports") {
                if matches!(ports.data, Data::Seq(_) | Data::Null) {
                    for entry in items(ports) {
                        self.inspect_port(file, service, database, entry, out);
                    }
                } else {
                    // Compose refuses this file; it is not "no ports".
                    out.errors.push(at(
                        file,
                        ports,
                        format!("service `{}`: `ports` must be a list", service.name),
                    ));
                }
            }
        }
    }

    fn inspect_port(
        &self,
        file: &ComposeFile,
        service: &Service,
        database: bool,
        entry: &Node,
        out: &mut Findings,
    ) {
        let (written, binding) = match read_binding(file, entry) {
            Ok(pair) => pair,
            Err(message) => {
                // A port resolved from variables: the entry as written first, since
                // what was resolved may be masked.
                let written = match (&message, scalar_text(entry)) {
                    (BindingError::Spec(_), Some(text)) if text.contains('$') => {
                        format!("\"{text}\": ")
                    }
                    _ => String::new(),
                };
                out.errors.push(at(
                    file,
                    entry,
                    format!("service `{}`: {written}{message}", service.name),
                ));
                return;
            }
        };
        if !self.wants_binding(&binding, database) {
            return;
        }
        let resolved = binding.to_string();
        let shown = if written == resolved {
            written.clone()
        } else if holds_secret(&resolved) {
            format!("{written} (resolved value hidden: it holds a secret)")
        } else {
            format!("{written} → {resolved}")
        };
        let evidence = |verdict: &str| {
            at(
                file,
                entry,
                format!("service `{}`: {shown} ({verdict})", service.name),
            )
        };
        match binding.exposure() {
            Exposure::Loopback => out.safe.push(evidence("loopback only").passing()),
            Exposure::AllInterfaces => out
                .exposed
                .push(evidence("all interfaces: bind it to 127.0.0.1").failing()),
            Exposure::Address(ip) => out
                .exposed
                .push(evidence(&format!("reachable on {ip}, not loopback")).failing()),
        }
    }
}

fn at(file: &ComposeFile, node: &Node, message: String) -> Evidence {
    evidence_at(file, node, message)
}
