//! `file-fresh`: a file, or the newest file matching a glob, exists and was modified
//! within `max_age`, with optional content checks: `jsonl` (every line is a JSON value,
//! as an audit log should be), `pg_dump` (a `pg_dump` custom-format archive, as a
//! backup should be) or `openpgp` (an encrypted OpenPGP message, binary or
//! ASCII-armoured, as `gpg --encrypt` or `gpg --symmetric` writes an encrypted backup).

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::base::duration::HumanDuration;
use crate::base::fs::{self, Links};
use crate::base::path::display_path;
use crate::base::timestamp::Timestamp;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::system::walk::Walk;

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "file-fresh",
    summary: "A file, or the newest file matching a glob, exists, was modified within max_age, and optionally holds JSON lines, a pg_dump archive or an encrypted OpenPGP message.",
    params: &[
        ParamSpec {
            name: "path",
            ty: ParamType::String,
            required: true,
            default: None,
            doc: "A file or a glob (`backups/*.dump`); `~` is $HOME, relative paths start at the project root.",
        },
        ParamSpec {
            name: "max_age",
            ty: ParamType::Duration,
            required: true,
            default: None,
            doc: "The newest match must be younger than this, e.g. \"7d\".",
        },
        ParamSpec {
            name: "content",
            ty: ParamType::String,
            required: false,
            default: None,
            doc: "\"jsonl\" (every line is JSON), \"pg_dump\" (a pg_dump custom-format archive) or \"openpgp\" (an encrypted OpenPGP message, e.g. from `gpg --encrypt`).",
        },
    ],
    build: |p| Ok(Arc::new(FileFreshProbe::from_params(p)?)),
};

/// What the file must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    JsonLines,
    PgDump,
    OpenPgp,
}

/// The configured probe.
#[derive(Debug)]
pub struct FileFreshProbe {
    path: String,
    max_age: HumanDuration,
    content: Option<Content>,
}

impl FileFreshProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let content = match p.string("content")? {
            None => None,
            Some("jsonl") => Some(Content::JsonLines),
            Some("pg_dump") => Some(Content::PgDump),
            Some("openpgp") => Some(Content::OpenPgp),
            Some(other) => {
                return Err(ParamError::new(
                    "content",
                    format!(
                        "`{other}` is not a content check: use \"jsonl\", \"pg_dump\" or \"openpgp\""
                    ),
                ));
            }
        };
        let path = p.string("path")?.unwrap_or_default().to_string();
        if is_glob(&path) {
            globset::Glob::new(&path).map_err(|e| ParamError::new("path", e.to_string()))?;
        }
        Ok(FileFreshProbe {
            path,
            max_age: p
                .human_duration("max_age")?
                .ok_or_else(|| ParamError::new("max_age", "is required"))?,
            content,
        })
    }
}

fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '[', '{'])
}

/// The newest regular file matching `pattern` (an absolute path with glob characters).
fn newest_match(pattern: &Path) -> Result<Option<(PathBuf, SystemTime)>, String> {
    let text = pattern.to_string_lossy();
    let matcher = globset::GlobBuilder::new(&text)
        .literal_separator(true)
        .build()
        .map_err(|e| e.to_string())?
        .compile_matcher();
    // Walk from the deepest folder without glob characters.
    let mut base = PathBuf::new();
    let mut depth = 0;
    let mut globbed = false;
    for part in pattern.components() {
        if globbed || is_glob(&part.as_os_str().to_string_lossy()) {
            globbed = true;
            depth += 1;
        } else {
            base.push(part);
        }
    }
    // Backups are usually git-ignored, and may sit anywhere: every file counts.
    let mut walk = Walk::new(&base)
        .include_ignored(true)
        .include_vendored(true);
    if !text.contains("**") {
        walk = walk.max_depth(depth);
    }
    let mut newest: Option<(PathBuf, SystemTime)> = None;
    for file in walk.list().files {
        if !matcher.is_match(file.path()) {
            continue;
        }
        let Some(modified) = std::fs::symlink_metadata(file.path())
            .ok()
            .and_then(|m| m.modified().ok())
        else {
            continue;
        };
        if newest.as_ref().is_none_or(|(_, t)| modified > *t) {
            newest = Some((file.path(), modified));
        }
    }
    Ok(newest)
}

/// How much of a JSON lines file is checked.
const MAX_JSON_LINES: u64 = 64 * 1024 * 1024;

/// Why the file does not hold the expected content, if it does not.
fn content_problem(path: &Path, content: Content) -> Option<String> {
    // A regular file only: a FIFO or a device named by the path is refused, not read.
    let (file, size) = match fs::open_regular(path, Links::Follow) {
        Ok(opened) => opened,
        Err(e) => return Some(format!("cannot read: {e}")),
    };
    match content {
        Content::PgDump => {
            let mut magic = [0u8; 5];
            match file.take(5).read_exact(&mut magic) {
                Ok(()) if &magic == b"PGDMP" => None,
                _ => Some(
                    "is not a pg_dump custom-format archive (no PGDMP header): back up with `pg_dump -Fc`"
                        .to_string(),
                ),
            }
        }
        Content::OpenPgp => {
            let mut head = Vec::new();
            if let Err(e) = file.take(4096).read_to_end(&mut head) {
                return Some(format!("cannot read: {e}"));
            }
            openpgp_problem(&head)
        }
        Content::JsonLines => {
            let mut lines = 0;
            // A long log is checked up to a bound; the line the bound cuts is not judged.
            let cut = size > MAX_JSON_LINES;
            let reader = std::io::BufReader::new(file.take(MAX_JSON_LINES));
            let mut records = reader.split(b'\n').enumerate().peekable();
            while let Some((index, line)) = records.next() {
                let line = match line {
                    Ok(l) => l,
                    Err(e) => return Some(format!("cannot read: {e}")),
                };
                if cut && records.peek().is_none() {
                    break;
                }
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&line) {
                    return Some(format!(
                        "line {} is not JSON ({}, column {})",
                        index + 1,
                        json_error_kind(&e),
                        e.column()
                    ));
                }
                lines += 1;
            }
            (lines == 0).then(|| "is empty: no JSON line written yet".to_string())
        }
    }
}

