//! No vacuous pass: every probe kind, run where there is nothing to examine (an empty
//! folder, an empty git repository, one commit that adds nothing, a Compose file with
//! no service; no configuration and no variables), must not pass unless its summary
//! names what it examined ("2 tracked files checked"): a probe that compared or checked
//! nothing says so (`skipped`) or could not run (`error`).

use preflight::probe::ProbeStatus;
use preflight::probe::catalog::KINDS;

use crate::support::{Project, outcome_text, run_probe};

/// The parameters a kind cannot do without, at values that name nothing present.
fn required(kind: &str) -> &'static str {
    match kind {
        "env-vars" => "vars = [\"PREFLIGHT_TEST_UNSET\"]",
        "file-mode" => "path = \".env\"\nmissing = \"skip\"",
        "reachable" => "port = 5432\nexpect = \"unreachable\"",
        "postgres-settings" => "settings = { ssl = true }",
        "file-fresh" => "path = \"logs/*.log\"\nmax_age = \"1d\"",
        "command" => "argv = [\"true\"]",
        _ => "",
    }
}

/// Whether a summary names how much was examined (a count above zero).
fn names_what_it_examined(summary: &str) -> bool {
    summary
        .split(|c: char| !c.is_ascii_digit())
        .any(|n| n.parse::<u64>().is_ok_and(|n| n > 0))
}

fn every_kind_in(project: &Project, place: &str) {
    let mut passed = Vec::new();
    for kind in KINDS {
        let o = run_probe(
            project.path(),
            kind.name,
            required(kind.name),
            // What `auto` means here: an address nothing listens on.
            &[("PREFLIGHT_AUTO_ADDRESSES", "127.0.0.2")],
        );
        if o.status == ProbeStatus::Pass && !names_what_it_examined(&o.summary) {
            passed.push(format!("{}: {}", kind.name, outcome_text(&o)));
        }
    }
    assert!(
        passed.is_empty(),
        "in {place}, with nothing to examine, these passed:\n{}",
        passed.join("\n")
    );
}

#[test]
fn no_probe_passes_when_there_is_nothing_to_examine() {
    let empty = Project::new();
    every_kind_in(&empty, "an empty folder");
    let repo = Project::git();
    every_kind_in(&repo, "an empty git repository");
    repo.commit_all("nothing yet");
    every_kind_in(&repo, "a repository whose one commit adds nothing");
    // Files that hold nothing any probe looks for.
    repo.write("docker-compose.yml", "services: {}\n");
    repo.write("app/README", "nothing here\n");
    repo.commit_all("an empty Compose file");
    every_kind_in(&repo, "a repository with an empty Compose file");
    // "1 Compose file" is a count, but of a file that defines nothing.
    for kind in ["compose-ports", "compose-images", "compose-secrets"] {
        let o = run_probe(repo.path(), kind, "", &[]);
        assert_eq!(
            o.status,
            ProbeStatus::Skipped,
            "{kind}: {}",
            outcome_text(&o)
        );
    }
}
