//! The README's examples of the `celd` command, run against the built binary, so the README
//! cannot drift from what the tool prints: the `console` blocks through trycmd, and the
//! pipe examples (a `sh` block, since they need a shell) command by command through `sh`.
//! In both, stdout and stderr are shown together and `? N` is the exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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

/// The `sh` block after `heading`, as examples.
fn shell_examples(heading: &str) -> Vec<Example> {
    let after = &README[README
        .find(heading)
        .expect("the README has the pipe examples")..];
    let block = after.split("```sh\n").nth(1).expect("a sh block follows");
    let block = &block[..block.find("```").expect("the block ends")];
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
    let examples = shell_examples(PIPES_HEADING);
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
