//! [`ProgramCache`]: text → parse → template key → cached program, compiled once per template
//! and environment, bounded in bytes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use celd::layers::eval::PlanOptions;
use celd::layers::syntax::{Ast, ExprId};
use celd::{Env, Error};
use moka::notification::RemovalCause;
use smallvec::SmallVec;

use crate::bound::BoundProgram;
use crate::config::CacheConfig;
use crate::doorkeeper::Doorkeeper;
use crate::entry::{CachedProgram, ProgramId, stable_hash};
use crate::envs::EnvMemo;
use crate::raw::RawIndex;
use crate::stats::{CacheStats, Counters};
use crate::storm::{RecentStorms, Storm, StormDetector, StormReport};
use crate::template::{Params, Template, template_text};

type Key = Box<[u8]>;

/// The outcome of one lookup.
enum Found {
    Hit(Arc<CachedProgram>, Params),
    Miss {
        key: Key,
        slots: SmallVec<[ExprId; 4]>,
        params: Params,
    },
}
/// Programs by a 128-bit hash of their key (under random seeds); each entry keeps its key and
/// is compared with it on lookup. moka holds on to the keys of entries it has let go for a
/// while, so keys as large as the templates (up to 400 KB) were memory outside the budget:
/// 600 templates of 90 KB held 65 MiB under a 16 MiB budget, and grew with every template.
type Programs = moka::sync::Cache<u128, Arc<CachedProgram>, foldhash::fast::RandomState>;

/// A cache of compiled programs, shared by every thread of a process (`Send + Sync`).
///
/// Expressions that differ only in their literals share one program: the key is the
/// expression with literals replaced by typed parameter slots, plus the environment's
/// identity; each lookup returns the program and the request's literal values. See the crate
/// documentation for what stays in the key.
pub struct ProgramCache {
    programs: Programs,
    counters: Arc<Counters>,
    storms: StormDetector,
    recent_storms: RecentStorms,
    pub(crate) envs: EnvMemo,
    /// Templates seen once while the cache was full: a second sighting is admitted.
    doorkeeper: Doorkeeper,
    /// Exact texts to the programs they compiled, looked up before parsing.
    raw: Arc<RawIndex>,
    /// The bytes programs may hold: the budget less the raw-text index.
    program_bytes: u64,
    /// The hash of each environment's declarations, by `Env::id()`, for program ids.
    signatures: moka::sync::Cache<u64, u64, foldhash::fast::RandomState>,
    /// The seeds of the two halves of a program key's hash.
    key_seeds: [foldhash::fast::RandomState; 2],
    pub(crate) config: CacheConfig,
}

/// How many environment signatures are remembered.
const MAX_SIGNATURES: u64 = 4096;

/// A program weighing more than this fraction of the budget (with the environment it keeps
/// alive) is not cached: it is evaluated for its request and dropped, and counted
/// (`CacheStats::uncached`), so one request cannot flush the cache or hold its budget.
pub const MAX_ENTRY_FRACTION: u64 = 8;

/// Why a compilation under moka's per-key lock produced nothing to insert.
#[derive(Clone)]
enum NotCached {
    Failed(Error),
    /// Compiled, but too large to keep or first seen while the cache is full: used once.
    UsedOnce(Arc<CachedProgram>),
}

/// A program found by its exact text is looked up in the map once per this many such hits.
const RAW_HITS_PER_MAP_READ: u64 = 16;

/// What a compilation needs from the request that missed.
struct Request<'a> {
    env: &'a Env,
    ast: &'a Ast,
    /// The literals lifted into parameters.
    slots: &'a [ExprId],
    /// Their values in this request.
    params: &'a Params,
    origin: Option<&'a str>,
}

thread_local! {
    /// The template buffers of this thread, reused so a hit allocates nothing for its key.
    static SCRATCH: RefCell<Template> = RefCell::new(Template::default());
}

