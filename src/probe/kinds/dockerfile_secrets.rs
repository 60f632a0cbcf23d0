//! `dockerfile-secrets`: no `ENV` or `ARG` in a Dockerfile gives a secret-like name
//! (`*PASSWORD*`, `*TOKEN*`, `*SECRET*`, ...) a literal value. Such values are baked into
//! the image and shown by `docker history`. Reads every stage, joins line
//! continuations (honouring `# escape=`), and both `ENV a=b` and the legacy `ENV a b`.
//! Values are never shown.

use std::sync::Arc;

use crate::base::fs::Links;
use crate::base::pathglob::PathGlobs;
use crate::base::secret::{is_reference, is_secret_assignment, is_secret_name};
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::files;
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::system::walk;

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "dockerfile-secrets",
    summary: "No ENV or ARG in a Dockerfile gives a secret-like name a literal value.",
    params: &[ParamSpec {
        name: "files",
        ty: ParamType::StringList,
        required: false,
        default: Some(
            "[\"Dockerfile\", \"Dockerfile.*\", \"*.Dockerfile\", \"*.dockerfile\", \"Containerfile\"]",
        ),
        doc: "Dockerfiles to read, searched recursively (git-ignored folders are skipped).",
    }],
    build: |p| Ok(Arc::new(DockerfileSecretsProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct DockerfileSecretsProbe {
    files: PathGlobs,
}

impl DockerfileSecretsProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(DockerfileSecretsProbe {
            files: p.globs_or_default("files")?,
        })
    }
}

/// One `ENV` / `ARG` assignment of a secret-like name.
#[derive(Debug, PartialEq, Eq)]
pub struct Assignment {
    /// `ENV` or `ARG`.
    pub instruction: &'static str,
    /// The variable.
    pub name: String,
    /// Whether the value is written out (not empty, not `$OTHER`).
    pub literal: bool,
    /// The build stage (`FROM ... AS name`, or its index).
    pub stage: String,
    /// One-based line and column of the name.
    pub line: usize,
    /// Column.
    pub column: usize,
}

/// Splits `text` into words, keeping quoted parts together; each word with its byte
/// offset.
fn words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = None;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                start.get_or_insert(i);
                quote = Some(c);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    out.push((s, std::mem::take(&mut current)));
                }
            }
            (None, c) => {
                start.get_or_insert(i);
                current.push(c);
            }
        }
    }
    if let Some(s) = start {
        out.push((s, current));
    }
    out
}

/// Whether `name=value` bakes a secret into the image: the classifier shared with the
/// secret scanner decides (`ENV POSTGRES_PASSWORD_FILE=/run/secrets/pw` does not,
/// a placeholder does not).
fn is_literal(name: &str, value: &str) -> bool {
    !is_reference(value) && is_secret_assignment(name, value.trim_matches(['"', '\'']))
}

