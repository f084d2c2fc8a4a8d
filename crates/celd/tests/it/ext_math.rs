//! The math extension: every function, its successes and its errors.

use super::ext_support::{check_all, check_unchecked};

/// `math.greatest`/`math.least` are macros expanding to `math.@max`/`math.@min`; arguments
/// that cannot be numbers are parse errors.
#[test]
fn greatest_and_least() {
    check_all(&[
        ("math.greatest(-5)", "-5"),
        ("math.greatest(5.0)", "5.0"),
        ("math.greatest(3, -3)", "3"),
        (
            "math.greatest(1, 9223372036854775807)",
            "9223372036854775807",
        ),
        ("math.greatest(-9223372036854775808, 1)", "1"),
        ("math.greatest(1, 1.0)", "1"),
        ("math.greatest(1.0, 1)", "1.0"),
        ("math.greatest(5u, -7)", "5u"),
        ("math.greatest(-3, 3u)", "3u"),
        ("math.greatest(1, 1.797693e308)", "1.797693e308"),
        (
            "math.greatest(5.4, 10, 3u, -5.0, 18446744073709551615u)",
            "18446744073709551615u",
        ),
        ("math.greatest([5.4, 10, 3u, -5.0, 3.5])", "10"),
        ("math.greatest([dyn(5.4), dyn(10u), dyn(3u)])", "10u"),
        ("math.greatest(double('NaN'), 1)", "double(\"NaN\")"),
        ("math.least(-5)", "-5"),
        ("math.least(1, 1u)", "1"),
        ("math.least(1u, 1)", "1u"),
        ("math.least(9223372036854775807, 1)", "1"),
        ("math.least(5.4, 10, 3u, -5.0, 9223372036854775807)", "-5.0"),
        ("math.least([5.4, 10u, 3u, 1u, 3.5])", "1u"),
        ("math.least(1.5, -1.797693e308)", "-1.797693e308"),
        ("math.greatest(l)", "3"),
        ("math.least(i, l[0], 2u)", "2u"),
        (
            "math.greatest([])",
            "error: math.greatest() invalid single argument value",
        ),
        (
            "math.least([])",
            "error: math.least() invalid single argument value",
        ),
        (
            "math.greatest()",
            "error: math.greatest() requires at least one argument",
        ),
        (
            "math.greatest('a')",
            "error: math.greatest() invalid single argument value",
        ),
        (
            "math.greatest(1, 'a')",
            "error: math.greatest() simple literal arguments must be numeric",
        ),
        (
            "math.least([1, 'a'])",
            "error: math.least() invalid single argument value",
        ),
    ]);
}

#[test]
fn rounding() {
    check_all(&[
        ("math.ceil(1.2)", "2.0"),
        ("math.ceil(-1.2)", "-1.0"),
        ("math.floor(-1.2)", "-2.0"),
        ("math.floor(1.2)", "1.0"),
        ("math.round(-1.6)", "-2.0"),
        ("math.round(-1.4)", "-1.0"),
        ("math.round(-1.5)", "-2.0"),
        ("math.round(2.5)", "3.0"),
        ("math.round(1.2)", "1.0"),
        ("math.isNaN(math.round(0.0/0.0))", "true"),
        ("math.trunc(-1.2)", "-1.0"),
        ("math.trunc(1.9)", "1.0"),
        (
            "math.ceil(dyn(1))",
            "error: no such overload: math.ceil(int)",
        ),
        (
            "math.round(dyn(1))",
            "error: no such overload: math.round(int)",
        ),
        (
            "math.trunc(dyn(1u))",
            "error: no such overload: math.trunc(uint)",
        ),
        (
            "math.floor(dyn('1'))",
            "error: no such overload: math.floor(string)",
        ),
    ]);
}

#[test]
fn floating_point_tests() {
    check_all(&[
        ("math.isNaN(0.0/0.0)", "true"),
        ("math.isNaN(1.0/0.0)", "false"),
        ("math.isInf(1.0/0.0)", "true"),
        ("math.isInf(-1.0/0.0)", "true"),
        ("math.isInf(0.0/0.0)", "false"),
        ("math.isFinite(1.0/1.5)", "true"),
        ("math.isFinite(0.0/0.0)", "false"),
        ("math.isFinite(1.0/0.0)", "false"),
        (
            "math.isNaN(dyn(true))",
            "error: no such overload: math.isNaN(bool)",
        ),
        (
            "math.isInf(dyn(1))",
            "error: no such overload: math.isInf(int)",
        ),
        (
            "math.isFinite(dyn(1))",
            "error: no such overload: math.isFinite(int)",
        ),
    ]);
}

