//! The one place that calls the engine: builds an environment for a test,
//! checks, compiles and evaluates, and converts types between the test files'
//! form ([`TypeSpec`]) and celd's.

use std::fmt;

use celd::layers::types::Primitive as CeldPrimitive;
use celd::{Env, EnvBuilder, Program, Type, Validations, Value};
use prost_reflect::DescriptorPool;

use crate::suite::EnvSpec;
use crate::types::{Decl, Overload, Primitive, TypeSpec};

/// The stage at which the engine failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stage {
    /// Building the environment from the test's declarations.
    Env,
    /// Parsing, checking or planning.
    Compile,
    Eval,
}

/// A failure reported by the engine.
#[derive(Clone, Debug)]
pub struct EngineError {
    pub stage: Stage,
    /// The rendered error, with source excerpts.
    pub message: String,
    /// The first problem's message alone, when the engine gave one.
    pub summary: Option<String>,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = match self.stage {
            Stage::Env => "environment",
            Stage::Compile => "compile",
            Stage::Eval => "eval",
        };
        write!(f, "{stage} error: {}", self.message)
    }
}

impl std::error::Error for EngineError {}

fn error(stage: Stage, e: impl fmt::Display) -> EngineError {
    EngineError {
        stage,
        message: e.to_string(),
        summary: None,
    }
}

fn celd_error(stage: Stage, e: celd::Error) -> EngineError {
    EngineError {
        stage,
        message: e.to_string(),
        summary: Some(e.message().to_owned()),
    }
}

/// The engine with the test messages loaded.
pub struct Engine {
    pool: DescriptorPool,
}

/// An environment built for one test.
pub struct TestEnv {
    env: Env,
}

/// A compiled expression and the type the checker deduced (`dyn` when unchecked).
pub struct Compiled {
    program: Program,
}

impl Engine {
    pub fn new(pool: DescriptorPool) -> Engine {
        Engine { pool }
    }

    /// An environment with every extension, the test messages, and the test's
    /// container, macro setting and declarations.
    pub fn env(&self, spec: &EnvSpec) -> Result<TestEnv, EngineError> {
        let mut builder = Env::builder()
            .container(&spec.container)
            .descriptor_pool(self.pool.clone())
            .all_extensions()
            .macros(!spec.disable_macros)
            .strong_enums(spec.strong_enums)
            .validations(Validations::none());
        for decl in &spec.decls {
            builder = match decl {
                Decl::Variable { name, ty } => builder.variable(name, to_celd_type(ty)?),
                Decl::Function { name, overloads } => declare_function(builder, name, overloads)?,
            };
        }
        let env = builder.build().map_err(|e| error(Stage::Env, e))?;
        Ok(TestEnv { env })
    }

    /// Parses and checks; the deduced type.
    pub fn check(&self, env: &TestEnv, expr: &str) -> Result<TypeSpec, EngineError> {
        let ty = env.env.check(expr).map_err(|e| error(Stage::Compile, e))?;
        Ok(from_celd_type(&ty))
    }

    /// Parses, checks (unless `checked` is false) and plans.
    pub fn compile(
        &self,
        env: &TestEnv,
        expr: &str,
        checked: bool,
    ) -> Result<Compiled, EngineError> {
        let program = if checked {
            env.env.compile(expr)
        } else {
            env.env.compile_unchecked(expr)
        };
        let program = program.map_err(|e| celd_error(Stage::Compile, e))?;
        Ok(Compiled { program })
    }

    /// Evaluates with the given variables.
    pub fn eval(
        &self,
        env: &TestEnv,
        compiled: &Compiled,
        bindings: &[(String, Value)],
    ) -> Result<Value, EngineError> {
        let mut activation = env.env.activation();
        for (name, value) in bindings {
            activation.insert(name, value.clone());
        }
        compiled
            .program
            .eval(&activation)
            .map_err(|e| error(Stage::Eval, e))
    }
}

impl Compiled {
    pub fn result_type(&self) -> TypeSpec {
        from_celd_type(self.program.result_type())
    }
}

/// A test's function declaration. The tests that declare functions only check types, so
/// each overload is late-bound: declared, with no implementation until an evaluation binds one.
fn declare_function(
    mut builder: EnvBuilder,
    name: &str,
    overloads: &[Overload],
) -> Result<EnvBuilder, EngineError> {
    for overload in overloads {
        let params = overload
            .params
            .iter()
            .map(to_celd_type)
            .collect::<Result<Vec<_>, _>>()?;
        let result = to_celd_type(&overload.result)?;
        let declared = celd::Overload::late_bound(params, result).id(&overload.id);
        builder = if overload.member {
            builder.method(name, declared)
        } else {
            builder.function(name, declared)
        };
    }
    Ok(builder)
}

