//! `preflight check`: run the probes, print what they found, gate on the verdict.

use std::io::Write;

use super::cli::{CheckArgs, Format};
use super::exit;
use super::{CommandError, Project, ReportWith, progress_wanted, run_report};
use crate::base::timestamp::Timestamp;
use crate::checklist::{self, Checklist};
use crate::report::{self, Verdict};

/// `preflight check`. With `--require-signoff`, the verdict also needs every item's
/// sign-off in the `--env` environment, as of `now`. `--env a,b` checks each
/// environment in turn (a report each; JSON: an array) and gates on all of them.
pub fn check(args: &CheckArgs, now: Timestamp, stdout: &mut dyn Write) -> Result<u8, CommandError> {
    let project = Project::open(&args.session.project)?;
    let selection = select(&project.checklist, &args.only, &args.tier)?;
    let envs: Vec<String> = args
        .session
        .env
        .env
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect();
    if envs.is_empty() {
        return Err(CommandError::Usage("--env names no environment".into()));
    }
    // Every name is checked before anything runs.
    for env in &envs {
        project.check_env(env)?;
    }
    let show_progress = args.format == Format::Text && progress_wanted();
    let mut reports = Vec::new();
    for env in &envs {
        let mut session = args.session.clone();
        session.env.env.clone_from(env);
        let (report, _) = run_report(
            &project,
            &session,
            &selection,
            ReportWith {
                signoff: args.require_signoff,
                revision: false,
            },
            now,
            show_progress,
        )?;
        reports.push(report);
    }
    match args.format {
        Format::Text => {
            for report in &reports {
                if reports.len() > 1 {
                    writeln!(
                        stdout,
                        "== environment {} ==",
                        report.environment.as_deref().unwrap_or_default()
                    )?;
                }
                write!(stdout, "{}", report::text::render(report, args.verbose))?;
            }
        }
        Format::Json if reports.len() == 1 => {
            writeln!(stdout, "{}", report::json::render(&reports[0]))?;
        }
        Format::Json => {
            let all: Vec<String> = reports.iter().map(report::json::render).collect();
            writeln!(stdout, "[{}]", all.join(",\n"))?;
        }
    }
    stdout.flush()?;
    Ok(if reports.iter().all(|r| r.verdict == Verdict::Go) {
        exit::OK
    } else {
        exit::CRITICAL_FAILED
    })
}

/// Indexes of the items chosen by `--only` and `--tier`.
fn select(
    checklist: &Checklist,
    only: &[String],
    tiers: &[checklist::Tier],
) -> Result<Vec<usize>, CommandError> {
    let mut chosen = Vec::new();
    for name in only {
        chosen.push(
            checklist
                .find_item(name)
                .map_err(|e| CommandError::Usage(e.to_string()))?,
        );
    }
    Ok(checklist
        .items
        .iter()
        .enumerate()
        .filter(|(n, _)| only.is_empty() || chosen.contains(n))
        .filter(|(_, item)| tiers.is_empty() || tiers.contains(&item.tier))
        .map(|(i, _)| i)
        .collect())
}
