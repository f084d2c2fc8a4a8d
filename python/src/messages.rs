//! `celd.Message` and `celd.Enum`: protobuf message values and typed enum values, kept exactly
//! as the engine holds them (with their descriptors), so they convert both ways without loss.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use celd::Value;
use celd::layers::value::EnumValue;
use celd::layers::value::proto::{message_extension, message_field, messages_equal, set_field};
use prost_reflect::{DynamicMessage, ReflectMessage};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::convert::{to_python, to_value};

/// A protobuf message value of a type from the environment's descriptors.
#[pyclass(frozen, module = "celd", name = "Message")]
pub struct Message {
    pub(crate) message: Arc<DynamicMessage>,
}

/// A typed protobuf enum value (an environment with `strong_enums=True` has them).
#[pyclass(frozen, module = "celd", name = "Enum")]
pub struct Enum {
    pub(crate) value: EnumValue,
}

impl Message {
    fn field_value(&self, py: Python<'_>, name: &str) -> PyResult<Option<Value>> {
        let desc = self.message.descriptor();
        let read = if let Some(field) = desc.get_field_by_name(name) {
            message_field(&self.message, &field)
        } else if let Some(ext) = self
            .message
            .extensions()
            .find(|(e, _)| e.full_name() == name)
        {
            message_extension(&self.message, &ext.0)
        } else {
            return Ok(None);
        };
        read.map(Some)
            .map_err(|e| PyValueError::new_err(format!("{}: {e}", field_path(py, name))))
    }
}

fn field_path(py: Python<'_>, name: &str) -> String {
    let repr = PyString::new(py, name)
        .repr()
        .map_or_else(|_| "?".into(), |r| r.to_string());
    format!("fields[{repr}]")
}

#[pymethods]
impl Message {
    /// The message type's full name (`"pkg.Order"`).
    #[getter]
    fn type_name(&self) -> String {
        self.message.descriptor().full_name().to_owned()
    }

    /// The fields that are set (and extensions, by full name), as CEL reads them.
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        let names = self
            .message
            .fields()
            .map(|(f, _)| f.name().to_owned())
            .chain(
                self.message
                    .extensions()
                    .map(|(e, _)| e.full_name().to_owned()),
            );
        for name in names.collect::<Vec<_>>() {
            if let Some(value) = self.field_value(py, &name)? {
                dict.set_item(&name, to_python(py, &value, &field_path(py, &name))?)?;
            }
        }
        Ok(dict)
    }

    /// A field's value as CEL reads it (its default when unset); `KeyError` for a name that
    /// is neither a field nor an extension that is set.
    fn __getitem__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.field_value(py, name)? {
            Some(value) => to_python(py, &value, &field_path(py, name)),
            None => Err(PyKeyError::new_err(name.to_owned())),
        }
    }

    /// Whether the field is set (CEL's `has(m.field)`), or the extension is.
    fn __contains__(&self, name: &str) -> bool {
        match self.message.descriptor().get_field_by_name(name) {
            Some(field) => self.message.has_field(&field),
            None => self
                .message
                .extensions()
                .any(|(e, _)| e.full_name() == name),
        }
    }

    /// CEL equality: the same type and equal fields (`Any` fields unpacked, NaN unequal).
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = other.py();
        Ok(match other.cast::<Message>() {
            Ok(other) => messages_equal(&self.message, &other.get().message)
                .into_pyobject(py)?
                .to_owned()
                .into_any()
                .unbind(),
            Err(_) => py.NotImplemented(),
        })
    }

    /// The message in the protobuf binary encoding.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(
            py,
            &prost_reflect::prost::Message::encode_to_vec(&*self.message),
        )
    }

    fn __repr__(&self) -> String {
        format!("celd.Message({})", Value::Message(self.message.clone()))
    }
}

#[pymethods]
impl Enum {
    /// The enum type's full name (`"pkg.Color"`).
    #[getter]
    fn type_name(&self) -> &str {
        self.value.enum_name()
    }

