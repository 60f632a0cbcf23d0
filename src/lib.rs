//! preflight: an interactive checklist for taking a PostgreSQL-backed service to
//! production securely.
//!
//! The crate is built in layers, each a folder, whose imports only point down (a test
//! reads the `use` lines and keeps it so):
//!
//! | layer | owns |
//! |---|---|
//! | [`commands`] | the command line, dispatch, exit codes, the demo |
//! | [`tui`] | the terminal UI: state and `update()`, one file per dialog, pure views |
//! | [`report`] | one report model, one renderer per format |
//! | [`signoff`] | ledger records, their storage, the rules, derived state |
//! | [`probe`] | the `Probe` trait, outcomes and events, the runner, the catalog, one module per kind |
//! | [`checklist`] | the checklist model, TOML loading and validation |
//! | [`system`] | git, Compose, PostgreSQL, Key Vault, the secret scanner, TLS, the project walker |
//! | [`config`] | environment variables, dotenv, URLs, credential sources, `preflight.toml` |
//! | [`base`] | leaves: diagnostics, the TOML reader, durations, timestamps, globs, secrets, digests |
//!
//! Data flows one way: a checklist and the project configuration go into the probe
//! runner, whose events and results feed the sign-off state and the report model, which
//! the renderers and the TUI show. The binary (`src/main.rs`) only parses the command
//! line and maps results to exit codes.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod base;
pub mod checklist;
pub mod commands;
pub mod config;
pub mod probe;
pub mod report;
pub mod signoff;
pub mod system;
pub mod tui;
