//! `sql-injection`: source lines that build SQL by string formatting or concatenation,
//! the pattern behind SQL injection. A heuristic, line by line: a string literal that
//! reads like SQL (`SELECT … FROM`, `INSERT INTO`, `UPDATE … SET`, `DELETE FROM`) and is
//! - a Python f-string with a `{…}` field, or formatted with `%` or `.format(`;
//! - a Rust `format!` with a `{…}` field;
//! - a JavaScript/TypeScript template literal with `${…}` (tagged templates such as
//!   `sql\`…\`` are parameterised by their library and pass);
//! - concatenated with `+` to a name.
//!
//! Passing parameters separately (`cursor.execute("… %s", (x,))`, `$1`, `?`) is the fix
//! and is not reported. It can miss SQL built across several lines and can flag a
//! formatted string that never reaches a database; the evidence says where to look.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::base::pathglob::PathGlobs;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::pass::Share;
use crate::probe::shared::{files, plural};
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome, on_blocking_pool};
use crate::system::walk::{Collect, Content, Visitor};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "sql-injection",
    summary: "No source line builds SQL by string formatting or concatenation (a heuristic).",
    params: &[ParamSpec {
        name: "files",
        ty: ParamType::StringList,
        required: false,
        default: Some(
            "[\"*.py\", \"*.rs\", \"*.js\", \"*.mjs\", \"*.cjs\", \"*.ts\", \"*.tsx\", \"*.jsx\", \"*.go\", \"*.java\", \"*.rb\", \"*.php\", \"*.cs\"]",
        ),
        doc: "Source files to read, searched recursively (git-ignored folders are skipped).",
    }],
    build: |p| Ok(Arc::new(SqlInjectionProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct SqlInjectionProbe {
    files: PathGlobs,
    /// Its share of the run's pass over the project's files.
    share: Share<Vec<Evidence>>,
}

impl SqlInjectionProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(SqlInjectionProbe {
            files: p.globs_or_default("files")?,
            share: Share::default(),
        })
    }
}

/// Text that reads like a SQL statement.
static SQL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(select\s.*\bfrom\b|insert\s+into\b|update\s+\S+\s+set\b|delete\s+from\b)")
        .expect("valid pattern")
});

/// One way of building a string, with the regex that finds its literal: group 1 is the
/// literal's text.
struct Construct {
    what: &'static str,
    pattern: Regex,
    /// The literal must contain this to count (a formatting field).
    needs: Option<&'static str>,
}

static CONSTRUCTS: LazyLock<Vec<Construct>> = LazyLock::new(|| {
    let c = |what, pattern: &str, needs| Construct {
        what,
        pattern: Regex::new(pattern).expect("valid pattern"),
        needs,
    };
    vec![
        c(
            "a Python f-string",
            r#"\b[fF][rR]?(?:"([^"]*)"|'([^']*)')"#,
            Some("{"),
        ),
        c(
            "`%` formatting",
            r#"(?:"([^"]*)"|'([^']*)')\s*%\s*[\w(\[]"#,
            None,
        ),
        c(
            "`.format(`",
            r#"(?:"([^"]*)"|'([^']*)')\s*\.format\("#,
            None,
        ),
        c("`format!`", r#"format!\(\s*"([^"]*)""#, Some("{")),
        c("a template literal", r"(^|[^\w$.])`([^`]*)`", Some("${")),
        c(
            "`+` concatenation",
            r#"(?:"([^"]*)"|'([^']*)')\s*\+\s*[A-Za-z_]"#,
            None,
        ),
        c(
            "`+` concatenation",
            r#"[A-Za-z_)\]]\s*\+\s*(?:"([^"]*)"|'([^']*)')"#,
            None,
        ),
    ]
});

/// The words a line must hold for [`SQL`] to match it, found in one pass over a file
/// before any other regex runs: most source files hold none. (In ASCII letters of
/// either case. Four literals in a regex are searched with SIMD, several times faster
/// than by a case-insensitive Aho-Corasick automaton, which has no prefilter.)
static KEYWORDS: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new("(?i-u)select|insert|update|delete")
        .expect("the keywords are a valid pattern")
});

