//! Command-line definitions (clap). Parsing only: the commands live in [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::base::duration::HumanDuration;
use crate::checklist::Tier;
use crate::probe::runner::RunOptions;

const AFTER_HELP: &str = "\
Exit codes:
  0  go: no critical item fails or errors (check); the command did its job (others)
  1  no-go: a critical item fails or errors, or with --require-signoff an item is not
     signed off or waived (check); the ledger's chain is broken (verify)
  2  invalid input or usage (malformed checklist or preflight.toml, missing file, bad
     flag, unknown item, refused sign-off, damaged ledger on write)
  130  the terminal UI was left with Ctrl-C (or SIGINT)

Examples:
  preflight demo                           the terminal UI on a sandbox project
  preflight                                the terminal UI on this directory
  preflight init                           write preflight.toml from the project's .env files
  preflight check                          run the configured checklists in this directory
  preflight check --checklist postgres-production,postgres-security
                                           two shipped checklists in one run
  preflight check --env staging,production each environment in turn; go only if all are
  preflight check --dir ../api --tier critical
  preflight check --only bind-ports-localhost,env-files-not-committed --format json
  preflight attest rotate-production-credentials --note \"rotated, see OPS-142\"
  preflight approve rotate-production-credentials --as \"Raj Patel <raj@example.com>\"
  preflight waive docker-secrets --reason \"plain Compose until Q1\" --until 2027-03-31
  preflight status                         the sign-off state of every item
  preflight check --require-signoff        the go/no-go gate for production
  preflight report --format markdown       a report for the ticket
  preflight verify                         check the ledger's hash chain
  preflight validate my-checklist.toml     check a checklist for errors
  preflight schema > checklist.schema.json editor completion for checklist files

Colour is used on a terminal and never when output is piped or NO_COLOR is set.";

/// preflight: a pre-deployment checklist for PostgreSQL-backed services, with live probes.
#[derive(Debug, Parser)]
#[command(
    name = "preflight",
    version,
    about,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do [default: the terminal UI on the current directory]
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The terminal UI's options, when no subcommand is given (`preflight --dir ../api
    /// --env staging` is `preflight tui --dir ../api --env staging`)
    #[command(flatten)]
    pub tui: SignerArgs,
}

const LONG_ABOUT: &str = "\
preflight: a pre-deployment checklist for PostgreSQL-backed services, with live probes.

Without a subcommand, preflight opens its terminal UI on the project in the current
directory (the options below are the UI's: `preflight --dir ../api --env staging`).
New here? `preflight demo` opens it on a sandbox project with deliberate mistakes.";

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal UI: walk the checklist, watch probes, sign off (the default)
    Tui(SignerArgs),
    /// Open the terminal UI on a sandbox project with deliberate mistakes
    Demo(DemoArgs),
    /// Run the checklist's probes and print what they found
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
    /// Record that an item is done (an engineer's attestation), with its current evidence
    Attest(SignArgs),
    /// Confirm the current attestation or waiver of an item (a reviewer; not its author)
    Approve(SignArgs),
    /// Consciously skip an item, with a justification and an expiry
    Waive(WaiveArgs),
    /// Withdraw the current attestation or waiver of an item
    Revoke(SignArgs),
    /// Show the sign-off state of every item, with live probe results
    Status(StatusArgs),
    /// Show the sign-off records of an item (or of every item)
    History(HistoryArgs),
    /// Check the ledger's hash chain: exit 0 intact, 1 broken (naming the first bad line)
    Verify(VerifyArgs),
    /// Write a report for a ticket, CI or code scanning
    Report(ReportArgs),
    /// Check checklist files for errors (every error, with line and column)
    Validate {
        /// Checklist files to validate
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print a JSON Schema of the checklist format, for editors
    Schema,
    /// List the shipped checklists
    List,
    /// Write a commented preflight.toml from the project's .env files and this shell's database variables
    #[command(after_help = INIT_HELP)]
    Init(InitArgs),
}

const INIT_HELP: &str = "\
Looks at the project's .env* files (.env.production, .env.staging, .env, .env.example, …)
and this shell's database variables (PG_*, DATABASE_URL, POSTGRES_*, DB_*), and writes
an environment for each, reading every field from where it was found. Only variable
names are written, never a value. On a terminal it asks about each environment.

Examples:
  preflight init                     ask, then write ./preflight.toml
  preflight init --yes               take everything found (for scripts)
  preflight init --stdout            print the file instead of writing it";

/// Options of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Project root
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The checklists the file names; repeat it (or separate with commas) for several [default: postgres-production and postgres-security]
    #[arg(long, value_name = "NAME|PATH", value_delimiter = ',')]
    pub checklist: Vec<String>,
    /// Take every environment found without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Replace an existing preflight.toml
    #[arg(long)]
    pub force: bool,
    /// Print the file instead of writing it
    #[arg(long)]
    pub stdout: bool,
}

/// Where the project and its configuration are.
#[derive(Debug, Clone, Args)]
pub struct LocationArgs {
    /// Project configuration file [default: DIR/preflight.toml if present]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Project root
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Read who may sign (the allowed-signers file and `[signoff]` of preflight.toml) from this git revision, not from the working tree: e.g. `origin/main` when checking someone else's branch
    #[arg(long, value_name = "REV")]
    pub trust_ref: Option<String>,
}

/// Which project, configuration and checklist a command works on.
#[derive(Debug, Clone, Args)]
pub struct ProjectArgs {
    /// A shipped checklist by name, or a checklist file; repeat it (or separate with commas) to run several together [default: from preflight.toml, else postgres-production]
    #[arg(long, value_name = "NAME|PATH", value_delimiter = ',')]
    pub checklist: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub location: LocationArgs,
}

