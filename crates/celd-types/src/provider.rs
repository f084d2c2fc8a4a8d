//! Message and enum types from a `prost_reflect::DescriptorPool`, seen as CEL types.
//!
//! Repeated fields are lists, map fields are maps, enums are `int` (or, with
//! strong enums, each enum its own [`Type::Enum`]), and the well-known types map
//! to their CEL types (see [`Type::message`]).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use prost_reflect::{DescriptorPool, EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor};
use smol_str::SmolStr;

use crate::decls::{FunctionDecl, OverloadDecl};
use crate::structs::StructType;
use crate::ty::{Type, well_known_type};

/// The enum that CEL sees as `null_type`, not as an enum.
const NULL_VALUE_ENUM: &str = "google.protobuf.NullValue";

/// Looks up message types, their fields and enum constants.
///
/// The google well-known types are always available, whether or not the
/// given pool holds them.
#[derive(Clone, Debug)]
pub struct TypeProvider {
    pool: DescriptorPool,
    well_known: DescriptorPool,
    /// Enum fields have their enum's type instead of `int`.
    strong_enums: bool,
    /// Struct types declared without protobuf, by name.
    structs: Arc<HashMap<SmolStr, StructType>>,
}

/// The CEL view of one message field.
#[derive(Clone, PartialEq, Debug)]
pub struct FieldType {
    pub ty: Type,
    /// Whether `has()` distinguishes "set" from "default" for this field.
    pub supports_presence: bool,
}

impl Default for TypeProvider {
    fn default() -> Self {
        TypeProvider::new(DescriptorPool::new())
    }
}

impl TypeProvider {
    pub fn new(pool: DescriptorPool) -> TypeProvider {
        TypeProvider {
            pool,
            well_known: DescriptorPool::global(),
            strong_enums: false,
            structs: Arc::default(),
        }
    }

    /// Adds struct types (a later one of the same name replaces an earlier one).
    pub fn with_struct_types(
        mut self,
        types: impl IntoIterator<Item = StructType>,
    ) -> TypeProvider {
        let structs = Arc::make_mut(&mut self.structs);
        for ty in types {
            structs.insert(SmolStr::new(ty.name()), ty);
        }
        self
    }

    /// A declared struct type by its fully qualified name.
    pub fn struct_type(&self, name: &str) -> Option<&StructType> {
        self.structs.get(name)
    }

    /// Every declared struct type, in no particular order.
    pub fn struct_types(&self) -> impl Iterator<Item = &StructType> {
        self.structs.values()
    }

    /// Typed enums: enum fields have their enum's [`Type::Enum`] instead of `int`.
    pub fn with_strong_enums(mut self, strong: bool) -> TypeProvider {
        self.strong_enums = strong;
        self
    }

    pub fn strong_enums(&self) -> bool {
        self.strong_enums
    }

    pub fn pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// The descriptor of a message by fully qualified name (no leading dot).
    pub fn find_message(&self, name: &str) -> Option<MessageDescriptor> {
        self.pool
            .get_message_by_name(name)
            .or_else(|| self.well_known.get_message_by_name(name))
    }

    /// The CEL type a message or struct type name denotes, if the type exists.
    pub fn message_type(&self, name: &str) -> Option<Type> {
        if let Some(ty) = well_known_type(name) {
            return Some(ty);
        }
        if self.structs.contains_key(name) {
            return Some(Type::object(name));
        }
        self.find_message(name)
            .map(|m| Type::message(m.full_name()))
    }

    /// The CEL type of `message.field`, if both exist. A dotted field name is
    /// a proto2 extension by its full name (what `proto.getExt` selects).
    pub fn field_type(&self, message: &str, field: &str) -> Option<FieldType> {
        if let Some(st) = self.structs.get(message) {
            return st.field_type(field).map(|ty| FieldType {
                ty: ty.clone(),
                supports_presence: true,
            });
        }
        let descriptor = self.find_message(message)?;
        if let Some(field) = descriptor.get_field_by_name(field) {
            return Some(FieldType {
                ty: field_type_as(&field, self.strong_enums),
                supports_presence: field.supports_presence(),
            });
        }
        let extension = self.pool.get_extension_by_name(field)?;
        if extension.containing_message().full_name() != descriptor.full_name() {
            return None;
        }
        let elem = kind_type_as(&extension.kind(), self.strong_enums);
        let ty = if extension.is_list() {
            Type::list(elem)
        } else {
            elem
        };
        Some(FieldType {
            ty,
            supports_presence: extension.supports_presence(),
        })
    }

    /// The descriptor of an enum by fully qualified name (no leading dot).
    pub fn find_enum(&self, name: &str) -> Option<EnumDescriptor> {
        self.pool
            .get_enum_by_name(name)
            .or_else(|| self.well_known.get_enum_by_name(name))
    }

