//! Types and declarations as the test files write them (`cel.expr.Type`,
//! `cel.expr.Decl`), in a form that does not depend on the engine.

use std::fmt;

use prost_reflect::{DynamicMessage, Value as PbValue};

use crate::pb::{self, DataError};

/// A CEL type as `cel.expr.Type` describes it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TypeSpec {
    Dyn,
    Null,
    Primitive(Primitive),
    /// A wrapper message such as `google.protobuf.Int64Value`: a nullable primitive.
    Wrapper(Primitive),
    Any,
    Timestamp,
    Duration,
    List(Box<TypeSpec>),
    Map(Box<TypeSpec>, Box<TypeSpec>),
    Function {
        result: Box<TypeSpec>,
        args: Vec<TypeSpec>,
    },
    Message(String),
    Param(String),
    /// `type` (no parameter) or `type(T)`.
    Type(Option<Box<TypeSpec>>),
    Error,
    /// An abstract type with parameters, such as `optional_type(int)`.
    Abstract {
        name: String,
        params: Vec<TypeSpec>,
    },
}

/// The primitive types of `cel.expr.Type.PrimitiveType`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Primitive {
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
}

/// A declaration from a test's `type_env`.
#[derive(Clone, PartialEq, Debug)]
pub enum Decl {
    Variable {
        name: String,
        ty: TypeSpec,
    },
    Function {
        name: String,
        overloads: Vec<Overload>,
    },
}

/// One overload of a declared function.
#[derive(Clone, PartialEq, Debug)]
pub struct Overload {
    pub id: String,
    /// Receiver style: `params[0]` is the receiver.
    pub member: bool,
    pub params: Vec<TypeSpec>,
    pub result: TypeSpec,
}