/// The secret-like `ENV`/`ARG` assignments of a Dockerfile.
pub fn scan(text: &str) -> Vec<Assignment> {
    let mut escape = '\\';
    // Parser directives come first: `# escape=`` `.
    for line in text.lines() {
        let t = line.trim();
        let Some(directive) = t.strip_prefix('#') else {
            break;
        };
        if let Some((k, v)) = directive.split_once('=')
            && k.trim().eq_ignore_ascii_case("escape")
            && let Some(c) = v.trim().chars().next()
        {
            escape = c;
        }
    }
    let mut found = Vec::new();
    let mut stage = String::from("0");
    let mut stages = 0;
    // (instruction text, line of each char offset start) joined from continuations.
    let mut pending: Option<(String, Vec<(usize, usize)>)> = None;
    let lines: Vec<&str> = text.lines().collect();
    for (index, raw) in lines.iter().enumerate() {
        let number = index + 1;
        let trimmed = raw.trim_start();
        if pending.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if pending.is_some() && trimmed.starts_with('#') {
            continue; // comments inside a continued instruction are dropped
        }
        let (joined, map) = pending.get_or_insert_with(|| (String::new(), Vec::new()));
        let continued = raw.trim_end().ends_with(escape);
        let body = if continued {
            let t = raw.trim_end();
            &t[..t.len() - escape.len_utf8()]
        } else {
            raw
        };
        map.push((joined.len(), number));
        joined.push_str(body);
        joined.push(' ');
        if continued {
            continue;
        }
        let (joined, map) = pending.take().unwrap_or_default();
        let position = |offset: usize| -> (usize, usize) {
            let (start, line) = map
                .iter()
                .rev()
                .find(|(s, _)| *s <= offset)
                .copied()
                .unwrap_or((0, number));
            let line_text = lines.get(line - 1).copied().unwrap_or_default();
            let column = line_text[..(offset - start).min(line_text.len())]
                .chars()
                .count()
                + 1;
            (line, column)
        };
        let all = words(&joined);
        let Some((_, instruction)) = all.first() else {
            continue;
        };
        let args = &all[1..];
        match instruction.to_ascii_uppercase().as_str() {
            "FROM" => {
                stages += 1;
                stage = match args {
                    [.., (_, as_), (_, name)] if as_.eq_ignore_ascii_case("as") => name.clone(),
                    _ => (stages - 1).to_string(),
                };
            }
            "ENV" if args.len() >= 2 && !args[0].1.contains('=') => {
                // Legacy form: `ENV NAME the rest of the line`.
                let (offset, name) = &args[0];
                if is_secret_name(name) {
                    let rest: Vec<&str> = args[1..].iter().map(|(_, w)| w.as_str()).collect();
                    let (line, column) = position(*offset);
                    found.push(Assignment {
                        instruction: "ENV",
                        name: name.clone(),
                        literal: is_literal(name, &rest.join(" ")),
                        stage: stage.clone(),
                        line,
                        column,
                    });
                }
            }
            kind @ ("ENV" | "ARG") => {
                for (offset, word) in args {
                    let (name, value) = match word.split_once('=') {
                        Some((n, v)) => (n, v),
                        None => (word.as_str(), ""),
                    };
                    if is_secret_name(name) {
                        let (line, column) = position(*offset);
                        found.push(Assignment {
                            instruction: if kind == "ENV" { "ENV" } else { "ARG" },
                            name: name.to_string(),
                            literal: is_literal(name, value),
                            stage: stage.clone(),
                            line,
                            column,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    found
}

impl BlockingProbe for DockerfileSecretsProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let paths = match files::matching(ctx, &self.files, "Dockerfiles") {
            Ok(paths) => paths,
            Err(skipped) => return skipped,
        };
        let mut bad = Vec::new();
        let mut notes = Vec::new();
        let mut errors = Vec::new();
        for found in paths.iter() {
            let (path, file) = (&found.path(), &found.rel);
            // Through the run's cache: the run's pass reads the same Dockerfile.
            let text = match ctx
                .files
                .reads
                .read_text(path, walk::MAX_FILE, Links::Refuse)
            {
                Ok(text) => text,
                Err(e) => {
                    errors.push(Evidence::file(file, format!("cannot read: {e}")));
                    continue;
                }
            };
            for a in scan(&text) {
                let at = |m: String| Evidence::at(file.as_str(), a.line, a.column, m);
                if a.literal {
                    bad.push(at(format!(
                        "{} {}=**** in stage {}: a literal secret is baked into the image (`docker history` shows it); use a build secret (`RUN --mount=type=secret`) or set it at run time",
                        a.instruction, a.name, a.stage
                    )).failing());
                } else {
                    notes.push(at(format!(
                        "{} {} in stage {} has no literal value",
                        a.instruction, a.name, a.stage
                    )));
                }
            }
        }
        let scope = format!(
            "{} Dockerfile{}",
            paths.len(),
            if paths.len() == 1 { "" } else { "s" }
        );
        if !bad.is_empty() {
            ProbeOutcome::fail(format!(
                "{} literal secret{} in {scope}",
                bad.len(),
                if bad.len() == 1 { "" } else { "s" }
            ))
            .with_evidence(bad.into_iter().chain(errors).chain(notes))
        } else if !errors.is_empty() {
            ProbeOutcome::error("a Dockerfile could not be read")
                .with_evidence(errors.into_iter().chain(notes))
        } else {
            ProbeOutcome::pass(format!("no literal secret in ENV or ARG ({scope})"))
                .with_evidence(notes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_literal_secrets_in_every_form() {
        let text = "# escape=\\\nFROM python:3.12 AS builder\nARG DB_PASSWORD=hunter2\nARG API_TOKEN\nENV PG_HOST=db \\\n    PG_PASSWORD=\"s3cret value\" \\\n    OTHER=1\nFROM python:3.12-slim\nENV SECRET_KEY k3X1mB5tq2Wc0xZ8yJ9p\nENV APP_SECRET changeme\nENV POSTGRES_PASSWORD_FILE=/run/secrets/pw\nenv DB_PASS=$DB_PASS\n";
        let found: Vec<(String, bool, String, usize, usize)> = scan(text)
            .into_iter()
            .map(|a| (a.name, a.literal, a.stage, a.line, a.column))
            .collect();
        assert_eq!(
            found,
            vec![
                ("DB_PASSWORD".into(), true, "builder".into(), 3, 5),
                ("API_TOKEN".into(), false, "builder".into(), 4, 5),
                ("PG_PASSWORD".into(), true, "builder".into(), 6, 5),
                ("SECRET_KEY".into(), true, "1".into(), 9, 5),
                ("APP_SECRET".into(), false, "1".into(), 10, 5),
                ("DB_PASS".into(), false, "1".into(), 12, 5),
            ]
        );
    }
}
