//! `preflight init`: writes a commented `preflight.toml` for the project from what it
//! already describes (its `.env*` files, this shell's database variables), asking about
//! each environment on a terminal (`--yes` takes them all, as does a script).

use std::io::{BufRead, IsTerminal, Write};

use super::cli::InitArgs;
use super::{CommandError, exit};
use crate::checklist::shipped;
use crate::config::suggest;
use crate::config::{Config, EnvVars, FILE_NAME};

/// The checklists a new `preflight.toml` runs: the deployment guide's and the security
/// guide's (only the latter looks for secrets in Dockerfiles, for one).
const INIT_CHECKLISTS: [&str; 2] = ["postgres-production", "postgres-security"];

/// Runs `init`: `input` answers the questions when `ask` is set.
pub fn init(
    args: &InitArgs,
    vars: &EnvVars,
    ask: bool,
    input: &mut dyn BufRead,
    stdout: &mut dyn Write,
) -> Result<u8, CommandError> {
    let dir = args.dir.as_path();
    super::check_project_dir(dir)?;
    let target = dir.join(FILE_NAME);
    if !args.stdout && !args.force && std::fs::symlink_metadata(&target).is_ok() {
        return Err(CommandError::Usage(format!(
            "{} already exists: edit it, or run `preflight init --force` to replace it",
            target.display()
        )));
    }
    let checklists: Vec<String> = if args.checklist.is_empty() {
        INIT_CHECKLISTS.iter().map(|s| s.to_string()).collect()
    } else {
        args.checklist.clone()
    };
    for checklist in &checklists {
        if shipped::find(checklist).is_none() && !dir.join(checklist).is_file() {
            return Err(CommandError::Usage(format!(
                "no shipped checklist and no file named `{checklist}`"
            )));
        }
    }
    let found = suggest::discover(dir, vars);
    let ask = ask && !args.yes && !args.stdout;
    let mut chosen = Vec::new();
    for p in found.environments {
        // Production is always written: every database probe reads it.
        if ask && p.name != "production" {
            write!(
                stdout,
                "add environment `{}` (from {})? [Y/n] ",
                p.name,
                p.describe()
            )?;
            stdout.flush()?;
            let mut answer = String::new();
            input.read_line(&mut answer)?;
            if answer.trim().to_ascii_lowercase().starts_with('n') {
                continue;
            }
        }
        chosen.push(p);
    }
    let text = suggest::render(&chosen, &found.notes, &checklists);
    // What is written must load: a bug here is caught before the file exists.
    Config::parse(&crate::base::diagnostic::SourceFile::new(FILE_NAME, &text)).map_err(|d| {
        CommandError::Usage(format!("internal error: init wrote an invalid file:\n{d}"))
    })?;
    if args.stdout {
        stdout.write_all(text.as_bytes())?;
        return Ok(exit::OK);
    }
    // A new file beside the target, renamed over it: a link the project put there is
    // replaced, never followed; without --force an existing file is never replaced.
    let cannot =
        |e: std::io::Error| CommandError::Usage(format!("cannot write {}: {e}", target.display()));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    file.write_all(text.as_bytes()).map_err(cannot)?;
    if args.force {
        file.persist(&target).map_err(|e| cannot(e.error))?;
    } else {
        file.persist_noclobber(&target)
            .map_err(|e| cannot(e.error))?;
    }
    writeln!(stdout, "wrote {}", target.display())?;
    for p in &chosen {
        writeln!(stdout, "  [environments.{}] from {}", p.name, p.describe())?;
    }
    writeln!(
        stdout,
        "next: `preflight check`, or `preflight` for the terminal UI"
    )?;
    Ok(exit::OK)
}

/// Whether to ask: both ends of the conversation are a terminal.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}
