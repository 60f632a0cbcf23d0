//! Whether this machine is the database host: the probes that look at this machine's
//! own sockets (`listening`, `reachable` at its own addresses) mean something only
//! there. On a laptop or a CI runner they would pass (nothing listens) or fail (a test
//! database) about a machine that is not the one going to production.

use std::net::IpAddr;
use std::time::Duration;

use crate::probe::ProbeContext;
use crate::system::net;

/// The variable that names this machine's addresses as the network sees them, when
/// set: what `reachable`'s `"auto"` means, and more addresses that are this machine.
pub const AUTO_ADDRESSES: &str = "PREFLIGHT_AUTO_ADDRESSES";

/// What is known about where an environment's database runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseHost {
    /// Its host is this machine (it resolves to one of this machine's addresses).
    Here {
        /// The host as configured.
        host: String,
    },
    /// Its host is another machine.
    Elsewhere {
        /// The host as configured.
        host: String,
    },
    /// Not known: why (no host configured, the name does not resolve).
    Unknown(String),
}

impl DatabaseHost {
    /// Why a probe about this machine does not apply, or `None` when it does.
    pub fn not_here(&self, env: &str) -> Option<String> {
        match self {
            DatabaseHost::Here { .. } => None,
            DatabaseHost::Elsewhere { host } => Some(format!(
                "this machine is not the database host (`{env}` runs on {host}): run this check there"
            )),
            DatabaseHost::Unknown(why) => Some(format!(
                "cannot tell whether this machine is the database host ({why}): run this check on the database host, with its host configured"
            )),
        }
    }
}

/// Whether `ip` is one of this machine's addresses: loopback, an interface's, or one
/// named in `PREFLIGHT_AUTO_ADDRESSES` (the address the network sees, in a container).
pub fn is_this_machine(ctx: &ProbeContext, ip: IpAddr) -> bool {
    if ip.is_loopback() {
        return true;
    }
    let announced = ctx.vars.get(AUTO_ADDRESSES).is_some_and(|list| {
        list.split(',')
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .any(|a| a == ip)
    });
    announced
        || net::machine_addresses()
            .map(|addresses| addresses.iter().any(|(a, _)| *a == ip))
            .unwrap_or(false)
}

/// Where environment `env`'s database runs, as far as this machine can tell.
pub async fn database_host(ctx: &ProbeContext, env: &str, timeout: Duration) -> DatabaseHost {
    let host = match ctx.environment(env).await {
        Ok(resolved) => resolved.host,
        Err(e) => return DatabaseHost::Unknown(e.to_string()),
    };
    let Some(host) = host.filter(|h| !h.trim().is_empty()) else {
        return DatabaseHost::Unknown(format!("environment `{env}` has no host"));
    };
    // A Unix socket directory is this machine by definition.
    if host.starts_with('/') {
        return DatabaseHost::Here { host };
    }
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => match net::resolve(&host, 0, timeout).await {
            Ok(found) => found.into_iter().map(|s| s.ip()).collect(),
            Err(e) => return DatabaseHost::Unknown(e.to_string()),
        },
    };
    if addresses.iter().any(|ip| is_this_machine(ctx, *ip)) {
        DatabaseHost::Here { host }
    } else {
        DatabaseHost::Elsewhere { host }
    }
}
