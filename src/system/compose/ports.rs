//! Compose port specifications, short and long syntax, and whether a binding is
//! reachable only from this machine.
//!
//! Short syntax follows Docker's own parser: `[[IP:](HOST_PORT|RANGE):]CONTAINER_PORT[/PROTOCOL]`,
//! where the IP may be an IPv6 address in brackets. No IP means every interface.

use std::fmt;
use std::net::IpAddr;

/// One published port, resolved (variables already substituted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortBinding {
    /// The host address, if one is given.
    pub host_ip: Option<String>,
    /// The host port or range; `None` means Docker picks a free port.
    pub published: Option<String>,
    /// The container port or range.
    pub target: String,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// Long syntax `mode` (`host` or `ingress`), if given.
    pub mode: Option<String>,
}

/// How far a published port reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exposure {
    /// Only this machine (127.0.0.0/8, ::1, localhost).
    Loopback,
    /// Every interface (no address, `0.0.0.0` or `::`).
    AllInterfaces,
    /// One non-loopback address: reachable from that network.
    Address(String),
}

/// Why a port or port range is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// Nothing where a port belongs.
    #[error("missing")]
    Missing,
    /// Not a number.
    #[error("`{0}` is not a port number")]
    NotANumber(String),
    /// Zero, or a range that ends before it starts.
    #[error("`{0}` is not a valid port or range")]
    BadRange(String),
}

/// Why a `ports:` entry is not a binding Compose would accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortSpecError {
    /// An empty short-syntax entry.
    #[error("empty port specification")]
    Empty,
    /// A protocol other than tcp, udp or sctp.
    #[error("unknown protocol `{protocol}` in \"{spec}\"")]
    Protocol {
        /// The protocol.
        protocol: String,
        /// The entry.
        spec: String,
    },
    /// The container side of a short-syntax entry.
    #[error("invalid container port in \"{spec}\": {reason}")]
    ContainerPort {
        /// The entry.
        spec: String,
        /// Why.
        reason: PortError,
    },
    /// The host side of a short-syntax entry.
    #[error("invalid host port in \"{spec}\": {reason}")]
    HostPort {
        /// The entry.
        spec: String,
        /// Why.
        reason: PortError,
    },
    /// The address of a short-syntax entry.
    #[error("invalid host IP `{ip}` in \"{spec}\"")]
    HostIp {
        /// The address.
        ip: String,
        /// The entry.
        spec: String,
    },
    /// A long-syntax `target`.
    #[error("invalid target port: {0}")]
    Target(PortError),
    /// A long-syntax `published`.
    #[error("invalid published port: {0}")]
    Published(PortError),
    /// A long-syntax `host_ip`.
    #[error("invalid host_ip `{0}`")]
    LongHostIp(String),
}

impl PortBinding {
    /// Parses the short syntax (`"127.0.0.1:5434:5432/tcp"`).
    pub fn parse_short(spec: &str) -> Result<PortBinding, PortSpecError> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(PortSpecError::Empty);
        }
        let (body, protocol) = match spec.rsplit_once('/') {
            Some((body, proto)) => (body, proto.to_ascii_lowercase()),
            None => (spec, "tcp".to_string()),
        };
        if !["tcp", "udp", "sctp"].contains(&protocol.as_str()) {
            return Err(PortSpecError::Protocol {
                protocol,
                spec: spec.to_string(),
            });
        }
        let parts: Vec<&str> = body.split(':').collect();
        let n = parts.len();
        let target = parts[n - 1];
        let (ip, published) = match n {
            1 => ("".to_string(), ""),
            2 => ("".to_string(), parts[0]),
            3 => (parts[0].to_string(), parts[1]),
            _ => (parts[..n - 2].join(":"), parts[n - 2]),
        };
        let ip = ip
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .map(str::to_string)
            .unwrap_or(ip);
        check_port_range(target).map_err(|reason| PortSpecError::ContainerPort {
            spec: spec.to_string(),
            reason,
        })?;
        if !published.is_empty() {
            check_port_range(published).map_err(|reason| PortSpecError::HostPort {
                spec: spec.to_string(),
                reason,
            })?;
        }
        if !ip.is_empty() && ip != "localhost" && ip.parse::<IpAddr>().is_err() {
            return Err(PortSpecError::HostIp {
                ip,
                spec: spec.to_string(),
            });
        }
        Ok(PortBinding {
            host_ip: (!ip.is_empty()).then_some(ip),
            published: (!published.is_empty()).then(|| published.to_string()),
            target: target.to_string(),
            protocol,
            mode: None,
        })
    }

    /// Checks a long-syntax binding's ports and address.
    pub fn validate(&self) -> Result<(), PortSpecError> {
        check_port_range(&self.target).map_err(PortSpecError::Target)?;
        if let Some(p) = &self.published {
            check_port_range(p).map_err(PortSpecError::Published)?;
        }
        match &self.host_ip {
            Some(ip) if !ip.is_empty() && ip != "localhost" && ip.parse::<IpAddr>().is_err() => {
                Err(PortSpecError::LongHostIp(ip.clone()))
            }
            _ => Ok(()),
        }
    }

    /// Who can reach it.
    pub fn exposure(&self) -> Exposure {
        let Some(ip) = self.host_ip.as_deref().filter(|s| !s.is_empty()) else {
            return Exposure::AllInterfaces;
        };
        if ip.eq_ignore_ascii_case("localhost") {
            return Exposure::Loopback;
        }
        match ip.parse::<IpAddr>() {
            Ok(addr) if addr.is_unspecified() => Exposure::AllInterfaces,
            Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_unspecified()) => {
                Exposure::AllInterfaces
            }
            Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()) => {
                Exposure::Loopback
            }
            Ok(addr) if addr.is_loopback() => Exposure::Loopback,
            _ => Exposure::Address(ip.to_string()),
        }
    }

    /// Whether the container side includes `port`.
    pub fn targets(&self, port: u16) -> bool {
        match range_bounds(&self.target) {
            Some((lo, hi)) => (lo..=hi).contains(&port),
            None => false,
        }
    }
}