/// A declared type in celd's model; function types have no counterpart.
pub fn to_celd_type(ty: &TypeSpec) -> Result<Type, EngineError> {
    Ok(match ty {
        TypeSpec::Dyn => Type::Dyn,
        TypeSpec::Null => Type::Null,
        TypeSpec::Primitive(p) => primitive_to_celd(*p).to_type(),
        TypeSpec::Wrapper(p) => Type::Wrapper(primitive_to_celd(*p)),
        TypeSpec::Any => Type::Any,
        TypeSpec::Timestamp => Type::Timestamp,
        TypeSpec::Duration => Type::Duration,
        TypeSpec::List(elem) => Type::list(to_celd_type(elem)?),
        TypeSpec::Map(key, value) => Type::map(to_celd_type(key)?, to_celd_type(value)?),
        TypeSpec::Message(name) => Type::message(name),
        TypeSpec::Param(name) => Type::param(name),
        TypeSpec::Type(None) => Type::TypeOf(None),
        TypeSpec::Type(Some(t)) => Type::type_of(to_celd_type(t)?),
        TypeSpec::Error => Type::Error,
        TypeSpec::Abstract { name, params } => Type::opaque(
            name,
            params.iter().map(to_celd_type).collect::<Result<_, _>>()?,
        ),
        TypeSpec::Function { .. } => {
            return Err(error(
                Stage::Env,
                format!("function type {ty} cannot be declared"),
            ));
        }
    })
}

/// A deduced type in the test files' model.
pub fn from_celd_type(ty: &Type) -> TypeSpec {
    match ty {
        Type::Dyn => TypeSpec::Dyn,
        Type::Null => TypeSpec::Null,
        Type::Bool => TypeSpec::Primitive(Primitive::Bool),
        Type::Int => TypeSpec::Primitive(Primitive::Int),
        Type::Uint => TypeSpec::Primitive(Primitive::Uint),
        Type::Double => TypeSpec::Primitive(Primitive::Double),
        Type::String => TypeSpec::Primitive(Primitive::String),
        Type::Bytes => TypeSpec::Primitive(Primitive::Bytes),
        Type::Timestamp => TypeSpec::Timestamp,
        Type::Duration => TypeSpec::Duration,
        Type::Any => TypeSpec::Any,
        Type::Error => TypeSpec::Error,
        Type::List(elem) => TypeSpec::List(Box::new(from_celd_type(elem))),
        Type::Map(kv) => TypeSpec::Map(
            Box::new(from_celd_type(&kv.0)),
            Box::new(from_celd_type(&kv.1)),
        ),
        Type::TypeOf(None) => TypeSpec::Type(None),
        Type::TypeOf(Some(t)) => TypeSpec::Type(Some(Box::new(from_celd_type(t)))),
        Type::Message(name) => TypeSpec::Message(name.to_string()),
        // The test files' type model has no enum kind: a typed enum is reported by
        // its full name, as a message type is.
        Type::Enum(name) => TypeSpec::Message(name.to_string()),
        Type::Wrapper(p) => TypeSpec::Wrapper(primitive_from_celd(*p)),
        Type::Opaque(o) => TypeSpec::Abstract {
            name: o.name.to_string(),
            params: o.params.iter().map(from_celd_type).collect(),
        },
        Type::Param(name) => TypeSpec::Param(name.to_string()),
        // Never in a checked result; shown by name so a mismatch says what happened.
        Type::Var(n) => TypeSpec::Param(format!("_var{n}")),
    }
}

fn primitive_to_celd(p: Primitive) -> CeldPrimitive {
    match p {
        Primitive::Bool => CeldPrimitive::Bool,
        Primitive::Int => CeldPrimitive::Int,
        Primitive::Uint => CeldPrimitive::Uint,
        Primitive::Double => CeldPrimitive::Double,
        Primitive::String => CeldPrimitive::String,
        Primitive::Bytes => CeldPrimitive::Bytes,
    }
}

fn primitive_from_celd(p: CeldPrimitive) -> Primitive {
    match p {
        CeldPrimitive::Bool => Primitive::Bool,
        CeldPrimitive::Int => Primitive::Int,
        CeldPrimitive::Uint => Primitive::Uint,
        CeldPrimitive::Double => Primitive::Double,
        CeldPrimitive::String => Primitive::String,
        CeldPrimitive::Bytes => Primitive::Bytes,
    }
}
