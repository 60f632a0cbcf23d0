//! What probes conclude: a probe's [`ProbeOutcome`] (status, summary, evidence, and
//! each host's [`HostOutcome`] when it checked an environment of several servers), its
//! [`ProbeResult`] with kind and timing, and an item's [`ItemStatus`] derived from its
//! probes. This is the vocabulary the runner, the sign-off rules, the reports and the
//! TUI share; it holds data and merges it, and does no other work.

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
    /// Each server's verdict, when the probe checked every one of an environment's
    /// `hosts` (empty otherwise): the status and evidence above are their sum.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<HostOutcome>,
}

/// What a host's outcome says with the host's own name replaced by `each host`: hosts
/// whose shapes are equal said the same.
#[derive(Debug, PartialEq, Eq)]
struct OutcomeShape {
    status: ProbeStatus,
    summary: String,
    evidence: Vec<String>,
    places: Vec<(Option<String>, Option<usize>, EvidenceStatus)>,
}

impl OutcomeShape {
    fn of(label: &str, outcome: &ProbeOutcome) -> OutcomeShape {
        // `host:port/db`, `[v6]:port`: the label, then its host alone.
        let host = label
            .split_once('/')
            .map_or(label, |(before, _)| before)
            .rsplit_once(':')
            .map_or(label, |(host, _)| host)
            .trim_matches(['[', ']']);
        let general = |text: &str| {
            let text = replace_name(text, label, "each host");
            if host.is_empty() {
                text
            } else {
                replace_name(&text, host, "each host")
            }
        };
        OutcomeShape {
            status: outcome.status,
            summary: general(&outcome.summary),
            evidence: outcome
                .evidence
                .iter()
                .map(|e| general(&e.message))
                .collect(),
            places: outcome
                .evidence
                .iter()
                .map(|e| (e.file.clone(), e.line, e.status))
                .collect(),
        }
    }
}

/// `text` with each occurrence of the name `name` that stands on its own (not part of
/// a longer name: `db` in `db-2` or `adb` is left alone) replaced by `with`.
fn replace_name(text: &str, name: &str, with: &str) -> String {
    let part_of_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(name) {
        // The character before: in what is left, or else the last one written.
        let before = rest[..at].chars().last().or_else(|| out.chars().last());
        let after = rest[at + name.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(part_of_name) || after.is_some_and(part_of_name) {
            out.push_str(name);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + name.len()..];
    }
    out.push_str(rest);
    out
}

/// One server's verdict, when a probe checked each of an environment's `hosts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostOutcome {
    /// The server (`host:port`, with `/database` when it names its own).
    pub host: String,
    /// What the probe concluded there.
    pub status: ProbeStatus,
    /// One line.
    pub summary: String,
    /// Its details.
    pub evidence: Vec<Evidence>,
}

impl ProbeOutcome {
    fn new(status: ProbeStatus, summary: impl Into<String>) -> Self {
        ProbeOutcome {
            status,
            summary: summary.into(),
            evidence: Vec::new(),
            hosts: Vec::new(),
        }
    }

