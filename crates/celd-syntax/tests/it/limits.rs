//! Limits: code points, nesting depth for every deep shape (also on a 2 MiB stack), error cap.

use celd_syntax::{ParseErrorKind, ParseOptions};
use expect_test::expect;

use crate::support::{check_parse_with, parse_default, parse_with};

/// Inputs nested `n` levels deep, each a different way to build a deep tree.
fn deep_shapes(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("parens", format!("{}x{}", "(".repeat(n), ")".repeat(n))),
        ("lists", format!("{}1{}", "[".repeat(n), "]".repeat(n))),
        ("maps", format!("{}1{}", "{1:".repeat(n), "}".repeat(n))),
        (
            "messages",
            format!("{}1{}", "M{f:".repeat(n), "}".repeat(n)),
        ),
        ("nots", format!("{}x", "!".repeat(n))),
        ("negations", format!("{}x", "-".repeat(n))),
        ("selects", format!("a{}", ".b".repeat(n))),
        ("optional selects", format!("a{}", ".?b".repeat(n))),
        ("indexes", format!("a{}", "[0]".repeat(n))),
        ("method calls", format!("a{}", ".f()".repeat(n))),
        ("calls", format!("{}x{}", "f(".repeat(n), ")".repeat(n))),
        ("additions", format!("1{}", "+1".repeat(n / 2))),
        ("relations", format!("1{}", "<1".repeat(n / 2))),
        ("ternaries", format!("{}x", "a ? b : ".repeat(n))),
        (
            "macros",
            format!("{}x{}", "l.map(x, ".repeat(n), ")".repeat(n)),
        ),
        ("has", format!("has(a{})", ".b".repeat(n))),
        // `cel.index(i)` stands for entry i, so a chain of entries nests like a literal.
        ("block chains", block_chain(n)),
        (
            "mixed",
            "(-[{1: !f(a.b[0], ".repeat(n / 10) + "x" + &")}])".repeat(n / 10),
        ),
    ]
}

/// `cel.block([[1], [cel.index(0)], [cel.index(1)], ...], cel.index(n - 1))`.
fn block_chain(n: usize) -> String {
    let entries: Vec<String> = std::iter::once("[1]".to_owned())
        .chain((1..n).map(|i| format!("[cel.index({})]", i - 1)))
        .collect();
    format!("cel.block([{}], cel.index({}))", entries.join(", "), n - 1)
}

fn assert_too_deep(name: &str, text: &str, options: &ParseOptions) {
    let error = match parse_with(text, options) {
        Ok(_) => panic!("{name}: parsed although nested too deep"),
        Err(error) => error,
    };
    assert_eq!(error.kind(), ParseErrorKind::Limit, "{name}: {error}");
    let limit = options.max_depth.to_string();
    assert!(
        error
            .diagnostics()
            .iter()
            .any(|d| d.message.contains(&limit)),
        "{name}: the error does not name the limit: {error}"
    );
}

/// Default limits except the code-point and node limits, so depth is what stops these inputs.
fn depth_only() -> ParseOptions {
    ParseOptions {
        max_code_points: usize::MAX,
        max_nodes: usize::MAX,
        ..ParseOptions::default()
    }
}

#[test]
fn every_deep_shape_is_a_clean_error() {
    let options = depth_only();
    for (name, text) in deep_shapes(100_000) {
        assert_too_deep(name, &text, &options);
    }
}

#[test]
fn every_deep_shape_is_a_clean_error_on_a_small_stack() {
    let worker = std::thread::Builder::new().stack_size(2 << 20).spawn(|| {
        let options = depth_only();
        for (name, text) in deep_shapes(100_000) {
            assert_too_deep(name, &text, &options);
        }
        // Well inside the limit (maps add four levels each) must work on the same stack.
        for (name, text) in deep_shapes(50) {
            assert!(parse_with(&text, &options).is_ok(), "{name} at depth 50");
        }
    });
    let joined = worker.map(|handle| handle.join());
    assert!(matches!(joined, Ok(Ok(()))), "the parse thread failed");
}

