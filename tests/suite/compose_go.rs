//! compose-go as the oracle: its port-syntax table and its loader fixtures (copied
//! under `tests/corpus/compose-go/`, see `SOURCE.md`) with the expectations its own
//! tests assert, checked against preflight's Compose reader.

use std::path::{Path, PathBuf};

use preflight::config::EnvVars;
use preflight::system::compose::ports::PortBinding;
use preflight::system::compose::{self, ComposeError, ComposeFile, Node, get, items, scalar_text};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/compose-go")
}

/// Expands a binding the way compose-go lists it: a range mapped onto a range of the
/// same length is one binding per port; `80-80` is `80`.
fn expand(b: &PortBinding) -> Vec<String> {
    let range = |s: &str| -> (u32, u32) {
        let mut parts = s.splitn(2, '-');
        let start: u32 = parts.next().unwrap().parse().unwrap();
        let end = parts.next().map_or(start, |e| e.parse().unwrap());
        (start, end)
    };
    let host = b.host_ip.clone().unwrap_or_else(|| "-".into());
    let (t0, t1) = range(&b.target);
    let published = b.published.as_deref().map(range);
    let show = |(a, z): (u32, u32)| {
        if a == z {
            a.to_string()
        } else {
            format!("{a}-{z}")
        }
    };
    match published {
        Some((p0, p1)) if t1 > t0 && p1 - p0 == t1 - t0 => (0..=t1 - t0)
            .map(|i| format!("{host}/{}/{}/{}", p0 + i, t0 + i, b.protocol))
            .collect(),
        Some(p) => vec![format!(
            "{host}/{}/{}/{}",
            show(p),
            show((t0, t1)),
            b.protocol
        )],
        None if t1 > t0 => (t0..=t1)
            .map(|t| format!("{host}/-/{t}/{}", b.protocol))
            .collect(),
        None => vec![format!("{host}/-/{t0}/{}", b.protocol)],
    }
}

#[test]
fn port_syntax_agrees_with_compose_go() {
    let table = std::fs::read_to_string(corpus().join("ports.tsv")).unwrap();
    let mut checked = 0;
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let (spec, expected) = line.split_once('\t').unwrap();
        let got = PortBinding::parse_short(spec);
        if expected == "error" {
            assert!(got.is_err(), "{spec:?} must be refused, got {got:?}");
        } else {
            let got = got.unwrap_or_else(|e| panic!("{spec:?}: {e}"));
            let want: Vec<&str> = expected.split(';').collect();
            assert_eq!(expand(&got), want, "{spec:?}");
        }
        checked += 1;
    }
    assert_eq!(checked, 20);
}

/// Copies the fixtures to a temporary project (compose-go's tests run from `loader/`,
/// naming `testdata/...`) and writes `compose.yaml` with `text` there.
fn project(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy(&corpus().join("testdata"), &dir.path().join("testdata"));
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn load(dir: &Path, rel: &str) -> Result<ComposeFile, ComposeError> {
    compose::load(dir, &dir.join(rel), &EnvVars::default(), None)
}

fn service<'a>(file: &'a ComposeFile, name: &str) -> &'a Node {
    &file
        .services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name} in {file:?}"))
        .node
}

fn text(node: &Node, key: &str) -> Option<String> {
    get(node, key).and_then(scalar_text)
}

#[test]
fn extends_agrees_with_compose_go() {
    // TestExtends: three services extend base.yaml (one through `another: extends: base`).
    let p = project(
        "services:\n  test1:\n    extends:\n      file: testdata/extends/base.yaml\n      service: base\n    hostname: test1\n  test2:\n    extends:\n      file: testdata/extends/base.yaml\n      service: base\n    hostname: test2\n  test3:\n    extends:\n      file: testdata/extends/base.yaml\n      service: another\n    hostname: test3\n",
    );
    let f = load(p.path(), "compose.yaml").unwrap();
    for name in ["test1", "test2", "test3"] {
        let s = service(&f, name);
        assert_eq!(text(s, "hostname").as_deref(), Some(name));
        assert_eq!(text(s, "image").as_deref(), Some("base"));
    }

    // TestExtendsPort: the base's port is the service's.
    let p = project(
        "services:\n  test:\n    image: test\n    extends:\n      file: testdata/extends/base.yaml\n      service: with-port\n",
    );
    let f = load(p.path(), "compose.yaml").unwrap();
    let ports = items(get(service(&f, "test"), "ports").unwrap());
    assert_eq!(scalar_text(&ports[0]).as_deref(), Some("8000:8000"));
    assert_eq!(f.at(&ports[0]).0, "testdata/extends/base.yaml");

    // TestExtendsPortOverride: the same port from the base and the service is one port.
    let p = project(
        "services:\n  test:\n    extends:\n      file: testdata/extends/ports.yaml\n      service: test\n    ports:\n      - 8080:8080\n",
    );
    let f = load(p.path(), "compose.yaml").unwrap();
    assert_eq!(items(get(service(&f, "test"), "ports").unwrap()).len(), 1);

    // TestExtendsRelativePath: the base extends a sibling file of its own folder.
    let p = project(
        "services:\n  test:\n    extends:\n      file: testdata/extends/base.yaml\n      service: with-build\n",
    );
    let f = load(p.path(), "compose.yaml").unwrap();
    assert_eq!(text(service(&f, "test"), "build").as_deref(), Some("."));

    // The withdir fixture: dir/compose.yaml extends base.yaml beside it.
    let p = project("services: {}\n");
    let f = load(p.path(), "testdata/extends/withdir/compose.yaml").unwrap();
    assert_eq!(
        text(service(&f, "test"), "image").as_deref(),
        Some("hello-world")
    );

    // TestExtendsNil: extending an empty service is fine.
    let p = project(
        "services:\n  test:\n    image: test\n    extends:\n      file: testdata/extends/base.yaml\n      service: nil\n",
    );
    let f = load(p.path(), "compose.yaml").unwrap();
    assert_eq!(text(service(&f, "test"), "image").as_deref(), Some("test"));

    // TestExtendsWihtMissingService: `service` is required.
    let p = project(
        "services:\n  test:\n    image: test\n    extends:\n      file: testdata/extends/base.yaml\n",
    );
    let e = load(p.path(), "compose.yaml").unwrap_err();
    assert!(e.to_string().contains("`extends` needs `service`"), "{e}");

    // TestExtendsReset: the base's own `command: !reset` leaves no command.
    let p = project(
        "services:\n  test:\n    extends:\n      file: testdata/extends/reset.yaml\n      service: base\n",
    );
    let f = load(p.path(), "compose.yaml").unwrap();
    assert!(get(service(&f, "test"), "command").is_none());
    assert_eq!(
        text(service(&f, "test"), "image").as_deref(),
        Some("alpine:latest")
    );

    // TestExtendsWithInterpolation: the base is interpolated with the extending
    // project's variables; `${SOURCE:-/dev/null}` falls back to its default.
    let p = project(
        "services:\n  test:\n    extends: { file: testdata/extends/interpolated.yaml, service: foo }\n",
    );
    let f = load(p.path(), "compose.yaml").unwrap();
    let volume = scalar_text(&items(get(service(&f, "test"), "volumes").unwrap())[0]).unwrap();
    assert_eq!(
        f.variables.interpolate(&volume).unwrap(),
        "/dev/null:/tmp/foo:ro"
    );
}

