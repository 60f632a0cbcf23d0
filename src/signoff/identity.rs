//! Who is signing: `--as` if given, else git's `user.name` and `user.email` as seen
//! from the project, else `user@host`.

use std::path::Path;

use super::record::Identity;
use crate::config::EnvVars;
use crate::system::git::Repo;

/// The identity to record for a command run in `project_dir`.
pub fn detect(project_dir: &Path, vars: &EnvVars) -> Identity {
    let name = Repo::config_value(project_dir, "user.name");
    let email = Repo::config_value(project_dir, "user.email");
    match (name, email) {
        (Some(name), email) => Identity { name, email },
        (None, Some(email)) => Identity {
            name: email.clone(),
            email: Some(email),
        },
        (None, None) => {
            let user = vars
                .get("USER")
                .or_else(|| vars.get("LOGNAME"))
                .unwrap_or("unknown");
            let uname = rustix::system::uname();
            let host = uname.nodename().to_string_lossy();
            Identity {
                name: format!("{user}@{host}"),
                email: None,
            }
        }
    }
}
