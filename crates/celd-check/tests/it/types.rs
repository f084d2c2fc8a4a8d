//! Deduced types of standard-library expressions.

use crate::support::{check_table, check_type, env};

const DECLS: &[(&str, &str)] = &[
    ("i", "int"),
    ("u", "uint"),
    ("d", "double"),
    ("s", "string"),
    ("b", "bytes"),
    ("t", "google.protobuf.Timestamp"),
    ("dur", "google.protobuf.Duration"),
    ("flag", "bool"),
    ("x", "dyn"),
    ("li", "list(int)"),
    ("ls", "list(string)"),
    ("ll", "list(list(int))"),
    ("m", "map(string, int)"),
    ("md", "map(string, dyn)"),
    ("mi", "map(int, list(string))"),
    ("wi", "google.protobuf.Int64Value"),
    ("ws", "google.protobuf.StringValue"),
    ("any", "google.protobuf.Any"),
    ("st", "google.protobuf.Struct"),
    ("val", "google.protobuf.Value"),
    ("lv", "google.protobuf.ListValue"),
    ("a.b.c", "string"),
];

const LITERALS: &[(&str, &str)] = &[
    ("1", "int"),
    ("-1", "int"),
    ("1u", "uint"),
    ("1.5", "double"),
    ("1e3", "double"),
    ("'s'", "string"),
    ("\"s\"", "string"),
    ("r'raw'", "string"),
    ("b'bytes'", "bytes"),
    ("true", "bool"),
    ("false", "bool"),
    ("null", "null_type"),
    ("[]", "list(dyn)"),
    ("{}", "map(dyn, dyn)"),
    ("[1, 2, 3]", "list(int)"),
    ("[1, 'a']", "list(dyn)"),
    ("[[1], [2]]", "list(list(int))"),
    ("[[1], []]", "list(list(int))"),
    ("[[], [1]]", "list(list(int))"),
    ("{'a': 1}", "map(string, int)"),
    ("{'a': 1, 'b': 'c'}", "map(string, dyn)"),
    ("{1: 'a', 2u: 'b'}", "map(dyn, string)"),
    ("{'k': [1]}", "map(string, list(int))"),
    ("[null, null]", "list(null_type)"),
    ("[1, null]", "list(dyn)"),
    ("[x, 1]", "list(dyn)"),
    ("[1, x]", "list(dyn)"),
];

const ARITHMETIC: &[(&str, &str)] = &[
    ("1 + 2", "int"),
    ("i + i", "int"),
    ("u + 1u", "uint"),
    ("d + 1.0", "double"),
    ("s + 'x'", "string"),
    ("b + b'x'", "bytes"),
    ("li + [1]", "list(int)"),
    ("li + []", "list(int)"),
    ("[] + li", "list(int)"),
    ("[] + []", "list(dyn)"),
    ("ls + ls", "list(string)"),
    ("t + dur", "google.protobuf.Timestamp"),
    ("dur + t", "google.protobuf.Timestamp"),
    ("dur + dur", "google.protobuf.Duration"),
    ("t - t", "google.protobuf.Duration"),
    ("t - dur", "google.protobuf.Timestamp"),
    ("dur - dur", "google.protobuf.Duration"),
    ("i - 1", "int"),
    ("u - 1u", "uint"),
    ("d - 1.0", "double"),
    ("i * 2", "int"),
    ("u * 2u", "uint"),
    ("d * 2.0", "double"),
    ("i / 2", "int"),
    ("u / 2u", "uint"),
    ("d / 2.0", "double"),
    ("i % 2", "int"),
    ("u % 2u", "uint"),
    ("-i", "int"),
    ("-d", "double"),
    ("--i", "int"),
    ("x + 1", "int"),
    ("1 + x", "int"),
    ("x + x", "dyn"),
    ("x * 2.0", "double"),
    ("x - x", "dyn"),
    ("-x", "dyn"),
    ("wi + 1", "int"),
    ("wi * wi", "int"),
    ("(i + 1) * (i - 1) / 2 % 3", "int"),
];

