//! `celd.Env`: declarations, extensions, container, limits and Python functions.

use celd::layers::types::parse_type_with;
use celd::{EnvBuilder, Extension, Limits, Overload, Type, TypeParseError, Validations};
use prost_reflect::DescriptorPool;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

use crate::errors::{env_error, to_py_err};
use crate::functions::python_overload;
use crate::messages::{Enum, Message, new_enum, new_message};
use crate::program::Program;

/// Texts up to this many bytes compile with the GIL held (microseconds: less than releasing
/// and taking back the GIL costs when other threads want it).
const GIL_HELD_MAX_COMPILE_BYTES: usize = 256;

/// A CEL environment: the variables, functions and extensions expressions may use.
#[pyclass(frozen, module = "celd")]
pub struct Env {
    pub(crate) env: celd::Env,
}

/// Evaluation limits given as keyword arguments, over the defaults.
#[derive(Default)]
struct LimitArgs {
    max_cost: Option<u64>,
    max_string_bytes: Option<usize>,
    max_list_len: Option<usize>,
    max_map_len: Option<usize>,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        let mut limits = Limits::default();
        limits.max_cost = self.max_cost.unwrap_or(limits.max_cost);
        limits.max_string_bytes = self.max_string_bytes.unwrap_or(limits.max_string_bytes);
        limits.max_list_len = self.max_list_len.unwrap_or(limits.max_list_len);
        limits.max_map_len = self.max_map_len.unwrap_or(limits.max_map_len);
        limits
    }
}

