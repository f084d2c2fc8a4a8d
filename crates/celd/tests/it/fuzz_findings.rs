//! Inputs the fuzzers reported as slow, kept as regression tests: under the small limits the
//! fuzz targets evaluate with, each must stop at its limit (before building the oversized
//! value) with the error it gives today.

use celd::{Env, EvalOptions, Limits, Type};

/// The fuzz targets' limits (`fuzz/src/lib.rs`).
fn fuzz_limits() -> Limits {
    Limits {
        max_cost: 10_000,
        max_string_bytes: 64 << 10,
        max_list_len: 10_000,
        max_map_len: 10_000,
        ..Limits::default()
    }
}

fn outcome(src: &str) -> String {
    outcome_in_mode(src, true)
}

fn outcome_in_mode(src: &str, checked: bool) -> String {
    let env = Env::builder()
        .variable("x", Type::Int)
        .all_extensions()
        .build()
        .unwrap();
    let program = if checked {
        env.compile(src)
    } else {
        env.compile_unchecked(src)
    };
    let program = match program {
        Ok(program) => program,
        Err(e) => return format!("compile {}: {}", e.kind().name(), e.message()),
    };
    let limits = fuzz_limits();
    let options = EvalOptions {
        limits: Some(&limits),
        ..EvalOptions::default()
    };
    match program.eval_with(&env.activation(), &options) {
        Ok(v) => format!("value {v}"),
        Err(e) => format!("eval {}: {}", e.kind().name(), e.message()),
    }
}

#[test]
fn generated_lists_stop_at_the_evaluation_limit() {
    let too_long = "eval limit: list exceeds the limit of 10000 elements";
    for src in [
        "size(lists.range(1000000))",
        "cel.bind(r, lists.range(1001), r.map(x, r)).flatten()",
        "size(lists.range(2000).map(x, lists.range(1000)).flatten())",
    ] {
        assert_eq!(outcome(src), too_long, "{src}");
    }
    assert_eq!(outcome("size(lists.range(10000))"), "value 10000");
}

#[test]
fn a_pattern_too_large_to_compile_fails_when_first_used() {
    // The fuzzer's input had invalid UTF-8, which the target read lossily as U+FFFD.
    let r = |n: usize| "\u{fffd}".repeat(n);
    let src = format!(
        "regex.replace('aaaa', '(a{}+{}sq.storage.e.siz.storage.sq.{}z592}}){{100}}{}00}}', 'b')",
        r(18),
        r(28),
        r(13),
        r(2)
    );
    assert_eq!(
        outcome(&src),
        "eval eval: invalid regular expression: Compiled regex exceeds size limit of 1048576 bytes."
    );
}

/// A failed map lookup formatted its key into the message: here a 255-element list, once per
/// iteration of nested filters, until the cost limit (55 ms in a release build). The message
/// now shows at most 100 characters of the key.
#[test]
fn a_missing_key_error_shows_the_key_cut() {
    let src = "((lists.range(251)).filter(e, true)).filter(e, ((lists.range(251)).filter(e, \
               {'': 0}[lists.range(255)][lists.range(255)[lists.range(202)][-9.5]\
               [(lists.range(62)).sortBy(e, lists.range(55)[-123][30.5][0][0])]])).all(e, 0))";
    assert_eq!(
        outcome_in_mode(src, false),
        "eval limit: evaluation cost limit of 10000 exceeded"
    );
    let message = outcome_in_mode("{'': 0}[lists.range(1000)]", false);
    assert!(message.starts_with("eval "), "{message}");
    assert!(message.len() < 200, "{message}");
}

/// A call that fails is charged for its arguments: `format` traversed a nested list of
/// about 1,500 values and then failed on a missing argument, for free, thousands of times
/// (470 ms in a release build before the cost limit; now a few milliseconds).
#[test]
fn failing_calls_are_charged_for_their_arguments() {
    let inner = "(lists.range(140)).sortBy(e, (lists.range(11)).map(e, ('%s-%d').format([[[41u, \
                 lists.range(255), lists.range(255), lists.range(255), 0, lists.range(255)], \
                 lists.range(253), -1, lists.range(255), lists.range(255), lists.range(255)]])))";
    let src = format!(
        "(lists.range(140)).sortBy(e, (lists.range(11)).map(e, ('%s-%d').format([[[41u, \
         lists.range(255), {inner}]]])))"
    );
    assert_eq!(
        outcome_in_mode(&src, false),
        "eval limit: evaluation cost limit of 10000 exceeded"
    );
}

/// A pattern that is not a literal is compiled when `matches` runs; the thread keeps the few
/// most recent compilations, so a loop does not recompile the same pattern each iteration
/// (1.3 s before, with nested quantifiers over a `cel.block`-wrapped pattern; 6 ms now).
#[test]
fn computed_patterns_are_compiled_once_per_thread() {
    let src = "(lists.range(40)).exists(e, (lists.range(246)).exists_one(e, \
               ({(lists.range(140)).map(e, (('héllo😀').matches(cel.block([], '^h.*o$')))\
               .map(e, 0)): 0} + 0)))";
    let got = outcome_in_mode(src, false);
    assert!(got.starts_with("eval "), "{got}");
    assert_eq!(
        outcome("['hello', 'hallo', 'nope'].filter(w, w.matches(cel.block([], '^h.*o$')))"),
        "value [\"hello\", \"hallo\"]"
    );
}
