//! The printer: minimal parentheses, literal forms, macro calls as written, and round trips.

use expect_test::expect;
use proptest::prelude::*;

use crate::support::check_round_trip;

/// Prints one line per input: `input  ==>  printed`.
fn check_printed(inputs: &[&str], expect: expect_test::Expect) {
    let mut out = String::new();
    for input in inputs {
        match check_round_trip(input) {
            Ok(printed) => out.push_str(&format!("{input}  ==>  {printed}\n")),
            Err(problem) => out.push_str(&format!("{input}  FAILED  {problem}\n")),
        }
    }
    expect.assert_eq(&out);
}

#[test]
fn printed_forms() {
    check_printed(
        &[
            "a+b*c",
            "(a+b)*c",
            "a-(b-c)",
            "(a-b)-c",
            "a/(b*c)",
            "!(a&&b)",
            "-(a+b)",
            "-(1)",
            "-(1.5)",
            "-(1).size()",
            "-(1.f)",
            "--1",
            "-(-1)",
            "(-1).size()",
            "(-1)[0]",
            "a - -1",
            "(a ? b : c) ? d : e",
            "a ? b : (c ? d : e)",
            "a ? (b || c) : d",
            "(a || b) ? c : d",
            "(a && b) || (c && d)",
            "a && (b || c)",
            "a && (b && c)",
            "(a && b) && c",
            "((a && b) && c) && d",
            "(a && b) && (c && d)",
            "a && b && c && d && e",
            "x in [1, 2] == (y in z)",
            "{'a': [1.0, 2e10, 1e100, 5e-324, 0.1]}",
            "[1u, 0x10u, -0, 0x10]",
            "'tab\\tquote\"backslash\\\\'",
            "'\\x00\\x1f\\u007f é 😀'",
            "b'\\xff\\x00a\"'",
            "r'\\d+'",
            "'''multi\nline'''",
            "a.`b-c`.`in`.?`x y`",
            "M{`f-g`: 1, ?h: 2}",
            "has(a.b)",
            "has(a.`b-c`)",
            "l.map(x, x > 0, x * 2)",
            "cel.bind(a, 1, a + a)",
            "o.optMap(v, v + 1).orValue(0)",
            "cel.block([1], cel.index(0) + cel.iterVar(0, 1))",
            "m.transformMapEntry(k, v, {k: v})",
            "[[1].exists(x, x == 1)].all(y, y)",
            ".pkg.f(.x, y)",
            "math.greatest( 1 )",
            "math.least(a,b,c)",
            "-math.greatest([1, 2])",
            "l.sortBy(e, -e)",
            "(l + l).sortBy(e, e).size()",
            "proto.getExt(m, pkg . ext)",
            "!proto.hasExt(m.f, pkg.`ext`)",
        ],
        expect![[r#"
            a+b*c  ==>  a + b * c
            (a+b)*c  ==>  (a + b) * c
            a-(b-c)  ==>  a - (b - c)
            (a-b)-c  ==>  a - b - c
            a/(b*c)  ==>  a / (b * c)
            !(a&&b)  ==>  !(a && b)
            -(a+b)  ==>  -(a + b)
            -(1)  ==>  -(1)
            -(1.5)  ==>  -(1.5)
            -(1).size()  ==>  -(1.size())
            -(1.f)  ==>  -(1.f)
            --1  ==>  --1
            -(-1)  ==>  --1
            (-1).size()  ==>  (-1).size()
            (-1)[0]  ==>  (-1)[0]
            a - -1  ==>  a - -1
            (a ? b : c) ? d : e  ==>  (a ? b : c) ? d : e
            a ? b : (c ? d : e)  ==>  a ? b : c ? d : e
            a ? (b || c) : d  ==>  a ? b || c : d
            (a || b) ? c : d  ==>  a || b ? c : d
            (a && b) || (c && d)  ==>  a && b || c && d
            a && (b || c)  ==>  a && (b || c)
            a && (b && c)  ==>  a && (b && c)
            (a && b) && c  ==>  a && b && c
            ((a && b) && c) && d  ==>  (a && b && c) && d
            (a && b) && (c && d)  ==>  a && b && c && d
            a && b && c && d && e  ==>  a && b && c && d && e
            x in [1, 2] == (y in z)  ==>  x in [1, 2] == (y in z)
            {'a': [1.0, 2e10, 1e100, 5e-324, 0.1]}  ==>  {"a": [1.0, 20000000000.0, 1e100, 5e-324, 0.1]}
            [1u, 0x10u, -0, 0x10]  ==>  [1u, 16u, 0, 16]
            'tab\tquote"backslash\\'  ==>  "tab\tquote\"backslash\\"
            '\x00\x1f\u007f é 😀'  ==>  "\u0000\u001f\u007f é 😀"
            b'\xff\x00a"'  ==>  b"\xff\x00a\""
            r'\d+'  ==>  "\\d+"
            '''multi
            line'''  ==>  "multi\nline"
            a.`b-c`.`in`.?`x y`  ==>  a.`b-c`.`in`.?`x y`
            M{`f-g`: 1, ?h: 2}  ==>  M{`f-g`: 1, ?h: 2}
            has(a.b)  ==>  has(a.b)
            has(a.`b-c`)  ==>  has(a.`b-c`)
            l.map(x, x > 0, x * 2)  ==>  l.map(x, x > 0, x * 2)
            cel.bind(a, 1, a + a)  ==>  cel.bind(a, 1, a + a)
            o.optMap(v, v + 1).orValue(0)  ==>  o.optMap(v, v + 1).orValue(0)
            cel.block([1], cel.index(0) + cel.iterVar(0, 1))  ==>  cel.block([1], cel.index(0) + cel.iterVar(0, 1))
            m.transformMapEntry(k, v, {k: v})  ==>  m.transformMapEntry(k, v, {k: v})
            [[1].exists(x, x == 1)].all(y, y)  ==>  [[1].exists(x, x == 1)].all(y, y)
            .pkg.f(.x, y)  ==>  .pkg.f(.x, y)
            math.greatest( 1 )  ==>  math.greatest(1)
            math.least(a,b,c)  ==>  math.least(a, b, c)
            -math.greatest([1, 2])  ==>  -math.greatest([1, 2])
            l.sortBy(e, -e)  ==>  l.sortBy(e, -e)
            (l + l).sortBy(e, e).size()  ==>  (l + l).sortBy(e, e).size()
            proto.getExt(m, pkg . ext)  ==>  proto.getExt(m, pkg.ext)
            !proto.hasExt(m.f, pkg.`ext`)  ==>  !proto.hasExt(m.f, pkg.ext)
        "#]],
    );
}

/// Expressions of every kind; each must survive parse, print, parse unchanged.
const ROUND_TRIP: &[&str] = &[
    "1",
    "-1",
    "1u",
    "1.5",
    "-1.5",
    "-0.0",
    "0.1",
    "1e100",
    "1.7976931348623157e308",
    "5e-324",
    "-9223372036854775808",
    "9223372036854775807",
    "18446744073709551615u",
    "true",
    "false",
    "null",
    "'s'",
    "\"s\"",
    "''",
    "'\\''",
    "'\"'",
    "'\\\\'",
    "'\\a\\b\\f\\n\\r\\t\\v'",
    "'\\u2028\\u0085'",
    "'日本語'",
    "b''",
    "b'\\x80\\xfe'",
    "b'abc\\n'",
    "x",
    ".x",
    "a.b",
    ".a.b.c",
    "a.b.c.d",
    "f()",
    "f(x)",
    "f(x, y, z)",
    ".f(x)",
    "a.f()",
    "a.b.f(c)",
    "a[0]",
    "a[0][1]",
    "a['k'].f",
    "a[?0]",
    "a.?b",
    "a.?b.c",
    "a.?b[?c]",
    "[]",
    "[1]",
    "[1, 2, 3]",
    "[?a, b]",
    "[[1], [2, [3]]]",
    "{}",
    "{1: 2}",
    "{'a': 1, 'b': [2]}",
    "{?a: b}",
    "M{}",
    "M{f: 1}",
    "pkg.M{f: 1, g: 2}",
    ".pkg.M{?f: x}",
    "M{f: M{g: 1}}",
    "!a",
    "!!a",
    "-a",
    "--a",
    "-!a",
    "!-a",
    "a + b",
    "a - b",
    "a * b",
    "a / b",
    "a % b",
    "a + b + c",
    "a + (b + c)",
    "a - (b - c)",
    "a * (b + c)",
    "(a + b) * c",
    "a + b * c",
    "-a * b",
    "-(a * b)",
    "a < b",
    "a <= b",
    "a > b",
    "a >= b",
    "a == b",
    "a != b",
    "a in b",
    "a < b == (c < d)",
    "(a == b) == c",
    "a == (b == c)",
    "a && b",
    "a || b",
    "a && b && c",
    "a && (b && c)",
    "a || b || c || d",
    "a || (b || c) || d",
    "a && b || c",
    "a && (b || c)",
    "!(a && b)",
    "a ? b : c",
    "a ? b : c ? d : e",
    "(a ? b : c) ? d : e",
    "a ? (b ? c : d) : e",
    "a || b ? c && d : e || f",
    "-(1)",
    "-(1).f",
    "-((0).filter(v, a))",
    "-(1.0.map(x, x))",
    "(-1).f",
    "-1 + 1",
    "1 - -1",
    "-(-1)",
    "-(1u)",
    "size(x) > 0",
    "x.size() + 1",
    "has(a.b)",
    "has(a.b.c)",
    "!has(a.b)",
    "l.all(x, x > 0)",
    "l.exists(x, x == 1)",
    "l.exists_one(x, x)",
    "l.existsOne(x, x)",
    "l.map(x, x * 2)",
    "l.map(x, x > 1, x * 2)",
    "l.filter(x, x % 2 == 0)",
    "m.all(k, v, k < v)",
    "m.exists(k, v, v)",
    "m.existsOne(k, v, v)",
    "l.transformList(i, v, v + i)",
    "l.transformList(i, v, i > 0, v)",
    "m.transformMap(k, v, v)",
    "m.transformMap(k, v, v > 0, v * 2)",
    "m.transformMapEntry(k, v, {v: k})",
    "cel.bind(x, 1, x + 1)",
    "cel.bind(x, 1, cel.bind(y, x, x + y))",
    "o.optMap(x, x + 1)",
    "o.optFlatMap(x, optional.of(x))",
    "a.b.optMap(x, x).orValue(0)",
    "cel.block([1, cel.index(0)], cel.index(1))",
    "cel.iterVar(0, 1)",
    "cel.accuVar(1, 0)",
    "[1, 2].map(x, [x].map(y, y + x))",
    "l.all(x, l.exists(y, x == y)) && true",
    "(l.map(x, x)).size()",
    "l.map(x, x)[0]",
    "-l.map(x, x).size()",
    "a.`b-c`",
    "M{`a.b`: 1}",
    "timestamp('2023-01-01T00:00:00Z') - duration('1h')",
    "int(x) + uint(y)",
    "type(x) == int",
    "dyn(x)",
    "[a, b].exists(c, c in [d])",
    "math.greatest(1)",
    "math.greatest(-1.5)",
    "math.least(x)",
    "math.greatest([1, 2u, 3.0])",
    "math.least(a, b)",
    "math.greatest(a, 1u, -2.0, f(x))",
    "math.least(l.map(x, x))",
    "math.greatest(math.least(1, 2), 3) + 1",
    "l.sortBy(e, e)",
    "[3, 1].sortBy(e, -e)[0]",
    "a.b.sortBy(e, e.c).map(x, x.d)",
    "l.sortBy(e, l.sortBy(f, f)[0])",
    "proto.getExt(m, pkg.ext)",
    "proto.hasExt(m, cel.expr.conformance.proto2.int32_ext)",
    "proto.getExt(a.b, pkg.`ext-1`) + 1",
];

#[test]
fn round_trip_table() {
    assert!(ROUND_TRIP.len() >= 100);
    let failures: Vec<String> = ROUND_TRIP
        .iter()
        .filter_map(|text| check_round_trip(text).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Random expression text, built from the grammar with random parenthesization.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(vec!["a", "b", "x", ".pkg.y", "null", "true", "false"])
            .prop_map(String::from),
        any::<i64>().prop_map(|i| i.to_string()),
        any::<u64>().prop_map(|u| format!("{u}u")),
        any::<f64>()
            .prop_filter("finite", |d| d.is_finite())
            .prop_map(|d| format!("{d:?}")),
        string_literal(),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        let two = (inner.clone(), inner.clone());
        prop_oneof![
            (
                inner.clone(),
                binary_operator(),
                inner.clone(),
                any::<bool>()
            )
                .prop_map(|(a, op, b, paren)| if paren {
                    format!("({a}) {op} ({b})")
                } else {
                    format!("{a} {op} {b}")
                }),
            (prop::sample::select(vec!["!", "-"]), inner.clone())
                .prop_map(|(op, a)| format!("{op}({a})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a}) ? ({b}) : ({c})")),
            (inner.clone(), member()).prop_map(|(a, m)| format!("({a}){m}")),
            two.clone().prop_map(|(a, b)| format!("({a})[{b}]")),
            two.clone().prop_map(|(a, b)| format!("({a})[?{b}]")),
            two.clone().prop_map(|(a, b)| format!("({a}).f({b}, 1)")),
            two.clone().prop_map(|(a, b)| format!("g({a}, {b})")),
            two.clone().prop_map(|(a, b)| format!("[{a}, ?{b},]")),
            two.clone()
                .prop_map(|(a, b)| format!("{{{a}: {b}, ?'k': {b}}}")),
            two.clone()
                .prop_map(|(a, b)| format!("pkg.M{{f: {a}, ?`g-h`: {b}}}")),
            two.clone().prop_map(|(a, b)| format!("({a}).all(v, {b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a}).map(v, {b}, {c})")),
            two.clone()
                .prop_map(|(a, b)| format!("({a}).filter(v, {b})")),
            two.clone()
                .prop_map(|(a, b)| format!("cel.bind(v, {a}, {b})")),
            two.clone()
                .prop_map(|(a, b)| format!("({a}).optMap(v, {b})")),
            two.clone()
                .prop_map(|(a, b)| format!("({a}).transformMap(k, v, {b})")),
            inner.clone().prop_map(|a| format!("has(({a}).f)")),
            two.clone()
                .prop_map(|(a, b)| format!("math.greatest(({a}).f, size({b}))")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("math.least(-({a}), ({b}).g, f({c}))")),
            two.clone()
                .prop_map(|(a, b)| format!("[{a}].sortBy(v, {b})")),
            inner
                .clone()
                .prop_map(|a| format!("proto.hasExt(({a}).f, pkg.ext)")),
        ]
    })
}

fn binary_operator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "||", "&&", "<", "<=", ">", ">=", "==", "!=", "in", "+", "-", "*", "/", "%",
    ])
}