    /// The typed enum an enum name denotes, if the enum exists (`google.protobuf.NullValue`
    /// is `null_type`, a message type: see [`TypeProvider::message_type`]).
    pub fn enum_type(&self, name: &str) -> Option<Type> {
        if name == NULL_VALUE_ENUM {
            return None;
        }
        self.find_enum(name).map(|e| Type::enum_type(e.full_name()))
    }

    /// With strong enums, the functions each enum brings: `E(int)` and `E(string)`
    /// build an `E`, and `int(E)` reads its number. Empty under legacy semantics.
    pub fn enum_functions(&self) -> Vec<FunctionDecl> {
        if !self.strong_enums {
            return Vec::new();
        }
        let mut names = BTreeSet::new();
        for pool in [&self.pool, &self.well_known] {
            names.extend(
                pool.all_enums()
                    .map(|e| e.full_name().to_owned())
                    .filter(|name| name != NULL_VALUE_ENUM),
            );
        }
        let mut decls = Vec::with_capacity(names.len() + 1);
        let mut to_int = Vec::with_capacity(names.len());
        for name in &names {
            let ty = Type::enum_type(name);
            let from_int =
                OverloadDecl::global(&format!("int64_to_{name}"), vec![Type::Int], ty.clone());
            let from_string =
                OverloadDecl::global(&format!("string_to_{name}"), vec![Type::String], ty.clone());
            decls.push(FunctionDecl::new(name, vec![from_int, from_string]));
            to_int.push(OverloadDecl::global(
                &format!("{name}_to_int64"),
                vec![ty],
                Type::Int,
            ));
        }
        if !to_int.is_empty() {
            decls.push(FunctionDecl::new("int", to_int));
        }
        decls
    }

    /// The value of an enum constant named `pkg.Enum.VALUE`.
    pub fn enum_value(&self, qualified: &str) -> Option<i64> {
        let (enum_name, value_name) = qualified.rsplit_once('.')?;
        let descriptor = self.find_enum(enum_name)?;
        let value = descriptor.get_value_by_name(value_name)?;
        Some(i64::from(value.number()))
    }

    /// The full name of every struct, message and enum type, the well-known ones included
    /// (for "did you mean" hints).
    pub fn type_names(&self) -> impl Iterator<Item = String> + '_ {
        let messages = [&self.pool, &self.well_known].into_iter().flat_map(|pool| {
            pool.all_messages()
                .map(|m| m.full_name().to_string())
                .chain(pool.all_enums().map(|e| e.full_name().to_string()))
        });
        self.structs
            .keys()
            .map(|name| name.to_string())
            .chain(messages)
    }

    /// The first name segment of every message, enum and struct type (`google`, `cel`), so
    /// callers can skip qualified-name lookups that cannot succeed.
    pub fn root_segments(&self) -> BTreeSet<String> {
        let mut roots = BTreeSet::new();
        for name in self.structs.keys() {
            roots.insert(name.split('.').next().unwrap_or_default().to_string());
        }
        for pool in [&self.pool, &self.well_known] {
            let names = pool
                .all_messages()
                .map(|m| m.full_name().to_string())
                .chain(pool.all_enums().map(|e| e.full_name().to_string()));
            for name in names {
                let root = name.split('.').next().unwrap_or_default();
                roots.insert(root.to_string());
            }
        }
        roots
    }
}

/// The CEL type of a field: lists for repeated fields, maps for map fields; enums are `int`.
pub fn field_cel_type(field: &FieldDescriptor) -> Type {
    field_type_as(field, false)
}

fn field_type_as(field: &FieldDescriptor, strong_enums: bool) -> Type {
    if let (true, Kind::Message(entry)) = (field.is_map(), field.kind()) {
        let key = kind_type_as(&entry.map_entry_key_field().kind(), strong_enums);
        let value = kind_type_as(&entry.map_entry_value_field().kind(), strong_enums);
        return Type::map(key, value);
    }
    let elem = kind_type_as(&field.kind(), strong_enums);
    if field.is_list() {
        Type::list(elem)
    } else {
        elem
    }
}

/// The CEL type of a singular protobuf value of kind `kind`; enums are `int`.
pub fn kind_cel_type(kind: &Kind) -> Type {
    kind_type_as(kind, false)
}

fn kind_type_as(kind: &Kind, strong_enums: bool) -> Type {
    match kind {
        Kind::Double | Kind::Float => Type::Double,
        Kind::Int32
        | Kind::Int64
        | Kind::Sint32
        | Kind::Sint64
        | Kind::Sfixed32
        | Kind::Sfixed64 => Type::Int,
        Kind::Uint32 | Kind::Uint64 | Kind::Fixed32 | Kind::Fixed64 => Type::Uint,
        Kind::Bool => Type::Bool,
        Kind::String => Type::String,
        Kind::Bytes => Type::Bytes,
        Kind::Enum(e) if e.full_name() == NULL_VALUE_ENUM => Type::Null,
        Kind::Enum(e) if strong_enums => Type::enum_type(e.full_name()),
        Kind::Enum(_) => Type::Int,
        Kind::Message(m) => Type::message(m.full_name()),
    }
}
