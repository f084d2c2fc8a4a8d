//! The expected-failures list: parsing, comparing with a run, rendering.

use celd_conformance::expected::{ExpectedFailures, compare, render};
use celd_conformance::report::{Report, TestResult};
use celd_conformance::runner::Status;

fn result(name: &str, status: Status, detail: &str) -> TestResult {
    let mut parts = name.splitn(3, '/');
    TestResult {
        file: parts.next().unwrap_or_default().to_owned(),
        section: parts.next().unwrap_or_default().to_owned(),
        test: parts.next().unwrap_or_default().to_owned(),
        status,
        detail: detail.to_owned(),
    }
}

#[test]
fn lines_need_a_name_and_a_reason() {
    let list =
        ExpectedFailures::parse("# comment\n\nf/s/t  # not yet\nf/s/with space#2  # a # b\n")
            .expect("valid list");
    assert_eq!(
        list.entries,
        [
            ("f/s/t".to_owned(), "not yet".to_owned()),
            ("f/s/with space#2".to_owned(), "a # b".to_owned())
        ]
    );
    let error = |text: &str| ExpectedFailures::parse(text).err().map(|e| e.to_string());
    assert_eq!(
        error("f/s/t\n"),
        Some("expected_failures.txt:1: expected `file/section/test  # reason`".to_owned())
    );
    assert_eq!(
        error("f/s/t  #  \n"),
        Some("expected_failures.txt:1: the reason is empty".to_owned())
    );
    assert_eq!(
        error("f/t  # r\n"),
        Some("expected_failures.txt:1: the name is not `file/section/test`".to_owned())
    );
    assert_eq!(
        error("f/s/t  # r\nf/s/t  # r\n"),
        Some("expected_failures.txt:2: the test is listed twice".to_owned())
    );
}

#[test]
fn differences_name_regressions_fixes_and_stale_lines() {
    let report = Report {
        files: vec!["f".to_owned()],
        results: vec![
            result("f/s/new_failure", Status::Fail, "boom\nmore"),
            result("f/s/known", Status::Fail, "still"),
            result("f/s/fixed", Status::Pass, ""),
            result("f/s/skipped", Status::Skip, "why"),
        ],
    };
    let list = ExpectedFailures::parse(
        "f/s/known  # r\nf/s/fixed  # r\nf/s/skipped  # r\nf/s/gone  # r\ng/s/other  # r\n",
    )
    .expect("valid list");
    let differences = compare(&report, &list, None);
    assert_eq!(
        differences.regressions,
        [("f/s/new_failure".to_owned(), "boom\nmore".to_owned())]
    );
    assert_eq!(
        differences.no_longer_failing,
        [
            ("f/s/fixed".to_owned(), Status::Pass),
            ("f/s/skipped".to_owned(), Status::Skip)
        ]
    );
    assert_eq!(differences.missing, ["f/s/gone", "g/s/other"]);
    let shown = differences.to_string();
    assert!(
        shown.contains("REGRESSION f/s/new_failure: boom\n"),
        "{shown}"
    );
    assert!(
        shown.contains("NOW PASS f/s/fixed: remove its line"),
        "{shown}"
    );
    let filtered = compare(&report, &list, Some("f/s/"));
    assert_eq!(filtered.missing, ["f/s/gone"]);
}

#[test]
fn rendering_keeps_reasons_and_summarizes_new_ones() {
    let report = Report {
        files: vec!["f".to_owned()],
        results: vec![
            result("f/s/old", Status::Fail, "whatever"),
            result(
                "f/s/new",
                Status::Fail,
                "compile error: ERROR: <input>:1:5: undeclared reference to 'x'\n | x\n | ^",
            ),
            result("f/s/ok", Status::Pass, ""),
        ],
    };
    let previous = ExpectedFailures::parse("f/s/old  # kept reason\n").expect("valid list");
    let rendered = render(&report, &previous);
    let lines: Vec<&str> = rendered.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines,
        [
            "f/s/old  # kept reason",
            "f/s/new  # compile error: undeclared reference to 'x'"
        ]
    );
    assert_eq!(
        ExpectedFailures::parse(&rendered).map(|l| l.entries.len()),
        Ok(2)
    );
}
