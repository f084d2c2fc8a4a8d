//! A serde `Serializer` that builds CEL values, counting what it builds against the limits.

use std::cell::Cell;
use std::sync::Arc;

use serde::ser::{self, Serialize};

use super::{SerdeError, SerdeErrorKind, SerdeLimits};
use crate::{Key, List, Map, Str, Value};

/// What one conversion has produced so far, against its limits.
pub(crate) struct Budget {
    limits: SerdeLimits,
    values: Cell<u64>,
    bytes: Cell<usize>,
}

impl Budget {
    pub(crate) fn new(limits: &SerdeLimits) -> Budget {
        Budget {
            limits: *limits,
            values: Cell::new(0),
            bytes: Cell::new(0),
        }
    }

    /// Counts one more value.
    fn value(&self) -> Result<(), SerdeError> {
        let n = self.values.get() + 1;
        if n > self.limits.max_values {
            return Err(SerdeError::limit(format!(
                "more than {} values",
                self.limits.max_values
            )));
        }
        self.values.set(n);
        Ok(())
    }

    /// Counts one more value holding `len` bytes of text or bytes.
    fn text(&self, len: usize) -> Result<(), SerdeError> {
        self.value()?;
        if len > self.limits.max_string_bytes {
            return Err(SerdeError::limit(format!(
                "a string or bytes of {len} bytes, more than the limit of {} bytes",
                self.limits.max_string_bytes
            )));
        }
        let total = self.bytes.get().saturating_add(len);
        if total > self.limits.max_total_bytes {
            return Err(SerdeError::limit(format!(
                "more than {} bytes of strings and bytes in all",
                self.limits.max_total_bytes
            )));
        }
        self.bytes.set(total);
        Ok(())
    }
}

/// Serializes a Rust value into a [`Value`]; see [`to_value`](super::to_value).
#[derive(Clone, Copy)]
pub struct ValueSerializer<'b> {
    budget: &'b Budget,
    /// How many containers enclose the value being serialized.
    depth: usize,
}

impl<'b> ValueSerializer<'b> {
    pub(crate) fn new(budget: &'b Budget) -> ValueSerializer<'b> {
        ValueSerializer { budget, depth: 0 }
    }

    /// The serializer for the contents of a container this one starts.
    fn nested(self) -> Result<ValueSerializer<'b>, SerdeError> {
        self.budget.value()?;
        let depth = self.depth + 1;
        if depth > self.budget.limits.max_depth {
            return Err(SerdeError::limit(format!(
                "nesting deeper than {} levels",
                self.budget.limits.max_depth
            )));
        }
        Ok(ValueSerializer {
            budget: self.budget,
            depth,
        })
    }

    fn scalar(self, v: Value) -> Result<Value, SerdeError> {
        self.budget.value()?;
        Ok(v)
    }

    fn string(self, s: &str) -> Result<Value, SerdeError> {
        self.budget.text(s.len())?;
        Ok(Value::String(Str::new(s)))
    }

    /// A one-entry map from an enum variant's name to its content.
    fn variant(self, variant: &str, content: Value) -> Result<Value, SerdeError> {
        self.budget.text(variant.len())?;
        let mut map = Map::new();
        map.insert(Key::String(Str::new(variant)), content);
        Ok(Value::map(map))
    }
}

fn out_of_range(what: &str, n: impl std::fmt::Display) -> SerdeError {
    SerdeError::new(
        SerdeErrorKind::Type,
        format!("{what} {n} is out of the range of CEL's 64-bit integers"),
    )
}

impl<'b> ser::Serializer for ValueSerializer<'b> {
    type Ok = Value;
    type Error = SerdeError;
    type SerializeSeq = SeqSerializer<'b>;
    type SerializeTuple = SeqSerializer<'b>;
    type SerializeTupleStruct = SeqSerializer<'b>;
    type SerializeTupleVariant = VariantSerializer<'b, SeqSerializer<'b>>;
    type SerializeMap = MapSerializer<'b>;
    type SerializeStruct = MapSerializer<'b>;
    type SerializeStructVariant = VariantSerializer<'b, MapSerializer<'b>>;

    fn serialize_bool(self, v: bool) -> Result<Value, SerdeError> {
        self.scalar(Value::Bool(v))
    }

    fn serialize_i8(self, v: i8) -> Result<Value, SerdeError> {
        self.scalar(Value::Int(v.into()))
    }

    fn serialize_i16(self, v: i16) -> Result<Value, SerdeError> {
        self.scalar(Value::Int(v.into()))
    }

    fn serialize_i32(self, v: i32) -> Result<Value, SerdeError> {
        self.scalar(Value::Int(v.into()))
    }

    fn serialize_i64(self, v: i64) -> Result<Value, SerdeError> {
        self.scalar(Value::Int(v))
    }

    fn serialize_i128(self, v: i128) -> Result<Value, SerdeError> {
        let v = i64::try_from(v).map_err(|_| out_of_range("i128", v))?;
        self.scalar(Value::Int(v))
    }

