//! Evaluation details (the cost an evaluation was charged, the variables it read) and cost
//! estimates with size hints for paths, with exact figures.

use celd::{Env, EvalDetails, EvalOptions, Limits, SizeHints, Type, Value};

fn env() -> Env {
    Env::builder()
        .variable("x", Type::Int)
        .variable("y", Type::Int)
        .variable("items", Type::list(Type::Int))
        .variable("self", Type::map(Type::String, Type::Dyn))
        .all_extensions()
        .build()
        .unwrap()
}

fn json(text: &str) -> Value {
    celd::layers::value::json::from_json(&serde_json::from_str(text).unwrap()).unwrap()
}

/// Evaluates `src` checked and unchecked with `vars` (celd JSON); both must report the same
/// details, which are returned with the printed result.
fn details(src: &str, vars: &str) -> (String, u64, Vec<String>) {
    let env = env();
    let mut activation = env.activation();
    if let Value::Map(map) = json(vars) {
        for (k, v) in map.iter() {
            let name = k.to_value();
            activation.insert(name.as_str().unwrap(), v.clone());
        }
    }
    let mut seen = Vec::new();
    for program in [
        env.compile(src).unwrap(),
        env.compile_unchecked(src).unwrap(),
    ] {
        let (value, details) = program.eval_details(&activation);
        let printed = match value {
            Ok(v) => v.to_string(),
            Err(e) => format!("error: {}", e.message()),
        };
        let read = details
            .variables_read()
            .iter()
            .map(|s| s.to_string())
            .collect();
        seen.push((printed, details.cost(), read));
    }
    assert_eq!(seen[0], seen[1], "{src}: checked and unchecked differ");
    seen.swap_remove(0)
}

