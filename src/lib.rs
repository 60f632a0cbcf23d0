//! preflight: an interactive checklist for taking a PostgreSQL-backed service to
//! production securely.
//!
//! Data flows one way: a [`checklist`] and the project [`config`] go into the probe
//! [`probe::runner`], whose events and results feed the [`report`] model, which the
//! printers render. The binary (`src/main.rs`) only parses the command line and maps
//! results to [`exit`] codes.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod checklist;
pub mod cli;
pub mod commands;
pub mod compose;
pub mod config;
pub mod demo;
pub mod diagnostic;
pub mod dotenv;
pub mod duration;
pub mod exit;
pub mod git;
pub mod keyvault;
pub mod pathglob;
pub mod pgurl;
pub mod postgres;
pub mod probe;
pub mod report;
pub mod secret;
pub mod secretscan;
pub mod signoff;
pub mod timestamp;
pub mod tls;
pub mod toml_reader;
pub mod tui;
pub mod userdirs;
