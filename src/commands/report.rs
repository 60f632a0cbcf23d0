//! `preflight report`: run the probes, read the ledger and write one report file.

use std::io::Write;
use std::path::Path;

use super::cli::ReportArgs;
use super::exit;
use super::{CommandError, Project, ReportWith, progress_wanted, run_report};
use crate::base::timestamp::Timestamp;
use crate::report::{ReportFormat, intoto, render, write_new_file};
use crate::system::ssh::fingerprint;

/// `preflight report`. Writes to `-o FILE`, to standard output for `-o -`, or else to a
/// new file named after the environment and the time, never overwriting one.
pub fn report(
    args: &ReportArgs,
    now: Timestamp,
    stdout: &mut dyn Write,
) -> Result<u8, CommandError> {
    let project = Project::open(&args.session.project)?;
    // An attestation is signed: find the key before the probes run.
    let signer = match args.format {
        ReportFormat::InToto => Some(
            super::signoff::signing_key(&project.dir, args.key.as_deref())?.ok_or_else(|| {
                CommandError::Usage(
                    "--format in-toto signs the attestation: give --key PATH (or set `signing_key` in the user settings, or git's user.signingKey with gpg.format = ssh)".to_string(),
                )
            })?,
        ),
        _ => None,
    };
    let (report, _) = run_report(
        &project,
        &args.session,
        &project.all_items(),
        ReportWith {
            signoff: true,
            revision: true,
        },
        now,
        progress_wanted(),
    )?;
    let text = match &signer {
        Some(signer) => intoto::envelope(
            &intoto::statement(&report),
            &fingerprint(&signer.public_key()),
            |bytes| signer.sign(intoto::NAMESPACE, bytes),
        )?,
        None => render(&report, args.format),
    };
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
        None => Some(
            write_new_file(Path::new("."), &report, args.format, &text).map_err(|e| {
                CommandError::Usage(format!(
                    "cannot write the report in the current directory: {e}"
                ))
            })?,
        ),
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
