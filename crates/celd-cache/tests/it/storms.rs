//! Compile-storm warnings: on for structurally distinct expressions and for a churning
//! template, off for literals that only differ in value.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use celd_cache::{
    CacheConfig, Clock, MAX_RECENT_STORMS, ManualTime, ProgramCache, StormConfig, StormKind,
};

use crate::support::env;

fn storm_cache() -> (ProgramCache, ManualTime) {
    let (clock, time) = Clock::manual();
    let cache = ProgramCache::new(CacheConfig {
        storm: StormConfig {
            compilations_per_second: 5,
            template_compilations: 4,
            window: Duration::from_secs(3),
        },
        clock,
        ..CacheConfig::default()
    });
    (cache, time)
}

/// Log lines written while `f` runs on this thread.
fn warnings(f: impl FnOnce()) -> Vec<String> {
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);
    impl Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("unpoisoned").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // tracing caches each callsite's interest process-wide. While only one dispatcher is
    // registered, a callsite first reached on another test's thread (which has no subscriber)
    // is cached as "never" and this thread's subscriber would not see it. A second dispatcher,
    // alive for the whole run, makes tracing combine the interest of every registered one.
    static SECOND_DISPATCHER: std::sync::LazyLock<tracing::Dispatch> =
        std::sync::LazyLock::new(|| {
            tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default())
        });
    std::sync::LazyLock::force(&SECOND_DISPATCHER);
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(lines.0.lock().expect("unpoisoned").clone()).expect("utf-8");
    text.lines()
        .filter(|l| l.contains("WARN"))
        .map(str::to_owned)
        .collect()
}

/// Sends `per_second` requests in each of `seconds` seconds of the manual clock.
fn replay(
    cache: &ProgramCache,
    time: &ManualTime,
    seconds: u64,
    per_second: u64,
    text: impl Fn(u64) -> String,
) {
    let env = env();
    let step = Duration::from_nanos(1_000_000_000 / per_second);
    for i in 0..seconds * per_second {
        cache.get_or_compile(&env, &text(i)).expect("compiles");
        time.advance(step);
    }
}

#[test]
fn distinct_literals_of_one_template_make_no_storm() {
    let (cache, time) = storm_cache();
    let lines = warnings(|| replay(&cache, &time, 10, 50, |k| format!("x + {k}")));
    assert!(lines.is_empty(), "{lines:?}");
    let stats = cache.stats();
    assert_eq!((stats.compilations, stats.storms), (1, 0));
}

#[test]
fn structurally_distinct_expressions_make_a_storm_once_per_window() {
    let (cache, time) = storm_cache();
    let lines = warnings(|| replay(&cache, &time, 10, 10, |i| format!("m.f{i} > x")));
    // The streak of full seconds reaches the 3-second window at seconds 3, 6 and 9.
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines[0].contains("compile storm"), "{}", lines[0]);
    assert!(lines[0].contains("distinct_templates"), "{}", lines[0]);
    assert!(lines[0].contains("m.f"), "names the template: {}", lines[0]);
    assert!(lines[0].contains("programs_loaded="), "{}", lines[0]);
    assert_eq!(cache.stats().storms, 3);
}

#[test]
fn a_template_recompiled_after_eviction_is_churn() {
    let (cache, time) = storm_cache();
    let env = env();
    let lines = warnings(|| {
        for k in 0..6 {
            cache
                .get_or_compile(&env, &format!("s.contains('{k}')"))
                .expect("compiles");
            // Stand-in for eviction under memory pressure.
            cache.clear();
            time.advance(Duration::from_millis(100));
        }
    });
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("template_churn"), "{}", lines[0]);
    assert!(lines[0].contains("s.contains($0)"), "{}", lines[0]);
    assert_eq!(cache.stats().storms, 1);
    assert_eq!(cache.stats().compilations, 6);
}

#[test]
fn recent_warnings_are_kept_newest_first_with_the_template_they_named() {
    let (cache, time) = storm_cache();
    let env = env();
    for k in 0..4 {
        cache
            .get_or_compile_from(&env, &format!("s.contains('{k}')"), Some("rules.yaml"))
            .expect("compiles");
        cache.clear();
        time.advance(Duration::from_millis(100));
    }
    replay(&cache, &time, 4, 10, |i| format!("m.f{i} > x"));
    let recent = cache.recent_storms();
    assert_eq!(recent.len() as u64, cache.stats().storms, "{recent:#?}");
    assert_eq!(recent.len(), 2, "{recent:#?}");
    let (newest, oldest) = (&recent[0], &recent[1]);
    assert_eq!(newest.kind, StormKind::DistinctTemplates);
    assert!(newest.template.starts_with("m.f"), "{}", newest.template);
    assert_eq!(
        newest.compilations, 30,
        "10 a second for the 3-second window"
    );
    assert_eq!(oldest.kind, StormKind::TemplateChurn);
    assert_eq!(oldest.template, "s.contains($0)");
    assert_eq!(oldest.origin.as_deref(), Some("rules.yaml"));
    assert_eq!(oldest.compilations, 4);
    assert_eq!(oldest.window, Duration::from_secs(3));
    assert!(oldest.age > newest.age, "{:?} {:?}", oldest.age, newest.age);
    // Ages grow with the clock.
    time.advance(Duration::from_secs(5));
    assert_eq!(
        cache.recent_storms()[0].age,
        newest.age + Duration::from_secs(5)
    );
}

#[test]
fn the_list_of_recent_warnings_is_bounded() {
    let (cache, time) = storm_cache();
    let env = env();
    // A churn warning per window of one template: 3 s apart, 4 compilations in each.
    for round in 0..(MAX_RECENT_STORMS as u64 + 5) {
        for k in 0..4 {
            cache
                .get_or_compile(&env, &format!("s.contains('{round}-{k}')"))
                .expect("compiles");
            cache.clear();
            time.advance(Duration::from_millis(10));
        }
        time.advance(Duration::from_secs(3));
    }
    assert_eq!(cache.stats().storms, MAX_RECENT_STORMS as u64 + 5);
    assert_eq!(cache.recent_storms().len(), MAX_RECENT_STORMS);
}

/// The capture holds when a thread without a subscriber reached the warning first, as a
/// test running in parallel does.
#[test]
fn a_warning_first_reached_on_another_thread_is_still_captured() {
    let (cache, time) = storm_cache();
    let lines = warnings(|| {
        std::thread::spawn(|| {
            let (c, t) = storm_cache();
            replay(&c, &t, 4, 10, |i| format!("m.g{i} > x"));
        })
        .join()
        .expect("the other thread finishes");
        replay(&cache, &time, 10, 10, |i| format!("m.f{i} > x"))
    });
    assert_eq!(lines.len(), 3, "{lines:#?}");
}
