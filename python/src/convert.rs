//! Python objects to CEL values and back, exactly, with the path of anything that does not fit.

use std::fmt::Write;
use std::sync::Arc;

use celd::layers::value::{EnumValue, TypeValue};
use celd::{Duration, Key, List, Map, Timestamp, Value};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDateAccess, PyDateTime, PyDelta, PyDeltaAccess, PyDict,
    PyFloat, PyInt, PyList, PyString, PyTimeAccess, PyTuple, PyType, PyTzInfo,
};

use crate::messages::{Enum, Message};

/// How deep Python containers may nest; deeper (or cyclic) values are an error, not a crash.
pub const MAX_DEPTH: usize = 100;

const NANOS_PER_MICRO: i128 = 1_000;
const MICROS_PER_DAY: i128 = 86_400_000_000;

/// Why a value did not convert: the message and the steps from the root, innermost first.
pub struct ConvertError {
    kind: ErrorKind,
    message: String,
    steps: Vec<String>,
}

#[derive(Clone, Copy)]
enum ErrorKind {
    Type,
    Value,
    Overflow,
}

impl ConvertError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> ConvertError {
        ConvertError {
            kind,
            message: message.into(),
            steps: Vec::new(),
        }
    }

    fn unsupported(object: &Bound<'_, PyAny>) -> ConvertError {
        let name = object
            .get_type()
            .name()
            .map_or_else(|_| "?".to_owned(), |n| n.to_string());
        ConvertError::new(ErrorKind::Type, format!("unsupported type {name}"))
    }

    fn at(mut self, step: String) -> ConvertError {
        self.steps.push(step);
        self
    }

    /// The error as Python raises it: `vars['a'][3]: unsupported type set`.
    pub fn into_py_err(self, root: &str) -> PyErr {
        let mut text = root.to_owned();
        for step in self.steps.iter().rev() {
            text.push_str(step);
        }
        let _ = write!(text, ": {}", self.message);
        match self.kind {
            ErrorKind::Type => PyTypeError::new_err(text),
            ErrorKind::Value => PyValueError::new_err(text),
            ErrorKind::Overflow => PyOverflowError::new_err(text),
        }
    }
}

impl From<PyErr> for ConvertError {
    fn from(error: PyErr) -> ConvertError {
        ConvertError::new(ErrorKind::Type, error.to_string())
    }
}

type Converted<T> = Result<T, ConvertError>;

/// The Python classes of `celd._values`, imported once.
pub struct Classes;

static UINT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIMESTAMP: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DURATION: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static OPTIONAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

impl Classes {
    fn get<'py>(
        py: Python<'py>,
        cell: &'static PyOnceLock<Py<PyType>>,
        name: &str,
    ) -> PyResult<&'py Bound<'py, PyType>> {
        cell.import(py, "celd._values", name)
    }
    pub fn uint(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
        Classes::get(py, &UINT, "UInt")
    }
    pub fn timestamp(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
        Classes::get(py, &TIMESTAMP, "Timestamp")
    }
    pub fn duration(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
        Classes::get(py, &DURATION, "Duration")
    }
    pub fn optional(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
        Classes::get(py, &OPTIONAL, "Optional")
    }
    pub fn cel_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
        Classes::get(py, &TYPE, "Type")
    }
}

/// Converts a Python object into a CEL value; `root` names it in errors (`vars['a']`).
pub fn to_value(object: &Bound<'_, PyAny>, root: &str) -> PyResult<Value> {
    to_value_at(object, || root.to_owned())
}

/// [`to_value`] with the root's name made only when there is an error to name it in.
pub fn to_value_at(object: &Bound<'_, PyAny>, root: impl FnOnce() -> String) -> PyResult<Value> {
    convert_in(object, 0).map_err(|e| e.into_py_err(&root()))
}

fn convert_in(object: &Bound<'_, PyAny>, depth: usize) -> Converted<Value> {
    if depth > MAX_DEPTH {
        return Err(ConvertError::new(
            ErrorKind::Value,
            format!("nested deeper than {MAX_DEPTH} (or cyclic)"),
        ));
    }
    let py = object.py();
    if object.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = object.cast_exact::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = object.cast::<PyString>() {
        if !s.is_exact_instance_of::<PyString>() && s.is_instance(Classes::cel_type(py)?)? {
            return Ok(Value::Type(TypeValue::named(s.to_str()?)));
        }
        return Ok(Value::string(s.to_str()?));
    }
    if let Ok(i) = object.cast::<PyInt>() {
        return int_value(i);
    }
    if let Ok(f) = object.cast::<PyFloat>() {
        return Ok(Value::Double(f.value()));
    }
    if let Ok(list) = object.cast::<PyList>() {
        return sequence(list.iter(), list.len(), depth);
    }
    if let Ok(dict) = object.cast::<PyDict>() {
        return map_value(dict, depth);
    }
    if let Ok(b) = object.cast::<PyBytes>() {
        return Ok(Value::Bytes(Arc::from(b.as_bytes())));
    }
    if let Ok(tuple) = object.cast::<PyTuple>() {
        return sequence(tuple.iter(), tuple.len(), depth);
    }
    if let Ok(b) = object.cast::<PyByteArray>() {
        return Ok(Value::Bytes(Arc::from(b.to_vec())));
    }
    if let Ok(dt) = object.cast::<PyDateTime>() {
        return timestamp_value(dt).map(Value::Timestamp);
    }
    if let Ok(delta) = object.cast::<PyDelta>() {
        return duration_value(delta).map(Value::Duration);
    }
    if object.is_instance(Classes::optional(py)?)? {
        return optional_value(object, depth);
    }
    if let Ok(message) = object.cast::<Message>() {
        return Ok(Value::Message(message.get().message.clone()));
    }
    if let Ok(value) = object.cast::<Enum>() {
        return Ok(value.get().value.clone().into_value());
    }
    Err(ConvertError::unsupported(object))
}