#[test]
fn abs_sign_sqrt() {
    check_all(&[
        ("math.abs(1u)", "1u"),
        ("math.abs(-11)", "11"),
        ("math.abs(-11.5)", "11.5"),
        ("math.abs(-0.0)", "0.0"),
        ("math.abs(9223372036854775807)", "9223372036854775807"),
        ("math.abs(-9223372036854775808)", "error: integer overflow"),
        ("math.sign(100u)", "1u"),
        ("math.sign(0u)", "0u"),
        ("math.sign(-11)", "-1"),
        ("math.sign(0)", "0"),
        ("math.sign(100.5)", "1.0"),
        ("math.sign(-32.0)", "-1.0"),
        ("math.sign(0.0)", "0.0"),
        ("math.isNaN(math.sign(0.0/0.0))", "true"),
        ("math.sqrt(49.0)", "7.0"),
        ("math.sqrt(2)", "1.4142135623730951"),
        ("math.sqrt(81u)", "9.0"),
        ("math.isNaN(math.sqrt(-1))", "true"),
        (
            "math.abs(dyn('a'))",
            "error: no such overload: math.abs(string)",
        ),
        (
            "math.sign(dyn(true))",
            "error: no such overload: math.sign(bool)",
        ),
        (
            "math.sqrt(dyn(true))",
            "error: no such overload: math.sqrt(bool)",
        ),
    ]);
}

#[test]
fn bitwise() {
    check_all(&[
        ("math.bitAnd(1, 2)", "0"),
        ("math.bitAnd(1, -1)", "1"),
        ("math.bitAnd(1u, 3u)", "1u"),
        ("math.bitOr(1, 2)", "3"),
        ("math.bitOr(4, -2)", "-2"),
        ("math.bitOr(1u, 4u)", "5u"),
        ("math.bitXor(1, 3)", "2"),
        ("math.bitXor(4, -2)", "-6"),
        ("math.bitXor(1u, 3u)", "2u"),
        ("math.bitNot(1)", "-2"),
        ("math.bitNot(-1)", "0"),
        ("math.bitNot(1u)", "18446744073709551614u"),
        (
            "math.bitAnd(2u, dyn(''))",
            "error: no such overload: math.bitAnd(uint, string)",
        ),
        (
            "math.bitAnd(dyn(1), 1u)",
            "error: no such overload: math.bitAnd(int, uint)",
        ),
        (
            "math.bitOr(dyn(1.2), 1)",
            "error: no such overload: math.bitOr(double, int)",
        ),
        (
            "math.bitXor(dyn(1), 1u)",
            "error: no such overload: math.bitXor(int, uint)",
        ),
        (
            "math.bitNot(dyn(''))",
            "error: no such overload: math.bitNot(string)",
        ),
    ]);
}

#[test]
fn shifts() {
    check_all(&[
        ("math.bitShiftLeft(1, 2)", "4"),
        ("math.bitShiftLeft(1, 63)", "-9223372036854775808"),
        ("math.bitShiftLeft(1, 64)", "0"),
        ("math.bitShiftLeft(1, 200)", "0"),
        ("math.bitShiftLeft(-1, 200)", "0"),
        ("math.bitShiftLeft(1u, 200)", "0u"),
        ("math.bitShiftLeft(1u, 3)", "8u"),
        ("math.bitShiftRight(1024, 2)", "256"),
        ("math.bitShiftRight(-1024, 3)", "2305843009213693824"),
        ("math.bitShiftRight(-1024, 64)", "0"),
        ("math.bitShiftRight(1024u, 2)", "256u"),
        ("math.bitShiftRight(1024u, 200)", "0u"),
        (
            "math.bitShiftLeft(1u, -1)",
            "error: math.bitShiftLeft() negative offset: -1",
        ),
        (
            "math.bitShiftRight(1, -5)",
            "error: math.bitShiftRight() negative offset: -5",
        ),
        (
            "math.bitShiftLeft(dyn(4.3), 1)",
            "error: no such overload: math.bitShiftLeft(double, int)",
        ),
        (
            "math.bitShiftRight(dyn(b'123'), 1)",
            "error: no such overload: math.bitShiftRight(bytes, int)",
        ),
        (
            "math.bitShiftRight(1, dyn(1u))",
            "error: no such overload: math.bitShiftRight(int, uint)",
        ),
    ]);
}

#[test]
fn wrong_types_fail_at_run_time_unchecked() {
    check_unchecked(&[
        ("math.ceil(1)", "error: no such overload: math.ceil(int)"),
        ("math.abs('a')", "error: no such overload: math.abs(string)"),
        (
            "math.bitAnd(1, 2u)",
            "error: no such overload: math.bitAnd(int, uint)",
        ),
        (
            "math.sqrt(null)",
            "error: no such overload: math.sqrt(null_type)",
        ),
    ]);
}
