//! One module per probe kind. Each declares its catalog entry (`KIND`: name, summary,
//! parameters, constructor) and implements [`crate::probe::Probe`] (or
//! [`crate::probe::BlockingProbe`] for file and process work). Helpers that several
//! kinds use live in [`crate::probe::shared`], not in one kind.

pub mod command;
pub mod compose_images;
pub mod compose_ports;
pub mod compose_secrets;
pub mod connection_string;
pub mod credential_difference;
pub mod dockerfile_secrets;
pub mod env_vars;
pub mod environment;
pub mod file_fresh;
pub mod file_mode;
pub mod git_history;
pub mod git_hook;
pub mod git_tracked;
pub mod gitignore_covers;
pub mod keyvault_secrets;
pub mod listening;
pub mod password_policy;
pub mod postgres;
pub mod reachable;
pub mod secret_scan;
pub mod sql_injection;
