//! Concurrent misses on one key compile once.

use std::sync::{Arc, Barrier};

use crate::support::{cache, env, vars};

#[test]
fn eight_threads_missing_one_key_compile_once() {
    let env = env();
    let cache = Arc::new(cache());
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let (env, cache, barrier) = (env.clone(), cache.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let text = format!("items.filter(i, i.price > {t}.5).map(i, i.name)");
                let bound = cache.get_or_compile(&env, &text).expect("compiles");
                let value = bound.eval(&vars(&env)).expect("evaluates");
                (bound.program().clone(), value)
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .collect();
    let stats = cache.stats();
    assert_eq!(stats.compilations, 1, "{stats:?}");
    assert_eq!(stats.hits + stats.misses, 8);
    assert_eq!(stats.programs_loaded, 1);
    assert!(results.iter().all(|(p, _)| Arc::ptr_eq(p, &results[0].0)));
    // Each thread got its own literal: 0.5 and 1.5 keep both items, 2.5 and up only the lamp.
    let lengths: Vec<String> = results.iter().map(|(_, v)| v.to_string()).collect();
    assert_eq!(lengths[0], "[\"pen\", \"lamp\"]");
    assert_eq!(lengths[7], "[\"lamp\"]");
}
