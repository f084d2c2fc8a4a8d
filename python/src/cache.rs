//! `celd.ProgramCache` and the module-level one behind `celd.evaluate`.

use std::sync::LazyLock;

use celd::Type;
use celd_cache::{CacheConfig, SortBy};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::env::Env;
use crate::errors::to_py_err;
use crate::program::Program;

/// A byte-bounded cache of compiled programs: `x + 1` and `x + 2` share one program.
#[pyclass(frozen, module = "celd")]
pub struct ProgramCache {
    cache: celd_cache::ProgramCache,
}

#[pymethods]
impl ProgramCache {
    /// A cache holding programs of at most `max_bytes` (64 MiB by default).
    #[new]
    #[pyo3(signature = (max_bytes=64 * 1024 * 1024))]
    fn new(max_bytes: u64) -> ProgramCache {
        let config = CacheConfig {
            max_bytes,
            ..CacheConfig::default()
        };
        ProgramCache {
            cache: celd_cache::ProgramCache::new(config),
        }
    }

    /// The program for `expression` in `env`, compiled on first use; raises `celd.CompileError`.
    #[pyo3(signature = (env, expression, *, origin=None))]
    fn compile(
        &self,
        py: Python<'_>,
        env: &Env,
        expression: &str,
        origin: Option<&str>,
    ) -> PyResult<Program> {
        let bound = py
            .detach(|| self.cache.get_or_compile_from(&env.env, expression, origin))
            .map_err(|e| to_py_err(py, &e))?;
        Ok(Program::cached(py, env.env.clone(), bound))
    }

    /// The counters: programs, bytes, hits, misses, evictions, compilations.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.cache.run_pending_tasks();
        let stats = self.cache.stats();
        let dict = PyDict::new(py);
        dict.set_item("programs", stats.programs_loaded)?;
        dict.set_item("bytes", stats.bytes_held)?;
        dict.set_item("max_bytes", stats.max_bytes)?;
        dict.set_item("hits", stats.hits)?;
        dict.set_item("misses", stats.misses)?;
        dict.set_item("evictions", stats.evictions)?;
        dict.set_item("compilations", stats.compilations)?;
        dict.set_item("compile_failures", stats.compile_failures)?;
        Ok(dict)
    }

    /// The cached programs, most hits first, each a dict (`template`, `result_type`,
    /// `params`, `hits`, `bytes`, `origin`, `age`, `idle` in seconds).
    fn programs<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.cache.run_pending_tasks();
        let mut out = Vec::new();
        for info in self.cache.inventory(SortBy::Hits) {
            let dict = PyDict::new(py);
            dict.set_item("id", info.id.to_string())?;
            dict.set_item("template", &info.template)?;
            dict.set_item("origin", &info.origin)?;
            dict.set_item("result_type", &info.result_type)?;
            dict.set_item("params", info.params)?;
            dict.set_item("hits", info.hits)?;
            dict.set_item("bytes", info.bytes)?;
            dict.set_item("compile_seconds", info.compile_time.as_secs_f64())?;
            dict.set_item("age", info.age.as_secs_f64())?;
            dict.set_item("idle", info.idle.as_secs_f64())?;
            out.push(dict);
        }
        Ok(out)
    }

    /// Removes every program.
    fn clear(&self) {
        self.cache.clear();
    }
}

/// The environment of one-shot evaluation: every extension, variables declared `dyn`.
static BASE_ENV: LazyLock<celd::Env> = LazyLock::new(|| {
    celd::Env::builder()
        .all_extensions()
        .build()
        .expect("the standard environment with every extension builds")
});

/// The cache behind `celd.evaluate` (16 MiB).
static SHARED: LazyLock<celd_cache::ProgramCache> = LazyLock::new(|| {
    celd_cache::ProgramCache::new(CacheConfig {
        max_bytes: 16 * 1024 * 1024,
        ..CacheConfig::default()
    })
});

/// Evaluates `expression` once with `variables` (each declared `dyn`), every extension
/// enabled, through a module-level program cache.
#[pyfunction]
#[pyo3(signature = (expression, variables=None, *, timeout=None))]
pub fn evaluate<'py>(
    py: Python<'py>,
    expression: &str,
    variables: Option<&Bound<'py, PyDict>>,
    timeout: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut names = Vec::new();
    if let Some(variables) = variables {
        for name in variables.keys() {
            names.push(name.cast::<PyString>()?.to_str()?.to_owned());
        }
    }
    let compiled = py.detach(|| {
        let env = SHARED.derive_env(
            &BASE_ENV,
            None,
            names.iter().map(|n| (n.as_str(), &Type::Dyn)),
        )?;
        let bound = SHARED.get_or_compile(&env, expression)?;
        Ok::<_, celd::Error>((env, bound))
    });
    let (env, bound) = compiled.map_err(|e| to_py_err(py, &e))?;
    let program = Program::cached(py, env, bound);
    let activation = program.activation(variables)?;
    program.run(py, activation, timeout)
}
