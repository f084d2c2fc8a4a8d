//! The stats snapshot, the inventory and program dumps.

use celd_cache::{ProgramId, SortBy};

use crate::support::{cache, env, vars};

#[test]
fn the_stats_snapshot_counts_everything() {
    let env = env();
    let vars = vars(&env);
    let cache = cache();
    for k in 0..10 {
        let bound = cache.get_or_compile(&env, &format!("x + {k}")).expect("ok");
        assert!(bound.eval(&vars).is_ok());
    }
    cache.get_or_compile(&env, "s.size() > 2").expect("ok");
    cache.run_pending_tasks();
    let stats = cache.stats();
    assert_eq!(stats.compilations, 2);
    assert_eq!(stats.hits, 9);
    assert_eq!(stats.misses, 2);
    assert_eq!(stats.programs_loaded, 2);
    assert_eq!(stats.evictions, 0);
    assert_eq!(stats.storms, 0);
    assert!(
        stats.bytes_held > 0 && stats.bytes_held < 16 * 1024,
        "{stats:?}"
    );
    assert_eq!(stats.max_bytes, 64 * 1024 * 1024);
    assert_eq!(stats.compile_duration.count, 2);
    let last = stats.compile_duration.buckets.last().expect("buckets");
    assert_eq!(last.cumulative_count, 2);
    assert!(stats.compile_duration.sum_seconds > 0.0);

    let text = stats.to_prometheus();
    for line in [
        "celd_programs_loaded 2",
        "celd_compilations_total 2",
        "celd_cache_hits_total 9",
        "celd_cache_misses_total 2",
        "celd_cache_evictions_total 0",
        "celd_compile_storms_total 0",
        "celd_compile_duration_seconds_bucket{le=\"+Inf\"} 2",
        "celd_compile_duration_seconds_count 2",
        "# TYPE celd_program_cache_bytes gauge",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[test]
fn the_inventory_sorts_by_hits_bytes_and_age() {
    let env = env();
    let cache = cache();
    let texts = ["x + 1", "s.size() > 3", "l.map(i, i * 2)"];
    for (n, text) in texts.iter().enumerate() {
        for _ in 0..=n * 3 {
            cache.get_or_compile(&env, text).expect("ok");
        }
    }
    let by_hits = cache.inventory(SortBy::Hits);
    let hits: Vec<u64> = by_hits.iter().map(|p| p.hits).collect();
    assert_eq!(hits, vec![6, 3, 0]);
    assert_eq!(by_hits[0].template, "l.map(i, i * $0)");
    assert_eq!(by_hits[0].result_type, "list(int)");
    assert_eq!(by_hits[0].params, 1);
    let by_bytes = cache.inventory(SortBy::Bytes);
    assert!(by_bytes.windows(2).all(|w| w[0].bytes >= w[1].bytes));
    let by_age = cache.inventory(SortBy::Age);
    assert!(by_age.windows(2).all(|w| w[0].age >= w[1].age));
    assert_eq!(by_age[0].template, "x + $0");
    let id: ProgramId = by_hits[1].id.to_string().parse().expect("ids round-trip");
    assert_eq!(
        cache.program_info(id).map(|p| p.template),
        Some("s.size() > $0".into())
    );
    assert_eq!("bytes".parse(), Ok(SortBy::Bytes));
}

#[test]
fn a_dump_shows_template_slots_types_and_plan() {
    let env = env();
    let text = "items.filter(i, i.price > 10.0).map(i, i.name)";
    let dump = celd_cache::dump(&env, text).expect("dumps");
    assert_eq!(
        dump.template,
        "items.filter(i, i.price > $0).map(i, i.name)"
    );
    assert_eq!(dump.result_type, "list(dyn)");
    assert_eq!(dump.slots.len(), 1);
    let slot = &dump.slots[0];
    assert_eq!(
        (slot.ty, slot.value.as_str(), slot.line, slot.column),
        ("double", "10.0", 1, 27)
    );
    assert!(dump.checked.contains("$0~double"), "{}", dump.checked);
    assert!(
        dump.checked
            .contains("items~list(map(string, dyn)).filter(i, "),
        "{}",
        dump.checked
    );
    assert!(dump.plan.contains("filter"), "{}", dump.plan);
    assert!(dump.plan.contains("param $0"), "{}", dump.plan);
    let printed = dump.to_string();
    assert!(printed.starts_with("program "), "{printed}");
    assert!(printed.contains("parameters:\n  $0"), "{printed}");

    let cache = cache();
    let id = cache.get_or_compile(&env, text).expect("compiles").id();
    assert_eq!(id, dump.id);
    let from_cache = cache.dump(id).expect("live").expect("dumps");
    assert_eq!(from_cache, dump);
    assert!(cache.dump("000000000000".parse().expect("an id")).is_none());
}

#[test]
fn every_program_is_dumped_in_one_walk() {
    let cache = celd_cache::ProgramCache::default();
    let env = crate::support::env();
    for text in ["x + 1", "s.contains('a')", "[x, x].map(i, i * 2)"] {
        cache.get_or_compile(&env, text).unwrap();
    }
    cache.run_pending_tasks();
    let mut dumped: Vec<(String, String)> = cache
        .dumps()
        .map(|(info, dump)| {
            let dump = dump.unwrap();
            assert_eq!(info.id, dump.id);
            assert!(dump.plan.contains(" 1  "), "{}", dump.plan);
            (info.template, dump.template)
        })
        .collect();
    dumped.sort();
    let templates: Vec<&str> = dumped.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        templates,
        ["[x, x].map(i, i * $0)", "s.contains($0)", "x + $0"]
    );
    assert!(dumped.iter().all(|(info, dump)| info == dump));
}
