//! `listening`: the machine's listening TCP sockets on the given ports are not bound to
//! a wildcard address (`0.0.0.0`, `::`, `::ffff:0.0.0.0`).
//!
//! The sockets come from the kernel's tables ([`crate::system::net::listening_tcp`]),
//! so a socket is seen even when its owning process is not visible to us (another user,
//! a container runtime); the process is named when it can be. Linux only; elsewhere
//! the probe is `skipped`.
//!
//! With its default ports the probe is about the database host, so it runs only where
//! the environment's host is this machine; elsewhere, or when that cannot be told, it
//! is `skipped` ([`host`]). Nothing listening is no evidence either way: `skipped`.

use std::net::IpAddr;
use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::context::EnvironmentChoice;
use crate::probe::shared::compose::published_host_ports;
use crate::probe::shared::host;
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome, on_blocking_pool};
use crate::system::net::{Listener, SocketOwner, SocketTableError};
use crate::system::postgres;

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "listening",
    summary: "Listening TCP sockets on the given ports are not bound to a wildcard address (read from the kernel's tables).",
    params: &[
        ParamSpec {
            name: "ports",
            ty: ParamType::IntegerList,
            required: false,
            default: None,
            doc: "Ports to look at [default: the environment's port (5432 if unset) and the ports published in Compose files; then the probe runs only on the database host].",
        },
        ParamSpec {
            name: "environment",
            ty: ParamType::String,
            required: false,
            default: None,
            doc: "The environment whose database host this machine must be (for the default ports) [default: the run's environment: `--env`, production unless given]",
        },
    ],
    build: |p| Ok(Arc::new(ListeningProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct ListeningProbe {
    ports: Option<Vec<u16>>,
    environment: EnvironmentChoice,
}

impl ListeningProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let ports = p.port_list("ports")?;
        Ok(ListeningProbe {
            ports,
            environment: EnvironmentChoice::from_params(p)?,
        })
    }

    fn ports(&self, ctx: &ProbeContext) -> Vec<u16> {
        if let Some(ports) = &self.ports {
            return ports.clone();
        }
        let env_port = ctx
            .environment_blocking(self.environment.name(ctx))
            .ok()
            .and_then(|env| env.port)
            .unwrap_or(postgres::DEFAULT_PORT);
        let mut ports = published_host_ports(ctx);
        ports.push(env_port);
        ports.sort_unstable();
        ports.dedup();
        ports
    }
}

impl Probe for ListeningProbe {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        on_blocking_pool(self, ctx, Self::check)
    }

    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        // Only the default ports are the database host's.
        self.ports.is_none().then(|| self.environment.name(ctx))
    }
}

impl ListeningProbe {
    /// The check, on the blocking pool (see [`Probe::run`]).
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        // Whether this machine is the database host first: the kernel's tables are
        // read only where they are evidence.
        if self.ports.is_none() {
            let here = match tokio::runtime::Handle::try_current() {
                Ok(handle) => handle.block_on(host::database_host(
                    ctx,
                    self.environment.name(ctx),
                    std::time::Duration::from_secs(2),
                )),
                Err(_) => host::DatabaseHost::Unknown("no runtime to resolve it".to_string()),
            };
            if let Some(why) = here.not_here(self.environment.name(ctx)) {
                return ProbeOutcome::skipped(why);
            }
        }
        let listeners = match ctx.sockets.listening() {
            Ok(listeners) => listeners,
            Err(e) if matches!(*e, SocketTableError::NotLinux) => {
                return ProbeOutcome::skipped(e.to_string());
            }
            Err(e) => return ProbeOutcome::error(e.to_string()),
        };
        let ports = self.ports(ctx);
        let watched: Vec<&Listener> = listeners
            .iter()
            .filter(|l| ports.contains(&l.port))
            .collect();
        let owners = ctx.sockets.owners();
        let describe = |l: &Listener| {
            let address = match l.address {
                IpAddr::V6(a) => format!("[{a}]:{}", l.port),
                IpAddr::V4(a) => format!("{a}:{}", l.port),
            };
            let owner = match owners.get(&l.inode) {
                Some(SocketOwner { pid, name }) => format!("{name}, pid {pid}"),
                None => "process not visible to this user".to_string(),
            };
            (address, owner)
        };
        let mut wildcard = Vec::new();
        let mut fine = Vec::new();
        for l in &watched {
            let (address, owner) = describe(l);
            if l.is_wildcard() {
                wildcard.push(Evidence::note(format!(
                    "{address} listens on every interface ({owner}): bind it to 127.0.0.1 or a private address"
                )));
            } else {
                fine.push(Evidence::note(format!("{address} ({owner})")));
            }
        }
        let port_list = ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        if !wildcard.is_empty() {
            ProbeOutcome::fail(format!(
                "{} listening socket{} on a wildcard address (ports {port_list})",
                wildcard.len(),
                if wildcard.len() == 1 { "" } else { "s" }
            ))
            .with_evidence(wildcard)
            .with_evidence(fine)
        } else if fine.is_empty() {
            ProbeOutcome::skipped(format!(
                "nothing listens on ports {port_list} on this machine: is the database running here?"
            ))
        } else {
            ProbeOutcome::pass(format!(
                "{} listening socket{} on ports {port_list}, none on a wildcard address",
                fine.len(),
                if fine.len() == 1 { "" } else { "s" }
            ))
            .with_evidence(fine)
        }
    }
}
