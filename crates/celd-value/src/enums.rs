//! Typed ("strong") protobuf enum values: [`EnumValue`], a number tagged with its enum type.
//!
//! Under the default (legacy) semantics enums are plain `int`s and this type never
//! appears. With strong enums, `pkg.Color.RED` is an [`EnumValue`] whose CEL type is
//! `pkg.Color`: it equals only values of the same enum with the same number, converts
//! to `int` with `int(e)`, and prints in CEL syntax as the conversion that rebuilds it,
//! `pkg.Color(0)` (an enum number may have no name, or several).

use std::fmt;
use std::sync::Arc;

use prost_reflect::EnumDescriptor;

use crate::{EvalError, Opaque, Result, Value};

/// A value of a protobuf enum type: any `int32`, named or not (open enums keep unknown numbers).
#[derive(Clone, PartialEq, Eq)]
pub struct EnumValue {
    descriptor: EnumDescriptor,
    number: i32,
}

impl EnumValue {
    pub fn new(descriptor: EnumDescriptor, number: i32) -> EnumValue {
        EnumValue { descriptor, number }
    }

    /// `pkg.Enum(i)`: any `int32`; other ints are out of range.
    pub fn from_int(descriptor: EnumDescriptor, number: i64) -> Result<EnumValue> {
        let number = i32::try_from(number).map_err(|_| EvalError::out_of_range("enum"))?;
        Ok(EnumValue::new(descriptor, number))
    }

    /// `pkg.Enum('NAME')`: the value with that unqualified name.
    pub fn from_name(descriptor: EnumDescriptor, name: &str) -> Result<EnumValue> {
        match descriptor.get_value_by_name(name) {
            Some(value) => Ok(EnumValue::new(descriptor, value.number())),
            None => Err(EvalError::invalid_argument(format!(
                "invalid enum value name '{name}' for {}",
                descriptor.full_name()
            ))),
        }
    }

    /// The enum constant `pkg.Enum.NAME`, given its fully qualified name.
    pub fn from_constant(
        pool: &prost_reflect::DescriptorPool,
        qualified: &str,
    ) -> Option<EnumValue> {
        let (enum_name, value_name) = qualified.rsplit_once('.')?;
        let descriptor = pool.get_enum_by_name(enum_name)?;
        let number = descriptor.get_value_by_name(value_name)?.number();
        Some(EnumValue::new(descriptor, number))
    }

    pub fn number(&self) -> i32 {
        self.number
    }

    pub fn descriptor(&self) -> &EnumDescriptor {
        &self.descriptor
    }

    /// The enum's fully qualified name, which is the value's CEL type name.
    pub fn enum_name(&self) -> &str {
        self.descriptor.full_name()
    }

    /// The first name declared for this number, if any.
    pub fn value_name(&self) -> Option<String> {
        self.descriptor
            .get_value(self.number)
            .map(|v| v.name().to_owned())
    }

    pub fn into_value(self) -> Value {
        Value::Opaque(Arc::new(self))
    }

    /// The enum value inside `v`, if it holds one.
    pub fn of(v: &Value) -> Option<&EnumValue> {
        match v {
            Value::Opaque(o) => o.as_any().downcast_ref::<EnumValue>(),
            _ => None,
        }
    }
}

impl fmt::Debug for EnumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.enum_name(), self.number)
    }
}

impl Opaque for EnumValue {
    fn type_name(&self) -> &str {
        self.enum_name()
    }

    fn equals(&self, other: &dyn Opaque) -> bool {
        other
            .as_any()
            .downcast_ref::<EnumValue>()
            .is_some_and(|o| o.number == self.number && o.enum_name() == self.enum_name())
    }

    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.enum_name(), self.number)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_reflect::prost_types::{
        EnumDescriptorProto, EnumValueDescriptorProto, FileDescriptorProto, FileDescriptorSet,
    };

    /// `enum test.Color { RED = 0; GREEN = 1; VERDE = 1; }` (an alias) and `enum test.Other { X = 0; }`.
    fn enums() -> (EnumDescriptor, EnumDescriptor) {
        let value = |name: &str, number| EnumValueDescriptorProto {
            name: Some(name.into()),
            number: Some(number),
            options: None,
        };
        let color = EnumDescriptorProto {
            name: Some("Color".into()),
            value: vec![value("RED", 0), value("GREEN", 1), value("VERDE", 1)],
            options: Some(prost_reflect::prost_types::EnumOptions {
                allow_alias: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        };
        let other = EnumDescriptorProto {
            name: Some("Other".into()),
            value: vec![value("X", 0)],
            ..Default::default()
        };
        let file = FileDescriptorProto {
            name: Some("test.proto".into()),
            package: Some("test".into()),
            syntax: Some("proto3".into()),
            enum_type: vec![color, other],
            ..Default::default()
        };
        let pool = prost_reflect::DescriptorPool::from_file_descriptor_set(FileDescriptorSet {
            file: vec![file],
        })
        .expect("valid descriptors");
        let get = |name| pool.get_enum_by_name(name).expect("enum exists");
        (get("test.Color"), get("test.Other"))
    }

    #[test]
    fn conversions_check_range_and_names() {
        let (color, _) = enums();
        let ok = |r: Result<EnumValue>| r.map(|e| e.number()).map_err(|e| e.to_string());
        assert_eq!(ok(EnumValue::from_int(color.clone(), 1)), Ok(1));
        assert_eq!(
            ok(EnumValue::from_int(color.clone(), -(1 << 31))),
            Ok(i32::MIN)
        );
        assert_eq!(
            ok(EnumValue::from_int(color.clone(), 1 << 31)),
            Err("enum out of range".to_owned())
        );
        assert_eq!(ok(EnumValue::from_name(color.clone(), "VERDE")), Ok(1));
        assert_eq!(
            ok(EnumValue::from_name(color.clone(), "BLUE")),
            Err("invalid enum value name 'BLUE' for test.Color".to_owned())
        );
        let pool = color.parent_pool();
        assert_eq!(
            EnumValue::from_constant(pool, "test.Color.GREEN").map(|e| e.number()),
            Some(1)
        );
        assert!(EnumValue::from_constant(pool, "test.Color.BLUE").is_none());
        assert!(EnumValue::from_constant(pool, "Color").is_none());
    }

    #[test]
    fn values_compare_print_and_name_their_type() {
        let (color, other) = enums();
        let green = EnumValue::new(color.clone(), 1).into_value();
        assert_eq!(green.to_string(), "test.Color(1)");
        assert_eq!(green.type_name(), "test.Color");
        assert_eq!(green.type_value().name(), "test.Color");
        assert!(green == EnumValue::new(color.clone(), 1).into_value());
        assert!(green != EnumValue::new(color.clone(), 0).into_value());
        assert!(green != EnumValue::new(other.clone(), 1).into_value());
        assert!(green != Value::Int(1));
        let of = EnumValue::of(&green).expect("an enum value");
        assert_eq!(of.value_name().as_deref(), Some("GREEN"));
        assert_eq!(EnumValue::new(color, 5).value_name(), None);
        assert!(EnumValue::of(&Value::Int(1)).is_none());
    }
}
