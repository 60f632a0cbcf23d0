//! The SARIF 2.1.0 rendering of a [`Report`], for code-scanning upload: one rule per
//! checklist item, one result per finding (evidence marked `fail`; every line of a
//! failing probe that marks none) of a failing probe, located at its
//! file, line and column when the probe knows them. Waived items keep their results,
//! marked as suppressed with the waiver's justification.

use serde_json::{Value, json};

use super::{ItemReport, Report};
use crate::checklist::Tier;
use crate::probe::{EvidenceStatus, ProbeStatus};

/// The SARIF level of an item's findings.
fn level(tier: Tier) -> &'static str {
    match tier {
        Tier::Critical => "error",
        Tier::Recommended => "warning",
        Tier::Optional => "note",
    }
}

/// Renders the report.
pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = report.items.iter().map(rule).collect();
    let results: Vec<Value> = report
        .items
        .iter()
        .enumerate()
        .flat_map(|(index, item)| results(item, index))
        .collect();
    let mut properties = json!({
        "checklist": report.checklist.id,
        "checklistVersion": report.checklist.version,
        "checklistDigest": report.checklist.digest,
        "checklistProvenance": report.checklist.provenance,
        "verdict": report.verdict,
        "generatedAt": report.generated_at,
    });
    if let Some(file) = &report.checklist.file {
        properties["checklistFile"] = json!(file);
    }
    if report.parts().len() > 1 {
        properties["checklists"] = json!(report.checklists);
    }
    if let Some(env) = &report.environment {
        properties["environment"] = json!(env);
    }
    if let Some(head) = report.ledger.as_ref().and_then(|l| l.head.as_ref()) {
        properties["ledgerHead"] = json!(head);
    }
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "preflight",
                "version": report.preflight_version,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            "%SRCROOT%": { "description": { "text": "The project root preflight checked." } }
        },
        "results": results,
        "properties": properties,
    });
    if let Some(revision) = &report.provenance {
        run["properties"]["host"] = json!(revision.host);
        if let Some(dirty) = revision.dirty {
            run["properties"]["uncommittedChanges"] = json!(dirty);
        }
        // SARIF needs the repository's URI; without a remote, the commit goes in the
        // run's properties only.
        match (&revision.remote, &revision.commit) {
            (Some(remote), commit) => {
                let mut details = json!({
                    "repositoryUri": remote,
                    "mappedTo": { "uriBaseId": "%SRCROOT%" },
                });
                if let Some(commit) = commit {
                    details["revisionId"] = json!(commit);
                }
                if let Some(branch) = &revision.branch {
                    details["branch"] = json!(branch);
                }
                run["versionControlProvenance"] = json!([details]);
            }
            (None, Some(commit)) => run["properties"]["revisionId"] = json!(commit),
            (None, None) => {}
        }
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    serde_json::to_string_pretty(&sarif).unwrap_or_default()
}

fn rule(item: &ItemReport) -> Value {
    let mut rule = json!({
        "id": item.name(),
        "shortDescription": { "text": item.title },
        "defaultConfiguration": { "level": level(item.tier) },
        "properties": { "tags": ["security", item.tier.as_str()] },
    });
    if !item.rationale.trim().is_empty() {
        rule["fullDescription"] = json!({ "text": item.rationale.trim() });
    }
    if !item.remediation.trim().is_empty() {
        rule["help"] = json!({
            "text": item.remediation.trim(),
            "markdown": item.remediation.trim(),
        });
    }
    rule
}

fn results(item: &ItemReport, index: usize) -> Vec<Value> {
    let suppression = item
        .signoff
        .as_ref()
        .and_then(|s| s.waiver.as_ref())
        .filter(|_| item.signoff.as_ref().map(|s| s.state) == Some(crate::signoff::State::Waived))
        .map(|w| json!([{ "kind": "external", "justification": w.reason }]));
    let mut out = Vec::new();
    for probe in item.probes.iter().filter(|p| p.status == ProbeStatus::Fail) {
        // The lines the probe marks as findings; a probe that marks none has all its
        // lines reported.
        let marked = probe
            .evidence
            .iter()
            .any(|e| e.status == EvidenceStatus::Fail);
        let mut findings: Vec<(String, Option<Value>)> = probe
            .evidence
            .iter()
            .filter(|e| !marked || e.status == EvidenceStatus::Fail)
            .map(|e| {
                let location = e.file.as_ref().map(|file| {
                    let mut physical = json!({
                        "artifactLocation": { "uri": uri(file), "uriBaseId": "%SRCROOT%" }
                    });
                    if let Some(line) = e.line.filter(|l| *l > 0) {
                        let mut region = json!({ "startLine": line });
                        if let Some(column) = e.column.filter(|c| *c > 0) {
                            region["startColumn"] = json!(column);
                        }
                        physical["region"] = region;
                    }
                    json!([{ "physicalLocation": physical }])
                });
                (format!("{}: {}", probe.summary, e.message), location)
            })
            .collect();
        if findings.is_empty() {
            findings.push((probe.summary.clone(), None));
        }
        for (message, locations) in findings {
            let mut result = json!({
                "ruleId": item.name(),
                "ruleIndex": index,
                "level": level(item.tier),
                "message": { "text": message },
                "properties": { "probe": probe.kind },
            });
            if let Some(locations) = locations {
                result["locations"] = locations;
            }
            if let Some(s) = &suppression {
                result["suppressions"] = s.clone();
            }
            out.push(result);
        }
    }
    out
}

/// A relative path as a URI reference: unreserved characters and `/` kept, the rest
/// percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri("deploy/docker compose.yml"),
            "deploy/docker%20compose.yml"
        );
        assert_eq!(uri("ä.env"), "%C3%A4.env");
    }
}