fn int_value(i: &Bound<'_, PyInt>) -> Converted<Value> {
    if i.is_exact_instance_of::<PyInt>() {
        return plain_int(i);
    }
    if i.is_instance(Classes::uint(i.py())?)? {
        return i
            .extract::<u64>()
            .map(Value::Uint)
            .map_err(|_| ConvertError::new(ErrorKind::Overflow, "out of range for a CEL uint"));
    }
    if i.is_instance_of::<PyBool>() {
        // A subclass of bool (rare) is still a bool.
        return Ok(Value::Bool(i.is_truthy()?));
    }
    plain_int(i)
}

fn plain_int(i: &Bound<'_, PyInt>) -> Converted<Value> {
    i.extract::<i64>().map(Value::Int).map_err(|_| {
        ConvertError::new(
            ErrorKind::Overflow,
            "out of range for a CEL int (-2**63 to 2**63 - 1; celd.UInt for a uint)",
        )
    })
}

fn sequence<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    len: usize,
    depth: usize,
) -> Converted<Value> {
    let mut values = Vec::with_capacity(len);
    for (index, item) in items.enumerate() {
        values.push(convert_in(&item, depth + 1).map_err(|e| e.at(format!("[{index}]")))?);
    }
    Ok(Value::List(Arc::new(List::new(values))))
}

fn map_value(dict: &Bound<'_, PyDict>, depth: usize) -> Converted<Value> {
    let mut map = Map::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        let step = || {
            format!(
                "[{}]",
                key.repr().map_or_else(|_| "?".into(), |r| r.to_string())
            )
        };
        let cel_key = map_key(&key).map_err(|e| e.at(step()))?;
        let cel_value = convert_in(&value, depth + 1).map_err(|e| e.at(step()))?;
        map.insert(cel_key, cel_value);
    }
    Ok(Value::Map(Arc::new(map)))
}

fn map_key(key: &Bound<'_, PyAny>) -> Converted<Key> {
    if let Ok(s) = key.cast_exact::<PyString>() {
        return Ok(Key::String(s.to_str()?.into()));
    }
    let value = if key.is_instance_of::<PyString>() || key.is_instance_of::<PyInt>() {
        convert_in(key, 0)?
    } else {
        Value::Null
    };
    Key::from_value(&value).ok_or_else(|| {
        let mut error = ConvertError::unsupported(key);
        error.message = format!("map key: {} (keys are str, int, bool)", error.message);
        error
    })
}

fn optional_value(object: &Bound<'_, PyAny>, depth: usize) -> Converted<Value> {
    if !object.getattr("has_value")?.call0()?.is_truthy()? {
        return Ok(Value::Optional(None));
    }
    let inner = object.getattr("value")?.call0()?;
    let value = convert_in(&inner, depth + 1).map_err(|e| e.at(".value()".into()))?;
    Ok(Value::Optional(Some(Arc::new(value))))
}

fn timestamp_value(dt: &Bound<'_, PyDateTime>) -> Converted<Timestamp> {
    let Some(offset) = dt.call_method0("utcoffset")?.cast_into::<PyDelta>().ok() else {
        return Err(ConvertError::new(
            ErrorKind::Value,
            "naive datetime (give it a tzinfo, such as datetime.timezone.utc)",
        ));
    };
    let civil = jiff::civil::date(
        dt.get_year() as i16,
        dt.get_month() as i8,
        dt.get_day() as i8,
    )
    .at(
        dt.get_hour() as i8,
        dt.get_minute() as i8,
        dt.get_second() as i8,
        0,
    );
    let seconds = jiff::tz::TimeZone::UTC
        .to_timestamp(civil)
        .map_err(|e| ConvertError::new(ErrorKind::Value, e.to_string()))?
        .as_second();
    let offset_seconds = i64::from(offset.get_days()) * 86_400 + i64::from(offset.get_seconds());
    let nanos = dt.get_microsecond() as i32 * 1000 + extra_nanos(dt.as_any(), "nanosecond")?;
    Timestamp::new(seconds - offset_seconds, nanos)
        .map_err(|_| ConvertError::new(ErrorKind::Overflow, "out of range for a CEL timestamp"))
}

