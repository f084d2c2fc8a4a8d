//! Hostile inputs through the `celd` binary: every case of the library's table
//! (crates/celd/tests/hostile/cases.toml) goes through one `celd eval --batch` process and
//! must answer with the same `error.kind` (design §6) and message, or the same value; plus
//! invalid UTF-8 where the CLI reads bytes (arguments, `--vars-file`, batch lines).

// The table's loader is shared with the library's test, which uses every accessor; the
// command-line run needs fewer of them.
#[allow(dead_code)]
#[path = "../../celd/tests/hostile/table.rs"]
mod table;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value as Json;
use table::{Case, Outcome};

/// Only turns a hang into a failure; the whole table takes seconds.
const WATCHDOG: Duration = Duration::from_secs(120);

/// `bytes` as a JSON string, byte for byte: invalid UTF-8 stays invalid, so the request line
/// carries exactly what a client could send.
fn json_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![b'"'];
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0..0x20 => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
    out
}

/// One `/v1/eval` request body on one line.
fn request_line(case: &Case) -> Vec<u8> {
    let mut line = b"{\"expr\":".to_vec();
    line.extend(json_string(&case.expr));
    if !case.decls.is_empty() {
        line.extend_from_slice(b",\"decls\":");
        line.extend(serde_json::to_vec(&case.decls).expect("declarations serialize"));
    }
    if let Some(vars) = &case.vars {
        line.extend_from_slice(b",\"vars\":");
        line.extend(vars.iter().map(|&b| if b == b'\n' { b' ' } else { b }));
    }
    line.extend_from_slice(b"}\n");
    line
}

fn outcome(answer: &str) -> Outcome {
    let json: Json = serde_json::from_str(answer).expect("each answer is JSON");
    match (&json["error"], &json["value"]) {
        (Json::Object(error), _) => Outcome::Error {
            kind: error["kind"].as_str().unwrap_or("<no kind>").to_owned(),
            message: error["message"].as_str().unwrap_or("").to_owned(),
        },
        (_, value) => Outcome::Value(value.to_string()),
    }
}

#[test]
fn batch_gives_the_library_kinds() {
    let cases = table::load();
    let mut child = Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(["eval", "--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the celd binary runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let lines: Vec<Vec<u8>> = cases.iter().map(request_line).collect();
    let writer = std::thread::spawn(move || {
        for line in lines {
            if stdin.write_all(&line).is_err() {
                break;
            }
        }
    });
    let stdout = child.stdout.take().expect("stdout is piped");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let mut failures = Vec::new();
    for case in &cases {
        match receive.recv_timeout(WATCHDOG) {
            Ok(Ok(answer)) => failures.extend(case.mismatch(&outcome(&answer))),
            Ok(Err(e)) => panic!("reading the answer to {}: {e}", case.name),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                panic!("no answer to {} within {WATCHDOG:?}", case.name);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let o = child.wait_with_output().expect("celd exits");
                panic!("celd stopped before answering {}: {o:?}", case.name);
            }
        }
    }
    writer.join().expect("the writer thread finishes");
    let status = child.wait().expect("celd exits");
    assert_eq!(
        status.code(),
        Some(1),
        "some line failed, so the batch exits 1"
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from the table:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[cfg(unix)]
#[test]
fn invalid_utf8_arguments_and_files_are_usage_errors() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let o = Command::new(env!("CARGO_BIN_EXE_celd"))
        .arg("eval")
        .arg(OsStr::from_bytes(b"'\xff'"))
        .output()
        .expect("celd runs");
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("UTF-8"),
        "{o:?}"
    );

    let dir = std::env::temp_dir().join(format!("celd-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let vars = dir.join("vars.json");
    std::fs::write(&vars, b"{\"s\": \"\xff\"}").expect("write the variables");
    let o = Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(["eval", "size(s)", "--vars-file"])
        .arg(&vars)
        .output()
        .expect("celd runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("UTF-8"),
        "{o:?}"
    );
}

/// A batch line that is not UTF-8 is answered like any malformed request, and the lines
/// after it are still evaluated.
#[test]
fn invalid_utf8_batch_line_is_one_request_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(["eval", "--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("celd runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(
            b"{\"expr\": \"1 + 1\"}\n{\"expr\": \"'\xff'\"}\n\xff\xfe\n{\"expr\": \"2 + 2\"}\n",
        )
        .expect("write the batch");
    drop(stdin);
    let o = child.wait_with_output().expect("celd exits");
    let answers: Vec<Outcome> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(outcome)
        .collect();
    assert_eq!(answers.len(), 4, "{o:?}");
    assert_eq!(answers[0], Outcome::Value("2".into()));
    for answer in &answers[1..3] {
        assert!(
            matches!(answer, Outcome::Error { kind, .. } if kind == "request"),
            "{answer:?}"
        );
    }
    assert_eq!(answers[3], Outcome::Value("4".into()));
    assert_eq!(o.status.code(), Some(1));
}