/// How probes run.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Timeout for probes that set none, e.g. 5s or 1500ms
    #[arg(long, value_name = "DURATION", default_value_t = RunOptions::DEFAULT_TIMEOUT)]
    pub timeout: HumanDuration,
    /// How many probes run at once
    #[arg(long, value_name = "N", default_value_t = RunOptions::DEFAULT_CONCURRENCY, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Let programs that are not preflight's run: `command` probes of a checklist that
    /// is not shipped with preflight (shipped ones are trusted), and the project's own
    /// pre-commit hook, which `git-hook` tries in a throwaway repository. Without this
    /// flag the terminal UI asks first, and the other commands skip them
    /// (`skipped`, saying why)
    #[arg(long)]
    pub allow_commands: bool,
}

impl RunArgs {
    /// The runner's options.
    pub fn options(&self) -> RunOptions {
        RunOptions {
            concurrency: usize::from(self.jobs),
            default_timeout: self.timeout.duration,
            memo: None,
        }
    }
}

/// The environment the probes check and the sign-offs are about.
#[derive(Debug, Clone, Args)]
pub struct EnvArgs {
    /// Environment to check, and whose sign-offs count (configured in preflight.toml, or production/development); a probe whose checklist names an environment keeps its own. `check` takes several, comma-separated
    #[arg(long = "env", value_name = "NAME", default_value = "production")]
    pub env: String,
}

/// What every command that runs probes for an environment takes.
#[derive(Debug, Clone, Args)]
pub struct SessionArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub env: EnvArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub project: ProjectArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub run: RunArgs,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Grouped by tier, for people
    Text,
    /// One JSON object, for machines (documented in the README)
    Json,
}

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArgs,
    /// Only these items (comma-separated ids)
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Only items of these tiers (comma-separated)
    #[arg(long, value_name = "TIER", value_delimiter = ',', value_parser = parse_tier)]
    pub tier: Vec<Tier>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also show the evidence of passing probes
    #[arg(short, long)]
    pub verbose: bool,
    /// Go only if every critical item passes and is signed off (or validly waived) and
    /// every recommended item passes (or is validly waived), in the --env environment
    #[arg(long)]
    pub require_signoff: bool,
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the sandbox project when the UI closes (its path is printed)
    #[arg(long)]
    pub keep: bool,
    /// Sign as this identity, `Name <email>`
    #[arg(long = "as", value_name = "IDENTITY")]
    pub identity: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub run: RunArgs,
}

/// Options of `attest`, `approve` and `revoke`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The item's id
    #[arg(value_name = "ITEM")]
    pub item: String,
    /// A note kept with the record (ticket, change number, what was checked)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub signer: SignerArgs,
}

/// Who signs, where (the sign-off commands and the terminal UI).
#[derive(Debug, Args)]
pub struct SignerArgs {
    /// Sign as this identity, `Name <email>` [default: `identity` in the user settings, else git's user.name and user.email, else user@host]
    #[arg(long = "as", value_name = "IDENTITY")]
    pub identity: Option<String>,
    /// Sign records with this SSH key: a private key file, a public key whose private half ssh-agent holds, or `key::ssh-ed25519 AAAA…` [default: `signing_key` in the user settings, else git's user.signingKey when gpg.format = ssh, else unsigned]
    #[arg(long, value_name = "PATH")]
    pub key: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArgs,
}

/// Options of `waive`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("expiry").required(true).args(["until", "permanent"])))]
pub struct WaiveArgs {
    /// The item's id
    #[arg(value_name = "ITEM")]
    pub item: String,
    /// Why the item is skipped (kept in the ledger and every report)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// When the waiver ends: a date (YYYY-MM-DD, through the end of that day in UTC) or an RFC 3339 time with offset
    #[arg(long, value_name = "DATE|TIME")]
    pub until: Option<String>,
    /// The waiver never expires
    #[arg(long)]
    pub permanent: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub signer: SignerArgs,
}

/// Options of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArgs,
}

/// Options of `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The item's id [default: every item]
    #[arg(value_name = "ITEM")]
    pub item: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub env: EnvArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub project: ProjectArgs,
}

/// Options of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Set an interrupted last line aside (saved next to the ledger) so records can be appended again
    #[arg(long)]
    pub repair: bool,
    /// Also check that this head hash (as quoted in a report; 12 or more hex digits) is in the ledger, which catches removed trailing records
    #[arg(long, value_name = "HASH")]
    pub head: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub env: EnvArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub location: LocationArgs,
}

pub use crate::report::ReportFormat;

/// Options of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report format
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Output file, or - for standard output [default: preflight-ENV-TIMESTAMP.EXT in the current directory, never overwriting]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The SSH key that signs an in-toto attestation (as for `attest --key`) [default: `signing_key` in the user settings, else git's user.signingKey when gpg.format = ssh]
    #[arg(long, value_name = "PATH")]
    pub key: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArgs,
}

fn parse_tier(s: &str) -> Result<Tier, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_flags_default_to_the_runners_defaults() {
        let cli = Cli::parse_from(["preflight", "check"]);
        let Some(Command::Check(args)) = cli.command else {
            panic!("not check");
        };
        let options = args.session.run.options();
        let default = RunOptions::default();
        assert_eq!(options.concurrency, default.concurrency);
        assert_eq!(options.default_timeout, default.default_timeout);
    }
}
