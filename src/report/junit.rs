//! The JUnit XML rendering of a [`Report`] (through `quick-junit`), for CI dashboards:
//! one test suite per tier, one test case per item. An item that blocks production is
//! a failure (an `error` when its probes could not run); a waived, manual or skipped
//! item that does not block is skipped, with the reason as its message.

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::{ItemReport, Report};
use crate::probe::ItemStatus;
use crate::signoff::State;

/// Renders the report.
pub fn render(report: &Report) -> String {
    let mut junit = quick_junit::Report::new(format!("preflight {}", report.checklist.id));
    // A suite per tier of each checklist.
    for group in report.groups() {
        let checklist = group.checklist.unwrap_or(&report.checklist);
        let mut suite = TestSuite::new(format!("{}.{}", checklist.id, group.tier));
        suite.add_property(Property::new("checklist", checklist.id.as_str()));
        suite.add_property(Property::new(
            "checklist-version",
            checklist.version.as_str(),
        ));
        suite.add_property(Property::new("checklist-digest", checklist.digest.as_str()));
        suite.add_property(Property::new(
            "checklist-provenance",
            checklist.provenance.as_str(),
        ));
        if let Some(file) = &checklist.file {
            suite.add_property(Property::new("checklist-file", file.as_str()));
        }
        suite.add_property(Property::new(
            "generated-at",
            report.generated_at.to_string(),
        ));
        if let Some(env) = &report.environment {
            suite.add_property(Property::new("environment", env.as_str()));
        }
        if let Some(head) = report.ledger.as_ref().and_then(|l| l.head.as_deref()) {
            suite.add_property(Property::new("ledger-head", head));
        }
        if let Some(revision) = &report.provenance {
            suite.add_property(Property::new("checked", revision.describe()));
        }
        suite.add_test_cases(
            group
                .items
                .into_iter()
                .map(|item| test_case(report, item, &checklist.id)),
        );
        junit.add_test_suite(suite);
    }
    // Serialising into memory fails only on an XML writer bug; say so in the output.
    let xml = junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- cannot render JUnit XML: {e} -->\n"));
    without_root_skipped(xml)
}

/// quick-junit writes a `skipped` count on `<testsuites>`, which the Jenkins JUnit
/// schema (the one CI servers follow) does not allow there; each `<testsuite>` keeps
/// its own count.
fn without_root_skipped(xml: String) -> String {
    let Some(start) = xml.find("<testsuites") else {
        return xml;
    };
    let end = xml[start..].find('>').map_or(xml.len(), |e| start + e);
    let tag = &xml[start..end];
    match tag.find(" skipped=\"") {
        Some(at) => {
            let value_end = tag[at + 10..]
                .find('"')
                .map_or(tag.len(), |e| at + 10 + e + 1);
            format!("{}{}{}", &xml[..start + at], &tag[value_end..], &xml[end..])
        }
        None => xml,
    }
}

fn test_case(report: &Report, item: &ItemReport, checklist: &str) -> TestCase {
    let state = item.signoff.as_ref().map(|s| s.state);
    let status = match (&item.blocking, item.status) {
        (Some(reason), status) => {
            let kind = if status == ItemStatus::Error {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(reason.as_str());
            s.set_type(item.status.as_str());
            s.set_description(details(item));
            s
        }
        (None, _) if state == Some(State::Waived) => {
            let mut s = TestCaseStatus::skipped();
            let reason = item
                .signoff
                .as_ref()
                .and_then(|s| s.waiver.as_ref())
                .map(|w| w.reason.as_str())
                .unwrap_or_default();
            s.set_message(format!("waived: {reason}"));
            s
        }
        (None, ItemStatus::Manual) if !report.covers_signoff() => {
            let mut s = TestCaseStatus::skipped();
            s.set_message("manual item: a person attests it");
            s
        }
        (None, ItemStatus::Skipped) => {
            let mut s = TestCaseStatus::skipped();
            s.set_message("no probe applied");
            s
        }
        (None, _) => TestCaseStatus::success(),
    };
    let mut case = TestCase::new(item.id.as_str(), status);
    case.set_classname(format!("{checklist}.{}", item.tier));
    let out = details(item);
    if !out.is_empty() {
        case.set_system_out(out);
    }
    case
}

/// Probe summaries, evidence and sign-off state as plain text.
fn details(item: &ItemReport) -> String {
    let mut lines = vec![item.title.clone()];
    for p in &item.probes {
        lines.push(format!("{} {}: {}", p.status.as_str(), p.kind, p.summary));
        lines.extend(p.evidence.iter().map(|e| format!("  {e}")));
    }
    if let Some(s) = &item.signoff {
        lines.push(format!("sign-off: {}", s.state));
        lines.extend(s.reasons.iter().map(|r| format!("  stale: {r}")));
        lines.extend(
            s.chain
                .iter()
                .map(|e| format!("  {} {} by {}", e.at, e.action, e.by)),
        );
    }
    lines.join("\n")
}
