//! The whole suite against `expected_failures.txt`: a failure not on the list is a
//! regression; a listed test that passes must leave the list.
//! `CEL_CONFORMANCE_UPDATE=1` rewrites the list from the run instead.

use std::path::PathBuf;

use celd_conformance::expected::{ExpectedFailures, compare, render};
use celd_conformance::{Config, filter_from_env, run};

use crate::support::{SKIP_VARIABLE, spec_dir};

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

/// Runs this test binary's `suite_matches_expected_failures` alone, with the suite looked
/// for where it is not.
fn run_suite_test_without_the_suite(skip: Option<&str>) -> std::process::Output {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "suite::suite_matches_expected_failures",
            "--nocapture",
        ])
        .env("CEL_SPEC_DIR", "/nonexistent/cel-spec")
        .env_remove(SKIP_VARIABLE);
    if let Some(value) = skip {
        command.env(SKIP_VARIABLE, value);
    }
    command.output().expect("the test binary runs")
}

#[test]
fn a_missing_suite_fails_unless_skipping_is_asked_for() {
    let missing = run_suite_test_without_the_suite(None);
    let stdout = String::from_utf8_lossy(&missing.stdout);
    assert!(!missing.status.success(), "{stdout}");
    assert!(stdout.contains("1 failed"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("cel-spec directory not found"),
        "{missing:?}"
    );

    // Only `1` asks: any other value still fails.
    assert!(
        !run_suite_test_without_the_suite(Some("yes"))
            .status
            .success()
    );

    let skipped = run_suite_test_without_the_suite(Some("1"));
    assert!(skipped.status.success(), "{skipped:?}");
    assert!(
        String::from_utf8_lossy(&skipped.stderr).contains("the conformance tests did NOT run"),
        "{skipped:?}"
    );
}