impl Primitive {
    fn from_number(n: i32) -> Result<Primitive, DataError> {
        Ok(match n {
            1 => Primitive::Bool,
            2 => Primitive::Int,
            3 => Primitive::Uint,
            4 => Primitive::Double,
            5 => Primitive::String,
            6 => Primitive::Bytes,
            _ => return Err(DataError::new(format!("unknown primitive type {n}"))),
        })
    }

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

impl TypeSpec {
    /// Reads a `cel.expr.Type`.
    pub fn from_message(msg: &DynamicMessage) -> Result<TypeSpec, DataError> {
        let Some((kind, value)) = pb::oneof_member(msg, "type_kind") else {
            return Err(DataError::new("cel.expr.Type with no kind set"));
        };
        Ok(match (kind.as_str(), &value) {
            ("dyn", _) => TypeSpec::Dyn,
            ("null", _) => TypeSpec::Null,
            ("error", _) => TypeSpec::Error,
            ("primitive", PbValue::EnumNumber(n)) => {
                TypeSpec::Primitive(Primitive::from_number(*n)?)
            }
            ("wrapper", PbValue::EnumNumber(n)) => TypeSpec::Wrapper(Primitive::from_number(*n)?),
            ("well_known", PbValue::EnumNumber(n)) => well_known(*n)?,
            ("message_type", PbValue::String(name)) => TypeSpec::Message(name.clone()),
            ("type_param", PbValue::String(name)) => TypeSpec::Param(name.clone()),
            ("list_type", PbValue::Message(m)) => list_type(m)?,
            ("map_type", PbValue::Message(m)) => map_type(m)?,
            ("function", PbValue::Message(m)) => function_type(m)?,
            ("type", PbValue::Message(m)) => type_type(m)?,
            ("abstract_type", PbValue::Message(m)) => abstract_type(m)?,
            (other, _) => {
                return Err(DataError::new(format!(
                    "unsupported cel.expr.Type kind '{other}'"
                )));
            }
        })
    }
}

fn well_known(n: i32) -> Result<TypeSpec, DataError> {
    Ok(match n {
        1 => TypeSpec::Any,
        2 => TypeSpec::Timestamp,
        3 => TypeSpec::Duration,
        _ => return Err(DataError::new(format!("unknown well-known type {n}"))),
    })
}

fn required_type(msg: &DynamicMessage, name: &str) -> Result<TypeSpec, DataError> {
    TypeSpec::from_message(&pb::required_message(msg, name)?)
}

fn list_type(msg: &DynamicMessage) -> Result<TypeSpec, DataError> {
    Ok(TypeSpec::List(Box::new(required_type(msg, "elem_type")?)))
}

fn map_type(msg: &DynamicMessage) -> Result<TypeSpec, DataError> {
    let key = required_type(msg, "key_type")?;
    let value = required_type(msg, "value_type")?;
    Ok(TypeSpec::Map(Box::new(key), Box::new(value)))
}

fn function_type(msg: &DynamicMessage) -> Result<TypeSpec, DataError> {
    Ok(TypeSpec::Function {
        result: Box::new(required_type(msg, "result_type")?),
        args: type_list(msg, "arg_types")?,
    })
}

/// `type: {}` (an empty inner type) is the unparameterized `type`.
fn type_type(msg: &DynamicMessage) -> Result<TypeSpec, DataError> {
    if pb::oneof_member(msg, "type_kind").is_none() {
        return Ok(TypeSpec::Type(None));
    }
    Ok(TypeSpec::Type(Some(Box::new(TypeSpec::from_message(msg)?))))
}

fn abstract_type(msg: &DynamicMessage) -> Result<TypeSpec, DataError> {
    Ok(TypeSpec::Abstract {
        name: pb::string(msg, "name")?,
        params: type_list(msg, "parameter_types")?,
    })
}

fn type_list(msg: &DynamicMessage, name: &str) -> Result<Vec<TypeSpec>, DataError> {
    pb::messages(msg, name)?
        .iter()
        .map(TypeSpec::from_message)
        .collect()
}

impl Decl {
    /// Reads a `cel.expr.Decl`.
    pub fn from_message(msg: &DynamicMessage) -> Result<Decl, DataError> {
        let name = pb::string(msg, "name")?;
        if let Some(ident) = pb::message(msg, "ident")? {
            let ty = required_type(&ident, "type")?;
            return Ok(Decl::Variable { name, ty });
        }
        if let Some(function) = pb::message(msg, "function")? {
            let overloads = pb::messages(&function, "overloads")?
                .iter()
                .map(Overload::from_message)
                .collect::<Result<_, _>>()?;
            return Ok(Decl::Function { name, overloads });
        }
        Err(DataError::new(format!(
            "declaration of '{name}' is neither an ident nor a function"
        )))
    }
}

impl Overload {
    fn from_message(msg: &DynamicMessage) -> Result<Overload, DataError> {
        Ok(Overload {
            id: pb::string(msg, "overload_id")?,
            member: pb::boolean(msg, "is_instance_function")?,
            params: type_list(msg, "params")?,
            result: required_type(msg, "result_type")?,
        })
    }
}

/// CEL type syntax: `list(int)`, `map(string, dyn)`, `wrapper(int)`, `type(int)`.
impl fmt::Display for TypeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeSpec::Dyn => f.write_str("dyn"),
            TypeSpec::Null => f.write_str("null_type"),
            TypeSpec::Primitive(p) => f.write_str(p.name()),
            TypeSpec::Wrapper(p) => write!(f, "wrapper({})", p.name()),
            TypeSpec::Any => f.write_str("google.protobuf.Any"),
            TypeSpec::Timestamp => f.write_str("google.protobuf.Timestamp"),
            TypeSpec::Duration => f.write_str("google.protobuf.Duration"),
            TypeSpec::List(elem) => write!(f, "list({elem})"),
            TypeSpec::Map(key, value) => write!(f, "map({key}, {value})"),
            TypeSpec::Function { result, args } => {
                f.write_str("function(")?;
                write_list(f, args)?;
                write!(f, ") -> {result}")
            }
            TypeSpec::Message(name) | TypeSpec::Param(name) => f.write_str(name),
            TypeSpec::Type(None) => f.write_str("type"),
            TypeSpec::Type(Some(t)) => write!(f, "type({t})"),
            TypeSpec::Error => f.write_str("*error*"),
            TypeSpec::Abstract { name, params } if params.is_empty() => f.write_str(name),
            TypeSpec::Abstract { name, params } => {
                write!(f, "{name}(")?;
                write_list(f, params)?;
                f.write_str(")")
            }
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, types: &[TypeSpec]) -> fmt::Result {
    for (i, ty) in types.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{ty}")?;
    }
    Ok(())
}
