//! Optional values: constructors, accessors, optional selection and indexing, list helpers.

use super::ext_support::{check_all, check_unchecked};

#[test]
fn constructors() {
    check_all(&[
        ("optional.of(1)", "optional.of(1)"),
        ("optional.of(null)", "optional.of(null)"),
        ("optional.none()", "optional.none()"),
        ("optional.ofNonZeroValue(1)", "optional.of(1)"),
        ("optional.ofNonZeroValue([0])", "optional.of([0])"),
        ("optional.ofNonZeroValue(' ')", "optional.of(\" \")"),
        ("optional.ofNonZeroValue(0)", "optional.none()"),
        ("optional.ofNonZeroValue(0u)", "optional.none()"),
        ("optional.ofNonZeroValue(-0.0)", "optional.none()"),
        ("optional.ofNonZeroValue(false)", "optional.none()"),
        ("optional.ofNonZeroValue('')", "optional.none()"),
        ("optional.ofNonZeroValue(b'')", "optional.none()"),
        ("optional.ofNonZeroValue([])", "optional.none()"),
        ("optional.ofNonZeroValue({})", "optional.none()"),
        ("optional.ofNonZeroValue(null)", "optional.none()"),
        ("optional.ofNonZeroValue(duration('0s'))", "optional.none()"),
        ("optional.ofNonZeroValue(timestamp(0))", "optional.none()"),
        (
            "optional.ofNonZeroValue(timestamp(1))",
            "optional.of(timestamp(\"1970-01-01T00:00:01Z\"))",
        ),
        ("optional.ofNonZeroValue(int)", "optional.of(int)"),
        (
            "optional.of(optional.none())",
            "optional.of(optional.none())",
        ),
        ("optional.none() == optional.none()", "true"),
        ("optional.of(1) == optional.of(dyn(1u))", "true"),
        ("optional.of(1) != optional.none()", "true"),
    ]);
}

#[test]
fn has_value_and_value() {
    check_all(&[
        ("optional.of(1).hasValue()", "true"),
        ("optional.of(null).hasValue()", "true"),
        ("optional.none().hasValue()", "false"),
        ("optional.of('a').value()", "\"a\""),
        (
            "optional.none().value()",
            "error: optional.none() dereference",
        ),
        (
            "dyn(1).hasValue()",
            "error: no such overload: hasValue(int)",
        ),
        ("dyn(1).value()", "error: no such overload: value(int)"),
    ]);
}

#[test]
fn or_and_or_value() {
    check_all(&[
        ("optional.of(1).or(optional.of(2))", "optional.of(1)"),
        ("optional.none().or(optional.of(2))", "optional.of(2)"),
        ("optional.none().or(optional.none())", "optional.none()"),
        (
            "optional.ofNonZeroValue(42).or(optional.of(20)).value() == 42",
            "true",
        ),
        ("optional.of(1).orValue(2)", "1"),
        ("optional.none().orValue(2)", "2"),
        (
            "{'c': {}}.c[?'missing'].orValue('default value')",
            "\"default value\"",
        ),
        (
            "dyn(1).or(optional.none())",
            "error: no such overload: or(int, optional_type)",
        ),
        (
            "optional.none().or(dyn(1))",
            "error: no such overload: or(optional_type, int)",
        ),
        (
            "dyn(1).orValue(2)",
            "error: no such overload: orValue(int, int)",
        ),
    ]);
}

#[test]
fn optional_selection() {
    check_all(&[
        ("{'a': 1}.?a", "optional.of(1)"),
        ("{'a': 1}.?b", "optional.none()"),
        ("{'null_key': dyn(null)}.?null_key.hasValue()", "true"),
        ("optional.of({'a': 1}).?a", "optional.of(1)"),
        ("optional.of({'a': 1}).?b", "optional.none()"),
        ("optional.none().?a", "optional.none()"),
        (
            "{'key': {'sub': 'v'}}.?key.optFlatMap(k, k.?sub).value()",
            "\"v\"",
        ),
        ("{'key': {}}.?key.optFlatMap(k, k.?sub).hasValue()", "false"),
        ("{}.?key.optFlatMap(k, k.?sub).hasValue()", "false"),
        ("dyn(1).?a", "error: no such field: a (a int has no fields)"),
    ]);
}