const LOGIC_AND_COMPARISON: &[(&str, &str)] = &[
    ("true && false", "bool"),
    ("flag || false", "bool"),
    ("!flag", "bool"),
    ("!!flag", "bool"),
    ("x && flag", "bool"),
    ("x || x", "bool"),
    ("!x", "bool"),
    ("flag ? 1 : 2", "int"),
    ("flag ? 'a' : 'b'", "string"),
    (
        "flag ? 1 : 'a'",
        "ERROR ERROR: <input>:1:6: found no matching overload for '_?_:_' applied to '(bool, int, string)'\n | flag ? 1 : 'a'\n | .....^",
    ),
    ("flag ? x : 1", "dyn"),
    ("flag ? 1 : x", "dyn"),
    ("flag ? null : wi", "wrapper(int)"),
    ("flag ? [] : [1]", "list(int)"),
    ("flag ? {} : {'a': 1}", "map(string, int)"),
    ("x ? 1 : 2", "int"),
    ("1 == 1", "bool"),
    ("i != 2", "bool"),
    ("s == 'a'", "bool"),
    ("li == [1]", "bool"),
    ("m == {}", "bool"),
    ("x == 1", "bool"),
    ("null == null", "bool"),
    ("wi == null", "bool"),
    ("null == wi", "bool"),
    ("wi == 1", "bool"),
    ("any == 1", "bool"),
    ("t == t", "bool"),
    ("i < 2", "bool"),
    ("i < 2u", "bool"),
    ("i < 2.0", "bool"),
    ("u < 2", "bool"),
    ("u <= 2.0", "bool"),
    ("d > 2", "bool"),
    ("d >= 2u", "bool"),
    ("s < 'b'", "bool"),
    ("b <= b'b'", "bool"),
    ("flag < true", "bool"),
    ("t > t", "bool"),
    ("dur >= dur", "bool"),
    ("x < 1", "bool"),
    ("x > x", "bool"),
    ("1 < 2 && 2.0 > 1u", "bool"),
];

const INDEX_AND_MEMBERSHIP: &[(&str, &str)] = &[
    ("li[0]", "int"),
    ("ll[0]", "list(int)"),
    ("ll[0][1]", "int"),
    ("m['a']", "int"),
    ("mi[1]", "list(string)"),
    ("mi[1][0]", "string"),
    ("md['a']", "dyn"),
    ("md['a']['b']", "dyn"),
    ("x[0]", "dyn"),
    ("x['k']", "dyn"),
    ("li[x]", "int"),
    ("[1, 2][0]", "int"),
    ("{'a': true}['a']", "bool"),
    ("st['k']", "dyn"),
    ("lv[0]", "dyn"),
    ("1 in li", "bool"),
    ("'a' in m", "bool"),
    ("x in li", "bool"),
    ("1 in x", "bool"),
    ("'a' in ['a', 'b']", "bool"),
    ("m.a", "int"),
    ("md.a.b", "dyn"),
    ("x.field", "dyn"),
    ("x.f.g.h", "dyn"),
    ("st.field", "dyn"),
    ("has(m.a)", "bool"),
    ("has(x.f)", "bool"),
    ("has(md.a.b)", "bool"),
];

const FUNCTIONS: &[(&str, &str)] = &[
    ("size(s)", "int"),
    ("size(b)", "int"),
    ("size(li)", "int"),
    ("size(m)", "int"),
    ("s.size()", "int"),
    ("li.size()", "int"),
    ("m.size()", "int"),
    ("b.size()", "int"),
    ("size(x)", "int"),
    ("x.size()", "int"),
    ("s.contains('a')", "bool"),
    ("s.startsWith('a')", "bool"),
    ("s.endsWith('a')", "bool"),
    ("s.matches('a+')", "bool"),
    ("matches(s, 'a+')", "bool"),
    ("x.startsWith('a')", "bool"),
    ("int('1')", "int"),
    ("int(1u)", "int"),
    ("int(1.5)", "int"),
    ("int(t)", "int"),
    ("int(dur)", "int"),
    ("int(x)", "int"),
    ("uint(1)", "uint"),
    ("uint(1.5)", "uint"),
    ("uint('1')", "uint"),
    ("double(1)", "double"),
    ("double(1u)", "double"),
    ("double('1.5')", "double"),
    ("string(1)", "string"),
    ("string(1u)", "string"),
    ("string(1.5)", "string"),
    ("string(true)", "string"),
    ("string(b)", "string"),
    ("string(t)", "string"),
    ("string(dur)", "string"),
    ("string(s)", "string"),
    ("bytes('a')", "bytes"),
    ("bytes(b)", "bytes"),
    ("bool('true')", "bool"),
    ("bool(flag)", "bool"),
    ("dyn(1)", "dyn"),
    ("dyn([1])", "dyn"),
    (
        "timestamp('2024-01-01T00:00:00Z')",
        "google.protobuf.Timestamp",
    ),
    ("timestamp(0)", "google.protobuf.Timestamp"),
    ("timestamp(t)", "google.protobuf.Timestamp"),
    ("duration('1s')", "google.protobuf.Duration"),
    ("duration(dur)", "google.protobuf.Duration"),
    ("type(1)", "type(int)"),
    ("type(s)", "type(string)"),
    ("type(li)", "type(list(int))"),
    ("type(x)", "type(dyn)"),
    ("type(null)", "type(null_type)"),
    ("type(1) == int", "bool"),
    ("type(type(1))", "type(type(int))"),
    ("int", "type(int)"),
    ("uint", "type(uint)"),
    ("string", "type(string)"),
    ("bool", "type(bool)"),
    ("bytes", "type(bytes)"),
    ("double", "type(double)"),
    ("null_type", "type(null_type)"),
    ("list", "type(list(dyn))"),
    ("map", "type(map(dyn, dyn))"),
    ("type", "type(type)"),
    (
        "google.protobuf.Timestamp",
        "type(google.protobuf.Timestamp)",
    ),
    ("google.protobuf.Duration", "type(google.protobuf.Duration)"),
    ("t.getFullYear()", "int"),
    ("t.getFullYear('America/New_York')", "int"),
    ("t.getMonth()", "int"),
    ("t.getMonth('UTC')", "int"),
    ("t.getDayOfYear()", "int"),
    ("t.getDayOfMonth()", "int"),
    ("t.getDate()", "int"),
    ("t.getDate('+01:00')", "int"),
    ("t.getDayOfWeek()", "int"),
    ("t.getHours()", "int"),
    ("t.getHours('UTC')", "int"),
    ("t.getMinutes()", "int"),
    ("t.getSeconds()", "int"),
    ("t.getSeconds('UTC')", "int"),
    ("t.getMilliseconds()", "int"),
    ("dur.getHours()", "int"),
    ("dur.getMinutes()", "int"),
    ("dur.getSeconds()", "int"),
    ("dur.getMilliseconds()", "int"),
    ("x.getHours()", "int"),
    ("a.b.c", "string"),
    ("a.b.c + 'x'", "string"),
    (".a.b.c", "string"),
    ("a.b.c.size()", "int"),
];

