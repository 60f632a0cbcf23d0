//! `preflight validate`, `schema` and `list`: commands about checklists themselves.

use std::io::Write;
use std::path::PathBuf;

use super::CommandError;
use super::exit;
use crate::checklist::schema::checklist_schema;
use crate::checklist::{self, LoadError, shipped};
use crate::probe::catalog::Catalog;

/// `preflight validate FILE...`: prints every problem; exit 2 when any file is invalid.
pub fn validate(
    files: &[PathBuf],
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<u8, CommandError> {
    let mut code = exit::OK;
    for path in files {
        match checklist::load_file(path, &Catalog) {
            Ok(c) => {
                let probes: usize = c.items.iter().map(|i| i.probes.len()).sum();
                writeln!(
                    stdout,
                    "{}: ok ({} items, {} probes)",
                    path.display(),
                    c.items.len(),
                    probes
                )?;
            }
            Err(LoadError::Invalid(d)) => {
                writeln!(stderr, "{d}\n")?;
                writeln!(
                    stderr,
                    "{}: {} error{}",
                    path.display(),
                    d.len(),
                    if d.len() == 1 { "" } else { "s" }
                )?;
                code = exit::INVALID_INPUT;
            }
            Err(e) => {
                writeln!(stderr, "error: {e}")?;
                code = exit::INVALID_INPUT;
            }
        }
    }
    Ok(code)
}

/// `preflight schema`.
pub fn schema(stdout: &mut dyn Write) -> Result<u8, CommandError> {
    let text = serde_json::to_string_pretty(&checklist_schema(&Catalog)).unwrap_or_default();
    writeln!(stdout, "{text}")?;
    Ok(exit::OK)
}

/// `preflight list`.
pub fn list(stdout: &mut dyn Write) -> Result<u8, CommandError> {
    for s in shipped::SHIPPED {
        let c = s.load(&Catalog).map_err(CommandError::ShippedChecklist)?;
        let probes = c.items.iter().filter(|i| !i.is_manual()).count();
        writeln!(
            stdout,
            "{:<22} {} ({} items, {} with probes)",
            s.name,
            c.title,
            c.items.len(),
            probes
        )?;
    }
    Ok(exit::OK)
}
