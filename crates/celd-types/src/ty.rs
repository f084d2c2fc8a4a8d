//! The CEL type model: [`Type`], its constructors and its display in CEL type syntax.

use std::fmt;
use std::sync::Arc;

use smol_str::SmolStr;

/// A CEL type as the checker sees it.
///
/// Cloning is cheap: compound types keep their parts behind an [`Arc`], names
/// are [`SmolStr`]s.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Type {
    /// Any type; checked at run time.
    Dyn,
    /// The type of `null` (`null_type`).
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    /// `google.protobuf.Timestamp`.
    Timestamp,
    /// `google.protobuf.Duration`.
    Duration,
    /// `google.protobuf.Any`: behaves like `dyn` for assignability.
    Any,
    /// The type of an expression that failed to check.
    Error,
    /// `list(T)`.
    List(Arc<Type>),
    /// `map(K, V)`.
    Map(Arc<(Type, Type)>),
    /// `type` (no parameter) or `type(T)`: the type of type values, so `int` has type `type(int)`.
    TypeOf(Option<Arc<Type>>),
    /// A named object type by its fully qualified name: a protobuf message (never a
    /// well-known type that maps to a CEL type) or a declared struct type.
    Message(SmolStr),
    /// A nullable primitive: `google.protobuf.Int64Value` and the other wrapper messages.
    Wrapper(Primitive),
    /// A protobuf enum by its fully qualified name, when enums are typed (the
    /// environment's strong enums option); under the default legacy semantics enums are `int`.
    Enum(SmolStr),
    /// An abstract (opaque) type with parameters: `optional_type(int)`, `net.IP`.
    Opaque(Arc<OpaqueType>),
    /// A type parameter of a declaration, such as `A` in `list(A)`.
    Param(SmolStr),
    /// A type variable made by the checker while inferring; never left in a checked result.
    Var(u32),
}

/// The primitive types a wrapper message can hold.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Primitive {
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
}

/// The name and parameters of an abstract type.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct OpaqueType {
    pub name: SmolStr,
    pub params: Vec<Type>,
}

/// The abstract type name of optional values.
pub const OPTIONAL_TYPE_NAME: &str = "optional_type";

impl Primitive {
    pub fn to_type(self) -> Type {
        match self {
            Primitive::Bool => Type::Bool,
            Primitive::Int => Type::Int,
            Primitive::Uint => Type::Uint,
            Primitive::Double => Type::Double,
            Primitive::String => Type::String,
            Primitive::Bytes => Type::Bytes,
        }
    }

    /// The CEL name of the wrapped type: `int`, `string`, ...
    pub fn name(self) -> &'static str {
        match self {
            Primitive::Bool => "bool",
            Primitive::Int => "int",
            Primitive::Uint => "uint",
            Primitive::Double => "double",
            Primitive::String => "string",
            Primitive::Bytes => "bytes",
        }
    }
}

impl Type {
    pub fn list(elem: Type) -> Type {
        Type::List(Arc::new(elem))
    }

    pub fn map(key: Type, value: Type) -> Type {
        Type::Map(Arc::new((key, value)))
    }

    /// `type(T)`: the type of the type value `T`.
    pub fn type_of(ty: Type) -> Type {
        Type::TypeOf(Some(Arc::new(ty)))
    }

    pub fn param(name: &str) -> Type {
        Type::Param(SmolStr::new(name))
    }

    pub fn opaque(name: &str, params: Vec<Type>) -> Type {
        Type::Opaque(Arc::new(OpaqueType {
            name: SmolStr::new(name),
            params,
        }))
    }

    /// `optional_type(T)`.
    pub fn optional(ty: Type) -> Type {
        Type::opaque(OPTIONAL_TYPE_NAME, vec![ty])
    }

    /// The type a message name denotes in CEL: well-known types map to their CEL
    /// types (`google.protobuf.Timestamp` is `timestamp`, `google.protobuf.Struct`
    /// is `map(string, dyn)`, wrappers are nullable primitives); any other name is a message.
    pub fn message(full_name: &str) -> Type {
        well_known_type(full_name).unwrap_or_else(|| Type::Message(SmolStr::new(full_name)))
    }

    /// The type a bare name denotes in type syntax, as [`Type::message`]: a name that an
    /// environment declares as an opaque type (`net.IP`, a host type) becomes that type when
    /// the environment is built.
    pub fn named(full_name: &str) -> Type {
        Type::message(full_name)
    }

