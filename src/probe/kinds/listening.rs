//! `listening`: the machine's listening TCP sockets on the given ports are not bound to
//! a wildcard address (`0.0.0.0`, `::`, `::ffff:0.0.0.0`).
//!
//! It reads the kernel's socket tables (`/proc/net/tcp` and `/proc/net/tcp6`), so a
//! socket is seen even when its owning process is not visible to us (another user, a
//! container runtime); the process is named when `/proc/<pid>/fd` shows it. Linux
//! only; elsewhere the probe is `skipped`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;

use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::compose::published_host_ports;
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::system::postgres;

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "listening",
    summary: "Listening TCP sockets on the given ports are not bound to a wildcard address (read from the kernel's tables).",
    params: &[ParamSpec {
        name: "ports",
        ty: ParamType::IntegerList,
        required: false,
        default: None,
        doc: "Ports to look at [default: the production environment's port (5432 if unset) and the ports published in Compose files].",
    }],
    build: |p| Ok(Arc::new(ListeningProbe::from_params(p)?)),
};

/// One listening socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// Local address.
    pub address: IpAddr,
    /// Local port.
    pub port: u16,
    /// Socket inode, to find the owning process.
    pub inode: u64,
}

impl Listener {
    /// Whether it accepts connections on every interface.
    pub fn is_wildcard(&self) -> bool {
        match self.address {
            IpAddr::V4(a) => a.is_unspecified(),
            IpAddr::V6(a) => {
                a.is_unspecified() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_unspecified())
            }
        }
    }
}

/// Parses a `/proc/net/tcp` or `tcp6` table, keeping sockets in the LISTEN state.
pub fn parse_table(text: &str) -> Vec<Listener> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            if fields.len() < 10 || fields[3] != "0A" {
                return None;
            }
            let (addr, port) = fields[1].split_once(':')?;
            Some(Listener {
                address: parse_address(addr)?,
                port: u16::from_str_radix(port, 16).ok()?,
                inode: fields[9].parse().ok()?,
            })
        })
        .collect()
}

/// The kernel prints addresses as 32-bit words in host byte order (little-endian on
/// every platform Linux preflight runs on).
fn parse_address(hex: &str) -> Option<IpAddr> {
    let words: Vec<u32> = (0..hex.len() / 8)
        .map(|i| u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16).map(u32::swap_bytes))
        .collect::<Result<_, _>>()
        .ok()?;
    match words.as_slice() {
        [a] => Some(IpAddr::V4(Ipv4Addr::from(*a))),
        [a, b, c, d] => {
            let mut bytes = [0u8; 16];
            for (i, w) in [a, b, c, d].iter().enumerate() {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
            }
            Some(IpAddr::V6(Ipv6Addr::from(bytes)))
        }
        _ => None,
    }
}

/// Socket inode → (pid, process name), for the processes whose descriptors we can read.
fn owners(inodes: &[u64]) -> HashMap<u64, (u32, String)> {
    let mut found = HashMap::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(link) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let link = link.to_string_lossy();
            if let Some(inode) = link
                .strip_prefix("socket:[")
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.parse::<u64>().ok())
                && inodes.contains(&inode)
            {
                let name = std::fs::read_to_string(entry.path().join("comm"))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_else(|_| "?".into());
                found.insert(inode, (pid, name));
            }
        }
    }
    found
}

/// The configured probe.
#[derive(Debug)]
pub struct ListeningProbe {
    ports: Option<Vec<u16>>,
}

impl ListeningProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let ports = p.port_list("ports")?;
        Ok(ListeningProbe { ports })
    }

    fn ports(&self, ctx: &ProbeContext) -> Vec<u16> {
        if let Some(ports) = &self.ports {
            return ports.clone();
        }
        let env_port = ctx
            .environment_blocking("production")
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

impl BlockingProbe for ListeningProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let tables = [Path::new("/proc/net/tcp"), Path::new("/proc/net/tcp6")];
        if !tables[0].exists() {
            return ProbeOutcome::skipped(
                "the kernel's socket tables (/proc/net/tcp) are Linux only",
            );
        }
        let mut listeners = Vec::new();
        for table in tables {
            match std::fs::read_to_string(table) {
                Ok(text) => listeners.extend(parse_table(&text)),
                Err(e) if table.ends_with("tcp6") && e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return ProbeOutcome::error(format!("cannot read {}: {e}", table.display()));
                }
            }
        }
        let ports = self.ports(ctx);
        let watched: Vec<&Listener> = listeners
            .iter()
            .filter(|l| ports.contains(&l.port))
            .collect();
        let inodes: Vec<u64> = watched.iter().map(|l| l.inode).collect();
        let owners = owners(&inodes);
        let describe = |l: &Listener| {
            let address = match l.address {
                IpAddr::V6(a) => format!("[{a}]:{}", l.port),
                IpAddr::V4(a) => format!("{a}:{}", l.port),
            };
            let owner = match owners.get(&l.inode) {
                Some((pid, name)) => format!("{name}, pid {pid}"),
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
            ProbeOutcome::pass(format!("nothing listens on ports {port_list}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_kernel_tables() {
        let v4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 4242 1 0000000000000000 100 0 0 10 0\n\
   1: 00000000:1542 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 0\n\
   2: 0100007F:D2F4 0100007F:1538 01 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0\n";
        let l = parse_table(v4);
        assert_eq!(l.len(), 2, "established sockets are not listeners");
        assert_eq!(
            (l[0].address.to_string(), l[0].port, l[0].is_wildcard()),
            ("127.0.0.1".into(), 5432, false)
        );
        assert_eq!(
            (l[1].address.to_string(), l[1].port, l[1].is_wildcard()),
            ("0.0.0.0".into(), 5442, true)
        );
        let v6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 00000000000000000000000000000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0\n\
   1: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5556 1 0000000000000000 100 0 0 10 0\n\
   2: 0000000000000000FFFF000000000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5557 1 0000000000000000 100 0 0 10 0\n";
        let l = parse_table(v6);
        assert_eq!(l[0].address.to_string(), "::");
        assert!(l[0].is_wildcard());
        assert_eq!(l[1].address.to_string(), "::1");
        assert!(!l[1].is_wildcard());
        assert_eq!(l[2].address.to_string(), "::ffff:0.0.0.0");
        assert!(l[2].is_wildcard());
    }
}
