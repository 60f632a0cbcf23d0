//! `connection-string`: PostgreSQL connection URLs in the project's configuration files
//! (`.mcp.json`, `.env*`, Compose files) that point at a production server ask for
//! `sslmode=require` or stronger, and none carries a literal password in a file git
//! tracks. URLs to loopback hosts, and those in development and example files (`.env.example`, `.env.sample`,
//! `.env.development`, `.env.local`, `.env.test`), are local development and only
//! listed. Passwords are shown as `****`.

use std::sync::Arc;

use crate::base::pathglob::PathGlobs;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::config::pgurl::PgUrl;
use crate::probe::catalog::KindInfo;
use crate::probe::pass::Share;
use crate::probe::shared::files::is_development_file;
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome, on_blocking_pool};
use crate::system::walk::{Collect, Content, Visitor};

const SSLMODES: &[&str] = &[
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "connection-string",
    summary: "Production connection URLs in configuration files require TLS and carry no inline password in a tracked file.",
    params: &[
        ParamSpec {
            name: "files",
            ty: ParamType::StringList,
            required: false,
            default: Some(
                "[\".mcp.json\", \".env*\", \"*.env\", \"docker-compose*.y*ml\", \"compose*.y*ml\"]",
            ),
            doc: "Files to search (globs; searched recursively, git-ignored files included).",
        },
        ParamSpec {
            name: "min_sslmode",
            ty: ParamType::Choice(&["prefer", "require", "verify-ca", "verify-full"]),
            required: false,
            default: Some("\"require\""),
            doc: "The weakest acceptable sslmode; a URL without one means libpq's default, prefer.",
        },
    ],
    build: |p| Ok(Arc::new(ConnectionStringProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct ConnectionStringProbe {
    files: PathGlobs,
    min_sslmode: usize,
    /// Its share of the run's pass over the project's files: each file's URLs.
    share: Share<(String, Vec<FoundUrl>)>,
}

impl ConnectionStringProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let files = p.globs_or_default("files")?;
        let min = p.string_or_default("min_sslmode")?;
        let min_sslmode = SSLMODES
            .iter()
            .position(|m| *m == min)
            .ok_or_else(|| ParamError::new("min_sslmode", format!("`{min}` is not an sslmode")))?;
        Ok(ConnectionStringProbe {
            files,
            min_sslmode,
            share: Share::default(),
        })
    }
}

/// One URL found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundUrl {
    /// One-based line.
    pub line: usize,
    /// One-based column.
    pub column: usize,
    /// The URL as written.
    pub text: String,
}

/// The `postgres://` and `postgresql://` URLs in a text.
pub fn find_urls(text: &str) -> Vec<FoundUrl> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(at) = ["postgresql://", "postgres://"]
            .iter()
            .filter_map(|s| line[from..].find(s).map(|i| from + i))
            .min()
        {
            let end = line[at..]
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | '}' | ')')
                })
                .map_or(line.len(), |e| at + e);
            out.push(FoundUrl {
                line: n + 1,
                column: line[..at].chars().count() + 1,
                text: line[at..end].to_string(),
            });
            from = end.max(at + 1);
        }
    }
    out
}

