//! The byte budget: eviction by weight, exact gauges, and frequency protecting hot programs.

use crate::support::{cache_of, env};
use celd_cache::SortBy;

/// A structurally new expression for each `i` (field names are part of the key).
fn distinct(i: usize) -> String {
    format!("m.f{i} + x * 2 > 10 && s.startsWith('p')")
}

#[test]
fn the_budget_bounds_bytes_held_and_evictions_are_counted() {
    let env = env();
    let cache = cache_of(64 * 1024);
    for i in 0..500 {
        cache.get_or_compile(&env, &distinct(i)).expect("compiles");
    }
    cache.run_pending_tasks();
    let stats = cache.stats();
    assert!(stats.bytes_held <= stats.max_bytes, "{stats:?}");
    assert!(stats.evictions > 0);
    assert_eq!(stats.compilations, 500);
    assert_eq!(stats.programs_loaded + stats.evictions, 500);
    // The gauges agree with what is really there.
    let inventory = cache.inventory(SortBy::Bytes);
    assert_eq!(inventory.len() as u64, stats.programs_loaded);
    let bytes: u64 = inventory.iter().map(|p| p.bytes).sum();
    assert_eq!(bytes, stats.bytes_held);
}

#[test]
fn weight_follows_program_size() {
    let env = env();
    let cache = cache_of(64 * 1024 * 1024);
    cache.get_or_compile(&env, "x + 1").expect("compiles");
    let list: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    let big = format!("x in [{}]", list.join(", "));
    cache.get_or_compile(&env, &big).expect("compiles");
    let inventory = cache.inventory(SortBy::Bytes);
    assert_eq!(inventory.len(), 2);
    let (large, small) = (&inventory[0], &inventory[1]);
    assert_eq!(small.template, "x + $0");
    // 2000 folded list elements hold tens of kilobytes; `x + $0` well under one.
    assert!(large.bytes > 30 * small.bytes, "{large:?} vs {small:?}");
}

#[test]
fn a_frequently_used_program_survives_a_scan_of_one_off_programs() {
    let env = env();
    let cache = cache_of(48 * 1024);
    for k in 0..200 {
        cache
            .get_or_compile(&env, &format!("x * 3 + {k}"))
            .expect("compiles");
    }
    let hot_id = cache
        .get_or_compile(&env, "x * 3 + 1")
        .expect("compiles")
        .id();
    for i in 0..2000 {
        cache.get_or_compile(&env, &distinct(i)).expect("compiles");
        if i % 100 == 0 {
            cache.get_or_compile(&env, "x * 3 + 7").expect("compiles");
        }
    }
    cache.run_pending_tasks();
    assert!(
        cache.program_info(hot_id).is_some(),
        "the hot template was evicted by one-off templates"
    );
    assert!(cache.stats().evictions > 1000);
}

#[test]
fn an_entry_larger_than_the_budget_is_evicted_not_kept() {
    let env = env();
    let cache = cache_of(2 * 1024);
    let list: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    let big = format!("x in [{}]", list.join(", "));
    let bound = cache.get_or_compile(&env, &big).expect("compiles");
    assert!(bound.eval(&crate::support::vars(&env)).is_ok());
    cache.run_pending_tasks();
    let stats = cache.stats();
    assert_eq!(stats.programs_loaded, 0);
    assert_eq!(stats.bytes_held, 0);
    assert_eq!(stats.evictions, 1);
}
