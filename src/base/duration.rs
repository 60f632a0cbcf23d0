//! Human durations: those written in checklists and configuration (`500ms`, `5s`,
//! `10m`, `1h`, `7d`, `2w`: one number and one unit, so a value is never ambiguous),
//! and how a measured duration is shown to people ([`describe`], [`describe_coarse`]).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A duration as written by a person, kept with its original spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration {
    /// The duration.
    pub duration: Duration,
    amount: u64,
    unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Millis,
    Seconds,
    Minutes,
    Hours,
    Days,
    Weeks,
}

impl Unit {
    fn suffix(self) -> &'static str {
        match self {
            Unit::Millis => "ms",
            Unit::Seconds => "s",
            Unit::Minutes => "m",
            Unit::Hours => "h",
            Unit::Days => "d",
            Unit::Weeks => "w",
        }
    }

    fn millis(self) -> u64 {
        match self {
            Unit::Millis => 1,
            Unit::Seconds => 1_000,
            Unit::Minutes => 60_000,
            Unit::Hours => 3_600_000,
            Unit::Days => 86_400_000,
            Unit::Weeks => 604_800_000,
        }
    }
}

impl HumanDuration {
    /// A whole number of seconds, e.g. a default written in code as `5s`.
    pub const fn seconds(amount: u64) -> HumanDuration {
        HumanDuration {
            duration: Duration::from_secs(amount),
            amount,
            unit: Unit::Seconds,
        }
    }
}

/// A duration for people: `5s`, `250ms`.
pub fn describe(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// A long duration for people, coarsely: `3 days`, `5 hours`, `12 minutes`, `40 s`.
pub fn describe_coarse(d: Duration) -> String {
    let s = d.as_secs();
    let (n, unit) = match s {
        0..60 => return format!("{s} s"),
        60..3600 => (s / 60, "minute"),
        3600..86_400 => (s / 3600, "hour"),
        _ => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration `{0}`: expected a whole number and a unit (ms, s, m, h, d, w), e.g. `90d`"
)]
pub struct DurationError(pub String);

impl FromStr for HumanDuration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DurationError(s.to_string());
        let digits_end = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
        let amount: u64 = s[..digits_end].parse().map_err(|_| err())?;
        let unit = match &s[digits_end..] {
            "ms" => Unit::Millis,
            "s" => Unit::Seconds,
            "m" => Unit::Minutes,
            "h" => Unit::Hours,
            "d" => Unit::Days,
            "w" => Unit::Weeks,
            _ => return Err(err()),
        };
        let millis = amount.checked_mul(unit.millis()).ok_or_else(err)?;
        if millis == 0 {
            return Err(err());
        }
        Ok(HumanDuration {
            duration: Duration::from_millis(millis),
            amount,
            unit,
        })
    }
}

impl serde::Serialize for HumanDuration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_unit() {
        let d = |s: &str| s.parse::<HumanDuration>().unwrap().duration;
        assert_eq!(d("500ms"), Duration::from_millis(500));
        assert_eq!(d("5s"), Duration::from_secs(5));
        assert_eq!(d("10m"), Duration::from_secs(600));
        assert_eq!(d("90d"), Duration::from_secs(90 * 86_400));
        assert_eq!(d("2w"), Duration::from_secs(14 * 86_400));
        assert_eq!("7d".parse::<HumanDuration>().unwrap().to_string(), "7d");
        assert_eq!(HumanDuration::seconds(5), "5s".parse().unwrap());
    }

    #[test]
    fn describes_for_people() {
        assert_eq!(describe(Duration::from_secs(5)), "5s");
        assert_eq!(describe(Duration::from_millis(1500)), "1500ms");
        assert_eq!(describe_coarse(Duration::from_secs(40)), "40 s");
        assert_eq!(describe_coarse(Duration::from_secs(3600)), "1 hour");
        assert_eq!(describe_coarse(Duration::from_secs(3 * 86_400)), "3 days");
    }

    #[test]
    fn rejects_ambiguous_or_empty() {
        for s in ["", "d", "90", "1.5h", "1h30m", "0s", "-1d", "3 days"] {
            assert!(s.parse::<HumanDuration>().is_err(), "{s}");
        }
    }
}