/// Why a file starting with `head` is not an encrypted OpenPGP message, if it is not.
///
/// An encrypted message (RFC 9580 §10.3) starts with a public-key (tag 1) or
/// symmetric-key (tag 3) encrypted session key packet; a signed, compressed or literal
/// message is OpenPGP but readable by anyone. ASCII armour is decoded far enough to see
/// the first packet.
fn openpgp_problem(head: &[u8]) -> Option<String> {
    const NOT_OPENPGP: &str =
        "is not an OpenPGP message: encrypt it, e.g. `gpg --encrypt --recipient …`";
    let first = match head.strip_prefix(b"-----BEGIN PGP ") {
        Some(rest) if rest.starts_with(b"MESSAGE-----") => armoured_first_byte(rest),
        Some(_) => {
            return Some(
                "is ASCII-armoured OpenPGP but not an encrypted message (a key, a signature or signed clear text): encrypt it, e.g. `gpg --encrypt --recipient …`"
                    .to_string(),
            );
        }
        None => head.first().copied(),
    };
    let Some(first) = first.filter(|b| b & 0x80 != 0) else {
        return Some(NOT_OPENPGP.to_string());
    };
    // New packet format: the tag is the low six bits; the old one: bits 5..2.
    let tag = if first & 0x40 != 0 {
        first & 0x3f
    } else {
        (first >> 2) & 0x0f
    };
    let what = match tag {
        1 | 3 => return None,
        2 | 4 => "a signature",
        8 => "a compressed-data",
        11 => "a literal-data",
        6 | 5 => "a key",
        _ => return Some(NOT_OPENPGP.to_string()),
    };
    Some(format!(
        "is OpenPGP but not encrypted (it starts with {what} packet): encrypt it, e.g. `gpg --encrypt --recipient …`"
    ))
}

/// The first byte of an armoured message's body: after the armour headers and the
/// blank line, decoded from base64.
fn armoured_first_byte(after_begin: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(after_begin).ok()?;
    let mut lines = text.lines().skip(1);
    // Armour headers (`Version: …`) end at the first blank line.
    lines.by_ref().find(|l| l.trim().is_empty())?;
    let mut sextets = lines
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'A'..='Z' => Some(c as u8 - b'A'),
            'a'..='z' => Some(c as u8 - b'a' + 26),
            '0'..='9' => Some(c as u8 - b'0' + 52),
            '+' => Some(62),
            '/' => Some(63),
            _ => None,
        });
    let (a, b) = (sextets.next()??, sextets.next()??);
    Some((a << 2) | (b >> 4))
}

/// What kind of JSON error, in words.
fn json_error_kind(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Eof => "cut short",
        serde_json::error::Category::Data | serde_json::error::Category::Io => "invalid",
    }
}

impl BlockingProbe for FileFreshProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let full = match ctx.expand_path(&self.path) {
            Ok(p) => p,
            Err(e) => return ProbeOutcome::error(e.to_string()),
        };
        let found = if is_glob(&self.path) {
            match newest_match(&full) {
                Ok(found) => found,
                Err(e) => return ProbeOutcome::error(format!("`{}`: {e}", self.path)),
            }
        } else {
            std::fs::metadata(&full)
                .and_then(|m| m.modified())
                .ok()
                .map(|t| (full.clone(), t))
        };
        let Some((path, modified)) = found else {
            return ProbeOutcome::fail(format!("nothing at `{}`", self.path));
        };
        let shown = display_path(&ctx.project_dir, &path);
        let age = SystemTime::now()
            .duration_since(modified)
            .unwrap_or_default();
        let when = Timestamp::from_datetime(modified.into()).truncated_to_seconds();
        let mut evidence = vec![Evidence::file(&shown, format!("modified {when}"))];
        let mut problems = Vec::new();
        if age > self.max_age.duration {
            problems.push(format!(
                "{shown} was last modified {} ago, more than {}",
                crate::base::duration::describe_coarse(age),
                self.max_age
            ));
        }
        if let Some(content) = self.content
            && let Some(problem) = content_problem(&path, content)
        {
            problems.push(format!("{shown} {problem}"));
        }
        if problems.is_empty() {
            let what = match self.content {
                Some(Content::JsonLines) => ", every line JSON",
                Some(Content::PgDump) => ", a pg_dump archive",
                Some(Content::OpenPgp) => ", an encrypted OpenPGP message",
                None => "",
            };
            ProbeOutcome::pass(format!(
                "{shown} modified {} ago (within {}){what}",
                crate::base::duration::describe_coarse(age),
                self.max_age
            ))
            .with_evidence(evidence)
        } else {
            evidence.extend(problems.iter().skip(1).map(|p| Evidence::note(p.clone())));
            ProbeOutcome::fail(problems[0].clone()).with_evidence(evidence)
        }
    }
}
