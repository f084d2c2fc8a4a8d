//! `celd.Program`: a compiled expression, evaluated with the GIL released unless it is cheap.

use std::time::{Duration, Instant};

use celd::{Activation, EvalOptions, SizeHints, Value};
use celd_cache::BoundProgram;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::convert::{to_python, to_value_at};
use crate::errors::to_py_err;

/// A program compiled by an environment, or found in a program cache with this request's
/// hoisted literals.
enum Compiled {
    Direct(celd::Program),
    Cached(BoundProgram),
}

/// The most cost an evaluation may have to run with the GIL held: releasing and taking it
/// back costs more than such an evaluation, and it cannot hold other threads up for long.
const GIL_HELD_MAX_COST: u64 = 1_000;

/// A compiled CEL expression. Immutable; evaluate it from any number of threads.
#[pyclass(frozen, module = "celd")]
pub struct Program {
    env: celd::Env,
    compiled: Compiled,
    /// The variables the program reads, as Python strings for the dict lookups.
    reads: Vec<Py<PyString>>,
    /// Whether every evaluation is cheap enough to run without releasing the GIL.
    cheap: bool,
}

impl Program {
    pub fn direct(py: Python<'_>, env: celd::Env, program: celd::Program) -> Program {
        Program::new(py, env, Compiled::Direct(program))
    }

    pub fn cached(py: Python<'_>, env: celd::Env, program: BoundProgram) -> Program {
        Program::new(py, env, Compiled::Cached(program))
    }

    fn new(py: Python<'_>, env: celd::Env, compiled: Compiled) -> Program {
        let mut program = Program {
            env,
            compiled,
            reads: Vec::new(),
            cheap: false,
        };
        let inner = program.program();
        let reads = inner
            .variables()
            .map(|name| PyString::intern(py, name).unbind())
            .collect();
        let estimate = inner.estimate_cost(&SizeHints {
            params: program.param_sizes(),
            ..SizeHints::default()
        });
        program.reads = reads;
        program.cheap = estimate.max.is_some_and(|max| max <= GIL_HELD_MAX_COST);
        program
    }

    fn program(&self) -> &celd::Program {
        match &self.compiled {
            Compiled::Direct(p) => p,
            Compiled::Cached(b) => b.program(),
        }
    }

    /// The variables the program reads as an activation, converted while the GIL is held;
    /// entries it does not read are neither converted nor checked.
    pub fn activation(&self, variables: Option<&Bound<'_, PyDict>>) -> PyResult<Activation> {
        let mut activation = self.env.activation();
        let Some(variables) = variables else {
            return Ok(activation);
        };
        let py = variables.py();
        for name in &self.reads {
            let name = name.bind(py);
            let Some(value) = variables.get_item(name)? else {
                continue;
            };
            let value = to_value_at(&value, || {
                let repr = name.repr().map_or_else(|_| "?".into(), |r| r.to_string());
                format!("vars[{repr}]")
            })?;
            activation.insert(name.to_str()?, value);
        }
        Ok(activation)
    }

    /// Evaluates without the GIL; `timeout` seconds bound the evaluation's time.
    pub fn run<'py>(
        &self,
        py: Python<'py>,
        activation: Activation,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let deadline = timeout.map(deadline_after).transpose()?;
        let eval = || {
            let options = EvalOptions {
                limits: Some(self.program().limits()),
                deadline,
                ..EvalOptions::default()
            };
            match &self.compiled {
                Compiled::Direct(p) => p.eval_with(&activation, &options),
                Compiled::Cached(b) => b.eval_with(&activation, &options),
            }
        };
        let result = if self.cheap { eval() } else { py.detach(eval) };
        let value: Value = result.map_err(|e| to_py_err(py, &e))?;
        to_python(py, &value, "result")
    }
}

fn deadline_after(seconds: f64) -> PyResult<Instant> {
    let timeout = Duration::try_from_secs_f64(seconds)
        .map_err(|_| PyValueError::new_err("timeout must be a non-negative number of seconds"))?;
    Ok(Instant::now() + timeout)
}

#[pymethods]
impl Program {
    /// Evaluates with `variables` (a dict of names to Python values); raises
    /// `celd.EvalError`, `celd.EvalLimitError` (cost, sizes, `timeout` in seconds) or
    /// `TypeError` for a value with no CEL form.
    #[pyo3(signature = (variables=None, *, timeout=None))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        variables: Option<&Bound<'py, PyDict>>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let activation = self.activation(variables)?;
        self.run(py, activation, timeout)
    }

    /// The CEL type the checker deduced (`"bool"`, `"list(string)"`, `"dyn"`).
    #[getter]
    fn result_type(&self) -> String {
        self.program().result_type().to_string()
    }

    /// The expression's text.
    #[getter]
    fn source(&self) -> &str {
        match &self.compiled {
            Compiled::Direct(p) => p.source().text(),
            Compiled::Cached(b) => b.source().text(),
        }
    }

    /// The variables the program reads.
    #[getter]
    fn variables(&self) -> Vec<String> {
        self.program().variables().map(str::to_owned).collect()
    }

    /// The evaluation plan, one node a line with the source each came from.
    fn dump(&self) -> String {
        self.program().dump_plan()
    }

    /// The least and most cost of one evaluation, as `(min, max)`; `max` is `None` when
    /// it depends on an input of unbounded size. `size_hints` maps variable names to their
    /// largest size (bytes of strings, entries of lists and maps); `default_size` bounds the
    /// rest.
    #[pyo3(signature = (size_hints=None, *, default_size=None))]
    fn estimate_cost(
        &self,
        size_hints: Option<std::collections::HashMap<String, u64>>,
        default_size: Option<u64>,
    ) -> (u64, Option<u64>) {
        let hints = SizeHints {
            variables: size_hints.unwrap_or_default(),
            default: default_size,
            params: self.param_sizes(),
        };
        let estimate = self.program().estimate_cost(&hints);
        (estimate.min, estimate.max)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "celd.Program({})",
            PyString::new(py, self.source()).repr()?
        ))
    }
}

impl Program {
    /// The sizes of the hoisted literals of a cached program, for its estimate.
    fn param_sizes(&self) -> Vec<u64> {
        let Compiled::Cached(bound) = &self.compiled else {
            return Vec::new();
        };
        bound.params().iter().map(literal_size).collect()
    }
}

fn literal_size(value: &Value) -> u64 {
    match value {
        Value::String(_) => value.as_str().map_or(0, |s| s.len() as u64),
        Value::Bytes(b) => b.len() as u64,
        Value::List(l) => l.as_slice().len() as u64,
        Value::Map(m) => m.len() as u64,
        _ => 1,
    }
}
