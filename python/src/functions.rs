//! Python callables as host functions: arguments converted in, the result converted back.

use celd::{EvalError, Overload, Type, Value};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::convert::{to_python, to_value};

/// An overload calling `callable` with the GIL held; a Python exception is a CEL error at
/// the call (`double_it: ValueError: ...`), which evaluation reports like any other.
pub fn python_overload(
    name: &str,
    callable: Py<PyAny>,
    params: Vec<Type>,
    result: Type,
) -> Overload {
    let name = name.to_owned();
    Overload::dynamic(params, result, move |args: &[Value]| {
        Python::attach(|py| call(py, &name, &callable, args))
    })
}

fn call(
    py: Python<'_>,
    name: &str,
    callable: &Py<PyAny>,
    args: &[Value],
) -> Result<Value, EvalError> {
    let failed = |e: PyErr| EvalError::invalid_argument(format!("{name}: {e}"));
    let args = args
        .iter()
        .enumerate()
        .map(|(i, arg)| to_python(py, arg, &format!("{name} argument {i}")))
        .collect::<PyResult<Vec<_>>>()
        .map_err(failed)?;
    let args = PyTuple::new(py, args).map_err(failed)?;
    let result = callable.bind(py).call1(args).map_err(failed)?;
    to_value(&result, &format!("{name} result")).map_err(failed)
}
