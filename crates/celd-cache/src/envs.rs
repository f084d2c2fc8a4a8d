//! Derived environments, remembered: requests that bring their own declarations (the HTTP
//! API's `decls`) get the same [`Env`] — and so the same `Env::id()` in program keys — for the
//! same declarations, instead of a new environment and a cache miss every time.
//!
//! The memo is bounded in bytes as well as in count: an environment weighs what its own
//! declarations hold ([`env_bytes`]; the library tables are shared with the base), and each
//! weighs at least `max_env_bytes / max_envs`, so both bounds hold with one moka budget. One
//! larger than a quarter of the budget is built for its request and not remembered. A cached
//! program keeps its environment alive, so it is charged for it too (see `cache.rs`).
//!
//! The memo's key is a 128-bit hash of the declarations under per-process random seeds; the
//! declarations themselves are kept beside the environment and compared on every lookup.
//! moka holds on to the keys of entries it has let go for a while, so a key as large as the
//! declarations made memory grow by the key with each new environment whatever the byte
//! budget said (measured: 800 environments each declaring a 900 KB name held 490 MiB with a
//! 16 MiB budget; 31 MiB with the hash as the key).

use std::cell::RefCell;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use celd::{Env, Error, Type};
use smallvec::SmallVec;

use crate::cache::ProgramCache;
use crate::entry::allocation;

/// A remembered environment, the declarations it was built for (its key), and its weight.
#[derive(Clone)]
struct Remembered(std::sync::Arc<(Box<str>, Env, u32)>);

type Memo = moka::sync::Cache<u128, Remembered, foldhash::fast::RandomState>;

pub(crate) struct EnvMemo {
    envs: Memo,
    /// The seeds of the two halves of a key's hash.
    seeds: [foldhash::fast::RandomState; 2],
    /// The bytes of every derived environment this cache made, by `Env::id()`, so that the
    /// programs compiled in one are charged for it (remembered or not).
    weights: moka::sync::Cache<u64, u32, foldhash::fast::RandomState>,
    max_bytes: u64,
    /// Bytes held by the remembered environments (their real weights, not the floor).
    bytes: std::sync::Arc<AtomicU64>,
}

/// How many environments' weights are kept for the programs compiled in them.
const MAX_WEIGHTS: u64 = 1 << 16;

impl EnvMemo {
    pub fn new(max_envs: u64, max_bytes: u64) -> EnvMemo {
        let floor = u32::try_from(max_bytes / max_envs.max(1)).unwrap_or(u32::MAX);
        let bytes = std::sync::Arc::new(AtomicU64::new(0));
        let listener_bytes = bytes.clone();
        EnvMemo {
            envs: moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(move |_key, r: &Remembered| r.0.2.max(floor))
                .eviction_listener(move |_key, r: Remembered, _cause| {
                    listener_bytes.fetch_sub(u64::from(r.0.2), Ordering::Relaxed);
                })
                .build_with_hasher(foldhash::fast::RandomState::default()),
            weights: moka::sync::Cache::builder()
                .max_capacity(MAX_WEIGHTS)
                .build_with_hasher(foldhash::fast::RandomState::default()),
            seeds: Default::default(),
            max_bytes,
            bytes,
        }
    }

    fn hash(&self, key: &str) -> u128 {
        use std::hash::BuildHasher;
        let [a, b] = &self.seeds;
        (u128::from(a.hash_one(key)) << 64) | u128::from(b.hash_one(key))
    }

    /// The environment remembered for exactly the declarations `key`.
    fn get(&self, key: &str) -> Option<Env> {
        let found = self.envs.get(&self.hash(key))?;
        (*found.0.0 == *key).then(|| found.0.1.clone())
    }

    /// The bytes of a derived environment this cache made; 0 for any other (the caller's own
    /// environments live as long as the caller keeps them).
    pub fn weight_of(&self, env: &Env) -> u32 {
        self.weights.get(&env.id()).unwrap_or(0)
    }

    /// Remembered environments and the bytes they hold.
    pub fn stats(&self) -> (u64, u64) {
        self.envs.run_pending_tasks();
        (self.envs.entry_count(), self.bytes.load(Ordering::Relaxed))
    }

    fn remember(&self, key: Box<str>, env: Env, bytes: u32) {
        self.weights.insert(env.id(), bytes);
        if u64::from(bytes) > self.max_bytes / 4 {
            return;
        }
        self.bytes.fetch_add(u64::from(bytes), Ordering::Relaxed);
        let hash = self.hash(&key);
        self.envs
            .insert(hash, Remembered(std::sync::Arc::new((key, env, bytes))));
    }
}

