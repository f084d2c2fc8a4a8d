//! A serde `Deserializer` over a borrowed CEL value.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use super::ser::key_text;
use super::{SerdeError, SerdeErrorKind};
use crate::time::{format_duration, format_timestamp};
use crate::{EnumValue, Key, Value};

/// Deserializes a Rust value from a borrowed [`Value`]; see [`from_value`](super::from_value).
#[derive(Clone, Copy)]
pub struct ValueDeserializer<'de> {
    value: &'de Value,
    /// How many more levels of nesting are allowed below this value.
    depth_left: usize,
}

impl<'de> ValueDeserializer<'de> {
    pub fn new(value: &'de Value, max_depth: usize) -> ValueDeserializer<'de> {
        ValueDeserializer {
            value,
            depth_left: max_depth,
        }
    }

    /// The deserializer of a value inside this one.
    fn inner(&self, value: &'de Value) -> Result<ValueDeserializer<'de>, SerdeError> {
        let depth_left = self
            .depth_left
            .checked_sub(1)
            .ok_or_else(|| SerdeError::limit("nesting deeper than the limit"))?;
        Ok(ValueDeserializer { value, depth_left })
    }

    fn unexpected(&self) -> de::Unexpected<'de> {
        match self.value {
            Value::Null => de::Unexpected::Unit,
            Value::Bool(b) => de::Unexpected::Bool(*b),
            Value::Int(i) => de::Unexpected::Signed(*i),
            Value::Uint(u) => de::Unexpected::Unsigned(*u),
            Value::Double(d) => de::Unexpected::Float(*d),
            Value::String(s) => de::Unexpected::Str(s),
            Value::Bytes(b) => de::Unexpected::Bytes(b),
            Value::List(_) => de::Unexpected::Seq,
            Value::Map(_) => de::Unexpected::Map,
            Value::Optional(_) => de::Unexpected::Option,
            Value::Timestamp(_) => de::Unexpected::Other("timestamp"),
            Value::Duration(_) => de::Unexpected::Other("duration"),
            Value::Type(_) => de::Unexpected::Other("type"),
            Value::Message(_) => de::Unexpected::Other("message"),
            Value::Opaque(_) => de::Unexpected::Other("opaque value"),
        }
    }

    /// An integer-typed target: `int`s and `uint`s as they are (serde's visitors check the
    /// range), integral `double`s as integers.
    fn integer<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match *self.value {
            Value::Int(i) => visitor.visit_i64(i),
            Value::Uint(u) => visitor.visit_u64(u),
            Value::Double(d) if d.fract() == 0.0 && d >= -(2f64.powi(63)) && d < 2f64.powi(63) => {
                visitor.visit_i64(d as i64)
            }
            Value::Double(d) if d.fract() == 0.0 && d >= 0.0 && d < 2f64.powi(64) => {
                visitor.visit_u64(d as u64)
            }
            _ => self.deserialize_any_value(visitor),
        }
    }

    /// A floating-point target: `double`s, and integers that a `f64` holds exactly.
    fn float<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match *self.value {
            Value::Double(d) => visitor.visit_f64(d),
            Value::Int(i) if (i as f64) as i128 == i128::from(i) => visitor.visit_f64(i as f64),
            Value::Uint(u) if (u as f64) as u128 == u128::from(u) => visitor.visit_f64(u as f64),
            Value::Int(_) | Value::Uint(_) => Err(SerdeError::new(
                SerdeErrorKind::Type,
                format!(
                    "invalid value: integer {}, expected a number a double holds exactly",
                    self.value
                ),
            )),
            _ => self.deserialize_any_value(visitor),
        }
    }

    fn deserialize_any_value<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        if let Some(e) = EnumValue::of(self.value) {
            return visitor.visit_i64(e.number().into());
        }
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Uint(u) => visitor.visit_u64(*u),
            Value::Double(d) => visitor.visit_f64(*d),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Bytes(b) => visitor.visit_borrowed_bytes(b),
            Value::List(items) => visitor.visit_seq(SeqDeserializer {
                parent: self,
                items: items.iter().enumerate(),
            }),
            Value::Map(map) => visitor.visit_map(MapDeserializer {
                parent: self,
                entries: map.iter(),
                key: None,
                value: None,
            }),
            Value::Timestamp(t) => visitor.visit_string(format_timestamp(*t)),
            Value::Duration(d) => visitor.visit_string(format_duration(*d)),
            Value::Type(t) => visitor.visit_borrowed_str(t.name()),
            Value::Optional(None) => visitor.visit_none(),
            Value::Optional(Some(inner)) => visitor.visit_some(self.inner(inner)?),
            Value::Message(m) => {
                // Through the message's protobuf JSON form (prost-reflect's `Serialize`).
                let json = serde_json::to_value(&**m)
                    .map_err(|e| SerdeError::new(SerdeErrorKind::Custom, e.to_string()))?;
                de::Deserializer::deserialize_any(json, visitor).map_err(|e| {
                    SerdeError::new(SerdeErrorKind::Type, format!("in a message: {e}"))
                })
            }
            Value::Opaque(o) => visitor.visit_string(o_to_string(o.as_ref())),
        }
    }
}

