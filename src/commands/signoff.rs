//! `attest`, `approve`, `waive`, `revoke`, `status`, `history` and `verify`: recording
//! sign-offs in the ledger and reading them back.
//!
//! Every record carries the item's probe evidence at that moment, so each recording
//! command runs the item's probes first. The checks that make a record acceptable
//! (someone else approves, something to revoke) run on the ledger under its lock.

use std::io::Write;

use super::cli::{Format, HistoryArgs, SignArgs, SignerArgs, StatusArgs, VerifyArgs, WaiveArgs};
use super::exit;
use super::last_run::{LastRun, changes_since};
use super::{
    CommandError, Project, ReportWith, open_config, progress_wanted, read_ledger, run_report,
};
use crate::base::text::safe_line;
use crate::base::timestamp::{Timestamp, parse_deadline};
use crate::checklist::{Checklist, shipped};
use crate::config::EnvVars;
use crate::config::user::UserDirs;
use crate::probe::ItemResult;
use crate::report::{Report, text};
use crate::signoff::{
    self, Contents, Identity, Intent, Ledger, Record, Request, Trust, Waiver, identity, past_tense,
    validate_waiver,
};
use crate::system::ssh::Signer;

/// A recording command's context: the project, the item, who signs (and with which
/// key), who may sign, and the item's evidence.
struct Signing {
    project: Project,
    env: String,
    by: Identity,
    signer: Option<Signer>,
    trust: Trust,
    result: ItemResult,
}

impl Signing {
    fn open(args: &SignerArgs, item: &str) -> Result<Signing, CommandError> {
        let project = Project::open(&args.session.project)?;
        project.check_env(&args.session.env.env)?;
        let index = project.item_index(item)?;
        let by = match &args.identity {
            Some(text) => {
                Identity::parse(text).map_err(|e| CommandError::Usage(format!("--as: {e}")))?
            }
            None => signing_identity(&project.dir)?,
        };
        let trust = project.trust()?;
        let signer = signing_key(&project.dir, args.key.as_deref())?;
        let result = project
            .run(
                &[index],
                &args.session.run,
                &args.session.env.env,
                progress_wanted(),
            )?
            .into_iter()
            .next()
            .ok_or_else(|| CommandError::Usage(format!("item `{item}` did not run")))?;
        Ok(Signing {
            project,
            env: args.session.env.env.clone(),
            by,
            signer,
            trust,
            result,
        })
    }

    /// Records the intent (the rules are checked under the ledger's lock) and says
    /// what was done.
    fn record(
        &self,
        intent: Intent,
        note: Option<&str>,
        now: Timestamp,
        stdout: &mut dyn Write,
    ) -> Result<u8, CommandError> {
        let request = Request {
            checklist: &self.project.checklist,
            result: &self.result,
            env: &self.env,
            by: &self.by,
            now,
            note,
            signer: self.signer.as_ref(),
            trust: &self.trust,
        };
        let record = request.record(&self.project.ledger(), intent)?;
        writeln!(
            stdout,
            "{} `{}` in {} as {}: record {} ({}) in {}",
            past_tense(record.action),
            record.item,
            record.env,
            record.by,
            record.pos,
            record.short_hash(),
            self.project.ledger_display()
        )?;
        if let Some(line) = record_checklist_line(&record, &self.project.checklist) {
            writeln!(stdout, "  under {line}")?;
        }
        Ok(exit::OK)
    }
}

/// Who signs when `--as` is not given: the user settings' identity, else git's, else
/// `user@host`.
pub(crate) fn signing_identity(project_dir: &std::path::Path) -> Result<Identity, CommandError> {
    Ok(configured_identity()?
        .unwrap_or_else(|| identity::detect(project_dir, &EnvVars::from_process())))
}

/// The key that signs: `--key`, else `signing_key` in the user settings, else git's
/// `user.signingKey` when `gpg.format` is `ssh`; `None` signs nothing. A path may
/// start with `~/`.
pub(crate) fn signing_key(
    project_dir: &std::path::Path,
    key: Option<&str>,
) -> Result<Option<Signer>, CommandError> {
    let setting = match key {
        Some(k) => Some(k.to_string()),
        None => {
            let settings = match UserDirs::discover() {
                Some(dirs) => dirs.settings()?.signing_key,
                None => None,
            };
            settings.or_else(|| {
                let ssh = crate::system::git::Repo::config_value(project_dir, "gpg.format")
                    .is_some_and(|f| f.eq_ignore_ascii_case("ssh"));
                ssh.then(|| crate::system::git::Repo::config_value(project_dir, "user.signingKey"))
                    .flatten()
            })
        }
    };
    let Some(setting) = setting else {
        return Ok(None);
    };
    let vars = EnvVars::from_process();
    let expanded = match (setting.strip_prefix("~/"), vars.get("HOME")) {
        (Some(rest), Some(home)) => format!("{home}/{rest}"),
        _ => setting,
    };
    let agent = vars.get("SSH_AUTH_SOCK").map(std::path::Path::new);
    Ok(Some(Signer::from_setting(&expanded, agent)?))
}

