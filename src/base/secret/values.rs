//! What a value written beside a secret name is: a secret, or something standing for
//! one (a reference, a template, a placeholder, an example), a label in some language,
//! or a setting. Shared by the secret scanner and the Compose and Dockerfile probes.

use super::is_reference;
use super::names::{SecretKind, secret_kind};

/// Values that stand for a secret rather than being one, compared without case.
const PLACEHOLDER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "secrets",
    "token",
    "key",
    "apikey",
    "api_key",
    "changeme",
    "change-me",
    "change_me",
    "changethis",
    "change-this",
    "changeit",
    "placeholder",
    "example",
    "sample",
    "dummy",
    "redacted",
    "hidden",
    "masked",
    "none",
    "null",
    "nil",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "undefined",
    "required",
    "optional",
    "inherit",
    "read",
    "write",
    "empty",
    "default",
    "auto",
    "disabled",
    "enabled",
    "unset",
    "todo",
    "tbd",
    "fixme",
    "xxx",
    "string",
    "value",
    "mypassword",
    "yourpassword",
    "my-password",
    "your-password",
    "mysecret",
    "my-secret",
    "yoursecret",
    "your-secret",
    "secret-key",
    "secretkey",
    "my-secret-key",
    "your-secret-key",
    "supersecret",
    "super-secret",
    "s3cr3t",
    "pa55word",
    "p@ssw0rd",
    "passw0rd",
    "password123",
    "generate",
    "random",
    "<generated>",
    "invalid",
    "wrong",
    "incorrect",
    "allow",
    "deny",
    "warn",
    "forbid",
    "foo",
    "bar",
    "baz",
    "foobar",
    "test",
    "opensesame",
    "int",
    "integer",
    "text",
    "varchar",
    "bool",
    "boolean",
    "json",
    "blob",
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
        || v.starts_with("$$")
        || wrapped("%", "%")
        || v.starts_with("-----BEGIN")
        || is_template(v)
        || is_printf_directive(v)
        || is_path(v)
        || is_expression(v)
        || is_constant_name(v)
        || is_email(v)
        || is_version(v)
        || v.starts_with('<')
        || v.starts_with('@')
        || (v.starts_with('!') && v[1..].starts_with(|c: char| c.is_ascii_alphabetic()))
        || v.chars()
            .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '#' | '-' | '•' | '_' | '?'))
        || PLACEHOLDER_WORDS.contains(&lower.as_str())
        || PLACEHOLDER_WORDS
            .contains(&unleet(lower.trim_end_matches(|c: char| c.is_ascii_digit())).as_str())
        || announces_test_data(&lower)
        || lower.contains("example")
        || lower.starts_with("change")
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

/// `pa$$word` → `password`, `s3cr3t` → `secret`: the usual substitutions undone.
fn unleet(lower: &str) -> String {
    lower
        .chars()
        .map(|c| match c {
            '$' | '5' => 's',
            '@' | '4' => 'a',
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '7' => 't',
            c => c,
        })
        .collect()
}

/// `test-memcached`, `dummy_key`, `fake-token-1`: words joined by separators, one of
/// them saying it is test data.
fn announces_test_data(lower: &str) -> bool {
    let parts: Vec<&str> = lower.split(['-', '_', '.']).collect();
    parts.len() >= 2
        && parts.iter().any(|p| {
            matches!(
                *p,
                "test"
                    | "dummy"
                    | "fake"
                    | "sample"
                    | "demo"
                    | "mock"
                    | "invalid"
                    | "wrong"
                    | "bad"
            )
        })
}

/// `{projectId}:{url}`, `email.{$id}`: a template with named holes.
fn is_template(v: &str) -> bool {
    v.find('{').is_some_and(|open| {
        v[open + 1..].find('}').is_some_and(|len| {
            let inner = v[open + 1..open + 1 + len].trim_start_matches('$');
            !inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    })
}

/// `%s`, `%v`, `%d`, `%[1]s`: a format directive filled in by code.
fn is_printf_directive(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('%') else {
        return false;
    };
    let conversion = rest.trim_start_matches(|c: char| {
        c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '#' | '.' | '[' | ']')
    });
    matches!(conversion, "s" | "v" | "d" | "q" | "x" | "i")
}

/// `/run/secrets/db`, `./certs/key.pem`, `~/.ssh/id_ed25519`, `relay/credentials.json`:
/// where a secret is, not the secret.
fn is_path(v: &str) -> bool {
    let path_chars = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '~'));
    let has_extension = v.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (1..=5).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_lowercase())
    });
    path_chars
        && v.contains('/')
        && (v.starts_with('/')
            || v.starts_with("./")
            || v.starts_with("../")
            || v.starts_with("~/")
            || has_extension)
}

/// `estimateTokens(value)`, `base64(HMAC-SHA1(...))`, `VARCHAR(80)`,
/// `_sm.get_secret_value(...)`, an LDAP filter `(&(objectClass=…))`: code, not a value.
fn is_expression(v: &str) -> bool {
    v.starts_with("(&")
        || v.starts_with("(|")
        || v.match_indices('(').any(|(i, _)| {
            let callee: String = v[..i]
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
                .collect();
            callee.chars().filter(char::is_ascii_alphabetic).count() >= 3
        })
}

