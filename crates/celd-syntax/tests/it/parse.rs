//! Grammar: precedence, associativity, members, calls, aggregates, optional syntax.

use celd_syntax::{ExprId, ParseOptions, Span};
use expect_test::expect;

use crate::support::{check_parse, check_parse_with, check_table, parse_ok};

#[test]
fn precedence_and_associativity() {
    check_table(
        &[
            "a || b && c",
            "a && b || c",
            "a == b && c != d",
            "a < b == c > d",
            "a + b * c",
            "a * b + c",
            "a - b - c",
            "a / b / c",
            "a % b * c",
            "a + b < c - d",
            "a in b && c in d",
            "!a && b",
            "-a * b",
            "!!a",
            "--a",
            "-!a",
            "a ? b : c ? d : e",
            "a ? b ? c : d : e",
            "a || b ? c : d",
            "(a ? b : c) ? d : e",
            "(a + b) * c",
            "a + (b + c)",
            "a.b + c.d(e)[f]",
            "!a.b",
            "-a[0]",
            "a <= b >= c",
        ],
        expect![[r#"
            a || b && c  ==>  _||_(a, _&&_(b, c))
            a && b || c  ==>  _||_(_&&_(a, b), c)
            a == b && c != d  ==>  _&&_(_==_(a, b), _!=_(c, d))
            a < b == c > d  ==>  _>_(_==_(_<_(a, b), c), d)
            a + b * c  ==>  _+_(a, _*_(b, c))
            a * b + c  ==>  _+_(_*_(a, b), c)
            a - b - c  ==>  _-_(_-_(a, b), c)
            a / b / c  ==>  _/_(_/_(a, b), c)
            a % b * c  ==>  _*_(_%_(a, b), c)
            a + b < c - d  ==>  _<_(_+_(a, b), _-_(c, d))
            a in b && c in d  ==>  _&&_(@in(a, b), @in(c, d))
            !a && b  ==>  _&&_(!_(a), b)
            -a * b  ==>  _*_(-_(a), b)
            !!a  ==>  !_(!_(a))
            --a  ==>  -_(-_(a))
            -!a  ==>  -_(!_(a))
            a ? b : c ? d : e  ==>  _?_:_(a, b, _?_:_(c, d, e))
            a ? b ? c : d : e
                ERROR: <input>:1:7: unexpected '?', expected ':'
                 | a ? b ? c : d : e
                 | ......^
            a || b ? c : d  ==>  _?_:_(_||_(a, b), c, d)
            (a ? b : c) ? d : e  ==>  _?_:_(_?_:_(a, b, c), d, e)
            (a + b) * c  ==>  _*_(_+_(a, b), c)
            a + (b + c)  ==>  _+_(a, _+_(b, c))
            a.b + c.d(e)[f]  ==>  _+_(a.b, _[_](c.d(e), f))
            !a.b  ==>  !_(a.b)
            -a[0]  ==>  -_(_[_](a, 0))
            a <= b >= c  ==>  _>=_(_<=_(a, b), c)
        "#]],
    );
}

#[test]
fn logical_chains_are_balanced() {
    check_table(
        &[
            "a && b",
            "a && b && c",
            "a && b && c && d",
            "a && b && c && d && e",
            "a || b || c || d || e || f",
            "a && b || c && d || e",
            "(a && b) && c",
            "a && (b && c)",
        ],
        expect![[r#"
            a && b  ==>  _&&_(a, b)
            a && b && c  ==>  _&&_(_&&_(a, b), c)
            a && b && c && d  ==>  _&&_(_&&_(a, b), _&&_(c, d))
            a && b && c && d && e  ==>  _&&_(_&&_(_&&_(a, b), c), _&&_(d, e))
            a || b || c || d || e || f  ==>  _||_(_||_(_||_(a, b), c), _||_(_||_(d, e), f))
            a && b || c && d || e  ==>  _||_(_||_(_&&_(a, b), _&&_(c, d)), e)
            (a && b) && c  ==>  _&&_(_&&_(a, b), c)
            a && (b && c)  ==>  _&&_(a, _&&_(b, c))
        "#]],
    );
}

#[test]
fn members_calls_and_names() {
    check_table(
        &[
            "x",
            ".x",
            "a.b.c",
            ".a.b",
            "a.b()",
            "a.b(c, d)",
            "f()",
            "f(a, b)",
            ".f(a)",
            "pkg.f(a)",
            "a[0][1]",
            "a.b[c].d",
            "f(a)(b)",
            "a.`b-c`",
            "a.`b.c/d e`",
            "{ 'while': 1 }.while",
            "a.package()",
            "a.in",
            "a.`in`",
            "a.?b",
            "a.?`b-c`",
            "a[?b]",
            "a.?b.?c[?d]",
            "x.f(y).?g",
        ],
        expect![[r#"
            x  ==>  x
            .x  ==>  .x
            a.b.c  ==>  a.b.c
            .a.b  ==>  .a.b
            a.b()  ==>  a.b()
            a.b(c, d)  ==>  a.b(c, d)
            f()  ==>  f()
            f(a, b)  ==>  f(a, b)
            .f(a)  ==>  .f(a)
            pkg.f(a)  ==>  pkg.f(a)
            a[0][1]  ==>  _[_](_[_](a, 0), 1)
            a.b[c].d  ==>  _[_](a.b, c).d
            f(a)(b)
                ERROR: <input>:1:5: unexpected '(', expected an operator or end of input
                 | f(a)(b)
                 | ....^
            a.`b-c`  ==>  a.b-c
            a.`b.c/d e`  ==>  a.b.c/d e
            { 'while': 1 }.while  ==>  {"while": 1}.while
            a.package()  ==>  a.package()
            a.in
                ERROR: <input>:1:3: unexpected 'in', expected a field name
                 | a.in
                 | ..^
            a.`in`  ==>  a.in
            a.?b  ==>  _?._(a, "b")
            a.?`b-c`  ==>  _?._(a, "b-c")
            a[?b]  ==>  _[?_](a, b)
            a.?b.?c[?d]  ==>  _[?_](_?._(_?._(a, "b"), "c"), d)
            x.f(y).?g  ==>  _?._(x.f(y), "g")
        "#]],
    );
}

#[test]
fn aggregates() {
    check_table(
        &[
            "[]",
            "[,]",
            "[1]",
            "[1, 2,]",
            "[?a, b, ?c]",
            "{}",
            "{,}",
            "{1: 2}",
            "{'a': 1, 'b': 2,}",
            "{?a: b, c: d}",
            "Msg{}",
            "Msg{,}",
            "Msg{f: 1}",
            "pkg.Msg{f: 1, g: [2],}",
            ".pkg.Msg{?f: a}",
            "a.b.C{`f-g`: 1, while: 2}",
            "[\t.\tcel.\texpr\t.conformance.\tproto3.\tTestAllTypes\t{\tsingle_int64\t:\t17\t}]",
            "Msg{f: 1}.f",
            "{1: {2: [3]}}",
        ],
        expect![[r#"
            []  ==>  []
            [,]  ==>  []
            [1]  ==>  [1]
            [1, 2,]  ==>  [1, 2]
            [?a, b, ?c]  ==>  [?a, b, ?c]
            {}  ==>  {}
            {,}  ==>  {}
            {1: 2}  ==>  {1: 2}
            {'a': 1, 'b': 2,}  ==>  {"a": 1, "b": 2}
            {?a: b, c: d}  ==>  {?a: b, c: d}
            Msg{}  ==>  Msg{}
            Msg{,}  ==>  Msg{}
            Msg{f: 1}  ==>  Msg{f: 1}
            pkg.Msg{f: 1, g: [2],}  ==>  pkg.Msg{f: 1, g: [2]}
            .pkg.Msg{?f: a}  ==>  .pkg.Msg{?f: a}
            a.b.C{`f-g`: 1, while: 2}  ==>  a.b.C{f-g: 1, while: 2}
            [\t.\tcel.\texpr\t.conformance.\tproto3.\tTestAllTypes\t{\tsingle_int64\t:\t17\t}]  ==>  [.cel.expr.conformance.proto3.TestAllTypes{single_int64: 17}]
            Msg{f: 1}.f  ==>  Msg{f: 1}.f
            {1: {2: [3]}}  ==>  {1: {2: [3]}}
        "#]],
    );
}

#[test]
fn negative_literals_fold_only_when_direct() {
    check_table(
        &[
            "-1",
            "- 1",
            "-1.5",
            "-(1)",
            "--1",
            "-1u",
            "-x",
            "-1.size()",
            "2 - 1",
            "2 -1",
            "2--1",
            "-9223372036854775808",
            "-0x8000000000000000",
            "-.5",
        ],
        expect![[r#"
            -1  ==>  -1
            - 1  ==>  -1
            -1.5  ==>  -1.5
            -(1)  ==>  -_(1)
            --1  ==>  -_(-1)
            -1u  ==>  -_(1u)
            -x  ==>  -_(x)
            -1.size()  ==>  -1.size()
            2 - 1  ==>  _-_(2, 1)
            2 -1  ==>  _-_(2, 1)
            2--1  ==>  _-_(2, -1)
            -9223372036854775808  ==>  -9223372036854775808
            -0x8000000000000000  ==>  -9223372036854775808
            -.5  ==>  -0.5
        "#]],
    );
}

#[test]
fn whitespace_and_comments() {
    check_table(
        &[
            "a // comment\n+ b",
            "a\r\n+\rb\x0c+\tc",
            "// only a comment\n1",
            "1 // trailing",
        ],
        expect![[r#"
            a // comment\n+ b  ==>  _+_(a, b)
            a\r\n+\rb\u{c}+\tc  ==>  _+_(_+_(a, b), c)
            // only a comment\n1  ==>  1
            1 // trailing  ==>  1
        "#]],
    );
}

#[test]
fn optional_syntax_can_be_disabled() {
    let options = ParseOptions {
        optional_syntax: false,
        ..ParseOptions::default()
    };
    check_parse_with(
        "a.?b + c[?d] + [?e].size() + {?f: g}.size()",
        &options,
        expect![[r#"
            ERROR: <input>:1:3: unsupported syntax '.?': optional syntax is disabled
             | a.?b + c[?d] + [?e].size() + {?f: g}.size()
             | ..^
            ERROR: <input>:1:10: unsupported syntax '[?': optional syntax is disabled
             | a.?b + c[?d] + [?e].size() + {?f: g}.size()
             | .........^
            ERROR: <input>:1:17: unsupported syntax '?': optional syntax is disabled
             | a.?b + c[?d] + [?e].size() + {?f: g}.size()
             | ................^
            ERROR: <input>:1:31: unsupported syntax '?': optional syntax is disabled
             | a.?b + c[?d] + [?e].size() + {?f: g}.size()
             | ..............................^"#]],
    );
}

#[test]
fn ids_are_dense_and_spans_cover_nodes() {
    let ast = parse_ok("f(a, b.c) + [1, -2][0]");
    assert_eq!(ast.spans.len(), ast.id_bound() as usize);
    let mut seen = Vec::new();
    collect_ids(&ast.expr, &mut seen);
    seen.sort();
    let expected: Vec<ExprId> = (1..ast.id_bound()).map(ExprId).collect();
    assert_eq!(seen, expected);
    let slices: Vec<&str> = (1..ast.id_bound())
        .map(|i| ast.source.slice(ast.span(ExprId(i))))
        .collect();
    expect![[r#"
        [
            "a",
            "b",
            "b.c",
            "f(a, b.c)",
            "1",
            "-2",
            "[1, -2]",
            "0",
            "[1, -2][0]",
            "f(a, b.c) + [1, -2][0]",
        ]
    "#]]
    .assert_debug_eq(&slices);
    assert_eq!(ast.span(ast.expr.id), Span::new(0, 22));
}

fn collect_ids(expr: &celd_syntax::Expr, out: &mut Vec<ExprId>) {
    out.push(expr.id);
    match &expr.kind {
        celd_syntax::ExprKind::Map(map) => out.extend(map.entries.iter().map(|e| e.id)),
        celd_syntax::ExprKind::Struct(s) => out.extend(s.fields.iter().map(|f| f.id)),
        _ => {}
    }
    for child in expr.children() {
        collect_ids(child, out);
    }
}

#[test]
fn entry_and_field_ids_have_spans() {
    let ast = parse_ok("{'k': v}.size() + Msg{f: 1}.f");
    let mut ids = Vec::new();
    collect_ids(&ast.expr, &mut ids);
    let texts: Vec<&str> = ids
        .iter()
        .map(|&id| ast.source.slice(ast.span(id)))
        .collect();
    expect![[r#"
        [
            "{'k': v}.size() + Msg{f: 1}.f",
            "{'k': v}.size()",
            "{'k': v}",
            "'k': v",
            "'k'",
            "v",
            "Msg{f: 1}.f",
            "Msg{f: 1}",
            "f: 1",
            "1",
        ]
    "#]]
    .assert_debug_eq(&texts);
}

#[test]
fn smoke() {
    check_parse("x + 12345", expect!["_+_(x, 12345)"]);
}