/// The URL with its password replaced by `****`.
pub fn masked(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            let mut text = u.to_string();
            if let Some(q) = u.query()
                && q.contains("password=")
            {
                text = text.replace(q, "password=****");
            }
            text
        }
        Ok(u) if u.query().is_some_and(|q| q.contains("password=")) => {
            let mut u = u;
            u.set_query(Some("password=****"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(unparsable URL)".to_string(),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl ConnectionStringProbe {
    /// Its visitor: the matching files (git-ignored ones too: they are on disk), each
    /// searched for connection URLs as it is read.
    fn prepare(
        &self,
        ctx: &ProbeContext,
    ) -> Result<Collect<'static, (String, Vec<FoundUrl>)>, ProbeOutcome> {
        // The run's listing, shared: the matching files are chosen, not copied.
        let globs = self.files.clone();
        Ok(Collect::of(
            Arc::clone(ctx.project_files_with_ignored_shared()),
            move |f| globs.is_match(&f.rel),
            Content::Text,
            |file, bytes| (file.rel.clone(), find_urls(&String::from_utf8_lossy(bytes))),
        ))
    }
}

impl Probe for ConnectionStringProbe {
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

impl ConnectionStringProbe {
    /// The check, on the blocking pool (see [`Probe::run`]).
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let (per_file, _unread, _read) = match self.share.results(ctx, || self.prepare(ctx)) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let index = ctx.tracked_files().unwrap_or_default();
        let tracked: std::collections::HashSet<&String> = index.iter().collect();
        let min = SSLMODES[self.min_sslmode];
        let (mut bad, mut good, mut local) = (Vec::new(), Vec::new(), Vec::new());
        for (rel, urls) in &per_file {
            let development = is_development_file(rel);
            for found in urls {
                let shown = masked(&found.text);
                let at =
                    |message: String| Evidence::at(rel.clone(), found.line, found.column, message);
                let Ok(url) = PgUrl::parse(&found.text) else {
                    bad.push(at(format!("{shown}: not a valid connection URL")));
                    continue;
                };
                let host = url.host.clone().unwrap_or_default();
                if development || is_loopback(&host) || host.contains('$') {
                    local.push(at(format!("{shown}: local development, not checked")));
                    continue;
                }
                let mut problems = Vec::new();
                let mode = url.sslmode.as_deref().unwrap_or("prefer");
                match SSLMODES.iter().position(|m| *m == mode) {
                    Some(i) if i >= self.min_sslmode => {}
                    Some(_) => problems.push(format!("sslmode={mode} is weaker than {min}")),
                    None => problems.push(format!("unknown sslmode `{mode}`")),
                }
                let inline = url
                    .password
                    .as_ref()
                    .is_some_and(|p| !p.expose().is_empty() && !p.expose().starts_with('$'));
                if inline && tracked.contains(rel) {
                    problems.push("a literal password in a file git tracks".to_string());
                }
                if problems.is_empty() {
                    good.push(at(format!("{shown}: sslmode={mode}")));
                } else {
                    bad.push(at(format!("{shown}: {}", problems.join("; "))));
                }
            }
        }
        let total = bad.len() + good.len() + local.len();
        if !bad.is_empty() {
            ProbeOutcome::fail(format!(
                "{} of {total} connection URL{} unsafe for production",
                bad.len(),
                if total == 1 { " is" } else { "s are" }
            ))
            .with_evidence(bad)
            .with_evidence(good)
            .with_evidence(local)
        } else if total == 0 {
            ProbeOutcome::skipped(format!("no connection URL in {}", self.files.describe()))
        } else if good.is_empty() {
            ProbeOutcome::skipped(format!(
                "no production connection URL: {} local or development one{} only",
                local.len(),
                if local.len() == 1 { "" } else { "s" }
            ))
            .with_evidence(local)
        } else {
            ProbeOutcome::pass(format!(
                "{} production connection URL{} require TLS ({} local)",
                good.len(),
                if good.len() == 1 { "" } else { "s" },
                local.len()
            ))
            .with_evidence(good)
            .with_evidence(local)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_urls_with_positions_and_masks_passwords() {
        let text = "{\n  \"env\": { \"DATABASE_URL\": \"postgresql://app:s3cret@db.internal:5432/app?sslmode=require\" }\n}\nX=postgres://u@h/d Y=postgres://v@w/e";
        let found = find_urls(text);
        assert_eq!(found.len(), 3);
        assert_eq!((found[0].line, found[0].column), (2, 29));
        assert_eq!(
            found[0].text,
            "postgresql://app:s3cret@db.internal:5432/app?sslmode=require"
        );
        assert_eq!(found[2].text, "postgres://v@w/e");
        let m = masked(&found[0].text);
        assert_eq!(
            m,
            "postgresql://app:****@db.internal:5432/app?sslmode=require"
        );
        assert!(!masked("postgres://u@h/d?password=s3cret").contains("s3cret"));
    }
}
