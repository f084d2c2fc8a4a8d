//! Fuzz target: evaluation through the program cache (literals hoisted into parameters, one
//! program shared by every text of a template) must agree with compiling the text directly.
#![no_main]

use std::sync::LazyLock;

use celd_cache::{CacheConfig, ProgramCache};
use celd_fuzz::{ENV, activation, comparable, eval, limits};
use libfuzzer_sys::fuzz_target;

/// One cache for the whole run, so texts that share a template share its program.
static CACHE: LazyLock<ProgramCache> = LazyLock::new(|| ProgramCache::new(CacheConfig::default()));

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let act = activation();
    let limits = limits();
    let direct = ENV.compile(&text);
    let cached = CACHE.get_or_compile(&ENV, &text);
    match (direct, cached) {
        (Ok(direct), Ok(cached)) => {
            let a = comparable(&eval(&direct, &act, &limits));
            let options = celd::EvalOptions {
                limits: Some(&limits),
                deadline: Some(std::time::Instant::now() + std::time::Duration::from_millis(100)),
                ..celd::EvalOptions::default()
            };
            let b = comparable(&cached.eval_with(&act, &options));
            if let (Some(a), Some(b)) = (&a, &b) {
                let limit = "error of kind limit";
                if a != limit && b != limit {
                    assert_eq!(
                        a,
                        b,
                        "{text}: direct vs cached (template {})",
                        cached.template()
                    );
                }
            }
        }
        (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{text}: {a} vs {b}"),
        (Ok(_), Err(e)) => panic!("{text}: compiles directly but not through the cache: {e}"),
        (Err(e), Ok(_)) => panic!("{text}: compiles through the cache but not directly: {e}"),
    }
});
