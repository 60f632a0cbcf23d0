//! `compose-ports`: every port a Compose file publishes binds to loopback only.
//!
//! The deployment guide's blocker: `"5434:5432"` publishes PostgreSQL on every
//! interface. This probe reads every form Compose accepts (short and long syntax,
//! ranges, protocols, interpolation from `.env`, anchors and merge keys) and fails on
//! any binding reachable from the network, and on `network_mode: host`.

use std::sync::Arc;

use super::catalog::KindInfo;
use super::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::compose::ports::{Exposure, PortBinding};
use crate::compose::{self, ComposeFile, Node, Service, get, items, position, scalar_text};
use crate::pathglob::PathGlobs;

/// `files`: which Compose files to read, shared by the Compose probe kinds.
pub const FILES_PARAM: ParamSpec = ParamSpec {
    name: "files",
    ty: ParamType::StringList,
    required: false,
    default: Some("[\"docker-compose*.y*ml\", \"compose*.y*ml\"]"),
    doc: "Compose files to read, searched recursively (git-ignored folders are skipped).",
};

/// The Compose files matching `globs`, parsed, with the ones that could not be read as
/// evidence; `skipped` when nothing matches.
pub fn load_compose_files(
    ctx: &ProbeContext,
    globs: &PathGlobs,
) -> Result<(Vec<ComposeFile>, Vec<Evidence>), ProbeOutcome> {
    let (files, errors) = compose::load_matching(&ctx.project_dir, globs, &ctx.vars);
    if files.is_empty() && errors.is_empty() {
        return Err(ProbeOutcome::skipped(format!(
            "no Compose files match {}",
            globs.describe()
        )));
    }
    Ok((
        files,
        errors
            .iter()
            .map(|e| Evidence::note(e.to_string()))
            .collect(),
    ))
}

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
    ],
    build: |p| Ok(Arc::new(ComposePortsProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct ComposePortsProbe {
    files: PathGlobs,
    services: Option<Vec<String>>,
    container_ports: Option<Vec<u16>>,
}

impl ComposePortsProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let files = p.globs("files", compose::DEFAULT_FILES)?;
        let container_ports = p.port_list("container_ports")?;
        Ok(ComposePortsProbe {
            files,
            services: p.string_list("services")?,
            container_ports,
        })
    }

    fn wants_service(&self, name: &str) -> bool {
        self.services
            .as_ref()
            .is_none_or(|s| s.iter().any(|n| n == name))
    }

    fn wants_binding(&self, binding: &PortBinding) -> bool {
        self.container_ports
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
        let paths = compose::discover(&ctx.project_dir, &self.files);
        if paths.is_empty() {
            return ProbeOutcome::skipped(format!(
                "no Compose files match {}",
                self.files.describe()
            ));
        }
        let mut findings = Findings::default();
        for path in &paths {
            match compose::load(&ctx.project_dir, path, &ctx.vars) {
                Ok(file) => self.inspect(&file, &mut findings),
                Err(e) => findings.errors.push(Evidence::note(e.to_string())),
            }
        }
        let files = paths.len();
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
                "{n} published port{} reachable from the network ({scope})",
                plural(n)
            ))
            .with_evidence(exposed)
            .with_evidence(errors)
            .with_evidence(safe)
        } else if !errors.is_empty() {
            ProbeOutcome::error(format!("could not read every Compose file ({scope})"))
                .with_evidence(errors)
                .with_evidence(safe)
        } else if safe.is_empty() {
            ProbeOutcome::pass(format!("no published ports ({scope})"))
        } else {
            let n = safe.len();
            ProbeOutcome::pass(format!(
                "all {n} published port{} bind to loopback ({scope})",
                plural(n)
            ))
            .with_evidence(safe)
        }
    }
}

impl ComposePortsProbe {
    fn inspect(&self, file: &ComposeFile, out: &mut Findings) {
        for service in file.services.iter().filter(|s| self.wants_service(&s.name)) {
            out.services += 1;
            if let Some(mode) = service.get("network_mode") {
                let written = scalar_text(mode).unwrap_or_default();
                match file.variables.interpolate(&written) {
                    Ok(resolved) if resolved == "host" => {
                        let (line, col) = position(mode);
                        out.exposed.push(Evidence::at(
                            &file.file,
                            line,
                            col,
                            format!("service `{}`: network_mode: host shares the host's network, exposing every port it listens on", service.name),
                        ));
                    }
                    Ok(_) => {}
                    Err(e) => {
                        out.errors
                            .push(at(file, mode, format!("service `{}`: {e}", service.name)))
                    }
                }
            }
            if let Some(ports) = service.get("ports") {
                for entry in items(ports) {
                    self.inspect_port(file, service, entry, out);
                }
            }
        }
    }

