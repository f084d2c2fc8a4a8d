//! Compile-storm warnings: on for structurally distinct expressions and for a churning
//! template, off for literals that only differ in value.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use celd_cache::{CacheConfig, Clock, ManualTime, ProgramCache, StormConfig};

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
