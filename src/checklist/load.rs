//! Loading a checklist from TOML and validating it, reporting every problem at once.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::DeValue;

use super::kinds::{KindSpec, ProbeKinds};
use super::params::{ParamValue, Params};
use super::{Checklist, FORMAT_VERSION, Item, Part, ProbeSpec, Provenance, Tier, shipped};
use crate::base::diagnostic::{Diagnostics, SourceFile, did_you_mean};
use crate::base::digest::sha256_hex;
use crate::base::duration::HumanDuration;
use crate::base::fs::{self, Links, ReadError};
use crate::base::text::escape_controls;
use crate::base::toml_reader::{
    Table, TomlReader, header_span, integer_value, parse_document, type_name,
};

/// Why a checklist could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read checklist {}: {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: ReadError,
    },
    /// The file was read but is not a valid checklist.
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// The largest checklist file read.
pub const MAX_CHECKLIST: u64 = 16 * 1024 * 1024;

/// Reads and validates a checklist file against the probe kinds `kinds`.
pub fn load_file(path: &Path, kinds: &dyn ProbeKinds) -> Result<Checklist, LoadError> {
    let text =
        fs::read_text(path, MAX_CHECKLIST, Links::Follow).map_err(|reason| LoadError::Io {
            path: path.to_path_buf(),
            reason,
        })?;
    let source = SourceFile::new(path, text);
    load_source(&source, &path.display().to_string(), kinds).map_err(LoadError::Invalid)
}

const CHECKLIST_KEYS: &[&str] = &["id", "title", "version", "description", "format"];
const ITEM_KEYS: &[&str] = &[
    "id",
    "tier",
    "title",
    "section",
    "rationale",
    "remediation",
    "references",
    "recurs",
    "probe",
];

/// Validates a checklist held in memory against the probe kinds `kinds`; `origin` says
/// where it came from.
pub fn load_source(
    source: &SourceFile,
    origin: &str,
    kinds: &dyn ProbeKinds,
) -> Result<Checklist, Diagnostics> {
    let doc = parse_document(source)?;
    let mut r = TomlReader::new(source);
    let root = doc.get_ref();
    r.reject_unknown_keys(root, &["checklist", "item"], "the checklist file");

    let mut checklist = Checklist {
        id: String::new(),
        title: String::new(),
        version: String::new(),
        description: String::new(),
        items: Vec::new(),
        origin: origin.to_string(),
        digest: sha256_hex(source.text.as_bytes()),
        // Settled once the id is known.
        provenance: Provenance::Custom,
        parts: Vec::new(),
    };

    match root.get("checklist") {
        None => r.error(
            0..0,
            "missing `[checklist]` table (it needs at least `id` and `title`)",
        ),
        Some(value) => match value.get_ref() {
            DeValue::Table(table) => {
                let span = header_span(source, value.span());
                read_header(&mut r, table, span, &mut checklist);
            }
            other => r.error(
                value.span(),
                format!("`checklist` must be a table, found {}", type_name(other)),
            ),
        },
    }

    match root.get("item") {
        None => r.error(
            0..0,
            "the checklist has no items: add at least one `[[item]]`",
        ),
        Some(value) => {
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (table, span) in r
                .array_of_tables(value, "item", "item", "the checklist file")
                .unwrap_or_default()
            {
                if let Some(item) = read_item(&mut r, table, span, &mut seen, kinds) {
                    checklist.items.push(item);
                }
            }
        }
    }

    let diagnostics = r.finish();
    if diagnostics.is_empty() {
        checklist.provenance = shipped::provenance(&checklist.id, &checklist.digest);
        checklist.parts = vec![Part {
            id: checklist.id.clone(),
            title: checklist.title.clone(),
            version: checklist.version.clone(),
            origin: checklist.origin.clone(),
            digest: checklist.digest.clone(),
            provenance: checklist.provenance,
        }];
        Ok(checklist)
    } else {
        Err(diagnostics)
    }
}

