//! Helpers that several probe kinds use, in one place instead of inside one kind.

pub mod compose;
pub mod files;
pub mod git;
pub mod postgres;

/// `"s"` when `n` is not one, for summaries.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