#[test]
fn depth_limit_boundaries() {
    let options = ParseOptions::default();
    // The root counts as one level: 249 parentheses fit, 250 do not.
    let parens = |n: usize| format!("{}x{}", "(".repeat(n), ")".repeat(n));
    assert!(parse_with(&parens(249), &options).is_ok());
    assert_too_deep("parens", &parens(250), &options);
    // A select chain of n members is a tree of depth n + 1.
    let selects = |n: usize| format!("a{}", ".b".repeat(n));
    assert!(parse_with(&selects(249), &options).is_ok());
    assert_too_deep("selects", &selects(250), &options);
    let small = ParseOptions {
        max_depth: 5,
        ..ParseOptions::default()
    };
    check_parse_with(
        "a.b.c.d.e.f",
        &small,
        expect![[r#"
            ERROR: <input>:1:1: expression nesting too deep: more than the limit of 5 levels
             | a.b.c.d.e.f
             | ^"#]],
    );
    check_parse_with(
        "[1].map(x, [x])",
        &small,
        expect!["fold(x in [1]; @result = []; true; _+_(@result, [[x]]); @result)"],
    );
}

#[test]
fn block_chains_count_their_inlined_depth() {
    let options = depth_only();
    // Entry i inlines to a list i + 2 deep; with the entry list and the block call, 247
    // entries make 250 levels and 248 pass the limit, although the text is 4 levels deep.
    assert!(parse_with(&block_chain(247), &options).is_ok());
    assert_too_deep("block chain", &block_chain(248), &options);
    // Entries that name no earlier entry add nothing: a long flat block is fine.
    let flat = format!("cel.block([{}], 1)", vec!["[1]"; 20_000].join(", "));
    assert!(parse_with(&flat, &options).is_ok());
    // Each entry counts as deep as the deepest entry it names.
    let doubling =
        "cel.block([[1], [cel.index(0), cel.index(0)], [cel.index(1), 2]], cel.index(2))";
    assert!(parse_with(doubling, &options).is_ok());
}

#[test]
fn long_logical_chains_are_shallow() {
    let and_chain = vec!["a"; 50_000].join(" && ");
    let ast = parse_with(&and_chain, &depth_only());
    assert!(ast.is_ok(), "a 50,000-term && chain must fit in depth 250");
    let or_chain = vec!["a == 1"; 20_000].join(" || ");
    assert!(parse_with(&or_chain, &depth_only()).is_ok());
}

#[test]
fn code_point_limit() {
    let options = ParseOptions {
        max_code_points: 10,
        ..ParseOptions::default()
    };
    assert!(parse_with("1234567890", &options).is_ok());
    assert!(
        parse_with("'ééééééé'", &options).is_ok(),
        "counts code points, not bytes"
    );
    check_parse_with(
        "12345678901",
        &options,
        expect![[r#"
        ERROR: <input>:1:1: expression has 11 code points, more than the limit of 10
         | 12345678901
         | ^"#]],
    );
    let error = parse_with("12345678901", &options).err();
    assert_eq!(error.map(|e| e.kind()), Some(ParseErrorKind::Limit));
    let huge = "a".repeat(100_001);
    let error = parse_default(&huge).err();
    assert_eq!(error.map(|e| e.kind()), Some(ParseErrorKind::Limit));
}

#[test]
fn error_cap() {
    let options = ParseOptions {
        max_errors: 3,
        ..ParseOptions::default()
    };
    let text = "[".to_string() + &vec!["1 +"; 50].join(", ") + "]";
    let error = parse_with(&text, &options).err();
    assert_eq!(error.map(|e| e.diagnostics().len()), Some(3));
    let garbage = "#".repeat(10_000);
    let error = parse_default(&garbage).err();
    assert_eq!(error.map(|e| e.diagnostics().len()), Some(100));
}

#[test]
fn hostile_inputs_are_errors_not_panics() {
    let big_string = format!("'{}'", "a".repeat(10_000_000));
    let unlimited = ParseOptions {
        max_code_points: usize::MAX,
        ..ParseOptions::default()
    };
    assert!(parse_with(&big_string, &unlimited).is_ok());
    assert!(parse_default(&big_string).is_err());
    for valid in ["'\0'", "'\u{1}\u{7f}'", "'''\0\r\n'''", "b'\0'"] {
        assert!(parse_default(valid).is_ok(), "{valid:?} should parse");
    }
    let inputs = [
        "\0",
        "a\0b",
        "\u{1}\u{2}\u{7f}",
        "'\\",
        "\\",
        "'''",
        "r'''",
        "`",
        ".",
        "..",
        "?",
        "a.?",
        "a[?",
        "{?",
        "M{?",
        "M{f",
        "M{f:",
        "f(,)",
        "[1,,2]",
        "{1:2,,}",
        "x.",
        "-",
        "!",
        "1 ? 2",
        "1 ? 2 :",
        "'\\u'",
        "'\\U0010FFFF\\U00110000'",
        "999999999999999999999999999999999999999999999999999999999999999999999999999999",
        "\u{feff}1",
        "\u{2028}",
        "🙂",
        "a.b.c{",
        ")]}",
    ];
    for input in inputs {
        assert!(parse_default(input).is_err(), "{input:?} should not parse");
    }
}

/// `optMap` repeats its target, so a chain of them doubles the tree with each link: the node
/// limit stops the expansion, however short the text.
#[test]
fn macro_expansion_is_bounded_by_the_node_limit() {
    let chain = |n: usize| format!("optional.of(1){}", ".optMap(y, y)".repeat(n));
    assert!(parse_default(&chain(10)).is_ok());
    let error = parse_default(&chain(40)).expect_err("2^40 nodes");
    assert!(
        error.diagnostics()[0]
            .message
            .contains("more than the limit of 100000 nodes after macro expansion"),
        "{error}"
    );
    let small = ParseOptions {
        max_nodes: 10,
        ..ParseOptions::default()
    };
    assert!(parse_with("[1, 2, 3, 4]", &small).is_ok());
    assert!(parse_with("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", &small).is_err());
}
