//! The `celd-conformance` binary: arguments, JSON output, the closing line, exit codes.

use std::process::Command;

use crate::support::spec_dir;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_celd-conformance"))
}

fn is_closing_line(line: &str) -> bool {
    let words: Vec<&str> = line.split(' ').collect();
    matches!(
        words[..],
        [n, "passed,", m, "failed,", k, "skipped"]
            if [n, m, k].iter().all(|w| w.parse::<usize>().is_ok())
    )
}

#[test]
fn json_output_for_a_named_file() {
    let Some(dir) = spec_dir() else { return };
    let output = binary()
        .arg("--spec-dir")
        .arg(&dir)
        .args(["--json", "plumbing"])
        .env_remove("CEL_CONFORMANCE_FILTER")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.last().is_some_and(|l| is_closing_line(l)), "{stdout}");
    let objects: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("valid JSON"))
        .collect();
    assert!(!objects.is_empty());
    for object in &objects {
        assert_eq!(object["file"], "plumbing");
        for key in ["section", "test", "status", "detail"] {
            assert!(object.get(key).is_some(), "{object} lacks {key}");
        }
    }
    let failed = objects.iter().any(|o| o["status"] == "fail");
    assert_eq!(output.status.code(), Some(i32::from(failed)));
}

#[test]
fn filter_selects_tests_by_name() {
    let Some(dir) = spec_dir() else { return };
    let output = binary()
        .arg("--spec-dir")
        .arg(&dir)
        .arg("--json")
        .env(
            "CEL_CONFORMANCE_FILTER",
            "basic/self_eval_zeroish/self_eval_int_zero",
        )
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let tests = stdout.lines().filter(|l| l.starts_with('{')).count();
    assert_eq!(tests, 1, "{stdout}");
}

#[test]
fn usage_errors_exit_with_2() {
    let output = binary().arg("--bogus").output().expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown option --bogus"));
    let missing = binary()
        .args(["--spec-dir", "/nonexistent/cel-spec"])
        .output()
        .expect("the binary runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cel-spec directory not found"));
}