fn duration_value(delta: &Bound<'_, PyDelta>) -> Converted<Duration> {
    let micros = (i128::from(delta.get_days()) * 86_400 + i128::from(delta.get_seconds()))
        * 1_000_000
        + i128::from(delta.get_microseconds());
    let nanos = micros * NANOS_PER_MICRO + i128::from(extra_nanos(delta.as_any(), "nanoseconds")?);
    let out_of_range = || ConvertError::new(ErrorKind::Overflow, "out of range for a CEL duration");
    // CEL durations are a signed 64-bit count of nanoseconds.
    let nanos = i64::try_from(nanos).map_err(|_| out_of_range())?;
    Ok(Duration::from_nanos(nanos))
}

/// The sub-microsecond digits of a `celd.Timestamp` or `celd.Duration` (0 for plain ones).
fn extra_nanos(object: &Bound<'_, PyAny>, attribute: &str) -> Converted<i32> {
    match object.getattr_opt(attribute)? {
        Some(n) => Ok(n.extract::<i32>()?),
        None => Ok(0),
    }
}

/// Converts a CEL value into a Python object; `root` names it in errors (`result`).
pub fn to_python<'py>(py: Python<'py>, value: &Value, root: &str) -> PyResult<Bound<'py, PyAny>> {
    python_in(py, value).map_err(|e| e.into_py_err(root))
}

fn python_in<'py>(py: Python<'py>, value: &Value) -> Converted<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Int(i) => PyInt::new(py, *i).into_any(),
        Value::Uint(u) => Classes::uint(py)?.call1((*u,))?,
        Value::Double(d) => PyFloat::new(py, *d).into_any(),
        Value::String(_) => PyString::new(py, value.as_str().unwrap_or_default()).into_any(),
        Value::Bytes(b) => PyBytes::new(py, b).into_any(),
        Value::List(list) => {
            let items =
                list.as_slice().iter().enumerate().map(|(index, item)| {
                    python_in(py, item).map_err(|e| e.at(format!("[{index}]")))
                });
            PyList::new(py, items.collect::<Converted<Vec<_>>>()?)?.into_any()
        }
        Value::Map(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map.iter() {
                let key = python_in(py, &key.to_value())?;
                let step = || {
                    format!(
                        "[{}]",
                        key.repr().map_or_else(|_| "?".into(), |r| r.to_string())
                    )
                };
                dict.set_item(&key, python_in(py, item).map_err(|e| e.at(step()))?)?;
            }
            dict.into_any()
        }
        Value::Timestamp(t) => timestamp_object(py, *t)?,
        Value::Duration(d) => duration_object(py, *d)?,
        Value::Optional(None) => Classes::optional(py)?.call_method0("none")?,
        Value::Optional(Some(inner)) => {
            let inner = python_in(py, inner).map_err(|e| e.at(".value()".into()))?;
            Classes::optional(py)?.call1((inner,))?
        }
        Value::Type(_) => Classes::cel_type(py)?.call1((value.to_string(),))?,
        Value::Message(message) => Bound::new(
            py,
            Message {
                message: message.clone(),
            },
        )?
        .into_any(),
        Value::Opaque(_) => match EnumValue::of(value) {
            Some(e) => Bound::new(py, Enum { value: e.clone() })?.into_any(),
            None => {
                return Err(ConvertError::new(
                    ErrorKind::Type,
                    format!("a CEL {} value has no Python form", value.type_name()),
                ));
            }
        },
    })
}

fn timestamp_object(py: Python<'_>, t: Timestamp) -> Converted<Bound<'_, PyAny>> {
    let civil = t.to_utc_civil();
    let nanos = t.subsec_nanosecond();
    let utc = PyTzInfo::utc(py)?;
    let fields = (
        i32::from(civil.year()),
        civil.month() as u8,
        civil.day() as u8,
        civil.hour() as u8,
        civil.minute() as u8,
        civil.second() as u8,
        (nanos / 1000) as u32,
    );
    if nanos % 1000 == 0 {
        let (y, mo, d, h, mi, s, us) = fields;
        return Ok(PyDateTime::new(py, y, mo, d, h, mi, s, us, Some(&utc))?.into_any());
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("tzinfo", utc)?;
    kwargs.set_item("nanosecond", nanos % 1000)?;
    Ok(Classes::timestamp(py)?.call(fields, Some(&kwargs))?)
}

fn duration_object(py: Python<'_>, d: Duration) -> Converted<Bound<'_, PyAny>> {
    let nanos = d.as_nanos();
    let micros = nanos.div_euclid(NANOS_PER_MICRO);
    let extra = nanos.rem_euclid(NANOS_PER_MICRO) as i32;
    let days = micros.div_euclid(MICROS_PER_DAY) as i32;
    let within_day = micros.rem_euclid(MICROS_PER_DAY);
    let seconds = (within_day / 1_000_000) as i32;
    let micros = (within_day % 1_000_000) as i32;
    if extra == 0 {
        return Ok(PyDelta::new(py, days, seconds, micros, false)?.into_any());
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("nanoseconds", extra)?;
    Ok(Classes::duration(py)?.call((days, seconds, micros), Some(&kwargs))?)
}
