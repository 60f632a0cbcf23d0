//! The secret scanner against a labelled corpus of real files: `tests/corpus/secrets/`
//! holds files from 13 public projects (each folder with its licence and `SOURCE.md`)
//! and a planted set; `labels.tsv` says, line by line, whether a scanner should report
//! it (`true`), must not (`false`), or reasonable people differ (`debatable`, counted
//! neither way). Every finding must be on a labelled line, every `true` line must be
//! found (recall 100%), and true findings over true and false ones (precision) must be
//! at least 90%. Provider tokens are planted at run time (`planted_tokens`), not
//! committed, so no token-shaped string sits in the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use preflight::base::secret::Secret;
use preflight::system::secretscan::{Rule, Scanner};

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/secrets")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    True,
    False,
    Debatable,
}

fn labels() -> BTreeMap<String, Label> {
    let text = std::fs::read_to_string(corpus().join("labels.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.split('\t');
            let key = cols.next().unwrap().to_string();
            let label = match cols.next() {
                Some("true") => Label::True,
                Some("false") => Label::False,
                Some("debatable") => Label::Debatable,
                other => panic!("labels.tsv: `{l}`: unknown label {other:?}"),
            };
            (key, label)
        })
        .collect()
}

/// Every file of a project folder, relative to it (the scanner judges a file by its
/// path inside its project: `tests/` there means test code).
fn files(dir: &Path, rel: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if e.file_type().unwrap().is_dir() {
            files(&e.path(), &path, out);
        } else if rel.is_empty() && (name == "SOURCE.md" || name.starts_with("LICENSE")) {
            continue;
        } else {
            out.push((path, std::fs::read(e.path()).unwrap()));
        }
    }
}

/// A deterministic generator, so the planted tokens are the same in every run.
struct Random(u64);

impl Random {
    fn pick(&mut self, alphabet: &str, n: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..n)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                chars[(self.0 % chars.len() as u64) as usize]
            })
            .collect()
    }
}

/// One line per provider format the scanner knows, each with a token made here.
fn planted_tokens() -> Vec<(&'static str, String)> {
    let mut r = Random(0x9e37_79b9_7f4a_7c15);
    let alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digits = "0123456789";
    vec![
        (
            "aws-access-key-id",
            format!("AWS_ACCESS_KEY_ID=AKIA{}", r.pick(b32, 16)),
        ),
        (
            "github-token",
            format!("GH_TOKEN=ghp_{}", r.pick(alnum, 36)),
        ),
        (
            "github-fine-grained-token",
            format!(
                "GH_PAT=github_pat_{}_{}",
                r.pick(alnum, 22),
                r.pick(alnum, 59)
            ),
        ),
        (
            "gitlab-token",
            format!("GITLAB=glpat-{}", r.pick(alnum, 20)),
        ),
        (
            "slack-token",
            format!(
                "SLACK_BOT=xoxb-{}-{}-{}",
                r.pick(digits, 10),
                r.pick(digits, 12),
                r.pick(alnum, 24)
            ),
        ),
        (
            "slack-webhook",
            format!(
                "curl https://hooks.slack.com/services/T{}/B{}/{}",
                r.pick(upper, 9),
                r.pick(upper, 9),
                r.pick(alnum, 24)
            ),
        ),
        ("google-api-key", format!("MAPS=AIza{}", r.pick(alnum, 35))),
        (
            "stripe-live-key",
            format!("STRIPE=sk_live_{}", r.pick(alnum, 30)),
        ),
        (
            "npm-token",
            format!("//registry.npmjs.org/:_authToken=npm_{}", r.pick(alnum, 36)),
        ),
        (
            "sendgrid-key",
            format!("MAIL=SG.{}.{}", r.pick(alnum, 22), r.pick(alnum, 43)),
        ),
        (
            "azure-storage-key",
            format!(
                "STORAGE=\"DefaultEndpointsProtocol=https;AccountName=x;AccountKey={}==;\"",
                r.pick(&format!("{alnum}+/"), 86)
            ),
        ),
    ]
}

#[test]
fn precision_and_recall_on_real_projects() {
    let labels = labels();
    let scanner = Scanner::default();
    let mut found: BTreeSet<String> = BTreeSet::new();
    let mut per_project: BTreeMap<String, usize> = BTreeMap::new();
    let mut projects: Vec<_> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .collect();
    projects.sort_by_key(|e| e.file_name());
    for project in &projects {
        let name = project.file_name().to_string_lossy().into_owned();
        let mut all = Vec::new();
        files(&project.path(), "", &mut all);
        for (rel, bytes) in all {
            for f in scanner.scan(&rel, &bytes) {
                *per_project.entry(name.clone()).or_default() += 1;
                found.insert(format!("{name}/{rel}:{}", f.line));
            }
        }
    }
    assert!(
        projects.len() >= 11,
        "at least 10 projects and the planted set"
    );
    let unlabelled: Vec<&String> = found.iter().filter(|k| !labels.contains_key(*k)).collect();
    assert!(
        unlabelled.is_empty(),
        "findings on lines labels.tsv does not label: {unlabelled:#?}"
    );
    let missed: Vec<&String> = labels
        .iter()
        .filter(|(k, l)| **l == Label::True && !found.contains(*k))
        .map(|(k, _)| k)
        .collect();
    assert!(missed.is_empty(), "true lines not found: {missed:#?}");
    let count = |label| {
        found
            .iter()
            .filter(|k| labels.get(*k) == Some(&label))
            .count()
    };
    let (tp, fp) = (count(Label::True), count(Label::False));
    let precision = tp as f64 / (tp + fp) as f64;
    let false_findings: Vec<&String> = found
        .iter()
        .filter(|k| labels.get(*k) == Some(&Label::False))
        .collect();
    eprintln!(
        "secret corpus: {} labelled lines, {} findings ({tp} true, {fp} false, {} debatable), precision {:.1}%, recall 100%; per project {per_project:?}; false: {false_findings:?}",
        labels.len(),
        found.len(),
        count(Label::Debatable),
        precision * 100.0
    );
    assert!(
        precision >= 0.9,
        "precision {precision:.3} under 0.9: {false_findings:#?}"
    );
    assert!(labels.len() >= 150);
}

#[test]
fn every_provider_format_is_found_and_only_once() {
    let scanner = Scanner::default();
    for (id, line) in planted_tokens() {
        let found = scanner.scan("ci/deploy.sh", format!("{line}\n").as_bytes());
        assert_eq!(found.len(), 1, "{id}: {found:?}");
        assert_eq!(found[0].rule.id(), id, "{line}");
        assert!(matches!(found[0].rule, Rule::Token(_)));
        // The token itself appears nowhere in what is reported.
        let secret = line.rsplit(['=', '/', '-', '_']).next().unwrap();
        assert!(!format!("{found:?}").contains(secret), "{id} leaks");
    }
}

#[test]
fn the_production_password_is_found_anywhere_and_never_shown() {
    let scanner = Scanner::new(vec![Secret::new("Prod-Corpus-Pw-7731")]);
    let found = scanner.scan(
        "docs/runbook.txt",
        b"connect with Prod-Corpus-Pw-7731 if the pooler is down\n",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, Rule::KnownPassword);
    assert!(!format!("{found:?}").contains("Prod-Corpus-Pw-7731"));
}
