//! Command-line definitions (clap). Parsing only: the commands live in [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::checklist::Tier;

const AFTER_HELP: &str = "\
Exit codes:
  0  no critical item fails or errors (check); input is valid (validate)
  1  at least one critical item fails or errors: no-go for production
  2  invalid input or usage (malformed checklist or preflight.toml, missing file, bad flag)

Examples:
  preflight check                          run the default checklist in this directory
  preflight check --dir ../api --tier critical
  preflight check --only bind-ports-localhost,env-files-not-committed --format json
  preflight validate my-checklist.toml     check a checklist for errors
  preflight schema > checklist.schema.json editor completion for checklist files
  preflight list                           the shipped checklists

Colour is used on a terminal and never when output is piped or NO_COLOR is set.";

/// preflight: a pre-deployment checklist for PostgreSQL-backed services, with live probes.
#[derive(Debug, Parser)]
#[command(name = "preflight", version, about, after_help = AFTER_HELP, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the checklist's probes and print what they found
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
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
    /// A shipped checklist by name, or a checklist file [default: from preflight.toml, else postgres-production]
    #[arg(long, value_name = "NAME|PATH")]
    pub checklist: Option<String>,
    /// Project configuration file [default: DIR/preflight.toml if present]
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Project root
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
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
    /// Timeout for probes that set none, e.g. 5s or 1500ms
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub timeout: crate::duration::HumanDuration,
    /// How many probes run at once
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
}

fn parse_tier(s: &str) -> Result<Tier, String> {
    s.parse()
}
