//! Compile-time validation: literals that can never be valid fail to compile at the literal,
//! and the comprehension-nesting limit.

use celd::{Env, ErrorKind, Type, Validations};

fn env_with(validations: Validations) -> Env {
    Env::builder()
        .variable("s", Type::String)
        .variable("l", Type::list(Type::list(Type::Int)))
        .all_extensions()
        .validations(validations)
        .build()
        .unwrap()
}

/// Compiles checked; the error's kind, `line:column` and message.
fn compile_error(env: &Env, src: &str) -> Option<(ErrorKind, String, String)> {
    let e = env.compile(src).err()?;
    let at = e.location().map(|l| format!("{}:{}", l.line, l.column));
    Some((e.kind(), at.unwrap_or_default(), e.message().to_owned()))
}

#[test]
fn invalid_literals_are_compile_errors_at_the_literal() {
    let env = env_with(Validations::default());
    let rows: &[(&str, &str, &str)] = &[
        (
            "s.matches('x++')",
            "1:11",
            "invalid regular expression: bad repetition operator: ++",
        ),
        (
            "matches(s, '(')",
            "1:12",
            "invalid regular expression: unclosed group",
        ),
        (
            "regex.replace(s, '[a', 'b')",
            "1:18",
            "invalid regular expression: unclosed character class",
        ),
        (
            "regex.extract(s, 'a{1001}')",
            "1:18",
            "invalid regular expression: bad repetition operator: {1001}",
        ),
        (
            "regex.extractAll(s, '(?x)a')",
            "1:21",
            "invalid regular expression: invalid or unsupported Perl syntax",
        ),
        (
            "regex.replace(s, '\\\\u0041', 'b', 1)",
            "1:18",
            "invalid regular expression: invalid escape sequence",
        ),
        (
            "s == ''\n  || timestamp('2024-13-01T00:00:00Z') > timestamp(0)",
            "2:16",
            "invalid timestamp '2024-13-01T00:00:00Z'",
        ),
        (
            "timestamp('10000-01-01T00:00:00Z')",
            "1:11",
            "invalid timestamp '10000-01-01T00:00:00Z'",
        ),
        ("duration('1 hour')", "1:10", "invalid duration '1 hour'"),
        (
            "duration('10000000000000s')",
            "1:10",
            "duration out of range",
        ),
    ];
    for (src, at, message) in rows {
        let got = compile_error(&env, src);
        let Some((kind, got_at, got_message)) = got else {
            panic!("{src}: compiled");
        };
        assert_eq!(kind, ErrorKind::Check, "{src}");
        assert_eq!(&got_at, at, "{src}");
        assert!(got_message.starts_with(message), "{src}: {got_message}");
    }
}

#[test]
fn valid_and_computed_arguments_compile() {
    let env = env_with(Validations::default());
    for src in [
        "s.matches('^[a-z]+$')",
        "s.matches(s)",
        "regex.replace(s, s, 'x')",
        "timestamp('2024-01-01T00:00:00Z') > timestamp(s)",
        "duration('1h30m') < duration(s)",
        "timestamp(0) < timestamp(1)",
    ] {
        assert!(env.compile(src).is_ok(), "{src}");
    }
}

#[test]
fn every_invalid_literal_is_reported() {
    let env = env_with(Validations::default());
    let e = env
        .compile("s.matches('(') || duration('x') > duration('y')")
        .unwrap_err();
    let messages: Vec<&str> = e.diagnostics().iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "invalid regular expression: unclosed group",
            "invalid duration 'x'",
            "invalid duration 'y'"
        ]
    );
}

#[test]
fn without_validation_invalid_literals_fail_at_evaluation() {
    let strict = env_with(Validations::default());
    let lax = env_with(Validations::none());
    for src in ["s.matches('x++')", "duration('1 hour') > duration('0s')"] {
        // Unchecked programs cannot know which overload a call resolves to, so they wait too.
        for program in [lax.compile(src), strict.compile_unchecked(src)] {
            let mut vars = lax.activation();
            vars.insert("s", "xx");
            let e = program.unwrap().eval(&vars).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Eval, "{src}");
        }
    }
    let only_regex = env_with(Validations {
        timestamp_literals: false,
        duration_literals: false,
        ..Validations::default()
    });
    assert!(only_regex.compile("duration('1 hour')").is_ok());
    assert!(only_regex.compile("s.matches('x++')").is_err());
}

#[test]
fn comprehension_nesting_limit() {
    let env = env_with(Validations {
        max_comprehension_nesting: Some(2),
        ..Validations::default()
    });
    for src in [
        "l.all(x, x.all(y, y > 0))",
        "l.map(x, x.size()).exists(n, n > 1)",
        "l.all(x, cel.bind(z, x, z.all(y, y > 0)))",
        "[1].all(a, [2].exists(b, b > a)) && [3].all(c, [4].all(d, d > c))",
    ] {
        assert!(env.compile(src).is_ok(), "{src}");
        assert!(env.compile_unchecked(src).is_ok(), "{src}");
    }
    let src = "l.all(x, x.all(y, [y].exists(z, z > 0)))";
    for result in [env.compile(src), env.compile_unchecked(src)] {
        let e = result.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert_eq!(
            e.message(),
            "comprehensions nest deeper than the limit of 2"
        );
        let at = e.location().unwrap();
        assert_eq!(
            (at.line, at.column),
            (1, 23),
            "at the third comprehension's macro name"
        );
    }
    // A comprehension in another's range is nested in it too.
    let e = env
        .compile("l.all(x, x.map(y, y).map(z, [z].all(w, w > 0)).size() > 0)")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    // Off by default.
    let default = env_with(Validations::default());
    assert!(default.compile(src).is_ok());
}
