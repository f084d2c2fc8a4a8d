//! The strings extension: every function, its successes and its errors.

use super::ext_support::{check_all, check_unchecked};

#[test]
fn char_at() {
    check_all(&[
        ("'tacocat'.charAt(3)", r#""o""#),
        ("'tacocat'.charAt(0)", r#""t""#),
        ("'tacocat'.charAt(7)", r#""""#),
        ("'ta©o©αT'.charAt(5)", r#""α""#),
        ("''.charAt(0)", r#""""#),
        ("'tacocat'.charAt(8)", "error: index out of range: 8"),
        ("'tacocat'.charAt(-1)", "error: index out of range: -1"),
        (
            "'tacocat'.charAt(-9223372036854775808)",
            "error: index out of range: -9223372036854775808",
        ),
        (
            "dyn(42).charAt(2)",
            "error: no such overload: charAt(int, int)",
        ),
    ]);
}

#[test]
fn index_of() {
    check_all(&[
        ("'tacocat'.indexOf('')", "0"),
        ("'tacocat'.indexOf('ac')", "1"),
        ("'tacocat'.indexOf('none')", "-1"),
        ("'tacocat'.indexOf('', 3)", "3"),
        ("'tacocat'.indexOf('', 7)", "7"),
        ("'tacocat'.indexOf('at', 3)", "5"),
        ("'tacocat'.indexOf('t', 6)", "6"),
        ("'ta©o©αT'.indexOf('©')", "2"),
        ("'ta©o©αT'.indexOf('©', 3)", "4"),
        ("'ta©o©αT'.indexOf('©αT', 3)", "4"),
        ("'ta©o©αT'.indexOf('T', 6)", "6"),
        ("'hello wello'.indexOf('ello', 6)", "7"),
        ("''.indexOf('a')", "-1"),
        ("''.indexOf('')", "0"),
        (
            "'tacocat'.indexOf('a', 30)",
            "error: index out of range: 30",
        ),
        ("'tacocat'.indexOf('a', 7)", "error: index out of range: 7"),
        (
            "'tacocat'.indexOf('a', -1)",
            "error: index out of range: -1",
        ),
        ("'tacocat'.indexOf('', 8)", "error: index out of range: 8"),
        ("'tacocat'.indexOf('', -1)", "error: index out of range: -1"),
        (
            "dyn(24).indexOf('2')",
            "error: no such overload: indexOf(int, string)",
        ),
    ]);
}

#[test]
fn last_index_of() {
    check_all(&[
        ("'tacocat'.lastIndexOf('')", "7"),
        ("'tacocat'.lastIndexOf('at')", "5"),
        ("'tacocat'.lastIndexOf('none')", "-1"),
        ("'tacocat'.lastIndexOf('', 3)", "3"),
        ("'ta©o©αT'.lastIndexOf('©')", "4"),
        ("'ta©o©αT'.lastIndexOf('©', 3)", "2"),
        ("'ta©o©αT'.lastIndexOf('©α', 4)", "4"),
        ("'ta©o©αT'.lastIndexOf('αT', 6)", "5"),
        ("'hello wello'.lastIndexOf('ello', 6)", "1"),
        ("'hello wello'.lastIndexOf('hello wello')", "0"),
        ("'bananananana'.lastIndexOf('nana', 7)", "6"),
        ("'tacocat'.lastIndexOf('t', 0)", "0"),
        ("''.lastIndexOf('a')", "-1"),
        ("''.lastIndexOf('')", "0"),
        (
            "'tacocat'.lastIndexOf('a', -1)",
            "error: index out of range: -1",
        ),
        (
            "'tacocat'.lastIndexOf('a', 30)",
            "error: index out of range: 30",
        ),
        (
            "'tacocat'.lastIndexOf('', 8)",
            "error: index out of range: 8",
        ),
        (
            "'tacocat'.lastIndexOf(dyn(1))",
            "error: no such overload: lastIndexOf(string, int)",
        ),
    ]);
}

#[test]
fn ascii_case() {
    check_all(&[
        ("'TacoCat'.lowerAscii()", r#""tacocat""#),
        ("'TacoCÆt Xii'.lowerAscii()", r#""tacocÆt xii""#),
        ("'tacoCαt'.upperAscii()", r#""TACOCαT""#),
        ("'TacoCÆt Xii'.upperAscii()", r#""TACOCÆT XII""#),
        ("''.upperAscii()", r#""""#),
        (
            "dyn(1).lowerAscii()",
            "error: no such overload: lowerAscii(int)",
        ),
        (
            "dyn(b'a').upperAscii()",
            "error: no such overload: upperAscii(bytes)",
        ),
    ]);
}

#[test]
fn replace() {
    check_all(&[
        (
            "'{0} days {0} hours'.replace('{0}', '2')",
            r#""2 days 2 hours""#,
        ),
        (
            "'{0} days {0} hours'.replace('{0}', '2', 1).replace('{0}', '23')",
            r#""2 days 23 hours""#,
        ),
        ("'1 ©αT taco'.replace('αT', 'o©α')", r#""1 ©o©α taco""#),
        ("'hello hello'.replace('he', 'we', -1)", r#""wello wello""#),
        ("'hello hello'.replace('he', 'we', 0)", r#""hello hello""#),
        ("'hello hello'.replace('he', 'we', 5)", r#""wello wello""#),
        ("'abc'.replace('', '-')", r#""-a-b-c-""#),
        ("'a©c'.replace('', '-', 2)", r#""-a-©c""#),
        ("''.replace('', '-')", r#""-""#),
        ("'aaa'.replace('a', '')", r#""""#),
        ("'aaaa'.replace('aa', 'b')", r#""bb""#),
        (
            "dyn(42).replace('2', '1')",
            "error: no such overload: replace(int, string, string)",
        ),
        (
            "'42'.replace('2', '1', dyn('1'))",
            "error: no such overload: replace(string, string, string, string)",
        ),
    ]);
}

#[test]
fn split() {
    check_all(&[
        ("'hello world'.split(' ')", r#"["hello", "world"]"#),
        ("'hello world events!'.split(' ', 0)", "[]"),
        (
            "'hello world events!'.split(' ', 1)",
            r#"["hello world events!"]"#,
        ),
        (
            "'hello world events!'.split(' ', 2)",
            r#"["hello", "world events!"]"#,
        ),
        ("'o©o©o©o'.split('©', -1)", r#"["o", "o", "o", "o"]"#),
        ("'a©c'.split('')", r#"["a", "©", "c"]"#),
        ("'a©c'.split('', 2)", r#"["a", "©c"]"#),
        ("''.split('')", "[]"),
        ("''.split(',')", r#"[""]"#),
        ("',a,'.split(',')", r#"["", "a", ""]"#),
        (
            "dyn(42).split('2')",
            "error: no such overload: split(int, string)",
        ),
        (
            "'42'.split(dyn(2))",
            "error: no such overload: split(string, int)",
        ),
    ]);
}

#[test]
fn substring() {
    check_all(&[
        ("'tacocat'.substring(4)", r#""cat""#),
        ("'tacocat'.substring(7)", r#""""#),
        ("'tacocat'.substring(0, 4)", r#""taco""#),
        ("'tacocat'.substring(4, 4)", r#""""#),
        ("'ta©o©αT'.substring(2, 6)", r#""©o©α""#),
        ("'ta©o©αT'.substring(7, 7)", r#""""#),
        ("'tacocat'.substring(40)", "error: index out of range: 40"),
        ("'tacocat'.substring(-1)", "error: index out of range: -1"),
        (
            "'tacocat'.substring(1, 50)",
            "error: index out of range: 50",
        ),
        (
            "'tacocat'.substring(49, 50)",
            "error: index out of range: 49",
        ),
        (
            "'tacocat'.substring(4, 3)",
            "error: invalid substring range. start: 4, end: 3",
        ),
        (
            "'tacocat'.substring(dyn(true), 3)",
            "error: no such overload: substring(string, bool, int)",
        ),
    ]);
}

#[test]
fn trim() {
    check_all(&[
        (r"' \f\n\r\t\vtext  '.trim()", r#""text""#),
        (
            r"'text\u2000\u2001\u2002\u2003\u2004\u2004\u2006\u2007\u2008\u2009'.trim()",
            r#""text""#,
        ),
        (
            r"'\u200atext\u2028\u2029\u202F\u205F\u3000'.trim()",
            r#""text""#,
        ),
        (r"'\u0085\u00a0\u1680text'.trim()", r#""text""#),
        (
            r"'\u180etext\u200b\u200c\u200d\u2060\ufeff'.trim() == '\u180etext\u200b\u200c\u200d\u2060\ufeff'",
            "true",
        ),
        ("'  '.trim()", r#""""#),
        ("dyn(1).trim()", "error: no such overload: trim(int)"),
    ]);
}

#[test]
fn join() {
    check_all(&[
        ("['x', 'y'].join()", r#""xy""#),
        ("['x', 'y'].join('-')", r#""x-y""#),
        ("['x'].join('-')", r#""x""#),
        ("[].join()", r#""""#),
        ("[].join('-')", r#""""#),
        (
            "dyn(['x', 1]).join()",
            "error: no such overload: join(list)",
        ),
        ("dyn('xy').join()", "error: no such overload: join(string)"),
    ]);
}

#[test]
fn reverse() {
    check_all(&[
        ("''.reverse()", r#""""#),
        ("'☺'.reverse()", r#""☺""#),
        ("'Ta©oCαt'.reverse()", r#""tαCo©aT""#),
        ("dyn(1).reverse()", "error: no such overload: reverse(int)"),
    ]);
}

#[test]
fn quote() {
    check_all(&[
        (
            r#"strings.quote("first\nsecond")"#,
            r#""\"first\\nsecond\"""#,
        ),
        (r#"strings.quote("bell\a")"#, r#""\"bell\\a\"""#),
        (
            r#"strings.quote("\fform \b \v")"#,
            r#""\"\\fform \\b \\v\"""#,
        ),
        (
            r#"strings.quote("carriage \r return\t")"#,
            r#""\"carriage \\r return\\t\"""#,
        ),
        (
            r#"strings.quote("ends with \\")"#,
            r#""\"ends with \\\\\"""#,
        ),
        (r#"strings.quote('say "hi"')"#, r#""\"say \\\"hi\\\"\"""#),
        (
            r#"strings.quote("size('πέντε')")"#,
            r#""\"size('πέντε')\"""#,
        ),
        (r#"strings.quote("")"#, r#""\"\"""#),
        (
            "strings.quote(dyn(1))",
            "error: no such overload: strings.quote(int)",
        ),
    ]);
}

#[test]
fn format_clauses() {
    check_all(&[
        ("'no substitution'.format([])", r#""no substitution""#),
        ("'%% and also %%'.format([])", r#""% and also %""#),
        ("'%%%s%%'.format(['text'])", r#""%text%""#),
        ("'%s, %s'.format([true, false])", r#""true, false""#),
        ("'%s'.format([null])", r#""null""#),
        ("'%s'.format([999999999999])", r#""999999999999""#),
        (
            "'%s'.format([18446744073709551615u])",
            r#""18446744073709551615""#,
        ),
        (
            "'%s %s %s'.format([56.8, 1e21, -0.0])",
            r#""56.8 1000000000000000000000 -0""#,
        ),
        ("'%s'.format([b'xyz'])", r#""xyz""#),
        ("'%s'.format([type(1)])", r#""int""#),
        (
            "'%s'.format([timestamp('2023-02-03T23:31:20.5+01:00')])",
            r#""2023-02-03T22:31:20.5Z""#,
        ),
        ("'%s'.format([duration('1h45m47s')])", r#""6347s""#),
        ("'%s'.format([duration('-1.5s')])", r#""-1.5s""#),
        (
            "'%s'.format([['abc', 3.14, null, [9, 8], timestamp('2023-02-03T23:31:20Z')]])",
            r#""[abc, 3.14, null, [9, 8], 2023-02-03T23:31:20Z]""#,
        ),
        (
            "'%s'.format([{'key1': b'xyz', 'key5': null, 'key2': duration('2h'), 'key4': true, 'key3': 2.71828}])",
            r#""{key1: xyz, key2: 7200s, key3: 2.71828, key4: true, key5: null}""#,
        ),
        (
            "'%s'.format([[double('NaN'), double('Infinity'), double('-Infinity')]])",
            r#""[NaN, Infinity, -Infinity]""#,
        ),
        ("'%d %d'.format([-128, uint(64)])", r#""-128 64""#),
        (
            "'%d %d'.format([2.5, double('-Infinity')])",
            r#""2.5 -Infinity""#,
        ),
        (
            "'%f %f %f'.format([2.71828, 2, 3u])",
            r#""2.718280 2.000000 3.000000""#,
        ),
        ("'%.3f'.format([1.2345])", r#""1.234""#),
        ("'%.0f %.0f %.0f'.format([1.5, 2.5, 3.5001])", r#""2 2 4""#),
        ("'%.5f'.format([-1.2])", r#""-1.20000""#),
        ("'%f'.format([double('NaN')])", r#""NaN""#),
        ("'%e'.format([2.71828])", r#""2.718280e+00""#),
        ("'%.6e'.format([1052.032911275])", r#""1.052033e+03""#),
        ("'%.2e'.format([-0.000123])", r#""-1.23e-04""#),
        ("'%e'.format([3u])", r#""3.000000e+00""#),
        ("'%e'.format([double('-Infinity')])", r#""-Infinity""#),
        (
            "'%b %b %b'.format([5, uint(64), true])",
            r#""101 1000000 1""#,
        ),
        ("'%b'.format([-5])", r#""-101""#),
        (
            "'%o %o %o'.format([11, uint(65535), -8])",
            r#""13 177777 -10""#,
        ),
        ("'%x %X'.format([30, 30])", r#""1e 1E""#),
        ("'%x'.format([-255])", r#""-ff""#),
        ("'%x'.format([500u])", r#""1f4""#),
        (
            "'%x'.format(['Hello world!'])",
            r#""48656c6c6f20776f726c6421""#,
        ),
        (
            "'%X'.format([b'byte string'])",
            r#""6279746520737472696E67""#,
        ),
        (
            "'%s'.format([dyn([6, 4.2, 'a string'])])",
            r#""[6, 4.2, a string]""#,
        ),
        ("'%s-%s'.format(['a', 'b', 'unused'])", r#""a-b""#),
    ]);
}

#[test]
fn format_errors() {
    check_all(&[
        (
            "'%a'.format([1])",
            r#"error: could not parse formatting clause: unrecognized formatting clause "a""#,
        ),
        (
            "'%E'.format([0.5])",
            r#"error: could not parse formatting clause: unrecognized formatting clause "E""#,
        ),
        ("'%d %d %d'.format([0, 1])", "error: index 2 out of range"),
        ("'%'.format([1])", "error: unexpected end of string"),
        (
            "'%.3'.format([1])",
            "error: could not parse formatting clause: error while parsing precision: could not find end of precision specifier",
        ),
        (
            "'%.99999f'.format([1.0])",
            "error: could not parse formatting clause: error while parsing precision: precision 99999 exceeds maximum allowed precision 1000",
        ),
        (
            "'%d'.format([duration('30m2s')])",
            "error: error during formatting: decimal clause can only be used on ints, uints, and doubles, was given google.protobuf.Duration",
        ),
        (
            "'%o'.format(['a string'])",
            "error: error during formatting: octal clause can only be used on ints and uints, was given string",
        ),
        (
            "'%x'.format([0.5])",
            "error: error during formatting: only ints, uints, bytes, and strings can be formatted as hex, was given double",
        ),
        (
            "'%e'.format([null])",
            "error: error during formatting: scientific clause can only be used on ints, uints, and doubles, was given null_type",
        ),
        (
            "'%f'.format(['1.0'])",
            "error: error during formatting: fixed-point clause can only be used on ints, uints, and doubles, was given string",
        ),
        (
            "'%b'.format([null])",
            "error: error during formatting: only ints, uints, and bools can be formatted as binary, was given null_type",
        ),
        (
            "'%s'.format([[1, optional.none()]])",
            "error: error during formatting: string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given optional_type",
        ),
        (
            "'%s'.format([{1: ip('1.2.3.4')}])",
            "error: error during formatting: string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given net.IP",
        ),
        (
            "dyn(1).format([])",
            "error: no such overload: format(int, list)",
        ),
    ]);
}

#[test]
fn format_variable_templates() {
    check_all(&[
        ("dyn(s).format([])", r#""tacocat""#),
        ("(s + ' %d').format([i])", r#""tacocat 7""#),
        ("'%s'.format(l)", r#""3""#),
    ]);
}

#[test]
fn wrong_arity_and_types_fail_at_run_time_unchecked() {
    check_unchecked(&[
        ("42.charAt(2)", "error: no such overload: charAt(int, int)"),
        (
            "'hello'.indexOf(true)",
            "error: no such overload: indexOf(string, bool)",
        ),
        (
            "'42'.indexOf('4', 0, 1)",
            "error: no such overload: indexOf(string, string, int, int)",
        ),
        (
            "'42'.split('2', 1, 1)",
            "error: no such overload: split(string, string, int, int)",
        ),
        (
            "'hello'.substring(1, 2, 3)",
            "error: no such overload: substring(string, int, int, int)",
        ),
        (
            "'42'.replace(2, 1)",
            "error: no such overload: replace(string, int, int)",
        ),
        (
            "['a'].join(1, 2)",
            "error: no such overload: join(list, int, int)",
        ),
        ("1.trim()", "error: no such overload: trim(int)"),
    ]);
}

/// `b` is 14,640 characters; doubling it up past 8 MiB fails before anything is allocated.
const BIG: &str =
    "cel.bind(a, '0123456789'.replace('', '0123456789'), cel.bind(b, a.replace('', a), ";

#[test]
fn built_strings_stay_within_the_size_limit() {
    let rows = [
        ("size(b)", "14640".to_owned()),
        (
            "b.replace('', b)",
            "limit: string of 214358880 bytes exceeds the limit of 8388608 bytes".to_owned(),
        ),
        (
            "lists.range(1000).map(x, b).join()",
            "limit: string of 14640000 bytes exceeds the limit of 8388608 bytes".to_owned(),
        ),
        (
            "'%s'.format([lists.range(1000).map(x, b)])",
            "limit: formatted string exceeds the limit of 8388608 bytes".to_owned(),
        ),
        (
            "lists.range(100).map(x, b).join().split('')",
            "limit: list exceeds the limit of 1000000 elements".to_owned(),
        ),
        (
            "size(lists.range(100).map(x, b).join().split('', 3))",
            "3".to_owned(),
        ),
        (
            "'%x'.format([lists.range(300).map(x, b).join()])",
            "limit: string of 8784000 bytes exceeds the limit of 8388608 bytes".to_owned(),
        ),
    ];
    let rows: Vec<(String, String)> = rows
        .into_iter()
        .map(|(body, want)| (format!("{BIG}{body}))"), want))
        .collect();
    let rows: Vec<(&str, &str)> = rows.iter().map(|(s, w)| (s.as_str(), w.as_str())).collect();
    check_all(&rows);
}