/// `DMS_YWNjZXNzX3Rva2Vu`, `bXktc2VjcmV0LWtleQ==`: base64 of words (`access_token`,
/// `my-secret-key`), after an optional `PREFIX_`.
fn is_encoded_words(v: &str) -> bool {
    let body = v.rsplit_once('_').map_or(v, |(prefix, rest)| {
        if prefix.chars().all(|c| c.is_ascii_uppercase()) {
            rest
        } else {
            v
        }
    });
    let decoded = decode_base64(body.trim_end_matches('='));
    decoded.len() >= 4
        && decoded
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b' ' | b'.'))
        && decoded.iter().filter(|b| b.is_ascii_alphabetic()).count() * 4 >= decoded.len() * 3
}

/// Standard or URL-safe base64 without padding; empty when it is not base64.
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes() {
        let Some(v) = value(c) else {
            return Vec::new();
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// `R_SPF_ALLOW`, `SOME_SECRET`, `MAILER_SMTP_PASSWORD`: the name of a constant or a
/// variable, in capitals.
fn is_constant_name(v: &str) -> bool {
    let parts: Vec<&str> = v.split('_').collect();
    parts.len() >= 2
        && parts.iter().filter(|p| p.len() >= 2).count() >= 2
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && v.chars().filter(char::is_ascii_alphabetic).count() * 2 > v.len()
}

/// `vaultwarden@playwright.test`: an address, not a password.
fn is_email(v: &str) -> bool {
    v.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.rsplit_once('.').is_some_and(|(host, tld)| {
                !host.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
            })
    })
}

