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
    // Twice each: a template first seen in a full cache is only cached on its second sighting.
    for i in 0..500 {
        for _ in 0..2 {
            cache.get_or_compile(&env, &distinct(i)).expect("compiles");
        }
    }
    cache.run_pending_tasks();
    let stats = cache.stats();
    assert!(stats.bytes_held <= stats.max_bytes, "{stats:?}");
    assert!(stats.evictions > 0);
    assert!(stats.first_sightings > 0);
    assert_eq!(stats.compilations, 500 + stats.first_sightings);
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
    assert!(cache.stats().first_sightings > 1000);
}

#[test]
fn a_program_over_an_eighth_of_the_budget_is_evaluated_and_not_cached() {
    let env = env();
    let cache = cache_of(16 * 1024);
    let list: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    let big = format!("x in [{}]", list.join(", "));
    for _ in 0..3 {
        let bound = cache.get_or_compile(&env, &big).expect("compiles");
        assert!(bound.eval(&crate::support::vars(&env)).is_ok());
    }
    cache.get_or_compile(&env, "x + 1").expect("compiles");
    cache.run_pending_tasks();
    let stats = cache.stats();
    assert_eq!(
        (stats.programs_loaded, stats.evictions),
        (1, 0),
        "{stats:?}"
    );
    assert_eq!((stats.uncached, stats.compilations), (3, 4), "{stats:?}");
    assert!(stats.bytes_held < 16 * 1024 / 8);
}

#[test]
fn derived_environments_are_bounded_in_bytes_and_charged_to_their_programs() {
    let base = env();
    let cache = celd_cache::ProgramCache::new(celd_cache::CacheConfig {
        max_bytes: 4 << 20,
        max_env_bytes: 2 << 20,
        ..celd_cache::CacheConfig::default()
    });
    let int = celd::Type::Int;
    // A request declaring one variable with a 100 KB name, each a new environment.
    for i in 0..100 {
        let name = format!("v{i}_{}", "n".repeat(100_000));
        let derived = cache
            .derive_env(&base, None, [(name.as_str(), &int)])
            .expect("builds");
        cache.get_or_compile(&derived, "x + 1").expect("compiles");
    }
    cache.run_pending_tasks();
    let stats = cache.stats();
    assert!(stats.derived_env_bytes <= 2 << 20, "{stats:?}");
    // Each weighs about 300 KB (two copies of the name, and the memo key).
    assert!(
        stats.derived_envs >= 4 && stats.derived_envs < 8,
        "{stats:?}"
    );
    assert!(stats.bytes_held <= 4 << 20, "{stats:?}");
    // Each program is charged for the environment it keeps alive: 300 KB, not 2.
    let inventory = cache.inventory(SortBy::Bytes);
    assert!(inventory.iter().all(|p| p.bytes > 200_000), "{inventory:?}");
    assert!(inventory.len() < 21, "{}", inventory.len());
}

#[test]
fn at_most_max_envs_environments_are_remembered() {
    let base = env();
    let cache = celd_cache::ProgramCache::new(celd_cache::CacheConfig {
        max_envs: 8,
        ..celd_cache::CacheConfig::default()
    });
    let int = celd::Type::Int;
    for i in 0..100 {
        let name = format!("v{i}");
        cache
            .derive_env(&base, None, [(name.as_str(), &int)])
            .expect("builds");
    }
    cache.run_pending_tasks();
    assert!(cache.stats().derived_envs <= 8, "{:?}", cache.stats());
}

#[test]
fn a_hot_program_survives_a_flood_of_one_off_templates_longer_than_its_last_use() {
    let env = env();
    // Room for a few hundred small programs.
    let cache = cache_of(256 * 1024);
    for k in 0..50_000 {
        cache
            .get_or_compile(&env, &format!("x * 3 + {k}"))
            .expect("compiles");
    }
    cache.run_pending_tasks();
    for i in 0..20_000 {
        cache.get_or_compile(&env, &distinct(i)).expect("compiles");
    }
    cache.run_pending_tasks();
    let before = cache.stats();
    assert!(before.bytes_held <= before.max_bytes, "{before:?}");
    assert!(before.first_sightings > 19_000, "{before:?}");
    let hot = cache.get_if_cached(&env, "x * 3 + 99").expect("parses");
    assert!(
        hot.is_some(),
        "the hot template was evicted by one-off templates"
    );
    assert_eq!(cache.stats().hits, before.hits + 1);
}

#[test]
fn a_template_seen_twice_in_a_full_cache_passes_the_doorkeeper() {
    let env = env();
    let cache = cache_of(64 * 1024);
    // Fill the cache until the doorkeeper turns a first sighting away.
    let turned_away = (0..2000)
        .map(distinct)
        .find(|text| {
            cache.get_or_compile(&env, text).expect("compiles");
            cache.stats().first_sightings > 0
        })
        .expect("the cache fills up");
    assert!(
        cache
            .get_if_cached(&env, &turned_away)
            .expect("parses")
            .is_none()
    );
    let before = cache.stats();
    // The second sighting is offered to moka (whose frequency sketch decides), not turned away.
    cache.get_or_compile(&env, &turned_away).expect("compiles");
    cache.run_pending_tasks();
    let after = cache.stats();
    assert_eq!(after.first_sightings, before.first_sightings);
    assert_eq!(after.compilations, before.compilations + 1);
    assert!(after.bytes_held <= after.max_bytes);
}