    fn serialize_u8(self, v: u8) -> Result<Value, SerdeError> {
        self.scalar(Value::Uint(v.into()))
    }

    fn serialize_u16(self, v: u16) -> Result<Value, SerdeError> {
        self.scalar(Value::Uint(v.into()))
    }

    fn serialize_u32(self, v: u32) -> Result<Value, SerdeError> {
        self.scalar(Value::Uint(v.into()))
    }

    fn serialize_u64(self, v: u64) -> Result<Value, SerdeError> {
        self.scalar(Value::Uint(v))
    }

    fn serialize_u128(self, v: u128) -> Result<Value, SerdeError> {
        let v = u64::try_from(v).map_err(|_| out_of_range("u128", v))?;
        self.scalar(Value::Uint(v))
    }

    fn serialize_f32(self, v: f32) -> Result<Value, SerdeError> {
        self.scalar(Value::Double(v.into()))
    }

    fn serialize_f64(self, v: f64) -> Result<Value, SerdeError> {
        self.scalar(Value::Double(v))
    }

    fn serialize_char(self, v: char) -> Result<Value, SerdeError> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<Value, SerdeError> {
        self.string(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Value, SerdeError> {
        self.budget.text(v.len())?;
        Ok(Value::Bytes(Arc::from(v)))
    }

    fn serialize_none(self) -> Result<Value, SerdeError> {
        self.scalar(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, SerdeError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value, SerdeError> {
        self.scalar(Value::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, SerdeError> {
        self.scalar(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, SerdeError> {
        self.string(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, SerdeError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, SerdeError> {
        let inner = self.nested()?;
        let content = value.serialize(inner).map_err(|e| e.in_field(variant))?;
        self.variant(variant, content)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSerializer<'b>, SerdeError> {
        Ok(SeqSerializer {
            inner: self.nested()?,
            // A length hint is not trusted beyond what the limits allow anyway.
            items: Vec::with_capacity(len.unwrap_or(0).min(1024)),
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqSerializer<'b>, SerdeError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqSerializer<'b>, SerdeError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSerializer<'b, SeqSerializer<'b>>, SerdeError> {
        let content = self.nested()?.serialize_seq(Some(len))?;
        Ok(VariantSerializer {
            outer: self,
            variant,
            content,
        })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<MapSerializer<'b>, SerdeError> {
        Ok(MapSerializer {
            inner: self.nested()?,
            map: Map::new(),
            key: None,
        })
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<MapSerializer<'b>, SerdeError> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSerializer<'b, MapSerializer<'b>>, SerdeError> {
        let content = self.nested()?.serialize_struct(variant, len)?;
        Ok(VariantSerializer {
            outer: self,
            variant,
            content,
        })
    }
}

/// Builds a list.
pub struct SeqSerializer<'b> {
    inner: ValueSerializer<'b>,
    items: Vec<Value>,
}

impl SeqSerializer<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let index = self.items.len();
        let item = value.serialize(self.inner).map_err(|e| e.at_index(index))?;
        self.items.push(item);
        Ok(())
    }

    fn finish(self) -> Value {
        Value::List(Arc::new(List::new(self.items)))
    }
}

impl ser::SerializeSeq for SeqSerializer<'_> {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, SerdeError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for SeqSerializer<'_> {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, SerdeError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for SeqSerializer<'_> {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, SerdeError> {
        Ok(self.finish())
    }
}

/// Builds a map; a key waits in `key` for its value.
pub struct MapSerializer<'b> {
    inner: ValueSerializer<'b>,
    map: Map,
    key: Option<Key>,
}

impl MapSerializer<'_> {
    fn insert(&mut self, key: Key, value: Value) -> Result<(), SerdeError> {
        let printed = key_text(&key);
        if !self.map.insert_new(key, value) {
            return Err(SerdeError::new(
                SerdeErrorKind::Key,
                format!("the key {printed} is given twice"),
            ));
        }
        Ok(())
    }
}

/// A key as CEL prints it, for paths and messages: `"app"`, `1`, `2u`, `true`.
pub(crate) fn key_text(key: &Key) -> String {
    key.to_value().to_string()
}

impl ser::SerializeMap for MapSerializer<'_> {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerdeError> {
        self.key = Some(key.serialize(KeySerializer {
            budget: self.inner.budget,
        })?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let Some(key) = self.key.take() else {
            return Err(SerdeError::new(
                SerdeErrorKind::Custom,
                "a map value was serialized before its key",
            ));
        };
        let value = value
            .serialize(self.inner)
            .map_err(|e| e.at_key(key_text(&key)))?;
        self.insert(key, value)
    }

    fn end(self) -> Result<Value, SerdeError> {
        Ok(Value::map(self.map))
    }
}

impl ser::SerializeStruct for MapSerializer<'_> {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), SerdeError> {
        self.inner.budget.text(name.len())?;
        let value = value.serialize(self.inner).map_err(|e| e.in_field(name))?;
        self.insert(Key::String(Str::new(name)), value)
    }

    fn end(self) -> Result<Value, SerdeError> {
        Ok(Value::map(self.map))
    }
}

/// The content of a tuple or struct variant, then wrapped in a map from the variant's name.
pub struct VariantSerializer<'b, S> {
    outer: ValueSerializer<'b>,
    variant: &'static str,
    content: S,
}

impl ser::SerializeTupleVariant for VariantSerializer<'_, SeqSerializer<'_>> {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let variant = self.variant;
        self.content.push(value).map_err(|e| e.in_field(variant))
    }

    fn end(self) -> Result<Value, SerdeError> {
        let content = self.content.finish();
        self.outer.variant(self.variant, content)
    }
}

impl ser::SerializeStructVariant for VariantSerializer<'_, MapSerializer<'_>> {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), SerdeError> {
        let variant = self.variant;
        ser::SerializeStruct::serialize_field(&mut self.content, name, value)
            .map_err(|e| e.in_field(variant))
    }

    fn end(self) -> Result<Value, SerdeError> {
        let content = Value::map(self.content.map);
        self.outer.variant(self.variant, content)
    }
}

/// Serializes a map key: `bool`, integers, strings and unit variants; anything else is a
/// [`SerdeErrorKind::Key`] error.
struct KeySerializer<'b> {
    budget: &'b Budget,
}

