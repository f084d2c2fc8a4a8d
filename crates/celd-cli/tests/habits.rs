//! The CLI as jq, opa and cel-go REPL users expect it: expressions from files and stdin,
//! --raw, --fail, limits, batch line for line, checked declarations, colours, completions,
//! --version, examples in --help, and `celd repl`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_celd"));
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("the celd binary runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    input
        .write_all(stdin.as_bytes())
        .expect("stdin takes the input");
    drop(input);
    child.wait_with_output().expect("the celd binary exits")
}

fn celd(args: &[&str]) -> Output {
    run(args, "", &[])
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("celd-habits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_expression_comes_from_a_file_or_stdin() {
    let rule = temp_file("rule.cel", "x * 2\n");
    let o = celd(&[
        "eval",
        "-f",
        rule.to_str().unwrap(),
        "--vars",
        r#"{"x": 21}"#,
    ]);
    assert_eq!(out(&o), "42\n", "{}", err(&o));
    let o = run(&["eval", "-", "--vars", r#"{"x": 1}"#], "x + 1", &[]);
    assert_eq!(out(&o), "2\n", "{}", err(&o));
    let o = run(&["check", "-f", "-", "--decl", "x:int"], "x + 1", &[]);
    assert_eq!(out(&o), "int\n", "{}", err(&o));
    let o = run(
        &["eval", "x", "--vars-file", "-"],
        r#"{"x": "from stdin"}"#,
        &[],
    );
    assert_eq!(out(&o), "\"from stdin\"\n", "{}", err(&o));
    let o = run(&["eval", "-", "--vars-file", "-"], "1", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("cannot both be read from stdin"),
        "{}",
        err(&o)
    );
}

#[test]
fn raw_prints_strings_bare_and_fail_exits_1_on_false_or_null() {
    assert_eq!(out(&celd(&["eval", r#""a\tb""#, "-r"])), "a\tb\n");
    assert_eq!(out(&celd(&["eval", r#""a""#])), "\"a\"\n");
    assert_eq!(out(&celd(&["eval", "[1]", "--raw"])), "[1]\n");
    for (expr, code) in [("true", 0), ("false", 1), ("null", 1), ("0", 0)] {
        let o = celd(&["eval", expr, "-e"]);
        assert_eq!(o.status.code(), Some(code), "{expr}");
        assert_eq!(celd(&["eval", expr, "--fail"]).status.code(), Some(code));
    }
    assert_eq!(celd(&["eval", "false"]).status.code(), Some(0));
}

#[test]
fn eval_takes_max_cost_and_timeout() {
    let heavy =
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(i, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(j, i + j > 0))";
    assert_eq!(out(&celd(&["eval", heavy])), "true\n");
    let o = celd(&["eval", heavy, "--max-cost", "10"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("cost"), "{}", err(&o));
    let o = celd(&[
        "eval",
        "lists.range(2000).all(i, lists.range(2000).all(j, true))",
        "--timeout",
        "1ms",
        "--max-cost",
        "100000000000",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("time"), "{}", err(&o));
    let o = celd(&["eval", "1", "--timeout", "5"]);
    assert_eq!(o.status.code(), Some(2), "a duration needs its unit");
}

#[test]
fn declarations_are_checked() {
    let o = celd(&["eval", "x", "--decl", "x:integer", "--vars", r#"{"x": 1}"#]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "celd: declaration of 'x': unknown type 'integer'; did you mean 'int'?\n"
    );
    let o = celd(&["check", "m", "--decl", "m:TestAllTypes"]);
    assert_eq!(
        err(&o),
        "celd: declaration of 'm': unknown message type 'TestAllTypes'; load it with --proto\n"
    );
    let o = celd(&["check", "x", "--decl", "x:int", "--decl", "x:string"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("declared more than once"), "{}", err(&o));
    let o = celd(&["eval", "x", "--decl", "x:int", "--vars", r#"{"x": 1.5}"#]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "celd: variable 'x' is declared int but was given double\n"
    );
    let o = celd(&["check", r#""abc".startWith("a")"#]);
    assert!(
        err(&o).starts_with("ERROR: <input>:1:7: undeclared reference to 'startWith'"),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("did you mean 'startsWith'?"),
        "{}",
        err(&o)
    );
}

#[test]
fn plain_json_and_unambiguous_output() {
    let o = celd(&[
        "eval",
        "m",
        "--vars",
        r#"{"m": {"$uint": "3"}}"#,
        "--plain-json",
    ]);
    assert_eq!(out(&o), "{\"$map\":[[\"$uint\",\"3\"]]}\n", "{}", err(&o));
    let printed = out(&o);
    let o = celd(&[
        "eval",
        "m",
        "--vars",
        &format!("{{\"m\": {}}}", printed.trim()),
    ]);
    assert_eq!(out(&o), printed, "what is printed reads back");
    let o = celd(&["eval", "ip('10.0.0.1')"]);
    assert_eq!(out(&o), "{\"$net.IP\":\"10.0.0.1\"}\n");
    let deep = format!("{{\"x\": {}1{}}}", "[".repeat(129), "]".repeat(129));
    let o = celd(&["eval", "x", "--vars", &deep]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "celd: variable 'x': nesting deeper than 128 levels\n"
    );
}

#[test]
fn batch_keeps_line_for_line_echoes_ids_and_takes_defaults() {
    let input = "{\"expr\": \"x + 1\", \"vars\": {\"x\": 1}, \"id\": \"a\"}\n\
                 \n\
                 not json\n\
                 {\"expr\": \"x\", \"vars\": {\"x\": 2}, \"decls\": {\"x\": \"uint\"}, \"id\": 4}\n\
                 {\"expr\": \"Timestamp\", \"id\": null}\n";
    let o = run(
        &[
            "eval",
            "--batch",
            "-",
            "--decl",
            "x:int",
            "--container",
            "google.protobuf",
        ],
        input,
        &[],
    );
    let lines: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[0], r#"{"id":"a","value":2,"type":"int"}"#);
    assert!(lines[1].contains("blank line"), "{}", lines[1]);
    assert!(
        lines[2].starts_with(r#"{"error":{"kind":"request""#),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], r#"{"id":4,"value":{"$uint":"2"},"type":"uint"}"#);
    assert_eq!(
        lines[4],
        r#"{"id":null,"value":{"$type":"google.protobuf.Timestamp"},"type":"type(google.protobuf.Timestamp)"}"#
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn protos_resolve_like_protoc() {
    let proto = temp_file(
        "pkg_shop.proto",
        "syntax = \"proto3\"; package shop; message Order { int64 qty = 1; }",
    );
    let dir = proto.parent().unwrap().to_str().unwrap().to_owned();
    let o = celd(&[
        "eval",
        "shop.Order{qty: 2}",
        "--proto-path",
        &dir,
        "--proto",
        "pkg_shop.proto",
        "--output",
        "cel",
    ]);
    assert_eq!(out(&o), "shop.Order{qty: 2}\n", "{}", err(&o));
    let o = celd(&[
        "eval",
        "1",
        "--proto-path",
        &dir,
        "--proto",
        "missing.proto",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("missing.proto: no such file"),
        "{}",
        err(&o)
    );
}

#[test]
fn messages_and_network_values_read_back_as_printed() {
    let proto = temp_file(
        "pkg_shelf.proto",
        "syntax = \"proto3\"; package shelf; message Book { int64 pages = 1; repeated string tags = 2; }",
    );
    let proto = proto.to_str().unwrap();
    for (expr, decl, check) in [
        (
            "shelf.Book{pages: 2, tags: ['a']}",
            "v:shelf.Book",
            "v.pages == 2 && v.tags == ['a']",
        ),
        (
            "cidr('10.0.0.0/8')",
            "v:net.CIDR",
            "v.containsIP(ip('10.1.2.3'))",
        ),
        ("ip('::1')", "v:net.IP", "v == ip('::1')"),
    ] {
        let printed = celd(&["eval", expr, "--proto", proto]);
        assert_eq!(printed.status.code(), Some(0), "{expr}: {}", err(&printed));
        let vars = format!("{{\"v\": {}}}", out(&printed).trim());
        let again = celd(&[
            "eval", "v", "--proto", proto, "--vars", &vars, "--decl", decl,
        ]);
        assert_eq!(
            out(&again),
            out(&printed),
            "{expr} reads back: {}",
            err(&again)
        );
        let checked = celd(&[
            "eval", check, "--proto", proto, "--vars", &vars, "--decl", decl,
        ]);
        assert_eq!(out(&checked), "true\n", "{expr}: {}", err(&checked));
    }
}

#[test]
fn check_cost_fails_before_printing_anything() {
    let o = celd(&[
        "check",
        "x",
        "--decl",
        "x:list(int)",
        "--cost",
        "--size-hint",
        "x=lots",
    ]);
    assert_eq!((o.status.code(), out(&o)), (Some(2), String::new()));
    let o = celd(&[
        "check",
        "x",
        "--decl",
        "x:list(int)",
        "--cost",
        "--size-hint",
        "y=3",
    ]);
    assert_eq!((o.status.code(), out(&o)), (Some(2), String::new()));
    assert!(
        err(&o).contains("no variable 'y' is declared"),
        "{}",
        err(&o)
    );
}

#[test]
fn diagnostics_are_coloured_only_on_request_of_the_terminal() {
    let plain = celd(&["eval", "1 +"]);
    assert!(!err(&plain).contains('\u{1b}'), "piped: no colour");
    let forced = run(&["eval", "1 +"], "", &[("CLICOLOR_FORCE", "1")]);
    assert!(
        err(&forced).contains("\u{1b}[1m\u{1b}[31mERROR:\u{1b}[0m"),
        "{:?}",
        err(&forced)
    );
    let off = run(
        &["eval", "1 +"],
        "",
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert!(!err(&off).contains('\u{1b}'), "{:?}", err(&off));
}

#[test]
fn completions_version_and_examples() {
    for shell in ["bash", "zsh", "fish"] {
        let o = celd(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0));
        assert!(out(&o).contains("celd"), "{shell}");
    }
    let version = out(&celd(&["--version"]));
    assert!(version.starts_with("celd 0.1.0 (commit "), "{version}");
    assert!(
        version.contains("conformance: cel-spec b8622f1b5c07"),
        "{version}"
    );
    for command in ["eval", "check", "dump", "repl", "serve", "completions"] {
        let help = out(&celd(&[command, "--help"]));
        assert!(help.contains("Examples:\n  celd "), "{command}: {help}");
    }
}

#[test]
fn durations_sizes_and_listen_addresses_are_parsed_strictly() {
    for args in [
        &["serve", "--max-rss", "400"][..],
        &["serve", "--drain-timeout", "30"],
        &["serve", "--listen", "localhost"],
    ] {
        let o = celd(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
    }
}

#[test]
fn the_repl_declares_binds_inspects_and_continues_lines() {
    let history = temp_file("history", "");
    let session = "let x = 20\n\
                   x + 1\n\
                   [x,\n  x * 2].size()\n\
                   %declare name: strng\n\
                   %declare name: string\n\
                   %type name.size() + x\n\
                   %dump x + 1\n\
                   nope\n\
                   %status\n\
                   %exit\n\
                   never reached\n";
    let o = run(
        &["repl"],
        session,
        &[("CELD_HISTORY", history.to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let stdout = out(&o);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "21 : int", "{stdout}");
    assert_eq!(lines[1], "2 : int", "{stdout}");
    assert_eq!(lines[2], "int", "{stdout}");
    assert!(stdout.contains("template: x + $0"), "{stdout}");
    assert!(
        stdout.contains("%declare name: string\nlet x = 20 : int"),
        "{stdout}"
    );
    assert!(!stdout.contains("never"), "{stdout}");
    let stderr = err(&o);
    assert!(
        stderr.contains("unknown type 'strng'; did you mean 'string'?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("undeclared reference to 'nope'"),
        "{stderr}"
    );
    let kept = std::fs::read_to_string(&history).unwrap();
    assert!(kept.contains("let x = 20"), "history: {kept}");
}
