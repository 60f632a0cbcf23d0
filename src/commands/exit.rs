//! Exit codes, documented in `--help` and the README. CI gates on them.

/// Go (for `check`), a valid input (for `validate`), an intact ledger (for `verify`),
/// or simply done (every other command).
pub const OK: u8 = 0;
/// No-go for production: a critical item fails or errors, or, with
/// `--require-signoff`, an item is not signed off or waived.
pub const CRITICAL_FAILED: u8 = 1;
/// `verify`: the ledger's hash chain is broken.
pub const LEDGER_BROKEN: u8 = 1;
/// Invalid input or usage: a malformed checklist or configuration, a missing file, a
/// bad flag, a refused sign-off, a damaged ledger on write.
pub const INVALID_INPUT: u8 = 2;
/// The terminal UI was left with Ctrl-C or SIGINT (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;