fn not_a_key(what: &str) -> SerdeError {
    SerdeError::new(
        SerdeErrorKind::Key,
        format!("a map key must be a bool, an integer or a string, not {what}"),
    )
}

impl KeySerializer<'_> {
    fn string(&self, s: &str) -> Result<Key, SerdeError> {
        self.budget.text(s.len())?;
        Ok(Key::String(Str::new(s)))
    }
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = Key;
    type Error = SerdeError;
    type SerializeSeq = ser::Impossible<Key, SerdeError>;
    type SerializeTuple = ser::Impossible<Key, SerdeError>;
    type SerializeTupleStruct = ser::Impossible<Key, SerdeError>;
    type SerializeTupleVariant = ser::Impossible<Key, SerdeError>;
    type SerializeMap = ser::Impossible<Key, SerdeError>;
    type SerializeStruct = ser::Impossible<Key, SerdeError>;
    type SerializeStructVariant = ser::Impossible<Key, SerdeError>;

    fn serialize_bool(self, v: bool) -> Result<Key, SerdeError> {
        Ok(Key::Bool(v))
    }

    fn serialize_i8(self, v: i8) -> Result<Key, SerdeError> {
        Ok(Key::Int(v.into()))
    }

    fn serialize_i16(self, v: i16) -> Result<Key, SerdeError> {
        Ok(Key::Int(v.into()))
    }

    fn serialize_i32(self, v: i32) -> Result<Key, SerdeError> {
        Ok(Key::Int(v.into()))
    }

    fn serialize_i64(self, v: i64) -> Result<Key, SerdeError> {
        Ok(Key::Int(v))
    }

    fn serialize_i128(self, v: i128) -> Result<Key, SerdeError> {
        i64::try_from(v)
            .map(Key::Int)
            .map_err(|_| out_of_range("i128", v))
    }

    fn serialize_u8(self, v: u8) -> Result<Key, SerdeError> {
        Ok(Key::Uint(v.into()))
    }

    fn serialize_u16(self, v: u16) -> Result<Key, SerdeError> {
        Ok(Key::Uint(v.into()))
    }

    fn serialize_u32(self, v: u32) -> Result<Key, SerdeError> {
        Ok(Key::Uint(v.into()))
    }

    fn serialize_u64(self, v: u64) -> Result<Key, SerdeError> {
        Ok(Key::Uint(v))
    }

    fn serialize_u128(self, v: u128) -> Result<Key, SerdeError> {
        u64::try_from(v)
            .map(Key::Uint)
            .map_err(|_| out_of_range("u128", v))
    }

    fn serialize_f32(self, _v: f32) -> Result<Key, SerdeError> {
        Err(not_a_key("a double"))
    }

    fn serialize_f64(self, _v: f64) -> Result<Key, SerdeError> {
        Err(not_a_key("a double"))
    }

    fn serialize_char(self, v: char) -> Result<Key, SerdeError> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<Key, SerdeError> {
        self.string(v)
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<Key, SerdeError> {
        Err(not_a_key("bytes"))
    }

    fn serialize_none(self) -> Result<Key, SerdeError> {
        Err(not_a_key("null"))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Key, SerdeError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Key, SerdeError> {
        Err(not_a_key("null"))
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Key, SerdeError> {
        Err(not_a_key("null"))
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Key, SerdeError> {
        self.string(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Key, SerdeError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Key, SerdeError> {
        Err(not_a_key("an enum variant with content"))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerdeError> {
        Err(not_a_key("a list"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerdeError> {
        Err(not_a_key("a list"))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerdeError> {
        Err(not_a_key("a list"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerdeError> {
        Err(not_a_key("an enum variant with content"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerdeError> {
        Err(not_a_key("a map"))
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerdeError> {
        Err(not_a_key("a struct"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerdeError> {
        Err(not_a_key("an enum variant with content"))
    }
}
