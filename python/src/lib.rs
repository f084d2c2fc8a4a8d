//! `celd._celd`: the extension module behind the `celd` Python package.
//!
//! The Python package (`celd/__init__.py`) re-exports what is defined here and adds the parts
//! that are plain Python (exception classes, `UInt`, `Optional`, type hints to CEL types).
//! Everything here uses the engine only through the `celd` and `celd-cache` crates' public API.

mod cache;
mod convert;
mod env;
mod errors;
mod functions;
mod json;
mod messages;
mod program;

use pyo3::prelude::*;

/// The module's own Rust allocations (its ASTs, plans and values) go to mimalloc: evaluations
/// that convert many Python values (100 dicts) run about a sixth faster than with glibc's
/// allocator; compiling and small evaluations take the same time (python/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
fn _celd(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<env::Env>()?;
    m.add_class::<program::Program>()?;
    m.add_class::<cache::ProgramCache>()?;
    m.add_class::<messages::Message>()?;
    m.add_class::<messages::Enum>()?;
    m.add_function(wrap_pyfunction!(cache::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(json::from_json, m)?)?;
    m.add_function(wrap_pyfunction!(json::to_json, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
