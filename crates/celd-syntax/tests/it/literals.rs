//! Literals: every numeric form and boundary, every string form and escape, and their errors.

use expect_test::expect;

use crate::support::check_table;

#[test]
fn numbers() {
    check_table(
        &[
            "0",
            "123",
            "0x1F",
            "0X1f",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "0x7fffffffffffffff",
            "0x8000000000000000",
            "-0x8000000000000000",
            "99999999999999999999999999",
            "1u",
            "1U",
            "0x1u",
            "0x1FU",
            "18446744073709551615u",
            "18446744073709551616u",
            "0xffffffffffffffffu",
            "0x10000000000000000u",
            "1.5",
            "1.0",
            ".5",
            "0.5e1",
            "1e10",
            "1E10",
            "1e+10",
            "1e-10",
            "2.5E-3",
            "1e308",
            "1.7976931348623157e308",
            "1e309",
            "1e400",
            "-1e400",
            "1e-400",
            "5e-324",
            "0.1",
            "-0.0",
            "1.",
            "1.e5",
            "1e",
            "0x",
            "0xg",
            "1.5u",
            "07",
            "1in [1]",
        ],
        expect![[r#"
            0  ==>  0
            123  ==>  123
            0x1F  ==>  31
            0X1f  ==>  31
            9223372036854775807  ==>  9223372036854775807
            9223372036854775808
                ERROR: <input>:1:1: int literal out of range
                 | 9223372036854775808
                 | ^
            -9223372036854775808  ==>  -9223372036854775808
            -9223372036854775809
                ERROR: <input>:1:1: int literal out of range
                 | -9223372036854775809
                 | ^
            0x7fffffffffffffff  ==>  9223372036854775807
            0x8000000000000000
                ERROR: <input>:1:1: int literal out of range
                 | 0x8000000000000000
                 | ^
            -0x8000000000000000  ==>  -9223372036854775808
            99999999999999999999999999
                ERROR: <input>:1:1: int literal out of range
                 | 99999999999999999999999999
                 | ^
            1u  ==>  1u
            1U  ==>  1u
            0x1u  ==>  1u
            0x1FU  ==>  31u
            18446744073709551615u  ==>  18446744073709551615u
            18446744073709551616u
                ERROR: <input>:1:1: uint literal out of range
                 | 18446744073709551616u
                 | ^
            0xffffffffffffffffu  ==>  18446744073709551615u
            0x10000000000000000u
                ERROR: <input>:1:1: uint literal out of range
                 | 0x10000000000000000u
                 | ^
            1.5  ==>  1.5
            1.0  ==>  1.0
            .5  ==>  0.5
            0.5e1  ==>  5.0
            1e10  ==>  10000000000.0
            1E10  ==>  10000000000.0
            1e+10  ==>  10000000000.0
            1e-10  ==>  1e-10
            2.5E-3  ==>  0.0025
            1e308  ==>  1e308
            1.7976931348623157e308  ==>  1.7976931348623157e308
            1e309
                ERROR: <input>:1:1: double literal out of range
                 | 1e309
                 | ^
            1e400
                ERROR: <input>:1:1: double literal out of range
                 | 1e400
                 | ^
            -1e400
                ERROR: <input>:1:1: double literal out of range
                 | -1e400
                 | ^
            1e-400  ==>  0.0
            5e-324  ==>  5e-324
            0.1  ==>  0.1
            -0.0  ==>  -0.0
            1.
                ERROR: <input>:1:3: unexpected end of input, expected a field name
                 | 1.
                 | ..^
            1.e5  ==>  1.e5
            1e
                ERROR: <input>:1:2: unexpected 'e', expected an operator or end of input
                 | 1e
                 | .^
            0x
                ERROR: <input>:1:2: unexpected 'x', expected an operator or end of input
                 | 0x
                 | .^
            0xg
                ERROR: <input>:1:2: unexpected 'xg', expected an operator or end of input
                 | 0xg
                 | .^
            1.5u
                ERROR: <input>:1:4: unexpected 'u', expected an operator or end of input
                 | 1.5u
                 | ...^
            07  ==>  7
            1in [1]  ==>  @in(1, [1])
        "#]],
    );
}

#[test]
fn keywords_and_reserved_words() {
    check_table(
        &[
            "true",
            "false",
            "null",
            "true && !false",
            "while",
            "as",
            "for(x)",
            ".if",
            "package.name",
            "in",
            "null.x",
            "Msg{if: 1, var: 2}",
            "Msg{in: 1}",
        ],
        expect![[r#"
            true  ==>  true
            false  ==>  false
            null  ==>  null
            true && !false  ==>  _&&_(true, !_(false))
            while
                ERROR: <input>:1:1: reserved identifier 'while'
                 | while
                 | ^
            as
                ERROR: <input>:1:1: reserved identifier 'as'
                 | as
                 | ^
            for(x)
                ERROR: <input>:1:1: reserved identifier 'for'
                 | for(x)
                 | ^
            .if
                ERROR: <input>:1:2: reserved identifier 'if'
                 | .if
                 | .^
            package.name
                ERROR: <input>:1:1: reserved identifier 'package'
                 | package.name
                 | ^
            in
                ERROR: <input>:1:1: unexpected 'in', expected an expression
                 | in
                 | ^
                ERROR: <input>:1:3: unexpected end of input, expected an expression
                 | in
                 | ..^
            null.x  ==>  null.x
            Msg{if: 1, var: 2}  ==>  Msg{if: 1, var: 2}
            Msg{in: 1}
                ERROR: <input>:1:5: unexpected 'in', expected a field name
                 | Msg{in: 1}
                 | ....^
        "#]],
    );
}

#[test]
fn strings() {
    check_table(
        &[
            r#"'abc'"#,
            r#""abc""#,
            r#"''"#,
            r#""""#,
            r#"'''a'b''c'''"#,
            r#""""a"b""c""""#,
            "'''line1\nline2'''",
            "'''crlf\r\nand cr\rend'''",
            r#"r'\d+\n'"#,
            r#"R"\x""#,
            r#"r'''\'''"#,
            r#"'\a\b\f\n\r\t\v\\\'\"\`\?'"#,
            r#"'\101\060\377'"#,
            r#"'\x41\X42\xff'"#,
            r#"'\u0041\u00e9\uFFFF'"#,
            r#"'\U00000041\U0001F600\U0010FFFF'"#,
            r#""é ü 日本 😀""#,
            r#"'\'quoted\''"#,
            r#""it's""#,
            r#"'''\''''"#,
        ],
        expect![[r#"
            'abc'  ==>  "abc"
            "abc"  ==>  "abc"
            ''  ==>  ""
            ""  ==>  ""
            '''a'b''c'''  ==>  "a'b''c"
            """a"b""c"""  ==>  "a\"b\"\"c"
            '''line1\nline2'''  ==>  "line1\nline2"
            '''crlf\r\nand cr\rend'''  ==>  "crlf\nand cr\nend"
            r'\d+\n'  ==>  "\\d+\\n"
            R"\x"  ==>  "\\x"
            r'''\'''  ==>  "\\"
            '\a\b\f\n\r\t\v\\\'\"\`\?'  ==>  "\u{7}\u{8}\u{c}\n\r\t\u{b}\\'\"`?"
            '\101\060\377'  ==>  "A0ÿ"
            '\x41\X42\xff'  ==>  "ABÿ"
            '\u0041\u00e9\uFFFF'  ==>  "Aé\u{ffff}"
            '\U00000041\U0001F600\U0010FFFF'  ==>  "A😀\u{10ffff}"
            "é ü 日本 😀"  ==>  "é ü 日本 😀"
            '\'quoted\''  ==>  "'quoted'"
            "it's"  ==>  "it's"
            '''\''''  ==>  "'"
        "#]],
    );
}

#[test]
fn bytes() {
    check_table(
        &[
            r#"b'abc'"#,
            r#"B"abc""#,
            r#"b''"#,
            r#"b'ÿ'"#,
            r#"b'\303\277'"#,
            r#"b'\377'"#,
            r#"b'\xff\x00\X7f'"#,
            r#"b'\u00ff'"#,
            r#"b'\a\b\f\n\r\t\v\\\'\"\`\?'"#,
            r#"br'\x41'"#,
            r#"bR'\n'"#,
            r#"Br"\\""#,
            r#"b'''multi
line'''"#,
            r#"rb'x'"#,
        ],
        expect![[r#"
            b'abc'  ==>  b"abc"
            B"abc"  ==>  b"abc"
            b''  ==>  b""
            b'ÿ'  ==>  b"\xc3\xbf"
            b'\303\277'  ==>  b"\xc3\xbf"
            b'\377'  ==>  b"\xff"
            b'\xff\x00\X7f'  ==>  b"\xff\x00\x7f"
            b'\u00ff'  ==>  b"\xc3\xbf"
            b'\a\b\f\n\r\t\v\\\'\"\`\?'  ==>  b"\x07\x08\x0c\n\r\t\x0b\\\'\"`?"
            br'\x41'  ==>  b"\\x41"
            bR'\n'  ==>  b"\\n"
            Br"\\"  ==>  b"\\\\"
            b'''multi\nline'''  ==>  b"multi\nline"
            rb'x'
                ERROR: <input>:1:1: invalid string prefix 'rb', write 'br'
                 | rb'x'
                 | ^
        "#]],
    );
}

#[test]
fn string_errors() {
    check_table(
        &[
            r#"'\q'"#,
            r#"'\s'"#,
            r#"'\é'"#,
            r#"'\x4'"#,
            r#"'\x4g'"#,
            r#"'\u12'"#,
            r#"'\uD800'"#,
            r#"'\uDFFF'"#,
            r#"'\U0000D83D'"#,
            r#"'\U00110000'"#,
            r#"'\UFFFFFFFF'"#,
            r#"'\400'"#,
            r#"'\08'"#,
            r#"'\0'"#,
            r#"b'\U00000041'"#,
            r#"b'\uD800'"#,
            "'abc",
            "\"abc",
            "'ab\ncd'",
            "'''abc",
            "r'abc",
            "'abc\\",
            "'a\\\nb'",
        ],
        expect![[r#"
            '\q'
                ERROR: <input>:1:2: invalid escape sequence '\q'
                 | '\q'
                 | .^
            '\s'
                ERROR: <input>:1:2: invalid escape sequence '\s'
                 | '\s'
                 | .^
            '\é'
                ERROR: <input>:1:2: invalid escape sequence '\é'
                 | '\é'
                 | .^
            '\x4'
                ERROR: <input>:1:2: invalid escape sequence '\x4'
                 | '\x4'
                 | .^
            '\x4g'
                ERROR: <input>:1:2: invalid escape sequence '\x4g'
                 | '\x4g'
                 | .^
            '\u12'
                ERROR: <input>:1:2: invalid escape sequence '\u12'
                 | '\u12'
                 | .^
            '\uD800'
                ERROR: <input>:1:2: escape sequence '\uD800' is not a valid code point
                 | '\uD800'
                 | .^
            '\uDFFF'
                ERROR: <input>:1:2: escape sequence '\uDFFF' is not a valid code point
                 | '\uDFFF'
                 | .^
            '\U0000D83D'
                ERROR: <input>:1:2: escape sequence '\U0000D83D' is not a valid code point
                 | '\U0000D83D'
                 | .^
            '\U00110000'
                ERROR: <input>:1:2: escape sequence '\U00110000' is not a valid code point
                 | '\U00110000'
                 | .^
            '\UFFFFFFFF'
                ERROR: <input>:1:2: escape sequence '\UFFFFFFFF' is not a valid code point
                 | '\UFFFFFFFF'
                 | .^
            '\400'
                ERROR: <input>:1:2: invalid escape sequence '\4'
                 | '\400'
                 | .^
            '\08'
                ERROR: <input>:1:2: invalid escape sequence '\08'
                 | '\08'
                 | .^
            '\0'
                ERROR: <input>:1:2: invalid escape sequence '\0'
                 | '\0'
                 | .^
            b'\U00000041'
                ERROR: <input>:1:3: '\U' escapes are not allowed in bytes literals
                 | b'\U00000041'
                 | ..^
            b'\uD800'
                ERROR: <input>:1:3: escape sequence '\uD800' is not a valid code point
                 | b'\uD800'
                 | ..^
            'abc
                ERROR: <input>:1:1: unterminated string literal
                 | 'abc
                 | ^
            "abc
                ERROR: <input>:1:1: unterminated string literal
                 | "abc
                 | ^
            'ab\ncd'
                ERROR: <input>:1:1: unterminated string literal
                 | 'ab
                 | ^
                ERROR: <input>:2:1: unexpected 'cd', expected an operator or end of input
                 | cd'
                 | ^
                ERROR: <input>:2:3: unterminated string literal
                 | cd'
                 | ..^
            '''abc
                ERROR: <input>:1:1: unterminated string literal
                 | '''abc
                 | ^
            r'abc
                ERROR: <input>:1:1: unterminated string literal
                 | r'abc
                 | ^
            'abc\
                ERROR: <input>:1:1: unterminated string literal
                 | 'abc\
                 | ^
            'a\\nb'
                ERROR: <input>:1:1: unterminated string literal
                 | 'a\
                 | ^
                ERROR: <input>:2:1: unterminated string literal
                 | b'
                 | ^
        "#]],
    );
}

#[test]
fn escaped_identifiers() {
    check_table(
        &[
            "a.`b`",
            "a.`b-c.d/e f_1`",
            "a.`b+c`",
            "a.``",
            "a.`b",
            "`b`",
            "a.`b`()",
            "Msg{`a b`: 1}",
        ],
        expect![[r#"
            a.`b`  ==>  a.b
            a.`b-c.d/e f_1`  ==>  a.b-c.d/e f_1
            a.`b+c`
                ERROR: <input>:1:3: invalid character '+' in escaped identifier
                 | a.`b+c`
                 | ..^
            a.``
                ERROR: <input>:1:3: empty escaped identifier
                 | a.``
                 | ..^
            a.`b
                ERROR: <input>:1:3: unterminated escaped identifier
                 | a.`b
                 | ..^
            `b`
                ERROR: <input>:1:1: escaped identifiers are only allowed as field names
                 | `b`
                 | ^
            a.`b`()
                ERROR: <input>:1:3: escaped identifiers cannot name functions
                 | a.`b`()
                 | ..^
            Msg{`a b`: 1}  ==>  Msg{a b: 1}
        "#]],
    );
}
