//! The `celd` binary end to end: output, exit statuses and error rendering.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn celd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(args)
        .output()
        .expect("the celd binary runs")
}

fn celd_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the celd binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("stdin accepts the input");
    child.wait_with_output().expect("the celd binary exits")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn eval_prints_celd_json() {
    let o = celd(&["eval", "[1, 2, 3].map(x, x * 2).filter(y, y > 2)"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "[4,6]\n");
}

#[test]
fn eval_reads_variables() {
    let o = celd(&[
        "eval",
        "name.startsWith(\"j\")",
        "--vars",
        r#"{"name":"jane"}"#,
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "true\n");
}

#[test]
fn eval_reads_variables_from_a_file() {
    let dir = std::env::temp_dir().join(format!("celd-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("vars.json");
    std::fs::write(&path, r#"{"x": {"$uint": "7"}}"#).unwrap();
    let o = celd(&["eval", "x * 2u", "--vars-file", path.to_str().unwrap()]);
    assert_eq!(stdout(&o), "{\"$uint\":\"14\"}\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn eval_prints_cel_syntax_on_request() {
    let o = celd(&["eval", "[1u, b'a', 2.0]", "--output", "cel"]);
    assert_eq!(stdout(&o), "[1u, b\"a\", 2.0]\n");
}

#[test]
fn division_by_zero_exits_1_and_names_it() {
    let o = celd(&["eval", "1 / 0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("division by zero"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn parse_errors_show_line_column_and_caret() {
    let o = celd(&["eval", "1 +"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "ERROR: <input>:1:4: unexpected end of input, expected an expression\n | 1 +\n | ...^\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(celd(&["eval"]).status.code(), Some(2));
    assert_eq!(celd(&["eval", "x", "--vars", "{"]).status.code(), Some(2));
    assert_eq!(celd(&["eval", "x", "--vars", "[1]"]).status.code(), Some(2));
    assert_eq!(
        celd(&["eval", "x", "--decl", "nocolon"]).status.code(),
        Some(2)
    );
    assert_eq!(celd(&["nope"]).status.code(), Some(2));
}

#[test]
fn declarations_type_check() {
    let o = celd(&["check", "x + 1", "--decl", "x:int"]);
    assert_eq!(stdout(&o), "int\n");
    let o = celd(&["check", "x + 1", "--decl", "x:string"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no matching overload"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn batch_answers_every_line_in_order() {
    let input = "{\"expr\":\"1+1\"}\n{\"expr\":\"x * 2\",\"vars\":{\"x\":21}}\n{\"expr\":\"1/0\"}\nnot json\n";
    let o = celd_stdin(&["eval", "--batch", "-"], input);
    let lines: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0], r#"{"value":2,"type":"int"}"#);
    assert_eq!(lines[1], r#"{"value":42,"type":"int"}"#);
    assert_eq!(
        lines[2],
        r#"{"error":{"kind":"eval","message":"division by zero","line":1,"column":2}}"#
    );
    assert!(
        lines[3].starts_with(r#"{"error":{"kind":"request""#),
        "{}",
        lines[3]
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn message_types_come_from_proto_files() {
    let dir = std::env::temp_dir().join(format!("celd-cli-proto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let proto = dir.join("shop.proto");
    std::fs::write(
        &proto,
        "syntax = \"proto3\"; package shop;\nmessage Order { string id = 1; int64 qty = 2; }\n",
    )
    .unwrap();
    let proto = proto.to_str().unwrap();
    let o = celd(&[
        "eval",
        "shop.Order{id: 'a1', qty: 3}.qty * 2",
        "--proto",
        proto,
    ]);
    assert_eq!(stdout(&o), "6\n", "{}", stderr(&o));
    let o = celd(&[
        "eval",
        "order.id",
        "--proto",
        proto,
        "--vars",
        r#"{"order": {"$message": "shop.Order", "value": {"id": "z9"}}}"#,
    ]);
    assert_eq!(stdout(&o), "\"z9\"\n", "{}", stderr(&o));
    let o = celd(&[
        "eval",
        "shop.Order{}",
        "--proto",
        dir.join("nope.proto").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nope.proto: no such file"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_estimates_cost() {
    let o = celd(&["check", "x + 1", "--decl", "x:int", "--cost"]);
    assert_eq!(stdout(&o), "int\ncost: 2 to 2\n", "{}", stderr(&o));
    let args = [
        "check",
        "items.exists(i, i > 10)",
        "--decl",
        "items:list(int)",
        "--cost",
    ];
    let o = celd(&args);
    assert_eq!(stdout(&o), "bool\ncost: 1 to unbounded\n", "{}", stderr(&o));
    let mut bounded = args.to_vec();
    bounded.extend(["--size-hint", "items=100"]);
    let o = celd(&bounded);
    assert_eq!(stdout(&o), "bool\ncost: 1 to 301\n", "{}", stderr(&o));
    let o = celd(&["check", "1", "--cost", "--size-hint", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn expressions_may_start_with_a_minus() {
    assert_eq!(stdout(&celd(&["eval", "-1 + 3"])), "2\n");
    assert_eq!(stdout(&celd(&["check", "-dyn(1)"])), "dyn\n");
    assert_eq!(celd(&["dump", "-1"]).status.code(), Some(0));
}