    /// One probe's verdicts on each server of an environment, as one: `fail` if it
    /// failed on any host, else `error` if any could not be checked, `skipped` when
    /// it applied to none, else `pass`. The summary names the hosts that decided it;
    /// the evidence gives each host's verdict, then its evidence, each line led by
    /// the host.
    pub fn across_hosts(per_host: Vec<(String, ProbeOutcome)>) -> ProbeOutcome {
        let statuses: Vec<ProbeStatus> = per_host.iter().map(|(_, o)| o.status).collect();
        let status = match ItemStatus::from_outcomes(&statuses) {
            ItemStatus::Fail => ProbeStatus::Fail,
            ItemStatus::Error => ProbeStatus::Error,
            ItemStatus::Pass => ProbeStatus::Pass,
            ItemStatus::Skipped | ItemStatus::Manual => ProbeStatus::Skipped,
        };
        let total = per_host.len();
        let with = |s: ProbeStatus| -> Vec<&str> {
            per_host
                .iter()
                .filter(|(_, o)| o.status == s)
                .map(|(h, _)| h.as_str())
                .collect()
        };
        let named = |hosts: &[&str]| {
            const SHOWN: usize = 5;
            let mut text = hosts
                .iter()
                .take(SHOWN)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            if hosts.len() > SHOWN {
                text.push_str(&format!(" and {} more", hosts.len() - SHOWN));
            }
            text
        };
        let of = |n: usize| {
            if n == total {
                match total {
                    1 => "the host".to_string(),
                    2 => "both hosts".to_string(),
                    _ => format!("all {total} hosts"),
                }
            } else {
                format!("{n} of {total} hosts")
            }
        };
        let (passed, failed, errored, skipped) = (
            with(ProbeStatus::Pass),
            with(ProbeStatus::Fail),
            with(ProbeStatus::Error),
            with(ProbeStatus::Skipped),
        );
        let mut summary = match status {
            ProbeStatus::Fail => format!("fails on {}: {}", of(failed.len()), named(&failed)),
            ProbeStatus::Error => format!(
                "could not be checked on {}: {}",
                of(errored.len()),
                named(&errored)
            ),
            ProbeStatus::Pass => format!("passes on {}", of(passed.len())),
            ProbeStatus::Skipped => format!("skipped on {}", of(skipped.len())),
        };
        let rest: Vec<String> = [
            (ProbeStatus::Fail, failed.len(), "fail"),
            (ProbeStatus::Error, errored.len(), "error"),
            (ProbeStatus::Pass, passed.len(), "pass"),
            (ProbeStatus::Skipped, skipped.len(), "skipped"),
        ]
        .into_iter()
        .filter(|(s, n, _)| *s != status && *n > 0)
        .map(|(_, n, word)| format!("{n} {word}"))
        .collect();
        if !rest.is_empty() {
            summary.push_str(&format!(" ({})", rest.join(", ")));
        }
        // Hosts that say the same (but for their own name) are told once, after the
        // list of them: twenty replicas with one finding read as one finding.
        let mut groups: Vec<(OutcomeShape, Vec<usize>)> = Vec::new();
        for (index, (host, outcome)) in per_host.iter().enumerate() {
            let shape = OutcomeShape::of(host, outcome);
            match groups.iter_mut().find(|(s, _)| *s == shape) {
                Some((_, members)) => members.push(index),
                None => groups.push((shape, vec![index])),
            }
        }
        if let [(shape, _)] = groups.as_slice() {
            summary.push_str(&format!(": {}", shape.summary));
        }
        let mut evidence = Vec::new();
        for (shape, members) in &groups {
            let (first_host, first) = &per_host[members[0]];
            let names: Vec<&str> = members.iter().map(|&i| per_host[i].0.as_str()).collect();
            let verdict = Evidence::note(format!(
                "{}: {}: {}",
                names.join(", "),
                first.status.as_str(),
                if members.len() == 1 {
                    first.summary.clone()
                } else {
                    shape.summary.clone()
                }
            ));
            evidence.push(match first.status {
                ProbeStatus::Fail => verdict.failing(),
                ProbeStatus::Pass => verdict.passing(),
                _ => verdict,
            });
            let lead = if members.len() == 1 {
                first_host.clone()
            } else {
                format!("{} hosts", members.len())
            };
            evidence.extend(
                first
                    .evidence
                    .iter()
                    .zip(&shape.evidence)
                    .map(|(e, general)| Evidence {
                        message: format!(
                            "  {lead}: {}",
                            if members.len() == 1 {
                                &e.message
                            } else {
                                general
                            }
                        ),
                        ..e.clone()
                    }),
            );
        }
        let hosts = per_host
            .into_iter()
            .map(|(host, outcome)| HostOutcome {
                host,
                status: outcome.status,
                summary: outcome.summary,
                evidence: outcome.evidence,
            })
            .collect();
        ProbeOutcome {
            status,
            summary,
            evidence,
            hosts,
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
        fn clean(summary: &mut String, evidence: &mut [Evidence]) {
            *summary = safe_line(summary);
            for e in evidence {
                e.message = safe_line(&e.message);
                if let Some(file) = &mut e.file {
                    *file = safe_line(file);
                }
            }
        }
        clean(&mut self.summary, &mut self.evidence);
        for h in &mut self.hosts {
            h.host = safe_line(&h.host);
            clean(&mut h.summary, &mut h.evidence);
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

    fn on(
        host: &str,
        status: ProbeStatus,
        summary: &str,
        evidence: &[&str],
    ) -> (String, ProbeOutcome) {
        (
            host.to_string(),
            ProbeOutcome::new(status, summary)
                .with_evidence(evidence.iter().map(|e| Evidence::note(*e))),
        )
    }

    #[test]
    fn hosts_merge_into_one_verdict_that_names_the_deciding_hosts() {
        use ProbeStatus::*;
        let merged = ProbeOutcome::across_hosts(vec![
            on(
                "db-1:5432",
                Pass,
                "3 settings as expected on app@db-1:5432/app",
                &["log_connections = on"],
            ),
            on(
                "db-2:5432",
                Fail,
                "log_connections off on app@db-2:5432/app",
                &["log_connections = off"],
            ),
            on(
                "db-3:5432",
                Pass,
                "3 settings as expected on app@db-3:5432/app",
                &["log_connections = on"],
            ),
            on("db-4:5432", Error, "cannot connect: refused", &[]),
        ]);
        assert_eq!(merged.status, Fail);
        assert_eq!(
            merged.summary,
            "fails on 1 of 4 hosts: db-2:5432 (1 error, 2 pass)"
        );
        // Hosts that said the same but for their own name are one group, told once.
        let lines: Vec<String> = merged.evidence.iter().map(|e| e.message.clone()).collect();
        assert_eq!(
            lines,
            [
                "db-1:5432, db-3:5432: pass: 3 settings as expected on app@each host/app",
                "  2 hosts: log_connections = on",
                "db-2:5432: fail: log_connections off on app@db-2:5432/app",
                "  db-2:5432: log_connections = off",
                "db-4:5432: error: cannot connect: refused",
            ]
        );
        assert_eq!(merged.evidence[0].status, EvidenceStatus::Pass);
        assert_eq!(merged.evidence[2].status, EvidenceStatus::Fail);
        // Each host keeps its own verdict, in the order configured.
        let hosts: Vec<(&str, ProbeStatus)> = merged
            .hosts
            .iter()
            .map(|h| (h.host.as_str(), h.status))
            .collect();
        assert_eq!(
            hosts,
            [
                ("db-1:5432", Pass),
                ("db-2:5432", Fail),
                ("db-3:5432", Pass),
                ("db-4:5432", Error)
            ]
        );
    }

    #[test]
    fn an_error_on_any_host_is_never_a_pass_and_skipped_hosts_do_not_pass() {
        use ProbeStatus::*;
        let some_unchecked = ProbeOutcome::across_hosts(vec![
            on("a:1", Pass, "fine", &[]),
            on("b:1", Error, "timed out after 3s", &[]),
        ]);
        assert_eq!(some_unchecked.status, Error);
        assert_eq!(
            some_unchecked.summary,
            "could not be checked on 1 of 2 hosts: b:1 (1 pass)"
        );
        let none_applied = ProbeOutcome::across_hosts(vec![
            on("a:1", Skipped, "not the database host", &[]),
            on("b:1", Skipped, "not the database host", &[]),
        ]);
        assert_eq!(none_applied.status, Skipped);
        assert_eq!(
            none_applied.summary,
            "skipped on both hosts: not the database host"
        );
        let partly = ProbeOutcome::across_hosts(vec![
            on("a:1", Pass, "fine", &[]),
            on("b:1", Skipped, "elsewhere", &[]),
        ]);
        assert_eq!(partly.status, Pass);
        assert_eq!(partly.summary, "passes on 1 of 2 hosts (1 skipped)");
        let many = ProbeOutcome::across_hosts(
            (1..=8)
                .map(|i| on(&format!("h{i}:1"), Fail, "bad", &[]))
                .collect(),
        );
        assert_eq!(
            many.summary,
            "fails on all 8 hosts: h1:1, h2:1, h3:1, h4:1, h5:1 and 3 more: bad"
        );
    }

    #[test]
    fn only_a_name_standing_on_its_own_is_replaced() {
        assert_eq!(
            replace_name("db on db-2, adb, db.x and (db)", "db", "H"),
            "H on db-2, adb, db.x and (H)"
        );
        assert_eq!(replace_name("dbdb db", "db", "H"), "dbdb H");
    }

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
