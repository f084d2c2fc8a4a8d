//! Entry weights against a counting allocator: `Program::heap_size()` and a cache entry's
//! weight must be within ±25 % of the bytes the allocator really hands out for them; and a
//! cache hit allocates nothing beyond what parsing allocates.
//!
//! Its own test binary with one test: the global allocator counts every thread, so nothing
//! else may run beside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use celd::{Env, Type};
use celd_cache::{CacheConfig, ProgramCache};

/// Counts live bytes as glibc's malloc spends them: a chunk of the request plus an 8-byte
/// header, rounded up to 16, at least 32.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ALLOCATIONS: AtomicIsize = AtomicIsize::new(0);

fn chunk(size: usize) -> isize {
    ((size + 8).div_ceil(16) * 16).max(32) as isize
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        LIVE.fetch_add(chunk(layout.size()), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(chunk(layout.size()), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(chunk(new_size) - chunk(layout.size()), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

fn env() -> Env {
    Env::builder()
        .all_extensions()
        .variable("x", Type::Int)
        .variable("s", Type::String)
        .variable("m", Type::map(Type::String, Type::Int))
        .variable("items", Type::list(Type::map(Type::String, Type::Dyn)))
        .build()
        .expect("builds")
}

const EXPRESSIONS: &[&str] = &[
    "x + 1",
    "x * 2 + 3 > 10 && s.startsWith('abc')",
    "items.filter(i, i.price > 10.0).map(i, i.name)",
    "s.matches('^[a-z]+@[a-z]+\\\\.com$') || s.contains('admin')",
    "s.matches('^(\\\\w+)@(\\\\w+)\\\\.(com|org|net)$')",
    "s.matches('(foo|bar|baz)+\\\\d{3}') && x > 2",
    "x in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]",
    "{'alpha': x, 'beta': x + 1, 'gamma': m.size()}",
    "'%s has %d items'.format([s, x])",
    "m.exists(k, k.startsWith('a') && m[k] > 3) ? 'yes' : 'no'",
];

fn within(measured: f64, real: f64) -> bool {
    (measured - real).abs() <= 0.25 * real
}

/// Each expression's cache entry, after one evaluation (a pattern's search cache grows at its
/// first match), against what the allocator holds for it: the same text in 50 environments,
/// so the map's occasional table growth averages out.
fn program_weights_are_real(env: &Env) {
    const COPIES: usize = 50;
    let envs: Vec<Env> = (0..COPIES)
        .map(|_| env.to_builder().build().expect("builds"))
        .collect();
    let cache = ProgramCache::new(CacheConfig::default());
    // Warm the cache's own structures, and its memo of each environment's signature.
    for i in 0..200 {
        drop(cache.get_or_compile(env, &format!("m.w{i} + x")));
    }
    for env in &envs {
        drop(cache.get_or_compile(env, "m.warm + x"));
    }
    for text in EXPRESSIONS {
        cache.run_pending_tasks();
        let (before, bytes_before) = (live(), cache.stats().bytes_held);
        for env in &envs {
            let mut vars = env.activation();
            vars.insert("x", 3).insert("s", "abc@example.com");
            let bound = cache.get_or_compile(env, text).expect("compiles");
            let _ = bound.eval(&vars);
        }
        cache.run_pending_tasks();
        let real = (live() - before) as f64 / COPIES as f64;
        let measured = (cache.stats().bytes_held - bytes_before) as f64 / COPIES as f64;
        eprintln!("{measured:>8.0} weight {real:>8.0} allocated  {text}");
        assert!(
            within(measured, real),
            "{text}: weight {measured} vs allocator {real}"
        );
    }
}

/// `Program::heap_size()` alone (compiled patterns are weighed after a first match: below).
fn heap_sizes_are_real(env: &Env) {
    for text in EXPRESSIONS.iter().filter(|t| !t.contains("matches")) {
        drop(env.compile(text).expect("compiles"));
        let before = live();
        let program = env.compile(text).expect("compiles");
        let real = (live() - before) as f64;
        let measured = program.heap_size() as f64;
        eprintln!("{measured:>8} heap_size {real:>8} allocated  {text}");
        assert!(
            within(measured, real),
            "{text}: heap_size {measured} vs allocator {real}"
        );
    }
}

fn entry_weights_are_real(env: &Env) {
    let cache = ProgramCache::new(CacheConfig::default());
    // Warm the cache's own structures and this thread's buffers.
    for i in 0..50 {
        drop(cache.get_or_compile(env, &format!("m.w{i} + x")));
    }
    cache.run_pending_tasks();
    let (bytes_before, live_before) = (cache.stats().bytes_held, live());
    for i in 0..2000 {
        let text = format!("m.f{i} * 2 + x > 10 && s.startsWith('p')");
        drop(cache.get_or_compile(env, &text).expect("compiles"));
    }
    cache.run_pending_tasks();
    let real = (live() - live_before) as f64;
    let measured = (cache.stats().bytes_held - bytes_before) as f64;
    eprintln!("{measured:>8} measured {real:>8} allocated  2000 cache entries");
    assert!(
        within(measured, real),
        "2000 entries: weights {measured} vs allocator {real}"
    );
}

/// Allocations made by `f`.
fn allocations(f: impl FnOnce()) -> isize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    f();
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

/// A hit allocates what parsing allocates and nothing more: the key is built in a reused
/// buffer and looked up by reference, numeric parameters live inline.
fn hits_allocate_only_what_parsing_does(env: &Env) {
    let cache = ProgramCache::new(CacheConfig::default());
    drop(cache.get_or_compile(env, "x + 1 > 2 && s.size() < 3"));
    let text = "x + 41 > 7 && s.size() < 12";
    drop(cache.get_or_compile(env, text));
    let parse = allocations(|| drop(env.parse(text)));
    let hit = allocations(|| drop(cache.get_or_compile(env, text)));
    assert_eq!(
        hit, parse,
        "a hit allocates {hit} times, parsing {parse} times"
    );
    assert_eq!(cache.stats().compilations, 1);
}

/// Derived environments as the memo weighs them, against the allocator: small declarations,
/// and long names with composite types.
fn derived_env_weights_are_real(env: &Env) {
    let int = Type::Int;
    // Types as a request's declarations bring them: each parsed on its own.
    let nested = || Type::list(Type::map(Type::String, Type::list(Type::Int)));
    for (n_decls, name_len, composite) in [
        (20, 4, false),
        (200, 60, true),
        (5, 10_000, false),
        (5_000, 4, false),
    ] {
        let cache = ProgramCache::new(CacheConfig {
            max_env_bytes: 1 << 30,
            ..CacheConfig::default()
        });
        // Warm the memo's own structures.
        for i in 0..20 {
            let name = format!("warm{i}");
            drop(cache.derive_env(env, None, [(name.as_str(), &int)]));
        }
        let (before, bytes_before) = (live(), cache.stats().derived_env_bytes);
        for copy in 0..20 {
            let decls: Vec<(String, Type)> = (0..n_decls)
                .map(|i| {
                    let ty = if composite { nested() } else { Type::Int };
                    (format!("{copy}_{i}_{}", "n".repeat(name_len)), ty)
                })
                .collect();
            let decls = decls.iter().map(|(n, t)| (n.as_str(), t));
            drop(cache.derive_env(env, None, decls).expect("builds"));
        }
        let real = (live() - before) as f64 / 20.0;
        let measured = (cache.stats().derived_env_bytes - bytes_before) as f64 / 20.0;
        eprintln!("{measured:>8.0} weight {real:>8.0} allocated  env of {n_decls} x {name_len}");
        assert!(
            within(measured, real),
            "{n_decls} declarations: weight {measured} vs allocator {real}"
        );
    }
}

/// Large keys do not outlive their entries: distinct 90 KB templates and environments
/// declaring 900 KB names hold the budgets and no more, however many came before (the
/// cache's maps hold on to let-go keys for a while, so the keys must be small).
fn large_keys_stay_within_the_budget(env: &Env) {
    let budget = 4 << 20;
    let cache = ProgramCache::new(CacheConfig {
        max_bytes: budget,
        max_env_bytes: budget,
        ..CacheConfig::default()
    });
    let before = live();
    for i in 0..400 {
        let expr = format!("m.f{i}_{} == 1", "n".repeat(90_000));
        drop(cache.get_or_compile(env, &expr).expect("compiles"));
    }
    for i in 0..60 {
        let name = format!("v{i}_{}", "n".repeat(900_000));
        drop(cache.derive_env(env, None, [(name.as_str(), &Type::Int)]));
    }
    cache.run_pending_tasks();
    let held = live() - before;
    eprintln!("{held} bytes held after 36 MB of templates and 54 MB of names");
    // Both budgets, and room for what the maps defer freeing.
    assert!(held < 3 * budget as isize, "{held} bytes held");
}

#[test]
fn weights_and_hit_allocations_match_the_allocator() {
    let env = env();
    hits_allocate_only_what_parsing_does(&env);
    heap_sizes_are_real(&env);
    program_weights_are_real(&env);
    entry_weights_are_real(&env);
    derived_env_weights_are_real(&env);
    large_keys_stay_within_the_budget(&env);
}
