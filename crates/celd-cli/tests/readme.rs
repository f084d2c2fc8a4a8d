//! The README's examples of the `celd` command, run against the built binary, so the README
//! cannot drift from what the tool prints: the `console` blocks through trycmd, and the
//! pipe examples (a `sh` block, since they need a shell) command by command through `sh`,
//! and the `curl` examples of the service against a `celd serve` this test starts. Stdout
//! and stderr are shown together and `? N` is the exit status.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const README: &str = include_str!("../../../README.md");
const PIPES_HEADING: &str = "With files and pipes, as in jq";

#[test]
fn readme_console_examples_print_what_they_show() {
    trycmd::TestCases::new()
        .register_bin("celd", Path::new(env!("CARGO_BIN_EXE_celd")))
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60))
        .case(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"));
}

/// A `$ ` line of a transcript with the exit status and the output it shows.
struct Example {
    command: String,
    status: i32,
    output: String,
}

/// The first `sh` block after `heading` that holds a `$ ` line starting with `marker`, as
/// examples.
fn shell_examples(heading: &str, marker: &str) -> Vec<Example> {
    let after = &README[README.find(heading).expect("the README has the heading")..];
    let block = after
        .split("```sh\n")
        .skip(1)
        .map(|b| &b[..b.find("```").expect("the block ends")])
        .find(|b| b.contains(&format!("$ {marker}")))
        .expect("a sh block with the examples follows");
    let mut examples: Vec<Example> = Vec::new();
    for line in block.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            examples.push(Example {
                command: command.to_owned(),
                status: 0,
                output: String::new(),
            });
            continue;
        }
        let example = examples.last_mut().expect("output follows a command");
        match line.strip_prefix("? ") {
            Some(status) => example.status = status.parse().expect("a numeric status"),
            None => {
                example.output.push_str(line);
                example.output.push('\n');
            }
        }
    }
    examples
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("celd-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn readme_pipe_examples_print_what_they_show() {
    let examples = shell_examples(PIPES_HEADING, "echo");
    assert!(examples.len() >= 3, "the block was read");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_celd")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_owned()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let dir = scratch_dir();
    for example in &examples {
        let output = Command::new("sh")
            .args(["-c", &format!("exec 2>&1; {}", example.command)])
            .current_dir(&dir)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("sh runs");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            example.output,
            "$ {}",
            example.command
        );
        assert_eq!(
            output.status.code(),
            Some(example.status),
            "$ {}",
            example.command
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A `celd serve` on a free port of 127.0.0.1, killed when dropped.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The answer body of one `POST` on its own connection.
fn post(addr: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (_, body) = answer.split_once("\r\n\r\n").expect("a whole answer");
    body.to_owned()
}

#[test]
fn readme_service_examples_answer_what_they_show() {
    const CURL: &str = "curl -s localhost:8080";
    let examples = shell_examples("## The service: `celd serve`", CURL);
    assert!(examples.len() >= 4, "the block was read");
    let mut child = Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("celd serve starts");
    let stdout = child.stdout.take().unwrap();
    let _serve = Serve(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    for example in &examples {
        let request = example.command.strip_prefix(CURL).expect("a curl example");
        let (path, body) = request.split_once(" -d '").expect("a body after -d");
        let body = body.strip_suffix('\'').expect("the body is quoted");
        let answer = post(&addr, path, body);
        assert_eq!(
            format!("{answer}\n"),
            example.output,
            "$ {}",
            example.command
        );
    }
}