    /// The number.
    #[getter]
    fn value(&self) -> i32 {
        self.value.number()
    }

    /// The value's name (`"RED"`), or `None` for a number the enum does not name.
    #[getter]
    fn name(&self) -> Option<String> {
        self.value.value_name()
    }

    fn __int__(&self) -> i32 {
        self.value.number()
    }

    /// Equal to an `Enum` of the same type and number (never to a plain `int`).
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = other.py();
        Ok(match other.cast::<Enum>() {
            Ok(other) => (self.key() == other.get().key())
                .into_pyobject(py)?
                .to_owned()
                .into_any()
                .unbind(),
            Err(_) => py.NotImplemented(),
        })
    }

    fn __hash__(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.key().hash(&mut hasher);
        hasher.finish()
    }

    fn __repr__(&self) -> String {
        match self.value.value_name() {
            Some(name) => format!("celd.Enum({}.{name} = {})", self.type_name(), self.value()),
            None => format!("celd.Enum({}, {})", self.type_name(), self.value()),
        }
    }
}

impl Enum {
    fn key(&self) -> (&str, i32) {
        (self.value.enum_name(), self.value.number())
    }
}

/// A message of type `type_name` from the pool, its fields set from Python values (CEL's
/// conversions, as for `pkg.Msg{field: value}`; an extension by its full name).
pub fn new_message(
    pool: &prost_reflect::DescriptorPool,
    type_name: &str,
    fields: Option<&Bound<'_, PyDict>>,
) -> PyResult<Message> {
    let desc = pool
        .get_message_by_name(type_name)
        .ok_or_else(|| PyValueError::new_err(format!("unknown message type '{type_name}'")))?;
    let mut message = DynamicMessage::new(desc.clone());
    for (name, value) in fields.into_iter().flat_map(|f| f.iter()) {
        let name: String = name.extract()?;
        let py = value.py();
        let path = field_path(py, &name);
        let value = to_value(&value, &path)?;
        let failed = |e: &dyn std::fmt::Display| PyValueError::new_err(format!("{path}: {e}"));
        if let Some(field) = desc.get_field_by_name(&name) {
            set_field(&mut message, &field, &value).map_err(|e| failed(&e))?;
        } else if let Some(ext) = pool.get_extension_by_name(&name) {
            let stored = celd::layers::value::proto::value_to_extension(&value, &ext)
                .map_err(|e| failed(&e))?;
            if let Some(stored) = stored {
                message.set_extension(&ext, stored);
            }
        } else {
            return Err(PyKeyError::new_err(format!(
                "{type_name} has no field or extension '{name}'"
            )));
        }
    }
    Ok(Message {
        message: Arc::new(message),
    })
}

/// A typed value of enum `type_name` from its number or its value's name.
pub fn new_enum(
    pool: &prost_reflect::DescriptorPool,
    type_name: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<Enum> {
    let desc = pool
        .get_enum_by_name(type_name)
        .ok_or_else(|| PyValueError::new_err(format!("unknown enum type '{type_name}'")))?;
    let value = if let Ok(name) = value.extract::<String>() {
        EnumValue::from_name(desc, &name)
    } else {
        EnumValue::from_int(desc, value.extract::<i64>()?)
    };
    let value = value.map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(Enum { value })
}

/// The message of type `type_name` decoded from its protobuf binary encoding.
pub fn decode_message(
    pool: &prost_reflect::DescriptorPool,
    type_name: &str,
    data: &[u8],
) -> PyResult<Message> {
    let desc = pool
        .get_message_by_name(type_name)
        .ok_or_else(|| PyValueError::new_err(format!("unknown message type '{type_name}'")))?;
    let message = DynamicMessage::decode(desc, data)
        .map_err(|e| PyValueError::new_err(format!("not a {type_name}: {e}")))?;
    Ok(Message {
        message: Arc::new(message),
    })
}
