//! `reachable`: a TCP connection to `port` at each address succeeds, or with
//! `expect = "unreachable"` fails: the guide's "should fail from the machine's IP,
//! succeed from 127.0.0.1". `"auto"` stands for this machine's non-loopback interface
//! addresses, or the comma-separated addresses in `PREFLIGHT_AUTO_ADDRESSES` when it is
//! set (where interface addresses are not the ones the network sees, e.g. in a
//! container). The probe connects only to addresses the checklist names, that
//! variable names, or this machine's own.
//!
//! Addresses of this machine (auto, loopback, its interfaces) say something about the
//! database only on the database host: elsewhere, and where that cannot be told, the
//! probe is `skipped` rather than pass because nothing answers ([`host`]).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::context::EnvironmentChoice;
use crate::probe::shared::host::{self, AUTO_ADDRESSES, DatabaseHost};
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};
use crate::system::net;

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "reachable",
    summary: "A TCP port is reachable (or, with expect = \"unreachable\", not) at the given addresses.",
    params: &[
        ParamSpec {
            name: "port",
            ty: ParamType::Integer,
            required: true,
            default: None,
            doc: "The TCP port.",
        },
        ParamSpec {
            name: "addresses",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"auto\"]"),
            doc: "IP addresses or host names; \"auto\" means this machine's non-loopback interface addresses.",
        },
        ParamSpec {
            name: "expect",
            ty: ParamType::Choice(&["reachable", "unreachable"]),
            required: false,
            default: Some("\"reachable\""),
            doc: "Whether connections must succeed or fail.",
        },
        ParamSpec {
            name: "environment",
            ty: ParamType::String,
            required: false,
            default: None,
            doc: "The environment whose host must be this machine for addresses of this machine to be tried [default: the run's environment: `--env`, production unless given]",
        },
        ParamSpec {
            name: "connect_timeout",
            ty: ParamType::Duration,
            required: false,
            default: Some("\"1s\""),
            doc: "How long one connection attempt may take; no answer counts as unreachable.",
        },
    ],
    build: |p| Ok(Arc::new(ReachableProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct ReachableProbe {
    port: u16,
    addresses: Vec<String>,
    reachable: bool,
    environment: EnvironmentChoice,
    connect_timeout: Duration,
}

impl ReachableProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let port = p.integer_or_default("port")?;
        let port = u16::try_from(port)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| ParamError::new("port", format!("{port} is not a port number")))?;
        let addresses = p.string_list_or_default("addresses")?;
        if addresses.is_empty() {
            return Err(ParamError::new("addresses", "names no address"));
        }
        Ok(ReachableProbe {
            port,
            addresses,
            reachable: p.string_or_default("expect")? == "reachable",
            environment: EnvironmentChoice::from_params(p)?,
            connect_timeout: p.duration_or_default("connect_timeout")?,
        })
    }

    /// The addresses to try, with `auto` expanded.
    async fn targets(&self, ctx: &ProbeContext) -> Result<Vec<(String, SocketAddr)>, String> {
        let mut out = Vec::new();
        let auto_override = ctx.vars.get(AUTO_ADDRESSES).map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
        let mut names = Vec::new();
        for a in &self.addresses {
            match (a.as_str(), &auto_override) {
                ("auto", Some(list)) => names.extend(list.iter().cloned()),
                _ => names.push(a.clone()),
            }
        }
        for a in &names {
            if a == "auto" {
                let addresses = net::machine_addresses()
                    .map_err(|e| format!("cannot list this machine's interfaces: {e}"))?;
                for (ip, interface) in addresses {
                    out.push((
                        format!("{ip} ({interface})"),
                        SocketAddr::new(ip, self.port),
                    ));
                }
            } else if let Ok(ip) = a.parse::<IpAddr>() {
                out.push((ip.to_string(), SocketAddr::new(ip, self.port)));
            } else {
                let resolved = net::resolve(a, self.port, self.connect_timeout)
                    .await
                    .map_err(|e| e.to_string())?;
                out.extend(
                    resolved
                        .into_iter()
                        .map(|s| (format!("{a} ({})", s.ip()), s)),
                );
            }
        }
        Ok(out)
    }

    async fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let targets = match self.targets(ctx).await {
            Ok(t) => t,
            Err(e) => return ProbeOutcome::error(e),
        };
        if targets.is_empty() {
            return ProbeOutcome::skipped("this machine has no non-loopback address to try");
        }
        // About this machine, the answer means something only on the database host.
        if targets
            .iter()
            .any(|(_, a)| host::is_this_machine(ctx, a.ip()))
        {
            let here =
                host::database_host(ctx, self.environment.name(ctx), self.connect_timeout).await;
            if let Some(why) = here.not_here(self.environment.name(ctx)) {
                return ProbeOutcome::skipped(why);
            }
            if let DatabaseHost::Here { host } = &here
                && !self.reachable
                && !listens_here(ctx, self.port)
            {
                // Unreachable because nothing runs is no evidence of a firewall.
                return ProbeOutcome::skipped(format!(
                    "nothing listens on port {} on this machine, the database host ({host}): is the database running?",
                    self.port
                ));
            }
        }
        let mut wrong = Vec::new();
        let mut right = Vec::new();
        for (label, addr) in &targets {
            let connected = net::tcp_connects(*addr, self.connect_timeout).await;
            let text = format!(
                "{label} port {}: {}",
                self.port,
                if connected {
                    "reachable"
                } else {
                    "unreachable"
                }
            );
            if connected == self.reachable {
                right.push(Evidence::note(text));
            } else {
                wrong.push(Evidence::note(text));
            }
        }
        let expected = if self.reachable {
            "reachable"
        } else {
            "unreachable"
        };
        if wrong.is_empty() {
            ProbeOutcome::pass(format!(
                "port {} is {expected} at {}",
                self.port,
                crate::probe::shared::every(targets.len(), "address", "addresses")
            ))
            .with_evidence(right)
        } else {
            ProbeOutcome::fail(format!(
                "port {} should be {expected} but is not at {} of {} address{}",
                self.port,
                wrong.len(),
                targets.len(),
                if targets.len() == 1 { "" } else { "es" }
            ))
            .with_evidence(wrong)
            .with_evidence(right)
        }
    }
}

/// Whether some socket of this machine listens on `port` (any address); unknown counts
/// as yes, so that the connections decide.
fn listens_here(ctx: &ProbeContext, port: u16) -> bool {
    ctx.sockets
        .listening()
        .map_or(true, |all| all.iter().any(|l| l.port == port))
}

impl Probe for ReachableProbe {
    fn environment<'a>(&'a self, ctx: &'a ProbeContext) -> Option<&'a str> {
        // Only addresses of this machine are about the database host.
        let about_here = self
            .addresses
            .iter()
            .any(|a| a == "auto" || a.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()));
        about_here.then(|| self.environment.name(ctx))
    }

    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move { self.check(&ctx).await })
    }
}
