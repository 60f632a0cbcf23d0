//! UTC instants as written in the ledger and reports, and the waiver deadlines people
//! type on the command line.
//!
//! Every instant is stored in UTC and printed in RFC 3339 with a `Z`, so a ledger line
//! means the same thing in every time zone. A deadline is never ambiguous: a bare date
//! means the end of that day in UTC, anything else must be a full RFC 3339 time with
//! its offset.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

/// An instant in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The current time, to the second (ledger records do not need more).
    pub fn now() -> Timestamp {
        Timestamp::from_datetime(OffsetDateTime::now_utc()).truncated_to_seconds()
    }

    /// Converts any offset date-time to UTC.
    pub fn from_datetime(at: OffsetDateTime) -> Timestamp {
        Timestamp(at.to_offset(UtcOffset::UTC))
    }

    /// The same instant without its fraction of a second.
    pub fn truncated_to_seconds(self) -> Timestamp {
        Timestamp(self.0.replace_nanosecond(0).unwrap_or(self.0))
    }

    /// The underlying date-time (always UTC).
    pub fn datetime(self) -> OffsetDateTime {
        self.0
    }

    /// This instant plus a duration, saturating at the end of time.
    pub fn plus(self, by: std::time::Duration) -> Timestamp {
        let by = Duration::try_from(by).unwrap_or(Duration::MAX);
        Timestamp(self.0.checked_add(by).unwrap_or(self.0))
    }

    /// A compact form for file names: `20261122T101500Z`.
    pub fn compact(self) -> String {
        let f = format_description!("[year][month][day]T[hour][minute][second]Z");
        self.0.format(&f).unwrap_or_default()
    }

    /// The calendar date in UTC, `2026-11-22`.
    pub fn date(self) -> String {
        let f = format_description!("[year]-[month]-[day]");
        self.0.format(&f).unwrap_or_default()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Formatting a UTC date-time between years 0 and 9999 cannot fail.
        let text = self.0.format(&Rfc3339).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// A text that is not an RFC 3339 time (or, for deadlines, a date).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a date (YYYY-MM-DD, meaning the end of that day in UTC) or an RFC 3339 time with an offset (e.g. 2026-12-31T18:00:00+01:00)"
)]
pub struct TimestampError(pub String);

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OffsetDateTime::parse(s.trim(), &Rfc3339)
            .map(Timestamp::from_datetime)
            .map_err(|_| TimestampError(s.to_string()))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// When a waiver stops holding, as typed after `--until`: a date `YYYY-MM-DD` means the
/// waiver holds through the end of that day in UTC, so it expires at the next midnight
/// UTC; a full RFC 3339 time (with `Z` or an offset) is the expiry itself.
pub fn parse_deadline(text: &str) -> Result<Timestamp, TimestampError> {
    let text = text.trim();
    let date_format = format_description!("[year]-[month]-[day]");
    if let Ok(date) = Date::parse(text, &date_format) {
        let next = date
            .next_day()
            .ok_or_else(|| TimestampError(text.to_string()))?;
        return Ok(Timestamp(next.midnight().assume_utc()));
    }
    text.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn prints_utc_with_z_and_round_trips() {
        let t = at("2026-11-22T11:15:00+01:00");
        assert_eq!(t.to_string(), "2026-11-22T10:15:00Z");
        assert_eq!(at(&t.to_string()), t);
        assert_eq!(t.compact(), "20261122T101500Z");
        assert_eq!(t.date(), "2026-11-22");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2026-11-22T10:15:00Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }

    #[test]
    fn a_date_deadline_is_the_end_of_that_day_in_utc() {
        assert_eq!(
            parse_deadline("2026-11-30").unwrap(),
            at("2026-12-01T00:00:00Z")
        );
        assert_eq!(
            parse_deadline("2026-12-31").unwrap(),
            at("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            parse_deadline("2026-11-30T18:00:00-08:00").unwrap(),
            at("2026-12-01T02:00:00Z")
        );
    }

    #[test]
    fn ambiguous_deadlines_are_refused() {
        for text in [
            "30/11/2026",
            "11/30/2026",
            "2026-11-30 18:00",
            "2026-11-30T18:00:00",
            "tomorrow",
            "",
        ] {
            let err = parse_deadline(text).unwrap_err();
            assert!(err.to_string().contains("end of that day in UTC"), "{err}");
        }
    }
}