/// `(line, column, construct)` of each line that builds SQL by formatting.
pub fn scan(text: &str) -> Vec<(usize, usize, &'static str)> {
    let mut found = Vec::new();
    // Only lines holding a keyword can match: their starts, in order, once each.
    let mut starts: Vec<usize> = Vec::new();
    for m in KEYWORDS.find_iter(text.as_bytes()) {
        let start = memchr::memrchr(b'\n', &text.as_bytes()[..m.start()]).map_or(0, |i| i + 1);
        if starts.last() != Some(&start) {
            starts.push(start);
        }
    }
    if starts.is_empty() {
        return found;
    }
    // Line numbers of those starts, counted as the text is walked once.
    let mut line_number = 1;
    let mut counted_to = 0;
    for start in starts {
        line_number += memchr::memchr_iter(b'\n', &text.as_bytes()[counted_to..start]).count();
        counted_to = start;
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |i| start + i);
        let line = text[start..end]
            .strip_suffix('\r')
            .unwrap_or(&text[start..end]);
        let index = line_number - 1;
        if !SQL.is_match(line) {
            continue;
        }
        for construct in CONSTRUCTS.iter() {
            let hit = construct.pattern.captures_iter(line).find(|m| {
                let literal = m
                    .iter()
                    .skip(1)
                    .flatten()
                    .map(|g| g.as_str())
                    .filter(|s| !s.is_empty())
                    .last()
                    .unwrap_or_default();
                SQL.is_match(literal) && construct.needs.is_none_or(|n| literal.contains(n))
            });
            if let Some(m) = hit {
                // A template literal's match begins with the character before it.
                let start = match m.get(2) {
                    Some(literal) if construct.needs == Some("${") => literal.start() - 1,
                    _ => m.get(0).map_or(0, |g| g.start()),
                };
                found.push((index + 1, line[..start].chars().count() + 1, construct.what));
                break;
            }
        }
    }
    found
}

impl SqlInjectionProbe {
    /// Its visitor: the matching source files, each scanned as it is read.
    fn prepare(&self, ctx: &ProbeContext) -> Result<Collect<'static, Vec<Evidence>>, ProbeOutcome> {
        // The run's listing, shared: the files matching are chosen, not copied.
        let globs = self.files.clone();
        let collect = Collect::of(
            Arc::clone(ctx.project_files_shared()),
            move |f| globs.is_match(&f.rel),
            Content::Text,
            |file, bytes| {
                // Decoded only when it holds a keyword.
                if !KEYWORDS.is_match(bytes) {
                    return Vec::new();
                }
                scan(&String::from_utf8_lossy(bytes))
                    .into_iter()
                    .map(|(line, column, what)| {
                        Evidence::at(
                            &file.rel,
                            line,
                            column,
                            format!(
                                "SQL built with {what}: pass the values as query parameters instead"
                            ),
                        )
                    })
                    .collect::<Vec<_>>()
            },
        );
        if collect.count() == 0 {
            return Err(files::none_match(&self.files, "source files"));
        }
        Ok(collect)
    }
}

impl Probe for SqlInjectionProbe {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        on_blocking_pool(self, ctx, Self::check)
    }

    fn concludes_from_files(&self) -> bool {
        true
    }

    fn reads_files(&self) -> bool {
        true
    }

    fn visitor(&self, ctx: &ProbeContext) -> Option<Arc<dyn Visitor>> {
        self.share.visitor(|| self.prepare(ctx))
    }
}

impl SqlInjectionProbe {
    /// The check, on the blocking pool (see [`Probe::run`]).
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let (per_file, unread, read) = match self.share.results(ctx, || self.prepare(ctx)) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let matching = read + unread.len();
        let findings: Vec<Evidence> = per_file.into_iter().flatten().collect();
        let unread_notes: Vec<Evidence> = unread
            .iter()
            .map(|s| Evidence::file(s.rel.clone(), format!("not read: {}", s.reason)))
            .collect();
        if read == 0 {
            return ProbeOutcome::error(format!(
                "none of the {matching} matching source file{} could be read",
                plural(matching)
            ))
            .with_evidence(unread_notes);
        }
        let scope = if unread_notes.is_empty() {
            format!("{read} source file{}", plural(read))
        } else {
            format!(
                "{read} source file{}, {} not read",
                plural(read),
                unread_notes.len()
            )
        };
        if findings.is_empty() {
            ProbeOutcome::pass(format!(
                "no SQL built by formatting or concatenation ({scope}; a heuristic)"
            ))
            .with_evidence(unread_notes)
        } else {
            ProbeOutcome::fail(format!(
                "{} line{} build SQL from strings ({scope}; a heuristic: review each)",
                findings.len(),
                plural(findings.len())
            ))
            .with_evidence(findings)
            .with_evidence(unread_notes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_formatting_and_passes_parameters() {
        let code = r#"cur.execute(f"SELECT * FROM users WHERE name = '{name}'")
cur.execute("SELECT * FROM users WHERE id = %s" % user_id)
cur.execute("DELETE FROM t WHERE id = {}".format(i))
cur.execute("SELECT * FROM users WHERE id = %s", (user_id,))
let q = format!("UPDATE accounts SET owner = '{}' WHERE id = 1", owner);
client.query("SELECT * FROM users WHERE id = $1", &[&id]).await?;
const r = await db.query(`SELECT * FROM users WHERE id = ${id}`);
const s = await sql`SELECT * FROM users WHERE id = ${id}`;
q = "INSERT INTO log VALUES ('" + msg + "')"
print(f"selected {n} rows from the list")
"#;
        assert_eq!(
            scan(code),
            [
                (1, 13, "a Python f-string"),
                (2, 13, "`%` formatting"),
                (3, 13, "`.format(`"),
                (5, 9, "`format!`"),
                (7, 26, "a template literal"),
                (9, 5, "`+` concatenation"),
            ]
        );
    }
}
