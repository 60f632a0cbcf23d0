//! The `preflight` binary: parse the command line, dispatch, map errors to exit codes.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use preflight::base::secret::ScrubbingWriter;
use preflight::base::timestamp::Timestamp;
use preflight::commands::cli::{Cli, Command};
use preflight::commands::exit;
use preflight::commands::{self, CommandError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Without a subcommand, the terminal UI, with the options given at the top level.
    let command = cli.command.unwrap_or(Command::Tui(cli.tui));
    // Every line out passes the scrubber: no value registered as secret is printed.
    let mut stdout = ScrubbingWriter::new(anstream::stdout());
    let mut stderr = ScrubbingWriter::new(anstream::stderr());
    let now = Timestamp::now();
    preflight::system::process::raise_open_file_limit();
    let result = match &command {
        Command::Tui(args) => commands::tui(args),
        Command::Demo(args) => commands::demo(args, &mut stdout),
        Command::Check(args) => commands::check(args, now, &mut stdout),
        Command::Attest(args) => commands::attest(args, now, &mut stdout),
        Command::Approve(args) => commands::approve(args, now, &mut stdout),
        Command::Waive(args) => commands::waive(args, now, &mut stdout),
        Command::Revoke(args) => commands::revoke(args, now, &mut stdout),
        Command::Status(args) => commands::status(args, now, &mut stdout),
        Command::History(args) => commands::history(args, &mut stdout, &mut stderr),
        Command::Verify(args) => commands::verify(args, now, &mut stdout),
        Command::Report(args) => commands::report(args, now, &mut stdout),
        Command::Validate { files } => commands::validate(files, &mut stdout, &mut stderr),
        Command::Schema => commands::schema(&mut stdout),
        Command::List => commands::list(&mut stdout),
        Command::Init(args) => commands::init(
            args,
            &preflight::config::EnvVars::from_process(),
            commands::interactive(),
            &mut std::io::stdin().lock(),
            &mut stdout,
        ),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        // A reader that stopped early (`preflight status | head`) is not an error.
        Err(CommandError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(exit::OK)
        }
        Err(e) => {
            let _ = if e.is_diagnostic() {
                writeln!(stderr, "{e}")
            } else {
                writeln!(stderr, "error: {e}")
            };
            ExitCode::from(e.exit_code())
        }
    }
}