#[test]
fn details_report_the_cost_charged_and_the_variables_read() {
    let rows: &[(&str, &str, &str, u64, &[&str])] = &[
        // A variable read costs 1, arithmetic 1.
        ("x + 1", r#"{"x": 1}"#, "2", 2, &["x"]),
        // Constants cost nothing.
        ("1 + 2", "{}", "3", 0, &[]),
        // `||` stops at a true left side: y is never read.
        ("x > 0 || y > 0", r#"{"x": 1, "y": 2}"#, "true", 2, &["x"]),
        (
            "x > 0 || y > 0",
            r#"{"x": 0, "y": 2}"#,
            "true",
            4,
            &["x", "y"],
        ),
        (
            "x > 0 ? 'a' : string(y)",
            r#"{"x": 1, "y": 2}"#,
            "\"a\"",
            2,
            &["x"],
        ),
        // Per element: 1 iteration, 1 to read `i`, 1 to compare; 1 to read `items`.
        (
            "items.exists(i, i > 10)",
            r#"{"items": [1, 2, 3, 4, 5]}"#,
            "false",
            16,
            &["items"],
        ),
        (
            "items.exists(i, i > 10)",
            r#"{"items": [20, 2, 3, 4, 5]}"#,
            "true",
            4,
            &["items"],
        ),
        // A failure still reports what was spent before it.
        ("x / 0", r#"{"x": 1}"#, "error: division by zero", 2, &["x"]),
        // Strings cost a tenth of their size to compare or concatenate.
        (
            "self.name + '-suffix' == 'abcdefghijklmnopqrst-suffix'",
            r#"{"self": {"name": "abcdefghijklmnopqrst"}}"#,
            "true",
            8,
            &["self"],
        ),
    ];
    for &(src, vars, value, cost, read) in rows {
        let (got_value, got_cost, got_read) = details(src, vars);
        assert_eq!(got_value, value, "{src}");
        assert_eq!(got_cost, cost, "{src}: cost");
        assert_eq!(got_read, read, "{src}: variables read");
    }
}

#[test]
fn the_cost_limit_reports_the_charge_that_passed_it() {
    let env = Env::builder()
        .variable("items", Type::list(Type::Int))
        .limits(Limits {
            max_cost: 10,
            ..Limits::default()
        })
        .build()
        .unwrap();
    let program = env.compile("items.all(i, i > 0)").unwrap();
    let mut vars = env.activation();
    vars.insert("items", json("[1, 2, 3, 4, 5]"));
    let (value, details) = program.eval_details(&vars);
    assert_eq!(value.unwrap_err().kind(), celd::ErrorKind::Limit);
    assert_eq!(details.cost(), 11);
}

#[test]
fn any_evaluation_reports_details_through_its_options() {
    let env = env();
    let program = env.compile("x + y").unwrap();
    let mut vars = env.activation();
    vars.insert("x", 1).insert("y", 2);
    let details = EvalDetails::new();
    let options = EvalOptions {
        details: Some(&details),
        ..EvalOptions::default()
    };
    assert_eq!(program.eval_with(&vars, &options).unwrap(), Value::Int(3));
    assert_eq!(details.cost(), 3);
    assert_eq!(details.variables_read(), ["x", "y"]);
    // Reused, it reports the latest evaluation only.
    vars.insert("x", 5);
    let program = env.compile("x > 3 || y > 0").unwrap();
    program.eval_with(&vars, &options).unwrap();
    assert_eq!(
        (details.cost(), details.variables_read()),
        (2, vec!["x".into()])
    );
}

fn estimate(src: &str, hints: &SizeHints) -> (u64, Option<u64>) {
    let program = env().compile(src).unwrap();
    let estimate = program.estimate_cost(hints);
    (estimate.min, estimate.max)
}

#[test]
fn size_hints_name_paths_into_variables() {
    let src = "self.items.all(i, i.tags.all(t, t.size() < 8))";
    // Without hints the loop is over a list of any size.
    assert_eq!(estimate(src, &SizeHints::new()), (3, None));
    // The list's size alone leaves each item's tags unbounded.
    let items_only = SizeHints::new().size("self.items", 10);
    assert_eq!(estimate(src, &items_only).1, None);
    // Every path bounded: 3 to read self.items; per item 1 iteration, 2 to read the outer
    // fold's accumulator (its condition and its step), 1 to read `i`, 1 to select `tags`;
    // per tag 1 iteration, 1 to read `t`, 1 for size, 1 to compare.
    let hints = items_only.clone().size("self.items.@items.tags", 4);
    assert_eq!(estimate(src, &hints), (3, Some(3 + 10 * (5 + 4 * 4))));
    // A hint on a variable covers what is selected from it, unless a path has its own; the
    // elements a comprehension visits need theirs (a list's length says nothing of them).
    let whole = SizeHints::new().size("self", 10);
    assert_eq!(estimate(src, &whole), (3, None));
    let with_items = whole.size("self.items.@items", 6);
    assert_eq!(estimate(src, &with_items), (3, Some(3 + 10 * (5 + 6 * 4))));
    let deeper = with_items.size("self.items", 2);
    assert_eq!(estimate(src, &deeper), (3, Some(3 + 2 * (5 + 6 * 4))));
    // Nested selections and `cel.bind` keep their paths.
    let groups = "self.auth.claims.groups.exists(g, g == 'admin')";
    let hints = SizeHints::new().size("self.auth.claims.groups", 20);
    assert_eq!(estimate(groups, &hints), (4, Some(4 + 20 * 3)));
    // 4 to bind `g`, 1 to read it, 3 per group.
    let bound = "cel.bind(g, self.auth.claims.groups, g.exists(x, x == 'admin'))";
    assert_eq!(estimate(bound, &hints).1, Some(5 + 20 * 3));
}

/// The most the estimate allows is what an input of the hinted sizes actually costs when
/// every loop runs to its end.
#[test]
fn the_estimate_bounds_the_actual_cost_exactly_at_the_hinted_sizes() {
    let env = env();
    let src = "self.items.all(i, i.tags.all(t, t.size() < 8))";
    let program = env.compile(src).unwrap();
    let hints = SizeHints::new()
        .size("self.items", 3)
        .size("self.items.@items.tags", 2);
    let item = r#"{"tags": ["a", "b"]}"#;
    let mut vars = env.activation();
    vars.insert(
        "self",
        json(&format!(r#"{{"items": [{item}, {item}, {item}]}}"#)),
    );
    let (value, details) = program.eval_details(&vars);
    assert_eq!(value.unwrap(), Value::Bool(true));
    assert_eq!(Some(details.cost()), program.estimate_cost(&hints).max);
}