fn read_header(r: &mut TomlReader<'_>, table: &Table<'_>, span: Range<usize>, out: &mut Checklist) {
    r.reject_unknown_keys(table, CHECKLIST_KEYS, "[checklist]");
    if let Some(value) = table.get("format") {
        match integer_value(value.get_ref()) {
            Some(FORMAT_VERSION) => {}
            _ => r.error(
                value.span(),
                format!(
                    "unsupported checklist format (this preflight reads format = {FORMAT_VERSION})"
                ),
            ),
        }
    }
    let id = r.string(table, span.clone(), "id", true, "[checklist]");
    if let (Some(id), Some(v)) = (&id, table.get("id")) {
        check_kebab(r, id, v.span(), "checklist id");
    }
    out.id = id.unwrap_or_default();
    out.title =
        line(r.string(table, span.clone(), "title", true, "[checklist]")).unwrap_or_default();
    out.version = line(r.string(table, span.clone(), "version", false, "[checklist]"))
        .unwrap_or_else(|| "0".into());
    out.description =
        lines(r.string(table, span, "description", false, "[checklist]")).unwrap_or_default();
}

fn read_item(
    r: &mut TomlReader<'_>,
    table: &Table<'_>,
    span: Range<usize>,
    seen: &mut HashMap<String, usize>,
    kinds: &dyn ProbeKinds,
) -> Option<Item> {
    r.reject_unknown_keys(table, ITEM_KEYS, "[[item]]");
    let id = r.string(table, span.clone(), "id", true, "[[item]]");
    let context = match &id {
        Some(id) => format!("item `{id}`"),
        None => "[[item]]".to_string(),
    };
    if let (Some(id), Some(value)) = (&id, table.get("id")) {
        check_kebab(r, id, value.span(), "item id");
        let (line, _) = r.source.line_col(value.span().start);
        if let Some(first) = seen.get(id) {
            r.error_with_help(
                value.span(),
                format!("duplicate item id `{id}`"),
                format!("first defined on line {first}"),
            );
        } else {
            seen.insert(id.clone(), line);
        }
    }
    let tier = read_tier(r, table, span.clone(), &context);
    let title = line(r.string(table, span.clone(), "title", true, &context));
    let section = line(r.string(table, span.clone(), "section", false, &context));
    let rationale =
        lines(r.string(table, span.clone(), "rationale", false, &context)).unwrap_or_default();
    let remediation =
        lines(r.string(table, span.clone(), "remediation", false, &context)).unwrap_or_default();
    let references = r
        .string_list(table, "references", &context)
        .unwrap_or_default()
        .iter()
        .map(|reference| escape_controls(reference, false).into_owned())
        .collect();
    let recurs = read_duration(r, table, span, "recurs", &context);
    let probes = read_probes(r, table, &context, kinds);
    Some(Item {
        id: id?,
        tier: tier?,
        title: title?,
        section,
        rationale,
        remediation,
        references,
        recurs,
        probes: probes?,
        part: 0,
    })
}

/// A one-line text of the checklist with control characters escaped: a checklist
/// written by someone else cannot send escape sequences to a terminal.
fn line(text: Option<String>) -> Option<String> {
    text.map(|t| escape_controls(&t, false).into_owned())
}

/// A multi-line text of the checklist (rationale, remediation) with control characters
/// other than line ends and tabs escaped.
fn lines(text: Option<String>) -> Option<String> {
    text.map(|t| escape_controls(&t, true).into_owned())
}

fn check_kebab(r: &mut TomlReader<'_>, id: &str, span: Range<usize>, what: &str) {
    let kebab = !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if !kebab {
        r.error_with_help(
            span,
            format!("{what} `{id}` is not kebab-case"),
            "use lower-case letters, digits and single hyphens, e.g. `bind-ports-localhost`",
        );
    }
}

fn read_tier(
    r: &mut TomlReader<'_>,
    table: &Table<'_>,
    span: Range<usize>,
    context: &str,
) -> Option<Tier> {
    let name = r.string(table, span, "tier", true, context)?;
    name.parse::<Tier>().ok().or_else(|| {
        let help = match did_you_mean(&name, Tier::ALL.map(Tier::as_str)) {
            Some(near) => format!("did you mean `{near}`?"),
            None => "expected `critical`, `recommended` or `optional`".to_string(),
        };
        let at = table.get("tier").map(|v| v.span()).unwrap_or_default();
        r.error_with_help(at, format!("unknown tier `{name}` in {context}"), help);
        None
    })
}

