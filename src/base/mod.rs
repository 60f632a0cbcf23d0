//! Leaves: small building blocks that know nothing of the rest of preflight.
//!
//! Nothing here imports another layer; everything above may import from here. Each
//! module is one idea: file diagnostics with line and column, a spanned TOML reader,
//! human durations, UTC timestamps, path patterns, secret values (and scrubbing them
//! from output), digests, how a project path is shown, and making data safe to show.

pub mod diagnostic;
pub mod digest;
pub mod duration;
pub mod fs;
pub mod path;
pub mod pathglob;
pub mod secret;
pub mod text;
pub mod timestamp;
pub mod toml_reader;