/// `7.5.4`, `^1.2`, `v2.0.1`: a version.
fn is_version(v: &str) -> bool {
    let t = v.trim_start_matches(['v', '^', '~', '=', '<', '>']);
    let parts: Vec<&str> = t.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// `label.password`, `password_recently_used`, `wrongPassword`, `sogo-sso-pass`,
/// `infra_token/invalid_token`: an identifier that names a credential (a message key,
/// an error code, a variable) rather than being one. It is made of words joined by
/// separators or camel humps, one of them a credential word.
pub fn names_a_credential(value: &str) -> bool {
    let v = value.trim();
    let identifier = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/' | ':' | '#'));
    let joined = v.contains(['_', '.', '-', '/', ':'])
        || v.as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    let lower = v.to_ascii_lowercase();
    identifier
        && joined
        && [
            "pass",
            "pwd",
            "secret",
            "token",
            "key",
            "credential",
            "salt",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

/// Whether a value is words for people (a label, a message, a translation) rather than
/// a credential: a capitalised phrase, something that ends like a sentence, or one
/// capitalised word (`Password`, `Passwort`, `Contraseña`).
pub fn is_natural_language(value: &str) -> bool {
    let v = value.trim();
    let letters_around_space = v.char_indices().filter(|(_, c)| *c == ' ').any(|(i, _)| {
        v[..i].chars().next_back().is_some_and(char::is_alphabetic)
            && v[i + 1..].chars().next().is_some_and(char::is_alphabetic)
    });
    let mut chars = v.chars();
    let capitalised_word = chars.next().is_some_and(char::is_uppercase)
        && chars.clone().count() >= 2
        && chars.all(|c| c.is_alphabetic() && c.is_lowercase());
    // A phrase is a label when it starts like a sentence (`Enter your password`,
    // `Mot de passe`); `correct horse battery staple` is a passphrase.
    (letters_around_space
        && (v.starts_with(char::is_uppercase) || names_a_credential(&v.replace(' ', "-"))))
        || v.ends_with("...")
        || v.ends_with('…')
        || (v.ends_with(['?', '!', ':'])
            && v[..v.len() - 1]
                .chars()
                .all(|c| c.is_alphabetic() || c == ' '))
        || capitalised_word
        || !v.is_ascii() && v.chars().filter(|c| c.is_alphabetic()).count() * 2 > v.chars().count()
}

/// Shannon entropy of the characters, in bits per character (about 6 for base64 of
/// random bytes, 4 for hex, under 3.5 for words).
pub fn entropy(value: &str) -> f64 {
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

/// Whether a value looks generated rather than chosen: at least 8 characters without
/// spaces, not words joined by separators (`n8n-core-secrets`, `test-token-123`) or
/// camel humps (`membersCanCreateApiKey`), and either a long hex string or a mix of
/// letters and digits (or of cases) with enough entropy.
pub fn looks_random(value: &str) -> bool {
    let v = value.trim();
    let n = v.chars().count();
    if n < 8 || v.contains(char::is_whitespace) {
        return false;
    }
    let lower = v.chars().any(|c| c.is_ascii_lowercase());
    let upper = v.chars().any(|c| c.is_ascii_uppercase());
    let digit = v.chars().any(|c| c.is_ascii_digit());
    let symbol = v.chars().any(|c| !c.is_ascii_alphanumeric());
    let alnum_classes = [lower, upper, digit].iter().filter(|x| **x).count();
    // Words joined by separators, each a word of letters or a short token (`n8n`,
    // `123`).
    let parts: Vec<&str> = v
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect();
    let word = |p: &&str| {
        (3..=14).contains(&p.len())
            && p.chars().all(|c| c.is_ascii_alphabetic())
            && p.chars().any(|c| "aeiouyAEIOUY".contains(c))
    };
    let wordish =
        parts.len() >= 2 && parts.iter().any(word) && parts.iter().all(|p| word(p) || p.len() <= 4);
    // camelCase words: each capital followed by at least two small letters.
    let chars: Vec<char> = v.chars().collect();
    let camel = !digit
        && !symbol
        && upper
        && chars[0].is_ascii_lowercase()
        && chars.iter().enumerate().all(|(i, c)| {
            !c.is_ascii_uppercase()
                || (chars.get(i + 1).is_some_and(char::is_ascii_lowercase)
                    && chars.get(i + 2).is_some_and(char::is_ascii_lowercase))
        });
    let hex = n >= 16 && v.chars().all(|c| c.is_ascii_hexdigit());
    let lower_v = v.to_ascii_lowercase();
    let fake = [
        "1234", "abcd", "abc123", "0000", "xxxx", "test", "example", "dummy", "fake", "sample",
    ]
    .iter()
    .any(|f| lower_v.contains(f));
    let mut distinct: Vec<char> = v.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    !wordish
        && !fake
        && !is_encoded_words(v)
        && distinct.len() >= 6
        && !camel
        && (hex
            || (alnum_classes >= 2 && digit && (n >= 10 || symbol))
            || (alnum_classes == 3)
            || (n >= 20 && alnum_classes >= 2 && entropy(v) >= 3.5))
}

/// Whether `name = value`, written in a file, hardcodes a secret: the name names one,
/// and the value is a literal that counts for its kind (any password that is not a
/// placeholder or words for people, with at least 3 characters; a random-looking key,
/// token or salt).
pub fn is_secret_assignment(name: &str, value: &str) -> bool {
    let Some(kind) = secret_kind(name) else {
        return false;
    };
    let v = value.trim();
    if is_placeholder(v) || is_natural_language(v) || names_a_credential(v) {
        return false;
    }
    match kind {
        SecretKind::Password => v.chars().count() >= 3,
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
            "pa$$word",
            "secret1",
            "SOME_SECRET",
            "%DATABASE_PASSWORD%",
            "$$(cat /run/secrets/x)",
            "/run/secrets/db-password",
            "relay/credentials.json",
            "estimateTokens(value)",
            "VARCHAR(80)",
            "7.5.4",
            "vaultwarden@playwright.test",
            "{projectId}:{url}",
            "%s",
            "changePassword",
            "test-memcached",
            "-----BEGIN RSA PRIVATE KEY-----",
            "(&(objectClass=x)(mail=%u))",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in [
            "rootsecretpassword",
            "SOGoSuperSecret0",
            "testpass",
            "whalehello",
        ] {
            assert!(!is_placeholder(v), "{v}");
        }
        for v in [
            "postgres",
            "hunter22",
            "${PG_PASSWORD:-contextforge}",
            "Yx42hafg7Q4f",
        ] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn labels_are_not_secrets() {
        for v in [
            "Password",
            "Enter your password",
            "Mot de passe",
            "Passwort",
            "Contraseña",
            "パスワード",
            "Password:",
        ] {
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
        for v in [
            "n8n-core-secrets",
            "en",
            "secret",
            "my-secret-key",
            "0.0.0.0",
            "BLF-CRYPT",
        ] {
            assert!(!looks_random(v), "{v}");
        }
    }

    #[test]
    fn assignments() {
        assert!(is_secret_assignment("POSTGRES_PASSWORD", "postgres"));
        assert!(is_secret_assignment("MYSQL_ROOT_PASSWORD", "root"));
        assert!(!is_secret_assignment("MYSQL_RANDOM_ROOT_PASSWORD", "yes"));
        assert!(!is_secret_assignment("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"));
        assert!(!is_secret_assignment(
            "POSTGRES_PASSWORD_FILE",
            "/run/secrets/db"
        ));
        assert!(!is_secret_assignment("SECRET_FORCED_LANGUAGE", "en"));
        assert!(!is_secret_assignment("password", "Password"));
        assert!(!is_secret_assignment("existingSecret", "n8n-core-secrets"));
        assert!(!is_secret_assignment(
            "WG_PUBLIC_KEY",
            "k3X1mB5tq2Wc0xZ8yJ9pR4sT7uV6wA1bC2dE3fG4hI5="
        ));
        assert!(is_secret_assignment(
            "ENCRYPTION_KEY",
            "k3X1mB5tq2Wc0xZ8yJ9pR4sT7uV6wA1b"
        ));
        assert!(!is_secret_assignment("ENCRYPTION_KEY", "my-secret-key"));
    }
}
