//! `celd.Env`: declarations, extensions, container, limits and Python functions.

use celd::{EnvBuilder, Extension, Limits, Overload, Type};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use crate::errors::{env_error, to_py_err};
use crate::functions::python_overload;
use crate::program::Program;

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
        max_cost=None, max_string_bytes=None, max_list_len=None, max_map_len=None,
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
        let mut options = celd::ParseOptions::default();
        options.max_code_points = max_expression_length.unwrap_or(options.max_code_points);
        options.max_depth = max_nesting_depth.unwrap_or(options.max_depth);
        builder = builder.parse_options(options);
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
            for (name, spec) in declared.iter() {
                let name = name.cast::<PyString>()?.to_str()?.to_owned();
                let overload = function_overload(py, &types, &name, &spec)?;
                builder = if is_method {
                    builder.method(&name, overload)
                } else {
                    builder.function(&name, overload)
                };
            }
        }
        let env = builder.build().map_err(|e| to_py_err(py, &e))?;
        Ok(Env { env })
    }

    /// Parses, type-checks and plans `expression`; raises `celd.CompileError`.
    fn compile(&self, py: Python<'_>, expression: &str) -> PyResult<Program> {
        let program = py
            .detach(|| self.env.compile(expression))
            .map_err(|e| to_py_err(py, &e))?;
        Ok(Program::direct(py, self.env.clone(), program))
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

/// A function spec: a callable with type hints, or `(callable, [param types], result type)`.
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
        .map(|p| parse_type(py, types, p))
        .collect::<PyResult<Vec<_>>>()?;
    let result = parse_type(py, types, &result)?;
    Ok(python_overload(name, callable.unbind(), params, result))
}
