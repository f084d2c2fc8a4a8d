//! The program cache: compile each expression template once, keep programs within a byte
//! budget, and make what is loaded easy to see.
//!
//! ```
//! use celd::{Env, Type, Value};
//! use celd_cache::ProgramCache;
//!
//! let env = Env::builder().variable("x", Type::Int).build().unwrap();
//! let cache = ProgramCache::default();
//! let mut vars = env.activation();
//! vars.insert("x", 40);
//!
//! let first = cache.get_or_compile(&env, "x + 1").unwrap();
//! let second = cache.get_or_compile(&env, "x + 2").unwrap();
//! assert!(std::sync::Arc::ptr_eq(first.program(), second.program())); // one program
//! assert_eq!(second.eval(&vars).unwrap(), Value::Int(42));
//! assert_eq!(cache.stats().compilations, 1);
//! assert_eq!(cache.stats().hits, 1);
//! ```
//!
//! # Auto-parameterization
//!
//! The key of a program is its *template*: the parsed expression with its literals replaced
//! by typed parameter slots, plus the environment's identity (`Env::id()`). `x + 1` and
//! `x + 2` share one program; `x + 1.0` has a slot of another type and gets its own. Each
//! lookup returns the program and the request's literal values ([`BoundProgram`]).
//! Literals whose value shapes compilation stay in the key: regular-expression patterns,
//! `format` strings, field names of `a.?b`, `null` and booleans, literals made by macro
//! expansion, and literals the planner folds (every literal of a call, list or map whose
//! children are all constants: `1 + 2`, `[1, 2]`, `timestamp('...')`). `shaping.rs` holds that
//! list; the planner and it must agree.
//!
//! # Lookup by exact text
//!
//! Before parsing, a fixed table (`raw.rs`, about 1/64 of the budget, taken from it) maps a
//! hash of the environment id and the exact text to a weak reference to the cached program
//! that text compiled, so a hit touches neither the parser nor the map; the program found
//! must hold that very text and environment, so a collision is a miss. Eviction clears the
//! slot, so the table keeps nothing alive; every 16th hit by text also reads the map (and the
//! clock), so the eviction policy still sees the program's use. Other texts of a template take
//! the parse, parameterize and template lookup path (`CacheStats::raw_hits`).
//!
//! # Budget and eviction
//!
//! The cache is bounded in bytes ([`CacheConfig::max_bytes`], 64 MiB by default). An entry
//! weighs what its program really holds (`Program::heap_size()`, a walk over the plan checked
//! against a counting allocator) plus the entry's own texts, key and map bookkeeping. Eviction
//! is moka's TinyLFU: recency and frequency. In front of it a doorkeeper keeps one-off
//! templates out of a full cache: a template first seen when keeping it would evict is compiled,
//! used for its request and not cached (`CacheStats::first_sightings`); its second sighting
//! (among the last 4096 remembered) is cached. A flood of one-off expressions, however long,
//! therefore evicts nothing (moka's sketch alone forgot a hot program within a few thousand
//! one-offs: it ages its counts and only counts once the cache is half full). Concurrent misses
//! on one key compile once.
//!
//! # Diagnosis
//!
//! [`ProgramCache::stats`] (counters and gauges, with the service's metric names in
//! [`stats::names`]), [`ProgramCache::inventory`] (live programs, sortable),
//! [`ProgramCache::dump`] and [`dump()`] (template, slots, typed expression, plan), and a
//! `tracing` warning when compilations stay high for a window ([`StormConfig`]), the latest of
//! which [`ProgramCache::recent_storms`] lists.

mod bound;
mod cache;
mod config;
mod counters;
mod doorkeeper;
mod dump;
mod entry;
mod envs;
mod inventory;
mod raw;
mod shaping;
pub mod stats;
mod storm;
mod template;

pub use bound::BoundProgram;
pub use cache::ProgramCache;
pub use config::{CacheConfig, Clock, ManualTime, StormConfig};
pub use counters::{Bucket, COMPILE_BUCKETS, HistogramSnapshot};
pub use dump::{ProgramDump, SlotInfo, dump};
pub use entry::{ParseProgramIdError, ProgramId};
pub use inventory::{ParseSortByError, ProgramInfo, SortBy};
pub use stats::CacheStats;
pub use storm::{MAX_RECENT_STORMS, StormKind, StormReport};
pub use template::{Normalizer, Params};
