//! [`CacheStats`]: every counter and gauge of a cache read at one moment, with the metric
//! names of the design (§6) and a Prometheus text rendering for the service to export.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::counters::{Histogram, HistogramSnapshot, StripedCounter};

/// Metric names, as the service exports them.
pub mod names {
    pub const PROGRAMS_LOADED: &str = "celd_programs_loaded";
    pub const PROGRAM_CACHE_BYTES: &str = "celd_program_cache_bytes";
    pub const COMPILATIONS: &str = "celd_compilations_total";
    pub const CACHE_HITS: &str = "celd_cache_hits_total";
    pub const CACHE_MISSES: &str = "celd_cache_misses_total";
    pub const CACHE_EVICTIONS: &str = "celd_cache_evictions_total";
    pub const COMPILE_STORMS: &str = "celd_compile_storms_total";
    pub const COMPILE_DURATION: &str = "celd_compile_duration_seconds";
    pub const PROGRAMS_UNCACHED: &str = "celd_programs_uncached_total";
    pub const RAW_TEXT_HITS: &str = "celd_cache_raw_text_hits_total";
    pub const FIRST_SIGHTINGS: &str = "celd_cache_first_sightings_total";
    pub const DERIVED_ENVS: &str = "celd_derived_envs";
    pub const DERIVED_ENV_BYTES: &str = "celd_derived_env_bytes";
}

/// The live counters, shared with moka's eviction listener.
#[derive(Default)]
pub(crate) struct Counters {
    pub programs_loaded: AtomicU64,
    pub bytes_held: AtomicU64,
    pub compilations: AtomicU64,
    pub compile_failures: AtomicU64,
    pub hits: StripedCounter,
    pub raw_hits: StripedCounter,
    pub misses: StripedCounter,
    pub evictions: AtomicU64,
    pub storms: AtomicU64,
    pub uncached: AtomicU64,
    pub first_sightings: AtomicU64,
    pub compile_duration: Histogram,
}

impl Counters {
    pub fn loaded(&self, weight: u32) {
        self.programs_loaded.fetch_add(1, Ordering::Relaxed);
        self.bytes_held
            .fetch_add(u64::from(weight), Ordering::Relaxed);
    }

    pub fn unloaded(&self, weight: u32) {
        self.programs_loaded.fetch_sub(1, Ordering::Relaxed);
        self.bytes_held
            .fetch_sub(u64::from(weight), Ordering::Relaxed);
    }

    pub fn snapshot(&self, max_bytes: u64, envs: (u64, u64)) -> CacheStats {
        CacheStats {
            uncached: self.uncached.load(Ordering::Relaxed),
            first_sightings: self.first_sightings.load(Ordering::Relaxed),
            derived_envs: envs.0,
            derived_env_bytes: envs.1,
            programs_loaded: self.programs_loaded.load(Ordering::Relaxed),
            bytes_held: self.bytes_held.load(Ordering::Relaxed),
            max_bytes,
            compilations: self.compilations.load(Ordering::Relaxed),
            compile_failures: self.compile_failures.load(Ordering::Relaxed),
            hits: self.hits.get(),
            raw_hits: self.raw_hits.get(),
            misses: self.misses.get(),
            evictions: self.evictions.load(Ordering::Relaxed),
            storms: self.storms.load(Ordering::Relaxed),
            compile_duration: self.compile_duration.snapshot(),
        }
    }
}

/// A cache's counters and gauges at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheStats {
    /// Programs in the cache now (`celd_programs_loaded`).
    pub programs_loaded: u64,
    /// Bytes those programs hold, by their measured weight (`celd_program_cache_bytes`).
    pub bytes_held: u64,
    /// The configured budget.
    pub max_bytes: u64,
    /// Successful compilations (`celd_compilations_total`).
    pub compilations: u64,
    /// Compilations that failed to parse-check or plan (not cached; each retry compiles again).
    pub compile_failures: u64,
    /// Lookups that found their template compiled (`celd_cache_hits_total`).
    pub hits: u64,
    /// Lookups that did not (`celd_cache_misses_total`); concurrent misses on one key compile once.
    pub misses: u64,
    /// Of the hits, those found by the request's exact text, before any parsing
    /// (`celd_cache_raw_text_hits_total`).
    pub raw_hits: u64,
    /// Programs removed to stay within the budget (`celd_cache_evictions_total`).
    pub evictions: u64,
    /// Compile storms warned about (`celd_compile_storms_total`).
    pub storms: u64,
    /// Compile time per successful compilation (`celd_compile_duration_seconds`).
    pub compile_duration: HistogramSnapshot,
    /// Programs compiled but too large to keep (over `CacheConfig::max_entry_fraction` of the
    /// budget): evaluated for their request and dropped (`celd_programs_uncached_total`).
    pub uncached: u64,
    /// Templates compiled while the cache was full and seen for the first time: evaluated for
    /// their request and not cached, so one-off expressions do not evict programs in use
    /// (`celd_cache_first_sightings_total`). Their second sighting is cached.
    pub first_sightings: u64,
    /// Derived environments remembered (`celd_derived_envs`) and the bytes they hold
    /// (`celd_derived_env_bytes`).
    pub derived_envs: u64,
    pub derived_env_bytes: u64,
}

impl CacheStats {
    /// The metrics in the Prometheus text exposition format.
    pub fn to_prometheus(&self) -> String {
        let mut out = String::new();
        let gauges = [
            (
                names::PROGRAMS_LOADED,
                "Programs in the program cache.",
                self.programs_loaded,
            ),
            (
                names::PROGRAM_CACHE_BYTES,
                "Bytes held by cached programs.",
                self.bytes_held,
            ),
            (
                names::DERIVED_ENVS,
                "Environments derived from request declarations and remembered.",
                self.derived_envs,
            ),
            (
                names::DERIVED_ENV_BYTES,
                "Bytes held by remembered derived environments.",
                self.derived_env_bytes,
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        let counters = [
            (
                names::COMPILATIONS,
                "Expressions compiled.",
                self.compilations,
            ),
            (names::CACHE_HITS, "Program cache hits.", self.hits),
            (names::CACHE_MISSES, "Program cache misses.", self.misses),
            (
                names::RAW_TEXT_HITS,
                "Program cache hits found by exact text, before parsing.",
                self.raw_hits,
            ),
            (
                names::CACHE_EVICTIONS,
                "Programs evicted from the cache.",
                self.evictions,
            ),
            (
                names::COMPILE_STORMS,
                "Compile storms detected.",
                self.storms,
            ),
            (
                names::PROGRAMS_UNCACHED,
                "Programs too large to cache, evaluated and dropped.",
                self.uncached,
            ),
            (
                names::FIRST_SIGHTINGS,
                "Templates first seen while the cache was full, evaluated and not cached.",
                self.first_sightings,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        }
        let name = names::COMPILE_DURATION;
        let _ = writeln!(
            out,
            "# HELP {name} Time to compile one expression.\n# TYPE {name} histogram"
        );
        for bucket in &self.compile_duration.buckets {
            let le = if bucket.upper_bound.is_infinite() {
                "+Inf".to_owned()
            } else {
                bucket.upper_bound.to_string()
            };
            let _ = writeln!(
                out,
                "{name}_bucket{{le=\"{le}\"}} {}",
                bucket.cumulative_count
            );
        }
        let _ = writeln!(out, "{name}_sum {}", self.compile_duration.sum_seconds);
        let _ = writeln!(out, "{name}_count {}", self.compile_duration.count);
        out
    }
}
