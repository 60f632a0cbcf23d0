//! A snapshot of the process's environment variables, taken once per run so every
//! probe and credential source sees the same values. Values may be secrets: the
//! snapshot's `Debug` lists names only.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::base::secret::register_if_secret;

/// A snapshot of environment variables, cheap to clone (shared). Its `Debug` lists
/// names only, never values. Values that are secret by name or content are registered
/// for scrubbing when the snapshot is taken.
#[derive(Clone, Default)]
pub struct EnvVars(Arc<BTreeMap<String, String>>);

impl EnvVars {
    /// The variables of this process (those that are valid Unicode).
    pub fn from_process() -> Self {
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect()
    }

    /// A value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EnvVars {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let vars: BTreeMap<String, String> = iter
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        for (name, value) in &vars {
            register_if_secret(name, value);
        }
        EnvVars(Arc::new(vars))
    }
}

impl fmt::Debug for EnvVars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}