impl Default for ProgramCache {
    fn default() -> Self {
        ProgramCache::new(CacheConfig::default())
    }
}

impl ProgramCache {
    pub fn new(config: CacheConfig) -> ProgramCache {
        let counters = Arc::new(Counters::default());
        let listener_counters = counters.clone();
        let raw = Arc::new(RawIndex::for_budget(config.max_bytes));
        let program_bytes = config.max_bytes.saturating_sub(raw.bytes());
        let listener_raw = raw.clone();
        let programs = moka::sync::Cache::builder()
            .max_capacity(program_bytes)
            .weigher(|_key: &u128, entry: &Arc<CachedProgram>| entry.weight)
            .eviction_listener(move |_key, entry: Arc<CachedProgram>, cause| {
                listener_counters.unloaded(entry.weight);
                listener_raw.forget(&entry);
                if cause == RemovalCause::Size {
                    listener_counters.evictions.fetch_add(1, Ordering::Relaxed);
                }
            })
            .build_with_hasher(foldhash::fast::RandomState::default());
        ProgramCache {
            programs,
            counters,
            storms: StormDetector::new(config.storm.clone()),
            recent_storms: RecentStorms::default(),
            envs: EnvMemo::new(config.max_envs, config.max_env_bytes),
            doorkeeper: Doorkeeper::default(),
            raw,
            program_bytes,
            signatures: moka::sync::Cache::builder()
                .max_capacity(MAX_SIGNATURES)
                .build_with_hasher(foldhash::fast::RandomState::default()),
            key_seeds: Default::default(),
            config,
        }
    }

    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// The program for `text` in `env`, compiled on the first request of its template, and
    /// this request's parameter values.
    pub fn get_or_compile(&self, env: &Env, text: &str) -> Result<BoundProgram, Error> {
        self.get_or_compile_from(env, text, None)
    }

    /// As [`get_or_compile`](Self::get_or_compile), naming where the text came from (a rule
    /// file, an endpoint) for the inventory and compile-storm warnings.
    pub fn get_or_compile_from(
        &self,
        env: &Env,
        text: &str,
        origin: Option<&str>,
    ) -> Result<BoundProgram, Error> {
        if let Some(bound) = self.find_raw(env, text) {
            return Ok(bound);
        }
        let ast = env.parse(text)?;
        let find = |template: &mut Template| self.find(env, &ast, template);
        let found = SCRATCH
            .try_with(|scratch| scratch.try_borrow_mut().ok().map(|mut t| find(&mut t)))
            .ok()
            .flatten()
            .unwrap_or_else(|| find(&mut Template::default()));
        match found {
            Found::Hit(entry, params) => {
                self.note_text(env, text, &entry, true);
                Ok(BoundProgram::new(entry, params, ast))
            }
            Found::Miss { key, slots, params } => {
                let request = Request {
                    env,
                    ast: &ast,
                    slots: &slots,
                    params: &params,
                    origin,
                };
                let (entry, in_map) = self.compile_once(&request, key)?;
                self.note_text(env, text, &entry, in_map);
                Ok(BoundProgram::new(entry, params, ast))
            }
        }
    }

    /// The program for `text` in `env` if its template is compiled already: a parse and a
    /// lookup that never compiles (for a caller that must not spend a compilation's time
    /// where it is). `None` is not counted as a miss: the caller compiles next.
    pub fn get_if_cached(&self, env: &Env, text: &str) -> Result<Option<BoundProgram>, Error> {
        if let Some(bound) = self.find_raw(env, text) {
            return Ok(Some(bound));
        }
        let ast = env.parse(text)?;
        let find = |template: &mut Template| self.find_hit(env, &ast, template);
        let found = SCRATCH
            .try_with(|scratch| scratch.try_borrow_mut().ok().map(|mut t| find(&mut t)))
            .ok()
            .flatten()
            .unwrap_or_else(|| find(&mut Template::default()));
        Ok(found.map(|(entry, params)| BoundProgram::new(entry, params, ast)))
    }

