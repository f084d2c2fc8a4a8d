//! [`StructType`]: an object type declared by name with typed fields, without protobuf.
//!
//! The checker treats it as it treats a message type: field selection has the field's
//! type, `has()` tests a field, an unknown field is an error, and `Name{field: value}` builds
//! one. At run time a value of a struct type is a map from field names to values.

use indexmap::IndexMap;
use smol_str::SmolStr;

use crate::ty::Type;

/// A named object type with typed fields: `k8s.Pod{spec: k8s.PodSpec, ...}`.
///
/// Field types may name other struct types (by [`Type::object`]), lists and maps of them,
/// host types and message types. Field names are any strings; those that are not CEL
/// identifiers are selected in backquotes (``` self.`x-kubernetes-id` ```).
#[derive(Clone, PartialEq, Debug)]
pub struct StructType {
    name: SmolStr,
    fields: IndexMap<SmolStr, Type>,
}

impl StructType {
    /// A struct type called `name` (a dotted identifier), with no fields yet.
    pub fn new(name: &str) -> StructType {
        StructType {
            name: SmolStr::new(name.strip_prefix('.').unwrap_or(name)),
            fields: IndexMap::new(),
        }
    }

    /// Adds a field (replacing an earlier one of the same name).
    pub fn field(mut self, name: &str, ty: Type) -> StructType {
        self.add_field(name, ty);
        self
    }

    /// Adds a field in place (replacing an earlier one of the same name), for types built
    /// by walking a schema.
    pub fn add_field(&mut self, name: &str, ty: Type) {
        self.fields.insert(SmolStr::new(name), ty);
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The fields in declaration order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&str, &Type)> {
        self.fields.iter().map(|(name, ty)| (name.as_str(), ty))
    }

    /// The type of the field called `name`.
    pub fn field_type(&self, name: &str) -> Option<&Type> {
        self.fields.get(name)
    }

    /// Rewrites every field type (the environment resolves opaque type names this way).
    pub fn map_field_types(&mut self, f: impl Fn(&Type) -> Type) {
        for ty in self.fields.values_mut() {
            *ty = f(ty);
        }
    }
}
