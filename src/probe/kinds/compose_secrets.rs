//! `compose-secrets`: database services in Compose files take their password from a
//! Docker secret (`POSTGRES_PASSWORD_FILE` naming `/run/secrets/NAME`, with `NAME` in
//! the service's `secrets:`), never from `POSTGRES_PASSWORD` in `environment:` (list or
//! map form); other secret-like variables carry no literal value; production Compose
//! files declare their secrets `external`; and no `env_file:` points at a file git
//! tracks.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::base::pathglob::PathGlobs;
use crate::base::secret::{is_reference, is_secret_assignment};
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::compose::{FILES_PARAM, evidence_at, load_compose_files};
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::system::compose::{ComposeFile, Node, Service, entries, get, items, scalar_text};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "compose-secrets",
    summary: "Database services read their password from Docker secrets (POSTGRES_PASSWORD_FILE), no literal secret is in `environment:`, production secrets are external, no `env_file:` is tracked.",
    params: &[
        FILES_PARAM,
        ParamSpec {
            name: "production",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"*prod*.y*ml\"]"),
            doc: "Which of them are production files, whose secrets must be `external: true`.",
        },
    ],
    build: |p| Ok(Arc::new(ComposeSecretsProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct ComposeSecretsProbe {
    files: PathGlobs,
    production: PathGlobs,
}

impl ComposeSecretsProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(ComposeSecretsProbe {
            files: p.globs_or_default("files")?,
            production: p.globs_or_default("production")?,
        })
    }
}

/// `environment:` as (name, value as written, node), from either form.
fn environment(service: &Service) -> Vec<(String, Option<String>, &Node)> {
    let Some(env) = service.get("environment") else {
        return Vec::new();
    };
    let listed = items(env);
    if !listed.is_empty() {
        return listed
            .iter()
            .filter_map(|item| {
                let text = scalar_text(item)?;
                let (name, value) = match text.split_once('=') {
                    Some((n, v)) => (n.trim().to_string(), Some(v.to_string())),
                    None => (text.trim().to_string(), None),
                };
                Some((name, value, item))
            })
            .collect();
    }
    entries(env)
        .iter()
        .filter_map(|(k, v)| Some((scalar_text(k)?, scalar_text(v), v)))
        .collect()
}

fn is_database(service: &Service, env: &[(String, Option<String>, &Node)]) -> bool {
    let image = service
        .get("image")
        .and_then(scalar_text)
        .unwrap_or_default();
    let name = image.rsplit('/').next().unwrap_or_default();
    name.starts_with("postgres")
        || name.starts_with("postgis")
        || env.iter().any(|(n, _, _)| n.starts_with("POSTGRES_"))
}

/// The names in a service's `secrets:` (short `- name` or long `- source: name`).
fn service_secrets(service: &Service) -> BTreeSet<String> {
    service
        .get("secrets")
        .map(items)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| scalar_text(s).or_else(|| get(s, "source").and_then(scalar_text)))
        .collect()
}

/// The files of `env_file:` (a string, a list of strings, or a list of `{ path: ... }`).
fn env_files(service: &Service) -> Vec<(String, &Node)> {
    let Some(node) = service.get("env_file") else {
        return Vec::new();
    };
    if let Some(one) = scalar_text(node) {
        return vec![(one, node)];
    }
    items(node)
        .iter()
        .filter_map(|i| {
            Some((
                scalar_text(i).or_else(|| get(i, "path").and_then(scalar_text))?,
                i,
            ))
        })
        .collect()
}

#[derive(Default)]
struct Findings {
    bad: Vec<Evidence>,
    good: Vec<Evidence>,
    databases: usize,
}