/// The identity in the user's settings, if one is set.
fn configured_identity() -> Result<Option<Identity>, CommandError> {
    let Some(dirs) = UserDirs::discover() else {
        return Ok(None);
    };
    let Some(text) = dirs.settings()?.identity else {
        return Ok(None);
    };
    Identity::parse(&text).map(Some).map_err(|e| {
        CommandError::Usage(format!(
            "identity in {}: {e}",
            dirs.settings_path().display()
        ))
    })
}

/// `preflight attest ITEM`: an engineer says the item is done. Refused while its
/// probes fail: fix it, or waive it.
pub fn attest(args: &SignArgs, now: Timestamp, stdout: &mut dyn Write) -> Result<u8, CommandError> {
    let s = Signing::open(&args.signer, &args.item)?;
    s.record(Intent::Attest, args.note.as_deref(), now, stdout)
}

/// `preflight approve ITEM`: a reviewer confirms the attestation or waiver in force.
/// Refused for its author, for a stale attestation and when there is nothing to approve.
pub fn approve(
    args: &SignArgs,
    now: Timestamp,
    stdout: &mut dyn Write,
) -> Result<u8, CommandError> {
    let s = Signing::open(&args.signer, &args.item)?;
    s.record(Intent::Approve, args.note.as_deref(), now, stdout)
}

/// `preflight waive ITEM --reason TEXT --until DATE|--permanent`.
pub fn waive(args: &WaiveArgs, now: Timestamp, stdout: &mut dyn Write) -> Result<u8, CommandError> {
    let expires = match (&args.until, args.permanent) {
        (Some(text), false) => {
            Some(parse_deadline(text).map_err(|e| CommandError::Usage(format!("--until: {e}")))?)
        }
        (None, true) => None,
        _ => {
            return Err(CommandError::Usage(
                "give exactly one of --until DATE and --permanent".to_string(),
            ));
        }
    };
    let waiver = Waiver {
        reason: args.reason.trim().to_string(),
        expires,
    };
    // Checked before the probes run, so a typo costs nothing.
    validate_waiver(&waiver, now).map_err(CommandError::Usage)?;
    let s = Signing::open(&args.signer, &args.item)?;
    s.record(Intent::Waive(waiver), None, now, stdout)
}

/// `preflight revoke ITEM`: withdraws the attestation or waiver in force.
pub fn revoke(args: &SignArgs, now: Timestamp, stdout: &mut dyn Write) -> Result<u8, CommandError> {
    let s = Signing::open(&args.signer, &args.item)?;
    s.record(Intent::Revoke, args.note.as_deref(), now, stdout)
}

/// `preflight status`: every item's sign-off state next to its live probe status.
pub fn status(
    args: &StatusArgs,
    now: Timestamp,
    stdout: &mut dyn Write,
) -> Result<u8, CommandError> {
    let project = Project::open(&args.session.project)?;
    let show_progress = args.format == Format::Text && progress_wanted();
    let (report, previous) = run_report(
        &project,
        &args.session,
        &project.all_items(),
        ReportWith {
            signoff: true,
            revision: false,
        },
        now,
        show_progress,
    )?;
    match args.format {
        Format::Json => writeln!(stdout, "{}", status_json(&report))?,
        Format::Text => {
            write!(stdout, "{}", text::render_status(&report))?;
            if let Some(previous) = previous {
                write_changes(stdout, &previous, &report)?;
            }
        }
    }
    Ok(exit::OK)
}

/// Items whose probe status changed since the last run in this project.
fn write_changes(
    stdout: &mut dyn Write,
    previous: &LastRun,
    report: &Report,
) -> Result<(), CommandError> {
    let now = report
        .items
        .iter()
        .map(|i| (i.id.clone(), i.status))
        .collect();
    let changes = changes_since(previous, &now);
    if changes.is_empty() {
        writeln!(
            stdout,
            "no probe status changed since the last run ({})",
            previous.at
        )?;
    } else {
        writeln!(stdout, "changed since the last run ({}):", previous.at)?;
        for (id, before, after) in changes {
            writeln!(stdout, "  {id}: {} → {}", before.as_str(), after.as_str())?;
        }
    }
    Ok(())
}

