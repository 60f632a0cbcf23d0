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

/// A whole count in words, for summaries: `the path` (1), `both paths` (2), `all 5
/// paths`.
pub fn every(n: usize, one: &str, many: &str) -> String {
    match n {
        1 => format!("the {one}"),
        2 => format!("both {many}"),
        n => format!("all {n} {many}"),
    }
}

#[cfg(test)]
mod tests {
    use super::every;

    #[test]
    fn counts_read_as_english() {
        assert_eq!(every(1, "path", "paths"), "the path");
        assert_eq!(every(2, "path", "paths"), "both paths");
        assert_eq!(every(7, "address", "addresses"), "all 7 addresses");
    }
}
