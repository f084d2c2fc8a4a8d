//! celd errors as the exception classes of `celd._errors`, with kind, location and diagnostics.

use celd::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The `celd._errors` class for an error: compile errors and evaluation errors stay apart
/// even when both are limits.
fn class_name(error: &Error) -> &'static str {
    match error.kind() {
        ErrorKind::Parse => "ParseError",
        ErrorKind::Check => "CheckError",
        ErrorKind::Limit if error.eval_error().is_some() => "EvalLimitError",
        ErrorKind::Limit => "CompileLimitError",
        ErrorKind::Env => "EnvError",
        _ => "EvalError",
    }
}

/// The Python exception for a celd error: `str()` is the rendered diagnostic with its caret.
pub fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    build(py, error).unwrap_or_else(|e| e)
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let class = py.import("celd._errors")?.getattr(class_name(error))?;
    let location = |start| error.source().map(|s| s.location(start));
    let diagnostics: Vec<(String, Option<u32>, Option<u32>)> = error
        .diagnostics()
        .iter()
        .map(|d| {
            let at = location(d.span.start);
            (d.message.clone(), at.map(|l| l.line), at.map(|l| l.column))
        })
        .collect();
    let first = error.location();
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", error.kind().name())?;
    kwargs.set_item("message", error.message())?;
    kwargs.set_item("line", first.map(|l| l.line))?;
    kwargs.set_item("column", first.map(|l| l.column))?;
    kwargs.set_item("expression", error.source().map(|s| s.text()))?;
    kwargs.set_item("diagnostics", diagnostics)?;
    let exception = class.call((error.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}

/// An `EnvError` for a problem found before celd saw it (a bad type name, extension).
pub fn env_error(py: Python<'_>, message: String) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = py.import("celd._errors")?.getattr("EnvError")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("kind", "env")?;
        kwargs.set_item("message", &message)?;
        Ok(PyErr::from_value(
            class.call((format!("ERROR: {message}"),), Some(&kwargs))?,
        ))
    };
    build().unwrap_or_else(|e| e)
}