#[pymethods]
impl Env {
    #[new]
    #[pyo3(signature = (
        variables=None, *, extensions=None, container=None, functions=None, methods=None,
        descriptors=None, macros=true, strong_enums=false, validate_literals=true, max_cost=None, max_string_bytes=None, max_list_len=None, max_map_len=None,
        max_expression_length=None, max_nesting_depth=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        variables: Option<&Bound<'_, PyDict>>,
        extensions: Option<&Bound<'_, PyAny>>,
        container: Option<&str>,
        functions: Option<&Bound<'_, PyDict>>,
        methods: Option<&Bound<'_, PyDict>>,
        descriptors: Option<&Bound<'_, PyAny>>,
        macros: bool,
        strong_enums: bool,
        validate_literals: bool,
        max_cost: Option<u64>,
        max_string_bytes: Option<usize>,
        max_list_len: Option<usize>,
        max_map_len: Option<usize>,
        max_expression_length: Option<usize>,
        max_nesting_depth: Option<u32>,
    ) -> PyResult<Env> {
        let limits = LimitArgs {
            max_cost,
            max_string_bytes,
            max_list_len,
            max_map_len,
        };
        let mut builder = celd::Env::builder().limits(limits.limits());
        builder = with_extensions(py, builder, extensions)?;
        if let Some(container) = container {
            builder = builder.container(container);
        }
        if let Some(descriptors) = descriptors {
            builder = builder.descriptor_pool(load_descriptors(py, descriptors)?);
        }
        builder = builder.strong_enums(strong_enums);
        if !validate_literals {
            builder = builder.validations(Validations {
                regex_literals: false,
                timestamp_literals: false,
                duration_literals: false,
                ..Validations::default()
            });
        }
        let mut options = celd::ParseOptions::default();
        options.max_code_points = max_expression_length.unwrap_or(options.max_code_points);
        options.max_depth = max_nesting_depth.unwrap_or(options.max_depth);
        // After the parse options, which hold the macro setting too.
        builder = builder.parse_options(options).macros(macros);
        // Types are read by an environment that knows the extensions' type names.
        let types = builder.clone().build().map_err(|e| to_py_err(py, &e))?;
        if let Some(variables) = variables {
            for (name, ty) in variables.iter() {
                let name = name.cast::<PyString>()?.to_str()?.to_owned();
                let ty = parse_type(py, &types, &ty)?;
                builder = builder.variable(&name, ty);
            }
        }
        for (declared, is_method) in [(functions, false), (methods, true)] {
            let Some(declared) = declared else { continue };
            for (name, specs) in declared.iter() {
                let name = name.cast::<PyString>()?.to_str()?.to_owned();
                let specs = match specs.cast::<PyList>() {
                    Ok(list) => list.iter().collect(),
                    Err(_) => vec![specs],
                };
                for spec in &specs {
                    let overload = function_overload(py, &types, &name, spec)?;
                    builder = if is_method {
                        builder.method(&name, overload)
                    } else {
                        builder.function(&name, overload)
                    };
                }
            }
        }
        let env = builder.build().map_err(|e| to_py_err(py, &e))?;
        Ok(Env { env })
    }

    /// Parses, type-checks and plans `expression`; raises `celd.CompileError`. With
    /// `check=False` the expression is not type-checked: names and overloads resolve at
    /// evaluation, and the result type is `dyn`.
    #[pyo3(signature = (expression, *, check=true))]
    fn compile(&self, py: Python<'_>, expression: &str, check: bool) -> PyResult<Program> {
        let compile = || match check {
            true => self.env.compile(expression),
            false => self.env.compile_unchecked(expression),
        };
        let program = if expression.len() <= GIL_HELD_MAX_COMPILE_BYTES {
            compile()
        } else {
            py.detach(compile)
        }
        .map_err(|e| to_py_err(py, &e))?;
        Ok(Program::direct(py, self.env.clone(), program))
    }

    /// A message of `type_name` from the descriptors, its fields set from Python values as
    /// CEL sets them in `pkg.Msg{field: value}` (extensions by their full name).
    #[pyo3(signature = (type_name, fields=None))]
    fn message(&self, type_name: &str, fields: Option<&Bound<'_, PyDict>>) -> PyResult<Message> {
        new_message(&self.pool(), type_name, fields)
    }

    /// The message of `type_name` encoded in `data` (the protobuf binary encoding).
    fn decode_message(&self, type_name: &str, data: &[u8]) -> PyResult<Message> {
        crate::messages::decode_message(&self.pool(), type_name, data)
    }

    /// A typed value of enum `type_name`, from its number or its name (`"RED"`).
    fn enum_value(&self, type_name: &str, value: &Bound<'_, PyAny>) -> PyResult<Enum> {
        new_enum(&self.pool(), type_name, value)
    }

    /// Whether protobuf enum values are typed (`celd.Enum`) rather than `int`.
    #[getter]
    fn strong_enums(&self) -> bool {
        self.env.strong_enums()
    }

    /// Parses and type-checks `expression`, returning its CEL result type (`"bool"`).
    fn check(&self, py: Python<'_>, expression: &str) -> PyResult<String> {
        let ty = py
            .detach(|| self.env.check(expression))
            .map_err(|e| to_py_err(py, &e))?;
        Ok(ty.to_string())
    }

    /// The declared variables and their CEL types.
    #[getter]
    fn variables(&self) -> Vec<(String, String)> {
        let vars = self.env.variables().iter();
        vars.map(|(name, ty)| (name.to_string(), ty.to_string()))
            .collect()
    }

    /// The enabled extensions' names.
    #[getter]
    fn extensions(&self) -> Vec<&'static str> {
        self.env.extensions().iter().map(|e| e.name()).collect()
    }

    #[getter]
    fn container(&self) -> &str {
        self.env.container()
    }

    fn __repr__(&self) -> String {
        format!(
            "celd.Env(variables={}, extensions={})",
            self.env.variables().len(),
            self.env.extensions().len()
        )
    }
}

impl Env {
    /// The environment's message types (the well-known types alone without `descriptors`).
    fn pool(&self) -> DescriptorPool {
        self.env
            .descriptor_pool()
            .cloned()
            .unwrap_or_else(DescriptorPool::global)
    }
}

/// `descriptors`: a serialized `FileDescriptorSet` as `bytes`, or the path of a file holding one.
fn load_descriptors(py: Python<'_>, descriptors: &Bound<'_, PyAny>) -> PyResult<DescriptorPool> {
    let bytes = match descriptors.cast::<PyBytes>() {
        Ok(bytes) => bytes.as_bytes().to_vec(),
        Err(_) => {
            let path: std::path::PathBuf = descriptors.extract()?;
            std::fs::read(&path)
                .map_err(|e| env_error(py, format!("descriptor set {}: {e}", path.display())))?
        }
    };
    celd::protos::pool_from_descriptor_set(&bytes).map_err(|e| to_py_err(py, &e))
}

