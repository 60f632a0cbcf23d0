//! What a variable or key name says about its value: the one classifier shared by the
//! secret scanner, the Compose and Dockerfile probes, `env-vars` and the output
//! scrubber.
//!
//! A name is split into words (`_`, `-`, `.`, camelCase): `dbPassword` is DB PASSWORD,
//! `_APP_OPENSSL_KEY_V1` is APP OPENSSL KEY V1. It names a secret when one of its words
//! is a credential word (PASSWORD, PASSWD, PASSPHRASE, PASS, PWD, PW, SECRET, TOKEN,
//! CREDENTIAL, SALT, APIKEY, ...) or it ends in KEY after a qualifier that is not a
//! public one; and not when it names something about a secret rather than the secret
//! itself: a reference to one (`*_FILE`, `*_PATH`, `*_URL`, `existingSecret`), a
//! setting (`MYSQL_RANDOM_ROOT_PASSWORD`, `MYSQL_ALLOW_EMPTY_PASSWORD`,
//! `PASSWORD_MIN_LENGTH`, `MAILCOW_PASS_SCHEME`), a public key, or a label.

/// What kind of secret a name holds, which decides what values count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// A password or passphrase: any literal value counts, weak ones included.
    Password,
    /// A key, token, secret or salt: a literal value counts when it looks random.
    Key,
}

/// The last words that make a name about a secret rather than the secret.
const NOT_THE_VALUE: &[&str] = &[
    "FILE",
    "FILES",
    "PATH",
    "DIR",
    "DIRECTORY",
    "LENGTH",
    "LEN",
    "MIN",
    "MAX",
    "POLICY",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "EXPIRE",
    "AGE",
    "RESET",
    "PROMPT",
    "FIELD",
    "PATTERN",
    "REGEX",
    "TYPE",
    "URL",
    "URI",
    "URLS",
    "ENDPOINT",
    "HEADER",
    "NAME",
    "NAMES",
    "ID",
    "IDS",
    "HASH",
    "HASHER",
    "HASHING",
    "ALGORITHM",
    "ALGO",
    "ENV",
    "VAR",
    "COUNT",
    "SIZE",
    "TTL",
    "TIMEOUT",
    "LIMIT",
    "REQUIRED",
    "ENABLED",
    "DISABLED",
    "COMMAND",
    "CMD",
    "STDIN",
    "RULES",
    "CHANGED",
    "VERSION",
    "LABEL",
    "HINT",
    "STRENGTH",
    "MANAGER",
    "STORE",
    "PROVIDER",
    "SOURCE",
    "REF",
    "REFS",
    "PARAM",
    "SCHEME",
    "HOSTNAME",
    "HOST",
    "PORT",
    "USER",
    "USERNAME",
    "LOGIN",
    "EMAIL",
    "MODE",
    "METHOD",
    "KIND",
    "FORMAT",
    "ENCODING",
    "LANGUAGE",
    "LANG",
    "LOCALE",
    "PREFIX",
    "SUFFIX",
    "QUERY",
    "INPUT",
    "TITLE",
    "TEXT",
    "DESCRIPTION",
    "PLACEHOLDER",
    "MESSAGE",
    "ERROR",
    "HELP",
    "TOOLTIP",
    "BUTTON",
    "LINK",
    "PAGE",
    "FORM",
    "DIALOG",
    "MODAL",
    "SUCCESS",
    "FAILED",
    "INVALID",
    "MISMATCH",
    "MATCH",
    "VISIBLE",
    "VISIBILITY",
    "SHOW",
    "HIDE",
    "TOGGLE",
    "ICON",
    "COLOR",
    "STYLE",
    "CLASS",
    "KEYS",
    "LIST",
    "LOCATION",
    "TABLE",
    "COLUMN",
    "STATUS",
    "STATE",
    "EVENT",
    "ROUTE",
    "LIFETIME",
    "INTERVAL",
    "ROTATION",
    "BITS",
    "ROUNDS",
    "ITERATIONS",
    "COST",
    "DIGEST",
    "CIPHER",
    "ENCRYPTED",
    "DECRYPTED",
    "RESOURCE",
    "AUDIENCE",
    "ISSUER",
    "SCOPE",
    "SCOPES",
    "CLAIM",
    "CLAIMS",
    "FROM",
    "TO",
    "SENDER",
    "RECIPIENT",
    "FILENAME",
    "FILEPATH",
    "JSON",
    "YAML",
    "YML",
    "XML",
    "INI",
    "CONF",
    "ATTR",
    "ATTRS",
    "ATTRIBUTE",
    "ATTRIBUTES",
    "FIELDS",
    "MAP",
    "MAPS",
];

