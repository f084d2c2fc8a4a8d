//! Every recursive pass on the deepest input the parser accepts: for each shape of nesting,
//! the deepest expression that parses goes through check, plan, evaluation, the printer, the
//! typed dump, the plan dump and celd JSON output of its (deep) value, checked and unchecked,
//! on a 2 MiB thread stack; and the deepest values celd can build are compared, printed,
//! written and dropped on the same stack.

use celd::layers::syntax::print;
use celd::layers::value::json::{JsonReader, to_json};
use celd::{Env, Type, Value};

const STACK_BYTES: usize = 2 << 20;

/// Runs `f` on a 2 MiB stack; a panic fails the test, an overflow aborts it.
fn on_small_stack(name: &str, f: impl FnOnce() + Send + 'static) {
    let joined = std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(STACK_BYTES)
        .spawn(f)
        .expect("spawn")
        .join();
    assert!(joined.is_ok(), "{name} failed on a 2 MiB stack");
}

/// Shapes of nesting: `n` levels of each.
fn shape(name: &str, n: usize) -> String {
    let nest = |open: &str, middle: &str, close: &str| {
        format!("{}{middle}{}", open.repeat(n), close.repeat(n))
    };
    match name {
        "parens" => nest("(", "1", ")"),
        "lists" => nest("[", "1", "]"),
        "maps" => nest("{1:", "1", "}"),
        "string maps" => nest("{'k':", "'v'", "}"),
        "nots" => nest("!", "true", ""),
        "negations" => nest("-", "1", ""),
        "selects" => format!("m{}", ".b".repeat(n)),
        "optional selects" => format!("m{}", ".?b".repeat(n)),
        "has" => format!("has(m{})", ".b".repeat(n)),
        "indexes" => format!("{}{}", nest("[", "1", "]"), "[0]".repeat(n)),
        "calls" => nest("dyn(", "1", ")"),
        "method calls" => format!("'a'{}", ".lowerAscii()".repeat(n)),
        "optionals" => nest("optional.of(", "1", ")"),
        "additions" => format!("1{}", "+1".repeat(n)),
        "ternaries" => format!("{}1", "true ? 1 : ".repeat(n)),
        "ternary conditions" => nest("(", "true", " ? true : false)"),
        "comprehensions" => nest("[1].map(x, ", "[x]", ")"),
        "filters" => nest("[1].filter(x, size(", "[1].filter(x, true)", ") > 0)"),
        "binds" => nest("cel.bind(x, [1], ", "[x]", ")"),
        "block chain" => {
            let entries: Vec<String> = std::iter::once("[1]".to_owned())
                .chain((1..n).map(|i| format!("[cel.index({})]", i - 1)))
                .collect();
            format!("cel.block([{}], cel.index({}))", entries.join(", "), n - 1)
        }
        "mixed" => nest("-([{1: ", "1", "}][0][1])"),
        other => panic!("unknown shape {other}"),
    }
}

const SHAPES: &[&str] = &[
    "parens",
    "lists",
    "maps",
    "string maps",
    "nots",
    "negations",
    "selects",
    "optional selects",
    "has",
    "indexes",
    "calls",
    "method calls",
    "optionals",
    "additions",
    "ternaries",
    "ternary conditions",
    "comprehensions",
    "filters",
    "binds",
    "block chain",
    "mixed",
];

fn env() -> Env {
    Env::builder()
        .variable("m", Type::Dyn)
        .all_extensions()
        .build()
        .expect("the environment builds")
}

/// `m = {"b": {"b": ...}}`, 100 levels (within the JSON nesting limit).
fn deep_map() -> Value {
    let mut json = serde_json::json!(1);
    for _ in 0..100 {
        json = serde_json::json!({ "b": json });
    }
    JsonReader::default().read(&json).expect("a valid value")
}

/// The deepest `n` for which `shape` parses (it must parse at some depth above 40).
fn deepest(env: &Env, name: &str) -> usize {
    (1..=300)
        .rev()
        .find(|&n| env.parse(&shape(name, n)).is_ok())
        .filter(|&n| n > 40)
        .unwrap_or_else(|| panic!("{name} does not parse even 40 deep"))
}

