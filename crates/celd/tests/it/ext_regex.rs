//! The regex extension: replace (with group references and counts), extract, extractAll.

use super::ext_support::{check_all, check_unchecked};

#[test]
fn replace() {
    check_all(&[
        (
            "regex.replace('hello world hello', 'hello', 'hi')",
            r#""hi world hi""#,
        ),
        ("regex.replace('banana', 'a', 'x', 0)", r#""banana""#),
        ("regex.replace('banana', 'a', 'x', 1)", r#""bxnana""#),
        ("regex.replace('banana', 'a', 'x', 2)", r#""bxnxna""#),
        ("regex.replace('banana', 'a', 'x', 100)", r#""bxnxnx""#),
        ("regex.replace('banana', 'a', 'x', -12)", r#""bxnxnx""#),
        (
            "regex.replace('foo bar', '(fo)o (ba)r', r'\\2 \\1')",
            r#""ba fo""#,
        ),
        (
            "regex.replace('foo bar', '(fo)o (ba)r', r'[\\0]')",
            r#""[foo bar]""#,
        ),
        ("regex.replace('abc', 'b', r'x\\\\y')", r#""ax\\yc""#),
        ("regex.replace('ac', 'a(b)?c', r'[\\1]')", r#""[]""#),
        ("regex.replace('abc', '', '-')", r#""-a-b-c-""#),
        ("regex.replace('aé', 'é', 'e')", r#""ae""#),
        ("regex.replace('baaac', 'a*', '-')", r#""-b-c-""#),
        ("regex.extractAll('baaac', 'a*')", r#"["", "aaa", ""]"#),
        ("regex.replace('abc', 'z', r'\\9')", r#""abc""#),
        ("regex.replace('(', '(', 'x', 0)", r#""(""#),
        (
            "regex.replace('test', '(.)', r'\\2')",
            "error: replacement string references group 2 but regex has only 1 group(s)",
        ),
        (
            "regex.replace('id=123', r'id=(?P<value>\\d+)', r'value: \\values')",
            r"error: invalid replacement string: 'value: \values' \ must be followed by a digit or \",
        ),
        (
            "regex.replace('abc', 'b', 'x\\\\')",
            r"error: invalid replacement string: 'x\' \ not allowed at end",
        ),
        (
            "regex.replace(dyn(1), 'a', 'b')",
            "error: no such overload: regex.replace(int, string, string)",
        ),
        (
            "regex.replace('a', 'a', 'b', dyn(1u))",
            "error: no such overload: regex.replace(string, string, string, uint)",
        ),
    ]);
}

#[test]
fn extract() {
    check_all(&[
        (
            "regex.extract('hello world', 'hello(.*)')",
            r#"optional.of(" world")"#,
        ),
        (
            "regex.extract('item-A, item-B', r'item-(\\w+)')",
            r#"optional.of("A")"#,
        ),
        ("regex.extract('abc', 'b')", r#"optional.of("b")"#),
        ("regex.extract('HELLO', 'hello')", "optional.none()"),
        ("regex.extract('ac', 'a(b)?c')", "optional.none()"),
        ("regex.extract('', '')", r#"optional.of("")"#),
        ("regex.extract('abc', '(?:a)(b)')", r#"optional.of("b")"#),
        (
            "regex.extract('testuser@testdomain', '(.*)@([^.]*)')",
            r#"error: regular expression has more than one capturing group: "(.*)@([^.]*)""#,
        ),
        (
            "regex.extract('a', dyn(1))",
            "error: no such overload: regex.extract(string, int)",
        ),
    ]);
}

#[test]
fn extract_all() {
    check_all(&[
        (
            "regex.extractAll('id:123, id:456', r'id:\\d+')",
            r#"["id:123", "id:456"]"#,
        ),
        (
            "regex.extractAll('id:123, id:456', r'id:(\\d+)')",
            r#"["123", "456"]"#,
        ),
        ("regex.extractAll('id:123, id:456', 'assa')", "[]"),
        (
            "regex.extractAll('a1 b c3', r'[a-c](\\d)?')",
            r#"["1", "3"]"#,
        ),
        (
            "regex.extractAll('testuser@testdomain', '(.*)@([^.]*)')",
            r#"error: regular expression has more than one capturing group: "(.*)@([^.]*)""#,
        ),
        (
            "regex.extractAll(dyn(b'a'), 'a')",
            "error: no such overload: regex.extractAll(bytes, string)",
        ),
    ]);
}

#[test]
fn wrong_types_fail_at_run_time_unchecked() {
    check_unchecked(&[
        (
            "regex.extract(1, 'a')",
            "error: no such overload: regex.extract(int, string)",
        ),
        (
            "regex.replace('a', 'a')",
            "error: no such overload: regex.replace(string, string)",
        ),
    ]);
}

/// A literal pattern that is not RE2 syntax fails to compile (the literal validation);
/// unchecked, it fails when it is used.
#[test]
fn invalid_literal_patterns() {
    check_unchecked(&[
        (
            "regex.replace('foo bar', '(', '$2 $1')",
            "error: invalid regular expression: unclosed group",
        ),
        (
            "regex.extract('a', '[')",
            "error: invalid regular expression: unclosed character class",
        ),
        (
            "regex.extractAll('a', 'a{2,1}')",
            "error: invalid regular expression: invalid repetition count range, the start must be <= the end",
        ),
        (
            "regex.replace('aaa', 'a++', 'b', 1)",
            "error: invalid regular expression: bad repetition operator: ++ (RE2 has no possessive or stacked repetitions; group the operand to repeat it)",
        ),
    ]);
}