fn o_to_string(o: &dyn crate::Opaque) -> String {
    struct Cel<'a>(&'a dyn crate::Opaque);
    impl std::fmt::Display for Cel<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.fmt_cel(f)
        }
    }
    Cel(o).to_string()
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_any_value(visitor)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.integer(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.integer(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.integer(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.integer(visitor)
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.integer(visitor)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.integer(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.integer(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.integer(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.integer(visitor)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.integer(visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.float(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.float(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_any_value(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_any_value(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            // `Vec<u8>` and other sequences of numbers from `bytes`.
            Value::Bytes(b) => {
                visitor.visit_seq(de::value::SeqDeserializer::new(b.iter().copied()))
            }
            _ => self.deserialize_any_value(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Null | Value::Optional(None) => visitor.visit_none(),
            Value::Optional(Some(inner)) => visitor.visit_some(self.inner(inner)?),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        match self.value {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Map(map) if map.len() == 1 => {
                let Some((Key::String(variant), content)) = map.iter().next() else {
                    return Err(de::Error::invalid_type(self.unexpected(), &visitor));
                };
                visitor.visit_enum(EnumDeserializer {
                    variant,
                    content: self.inner(content)?,
                })
            }
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
    }

    fn is_human_readable(&self) -> bool {
        true
    }

    forward_to_deserialize_any! {
        bool char str string map struct identifier ignored_any
    }
}

struct SeqDeserializer<'de, I> {
    parent: ValueDeserializer<'de>,
    items: I,
}

impl<'de, I: Iterator<Item = (usize, &'de Value)>> de::SeqAccess<'de> for SeqDeserializer<'de, I> {
    type Error = SerdeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, SerdeError> {
        let Some((i, item)) = self.items.next() else {
            return Ok(None);
        };
        let inner = self.parent.inner(item).map_err(|e| e.at_index(i))?;
        seed.deserialize(inner).map(Some).map_err(|e| e.at_index(i))
    }

    fn size_hint(&self) -> Option<usize> {
        self.items.size_hint().1
    }
}

struct MapDeserializer<'de, I> {
    parent: ValueDeserializer<'de>,
    entries: I,
    key: Option<&'de Key>,
    value: Option<&'de Value>,
}

impl<'de, I: Iterator<Item = (&'de Key, &'de Value)>> de::MapAccess<'de>
    for MapDeserializer<'de, I>
{
    type Error = SerdeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, SerdeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.key = Some(key);
        self.value = Some(value);
        seed.deserialize(KeyDeserializer { key })
            .map(Some)
            .map_err(|e| e.at_key(key_text(key)))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, SerdeError> {
        let (Some(key), Some(value)) = (self.key.take(), self.value.take()) else {
            return Err(SerdeError::new(
                SerdeErrorKind::Custom,
                "a map value was asked for before its key",
            ));
        };
        let located = |e: SerdeError| match key {
            Key::String(name) => e.in_field(name),
            other => e.at_key(key_text(other)),
        };
        let inner = self.parent.inner(value).map_err(located)?;
        seed.deserialize(inner).map_err(located)
    }

    fn size_hint(&self) -> Option<usize> {
        self.entries.size_hint().1
    }
}

/// A map key as a deserializer: its bool, integer or string.
struct KeyDeserializer<'de> {
    key: &'de Key,
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'de> {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.key {
            Key::Bool(b) => visitor.visit_bool(*b),
            Key::Int(i) => visitor.visit_i64(*i),
            Key::Uint(u) => visitor.visit_u64(*u),
            Key::String(s) => visitor.visit_borrowed_str(s),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_some(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        match self.key {
            Key::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => self.deserialize_any(visitor),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// A variant with content: a one-entry map from the variant's name.
struct EnumDeserializer<'de> {
    variant: &'de str,
    content: ValueDeserializer<'de>,
}

impl<'de> de::EnumAccess<'de> for EnumDeserializer<'de> {
    type Error = SerdeError;
    type Variant = VariantDeserializer<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantDeserializer<'de>), SerdeError> {
        let variant: de::value::BorrowedStrDeserializer<'de, SerdeError> =
            de::value::BorrowedStrDeserializer::new(self.variant);
        let value = seed.deserialize(variant)?;
        Ok((
            value,
            VariantDeserializer {
                variant: self.variant,
                content: self.content,
            },
        ))
    }
}

struct VariantDeserializer<'de> {
    variant: &'de str,
    content: ValueDeserializer<'de>,
}

impl<'de> de::VariantAccess<'de> for VariantDeserializer<'de> {
    type Error = SerdeError;

    fn unit_variant(self) -> Result<(), SerdeError> {
        match self.content.value {
            Value::Null => Ok(()),
            _ => Err(<SerdeError as de::Error>::invalid_type(
                self.content.unexpected(),
                &"a unit variant",
            )
            .in_field(self.variant)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, SerdeError> {
        let variant = self.variant;
        seed.deserialize(self.content)
            .map_err(|e| e.in_field(variant))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        let variant = self.variant;
        de::Deserializer::deserialize_seq(self.content, visitor).map_err(|e| e.in_field(variant))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        let variant = self.variant;
        de::Deserializer::deserialize_map(self.content, visitor).map_err(|e| e.in_field(variant))
    }
}
