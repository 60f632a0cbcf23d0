//! What a value written beside a secret name is: a secret, or something standing for
//! one (a reference, a template, a placeholder, an example), a label in some language,
//! or a setting. Shared by the secret scanner and the Compose and Dockerfile probes.

use super::is_reference;
use super::names::{SecretKind, secret_kind};

/// Values that stand for a secret rather than being one, compared without case.
const PLACEHOLDER_WORDS: &[&str] = &[
    "password", "passwd", "pass", "pwd", "secret", "secrets", "token", "key", "apikey",
    "api_key", "changeme", "change-me", "change_me", "changethis", "change-this",
    "changeit", "placeholder", "example", "sample", "dummy", "redacted", "hidden", "masked",
    "none", "null", "nil", "true", "false", "yes", "no", "on", "off", "undefined", "required",
    "optional", "inherit", "read", "write", "empty", "default", "auto", "disabled", "enabled",
    "unset", "todo", "tbd", "fixme", "xxx", "string", "value", "mypassword", "yourpassword",
    "my-password", "your-password", "mysecret", "my-secret", "yoursecret", "your-secret",
    "secret-key", "secretkey", "my-secret-key", "your-secret-key", "supersecret",
    "super-secret", "s3cr3t", "pa55word", "p@ssw0rd", "passw0rd", "password123",
    "generate", "random", "<generated>",
];

/// Whether a value only stands for a secret: references and templates (`${VAR}`,
/// `$VAR`, `{{ x }}`, `%(x)s`, `<password>`, `[SECRET]`), command substitutions
/// (`$(openssl rand -hex 32)`), file references (`</path/key.pem`, `@file`), YAML tags
/// (`!reset null`, `!Ref Secret`), masks (`***`, `xxxx`), example words (`changeme`,
/// `YOUR_TOKEN_HERE`, `replace-me-with-a-random-string`) and code that reads it
/// (`os.environ[...]`, `process.env.X`).
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    // `${PG_PASSWORD:-contextforge}`: the default is a value.
    if let Some(inner) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}'))
        && let Some((_, default)) = inner.split_once(":-").or_else(|| inner.split_once('-'))
    {
        return is_placeholder(default);
    }
    if is_reference(v) || v.chars().count() < 2 {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    let upper = v.to_ascii_uppercase();
    let wrapped = |open: &str, close: &str| v.starts_with(open) && v.ends_with(close);
    wrapped("<", ">")
        || wrapped("[", "]")
        || wrapped("{{", "}}")
        || wrapped("{", "}")
        || wrapped("%(", ")s")
        || wrapped("$(", ")")
        || wrapped("`", "`")
        || v.contains("${")
        || v.contains("{{")
        || v.starts_with("$(")
        || v.starts_with('<')
        || v.starts_with('@')
        || (v.starts_with('!') && v[1..].starts_with(|c: char| c.is_ascii_alphabetic()))
        || v.chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '#' | '-' | '•' | '_' | '?'))
        || PLACEHOLDER_WORDS.contains(&lower.as_str())
        || lower.contains("example")
        || lower.contains("changeme")
        || lower.contains("change-me")
        || lower.contains("change_me")
        || lower.contains("replace-me")
        || lower.contains("replace_me")
        || lower.contains("replaceme")
        || lower.contains("placeholder")
        || lower.contains("your-")
        || lower.contains("your_")
        || lower.starts_with("os.environ")
        || lower.starts_with("os.getenv")
        || lower.starts_with("process.env")
        || lower.starts_with("env(")
        || lower.starts_with("env::var")
        || lower.starts_with("getenv(")
        || ((upper.starts_with("YOUR")
            || upper.ends_with("_HERE")
            || upper.ends_with("-HERE")
            || upper.starts_with("REPLACE")
            || upper.starts_with("INSERT_")
            || upper.starts_with("ENTER_")
            || upper.starts_with("SET_")
            || upper.starts_with("PUT_"))
            && v.chars().all(|c| !c.is_ascii_lowercase()))
}

/// Whether a value is words for people (a label, a message, a translation) rather than
/// a credential: it has a space between letters, ends like a sentence, or is one
/// capitalised word (`Password`, `Passwort`, `Contraseña`).
pub fn is_natural_language(value: &str) -> bool {
    let v = value.trim();
    let letters_around_space = v
        .char_indices()
        .filter(|(_, c)| *c == ' ')
        .any(|(i, _)| {
            v[..i].chars().next_back().is_some_and(char::is_alphabetic)
                && v[i + 1..].chars().next().is_some_and(char::is_alphabetic)
        });
    let mut chars = v.chars();
    let capitalised_word = chars.next().is_some_and(char::is_uppercase)
        && chars.clone().count() >= 2
        && chars.all(|c| c.is_alphabetic() && c.is_lowercase());
    letters_around_space
        || v.ends_with("...")
        || v.ends_with('…')
        || (v.ends_with(['?', '!', ':'])
            && v[..v.len() - 1]
                .chars()
                .all(|c| c.is_alphabetic() || c == ' '))
        || capitalised_word
        || !v.is_ascii()
            && v.chars().filter(|c| c.is_alphabetic()).count() * 2 > v.chars().count()
}