fn member() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![".f", ".?f", ".`f-g`", ".while", ".size()", ".?`in`"])
}

fn string_literal() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "a", " ", "é", "😀", "\\n", "\\t", "\\\\", "\\'", "\\\"", "\\x41", "\\101", "\\u00e9",
        "\\?", "\\`", "\\a", "\\v",
    ]);
    let pieces = prop::collection::vec(piece, 0..6);
    // `\U` escapes are valid in strings only.
    let long_escape = prop::sample::select(vec!["", "\\U0001F600"]);
    prop_oneof![
        (pieces.clone(), long_escape).prop_map(|(p, u)| format!("'{}{u}'", p.concat())),
        pieces.prop_map(|p| format!("b'{}'", p.concat())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_expressions_round_trip(text in expression()) {
        if let Err(problem) = check_round_trip(&text) {
            prop_assert!(false, "{}", problem);
        }
    }

    #[test]
    fn random_text_never_panics(text in "[ -~\\n\\t\\u{0}é😀]{0,64}") {
        let _ = crate::support::parse_default(&text);
    }

    #[test]
    fn random_token_soup_never_panics(
        tokens in prop::collection::vec(
            prop::sample::select(vec![
                "a", "1", "1u", "1.5", "'s'", "b'b'", "(", ")", "[", "]", "{", "}", ".", ",",
                ":", "?", "!", "-", "+", "*", "&&", "||", "==", "in", "has", "map", "all",
                "cel", "bind", "x", "`f`", "r'", "'''", "\\", "@",
            ]),
            0..40,
        )
    ) {
        let _ = crate::support::parse_default(&tokens.join(" "));
        let _ = crate::support::parse_default(&tokens.concat());
    }
}
