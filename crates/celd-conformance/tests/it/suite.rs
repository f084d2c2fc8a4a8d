//! The whole suite against `expected_failures.txt`: a failure not on the list is a
//! regression; a listed test that passes must leave the list.
//! `CEL_CONFORMANCE_UPDATE=1` rewrites the list from the run instead.

use std::path::PathBuf;

use celd_conformance::expected::{ExpectedFailures, compare, render};
use celd_conformance::{Config, filter_from_env, run};

use crate::support::spec_dir;

fn list_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("expected_failures.txt")
}

#[test]
fn suite_matches_expected_failures() {
    let Some(dir) = spec_dir() else { return };
    let report = run(&Config::new(dir)).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(list_path()).unwrap_or_default();
    let list = ExpectedFailures::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    eprintln!("conformance: {}", report.counts());
    if std::env::var_os("CEL_CONFORMANCE_UPDATE").is_some() {
        assert!(
            filter_from_env().is_none(),
            "update the list from a run without a filter"
        );
        std::fs::write(list_path(), render(&report, &list)).expect("writing the list");
        return;
    }
    let differences = compare(&report, &list, filter_from_env().as_deref());
    assert!(
        differences.is_empty(),
        "the conformance results differ from expected_failures.txt:\n{differences}"
    );
}
