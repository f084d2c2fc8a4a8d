//! `celd.from_json` and `celd.to_json`: celd JSON (the CLI's and the HTTP API's encoding of
//! CEL values) to Python values and back.

use celd::layers::value::json::{MAX_DOCUMENT_DEPTH, check_nesting, from_json as read_json};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::convert::{to_python, to_value};
use crate::env::Env;

/// Reads celd JSON text (`str` or `bytes`) into a Python value: `{"$uint": "3"}` is
/// `celd.UInt(3)`, `{"$message": "pkg.Msg", "value": {...}}` a `celd.Message` of the `env`'s
/// descriptors. Raises `ValueError` for text that is not celd JSON.
#[pyfunction]
#[pyo3(signature = (text, *, env=None))]
pub fn from_json<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    env: Option<&Env>,
) -> PyResult<Bound<'py, PyAny>> {
    let bytes: Vec<u8> = if let Ok(s) = text.cast::<PyString>() {
        s.to_str()?.as_bytes().to_vec()
    } else if let Ok(b) = text.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else {
        return Err(pyo3::exceptions::PyTypeError::new_err(
            "from_json takes celd JSON text, as str or bytes",
        ));
    };
    let invalid = |e: &dyn std::fmt::Display| PyValueError::new_err(format!("celd JSON: {e}"));
    check_nesting(&bytes, MAX_DOCUMENT_DEPTH).map_err(|e| invalid(&e))?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| invalid(&e))?;
    let value = match env {
        Some(env) => env.env.read_json(&json),
        None => read_json(&json),
    };
    to_python(py, &value.map_err(|e| invalid(&e))?, "value")
}

/// Writes a Python value as celd JSON text (the inverse of `from_json`).
#[pyfunction]
pub fn to_json(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let value = to_value(value, "value")?;
    Ok(celd::layers::value::json::to_json(&value).to_string())
}