    fn inspect_port(
        &self,
        file: &ComposeFile,
        service: &Service,
        entry: &Node,
        out: &mut Findings,
    ) {
        let (written, binding) = match read_binding(file, entry) {
            Ok(pair) => pair,
            Err(message) => {
                out.errors.push(at(
                    file,
                    entry,
                    format!("service `{}`: {message}", service.name),
                ));
                return;
            }
        };
        if !self.wants_binding(&binding) {
            return;
        }
        let shown = if written == binding.to_string() {
            written.clone()
        } else {
            format!("{written} → {binding}")
        };
        let evidence = |verdict: &str| {
            at(
                file,
                entry,
                format!("service `{}`: {shown} ({verdict})", service.name),
            )
        };
        match binding.exposure() {
            Exposure::Loopback => out.safe.push(evidence("loopback only")),
            Exposure::AllInterfaces => out
                .exposed
                .push(evidence("all interfaces: bind it to 127.0.0.1")),
            Exposure::Address(ip) => out
                .exposed
                .push(evidence(&format!("reachable on {ip}, not loopback"))),
        }
    }
}

/// The host ports published by the project's Compose files (default file names),
/// for probes that look at what is actually listening. Unreadable files are skipped.
pub fn published_host_ports(ctx: &ProbeContext) -> Vec<u16> {
    let patterns: Vec<String> = compose::DEFAULT_FILES
        .iter()
        .map(|s| s.to_string())
        .collect();
    let Ok(globs) = PathGlobs::new(&patterns) else {
        return Vec::new();
    };
    let mut ports = Vec::new();
    for path in compose::discover(&ctx.project_dir, &globs) {
        let Ok(file) = compose::load(&ctx.project_dir, &path, &ctx.vars) else {
            continue;
        };
        for service in &file.services {
            for entry in service.get("ports").map(items).into_iter().flatten() {
                if let Ok((_, binding)) = read_binding(&file, entry)
                    && let Some(published) = &binding.published
                {
                    // A range publishes each of its ports; its first one is enough to look at.
                    let first = published.split('-').next().unwrap_or_default();
                    if let Ok(port) = first.trim().parse::<u16>() {
                        ports.push(port);
                    }
                }
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Reads one entry of `ports:`; returns it as written and resolved.
fn read_binding(file: &ComposeFile, entry: &Node) -> Result<(String, PortBinding), String> {
    let interpolate = |text: String| file.variables.interpolate(&text).map_err(|e| e.to_string());
    if let Some(text) = scalar_text(entry) {
        let resolved = interpolate(text.clone())?;
        let binding = PortBinding::parse_short(&resolved)?;
        return Ok((format!("\"{text}\""), binding));
    }
    if compose::get(entry, "target").is_none() {
        return Err("a long-syntax port needs `target`".into());
    }
    let field = |key: &str| -> Result<Option<(String, String)>, String> {
        match get(entry, key).and_then(scalar_text) {
            None => Ok(None),
            Some(text) => Ok(Some((text.clone(), interpolate(text)?))),
        }
    };
    let target = field("target")?.unwrap_or_default();
    let published = field("published")?;
    let host_ip = field("host_ip")?;
    let protocol = field("protocol")?;
    let mode = field("mode")?;
    let mut written = vec![format!("target: {}", target.0)];
    for (name, value) in [
        ("published", &published),
        ("host_ip", &host_ip),
        ("protocol", &protocol),
        ("mode", &mode),
    ] {
        if let Some((text, _)) = value {
            written.push(format!("{name}: {text}"));
        }
    }
    let binding = PortBinding {
        host_ip: host_ip.map(|v| v.1).filter(|s| !s.is_empty()),
        published: published.map(|v| v.1).filter(|s| !s.is_empty()),
        target: target.1,
        protocol: protocol.map_or_else(|| "tcp".to_string(), |v| v.1.to_ascii_lowercase()),
        mode: mode.map(|v| v.1),
    };
    binding.validate()?;
    Ok((format!("{{ {} }}", written.join(", ")), binding))
}

fn at(file: &ComposeFile, node: &Node, message: String) -> Evidence {
    let (line, col) = position(node);
    Evidence::at(&file.file, line, col, message)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