/// Every pass over the deepest expression of one shape.
fn every_pass(name: &'static str) {
    let env = env();
    let n = deepest(&env, name);
    let text = shape(name, n);
    // A deeper one of the same shape is a limit error, not an overflow.
    let deeper = env
        .parse(&shape(name, n + 1))
        .expect_err("one more level fails");
    assert_eq!(deeper.kind(), celd::ErrorKind::Limit, "{name}");

    let ast = env.parse(&text).expect("parses");
    let printed = print(&ast);
    let reparsed = env.parse(&printed);
    assert!(
        reparsed.is_ok(),
        "{name}: the printed form does not parse: {reparsed:?}"
    );

    let mut act = env.activation();
    act.insert("m", deep_map());
    let checked = env.check_ast(ast.clone());
    if let Ok(checked) = &checked {
        let typed = celd::dump::print_typed(checked, &|_| None);
        assert!(!typed.is_empty(), "{name}");
    }
    let compiled = [
        checked.and_then(|c| env.plan_checked(&c, &Default::default())),
        env.compile_unchecked(&text),
    ];
    for program in compiled {
        let program = program.unwrap_or_else(|e| panic!("{name} ({n} deep) compiles: {e}"));
        assert!(!program.dump_plan().is_empty(), "{name}");
        // Evaluation may fail (`m.b.b...` runs out of map), but must not overflow.
        if let Ok(value) = program.eval(&act) {
            let json = to_json(&value).to_string();
            assert!(!json.is_empty(), "{name}");
            let shown = value.to_string();
            assert!(!shown.is_empty(), "{name}");
            assert_eq!(value, value.clone(), "{name}: a value equals itself");
        }
    }
}

macro_rules! deep_tests {
    ($($test:ident => $shape:literal,)*) => {
        $(
            #[test]
            fn $test() {
                on_small_stack($shape, || every_pass($shape));
            }
        )*
        #[test]
        fn every_shape_has_a_test() {
            let tested = [$($shape),*];
            assert_eq!(tested.len(), SHAPES.len());
            for s in SHAPES {
                assert!(tested.contains(s), "no test for {s}");
            }
        }
    };
}

deep_tests! {
    deepest_parens => "parens",
    deepest_lists => "lists",
    deepest_maps => "maps",
    deepest_string_maps => "string maps",
    deepest_nots => "nots",
    deepest_negations => "negations",
    deepest_selects => "selects",
    deepest_optional_selects => "optional selects",
    deepest_has => "has",
    deepest_indexes => "indexes",
    deepest_calls => "calls",
    deepest_method_calls => "method calls",
    deepest_optionals => "optionals",
    deepest_additions => "additions",
    deepest_ternaries => "ternaries",
    deepest_ternary_conditions => "ternary conditions",
    deepest_comprehensions => "comprehensions",
    deepest_filters => "filters",
    deepest_binds => "binds",
    deepest_block_chain => "block chain",
    deepest_mixed => "mixed",
}

/// The deepest values an evaluation can build: a list as deep as the parser allows, wrapped
/// around a variable as deep as celd JSON allows; compared, printed, written, formatted and
/// dropped on a small stack.
#[test]
fn deepest_values_compare_print_and_drop() {
    on_small_stack("deepest values", || {
        let env = Env::builder()
            .variable("v", Type::Dyn)
            .all_extensions()
            .build()
            .expect("builds");
        let mut json = serde_json::json!(1);
        for _ in 0..celd::layers::value::json::DEFAULT_MAX_JSON_DEPTH {
            json = serde_json::json!([json]);
        }
        let v = JsonReader::default()
            .read(&json)
            .expect("128 levels are allowed");
        let mut act = env.activation();
        act.insert("v", v);
        let forms = |n: usize| {
            let deep = format!("{}v{}", "[".repeat(n), "]".repeat(n));
            vec![
                format!("{deep} == {deep}"),
                format!("[{deep}] == [{deep}]"),
                format!("{deep} != dyn([1])"),
                format!("size('%s'.format([{deep}])) > 0"),
                format!("{deep} in [{deep}]"),
            ]
        };
        let n = (1..=300)
            .rev()
            .find(|&n| forms(n).iter().all(|e| env.parse(e).is_ok()))
            .expect("some depth parses");
        assert!(n > 200, "{n}");
        for expr in forms(n) {
            let program = env.compile(&expr).expect("compiles");
            let value = program.eval(&act);
            assert!(
                matches!(value, Ok(Value::Bool(_))),
                "{}: {value:?}",
                &expr[..40]
            );
        }
        let deep = format!("{}v{}", "[".repeat(n), "]".repeat(n));
        let program = env.compile(&deep).expect("compiles");
        let value = program.eval(&act).expect("evaluates");
        let json = to_json(&value).to_string();
        assert!(json.starts_with("[[[["), "{}", &json[..20]);
        assert!(value.to_string().starts_with("[[[["));
        drop(value);
        drop(program);
    });
}
