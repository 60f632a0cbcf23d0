//! What kind of file the scanner is reading, from its path: program code (where an
//! unquoted right-hand side is an expression), translations (where `"password":
//! "Passwort"` is a label), lockfiles (package names such as `js-tokens`) and minified
//! bundles, API descriptions (OpenAPI examples), tests and their fixtures.
//! Translations, lockfiles, bundles and API descriptions get only the detectors that recognise
//! a credential by its form (URLs, private keys, provider tokens), never the
//! name-based one.

/// How the scanner treats a file. Configuration, environment files, scripts and
/// documents get every detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileKind {
    /// Program code (or a template holding it): an assignment counts only with a quoted
    /// value, an unquoted right-hand side being an expression.
    pub code: bool,
    /// Test code and fixtures: passwords there are test data (`'password' =>
    /// 'new-password'`); only random-looking keys and tokens count, and the
    /// form-based detectors and the known password apply as everywhere.
    pub test: bool,
    /// Translations, lockfiles, minified bundles: no name-based detection at all.
    pub form_only: bool,
}

/// Extensions of program code.
const CODE: &[&str] = &[
    "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "rs", "go", "java", "kt", "kts", "scala", "rb",
    "php", "cs", "swift", "c", "h", "cc", "cpp", "hpp", "m", "dart", "lua", "pl", "r", "groovy",
    "ex", "exs", "clj", "vue", "svelte", "phtml", "twig", "erb", "ejs", "hbs", "jinja", "j2",
];

/// Folders of tests and their fixtures.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "spec",
    "specs",
    "e2e",
    "cypress",
    "playwright",
    "fixtures",
    "testdata",
    "test-data",
    "_integration-test",
    "_unit-test",
];

/// Whether a file name marks a test: `x.spec.ts`, `x.test.js`, `x_test.go`,
/// `test_x.py`, `conftest.py`, `UsersTest.php` (`name` as written, not lowered).
fn is_test_name(name: &str) -> bool {
    let stem = name.split_once('.').map_or(name, |(stem, _)| stem);
    let lower = name.to_ascii_lowercase();
    [".spec.", ".test.", "_test.", "_spec.", "-test.", "-spec."]
        .iter()
        .any(|marker| lower.contains(marker))
        || lower.starts_with("test_")
        || lower == "conftest.py"
        || (stem.len() > 4 && stem.ends_with("Test"))
}

/// Lockfiles and checksum lists, by name.
const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "cargo.lock",
    "composer.lock",
    "gemfile.lock",
    "poetry.lock",
    "pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "go.sum",
    "mix.lock",
    "packages.lock.json",
    "flake.lock",
    "pubspec.lock",
    "podfile.lock",
    "deno.lock",
];

/// Folders that hold translations.
const LOCALE_DIRS: &[&str] = &[
    "i18n",
    "l10n",
    "locale",
    "locales",
    "lang",
    "langs",
    "language",
    "languages",
    "translations",
    "translation",
    "intl",
];

/// Extensions that only translations use.
const LOCALE_EXTENSIONS: &[&str] = &["po", "pot", "xlf", "xliff", "arb", "ftl", "strings"];

/// Extensions a translation catalogue may have beside a language-named stem.
const CATALOGUE_EXTENSIONS: &[&str] = &["json", "yml", "yaml", "properties", "toml", "js", "ts"];

/// ISO 639-1 language codes, the stems of translation files (`de.json`, `pt-BR.yml`).
const LANGUAGES: &str = "aa ab af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// Whether a file stem names a language: `de`, `pt-BR`, `zh_Hans`, `messages_fr`.
fn is_language_stem(stem: &str) -> bool {
    let code = |s: &str| s.len() == 2 && LANGUAGES.split(' ').any(|l| l == s);
    let lower = stem.to_ascii_lowercase();
    let mut parts = lower.split(['-', '_', '.']);
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let region =
        |s: &&str| (2..=4).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphabetic());
    (code(first) && rest.len() <= 1 && rest.iter().all(region))
        || rest.last().is_some_and(|l| code(l))
}

/// The kind of the file at `path` (relative, `/`-separated).
pub fn kind_of(path: &str) -> FileKind {
    // Asked of every file that wakes a detector: only the name is copied (lowered).
    let (dirs, written) = path.rsplit_once('/').unwrap_or(("", path));
    let name = written.to_ascii_lowercase();
    let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
    let in_folder = |folders: &[&str]| {
        dirs.split('/')
            .any(|dir| folders.iter().any(|f| dir.eq_ignore_ascii_case(f)))
    };
    FileKind {
        code: CODE.contains(&ext),
        test: in_folder(TEST_DIRS) || is_test_name(written),
        form_only: is_form_only(in_folder(LOCALE_DIRS), &name, stem, ext),
    }
}

/// Translations, lockfiles and bundles (`in_locale_dir`: below a folder of
/// translations; the name lowered).
fn is_form_only(in_locale_dir: bool, name: &str, stem: &str, ext: &str) -> bool {
    let translations = LOCALE_EXTENSIONS.contains(&ext)
        || (CATALOGUE_EXTENSIONS.contains(&ext) && is_language_stem(stem))
        || (in_locale_dir && (CATALOGUE_EXTENSIONS.contains(&ext) || CODE.contains(&ext)));
    let minified = name.ends_with(".min.js")
        || name.ends_with(".min.css")
        || name.ends_with(".min.mjs")
        || ext == "map";
    // API descriptions: their `example:` values are documentation.
    let api_description = name.contains("openapi") || name.contains("swagger");
    translations || minified || api_description || LOCKFILES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_path() {
        for path in [
            "app/i18n/de.json",
            "public/locales/pt-BR/translation.json",
            "lang/fr.yml",
            "resources/lang/en/auth.php",
            "src/messages_fr.properties",
            "po/de.po",
            "web/zh_Hans.json",
            "package-lock.json",
            "frontend/yarn.lock",
            "Cargo.lock",
            "static/app.min.js",
        ] {
            assert!(kind_of(path).form_only, "{path}");
        }
        for path in ["src/db.py", "server/auth.ts", "main.go"] {
            assert_eq!(
                kind_of(path),
                FileKind {
                    code: true,
                    ..FileKind::default()
                },
                "{path}"
            );
        }
        for path in [
            "tests/e2e/Services/Users/UsersBase.php",
            "src/__tests__/basic.spec.ts",
            "pkg/db_test.go",
            "test_app.py",
            "_integration-test/conftest.py",
            "tests/resources/docker/docker-compose.yml",
        ] {
            assert!(kind_of(path).test, "{path}");
        }
        for path in [
            ".env",
            "docker-compose.yml",
            "config/settings.json",
            "db.json",
            "ci.yml",
            "deploy.sh",
            "lang.sh",
        ] {
            assert_eq!(kind_of(path), FileKind::default(), "{path}");
        }
    }
}
