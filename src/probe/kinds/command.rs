//! `command`: runs a command and expects an exit code and/or a pattern in its output,
//! under the probe's timeout (the process is killed when it runs out).
//!
//! The argument vector runs directly, without a shell, unless `shell = true` (then the
//! single string in `argv` is given to `sh -c`). Commands run only for a trusted
//! checklist: one shipped with preflight, with `--allow-commands`, or once the user
//! answered yes in the terminal UI (which lists them first with [`command_lines`]);
//! otherwise the probe is skipped and says how to allow it. The command's output is not
//! copied into the evidence (it may hold anything); only the exit code, whether the
//! pattern matched, and on failure the last line of its error output.

use std::sync::Arc;
use std::time::Duration;

use regex::Regex;

use crate::checklist::Checklist;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::consent::{CommandLine, Origin};
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};
use crate::system::process::{self, Limits, RunError};

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "command",
    summary: "A command exits with the expected code and/or prints a matching line (trusted checklists only).",
    params: &[
        ParamSpec {
            name: "argv",
            ty: ParamType::StringList,
            required: true,
            default: None,
            doc: "The program and its arguments, e.g. [\"pg_isready\", \"-h\", \"127.0.0.1\"]; with `shell = true`, one shell command line.",
        },
        ParamSpec {
            name: "expect_exit",
            ty: ParamType::Integer,
            required: false,
            default: Some("0"),
            doc: "The exit code that passes.",
        },
        ParamSpec {
            name: "expect_stdout",
            ty: ParamType::String,
            required: false,
            default: None,
            doc: "A regular expression the standard output must match.",
        },
        ParamSpec {
            name: "shell",
            ty: ParamType::Bool,
            required: false,
            default: Some("false"),
            doc: "Run `argv[0]` with `sh -c` (pipes, redirections) instead of directly.",
        },
    ],
    build: |p| Ok(Arc::new(CommandProbe::from_params(p)?)),
};

/// A backstop only: the runner's timeout for the probe ends it first. What it prints
/// beyond the output limit is an error (only the pattern and the last line of its error
/// output are used).
const LIMITS: Limits = Limits {
    timeout: Duration::from_secs(24 * 3600),
    max_output: 1024 * 1024,
};

/// The configured probe.
#[derive(Debug)]
pub struct CommandProbe {
    argv: Vec<String>,
    expect_exit: i32,
    expect_stdout: Option<Regex>,
    shell: bool,
}

impl CommandProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let argv = p.string_list_or_default("argv")?;
        let shell = p.bool_or_default("shell")?;
        match (argv.len(), shell) {
            (0, _) => return Err(ParamError::new("argv", "must name a program")),
            (n, true) if n != 1 => {
                return Err(ParamError::new(
                    "argv",
                    "with `shell = true`, give one command line",
                ));
            }
            _ => {}
        }
        let expect_stdout = p
            .string("expect_stdout")?
            .map(|r| Regex::new(r).map_err(|e| ParamError::new("expect_stdout", e.to_string())))
            .transpose()?;
        let expect_exit = p.integer_or_default("expect_exit")?;
        Ok(CommandProbe {
            argv,
            expect_exit: i32::try_from(expect_exit)
                .map_err(|_| ParamError::new("expect_exit", "is not an exit code"))?,
            expect_stdout,
            shell,
        })
    }

    /// The command as people read it: the argument vector, or `sh -c "…"`.
    pub fn shown(&self) -> String {
        if self.shell {
            format!("sh -c {:?}", self.argv[0])
        } else {
            // An argument with spaces, quotes or control characters is quoted, so the
            // words people read are the arguments that run.
            let shown: Vec<String> = self
                .argv
                .iter()
                .map(|arg| {
                    let plain = !arg.is_empty()
                        && arg
                            .chars()
                            .all(|c| !c.is_whitespace() && !c.is_control() && !"'\"\\".contains(c));
                    if plain {
                        arg.clone()
                    } else {
                        format!("{arg:?}")
                    }
                })
                .collect();
            shown.join(" ")
        }
    }
}

/// Every command the checklist's `command` probes run, in checklist order.
pub fn command_lines(checklist: &Checklist) -> Vec<CommandLine> {
    checklist
        .items
        .iter()
        .flat_map(|item| item.probes.iter().map(move |probe| (item, probe)))
        .filter(|(_, probe)| probe.kind == KIND.name)
        // The parameters were validated when the checklist loaded.
        .filter_map(|(item, probe)| {
            let command = CommandProbe::from_params(&probe.params.with_defaults(KIND.params))
                .ok()?
                .shown();
            Some(CommandLine {
                item: item.id.clone(),
                command,
                origin: Origin::Checklist,
            })
        })
        .collect()
}

impl Probe for CommandProbe {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move {
            if !ctx.allow_commands {
                return ProbeOutcome::skipped(format!(
                    "`{}` not run: this checklist is not shipped with preflight and its commands were not allowed (rerun with --allow-commands, or answer y when the terminal UI asks)",
                    self.shown()
                ));
            }
            let mut cmd = if self.shell {
                let mut c = tokio::process::Command::new("sh");
                c.arg("-c").arg(&self.argv[0]);
                c
            } else {
                let mut c = tokio::process::Command::new(&self.argv[0]);
                c.args(&self.argv[1..]);
                c
            };
            cmd.current_dir(&ctx.project_dir);
            // Its whole process group is killed when the runner's timeout drops this
            // future, and when it ends.
            let output = match process::run_async(cmd, LIMITS).await {
                Ok(o) => o,
                Err(RunError::Spawn(e)) => {
                    return ProbeOutcome::error(format!("cannot run `{}`: {e}", self.shown()));
                }
                Err(e) => {
                    return ProbeOutcome::error(format!("`{}`: {e}", self.shown()));
                }
            };
            let code = output.status.code();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let mut problems = Vec::new();
            match code {
                Some(c) if c == self.expect_exit => {}
                Some(c) => problems.push(format!("exited with {c}, expected {}", self.expect_exit)),
                None => problems.push("was killed by a signal".to_string()),
            }
            if let Some(re) = &self.expect_stdout
                && !re.is_match(&stdout)
            {
                problems.push(format!("printed nothing matching /{re}/"));
            }
            if problems.is_empty() {
                let matched = self
                    .expect_stdout
                    .as_ref()
                    .map(|re| format!(", output matches /{re}/"))
                    .unwrap_or_default();
                ProbeOutcome::pass(format!(
                    "`{}` exited with {}{matched}",
                    self.shown(),
                    self.expect_exit
                ))
            } else {
                let stderr = String::from_utf8_lossy(&output.stderr);
                let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
                let mut outcome =
                    ProbeOutcome::fail(format!("`{}` {}", self.shown(), problems.join(" and ")));
                if let Some(line) = last {
                    let line: String = line.chars().take(200).collect();
                    outcome = outcome.with_evidence([Evidence::note(format!("stderr: {line}"))]);
                }
                outcome
            }
        })
    }
}