/// Shannon entropy of the characters, in bits per character.
fn entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = value.chars().count() as f64;
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a value looks generated rather than chosen: at least 8 characters, and
/// either three character classes (lower, upper, digit, symbol), or two of them with
/// enough entropy (a hex or base64 string). A word with dashes
/// (`n8n-core-secrets`) does not.
pub fn looks_random(value: &str) -> bool {
    let v = value.trim();
    let n = v.chars().count();
    if n < 8 || v.contains(char::is_whitespace) {
        return false;
    }
    let classes = [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    // Words joined by dashes, dots or underscores, each mostly letters.
    let parts: Vec<&str> = v.split(['-', '_', '.']).filter(|p| !p.is_empty()).collect();
    let wordish = parts.len() >= 2
        && parts.iter().all(|p| {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            p.len() <= 12 && digits * 3 <= p.len()
        });
    !wordish
        && ((classes >= 3 && has_digit)
            || (classes >= 2 && has_digit && n >= 16 && entropy(v) >= 3.0)
            || (n >= 20 && entropy(v) >= 3.5))
}

/// Whether `name = value`, written in a file, hardcodes a secret: the name names one,
/// and the value is a literal that counts for its kind (any password that is not a
/// placeholder or words for people, with at least 4 characters; a random-looking key,
/// token or salt).
pub fn is_secret_assignment(name: &str, value: &str) -> bool {
    let Some(kind) = secret_kind(name) else {
        return false;
    };
    let v = value.trim();
    if is_placeholder(v) || is_natural_language(v) {
        return false;
    }
    match kind {
        SecretKind::Password => v.chars().count() >= 4,
        SecretKind::Key => looks_random(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_stand_for_secrets() {
        for v in [
            "${PG_PASSWORD}",
            "$PG_PASSWORD",
            "<password>",
            "[SECRET]",
            "{{ vault_pw }}",
            "$(openssl rand -hex 32)",
            "</run/secrets/key.pem",
            "!reset null",
            "!Ref DbSecret",
            "********",
            "xxxx",
            "changeme",
            "YOUR_TOKEN_HERE",
            "your-secret-key",
            "replace-me-with-a-random-string",
            "password",
            "inherit",
            "write",
            "os.environ['X']",
            "${PG_PASSWORD:-}",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in ["postgres", "hunter22", "${PG_PASSWORD:-contextforge}", "Yx42hafg7Q4f"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn labels_are_not_secrets() {
        for v in ["Password", "Enter your password", "Mot de passe", "Passwort", "Contraseña", "パスワード", "Password:"] {
            assert!(is_natural_language(v), "{v}");
        }
        for v in ["postgres", "Hunter22!", "s3cr3t-Pw"] {
            assert!(!is_natural_language(v), "{v}");
        }
    }

    #[test]
    fn random_looking_values() {
        for v in [
            "Yx42hafg7Q4fgkxe",
            "0cefd0615350e1914a29caeef3342fd620a60045",
            "base64:Jk3d8sKq1mZ0/Xp9==",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        ] {
            assert!(looks_random(v), "{v}");
        }
        for v in ["n8n-core-secrets", "en", "secret", "my-secret-key", "0.0.0.0", "BLF-CRYPT"] {
            assert!(!looks_random(v), "{v}");
        }
    }

    #[test]
    fn assignments() {
        assert!(is_secret_assignment("POSTGRES_PASSWORD", "postgres"));
        assert!(is_secret_assignment("MYSQL_ROOT_PASSWORD", "root"));
        assert!(!is_secret_assignment("MYSQL_RANDOM_ROOT_PASSWORD", "yes"));
        assert!(!is_secret_assignment("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"));
        assert!(!is_secret_assignment("POSTGRES_PASSWORD_FILE", "/run/secrets/db"));
        assert!(!is_secret_assignment("SECRET_FORCED_LANGUAGE", "en"));
        assert!(!is_secret_assignment("password", "Password"));
        assert!(!is_secret_assignment("existingSecret", "n8n-core-secrets"));
        assert!(!is_secret_assignment("WG_PUBLIC_KEY", "k3X1mB5tq2Wc0xZ8yJ9pR4sT7uV6wA1bC2dE3fG4hI5="));
        assert!(is_secret_assignment("ENCRYPTION_KEY", "k3X1mB5tq2Wc0xZ8yJ9pR4sT7uV6wA1b"));
        assert!(!is_secret_assignment("ENCRYPTION_KEY", "my-secret-key"));
    }
}
