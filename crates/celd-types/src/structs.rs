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
    /// Any field name is allowed; those not declared have type `dyn`.
    dynamic_fields: bool,
}

/// The type of a field a struct with dynamic fields does not declare.
static DYN: Type = Type::Dyn;

impl StructType {
    /// A struct type called `name` (a dotted identifier), with no fields yet.
    pub fn new(name: &str) -> StructType {
        StructType {
            name: SmolStr::new(name.strip_prefix('.').unwrap_or(name)),
            fields: IndexMap::new(),
            dynamic_fields: false,
        }
    }

    /// Allows every field name: a field not declared has type `dyn` (an object whose schema
    /// is unknown, such as Kubernetes' `Object.spec` without an OpenAPI schema).
    pub fn with_dynamic_fields(mut self) -> StructType {
        self.dynamic_fields = true;
        self
    }

    /// Whether every field name is allowed (see [`StructType::with_dynamic_fields`]).
    pub fn has_dynamic_fields(&self) -> bool {
        self.dynamic_fields
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
        match self.fields.get(name) {
            None if self.dynamic_fields => Some(&DYN),
            declared => declared,
        }
    }

    /// Rewrites every field type (the environment resolves opaque type names this way).
    pub fn map_field_types(&mut self, f: impl Fn(&Type) -> Type) {
        for ty in self.fields.values_mut() {
            *ty = f(ty);
        }
    }
}