    /// A named object type: a protobuf message, or a struct type an environment declares
    /// (see [`StructType`](crate::StructType)). Well-known names are not mapped here.
    pub fn object(full_name: &str) -> Type {
        Type::Message(SmolStr::new(full_name))
    }

    /// A typed enum by its fully qualified name.
    pub fn enum_type(full_name: &str) -> Type {
        Type::Enum(SmolStr::new(full_name))
    }

    /// The element type of `list(T)`.
    pub fn list_elem(&self) -> Option<&Type> {
        match self {
            Type::List(elem) => Some(elem),
            _ => None,
        }
    }

    /// The key and value types of `map(K, V)`.
    pub fn map_parts(&self) -> Option<(&Type, &Type)> {
        match self {
            Type::Map(kv) => Some((&kv.0, &kv.1)),
            _ => None,
        }
    }

    /// The parameter of `optional_type(T)`.
    pub fn optional_param(&self) -> Option<&Type> {
        match self {
            Type::Opaque(o) if o.name == OPTIONAL_TYPE_NAME && o.params.len() == 1 => {
                Some(&o.params[0])
            }
            _ => None,
        }
    }

    /// `dyn` or `google.protobuf.Any`.
    pub fn is_dyn(&self) -> bool {
        matches!(self, Type::Dyn | Type::Any)
    }

    /// Whether a type parameter or checker variable occurs anywhere inside.
    #[inline]
    pub fn has_params(&self) -> bool {
        match self {
            Type::Param(_) | Type::Var(_) => true,
            Type::List(elem) => elem.has_params(),
            Type::Map(kv) => kv.0.has_params() || kv.1.has_params(),
            Type::TypeOf(Some(t)) => t.has_params(),
            Type::Opaque(o) => o.params.iter().any(Type::has_params),
            _ => false,
        }
    }

    /// The runtime type name, without parameters: `int`, `list`, `map`,
    /// `google.protobuf.Timestamp`, `pkg.Msg`, `optional_type`.
    pub fn type_name(&self) -> &str {
        match self {
            Type::Dyn => "dyn",
            Type::Null => "null_type",
            Type::Bool => "bool",
            Type::Int => "int",
            Type::Uint => "uint",
            Type::Double => "double",
            Type::String => "string",
            Type::Bytes => "bytes",
            Type::Timestamp => "google.protobuf.Timestamp",
            Type::Duration => "google.protobuf.Duration",
            Type::Any => "google.protobuf.Any",
            Type::Error => "error",
            Type::List(_) => "list",
            Type::Map(_) => "map",
            Type::TypeOf(_) => "type",
            Type::Message(name) | Type::Enum(name) => name,
            Type::Wrapper(p) => p.name(),
            Type::Opaque(o) => &o.name,
            Type::Param(name) => name,
            Type::Var(_) => "_var",
        }
    }
}

/// The CEL type of a well-known protobuf message name, if it has one.
pub fn well_known_type(full_name: &str) -> Option<Type> {
    let short = full_name.strip_prefix("google.protobuf.")?;
    let ty = match short {
        "Timestamp" => Type::Timestamp,
        "Duration" => Type::Duration,
        "Any" => Type::Any,
        "Value" => Type::Dyn,
        "Struct" => Type::map(Type::String, Type::Dyn),
        "ListValue" => Type::list(Type::Dyn),
        "NullValue" => Type::Null,
        "BoolValue" => Type::Wrapper(Primitive::Bool),
        "Int32Value" | "Int64Value" => Type::Wrapper(Primitive::Int),
        "UInt32Value" | "UInt64Value" => Type::Wrapper(Primitive::Uint),
        "FloatValue" | "DoubleValue" => Type::Wrapper(Primitive::Double),
        "StringValue" => Type::Wrapper(Primitive::String),
        "BytesValue" => Type::Wrapper(Primitive::Bytes),
        _ => return None,
    };
    Some(ty)
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::List(elem) => write!(f, "list({elem})"),
            Type::Map(kv) => write!(f, "map({}, {})", kv.0, kv.1),
            Type::TypeOf(Some(t)) => write!(f, "type({t})"),
            Type::Wrapper(p) => write!(f, "wrapper({})", p.name()),
            Type::Var(n) => write!(f, "_var{n}"),
            Type::Opaque(o) if !o.params.is_empty() => {
                write!(f, "{}(", o.name)?;
                for (i, p) in o.params.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{p}")?;
                }
                f.write_str(")")
            }
            other => f.write_str(other.type_name()),
        }
    }
}