/// Words that make the name a setting about a secret, wherever they stand.
const SETTING_WORDS: &[&str] = &[
    "RANDOM",
    "ALLOW",
    "EMPTY",
    "EXISTING",
    "GENERATE",
    "GENERATED",
    "SKIP",
    "REQUIRE",
    "ENABLE",
    "DISABLE",
    "USE",
    "NO",
    "FORGOT",
    "FORGOTTEN",
    "CSRF",
    "XSRF",
    "VERBOSE",
];

/// Qualifiers before KEY that make it something other than a secret key.
const NOT_SECRET_KEYS: &[&str] = &[
    "PRIMARY",
    "FOREIGN",
    "SORT",
    "PARTITION",
    "CACHE",
    "OBJECT",
    "ROUTING",
    "IDEMPOTENCY",
    "MAP",
    "HOT",
    "SHORTCUT",
    "SCHEMA",
    "SEQUENCE",
    "BUCKET",
    "NATURAL",
    "UNIQUE",
    "LOOKUP",
    "DEDUP",
    "INDEX",
    "SEARCH",
    "TRANSLATION",
    "I18N",
    "LICENSE",
    "REGISTRY",
    "S3",
    "STORAGE",
    "FILE",
    "TABLE",
    "HASH",
    "GROUP",
    "REDIS",
    "QUEUE",
    "TOPIC",
    "EVENT",
    "PREFIX",
    "LOCK",
    "TEMPLATE",
    "PLAN",
    "ABUSE",
    "RESTORE",
    "SAVE",
    "STATE",
    "SETTING",
    "CONFIG",
    "OPTION",
    "LANG",
    "LOCALE",
    "MESSAGE",
    "LABEL",
];