    /// The program compiled from exactly `text` in `env`, found without parsing and without
    /// the map; every [`RAW_HITS_PER_MAP_READ`]th such hit also reads the map, so its
    /// eviction policy still sees how often the program is used, and the clock, for the
    /// program's last use.
    fn find_raw(&self, env: &Env, text: &str) -> Option<BoundProgram> {
        let entry = self.raw.get(env.id(), text)?;
        self.counters.hits.add(1);
        self.counters.raw_hits.add(1);
        let hits = entry.hits.fetch_add(1, Ordering::Relaxed) + 1;
        if hits % RAW_HITS_PER_MAP_READ == 1 {
            entry.note_use(self.config.clock.now_nanos());
            self.programs.get(&self.key_hash(&entry.key));
        }
        Some(BoundProgram::of_own_text(entry))
    }

    /// Remembers `text` for lookups before parsing if it is the text `entry` was compiled
    /// from and the cache holds `entry`.
    fn note_text(&self, env: &Env, text: &str, entry: &Arc<CachedProgram>, in_map: bool) {
        if in_map && entry.program.source().text() == text {
            self.raw.record(env.id(), text, entry);
        }
    }

    fn find_hit(
        &self,
        env: &Env,
        ast: &Ast,
        template: &mut Template,
    ) -> Option<(Arc<CachedProgram>, Params)> {
        template.fill(ast, env);
        let entry = self.lookup(&template.key)?;
        self.counters.hits.add(1);
        entry.touch(self.config.clock.now_nanos());
        Some((entry, std::mem::take(&mut template.params)))
    }

    /// Writes the template of `ast` into the buffers and looks it up.
    fn find(&self, env: &Env, ast: &Ast, template: &mut Template) -> Found {
        template.fill(ast, env);
        let params = std::mem::take(&mut template.params);
        if let Some(entry) = self.lookup(&template.key) {
            self.counters.hits.add(1);
            entry.touch(self.config.clock.now_nanos());
            return Found::Hit(entry, params);
        }
        self.counters.misses.add(1);
        Found::Miss {
            key: template.key.as_slice().into(),
            slots: template.slots.clone(),
            params,
        }
    }

    fn key_hash(&self, key: &[u8]) -> u128 {
        use std::hash::BuildHasher;
        let [a, b] = &self.key_seeds;
        (u128::from(a.hash_one(key)) << 64) | u128::from(b.hash_one(key))
    }

    /// The cached program of exactly `key`.
    fn lookup(&self, key: &[u8]) -> Option<Arc<CachedProgram>> {
        let entry = self.programs.get(&self.key_hash(key))?;
        (*entry.key == *key).then_some(entry)
    }

    /// Compiles under moka's per-key lock: concurrent misses on one key compile once, the
    /// others wait for the program.
    /// Also says whether the cache keeps the program (false: compiled for this request only).
    fn compile_once(
        &self,
        request: &Request<'_>,
        key: Key,
    ) -> Result<(Arc<CachedProgram>, bool), Error> {
        let id = self.program_id(request.env, &key);
        let max_entry = self.config.max_bytes / MAX_ENTRY_FRACTION;
        let hash = self.key_hash(&key);
        let found = self.programs.try_get_with(hash, || {
            let entry = self.compile(request, id, &key).map_err(NotCached::Failed)?;
            if u64::from(entry.weight) > max_entry {
                self.counters.uncached.fetch_add(1, Ordering::Relaxed);
                return Err(NotCached::UsedOnce(Arc::new(entry)));
            }
            if self.would_evict(entry.weight) && !self.doorkeeper.seen_before(hash) {
                self.counters
                    .first_sightings
                    .fetch_add(1, Ordering::Relaxed);
                return Err(NotCached::UsedOnce(Arc::new(entry)));
            }
            self.counters.loaded(entry.weight);
            Ok(Arc::new(entry))
        });
        match found {
            Ok(entry) if *entry.key == *key => Ok((entry, true)),
            // Another key with the same 128-bit hash: compiled for this request only.
            Ok(_) => {
                self.counters.uncached.fetch_add(1, Ordering::Relaxed);
                Ok((Arc::new(self.compile(request, id, &key)?), false))
            }
            Err(e) => match &*e {
                NotCached::Failed(e) => Err(e.clone()),
                NotCached::UsedOnce(entry) => Ok((entry.clone(), false)),
            },
        }
    }