impl ComposeSecretsProbe {
    fn inspect(&self, file: &ComposeFile, tracked: &BTreeSet<String>, f: &mut Findings) {
        let at = |node: &Node, message: String| evidence_at(file, node, message);
        for service in &file.services {
            let env = environment(service);
            let name = &service.name;
            for (var, value, node) in &env {
                let literal = value.as_deref().is_some_and(|v| !is_reference(v));
                if var == "POSTGRES_PASSWORD" {
                    let how = if literal {
                        "a literal value"
                    } else {
                        "a variable"
                    };
                    f.bad.push(at(node, format!(
                        "service `{name}`: POSTGRES_PASSWORD is set from {how} in `environment:`: use POSTGRES_PASSWORD_FILE=/run/secrets/NAME with `secrets: [NAME]`"
                    )));
                } else if let Some(v) = value.as_deref().filter(|_| literal)
                    && is_secret_assignment(var, v)
                {
                    f.bad.push(at(node, format!(
                        "service `{name}`: {var} has a literal value in `environment:`: read it from a secret or the environment"
                    )));
                }
            }
            if is_database(service, &env) {
                f.databases += 1;
                let declared = service_secrets(service);
                let file_var = env.iter().find(|(n, _, _)| n == "POSTGRES_PASSWORD_FILE");
                match file_var {
                    Some((_, Some(path), node)) => {
                        let secret = path.trim().strip_prefix("/run/secrets/").map(str::to_string);
                        match secret {
                            Some(s) if declared.contains(&s) => f.good.push(at(node, format!(
                                "service `{name}`: password from Docker secret `{s}`"
                            ))),
                            Some(s) => f.bad.push(at(node, format!(
                                "service `{name}`: POSTGRES_PASSWORD_FILE names secret `{s}`, which is not in the service's `secrets:`"
                            ))),
                            None => f.good.push(at(node, format!(
                                "service `{name}`: password from the file {path}"
                            ))),
                        }
                    }
                    _ if !env.iter().any(|(n, _, _)| n == "POSTGRES_PASSWORD") => f.bad.push(at(
                        &service.node,
                        format!("service `{name}`: a database service without POSTGRES_PASSWORD_FILE and a Docker secret"),
                    )),
                    _ => {}
                }
            }
            for (path, node) in env_files(service) {
                let base = std::path::Path::new(&file.file)
                    .parent()
                    .unwrap_or(std::path::Path::new(""));
                let rel = base.join(&path).to_string_lossy().replace('\\', "/");
                let rel = rel.trim_start_matches("./").to_string();
                if tracked.contains(&rel) {
                    f.bad.push(at(node, format!(
                        "service `{name}`: env_file {path} is tracked by git: keep it out of the repository"
                    )));
                }
            }
        }
        if self.production.is_match(&file.file)
            && let Some(secrets) = &file.secrets
        {
            for (key, value) in entries(secrets) {
                let secret = scalar_text(key).unwrap_or_default();
                let external = get(value, "external")
                    .and_then(scalar_text)
                    .is_some_and(|v| v == "true");
                if external {
                    f.good
                        .push(at(key, format!("secret `{secret}` is external")));
                } else {
                    f.bad.push(at(key, format!(
                        "secret `{secret}` in a production Compose file is not `external: true`: create it with `docker secret create` (from the vault) instead of a file"
                    )));
                }
            }
        }
    }
}

impl BlockingProbe for ComposeSecretsProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let (files, errors) = match load_compose_files(ctx, &self.files) {
            Ok(loaded) => loaded,
            Err(skipped) => return skipped,
        };
        // Outside a git repository nothing is tracked.
        let tracked: BTreeSet<String> = ctx
            .tracked_files()
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default();
        let mut f = Findings::default();
        for file in &files {
            self.inspect(file, &tracked, &mut f);
        }
        let scope = format!(
            "{} Compose file{}, {} database service{}",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            f.databases,
            if f.databases == 1 { "" } else { "s" }
        );
        if !f.bad.is_empty() {
            ProbeOutcome::fail(format!(
                "{} secret problem{} ({scope})",
                f.bad.len(),
                if f.bad.len() == 1 { "" } else { "s" }
            ))
            .with_evidence(f.bad.into_iter().chain(errors).chain(f.good))
        } else if !errors.is_empty() {
            ProbeOutcome::error(format!(
                "{} Compose file(s) could not be read",
                errors.len()
            ))
            .with_evidence(errors.into_iter().chain(f.good))
        } else if f.good.is_empty() && f.databases == 0 {
            ProbeOutcome::skipped(format!(
                "no database service and no secret-like setting ({scope})"
            ))
        } else {
            ProbeOutcome::pass(format!("secrets come from Docker secrets ({scope})"))
                .with_evidence(f.good)
        }
    }
}