thread_local! {
    static KEY: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Declarations sorted by name, the last of each name winning (as `EnvBuilder::variable` does).
fn normalized<'a>(
    variables: impl IntoIterator<Item = (&'a str, &'a Type)>,
) -> SmallVec<[(&'a str, &'a Type); 8]> {
    let mut sorted: SmallVec<[(&str, &Type); 8]> = variables.into_iter().collect();
    // Stable: among equal names the last declared stays last.
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut unique: SmallVec<[(&str, &Type); 8]> = SmallVec::new();
    for decl in sorted {
        match unique.last_mut() {
            Some(last) if last.0 == decl.0 => *last = decl,
            _ => unique.push(decl),
        }
    }
    unique
}

fn write_key(key: &mut String, base: &Env, container: Option<&str>, decls: &[(&str, &Type)]) {
    key.clear();
    let _ = write!(key, "{}\0", base.id());
    match container {
        Some(c) => {
            let _ = write!(key, "c{c}\0");
        }
        None => key.push_str("-\0"),
    }
    for (name, ty) in decls {
        let _ = write!(key, "{name}\0{ty}\0");
    }
}

impl ProgramCache {
    /// `base` with `variables` declared (later declarations of a name win) and, if given,
    /// `container`: built on the first request with these declarations and remembered, so
    /// programs compiled in it are found again. At most `CacheConfig::max_envs` are kept,
    /// holding at most `CacheConfig::max_env_bytes`.
    pub fn derive_env<'a>(
        &self,
        base: &Env,
        container: Option<&str>,
        variables: impl IntoIterator<Item = (&'a str, &'a Type)>,
    ) -> Result<Env, Error> {
        let decls = normalized(variables);
        if let Some(env) = self.remembered(base, container, &decls) {
            return Ok(env);
        }
        let mut key = String::new();
        write_key(&mut key, base, container, &decls);
        let env = build_env(base, container, &decls)?;
        let bytes = u32::try_from(env_bytes(&env) + allocation(key.len())).unwrap_or(u32::MAX);
        self.envs.remember(key.into_boxed_str(), env.clone(), bytes);
        Ok(env)
    }

    /// The environment [`derive_env`](Self::derive_env) would return, if it is remembered:
    /// a lookup that builds nothing.
    pub fn derived_env_if_remembered<'a>(
        &self,
        base: &Env,
        container: Option<&str>,
        variables: impl IntoIterator<Item = (&'a str, &'a Type)>,
    ) -> Option<Env> {
        self.remembered(base, container, &normalized(variables))
    }

    fn remembered(
        &self,
        base: &Env,
        container: Option<&str>,
        decls: &[(&str, &Type)],
    ) -> Option<Env> {
        KEY.try_with(|key| {
            let mut key = key.try_borrow_mut().ok()?;
            write_key(&mut key, base, container, decls);
            self.envs.get(key.as_str())
        })
        .ok()
        .flatten()
    }
}

fn build_env(base: &Env, container: Option<&str>, decls: &[(&str, &Type)]) -> Result<Env, Error> {
    let mut builder = base.to_builder();
    if let Some(container) = container {
        builder = builder.container(container);
    }
    for (name, ty) in decls {
        builder = builder.variable(name, (*ty).clone());
    }
    builder.build()
}

/// Bytes one declaration costs a derived environment besides its name and type: its entries
/// in the declaration list, the checker's table and the variable table with its index
/// (measured by the weight test).
const PER_DECLARATION: usize = 280;

/// What an environment's structures cost beyond its declarations (the library tables are
/// shared with the base).
const ENV_FIXED: usize = 2000;

/// The bytes a derived environment holds of its own: its declarations' tables, names and
/// types (the checker's library is shared with the environment it was derived from).
pub(crate) fn env_bytes(env: &Env) -> usize {
    let declarations: usize = env
        .variables()
        .iter()
        .map(|(name, ty)| {
            // The declaration list's copy and the checker's (the variable table shares one).
            let name = if name.is_heap_allocated() {
                2 * allocation(name.len() + 16)
            } else {
                0
            };
            PER_DECLARATION + name + type_bytes(ty)
        })
        .sum();
    ENV_FIXED + declarations
}

/// Heap bytes of a type: its shared parts (lists, maps, opaque types) and names.
fn type_bytes(ty: &Type) -> usize {
    let node = allocation(size_of::<Type>() + 16);
    match ty {
        Type::List(t) => node + type_bytes(t),
        Type::Map(kv) => node + type_bytes(&kv.0) + type_bytes(&kv.1),
        Type::TypeOf(Some(t)) => node + type_bytes(t),
        Type::Opaque(_) => node + 64,
        Type::Message(name) | Type::Enum(name) | Type::Param(name) if name.is_heap_allocated() => {
            allocation(name.len() + 16)
        }
        _ => 0,
    }
}