    /// Whether keeping `weight` more bytes would make the cache evict.
    fn would_evict(&self, weight: u32) -> bool {
        let held = self.counters.bytes_held.load(Ordering::Relaxed);
        held.saturating_add(u64::from(weight)) > self.program_bytes
    }

    fn compile(
        &self,
        request: &Request<'_>,
        id: ProgramId,
        key: &[u8],
    ) -> Result<CachedProgram, Error> {
        let Request {
            env,
            ast,
            slots,
            params,
            origin,
        } = *request;
        let clock = &self.config.clock;
        let start = clock.now_nanos();
        let compiled = compile_template(env, ast.clone(), slots);
        let end = clock.now_nanos();
        self.note_compilation(id, ast, slots, origin, end);
        let program = match compiled {
            Ok(program) => program,
            Err(e) => {
                self.counters
                    .compile_failures
                    .fetch_add(1, Ordering::Relaxed);
                return Err(e);
            }
        };
        let compile_time = Duration::from_nanos(end.saturating_sub(start));
        self.counters.compilations.fetch_add(1, Ordering::Relaxed);
        self.counters.compile_duration.record(compile_time);
        let mut entry = CachedProgram {
            key: key.into(),
            program: Arc::new(program),
            id,
            template: template_text(ast, slots).into_boxed_str(),
            env: env.clone(),
            origin: origin.map(Into::into),
            n_params: slots.len() as u32,
            first_params: params.clone(),
            weight: 0,
            compile_time,
            created: end,
            last_use: AtomicU64::new(end),
            hits: AtomicU64::new(0),
        };
        let env_bytes = self.envs.weight_of(env);
        entry.weight = entry.measure_weight().saturating_add(env_bytes);
        Ok(entry)
    }

    /// Feeds the storm detector and reports a storm it finds.
    fn note_compilation(
        &self,
        id: ProgramId,
        ast: &Ast,
        slots: &[ExprId],
        origin: Option<&str>,
        now: u64,
    ) {
        let Some(storm) = self.storms.record(now, id.as_u64()) else {
            return;
        };
        self.counters.storms.fetch_add(1, Ordering::Relaxed);
        let stats = self.stats();
        let template = template_text(ast, slots);
        let shown: String = template.chars().take(200).collect();
        let report = storm.report(shown.clone(), id, origin, &stats);
        self.recent_storms.push(now, report);
        let origin = origin.unwrap_or("unnamed");
        match storm {
            Storm::Distinct {
                per_second,
                seconds,
                ..
            } => tracing::warn!(
                target: "celd_cache::storm",
                kind = "distinct_templates",
                template = %shown,
                origin,
                program_id = %id,
                compilations_per_second = per_second,
                window_seconds = seconds,
                programs_loaded = stats.programs_loaded,
                bytes_held = stats.bytes_held,
                max_bytes = stats.max_bytes,
                evictions = stats.evictions,
                "compile storm: {per_second:.0} compilations/s of distinct templates for {seconds}s \
                 (latest: {shown}); literals are already parameterized, so the expressions \
                 themselves differ in structure"
            ),
            Storm::Churn {
                compilations,
                seconds,
            } => tracing::warn!(
                target: "celd_cache::storm",
                kind = "template_churn",
                template = %shown,
                origin,
                program_id = %id,
                compilations,
                window_seconds = seconds,
                programs_loaded = stats.programs_loaded,
                bytes_held = stats.bytes_held,
                max_bytes = stats.max_bytes,
                evictions = stats.evictions,
                "compile storm: template {shown} compiled {compilations} times in {seconds}s; \
                 its program keeps being evicted (cache {} of {} bytes)",
                stats.bytes_held,
                stats.max_bytes
            ),
        }
    }

