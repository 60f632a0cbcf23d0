//! Text from data (file names, Compose service names, commit subjects, notes, anything
//! a project or a checklist wrote) made safe to show: control characters are written
//! visibly escaped (`\x1b`, `\n`), so only preflight's own styling reaches a terminal
//! as escape sequences, and a line of data cannot pass itself off as two.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control character escaped (`\x1b`, `\u{9b}`); with
/// `keep_newlines`, line ends and tabs stay (for multi-line fields such as a
/// remediation or a note).
pub fn escape_controls(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && !(keep_newlines && matches!(c, '\n' | '\t'));
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if !keep_newlines => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' if !keep_newlines => out.push_str("\\t"),
            c if unsafe_char(c) => {
                let code = u32::from(c);
                if code < 0x100 {
                    let _ = write!(out, "\\x{code:02x}");
                } else {
                    let _ = write!(out, "\\u{{{code:x}}}");
                }
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One line of data: secrets scrubbed (see [`crate::base::secret::scrub`]) and every
/// control character escaped.
pub fn safe_line(text: &str) -> String {
    let scrubbed = crate::base::secret::scrub(text);
    escape_controls(&scrubbed, false).into_owned()
}

/// Several lines of data: secrets scrubbed, control characters other than line ends and
/// tabs escaped.
pub fn safe_lines(text: &str) -> String {
    let scrubbed = crate::base::secret::scrub(text);
    escape_controls(&scrubbed, true).into_owned()
}

/// Words joined as English lists them: `a`, `a and b`, `a, b and c`.
pub fn and_list<S: AsRef<str>>(words: &[S]) -> String {
    match words {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_english() {
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["a"]), "a");
        assert_eq!(and_list(&["a", "b"]), "a and b");
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        assert_eq!(
            escape_controls("a\u{1b}]0;pwned\u{7}b\u{1b}[2J", false),
            "a\\x1b]0;pwned\\x07b\\x1b[2J"
        );
        assert_eq!(escape_controls("one\ntwo\r", false), "one\\ntwo\\r");
        assert_eq!(escape_controls("one\ntwo\tx\r", true), "one\ntwo\tx\\r");
        assert_eq!(escape_controls("c1 \u{9b}31m", false), "c1 \\x9b31m");
        assert!(matches!(
            escape_controls("plain · ✓", false),
            Cow::Borrowed(_)
        ));
    }
}