#[test]
fn include_agrees_with_compose_go() {
    // TestIncludeWithExtends: an included file whose service extends a sibling file.
    let p = project("include:\n  - testdata/extends/nested.yaml\n");
    let f = load(p.path(), "compose.yaml").unwrap();
    let nested = f.included[0].as_ref().unwrap();
    assert_eq!(
        text(service(nested, "with-build"), "build").as_deref(),
        Some(".")
    );

    // TestLoadIncludeExtendsCombined: loads without error.
    let p = project("services: {}\n");
    let f = load(p.path(), "testdata/combined/compose.yaml").unwrap();
    let included = f.included[0].as_ref().unwrap();
    assert_eq!(
        text(service(included, "service"), "build").as_deref(),
        Some(".")
    );

    // The include fixture: `included.yaml` beside it.
    let f = load(p.path(), "testdata/include/compose.yaml").unwrap();
    assert!(f.included[0].as_ref().unwrap().services[0].name == "included");

    // The include cycle (a file including itself) is an error.
    let f = load(p.path(), "testdata/compose-include-cycle.yaml").unwrap();
    let e = f.included[0].as_ref().unwrap_err();
    assert!(e.to_string().contains("cycle"), "{e}");

    // TestLoadWithIncludeEnv: the include's env_file serves the included file only.
    let p = project(
        "include:\n  - path:\n    - ./module/compose.yml\n    env_file:\n      - ./custom.env\nservices:\n  a:\n    image: alpine\n    environment:\n      - VAR_NAME=${VAR_NAME:-unset}\n",
    );
    std::fs::write(p.path().join("custom.env"), "VAR_NAME=value").unwrap();
    std::fs::create_dir(p.path().join("module")).unwrap();
    std::fs::write(
        p.path().join("module/compose.yml"),
        "services:\n  b:\n    image: alpine\n    environment:\n      - VAR_NAME=${VAR_NAME}\n",
    )
    .unwrap();
    let f = load(p.path(), "compose.yaml").unwrap();
    let env = |file: &ComposeFile, name: &str| {
        let written =
            scalar_text(&items(get(service(file, name), "environment").unwrap())[0]).unwrap();
        file.variables.interpolate(&written).unwrap()
    };
    assert_eq!(env(&f, "a"), "VAR_NAME=unset");
    assert_eq!(env(f.included[0].as_ref().unwrap(), "b"), "VAR_NAME=value");

    // TestNestedIncludeAndExtends: with `project_directory: .`, the included file's
    // `extends` path starts at the including project's folder.
    let p = project("include:\n  - project_directory: .\n    path: dir/included.yaml\n");
    std::fs::create_dir(p.path().join("dir")).unwrap();
    std::fs::write(
        p.path().join("dir/included.yaml"),
        "services:\n  included:\n    extends:\n      file: dir/extended.yaml\n      service: extended\n",
    )
    .unwrap();
    std::fs::write(
        p.path().join("dir/extended.yaml"),
        "services:\n  extended:\n    image: alpine\n",
    )
    .unwrap();
    let f = load(p.path(), "compose.yaml").unwrap();
    let included = f.included[0].as_ref().unwrap();
    assert_eq!(
        text(service(included, "included"), "image").as_deref(),
        Some("alpine")
    );
}

#[test]
fn reset_agrees_with_compose_go() {
    // Test_LoadWithReset: an override (here a second document) resets `build` and one
    // environment key.
    let p = project(
        "services:\n  foo:\n    build:\n      context: .\n      dockerfile: foo.Dockerfile\n    environment:\n      FOO: BAR\n---\nservices:\n  foo:\n    image: foo\n    build: !reset\n    environment:\n      FOO: !reset\n",
    );
    let f = load(p.path(), "compose.yaml").unwrap();
    let foo = service(&f, "foo");
    assert_eq!(text(foo, "image").as_deref(), Some("foo"));
    assert!(get(foo, "build").is_none());
    assert!(get(get(foo, "environment").unwrap(), "FOO").is_none());
}
