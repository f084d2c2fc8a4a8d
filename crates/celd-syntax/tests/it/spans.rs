//! Operator spans: where errors about each operation point (`Ast::error_span`).

use celd_syntax::ExprId;
use celd_syntax::ast::{Expr, ExprKind};
use expect_test::{Expect, expect};

use crate::support::{operator_table_problem, parse_ok, without_ids};

/// One line per input, then one per node with an operator span, in id order: what the node
/// is, the column its errors point at and the text of its operator span.
fn check_operators(inputs: &[&str], expect: Expect) {
    let mut out = String::new();
    for text in inputs {
        let ast = parse_ok(text);
        if let Err(problem) = operator_table_problem(&ast) {
            panic!("{text}: {problem}");
        }
        out.push_str(text);
        out.push('\n');
        let mut nodes = Vec::new();
        collect(&ast.expr, &mut nodes);
        nodes.sort_by_key(|e| e.id);
        for node in nodes {
            let Some(span) = ast.operator_span(node.id) else {
                continue;
            };
            out.push_str(&format!(
                "    {:<28} {:>2} {:?}\n",
                describe(node),
                ast.source.location(span.start).column,
                ast.source.slice(span)
            ));
        }
    }
    expect.assert_eq(&out);
}

fn collect<'a>(expr: &'a Expr, nodes: &mut Vec<&'a Expr>) {
    nodes.push(expr);
    for child in expr.children() {
        collect(child, nodes);
    }
}

fn describe(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Call(call) if call.target.is_some() => format!("call .{}", call.function),
        ExprKind::Call(call) => format!("call {}", call.function),
        ExprKind::Select(select) if select.test_only => format!("test .{}", select.field),
        ExprKind::Select(select) => format!("select .{}", select.field),
        ExprKind::Comprehension(c) => format!("fold {}", c.iter_var),
        other => format!("{other:?}"),
    }
}

#[test]
fn operators_point_at_their_token() {
    check_operators(
        &[
            "1 / 0",
            "a + b * c - d",
            "a < b == (c in d)",
            "x ? y : z",
            "!-a",
            "a[0][?1]",
            "a.b.?c",
            "a.f(x).g()",
            "f(x)",
            "-1 + 1",
            "{'k': [1]}",
            "M{f: 1}",
        ],
        expect![[r#"
            1 / 0
                call _/_                      3 "/"
            a + b * c - d
                call _*_                      7 "*"
                call _+_                      3 "+"
                call _-_                     11 "-"
            a < b == (c in d)
                call _<_                      3 "<"
                call @in                     13 "in"
                call _==_                     7 "=="
            x ? y : z
                call _?_:_                    3 "?"
            !-a
                call -_                       2 "-"
                call !_                       1 "!"
            a[0][?1]
                call _[_]                     2 "["
                call _[?_]                    5 "[?"
            a.b.?c
                select .b                     2 ".b"
                call _?._                     4 ".?c"
            a.f(x).g()
                call .f                       2 ".f"
                call .g                       7 ".g"
            f(x)
            -1 + 1
                call _+_                      4 "+"
            {'k': [1]}
            M{f: 1}
        "#]],
    );
}

#[test]
fn logical_chains_point_at_the_operator_between_halves() {
    check_operators(
        &["a && b", "a && b && c", "a || b || c || d || e"],
        expect![[r#"
            a && b
                call _&&_                     3 "&&"
            a && b && c
                call _&&_                     3 "&&"
                call _&&_                     8 "&&"
            a || b || c || d || e
                call _||_                     3 "||"
                call _||_                     8 "||"
                call _||_                    18 "||"
                call _||_                    13 "||"
        "#]],
    );
}

#[test]
fn macro_expansions_point_at_the_macro_name() {
    check_operators(
        &[
            "l.all(x, x > 0)",
            "has(a.b)",
            "m.map(k, k + 1)",
            "o.optMap(v, v)",
            "a.b.optFlatMap(v, v)",
            "cel.bind(x, 1, x)",
            "math.greatest(1, 2, 3)",
            "l.sortBy(e, e)",
            "proto.getExt(m, pkg.ext)",
        ],
        expect![[r#"
            l.all(x, x > 0)
                call _>_                     12 ">"
                call @not_strictly_false      3 "all"
                call _&&_                     3 "all"
                fold x                        3 "all"
            has(a.b)
                test .b                       1 "has"
            m.map(k, k + 1)
                call _+_                     12 "+"
                call _+_                      3 "map"
                fold k                        3 "map"
            o.optMap(v, v)
                call .hasValue                3 "optMap"
                call .value                   3 "optMap"
                fold #unused                  3 "optMap"
                call optional.of              3 "optMap"
                call optional.none            3 "optMap"
                call _?_:_                    3 "optMap"
            a.b.optFlatMap(v, v)
                select .b                     2 ".b"
                select .b                     2 ".b"
                call .hasValue                5 "optFlatMap"
                call .value                   5 "optFlatMap"
                fold #unused                  5 "optFlatMap"
                call optional.none            5 "optFlatMap"
                call _?_:_                    5 "optFlatMap"
            cel.bind(x, 1, x)
                fold #unused                  5 "bind"
            math.greatest(1, 2, 3)
                call math.@max                6 "greatest"
            l.sortBy(e, e)
                call _+_                      3 "sortBy"
                fold e                        3 "sortBy"
                call .@sortByAssociatedKeys   3 "sortBy"
                fold #unused                  3 "sortBy"
            proto.getExt(m, pkg.ext)
                select .pkg.ext               7 "getExt"
        "#]],
    );
}

#[test]
fn error_span_falls_back_to_the_node_span() {
    let ast = parse_ok("f(x) + y.z");
    let text = |span| ast.source.slice(span).to_string();
    let root = ast.expr.id;
    assert_eq!(text(ast.span(root)), "f(x) + y.z");
    assert_eq!(text(ast.error_span(root)), "+");
    let ExprKind::Call(call) = &ast.expr.kind else {
        panic!("not a call: {:?}", ast.expr);
    };
    let (global, select) = (&call.args[0], &call.args[1]);
    assert_eq!(ast.operator_span(global.id), None);
    assert_eq!(text(ast.error_span(global.id)), "f(x)");
    assert_eq!(text(ast.error_span(select.id)), ".z");
    assert_eq!(
        ast.error_span(ExprId(ast.id_bound() + 5)),
        Default::default()
    );
}

#[test]
fn operator_spans_do_not_change_the_tree() {
    // The same tree with and without spaces: only spans differ.
    let tight = parse_ok("a+b&&!c[0]");
    let spaced = parse_ok("a + b && ! c [ 0 ]");
    assert_eq!(without_ids(&tight.expr), without_ids(&spaced.expr));
    assert_eq!(tight.operator_spans.len(), spaced.operator_spans.len());
}
