//! Helpers that several probe kinds use, in one place instead of inside one kind.

pub mod compose;
pub mod files;
pub mod git;
pub mod host;
pub mod postgres;

/// Whether a value resolved from the project's variables holds a secret the run knows
/// (it would be masked): evidence then shows the expression as written, not its value.
pub fn holds_secret(resolved: &str) -> bool {
    crate::base::secret::scrub(resolved) != resolved
}

/// `"s"` when `n` is not one, for summaries.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
