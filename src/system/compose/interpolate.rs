//! Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
//! `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}` and `$$`, with values from
//! the shell environment first and the project's `.env` second, as Compose does it.

use std::collections::BTreeMap;

use crate::base::secret::{is_secret_name, register};
use crate::config::EnvVars;

/// How deep defaults may nest (`${A:-${B:-${C}}}` is three levels).
pub const MAX_NESTING: usize = 64;

/// Variables available to a Compose file.
#[derive(Clone, Default)]
pub struct Variables {
    shell: EnvVars,
    dotenv: BTreeMap<String, String>,
}

impl std::fmt::Debug for Variables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be secrets: show names only.
        f.debug_struct("Variables")
            .field("shell", &self.shell)
            .field("dotenv", &self.dotenv.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A reference that Compose itself would refuse (`${VAR:?message}` with VAR unset, or bad syntax).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InterpolationError(pub String);

impl Variables {
    /// Shell variables take precedence over the `.env` file's.
    pub fn new(shell: EnvVars, dotenv: BTreeMap<String, String>) -> Self {
        Variables { shell, dotenv }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.shell
            .get(name)
            .or_else(|| self.dotenv.get(name).map(String::as_str))
    }

    /// Substitutes every reference in `text`.
    pub fn interpolate(&self, text: &str) -> Result<String, InterpolationError> {
        self.interpolate_at(text, 0)
    }

    /// [`Variables::interpolate`] inside `depth` enclosing defaults: a file nesting
    /// them deeper than [`MAX_NESTING`] is refused rather than followed down the stack.
    fn interpolate_at(&self, text: &str, depth: usize) -> Result<String, InterpolationError> {
        if depth > MAX_NESTING {
            return Err(InterpolationError(format!(
                "interpolation nested more than {MAX_NESTING} levels deep"
            )));
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(pos) = rest.find('$') {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            if let Some(tail) = after.strip_prefix('$') {
                out.push('$');
                rest = tail;
            } else if let Some(body_start) = after.strip_prefix('{') {
                let end = matching_brace(body_start)
                    .ok_or_else(|| InterpolationError(format!("unclosed `${{` in \"{text}\"")))?;
                out.push_str(&self.expand(&body_start[..end], text, depth)?);
                rest = &body_start[end + 1..];
            } else {
                let len = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                if len == 0 || after.starts_with(|c: char| c.is_ascii_digit()) {
                    out.push('$');
                    rest = after;
                } else {
                    out.push_str(self.get(&after[..len]).unwrap_or(""));
                    rest = &after[len..];
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Expands the inside of `${...}`.
    fn expand(&self, body: &str, whole: &str, depth: usize) -> Result<String, InterpolationError> {
        let name_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let (name, op) = body.split_at(name_len);
        if name.is_empty() {
            return Err(InterpolationError(format!(
                "invalid interpolation format for \"{whole}\""
            )));
        }
        let value = self.get(name);
        let set_non_empty = value.is_some_and(|v| !v.is_empty());
        let (operator, arg) = if let Some(arg) = op.strip_prefix(":-") {
            ("-", Some((arg, set_non_empty)))
        } else if let Some(arg) = op.strip_prefix('-') {
            ("-", Some((arg, value.is_some())))
        } else if let Some(arg) = op.strip_prefix(":?") {
            ("?", Some((arg, set_non_empty)))
        } else if let Some(arg) = op.strip_prefix('?') {
            ("?", Some((arg, value.is_some())))
        } else if let Some(arg) = op.strip_prefix(":+") {
            ("+", Some((arg, set_non_empty)))
        } else if let Some(arg) = op.strip_prefix('+') {
            ("+", Some((arg, value.is_some())))
        } else if op.is_empty() {
            ("", None)
        } else {
            return Err(InterpolationError(format!(
                "invalid interpolation format for \"{whole}\""
            )));
        };
        // A default written for a secret variable is a secret too, used or not.
        if let Some((text, _)) = arg
            && operator == "-"
            && is_secret_name(name)
        {
            register(text);
        }
        match (operator, arg) {
            ("", _) | (_, None) => Ok(value.unwrap_or("").to_string()),
            ("-", Some((default, present))) => {
                if present {
                    Ok(value.unwrap_or("").to_string())
                } else {
                    self.interpolate_at(default, depth + 1)
                }
            }
            ("?", Some((message, present))) => {
                if present {
                    Ok(value.unwrap_or("").to_string())
                } else {
                    Err(InterpolationError(format!(
                        "required variable {name} is missing a value: {}",
                        self.interpolate_at(message, depth + 1)?
                    )))
                }
            }
            (_, Some((alternative, present))) => {
                if present {
                    self.interpolate_at(alternative, depth + 1)
                } else {
                    Ok(String::new())
                }
            }
        }
    }
}

/// Index of the `}` that closes a `${` whose body starts at `s`, allowing nesting.
fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Variables {
        let shell = [("SHELL_ONLY", "s"), ("BOTH", "from-shell"), ("EMPTY", "")];
        let dotenv = [
            ("BOTH", "from-dotenv"),
            ("BIND", "127.0.0.1"),
            ("PORT", "5434"),
        ];
        Variables::new(
            shell.iter().copied().collect(),
            dotenv
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn substitutes_like_compose() {
        let v = vars();
        let i = |s: &str| v.interpolate(s).unwrap();
        assert_eq!(i("${BIND}:${PORT}:5432"), "127.0.0.1:5434:5432");
        assert_eq!(i("$BIND:$PORT:5432"), "127.0.0.1:5434:5432");
        assert_eq!(i("${BOTH}"), "from-shell");
        assert_eq!(i("${UNSET:-0.0.0.0}:5432"), "0.0.0.0:5432");
        assert_eq!(i("${EMPTY:-dflt}"), "dflt");
        assert_eq!(i("${EMPTY-dflt}"), "");
        assert_eq!(i("${UNSET-dflt}"), "dflt");
        assert_eq!(i("${BIND:+x}${UNSET:+y}"), "x");
        assert_eq!(i("${UNSET:-${BIND}}"), "127.0.0.1");
        assert_eq!(i("$$BIND"), "$BIND");
        assert_eq!(i("${UNSET}"), "");
        assert_eq!(i("cost $5"), "cost $5");
    }

    #[test]
    fn required_variables_and_bad_syntax_are_errors() {
        let v = vars();
        assert_eq!(
            v.interpolate("${UNSET:?set UNSET first}").unwrap_err().0,
            "required variable UNSET is missing a value: set UNSET first"
        );
        assert!(v.interpolate("${BIND").is_err());
        assert!(v.interpolate("${}").is_err());
        assert!(v.interpolate("${BIND%x}").is_err());
    }

    #[test]
    fn nesting_is_bounded_and_secret_defaults_are_registered() {
        let v = vars();
        let deep = format!("{}x{}", "${UNSET:-".repeat(100_000), "}".repeat(100_000));
        assert_eq!(
            v.interpolate(&deep).unwrap_err().0,
            "interpolation nested more than 64 levels deep"
        );
        let fine = format!("{}x{}", "${UNSET:-".repeat(60), "}".repeat(60));
        assert_eq!(v.interpolate(&fine).unwrap(), "x");
        // Used or not, a default written for a secret variable is masked everywhere.
        let _ = v.interpolate("${BIND:-x} ${DB_PASSWORD:-Default-Pw-Canary-1}");
        assert_eq!(
            crate::base::secret::scrub("pw Default-Pw-Canary-1"),
            "pw ********"
        );
    }
}
