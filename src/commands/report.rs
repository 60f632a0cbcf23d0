//! `preflight report`: run the probes, read the ledger and write one report file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CommandError, Project, progress_wanted, run_report};
use crate::cli::{ReportArgs, ReportFormat};
use crate::exit;
use crate::report::{Report, html, json, junit, markdown, sarif};
use crate::timestamp::Timestamp;

/// Renders a report in a format.
pub fn render(report: &Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Markdown => markdown::render(report),
        ReportFormat::Json => json::render(report) + "\n",
        ReportFormat::Html => html::render(report),
        ReportFormat::Junit => junit::render(report),
        ReportFormat::Sarif => sarif::render(report) + "\n",
    }
}

/// `preflight report`. Writes to `-o FILE`, to standard output for `-o -`, or else to a
/// new file named after the environment and the time, never overwriting one.
pub fn report(
    args: &ReportArgs,
    now: Timestamp,
    stdout: &mut dyn Write,
) -> Result<u8, CommandError> {
    let project = Project::open(&args.session.project)?;
    let (report, _) = run_report(
        &project,
        &args.session,
        &project.all_items(),
        true,
        now,
        progress_wanted(),
    )?;
    let text = render(&report, args.format);
    let path = match args.output.as_deref() {
        Some(p) if p == Path::new("-") => {
            stdout.write_all(text.as_bytes())?;
            None
        }
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| {
                CommandError::Usage(format!("cannot write {}: {e}", path.display()))
            })?;
            Some(path.to_path_buf())
        }
        None => {
            let stem = format!("preflight-{}-{}", args.session.env.env, now.compact());
            Some(create_new(
                Path::new("."),
                &stem,
                args.format.extension(),
                &text,
            )?)
        }
    };
    if let Some(path) = path {
        writeln!(
            stdout,
            "wrote {} ({})",
            path.display(),
            report.verdict_label()
        )?;
    }
    stdout.flush()?;
    Ok(exit::OK)
}

/// Writes `text` to `dir/stem.ext`, or `stem-2.ext`, `stem-3.ext`, ... whichever does
/// not exist yet (checked and created in one step, so two runs never share a file).
fn create_new(dir: &Path, stem: &str, ext: &str, text: &str) -> Result<PathBuf, CommandError> {
    for n in 1u32..=1000 {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(CommandError::Usage(format!(
                    "cannot write {}: {e}",
                    path.display()
                )));
            }
        }
    }
    Err(CommandError::Usage(format!(
        "cannot find a free file name for {stem}.{ext} in {}",
        dir.display()
    )))
}
