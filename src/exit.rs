//! Exit codes, documented in `--help` and the README. CI gates on them.

/// No critical item fails or errors (for `check`), or the input is valid (for `validate`).
pub const OK: u8 = 0;
/// At least one critical item fails or errors: no-go for production.
pub const CRITICAL_FAILED: u8 = 1;
/// Invalid input or usage: a malformed checklist or configuration, a missing file, a bad flag.
pub const INVALID_INPUT: u8 = 2;
