//! The layering, read from the source: every top-level module of `src/` is one layer,
//! and a module may only name (`crate::...`) modules of its own layer or of layers below
//! it. Also: every module opens with a `//!` doc.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first.
const LAYERS: &[&str] = &[
    "base",
    "config",
    "system",
    "checklist",
    "probe",
    "signoff",
    "report",
    "tui",
    "commands",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every file of the library with its top-level module (`None` for `lib.rs` and
/// `main.rs`, which sit above every layer).
fn library_files() -> Vec<(PathBuf, Option<String>)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(src()).unwrap().to_path_buf();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let module = top.strip_suffix(".rs").unwrap_or(&top).to_string();
            let module = (!matches!(module.as_str(), "lib" | "main")).then_some(module);
            (rel, module)
        })
        .collect()
}

/// The top-level modules a file names through `crate::`, with the line of the first
/// mention. Comments are skipped: a doc link does not make a dependency.
fn named_modules(text: &str) -> BTreeMap<String, usize> {
    let mut found = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            // `crate::{a, b::c}` names every module in the braces.
            let names: Vec<&str> = match after.strip_prefix('{') {
                Some(group) => group
                    .split(['}', ','])
                    .map(|part| part.trim().split("::").next().unwrap_or(""))
                    .collect(),
                None => vec![after],
            };
            for name in names {
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.entry(name).or_insert(index + 1);
                }
            }
            rest = after;
        }
    }
    found
}

#[test]
fn the_reader_sees_every_form_of_a_path() {
    let found = named_modules(
        "use crate::base::x;\n// crate::tui in a comment\nuse crate::{config, system::git};\nlet a = crate::probe::f();\n",
    );
    let names: Vec<&str> = found.keys().map(String::as_str).collect();
    assert_eq!(names, ["base", "config", "probe", "system"]);
    assert_eq!(found["probe"], 4);
}

fn rank(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| *l == module)
        .unwrap_or_else(|| panic!("src/{module} is in no layer: add it to LAYERS"))
}

#[test]
fn every_top_level_module_is_a_layer() {
    let modules: BTreeSet<String> = library_files().into_iter().filter_map(|(_, m)| m).collect();
    let layers: BTreeSet<String> = LAYERS.iter().map(|s| s.to_string()).collect();
    assert_eq!(modules, layers);
}

#[test]
fn imports_only_point_down() {
    let mut upward = Vec::new();
    for (rel, module) in library_files() {
        let Some(module) = module else { continue };
        let text = std::fs::read_to_string(src().join(&rel)).unwrap();
        for (named, line) in named_modules(&text) {
            if rank(&named) > rank(&module) {
                upward.push(format!(
                    "src/{}:{line}: the {module} layer names crate::{named}",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports must point down the layers {LAYERS:?}:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_system_and_configuration_layers_know_nothing_of_probes_or_what_uses_them() {
    let forbidden = ["checklist", "probe", "signoff", "report", "tui", "commands"];
    for (rel, module) in library_files() {
        if !matches!(module.as_deref(), Some("base" | "config" | "system")) {
            continue;
        }
        let text = std::fs::read_to_string(src().join(&rel)).unwrap();
        for (named, line) in named_modules(&text) {
            assert!(
                !forbidden.contains(&named.as_str()),
                "src/{}:{line} names crate::{named}",
                rel.display()
            );
        }
    }
}

#[test]
fn the_library_never_names_itself_by_crate_name() {
    for (rel, module) in library_files() {
        if module.is_none() {
            continue;
        }
        let text = std::fs::read_to_string(src().join(&rel)).unwrap();
        assert!(
            !text.contains("preflight::"),
            "src/{} uses `preflight::` instead of `crate::`",
            rel.display()
        );
    }
}

#[test]
fn every_module_opens_with_its_documentation() {
    for (rel, _) in library_files() {
        let text = std::fs::read_to_string(src().join(&rel)).unwrap();
        assert!(
            text.starts_with("//!"),
            "src/{} does not open with a `//!` module doc",
            rel.display()
        );
    }
}

#[test]
fn probe_kinds_share_helpers_through_probe_shared_not_through_each_other() {
    for (rel, _) in library_files() {
        if !rel.starts_with("probe/kinds") {
            continue;
        }
        let text = std::fs::read_to_string(src().join(&rel)).unwrap();
        for (index, line) in text.lines().enumerate() {
            let code = line.trim_start();
            let names_a_kind = code.contains("probe::kinds::")
                || (code.contains("super::") && !code.starts_with("use super::*;"));
            assert!(
                code.starts_with("//") || !names_a_kind,
                "src/{}:{}: a probe kind names another kind; move what they share to probe/shared",
                rel.display(),
                index + 1
            );
        }
    }
}
