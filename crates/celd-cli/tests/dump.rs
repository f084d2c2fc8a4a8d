//! `celd dump`: what an expression compiles to, end to end through the binary.

use std::process::{Command, Output};

fn celd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(args)
        .output()
        .expect("the celd binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn dump_shows_template_parameters_types_and_plan() {
    let o = celd(&[
        "dump",
        "items.filter(i, i.price > 10.0).map(i, i.name)",
        "--decl",
        "items:list(map(string, dyn))",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("program "), "{text}");
    assert_eq!(
        lines[1],
        "template: items.filter(i, i.price > $0).map(i, i.name)"
    );
    assert_eq!(lines[2], "type: list(dyn)");
    assert_eq!(lines[3], "parameters:");
    assert!(
        lines[4].contains("$0") && lines[4].contains("double"),
        "{text}"
    );
    assert_eq!(lines[5], "checked:");
    assert!(lines[6].contains("$0~double"), "{text}");
    assert!(text.contains("plan: 1 variable(s)"), "{text}");
    assert!(text.contains("map %"), "{text}");
    assert!(text.contains("filter %"), "{text}");
    assert!(text.contains("param $0"), "{text}");
}

#[test]
fn dump_of_a_bad_expression_fails_with_a_caret() {
    let o = celd(&["dump", "x +", "--decl", "x:int"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("^"));
    let o = celd(&["dump", "x", "--decl", "x"]);
    assert_eq!(o.status.code(), Some(2));
}
