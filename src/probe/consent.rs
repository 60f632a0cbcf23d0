//! What a run would start that is not preflight's own code, to ask before it does: the
//! `command` probes of a checklist not shipped with preflight, and the project's own
//! pre-commit hook (`git-hook` tries it in a throwaway repository). Both run only with
//! `--allow-commands` or the terminal UI's yes.

use super::ProbeContext;
use super::kinds::{command, git_hook};
use crate::checklist::Checklist;

/// Where a program to be consented to comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A `command` probe of a checklist not shipped with preflight.
    Checklist,
    /// The project itself (its pre-commit hook).
    Project,
}

/// A program a run would start, for asking before it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// The item whose probe runs it.
    pub item: String,
    /// The command as people read it, or the hook's path and its `#!` line.
    pub command: String,
    /// Where it comes from.
    pub origin: Origin,
}

/// Every program of the checklist's probes that `ctx` does not already allow, in
/// checklist order. Hooks that are missing or not executable are left out: the probe
/// fails on them without running anything.
pub fn needing_consent(checklist: &Checklist, ctx: &ProbeContext) -> Vec<CommandLine> {
    let mut out = Vec::new();
    let commands = if ctx.allow_commands {
        Vec::new()
    } else {
        command::command_lines(checklist)
    };
    let wants_hook = !ctx.allow_project_programs
        && checklist
            .items
            .iter()
            .any(|i| i.probes.iter().any(|p| p.kind == git_hook::KIND.name));
    let hook = wants_hook
        .then(|| git_hook::installed_hook(&ctx.project_dir).ok())
        .flatten()
        .filter(|h| git_hook::is_executable(&h.path));
    for item in &checklist.items {
        out.extend(commands.iter().filter(|c| c.item == item.id).cloned());
        if let Some(hook) = &hook
            && item.probes.iter().any(|p| p.kind == git_hook::KIND.name)
        {
            out.push(CommandLine {
                item: item.id.clone(),
                command: format!(
                    "{} ({}), in a throwaway repository",
                    hook.shown, hook.program
                ),
                origin: Origin::Project,
            });
        }
    }
    out
}
