//! preflight's integration tests: one binary, suites under `tests/suite/`, helpers in
//! `tests/support/`. Probes run against real files, real git repositories and the real
//! `preflight` binary.

#![allow(clippy::unwrap_used)]

mod support;

mod suite {
    mod architecture;
    mod cli;
    mod compose_go;
    mod compose_ports;
    mod credentials;
    mod git_probes;
    mod hostile;
    mod hygiene;
    mod keyvault;
    mod ledger_merge;
    mod local_probes;
    mod malformed;
    mod many_hosts;
    mod one_pass;
    mod postgres;
    mod postgres_hardening;
    mod reports;
    mod secret_corpus;
    mod several_checklists;
    mod signatures;
    mod signoff;
    mod tui;
    mod tui_e2e;
    mod vacuous;
    mod validate;
    mod walk;
}
