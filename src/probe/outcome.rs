//! What probes conclude: a probe's [`ProbeOutcome`] (status, summary, evidence), its
//! [`ProbeResult`] with kind and timing, and an item's [`ItemStatus`] derived from its
//! probes. This is the vocabulary the runner, the sign-off rules, the reports and the
//! TUI share; it holds data only and does no work.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::base::text::safe_line;

/// What a probe concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeStatus {
    /// The check holds.
    Pass,
    /// The check does not hold: the evidence says where.
    Fail,
    /// The check could not run: the summary says why.
    Error,
    /// The check does not apply here: the summary says why.
    Skipped,
}

impl ProbeStatus {
    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeStatus::Pass => "pass",
            ProbeStatus::Fail => "fail",
            ProbeStatus::Error => "error",
            ProbeStatus::Skipped => "skipped",
        }
    }
}

/// What one line of evidence says about the check: a finding (`fail`), something
/// found in order (`pass`), or context (`info`, the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceStatus {
    /// Context: what was looked at, how.
    #[default]
    Info,
    /// Found in order.
    Pass,
    /// A finding: what makes the probe fail.
    Fail,
}

/// One line of evidence, optionally anchored to a place in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What this line says about the check.
    pub status: EvidenceStatus,
    /// What was seen (never a secret value).
    pub message: String,
    /// File relative to the project root, when the evidence has a location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// One-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// One-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Evidence {
    /// Evidence without a location.
    pub fn note(message: impl Into<String>) -> Self {
        Evidence {
            status: EvidenceStatus::Info,
            message: message.into(),
            file: None,
            line: None,
            column: None,
        }
    }

    /// Evidence at a line of a file.
    pub fn at(
        file: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Evidence {
            status: EvidenceStatus::Info,
            message: message.into(),
            file: Some(file.into()),
            line: Some(line),
            column: Some(column),
        }
    }

    /// Evidence about a whole file.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Evidence {
            status: EvidenceStatus::Info,
            message: message.into(),
            file: Some(file.into()),
            line: None,
            column: None,
        }
    }

    /// The same line, marked as a finding.
    pub fn failing(self) -> Self {
        Evidence {
            status: EvidenceStatus::Fail,
            ..self
        }
    }

    /// The same line, marked as found in order.
    pub fn passing(self) -> Self {
        Evidence {
            status: EvidenceStatus::Pass,
            ..self
        }
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: {}", self.message),
            (Some(file), None) => write!(f, "{file}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// The result of one probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeOutcome {
    /// The conclusion.
    pub status: ProbeStatus,
    /// One line saying what was found.
    pub summary: String,
    /// The details behind the summary.
    pub evidence: Vec<Evidence>,
}

impl ProbeOutcome {
    fn new(status: ProbeStatus, summary: impl Into<String>) -> Self {
        ProbeOutcome {
            status,
            summary: summary.into(),
            evidence: Vec::new(),
        }
    }

    /// The check holds.
    pub fn pass(summary: impl Into<String>) -> Self {
        Self::new(ProbeStatus::Pass, summary)
    }

    /// The check does not hold.
    pub fn fail(summary: impl Into<String>) -> Self {
        Self::new(ProbeStatus::Fail, summary)
    }

    /// The check could not run.
    pub fn error(reason: impl Into<String>) -> Self {
        Self::new(ProbeStatus::Error, reason)
    }

    /// The check does not apply.
    pub fn skipped(reason: impl Into<String>) -> Self {
        Self::new(ProbeStatus::Skipped, reason)
    }

    /// Adds evidence.
    pub fn with_evidence(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }

    /// The outcome safe to show: every registered secret masked and every control
    /// character escaped in its summary and evidence (which quote the project's file
    /// names, service names, commit subjects, ...).
    pub fn sanitized(mut self) -> Self {
        self.summary = safe_line(&self.summary);
        for e in &mut self.evidence {
            e.message = safe_line(&e.message);
            if let Some(file) = &mut e.file {
                *file = safe_line(file);
            }
        }
        self
    }
}

/// The outcome of one probe with its kind and how long it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    /// The probe kind.
    pub kind: String,
    /// What it found.
    pub outcome: ProbeOutcome,
    /// Wall time.
    pub elapsed: Duration,
}

/// An item's overall status, derived from its probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    /// Every probe passed (some may have been skipped).
    Pass,
    /// At least one probe failed.
    Fail,
    /// No probe failed, but at least one could not run.
    Error,
    /// Every probe was skipped.
    Skipped,
    /// No probes: a person must attest.
    Manual,
}

impl ItemStatus {
    /// An item is `fail` if any probe fails, else `error` if any errored, else `pass`
    /// (or `skipped` when nothing applied); with no probes it is `manual`.
    pub fn from_outcomes<'a>(statuses: impl IntoIterator<Item = &'a ProbeStatus>) -> ItemStatus {
        let statuses: Vec<ProbeStatus> = statuses.into_iter().copied().collect();
        if statuses.is_empty() {
            ItemStatus::Manual
        } else if statuses.contains(&ProbeStatus::Fail) {
            ItemStatus::Fail
        } else if statuses.contains(&ProbeStatus::Error) {
            ItemStatus::Error
        } else if statuses.iter().all(|s| *s == ProbeStatus::Skipped) {
            ItemStatus::Skipped
        } else {
            ItemStatus::Pass
        }
    }

    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Pass => "pass",
            ItemStatus::Fail => "fail",
            ItemStatus::Error => "error",
            ItemStatus::Skipped => "skipped",
            ItemStatus::Manual => "manual",
        }
    }
}

/// The results of one item's probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    /// Index of the item in `Checklist::items`.
    pub item: usize,
    /// Its probes' results, in checklist order.
    pub probes: Vec<ProbeResult>,
    /// The derived status.
    pub status: ItemStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_status_follows_the_rules() {
        use ProbeStatus::*;
        assert_eq!(ItemStatus::from_outcomes(&[]), ItemStatus::Manual);
        assert_eq!(
            ItemStatus::from_outcomes(&[Pass, Error, Fail]),
            ItemStatus::Fail
        );
        assert_eq!(ItemStatus::from_outcomes(&[Pass, Error]), ItemStatus::Error);
        assert_eq!(
            ItemStatus::from_outcomes(&[Pass, Skipped]),
            ItemStatus::Pass
        );
        assert_eq!(
            ItemStatus::from_outcomes(&[Skipped, Skipped]),
            ItemStatus::Skipped
        );
    }
}
