//! Error reporting: positions, carets, recovery into several errors, and the error type.

use celd_syntax::{ParseErrorKind, Span};
use expect_test::expect;

use crate::support::{check_parse, check_table, parse_default};

#[test]
fn one_plus_nothing_points_after_the_plus() {
    check_parse(
        "1 +",
        expect![[r#"
            ERROR: <input>:1:4: unexpected end of input, expected an expression
             | 1 +
             | ...^"#]],
    );
    let error = parse_default("1 +").err();
    let spans: Option<Vec<Span>> = error.map(|e| e.diagnostics().iter().map(|d| d.span).collect());
    assert_eq!(spans, Some(vec![Span::new(3, 3)]));
}

#[test]
fn several_errors_in_one_input() {
    check_parse(
        "f(1 +, 2 *, while) + [a.?, b[, c +] + {1: , 2 3}",
        expect![[r#"
            ERROR: <input>:1:6: unexpected ',', expected an expression
             | f(1 +, 2 *, while) + [a.?, b[, c +] + {1: , 2 3}
             | .....^
            ERROR: <input>:1:11: unexpected ',', expected an expression
             | f(1 +, 2 *, while) + [a.?, b[, c +] + {1: , 2 3}
             | ..........^
            ERROR: <input>:1:13: reserved identifier 'while'
             | f(1 +, 2 *, while) + [a.?, b[, c +] + {1: , 2 3}
             | ............^
            ERROR: <input>:1:26: unexpected ',', expected a field name
             | f(1 +, 2 *, while) + [a.?, b[, c +] + {1: , 2 3}
             | .........................^
            ERROR: <input>:1:30: unexpected ',', expected an expression
             | f(1 +, 2 *, while) + [a.?, b[, c +] + {1: , 2 3}
             | .............................^
            ERROR: <input>:1:35: unexpected ']', expected an expression
             | f(1 +, 2 *, while) + [a.?, b[, c +] + {1: , 2 3}
             | ..................................^
            ERROR: <input>:1:43: unexpected ',', expected an expression
             | f(1 +, 2 *, while) + [a.?, b[, c +] + {1: , 2 3}
             | ..........................................^
            ERROR: <input>:1:47: unexpected '3', expected ':'
             | f(1 +, 2 *, while) + [a.?, b[, c +] + {1: , 2 3}
             | ..............................................^"#]],
    );
    check_parse(
        "[1, 'unterminated\n, 2 @ 3, '\\q']",
        expect![[r#"
            ERROR: <input>:1:5: unterminated string literal
             | [1, 'unterminated
             | ....^
            ERROR: <input>:2:5: unexpected character '@'
             | , 2 @ 3, '\q']
             | ....^
            ERROR: <input>:2:11: invalid escape sequence '\q'
             | , 2 @ 3, '\q']
             | ..........^"#]],
    );
}

#[test]
fn syntax_errors() {
    check_table(
        &[
            "",
            " ",
            "// nothing",
            "(",
            "(1",
            "(1))",
            "[1 2]",
            "{1 2}",
            "{1: 2 3: 4}",
            "f(1",
            "f(1,)",
            "a.",
            "a.1",
            "a..b",
            "1 = 2",
            "a & b",
            "a | b",
            "a ? b",
            "a b",
            "M{f 1}",
            "M{'f': 1}",
            "x[]",
            "#",
            "a @ b",
            "\u{0}",
            "é",
        ],
        expect![[r#"
            ""
                ERROR: <input>:1:1: unexpected end of input, expected an expression
                 |
                 | ^
            " "
                ERROR: <input>:1:2: unexpected end of input, expected an expression
                 |
                 | .^
            // nothing
                ERROR: <input>:1:11: unexpected end of input, expected an expression
                 | // nothing
                 | ..........^
            (
                ERROR: <input>:1:2: unexpected end of input, expected an expression
                 | (
                 | .^
            (1
                ERROR: <input>:1:3: unexpected end of input, expected ')'
                 | (1
                 | ..^
            (1))
                ERROR: <input>:1:4: unexpected ')', expected an operator or end of input
                 | (1))
                 | ...^
            [1 2]
                ERROR: <input>:1:4: unexpected '2', expected ',' or ']'
                 | [1 2]
                 | ...^
            {1 2}
                ERROR: <input>:1:4: unexpected '2', expected ':'
                 | {1 2}
                 | ...^
            {1: 2 3: 4}
                ERROR: <input>:1:7: unexpected '3', expected ',' or '}'
                 | {1: 2 3: 4}
                 | ......^
            f(1
                ERROR: <input>:1:4: unexpected end of input, expected ',' or ')'
                 | f(1
                 | ...^
            f(1,)
                ERROR: <input>:1:5: unexpected ')', expected an expression
                 | f(1,)
                 | ....^
            a.
                ERROR: <input>:1:3: unexpected end of input, expected a field name
                 | a.
                 | ..^
            a.1
                ERROR: <input>:1:2: unexpected '.1', expected an operator or end of input
                 | a.1
                 | .^
            a..b
                ERROR: <input>:1:3: unexpected '.', expected a field name
                 | a..b
                 | ..^
            1 = 2
                ERROR: <input>:1:3: unexpected character '='
                 | 1 = 2
                 | ..^
            a & b
                ERROR: <input>:1:3: unexpected character '&'
                 | a & b
                 | ..^
            a | b
                ERROR: <input>:1:3: unexpected character '|'
                 | a | b
                 | ..^
            a ? b
                ERROR: <input>:1:6: unexpected end of input, expected ':'
                 | a ? b
                 | .....^
            a b
                ERROR: <input>:1:3: unexpected 'b', expected an operator or end of input
                 | a b
                 | ..^
            M{f 1}
                ERROR: <input>:1:5: unexpected '1', expected ':'
                 | M{f 1}
                 | ....^
            M{'f': 1}
                ERROR: <input>:1:3: unexpected ''f'', expected a field name
                 | M{'f': 1}
                 | ..^
            x[]
                ERROR: <input>:1:3: unexpected ']', expected an expression
                 | x[]
                 | ..^
            #
                ERROR: <input>:1:1: unexpected character '#'
                 | #
                 | ^
            a @ b
                ERROR: <input>:1:3: unexpected character '@'
                 | a @ b
                 | ..^
            \0
                ERROR: <input>:1:1: unexpected character '\0'
                 | \0
                 | ^
            é
                ERROR: <input>:1:1: unexpected character 'é'
                 | é
                 | ^
        "#]],
    );
}

#[test]
fn errors_on_later_lines() {
    check_parse(
        "a &&\n  b ||\n  (c +)",
        expect![[r#"
            ERROR: <input>:3:7: unexpected ')', expected an expression
             |   (c +)
             | ......^"#]],
    );
}

#[test]
fn parse_error_is_a_std_error_with_source_and_kind() {
    let error = match parse_default("a +") {
        Ok(_) => panic!("parsed"),
        Err(error) => error,
    };
    assert_eq!(error.kind(), ParseErrorKind::Syntax);
    assert_eq!(error.source().text(), "a +");
    let boxed: Box<dyn std::error::Error> = Box::new(error.clone());
    assert_eq!(boxed.to_string(), error.to_string());
}