/// The JSON of `status`: `{"environment", "ledger", "verdict", "items": [{"id", "tier",
/// "state", "probe_status", ...}]}`; with several checklists, `checklists` and each
/// item's `checklist` too.
fn status_json(report: &Report) -> String {
    let items: Vec<serde_json::Value> = report
        .items
        .iter()
        .map(|i| {
            let s = i.signoff.as_ref();
            let mut item = serde_json::json!({
                "id": i.id,
                "tier": i.tier,
                "title": i.title,
                "state": s.map(|s| s.state),
                "probe_status": i.status,
                "stale_reasons": s.map(|s| s.reasons.clone()).unwrap_or_default(),
                "due": s.and_then(|s| s.due),
                "waiver": s.and_then(|s| s.waiver.clone()),
                "blocking": i.blocking,
                "records": s.map(|s| s.chain.len()).unwrap_or_default(),
            });
            if let Some(checklist) = &i.checklist {
                item["checklist"] = serde_json::json!(checklist);
            }
            item
        })
        .collect();
    let mut value = serde_json::json!({
        "environment": report.environment,
        "checklist": report.checklist,
        "generated_at": report.generated_at,
        "ledger": report.ledger,
        "verdict": report.verdict,
        "items": items,
    });
    if report.parts().len() > 1 {
        value["checklists"] = serde_json::json!(report.checklists);
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// `preflight history [ITEM]`: the ledger's records, oldest first.
pub fn history(
    args: &HistoryArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<u8, CommandError> {
    let project = Project::open(&args.project)?;
    project.check_env(&args.env.env)?;
    let contents = read_ledger(&project.ledger(), &project.trust()?)?;
    // `checklist/item` names the item of one checklist where several share the id.
    let wanted = |r: &Record| match args.item.as_deref().map(|i| i.split_once('/')) {
        None => true,
        Some(Some((checklist, id))) => r.checklist == checklist && r.item == id,
        Some(None) => args.item.as_deref() == Some(r.item.as_str()),
    };
    if args.item.is_some() && !contents.records.iter().any(wanted) {
        project.item_index(args.item.as_deref().unwrap_or_default())?;
    }
    let records: Vec<_> = contents
        .records
        .iter()
        .filter(|r| r.env == args.env.env)
        .filter(|r| wanted(r))
        .collect();
    if records.is_empty() {
        writeln!(
            stdout,
            "no sign-off records{} in {} ({})",
            args.item
                .as_ref()
                .map(|i| format!(" for `{i}`"))
                .unwrap_or_default(),
            args.env.env,
            project.ledger_display()
        )?;
    }
    for r in records {
        writeln!(
            stdout,
            "{:>4}  {}  {:<7}  {}  {}",
            r.pos,
            r.at,
            r.action.as_str(),
            if project.checklist.is_combined() {
                safe_line(&format!("{}/{}", r.checklist, r.item))
            } else {
                safe_line(&r.item)
            },
            r.by
        )?;
        writeln!(stdout, "      {}", safe_line(&r.standing.describe()))?;
        if let Some(w) = &r.waiver {
            let until = w
                .expires
                .map_or("permanent".to_string(), |e| format!("expires {e}"));
            writeln!(stdout, "      waiver ({until}): {}", safe_line(&w.reason))?;
        }
        if let Some(note) = &r.note {
            writeln!(stdout, "      note: {}", safe_line(note))?;
        }
        if let Some(line) = record_checklist_line(r, &project.checklist) {
            writeln!(stdout, "      {line}")?;
        }
        writeln!(
            stdout,
            "      record {}  item {}  evidence {}",
            r.short_hash(),
            &r.item_digest[..r.item_digest.len().min(12)],
            &r.evidence_digest[..r.evidence_digest.len().min(12)]
        )?;
    }
    if let Some(problem) = &contents.problem {
        writeln!(
            stderr,
            "warning: ledger {} is damaged: {problem}; later records are not shown (run `preflight verify`)",
            project.ledger_display()
        )?;
    }
    Ok(exit::OK)
}

/// What `history` says about the checklist a record was made under, when it is not
/// plainly the checklist loaded now: the file of a checklist that is not shipped, and
/// whether the record counts for the checklist loaded now.
fn record_checklist_line(r: &Record, loaded: &Checklist) -> Option<String> {
    let counts = loaded.parts.iter().any(|part| signoff::made_under(r, part));
    let file = r.checklist_file.as_ref().map(|f| {
        let shipped = shipped::find(&r.checklist).is_some();
        format!(
            "checklist `{}` from {} (sha256 {}){}",
            safe_line(&r.checklist),
            safe_line(&f.path),
            safe_line(&f.sha256[..f.sha256.len().min(12)]),
            if shipped {
                ", NOT the shipped checklist"
            } else {
                ""
            }
        )
    });
    match (file, counts) {
        (Some(file), true) => Some(file),
        (Some(file), false) => Some(format!(
            "{file}; does not count for the checklist loaded now"
        )),
        (None, true) => None,
        (None, false) => Some(format!(
            "checklist `{}`; does not count for the checklist loaded now",
            safe_line(&r.checklist)
        )),
    }
}

/// Whether a head hash quoted in a report is one of the ledger's records.
fn check_quoted_head(
    contents: &Contents,
    quoted: &str,
    stdout: &mut dyn Write,
) -> Result<u8, CommandError> {
    // A report made right after a merge quotes two heads, joined with `+`.
    let mut code = exit::OK;
    for part in quoted.split('+') {
        let part = part.trim().to_ascii_lowercase();
        if part.len() < 12 || !part.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(CommandError::Usage(format!(
                "--head {part}: give at least 12 hex digits of the hash a report quotes"
            )));
        }
        match contents
            .records
            .iter()
            .position(|r| r.hash.starts_with(&part))
        {
            Some(i) => {
                let later = contents.records.len() - i - 1;
                writeln!(
                    stdout,
                    "head {part} is record {}; {later} record{} added since",
                    i + 1,
                    if later == 1 { " was" } else { "s were" }
                )?;
            }
            None => {
                writeln!(
                    stdout,
                    "head {part} is NOT in the ledger: records were removed since the report, or it comes from another ledger"
                )?;
                code = exit::LEDGER_BROKEN;
            }
        }
    }
    Ok(code)
}

/// `preflight verify`: checks the whole chain; exit 0 intact, 1 broken.
pub fn verify(
    args: &VerifyArgs,
    now: Timestamp,
    stdout: &mut dyn Write,
) -> Result<u8, CommandError> {
    let (dir, config) = open_config(&args.location)?;
    super::check_env(&config, &args.env.env)?;
    let path = config.ledger_path(&dir);
    let shown = crate::base::path::display_path(&dir, &path);
    let ledger = Ledger::new(&path);
    if !path.exists() {
        writeln!(stdout, "no ledger yet at {shown}: nothing to verify")?;
        return Ok(exit::OK);
    }
    if args.repair
        && let Some(aside) = ledger.repair_torn_tail(now)?
    {
        writeln!(
            stdout,
            "set the interrupted last line aside in {}",
            crate::base::path::display_path(&dir, &aside)
        )?;
    }
    let trust = super::trust_of(&dir, &config, args.location.trust_ref.as_deref())?;
    let contents = read_ledger(&ledger, &trust)?;
    let head = contents.head().unwrap_or_else(|| "none".to_string());
    match &contents.problem {
        None => {
            let env = &args.env.env;
            let in_env = contents.records.iter().filter(|r| &r.env == env).count();
            writeln!(
                stdout,
                "ledger {shown}: {} records ({in_env} for {env}), chain intact; head {head}",
                contents.records.len()
            )?;
            // Signatures: every record that does not count is named, and fails `verify`.
            let signed = contents
                .records
                .iter()
                .filter(|r| matches!(r.standing, signoff::Standing::Signed { .. }))
                .count();
            let refused: Vec<&Record> = contents
                .records
                .iter()
                .filter(|r| !r.standing.counts())
                .collect();
            if trust.require_signatures || signed > 0 || !refused.is_empty() {
                writeln!(
                    stdout,
                    "signatures: {signed} signed by allowed signers, {} do not count{}",
                    refused.len(),
                    if trust.require_signatures {
                        " (signatures are required)"
                    } else {
                        ""
                    }
                )?;
            }
            for r in &refused {
                writeln!(
                    stdout,
                    "  record {} ({}, {} `{}` by {}): {}",
                    r.pos,
                    r.short_hash(),
                    r.action,
                    safe_line(&r.item),
                    r.by,
                    safe_line(&r.standing.describe())
                )?;
            }
            let code = match &args.head {
                None => exit::OK,
                Some(quoted) => check_quoted_head(&contents, quoted, stdout)?,
            };
            Ok(if refused.is_empty() {
                code
            } else {
                exit::LEDGER_BROKEN
            })
        }
        Some(problem) => {
            writeln!(
                stdout,
                "ledger {shown}: BROKEN at line {}: {problem}",
                problem.line()
            )?;
            if contents.problems > 1 {
                writeln!(
                    stdout,
                    "  and {} more problems on later lines",
                    contents.problems - 1
                )?;
            }
            writeln!(
                stdout,
                "  the {} records that do not follow a damaged one verify (head {head})",
                contents.records.len()
            )?;
            if matches!(problem, crate::signoff::ChainProblem::TornTail { .. }) {
                writeln!(
                    stdout,
                    "  `preflight verify --repair` sets the incomplete line aside"
                )?;
            }
            Ok(exit::LEDGER_BROKEN)
        }
    }
}
