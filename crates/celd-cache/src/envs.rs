//! Derived environments, remembered: requests that bring their own declarations (the HTTP
//! API's `decls`) get the same [`Env`] — and so the same `Env::id()` in program keys — for the
//! same declarations, instead of a new environment and a cache miss every time.

use std::cell::RefCell;
use std::fmt::Write;

use celd::{Env, Error, Type};
use smallvec::SmallVec;

use crate::cache::ProgramCache;

pub(crate) struct EnvMemo {
    envs: moka::sync::Cache<Box<str>, Env, foldhash::fast::RandomState>,
}

impl EnvMemo {
    pub fn new(max_envs: u64) -> EnvMemo {
        EnvMemo {
            envs: moka::sync::Cache::builder()
                .max_capacity(max_envs)
                .build_with_hasher(foldhash::fast::RandomState::default()),
        }
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
    /// programs compiled in it are found again. At most `CacheConfig::max_envs` are kept.
    pub fn derive_env<'a>(
        &self,
        base: &Env,
        container: Option<&str>,
        variables: impl IntoIterator<Item = (&'a str, &'a Type)>,
    ) -> Result<Env, Error> {
        let decls = normalized(variables);
        let cached = KEY
            .try_with(|key| {
                let mut key = key.try_borrow_mut().ok()?;
                write_key(&mut key, base, container, &decls);
                self.envs.envs.get(key.as_str())
            })
            .ok()
            .flatten();
        if let Some(env) = cached {
            return Ok(env);
        }
        let mut key = String::new();
        write_key(&mut key, base, container, &decls);
        self.envs
            .envs
            .try_get_with(key.into_boxed_str(), || build_env(base, container, &decls))
            .map_err(|e| (*e).clone())
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