    /// The stable id of `key` in `env`; the environment's part is hashed once per environment.
    fn program_id(&self, env: &Env, key: &[u8]) -> ProgramId {
        let signature = self.signatures.get_with(env.id(), || signature_hash(env));
        program_id(key, signature)
    }

    /// The latest compile-storm warnings (at most [`MAX_RECENT_STORMS`](crate::MAX_RECENT_STORMS)),
    /// newest first, each with the template it named and its age.
    pub fn recent_storms(&self) -> Vec<StormReport> {
        self.recent_storms.list(self.now_nanos())
    }

    /// Every counter and gauge now.
    pub fn stats(&self) -> CacheStats {
        self.counters
            .snapshot(self.config.max_bytes, self.envs.stats())
    }

    /// Finishes moka's pending bookkeeping (admissions, evictions, listener calls) so the
    /// gauges are exact; the cache also does this by itself as it is used.
    pub fn run_pending_tasks(&self) {
        self.programs.run_pending_tasks();
    }

    /// Removes every program (counted as unloaded, not as evicted).
    pub fn clear(&self) {
        self.programs.invalidate_all();
        self.programs.run_pending_tasks();
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = Arc<CachedProgram>> + '_ {
        self.programs.iter().map(|(_, entry)| entry)
    }

    pub(crate) fn now_nanos(&self) -> u64 {
        self.config.clock.now_nanos()
    }
}

/// Checks `ast` and plans it with the literals at `slots` read from the parameter vector.
pub(crate) fn compile_template(
    env: &Env,
    ast: Ast,
    slots: &[ExprId],
) -> Result<celd::Program, Error> {
    let checked = env.check_ast(ast)?;
    let params: HashMap<ExprId, u32> = slots
        .iter()
        .enumerate()
        .map(|(slot, &id)| (id, slot as u32))
        .collect();
    let options = PlanOptions {
        params,
        ..PlanOptions::default()
    };
    env.plan_checked(&checked, &options)
}

/// A program's stable id: its key without the environment id, and its environment's
/// [`signature_hash`].
pub(crate) fn program_id(key: &[u8], signature: u64) -> ProgramId {
    let structure = key.get(8..).unwrap_or_default();
    ProgramId::from_hash(stable_hash(&[structure, &signature.to_le_bytes()]))
}

/// The stable hash of what an environment declares: part of the program id, so one template
/// in two different declarations gets two ids.
pub(crate) fn signature_hash(env: &Env) -> u64 {
    stable_hash(&[env_signature(env).as_bytes()])
}

fn env_signature(env: &Env) -> String {
    let mut out = String::new();
    out.push_str(env.container());
    for ext in env.extensions() {
        out.push('|');
        out.push_str(ext.name());
    }
    for (name, ty) in env.variables() {
        out.push_str(&format!(";{name}:{ty}"));
    }
    // Host declarations: one template means another program under other functions or types.
    for o in env.host_overloads() {
        let params: Vec<String> = o.params.iter().map(ToString::to_string).collect();
        let style = if o.member { "." } else { "" };
        out.push_str(&format!(
            ";fn {style}{}/{}({})->{}",
            o.function,
            o.id,
            params.join(","),
            o.result
        ));
    }
    for name in env.host_types() {
        out.push_str(&format!(";type {name}"));
    }
    for st in env.struct_types() {
        out.push_str(&format!(";struct {}{{", st.name()));
        for (field, ty) in st.fields() {
            out.push_str(&format!("{field}:{ty},"));
        }
        out.push('}');
    }
    out
}