/// `extensions`: `None` (none), `"all"`, or names such as `["strings", "math"]`.
fn with_extensions(
    py: Python<'_>,
    builder: EnvBuilder,
    extensions: Option<&Bound<'_, PyAny>>,
) -> PyResult<EnvBuilder> {
    let Some(extensions) = extensions else {
        return Ok(builder);
    };
    if let Ok(text) = extensions.extract::<String>() {
        if text == "all" {
            return Ok(builder.all_extensions());
        }
        return with_named(py, builder, [text]);
    }
    with_named(py, builder, extensions.extract::<Vec<String>>()?)
}

fn with_named(
    py: Python<'_>,
    mut builder: EnvBuilder,
    names: impl IntoIterator<Item = String>,
) -> PyResult<EnvBuilder> {
    for name in names {
        let Some(extension) = Extension::from_name(&name) else {
            let known: Vec<_> = Extension::ALL.iter().map(|e| e.name()).collect();
            return Err(env_error(
                py,
                format!("unknown extension {name:?} (known: {})", known.join(", ")),
            ));
        };
        builder = builder.extension(extension);
    }
    Ok(builder)
}

/// A CEL type from its text (`"list(string)"`).
pub(crate) fn parse_type(
    py: Python<'_>,
    env: &celd::Env,
    text: &Bound<'_, PyAny>,
) -> PyResult<Type> {
    let text: String = text.extract()?;
    env.parse_type(&text)
        .map_err(|e| env_error(py, format!("type {text:?}: {e}")))
}

/// A type of a function signature: as [`parse_type`] reads it, and besides a single
/// upper-case letter is a type parameter (`list(T)`) and a name with parameters that the
/// environment does not know an abstract type (`tuple(T, U)`).
fn signature_type(py: Python<'_>, env: &celd::Env, text: &Bound<'_, PyAny>) -> PyResult<Type> {
    let text: String = text.extract()?;
    let mut resolve = |name: &str, params: Vec<Type>| -> Result<Type, TypeParseError> {
        let is_param = name.len() == 1 && name.as_bytes()[0].is_ascii_uppercase();
        if params.is_empty() && is_param {
            return Ok(Type::param(name));
        }
        if params.is_empty() {
            return env.parse_type(name);
        }
        let written: Vec<String> = params.iter().map(Type::to_string).collect();
        match env.parse_type(&format!("{name}({})", written.join(", "))) {
            Ok(ty) => Ok(ty),
            Err(_) => Ok(Type::opaque(name, params)),
        }
    };
    parse_type_with(&text, &mut resolve).map_err(|e| env_error(py, format!("type {text:?}: {e}")))
}

/// A function spec: a callable with type hints, or `(callable, [param types], result type)`
/// where `callable` may be `None`: the overload is declared for type-checking and has no
/// implementation (a call fails at evaluation).
fn function_overload(
    py: Python<'_>,
    types: &celd::Env,
    name: &str,
    spec: &Bound<'_, PyAny>,
) -> PyResult<Overload> {
    let (callable, params, result) = if let Ok(tuple) = spec.cast::<PyTuple>() {
        let (callable, params, result): (
            Bound<'_, PyAny>,
            Vec<Bound<'_, PyAny>>,
            Bound<'_, PyAny>,
        ) = tuple.extract()?;
        (callable, params, result)
    } else {
        let hints = py
            .import("celd._hints")?
            .getattr("signature")?
            .call1((spec,))?;
        let (params, result): (Vec<Bound<'_, PyAny>>, Bound<'_, PyAny>) = hints.extract()?;
        (spec.clone(), params, result)
    };
    let params = params
        .iter()
        .map(|p| signature_type(py, types, p))
        .collect::<PyResult<Vec<_>>>()?;
    let result = signature_type(py, types, &result)?;
    if callable.is_none() {
        return Ok(Overload::late_bound(params, result));
    }
    Ok(python_overload(name, callable.unbind(), params, result))
}