fn read_duration(
    r: &mut TomlReader<'_>,
    table: &Table<'_>,
    span: Range<usize>,
    key: &str,
    context: &str,
) -> Option<HumanDuration> {
    let text = r.string(table, span, key, false, context)?;
    match text.parse() {
        Ok(d) => Some(d),
        Err(e) => {
            if let Some(v) = table.get(key) {
                r.error(v.span(), format!("{e} (`{key}` in {context})"));
            }
            None
        }
    }
}

/// Reads `[[item.probe]]`; `None` when any probe is invalid.
fn read_probes(
    r: &mut TomlReader<'_>,
    item: &Table<'_>,
    context: &str,
    kinds: &dyn ProbeKinds,
) -> Option<Vec<ProbeSpec>> {
    let Some(value) = item.get("probe") else {
        return Some(Vec::new());
    };
    let errors_before = r.diagnostics.len();
    let tables = r.array_of_tables(value, "probe", "item.probe", context)?;
    let probes: Vec<ProbeSpec> = tables
        .into_iter()
        .filter_map(|(table, span)| read_probe(r, table, span, context, kinds))
        .collect();
    (r.diagnostics.len() == errors_before).then_some(probes)
}

fn read_probe(
    r: &mut TomlReader<'_>,
    table: &Table<'_>,
    span: Range<usize>,
    item_context: &str,
    kinds: &dyn ProbeKinds,
) -> Option<ProbeSpec> {
    let kind_name = r.string(
        table,
        span.clone(),
        "kind",
        true,
        &format!("a probe of {item_context}"),
    )?;
    let kind_span = table.get("kind").map(|v| v.span()).unwrap_or(span.clone());
    let Some(kind) = kinds.find(&kind_name) else {
        let names: Vec<&str> = kinds.all().iter().map(|k| k.name).collect();
        let help = match did_you_mean(&kind_name, names.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("known kinds: {}", names.join(", ")),
        };
        r.error_with_help(kind_span, format!("unknown probe kind `{kind_name}`"), help);
        return None;
    };
    let context = format!("`{}` probe of {item_context}", kind.name);
    let errors_before = r.diagnostics.len();

    let allowed: Vec<&str> = ["kind", "timeout"]
        .into_iter()
        .chain(kind.params.iter().map(|p| p.name))
        .collect();
    r.reject_unknown_keys(table, &allowed, &context);
    let timeout = read_duration(r, table, span.clone(), "timeout", &context);

    let mut params = Params::default();
    for spec in kind.params {
        match table.get(spec.name) {
            None if spec.required => r.error(
                span.clone(),
                format!("{context}: missing required parameter `{}`", spec.name),
            ),
            None => {}
            Some(value) => match spec.ty.check(spec.name, value.get_ref()) {
                Ok(()) => {
                    params.0.insert(
                        spec.name.to_string(),
                        ParamValue::from_toml(value.get_ref()),
                    );
                }
                Err(message) => r.error(value.span(), format!("{context}: {message}")),
            },
        }
    }
    if r.diagnostics.len() > errors_before {
        return None;
    }
    check_build(r, kinds, &kind, &params, table, span, &context)?;
    Some(ProbeSpec {
        kind: kind.name.to_string(),
        timeout,
        params,
    })
}

/// Lets the probe kind check what types alone cannot (a valid glob, a sane range).
fn check_build(
    r: &mut TomlReader<'_>,
    kinds: &dyn ProbeKinds,
    kind: &KindSpec,
    params: &Params,
    table: &Table<'_>,
    span: Range<usize>,
    context: &str,
) -> Option<()> {
    match kinds.check(kind.name, params) {
        Ok(_) => Some(()),
        Err(e) => {
            let at = table
                .get(e.param.as_str())
                .map(|v| v.span())
                .unwrap_or(span);
            r.error(at, format!("{context}: {e}"));
            None
        }
    }
}
