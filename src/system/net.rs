//! The machine's network, as the kernel and the resolver see it: listening TCP sockets
//! and the processes that own them (from `/proc`, Linux only), this machine's
//! addresses, and name resolution and TCP connections, each under a time limit.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The kernel's socket tables could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SocketTableError {
    /// Not Linux: there is no `/proc/net/tcp`.
    #[error("the kernel's socket tables (/proc/net/tcp) are Linux only")]
    NotLinux,
    /// A table could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The table.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The process that owns a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketOwner {
    /// Its pid.
    pub pid: u32,
    /// Its command name (`comm`), `?` when unreadable.
    pub name: String,
}

/// Every listening TCP socket, IPv4 and IPv6, from `/proc/net/tcp` and `tcp6`.
pub fn listening_tcp() -> Result<Vec<Listener>, SocketTableError> {
    let tables = [Path::new("/proc/net/tcp"), Path::new("/proc/net/tcp6")];
    if !tables[0].exists() {
        return Err(SocketTableError::NotLinux);
    }
    let mut listeners = Vec::new();
    for table in tables {
        match std::fs::read_to_string(table) {
            Ok(text) => listeners.extend(parse_table(&text)),
            // A kernel without IPv6 has no tcp6 table.
            Err(e) if table.ends_with("tcp6") && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(SocketTableError::Read {
                    path: table.to_path_buf(),
                    source,
                });
            }
        }
    }
    Ok(listeners)
}

/// This machine's addresses other than loopback and link-local IPv6 (which needs a
/// scope to be reached), each with its interface's name.
pub fn machine_addresses() -> std::io::Result<Vec<(IpAddr, String)>> {
    Ok(if_addrs::get_if_addrs()?
        .into_iter()
        .filter(|i| !i.is_loopback())
        .filter(|i| !matches!(i.ip(), IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80))
        .map(|i| (i.ip(), i.name))
        .collect())
}

/// A name or address resolved to socket addresses, within `timeout`.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// No answer in time.
    #[error("resolving `{0}` timed out")]
    Timeout(String),
    /// The resolver failed.
    #[error("cannot resolve `{name}`: {source}")]
    Failed {
        /// The name.
        name: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Resolves `name` for `port` within `timeout`.
pub async fn resolve(
    name: &str,
    port: u16,
    timeout: Duration,
) -> Result<Vec<SocketAddr>, ResolveError> {
    tokio::time::timeout(timeout, tokio::net::lookup_host((name, port)))
        .await
        .map_err(|_| ResolveError::Timeout(name.to_string()))?
        .map(Iterator::collect)
        .map_err(|source| ResolveError::Failed {
            name: name.to_string(),
            source,
        })
}

/// Whether a TCP connection to `addr` opens within `timeout` (it is closed at once).
pub async fn tcp_connects(addr: SocketAddr, timeout: Duration) -> bool {
    matches!(
        tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await,
        Ok(Ok(_))
    )
}

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

/// The machine's listening sockets and their owners as first read, kept for whoever
/// asks next: one run's view of the machine (a hundred checks of one machine read
/// `/proc` once, not a hundred times).
#[derive(Debug, Default)]
pub struct SocketSnapshot {
    listening: std::sync::OnceLock<Result<Arc<Vec<Listener>>, Arc<SocketTableError>>>,
    owners: std::sync::OnceLock<Arc<HashMap<u64, SocketOwner>>>,
}

impl SocketSnapshot {
    /// [`listening_tcp`], read on first use.
    pub fn listening(&self) -> Result<Arc<Vec<Listener>>, Arc<SocketTableError>> {
        self.listening
            .get_or_init(|| listening_tcp().map(Arc::new).map_err(Arc::new))
            .clone()
    }

    /// [`socket_owners`] of every listening socket, read on first use.
    pub fn owners(&self) -> Arc<HashMap<u64, SocketOwner>> {
        Arc::clone(self.owners.get_or_init(|| {
            let inodes: Vec<u64> = self
                .listening()
                .map(|all| all.iter().map(|l| l.inode).collect())
                .unwrap_or_default();
            Arc::new(socket_owners(&inodes))
        }))
    }
}

/// Socket inode → its process, for the processes whose descriptors we can read (the
/// first process found for each: `/proc` lists the lowest pids first, usually the one
/// that opened it).
pub fn socket_owners(inodes: &[u64]) -> HashMap<u64, SocketOwner> {
    let mut found = HashMap::new();
    let wanted: std::collections::HashSet<u64> = inodes.iter().copied().collect();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in procs.flatten() {
        if found.len() == wanted.len() {
            break;
        }
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
                && wanted.contains(&inode)
                && !found.contains_key(&inode)
            {
                let name = std::fs::read_to_string(entry.path().join("comm"))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_else(|_| "?".into());
                found.insert(inode, SocketOwner { pid, name });
            }
        }
    }
    found
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