const MACROS: &[(&str, &str)] = &[
    ("li.all(e, e > 0)", "bool"),
    ("li.exists(e, e > 0)", "bool"),
    ("li.exists_one(e, e > 0)", "bool"),
    ("li.map(e, e * 2)", "list(int)"),
    ("li.map(e, string(e))", "list(string)"),
    ("li.map(e, e > 0, double(e) * 2.0)", "list(double)"),
    ("li.filter(e, e > 0)", "list(int)"),
    ("m.all(k, k.startsWith('a'))", "bool"),
    ("m.map(k, m[k])", "list(int)"),
    ("m.filter(k, k != '')", "list(string)"),
    ("x.all(e, e)", "bool"),
    ("x.map(e, e)", "list(dyn)"),
    ("[].map(e, e)", "list(dyn)"),
    ("[1, 2].map(e, [e])", "list(list(int))"),
    ("ll.map(l, l.map(e, e + 1))", "list(list(int))"),
    ("ll.exists(l, l.all(e, e > i))", "bool"),
    ("mi.map(k, mi[k].size())", "list(int)"),
    ("li.map(i, i)", "list(int)"),
    ("ls.map(i, i)", "list(string)"),
    ("li.all(i, i > 0) && i > 0", "bool"),
    ("cel.bind(v, 1, v + 1)", "int"),
    ("cel.bind(v, 'a', v + 'b')", "string"),
    ("cel.bind(v, li, v.map(e, e * 2))", "list(int)"),
    ("cel.bind(a, 1, cel.bind(b, 2.0, double(a) + b))", "double"),
    ("li.all(k, v, k < v)", "bool"),
    ("li.exists(k, v, k == 0 && v > 1)", "bool"),
    ("m.all(k, v, k != '' && v > 0)", "bool"),
    ("li.transformList(k, v, v * k)", "list(int)"),
    ("li.transformList(k, v, k > 0, string(v))", "list(string)"),
];

#[test]
fn smoke() {
    check_type(
        "x + y * z",
        &[("x", "int"), ("y", "int"), ("z", "int")],
        "int",
    );
}

#[test]
fn literals() {
    check_table(&env(DECLS, ""), LITERALS);
}

#[test]
fn arithmetic() {
    check_table(&env(DECLS, ""), ARITHMETIC);
}

#[test]
fn logic_and_comparison() {
    check_table(&env(DECLS, ""), LOGIC_AND_COMPARISON);
}

#[test]
fn index_and_membership() {
    check_table(&env(DECLS, ""), INDEX_AND_MEMBERSHIP);
}

#[test]
fn functions_and_conversions() {
    check_table(&env(DECLS, ""), FUNCTIONS);
}

#[test]
fn macros() {
    check_table(&env(DECLS, ""), MACROS);
}

#[test]
fn table_is_large() {
    let n = LITERALS.len()
        + ARITHMETIC.len()
        + LOGIC_AND_COMPARISON.len()
        + INDEX_AND_MEMBERSHIP.len()
        + FUNCTIONS.len()
        + MACROS.len();
    assert!(n >= 150, "only {n} typed expressions");
}
