//! Reporting: failure lines, JSON objects, per-file counts and the closing line.

use celd_conformance::report::{Report, TestResult};
use celd_conformance::runner::Status;

fn result(file: &str, test: &str, status: Status, detail: &str) -> TestResult {
    TestResult {
        file: file.to_owned(),
        section: "s".to_owned(),
        test: test.to_owned(),
        status,
        detail: detail.to_owned(),
    }
}

fn sample() -> Report {
    Report {
        files: vec!["basic".to_owned(), "empty".to_owned(), "lists".to_owned()],
        results: vec![
            result("basic", "a", Status::Pass, ""),
            result("basic", "b", Status::Fail, "expected 1, got 2\n  more"),
            result("lists", "c", Status::Skip, "not supported"),
        ],
    }
}

fn text(report: &Report, json: bool) -> String {
    let mut out = Vec::new();
    let written = if json {
        report.write_json(&mut out)
    } else {
        report.write_text(&mut out)
    };
    written.expect("writing to memory");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn text_lists_failures_and_skips_then_counts() {
    assert_eq!(
        text(&sample(), false),
        "FAIL basic/s/b: expected 1, got 2\n      more\n\
         SKIP lists/s/c: not supported\n\
         basic  1 passed, 1 failed, 0 skipped\n\
         empty  0 passed, 0 failed, 0 skipped\n\
         lists  0 passed, 0 failed, 1 skipped\n\
         1 passed, 1 failed, 1 skipped\n"
    );
}

#[test]
fn json_has_one_object_per_test_and_the_same_closing_line() {
    let out = text(&sample(), true);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.last(), Some(&"1 passed, 1 failed, 1 skipped"));
    let objects: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("valid JSON"))
        .collect();
    assert_eq!(objects.len(), 3);
    assert_eq!(
        objects[1],
        serde_json::json!({
            "file": "basic", "section": "s", "test": "b",
            "status": "fail", "detail": "expected 1, got 2\n  more"
        })
    );
    assert_eq!(objects[2]["status"], "skip");
}
