//! The JSON rendering of a [`Report`]: one object, documented in the README and kept
//! stable (fields are only ever added).

use super::Report;

/// Renders the report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
