//! Request and response bodies of `/v1/eval` and `/v1/check` (design §6), and the
//! evaluation behind them — no HTTP here, so `celd eval --batch` answers the same way.

use std::collections::BTreeMap;

use celd::layers::types::parse_type;
use celd::layers::value::json::{JsonReader, to_json};
use celd::{Env, Error, ErrorKind, Type, Value};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// The body of `POST /v1/eval`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalRequest {
    pub expr: String,
    /// Variable values in celd JSON; variables without a declaration are `dyn`.
    #[serde(default)]
    pub vars: Option<serde_json::Map<String, Json>>,
    /// Declarations `name → CEL type` (`int`, `list(string)`, `map(string, dyn)`).
    #[serde(default)]
    pub decls: Option<BTreeMap<String, String>>,
    /// The namespace names resolve in.
    #[serde(default)]
    pub container: Option<String>,
}

/// The body of `POST /v1/check`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub expr: String,
    #[serde(default)]
    pub decls: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub container: Option<String>,
}

/// A successful evaluation: the value in celd JSON and its type.
#[derive(Clone, Debug, Serialize)]
pub struct EvalResponse {
    pub value: Json,
    #[serde(rename = "type")]
    pub ty: String,
}

/// A successful check: the deduced type.
#[derive(Clone, Debug, Serialize)]
pub struct CheckResponse {
    #[serde(rename = "type")]
    pub ty: String,
}

/// The error body: `{"error": {"kind", "message", "line", "column"}}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorDetail {
    /// `parse`, `check`, `eval`, `limit` or `request`.
    pub kind: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

/// Why a request was not answered with a value.
#[derive(Clone, Debug)]
pub enum ApiError {
    /// The request itself is malformed: a bad declaration, a bad variable value.
    Request(String),
    /// The expression failed to parse, check or evaluate, or hit a limit.
    Expression(Error),
}

impl ApiError {
    pub fn body(&self) -> ErrorBody {
        match self {
            ApiError::Request(message) => ErrorBody::request(message.clone()),
            ApiError::Expression(e) => ErrorBody::from_error(e),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match e.kind() {
            ErrorKind::Env => ApiError::Request(e.message().to_owned()),
            _ => ApiError::Expression(e),
        }
    }
}

impl ErrorBody {
    /// A malformed request (bad JSON, bad declaration, bad variable value).
    pub fn request(message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                kind: "request",
                message: message.into(),
                line: None,
                column: None,
            },
        }
    }

    pub fn from_error(e: &Error) -> ErrorBody {
        let location = e.location();
        ErrorBody {
            error: ErrorDetail {
                kind: match e.kind() {
                    ErrorKind::Env => "request",
                    kind => kind.name(),
                },
                message: e.message().to_owned(),
                line: location.map(|l| l.line),
                column: location.map(|l| l.column),
            },
        }
    }
}

/// Builds the environment for one request: the base library plus the request's
/// declarations, and `dyn` for variables given without one.
fn request_env(
    base: &Env,
    decls: Option<&BTreeMap<String, String>>,
    var_names: impl Iterator<Item = String>,
    container: Option<&str>,
) -> Result<Env, ApiError> {
    let mut builder = base.to_builder();
    if let Some(container) = container {
        builder = builder.container(container);
    }
    let mut declared = std::collections::HashSet::new();
    for (name, text) in decls.into_iter().flatten() {
        let ty = parse_type(text)
            .map_err(|e| ApiError::Request(format!("declaration of '{name}': {e}")))?;
        builder = builder.variable(name, ty);
        declared.insert(name.clone());
    }
    for name in var_names {
        if !declared.contains(&name) {
            builder = builder.variable(&name, Type::Dyn);
        }
    }
    Ok(builder.build()?)
}

/// Reads the request's variables into values.
fn read_vars(
    env: &Env,
    vars: Option<&serde_json::Map<String, Json>>,
) -> Result<celd::Activation, ApiError> {
    let reader = JsonReader {
        pool: env.descriptor_pool(),
        ..JsonReader::default()
    };
    let mut activation = env.activation();
    for (name, json) in vars.into_iter().flatten() {
        let value = reader
            .read(json)
            .map_err(|e| ApiError::Request(format!("variable '{name}': {e}")))?;
        activation.insert(name, value);
    }
    Ok(activation)
}

/// Evaluates a request against the base environment: the value and its type name.
pub fn evaluate_value(base: &Env, request: &EvalRequest) -> Result<(Value, String), ApiError> {
    let names = request.vars.iter().flat_map(|v| v.keys().cloned());
    let env = request_env(
        base,
        request.decls.as_ref(),
        names,
        request.container.as_deref(),
    )?;
    let activation = read_vars(&env, request.vars.as_ref())?;
    let program = env.compile(&request.expr)?;
    let value = program.eval(&activation)?;
    let ty = type_name(program.result_type(), &value);
    Ok((value, ty))
}

/// Evaluates a request into the `/v1/eval` response body.
pub fn evaluate(base: &Env, request: &EvalRequest) -> Result<EvalResponse, ApiError> {
    let (value, ty) = evaluate_value(base, request)?;
    Ok(EvalResponse {
        value: to_json(&value),
        ty,
    })
}

/// Type-checks a request's expression.
pub fn check(base: &Env, request: &CheckRequest) -> Result<CheckResponse, ApiError> {
    let env = request_env(
        base,
        request.decls.as_ref(),
        std::iter::empty(),
        request.container.as_deref(),
    )?;
    let ty = env.check(&request.expr)?;
    Ok(CheckResponse { ty: ty.to_string() })
}

/// The deduced type, or the value's runtime type where the checker could only say `dyn`.
pub fn type_name(deduced: &Type, value: &Value) -> String {
    match deduced {
        Type::Dyn => value.type_name().into_owned(),
        ty => ty.to_string(),
    }
}