#[test]
fn optional_indexing() {
    check_all(&[
        ("[1, 2][?1]", "optional.of(2)"),
        ("[1, 2][?2]", "optional.none()"),
        ("[1, 2][?-1]", "optional.none()"),
        ("[][?0].hasValue()", "false"),
        ("['foo'][?0].value()", "\"foo\""),
        ("{'a': 1}[?'a']", "optional.of(1)"),
        ("{'a': 1}[?'b']", "optional.none()"),
        ("{true: 1, 2: 2, 5u: 3}[?true].value()", "1"),
        ("{1u: 1.0, 2: 2.0, 3u: 3.0}[?3.0].value()", "3.0"),
        ("{1u: 1.0, 2: 2.0, 3u: 3.0}[?1].value()", "1.0"),
        ("optional.of([])[?0].hasValue()", "false"),
        ("optional.of(['foo'])[?0].value()", "\"foo\""),
        ("optional.none()[?0]", "optional.none()"),
        ("optional.of([1])[0]", "optional.of(1)"),
        ("optional.of([1])[1]", "optional.none()"),
        ("optional.of({'a': 1})['a']", "optional.of(1)"),
        ("optional.none()[0]", "optional.none()"),
        ("[1, 2][1]", "2"),
        ("[1, 2][2]", "error: index out of range: 2 (size 2)"),
        ("{'a': 1}['b']", "error: no such key: \"b\""),
        (
            "dyn('ab')[?0]",
            "error: no such overload: _[?_](string, int)",
        ),
    ]);
}

#[test]
fn field_selection_on_optionals_chains() {
    check_all(&[
        ("optional.of({'c': {}}).c", "optional.of({})"),
        ("optional.of({'c': {}}).c.missing", "optional.none()"),
        ("optional.none().c", "optional.none()"),
        ("{'x': {'y': 1}}.?x.y", "optional.of(1)"),
        ("{'x': {'y': 1}}.?x.z.orValue(7)", "7"),
        ("has(optional.of({'c': 1}).c)", "true"),
        ("has(optional.of({'c': 1}).d)", "false"),
        ("has(optional.none().d)", "false"),
        (
            "dyn(optional.of(1)).c",
            "error: no such field: c (a int has no fields)",
        ),
    ]);
}

#[test]
fn opt_map() {
    check_all(&[
        ("optional.of(42).optMap(y, y + 1)", "optional.of(43)"),
        ("optional.none().optMap(y, y + 1)", "optional.none()"),
        (
            "optional.of(42).optFlatMap(y, optional.none())",
            "optional.none()",
        ),
    ]);
}

#[test]
fn first_and_last() {
    check_all(&[
        ("[1, 2, 3].first()", "optional.of(1)"),
        ("[1, 2, 3].last()", "optional.of(3)"),
        ("[].first()", "optional.none()"),
        ("[].last()", "optional.none()"),
        (
            "dyn('abc').first()",
            "error: no such overload: first(string)",
        ),
        ("dyn({}).last()", "error: no such overload: last(map)"),
    ]);
}

#[test]
fn unwrap() {
    check_all(&[
        (
            "optional.unwrap([optional.of(1), optional.none(), optional.of(3)])",
            "[1, 3]",
        ),
        ("optional.unwrap([])", "[]"),
        ("[optional.none(), optional.of('a')].unwrapOpt()", "[\"a\"]"),
        (
            "optional.unwrap(dyn([1]))",
            "error: value 1 is not optional",
        ),
        (
            "dyn([optional.of(1), 'a']).unwrapOpt()",
            "error: value \"a\" is not optional",
        ),
        (
            "optional.unwrap(dyn(1))",
            "error: no such overload: optional.unwrap(int)",
        ),
    ]);
}

#[test]
fn wrong_types_fail_at_run_time_unchecked() {
    check_unchecked(&[
        ("1.hasValue()", "error: no such overload: hasValue(int)"),
        ("[1][?'a']", "error: no such overload: _[_](list, string)"),
        ("[1][?1.5]", "error: invalid list index 1.5: not an integer"),
        ("optional.unwrap([1])", "error: value 1 is not optional"),
        ("'a'.first()", "error: no such overload: first(string)"),
    ]);
}