impl fmt::Display for PortBinding {
    /// Docker's own notation, e.g. `0.0.0.0:5434->5432/tcp`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ip = match self.host_ip.as_deref() {
            None | Some("") => "0.0.0.0".to_string(),
            Some(ip) if ip.contains(':') => format!("[{ip}]"),
            Some(ip) => ip.to_string(),
        };
        let published = self.published.as_deref().unwrap_or("(any free port)");
        write!(f, "{ip}:{published}->{}/{}", self.target, self.protocol)
    }
}

fn range_bounds(s: &str) -> Option<(u16, u16)> {
    match s.split_once('-') {
        Some((lo, hi)) => Some((lo.parse().ok()?, hi.parse().ok()?)),
        None => {
            let p = s.parse().ok()?;
            Some((p, p))
        }
    }
}

fn check_port_range(s: &str) -> Result<(), PortError> {
    match range_bounds(s) {
        Some((lo, hi)) if lo > 0 && lo <= hi => Ok(()),
        Some(_) => Err(PortError::BadRange(s.to_string())),
        None if s.is_empty() => Err(PortError::Missing),
        None => Err(PortError::NotANumber(s.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(s: &str) -> PortBinding {
        PortBinding::parse_short(s).unwrap()
    }

    #[test]
    fn parses_every_short_form() {
        assert_eq!(
            short("5432").to_string(),
            "0.0.0.0:(any free port)->5432/tcp"
        );
        assert_eq!(short("5434:5432").to_string(), "0.0.0.0:5434->5432/tcp");
        assert_eq!(
            short("127.0.0.1:5434:5432").to_string(),
            "127.0.0.1:5434->5432/tcp"
        );
        assert_eq!(
            short("127.0.0.1::5432").to_string(),
            "127.0.0.1:(any free port)->5432/tcp"
        );
        assert_eq!(short("[::1]:5434:5432").to_string(), "[::1]:5434->5432/tcp");
        assert_eq!(short("::1:5434:5432").host_ip.as_deref(), Some("::1"));
        assert_eq!(
            short("8000-8010:8000-8010/udp").to_string(),
            "0.0.0.0:8000-8010->8000-8010/udp"
        );
        assert_eq!(short("5432/udp").protocol, "udp");
    }

    #[test]
    fn classifies_exposure() {
        assert_eq!(short("5434:5432").exposure(), Exposure::AllInterfaces);
        assert_eq!(
            short("0.0.0.0:5434:5432").exposure(),
            Exposure::AllInterfaces
        );
        assert_eq!(short("[::]:5434:5432").exposure(), Exposure::AllInterfaces);
        assert_eq!(short("127.0.0.1:5434:5432").exposure(), Exposure::Loopback);
        assert_eq!(short("127.0.0.2:5434:5432").exposure(), Exposure::Loopback);
        assert_eq!(short("[::1]:5434:5432").exposure(), Exposure::Loopback);
        assert_eq!(short("localhost:5434:5432").exposure(), Exposure::Loopback);
        assert_eq!(
            short("[::ffff:127.0.0.1]:5434:5432").exposure(),
            Exposure::Loopback
        );
        assert_eq!(
            short("10.1.2.3:5434:5432").exposure(),
            Exposure::Address("10.1.2.3".into())
        );
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "abc",
            "5434:",
            "1.2.3:5434:5432",
            "5432/http",
            "0:0",
            "10-5:10-5",
        ] {
            assert!(PortBinding::parse_short(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_match_targets() {
        assert!(short("8000-8010:8000-8010").targets(8005));
        assert!(!short("5434:5432").targets(5434));
    }
}
