//! Lookup by exact text: a repeated text is found before parsing, and only ever its own program.

use crate::support::{cache, cache_of, env, vars};
use celd::Value;

#[test]
fn a_repeated_text_hits_without_parsing() {
    let env = env();
    let cache = cache();
    let first = cache.get_or_compile(&env, "x + 1").expect("compiles");
    assert_eq!(cache.stats().raw_hits, 0);
    let again = cache.get_or_compile(&env, "x + 1").expect("compiles");
    let stats = cache.stats();
    assert_eq!((stats.raw_hits, stats.hits, stats.compilations), (1, 1, 1));
    assert!(std::sync::Arc::ptr_eq(first.program(), again.program()));
    assert_eq!(again.params(), first.params());
    assert_eq!(again.source().text(), "x + 1");
    assert_eq!(again.eval(&vars(&env)).expect("evaluates"), Value::Int(8));
}

#[test]
fn another_text_of_the_template_gets_its_own_literals() {
    let env = env();
    let cache = cache();
    cache.get_or_compile(&env, "x + 1").expect("compiles");
    let other = cache.get_or_compile(&env, "x + 2").expect("compiles");
    assert_eq!(cache.stats().raw_hits, 0);
    assert_eq!(other.eval(&vars(&env)).expect("evaluates"), Value::Int(9));
    // Both texts are the same template; only the compiling text is found by raw text.
    cache.get_or_compile(&env, "x + 1").expect("compiles");
    let again = cache.get_or_compile(&env, "x + 2").expect("compiles");
    assert_eq!(cache.stats().raw_hits, 1);
    assert_eq!(again.eval(&vars(&env)).expect("evaluates"), Value::Int(9));
}

#[test]
fn a_raw_hit_keeps_error_locations_and_the_environment_apart() {
    let env = env();
    let other_env = celd::Env::builder()
        .variable("x", celd::Type::String)
        .build()
        .expect("builds");
    let cache = cache();
    cache.get_or_compile(&env, "x / 0").expect("compiles");
    let again = cache.get_or_compile(&env, "x / 0").expect("compiles");
    assert_eq!(cache.stats().raw_hits, 1);
    let error = again.eval(&vars(&env)).expect_err("divides by zero");
    assert!(error.to_string().contains("division"), "{error}");
    // The same text in another environment is not that environment's program.
    assert!(cache.get_or_compile(&other_env, "x / 0").is_err());
    assert_eq!(cache.stats().raw_hits, 1);
}

#[test]
fn repeated_texts_are_raw_hits_and_stay_within_the_budget() {
    let env = env();
    let roomy = cache_of(1024 * 1024);
    for _ in 0..5 {
        for k in 0..20 {
            roomy
                .get_or_compile(&env, &format!("m.f{k} + 1"))
                .expect("compiles");
        }
    }
    let stats = roomy.stats();
    assert_eq!((stats.compilations, stats.hits), (20, 80), "{stats:?}");
    // The raw-text index is a direct-mapped table with a random seed: a few of the 20 texts
    // may share slots and find their programs through the template lookup instead.
    assert!(stats.raw_hits >= 56, "most repeats are raw hits: {stats:?}");

    // A cache too small for the texts: evicted programs leave the index, and what the
    // cache holds stays within its budget.
    let small = cache_of(48 * 1024);
    for round in 0..3 {
        for k in 0..2000 {
            small
                .get_or_compile(&env, &format!("m.f{} + {}", k % 100, k % 200))
                .expect("compiles");
        }
        small.run_pending_tasks();
        let stats = small.stats();
        assert!(
            stats.bytes_held <= stats.max_bytes,
            "round {round}: {stats:?}"
        );
    }
}