/// The name's words, upper case.
fn words(name: &str) -> Vec<String> {
    let name = name
        .trim_start_matches("$env:")
        .trim_start_matches('$')
        .trim_start_matches('-');
    let mut out = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            continue;
        }
        // camelCase: a capital after a small letter, or the last capital of a run
        // before a small letter (`APIKey` is API Key).
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || (chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        word.push(c.to_ascii_uppercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Whether a word names a password.
fn is_password_word(w: &str) -> bool {
    const NOT_PASS: &[&str] = &[
        "BYPASS",
        "COMPASS",
        "SURPASS",
        "TRESPASS",
        "OVERPASS",
        "UNDERPASS",
        "PASSTHROUGH",
        "PASSIVE",
        "PASSPORT",
        "PASSENGER",
        "PASSED",
        "PASSES",
        "PASSING",
    ];
    w.contains("PASSWORD")
        || w.contains("PASSWD")
        || w.contains("PASSPHRASE")
        || matches!(w, "PWD" | "PW" | "PASSWORDS")
        || (w.ends_with("PASS") && w != "PASS" && !NOT_PASS.contains(&w))
}

/// Whether a word names a key, token or secret.
fn is_key_word(w: &str) -> bool {
    w.contains("SECRET")
        || (w.contains("TOKEN") && !w.contains("TOKENIZ"))
        || w.contains("CREDENTIAL")
        || w.ends_with("SALT")
        || matches!(
            w,
            "APIKEY" | "PRIVATEKEY" | "SECRETKEY" | "ACCESSKEY" | "MASTERKEY" | "AUTHKEY" | "CREDS"
        )
}

/// What kind of secret `name` holds, or `None` when it does not name a secret.
pub fn secret_kind(name: &str) -> Option<SecretKind> {
    let mut words = words(name);
    // A version or a number at the end does not change what it is: `KEY_V1`, `TOKEN2`.
    while words.len() > 1
        && words.last().is_some_and(|w| {
            w.chars().all(|c| c.is_ascii_digit())
                || (w.starts_with('V') && w.len() > 1 && w[1..].chars().all(|c| c.is_ascii_digit()))
        })
    {
        words.pop();
    }
    let last = words.last()?;
    // The shell's working directories, not passwords.
    if matches!(words.as_slice(), [w] if w == "PWD" || w == "OLDPWD") {
        return None;
    }
    if NOT_THE_VALUE.contains(&last.as_str())
        || words.iter().any(|w| SETTING_WORDS.contains(&w.as_str()))
        || words.iter().any(|w| w.contains("PUBLIC") || w == "PUB")
    {
        return None;
    }
    // A bare PASS is a password only as the last word (`DB_PASS`), not in
    // `needless_pass_by_value`.
    if words.iter().any(|w| is_password_word(w)) || last == "PASS" {
        return Some(SecretKind::Password);
    }
    if words.iter().any(|w| is_key_word(w)) {
        return Some(SecretKind::Key);
    }
    // `APP_KEY`, `ENCRYPTION_KEY`, `api-key`: KEY after a qualifier that is not one of
    // the many kinds of public keys (a bare `key` is everywhere: i18n, maps, YAML).
    if last == "KEY" && words.len() > 1 {
        let before = &words[words.len() - 2];
        if !NOT_SECRET_KEYS.contains(&before.as_str()) {
            return Some(SecretKind::Key);
        }
    }
    None
}

/// Whether a variable or key name looks like it holds a secret (`PG_PASSWORD`,
/// `API_TOKEN`, `AZURE_CLIENT_SECRET`, `PGPASS`, `DB_PW`, `SESSION_SALT`,
/// `SIGNING_KEY`, ...). Such values are never printed.
pub fn is_secret_name(name: &str) -> bool {
    secret_kind(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(words("dbPassword"), ["DB", "PASSWORD"]);
        assert_eq!(
            words("_APP_OPENSSL_KEY_V1"),
            ["APP", "OPENSSL", "KEY", "V1"]
        );
        assert_eq!(words("APIKey"), ["API", "KEY"]);
        assert_eq!(words("$env:PG_PASSWORD"), ["PG", "PASSWORD"]);
        assert_eq!(words("--db-pass"), ["DB", "PASS"]);
    }

    #[test]
    fn names_of_secrets() {
        for (name, kind) in [
            ("PG_PASSWORD", SecretKind::Password),
            ("db_pass", SecretKind::Password),
            ("PGPASSWORD", SecretKind::Password),
            ("PGPASS", SecretKind::Password),
            ("DB_PW", SecretKind::Password),
            ("MYSQL_ROOT_PWD", SecretKind::Password),
            ("dbPassword", SecretKind::Password),
            ("API_TOKEN", SecretKind::Key),
            ("AZURE_CLIENT_SECRET", SecretKind::Key),
            ("SSH_KEY", SecretKind::Key),
            ("SESSION_SALT", SecretKind::Key),
            ("ENCRYPTION_KEY", SecretKind::Key),
            ("SETTINGS_ENCRYPTION_KEY", SecretKind::Key),
            ("signing-key", SecretKind::Key),
            ("APP_KEY", SecretKind::Key),
            ("_APP_OPENSSL_KEY_V1", SecretKind::Key),
            ("SECRET_KEY_BASE", SecretKind::Key),
            ("aws_secret_access_key", SecretKind::Key),
            ("apiKey", SecretKind::Key),
        ] {
            assert_eq!(secret_kind(name), Some(kind), "{name}");
        }
    }

    #[test]
    fn names_about_secrets_or_not_secrets() {
        for name in [
            "PG_HOST",
            "PG_PORT",
            "ENVIRONMENT",
            "KEYVAULT_URL",
            "PWD",
            "OLDPWD",
            "KEYBOARD",
            "key",
            "POSTGRES_PASSWORD_FILE",
            "MYSQL_RANDOM_ROOT_PASSWORD",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "MAILCOW_PASS_SCHEME",
            "SECRET_LOCAL_HOSTNAME",
            "SECRET_FORCED_LANGUAGE",
            "existingSecret",
            "secretName",
            "PASSWORD_MIN_LENGTH",
            "WG_PUBLIC_KEY",
            "publicKey",
            "primary_key",
            "csrf_token",
            "BYPASS_RLS",
            "TOKEN_URL",
            "passwordLabel",
            "forgotPassword",
            "needless_pass_by_value",
        ] {
            assert_eq!(secret_kind(name), None, "{name}");
        }
    }
}
