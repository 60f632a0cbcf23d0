//! The system layer: everything that talks to the world outside the process.
//!
//! - [`walk`]: the one project-file walker, which decides for every consumer which files
//!   of a project exist, which are skipped and why, and reads them within bounds;
//! - [`git`]: questions to git itself;
//! - [`compose`]: Docker Compose files, parsed with positions and interpolated;
//! - [`postgres`]: connecting to PostgreSQL and querying it, and finding its server
//!   binaries;
//! - [`keyvault`]: Azure Key Vault;
//! - [`net`]: listening sockets and their processes, this machine's addresses, name
//!   resolution and TCP connections;
//! - [`process`]: child processes, each in its own process group, bounded in time
//!   and output;
//! - [`secretscan`]: the hardcoded-credential detectors;
//! - [`tls`]: the operating system's trusted roots;
//! - [`certificate`]: what an X.509 certificate says of its own strength.
//!
//! This layer reads configuration but knows nothing of probes, checklists, outcomes or
//! sign-offs: it answers questions, and the probe layer decides what the answers mean.

pub mod certificate;
pub mod compose;
pub mod git;
pub mod keyvault;
pub mod net;
pub mod postgres;
pub mod process;
pub mod secretscan;
pub mod ssh;
pub mod tls;
pub mod walk;
