//! Grammar: precedence, associativity, members, calls, aggregates, optional syntax.

use expect_test::expect;

use crate::support::check_parse;

#[test]
fn smoke() {
    check_parse("x + 12345", expect!["_+_(x, 12345)"]);
    check_parse("a && b && c && d", expect!["_&&_(_&&_(a, b), _&&_(c, d))"]);
    check_parse("-9223372036854775808", expect!["-9223372036854775808"]);
    check_parse(
        "[1,2].map(x, x * 2)",
        expect!["fold(x in [1, 2]; @result = []; true; _+_(@result, [_*_(x, 2)]); @result)"],
    );
    check_parse(
        "1 +",
        expect![[r#"
        ERROR: <input>:1:4: unexpected end of input, expected an expression
         | 1 +
         | ...^"#]],
    );
}
