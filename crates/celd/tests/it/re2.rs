//! Regular expressions follow RE2's syntax and meaning (as cel-go and cel-cpp do), not the
//! wider syntax of the `regex` crate: a table of patterns RE2 accepts and rejects, each with
//! the reason, run through `matches` and the regex extension with the pattern as a literal
//! (checked at compile time) and as a variable (compiled at run time).

use celd::{Env, Type, Value};

/// What a pattern must do with a subject: match or not, or be rejected with a message
/// containing the text.
#[derive(Clone, Copy, Debug)]
enum Expect {
    Matches(bool),
    Rejected(&'static str),
}

use Expect::{Matches, Rejected};

/// `(pattern, subject, expected, why)`.
const TABLE: &[(&str, &str, Expect, &str)] = &[
    // Repetition.
    (
        "x++",
        "xx",
        Rejected("bad repetition operator: ++"),
        "no possessive repetitions",
    ),
    (
        "x*+",
        "xx",
        Rejected("bad repetition operator: *+"),
        "no possessive repetitions",
    ),
    (
        "x?+",
        "x",
        Rejected("bad repetition operator: ?+"),
        "no possessive repetitions",
    ),
    (
        "x**",
        "xx",
        Rejected("bad repetition operator: **"),
        "a repetition is not repeated",
    ),
    (
        "x{2}{3}",
        "xxxxxx",
        Rejected("bad repetition operator: {2}{3}"),
        "a repetition is not repeated",
    ),
    (
        "x{2}*",
        "xx",
        Rejected("bad repetition operator: {2}*"),
        "a repetition is not repeated",
    ),
    (
        "x*{2}",
        "xx",
        Rejected("bad repetition operator: *{2}"),
        "a repetition is not repeated",
    ),
    (
        "x*??",
        "xx",
        Rejected("bad repetition operator: *??"),
        "a lazy repetition is not repeated",
    ),
    ("^x*?$", "xx", Matches(true), "lazy repetition"),
    ("^(?:x*)*$", "xx", Matches(true), "a group may be repeated"),
    ("^(x+)+$", "xx", Matches(true), "a group may be repeated"),
    (
        "x{1001}",
        "x",
        Rejected("bad repetition operator: {1001} (RE2 allows counts up to 1000)"),
        "counts up to 1000",
    ),
    (
        "x{2,1001}",
        "x",
        Rejected("RE2 allows counts up to 1000"),
        "counts up to 1000",
    ),
    (
        "x{1001,}",
        "x",
        Rejected("RE2 allows counts up to 1000"),
        "counts up to 1000",
    ),
    (
        "^x{1000}$",
        "x",
        Matches(false),
        "a count of 1000 is allowed",
    ),
    (
        "(x{100}){11}",
        "x",
        Rejected("nested repetition counts multiply to more than 1000"),
        "nested counts multiply",
    ),
    (
        "((x{10}){10}){11}",
        "x",
        Rejected("multiply to more than 1000"),
        "nested counts multiply",
    ),
    (
        "^(x{10}){100}$",
        "x",
        Matches(false),
        "a product of 1000 is allowed",
    ),
    (
        "^(x{1000}){0}y$",
        "y",
        Matches(true),
        "a count of 0 removes its operand",
    ),
    (
        "^x{ 2 }$",
        "x{ 2 }",
        Matches(true),
        "braces with spaces are text in RE2",
    ),
    (
        "^x{ 2 }$",
        "xx",
        Matches(false),
        "braces with spaces are text in RE2",
    ),
    (
        "x{,3}",
        "x",
        Rejected("repetition quantifier expects a valid decimal"),
        "RE2 reads it as text; the regex crate cannot: rejected",
    ),
    // Escapes and assertions.
    (
        r"a\Z",
        "a",
        Rejected("unrecognized escape sequence"),
        "no \\Z in RE2 (\\z is the end of text)",
    ),
    (r"a\z", "a", Matches(true), "\\z is the end of text"),
    (
        r"^\u0041$",
        "A",
        Rejected(r"invalid escape sequence: \u0041 (RE2 writes code points as \x{41})"),
        "no \\u",
    ),
    (
        r"^\U00000041$",
        "A",
        Rejected(r"invalid escape sequence: \U00000041"),
        "no \\U",
    ),
    (r"^\x{41}\x42$", "AB", Matches(true), "hex escapes"),
    (r"^\101$", "A", Matches(true), "octal escapes"),
    (r"^a\012b$", "a\nb", Matches(true), "octal escapes"),
    (
        r"(a)\1",
        "aa",
        Rejected(r"backreferences are not supported: \1"),
        "no backreferences",
    ),
    (
        r"a\8",
        "a",
        Rejected("unrecognized escape sequence"),
        "no backreferences, and 8 is not octal",
    ),
    (
        r"(?P<n>a)(?P=n)",
        "aa",
        Rejected("unrecognized flag"),
        "no named backreferences",
    ),
    ("a(?=b)", "ab", Rejected("look-around"), "no look-ahead"),
    (
        "a(?!b)",
        "ab",
        Rejected("look-around"),
        "no negative look-ahead",
    ),
    ("(?<=a)b", "ab", Rejected("look-around"), "no look-behind"),
    (
        "(?<!a)b",
        "ab",
        Rejected("look-around"),
        "no negative look-behind",
    ),
    (
        r"^\<a\>$",
        "<a>",
        Matches(true),
        "\\< and \\> are the characters < and >",
    ),
    (r"\<a", "a", Matches(false), "\\< is not a word boundary"),
    (
        r"^a\b{start}$",
        "a{start}",
        Matches(true),
        "\\b then the text {start}",
    ),
    (
        r"a\b",
        "aé",
        Matches(true),
        "\\b is an ASCII word boundary: é is not a word character",
    ),
    (r"a\B", "aé", Matches(false), "\\B is ASCII too"),
    // Perl classes are ASCII.
    (r"^\d$", "3", Matches(true), "\\d is [0-9]"),
    (
        r"^\d$",
        "٣",
        Matches(false),
        "\\d is ASCII: not ARABIC-INDIC DIGIT THREE",
    ),
    (r"^\D$", "٣", Matches(true), "\\D is not [0-9]"),
    (
        r"^[\d]$",
        "٣",
        Matches(false),
        "\\d in a class is ASCII too",
    ),
    (r"^[^\d]$", "٣", Matches(true), "\\d in a negated class"),
    (r"^[\D]$", "3", Matches(false), "\\D in a class"),
    (r"^\w+$", "word_1", Matches(true), "\\w is [0-9A-Za-z_]"),
    (r"^\w$", "é", Matches(false), "\\w is ASCII"),
    (r"^[\w-]+$", "a-b", Matches(true), "\\w then a literal -"),
    (r"^\s$", " ", Matches(true), "\\s is [\\t\\n\\f\\r ]"),
    (
        r"^\s$",
        "\u{b}",
        Matches(false),
        "\\s has no vertical tab in RE2",
    ),
    (
        r"^\s$",
        "\u{a0}",
        Matches(false),
        "\\s is ASCII: not NO-BREAK SPACE",
    ),
    (r"^\S$", "\u{a0}", Matches(true), "\\S"),
    (r"^[\S]$", " ", Matches(false), "\\S in a class"),
    ("^[[:alpha:]]+$", "abc", Matches(true), "ASCII classes"),
    // Unicode classes.
    (
        r"^\pN$",
        "٣",
        Matches(true),
        "one-letter general categories",
    ),
    (r"^\p{Lu}$", "Á", Matches(true), "general categories"),
    (r"^\p{Greek}+$", "αβ", Matches(true), "scripts by name"),
    (r"^\p{Old_Italic}$", "a", Matches(false), "scripts by name"),
    (r"^\PL$", "1", Matches(true), "negated classes"),
    (r"^\p{Any}$", "a", Matches(true), "Any"),
    (
        r"^[\p{Greek}\d]+$",
        "α1",
        Matches(true),
        "Unicode classes in a class",
    ),
    (
        r"\p{Letter}",
        "a",
        Rejected(r"invalid character class range: \p{Letter}"),
        "long category names are not RE2",
    ),
    (
        r"\p{greek}",
        "a",
        Rejected(r"invalid character class range: \p{greek}"),
        "script names are exact",
    ),
    (
        r"\p{gc=L}",
        "a",
        Rejected("invalid character class range"),
        "no property=value",
    ),
    (
        r"\p{Script=Greek}",
        "a",
        Rejected("invalid character class range"),
        "no property=value",
    ),
    (
        r"\p{Alphabetic}",
        "a",
        Rejected("invalid character class range"),
        "no binary properties",
    ),
    (
        r"[\p{Letter}]",
        "a",
        Rejected("invalid character class range"),
        "inside a class too",
    ),
    (
        r"\p{Foo}",
        "a",
        Rejected("invalid character class range"),
        "unknown names",
    ),
    // Flags and groups.
    ("(?i)abc", "ABC", Matches(true), "flag i"),
    ("(?s)^a.b$", "a\nb", Matches(true), "flag s"),
    ("(?m)^b$", "a\nb", Matches(true), "flag m"),
    ("(?U)^a+$", "aa", Matches(true), "flag U"),
    ("(?i-s:a.)", "A", Matches(false), "flags in a group"),
    (
        "(?x)a b",
        "ab",
        Rejected("flag 'x' (RE2's flags are i, m, s and U)"),
        "no x flag",
    ),
    ("(?u)a", "a", Rejected("flag 'u'"), "no u flag"),
    ("(?R)a", "a", Rejected("flag 'R'"), "no R flag"),
    (
        "(?i-u:a)",
        "a",
        Rejected("flag 'u'"),
        "no u flag in a group",
    ),
    ("^(?P<name>a)$", "a", Matches(true), "named groups"),
    ("^(?<name>a)$", "a", Matches(true), "named groups without P"),
    (
        "(?P<a.b>x)",
        "x",
        Rejected("invalid named capture group: a.b"),
        "names are letters, digits and _",
    ),
    (
        "(?P<a[0]>x)",
        "x",
        Rejected("invalid named capture group"),
        "names are letters, digits and _",
    ),
    // Classes.
    (
        "[a-z&&[^x]]",
        "a",
        Rejected("'&&' inside a character class is literal text in RE2"),
        "no class intersection",
    ),
    (
        "[a-z--x]",
        "a",
        Rejected("'--' inside a character class"),
        "no class difference",
    ),
    (
        "[a~~b]",
        "a",
        Rejected("'~~' inside a character class"),
        "no symmetric difference",
    ),
    (
        "[a[bc]]",
        "a",
        Rejected("'[' inside a character class is a literal in RE2"),
        "no nested classes",
    ),
    ("^[a&b]$", "&", Matches(true), "a single & is a literal"),
    ("^[]a]$", "]", Matches(true), "a leading ] is a literal"),
];

fn env() -> Env {
    Env::builder()
        .variable("s", Type::String)
        .variable("p", Type::String)
        .all_extensions()
        .build()
        .unwrap()
}

/// The outcome of one expression: the value, or the error message.
fn outcome(env: &Env, src: &str, pattern: &str, subject: &str) -> Result<Value, String> {
    let mut vars = env.activation();
    vars.insert("s", subject).insert("p", pattern);
    env.compile(src)
        .and_then(|program| program.eval(&vars))
        .map_err(|e| e.message().to_owned())
}

fn cel_string(text: &str) -> String {
    Value::string(text).to_string()
}

#[test]
fn patterns_follow_re2() {
    let env = env();
    let mut failures = Vec::new();
    for &(pattern, subject, expect, why) in TABLE {
        let literal = cel_string(pattern);
        let forms = [
            format!("s.matches({literal})"),
            "s.matches(p)".to_owned(),
            format!("regex.extractAll(s, {literal}).size() > 0"),
            "regex.extractAll(s, p).size() > 0".to_owned(),
        ];
        for src in &forms {
            let got = outcome(&env, src, pattern, subject);
            let ok = match (expect, &got) {
                (Matches(want), Ok(Value::Bool(b))) => want == *b,
                (Rejected(text), Err(message)) => {
                    message.contains("invalid regular expression") && message.contains(text)
                }
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{src} with p = {pattern:?}, s = {subject:?} ({why}): want {expect:?}, got {got:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
