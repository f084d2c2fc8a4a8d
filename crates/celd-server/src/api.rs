//! Request and response bodies of `/v1/eval` and `/v1/check` (design §6), and the
//! evaluation behind them through the program cache — no HTTP here, so `celd eval --batch`
//! answers the same way as the service.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use celd::layers::value::json::{
    JsonDialect, JsonReader, MAX_DOCUMENT_DEPTH, check_integer_range, check_nesting, to_json,
};
use celd::{Activation, Env, Error, ErrorKind, EvalOptions, Type, TypeErrorKind, Value};
use celd_cache::{BoundProgram, CacheConfig, ProgramCache};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::explain::{DumpBody, EstimateBody};

/// The body of `POST /v1/eval`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalRequest {
    pub expr: String,
    /// Variable values in celd JSON; variables without a declaration are `dyn`.
    #[serde(default)]
    pub vars: Option<serde_json::Map<String, Json>>,
    /// Declarations `name → CEL type` (`int`, `list(string)`, `map(string, dyn)`); a name
    /// given twice is an error.
    #[serde(default, deserialize_with = "unique_decls")]
    pub decls: Option<BTreeMap<String, String>>,
    /// The namespace names resolve in.
    #[serde(default)]
    pub container: Option<String>,
    /// Read `vars` as plain JSON, with no `$` tags: `{"$uint": "3"}` is a map.
    #[serde(default)]
    pub plain_json: bool,
    /// Also answer with the cost spent and the static estimate for these inputs.
    #[serde(default)]
    pub cost: bool,
    /// Also answer with the program's dump: template, parameter slots, checked expression,
    /// plan.
    #[serde(default)]
    pub dump: bool,
}

/// The body of `POST /v1/check`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub expr: String,
    #[serde(default, deserialize_with = "unique_decls")]
    pub decls: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub container: Option<String>,
}

/// `decls` as an object whose keys are all different: JSON lets a key repeat, and a
/// declaration given twice is an error rather than the last one silently winning.
fn unique_decls<'de, D>(deserializer: D) -> Result<Option<BTreeMap<String, String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Option<BTreeMap<String, String>>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of declarations {\"name\": \"TYPE\"}")
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut decls = BTreeMap::new();
            while let Some((name, ty)) = map.next_entry::<String, String>()? {
                if decls.contains_key(&name) {
                    return Err(serde::de::Error::custom(format!(
                        "variable '{name}' is declared more than once"
                    )));
                }
                decls.insert(name, ty);
            }
            Ok(Some(decls))
        }
    }
    deserializer.deserialize_any(Visitor)
}

/// Parses a declared type as `env` resolves names in `container`; the message of an error
/// names the variable, and an unloaded message type says how to load it.
pub fn parse_decl(env: &Env, name: &str, text: &str, container: &str) -> Result<Type, String> {
    env.parse_type_in(text, container).map_err(|e| {
        let load = match e.kind {
            TypeErrorKind::UnknownMessage => "; load it with --proto",
            _ => "",
        };
        format!("declaration of '{name}': {e}{load}")
    })
}

/// A successful evaluation: the value in celd JSON and its type; the cost and the dump when
/// the request asked.
#[derive(Clone, Debug, Serialize)]
pub struct EvalResponse {
    pub value: Json,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<EstimateBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dump: Option<DumpBody>,
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
    /// `parse`, `check`, `eval`, `limit` or `request` (and `internal` for a 500).
    pub kind: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

/// Why a request was not answered with a value. `crate::error` maps each to an HTTP status.
#[derive(Clone, Debug)]
pub enum ApiError {
    /// The request itself is malformed: bad JSON, a bad declaration, a bad variable value
    /// (400).
    Request(String),
    /// The expression failed to parse, check or evaluate, or hit a limit (422).
    Expression(Error),
    /// A limit of the request rather than of its expression (422, kind `limit`): the time
    /// limit passed while preparing it, the response would be too large.
    Limit(String),
    /// The request body is larger than the limit (413).
    TooLarge { limit: usize },
    /// Every evaluation slot is taken (503); the client may retry.
    Overloaded,
    /// The request took longer than the request time limit (503).
    TimedOut,
    /// `/debug/*` without the right bearer token (401).
    Unauthorized,
    /// `/debug/*` while no admin token is configured (403).
    Forbidden,
    /// No such path or program (404).
    NotFound(String),
    /// The path exists but answers only the method named (405, with an `Allow` header).
    MethodNotAllowed { allow: &'static str },
    /// A failure of the service itself (500); the detail is logged, not returned.
    Internal(String),
}

impl ApiError {
    pub fn body(&self) -> ErrorBody {
        match self {
            ApiError::Request(message) => ErrorBody::new("request", message.clone()),
            ApiError::Expression(e) => ErrorBody::from_error(e),
            ApiError::Limit(message) => ErrorBody::new("limit", message.clone()),
            ApiError::TooLarge { limit } => ErrorBody::new(
                "limit",
                format!("request body exceeds the limit of {limit} bytes"),
            ),
            ApiError::Overloaded => ErrorBody::new(
                "limit",
                "overloaded: every evaluation slot is busy, retry later",
            ),
            ApiError::TimedOut => ErrorBody::new("limit", "request time limit exceeded"),
            ApiError::Unauthorized => ErrorBody::new(
                "request",
                "a valid 'Authorization: Bearer <token>' header is required",
            ),
            ApiError::Forbidden => ErrorBody::new(
                "request",
                "/debug is disabled: no admin token is configured",
            ),
            ApiError::NotFound(what) => ErrorBody::new("request", format!("not found: {what}")),
            ApiError::MethodNotAllowed { allow } => {
                ErrorBody::new("request", format!("method not allowed: use {allow}"))
            }
            ApiError::Internal(_) => ErrorBody::new("internal", "internal error"),
        }
    }

    /// The `outcome` label of `celd_evaluations_total`: `ok` is not an error, everything
    /// else is the error kind.
    pub fn outcome(&self) -> &'static str {
        self.body().error.kind
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match e.kind() {
            ErrorKind::Env | ErrorKind::Variable => ApiError::Request(e.message().to_owned()),
            _ => ApiError::Expression(e),
        }
    }
}

impl ErrorBody {
    fn new(kind: &'static str, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                kind,
                message: excerpt(message.into()),
                line: None,
                column: None,
            },
        }
    }

    /// A malformed request (bad JSON, bad declaration, bad variable value).
    pub fn request(message: impl Into<String>) -> ErrorBody {
        ErrorBody::new("request", message)
    }

    pub fn from_error(e: &Error) -> ErrorBody {
        let location = e.location();
        ErrorBody {
            error: ErrorDetail {
                kind: match e.kind() {
                    ErrorKind::Env | ErrorKind::Variable => "request",
                    kind => kind.name(),
                },
                message: excerpt(e.message().to_owned()),
                line: location.map(|l| l.line),
                column: location.map(|l| l.column),
            },
        }
    }
}

/// The most characters an error message shows: a message quoting a large input (a 900 KB
/// field or variable name) keeps its beginning and its end.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// `message` itself, or when longer than [`MAX_MESSAGE_CHARS`] its first 600 and last 300
/// characters around a note of what was left out.
fn excerpt(message: String) -> String {
    let chars = message.chars().count();
    if chars <= MAX_MESSAGE_CHARS {
        return message;
    }
    let byte_at = |n: usize| {
        message
            .char_indices()
            .nth(n)
            .map_or(message.len(), |(i, _)| i)
    };
    let head_end = byte_at(600);
    let tail_start = byte_at(chars - 300);
    format!(
        "{}… ({} bytes not shown) …{}",
        &message[..head_end],
        tail_start - head_end,
        &message[tail_start..]
    )
}

/// Decodes a JSON document — a request body, a batch line, `--vars` — into `T`. A document
/// nested deeper than `MAX_DOCUMENT_DEPTH` is refused before parsing, with its own error, and
/// an integer beyond the range of `int` and `uint` is an error rather than the nearest double
/// (as a JSON parser would read it). Within the nesting limit, serde_json's own recursion
/// limit (128, which would count the request's wrappers against a variable's levels) is
/// lifted; values are held to the documented limit when they are read.
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    check_nesting(bytes, MAX_DOCUMENT_DEPTH).map_err(|e| e.to_string())?;
    check_integer_range(bytes).map_err(|e| e.to_string())?;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    deserializer.disable_recursion_limit();
    let value = T::deserialize(&mut deserializer).map_err(|e| e.to_string())?;
    deserializer.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// Evaluates and checks requests against one base environment, compiling through one program
/// cache. Shared by every thread of the service (`Send + Sync`).
pub struct Evaluator {
    base: Env,
    cache: ProgramCache,
    /// Where requests come from, for the cache's inventory and storm warnings.
    origin: &'static str,
}

impl std::fmt::Debug for Evaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// A request ready to run: its cached program bound to its literals, and its variables.
pub struct Prepared {
    bound: BoundProgram,
    activation: Activation,
    /// Set when the request asks for its cost or dump, which need the environment again.
    explain: Option<Explain>,
}

/// What a request asked to have explained, and the environment to do it in.
struct Explain {
    env: Env,
    cost: bool,
    dump: bool,
}

impl Evaluator {
    pub fn new(base: Env, cache: CacheConfig, origin: &'static str) -> Evaluator {
        Evaluator {
            base,
            cache: ProgramCache::new(cache),
            origin,
        }
    }

    pub fn base(&self) -> &Env {
        &self.base
    }

    pub fn cache(&self) -> &ProgramCache {
        &self.cache
    }

    /// The request's environment (memoized by the cache), its variables read, and its program
    /// found or compiled.
    pub fn prepare(&self, request: &EvalRequest) -> Result<Prepared, ApiError> {
        self.prepare_within(request, Stop::default())
    }

    /// As [`prepare`](Self::prepare), giving up between its steps once `stop` says so: the
    /// time building the environment, reading the variables and compiling takes counts
    /// against the request's time limit.
    pub fn prepare_within(
        &self,
        request: &EvalRequest,
        stop: Stop<'_>,
    ) -> Result<Prepared, ApiError> {
        let names = request.vars.iter().flat_map(|v| v.keys());
        let container = request.container.as_deref();
        let declared = declarations(&self.base, request.decls.as_ref(), names, container)?;
        let env = self.request_env(&declared, container)?;
        stop.check("building the environment")?;
        let activation = read_vars(&env, request.vars.as_ref(), dialect(request))?;
        stop.check("reading the variables")?;
        let bound = self
            .cache
            .get_or_compile_from(&env, &request.expr, Some(self.origin))?;
        stop.check("compiling")?;
        let explain = explain(request, env);
        Ok(Prepared {
            bound,
            activation,
            explain,
        })
    }

    /// The request ready to run if that takes no building: its environment remembered and its
    /// program compiled already (`None` otherwise). For the reactor thread, which must not
    /// spend a compilation's time.
    pub fn prepare_cached(&self, request: &EvalRequest) -> Result<Option<Prepared>, ApiError> {
        let names = request.vars.iter().flat_map(|v| v.keys());
        let container = request.container.as_deref();
        let declared = declarations(&self.base, request.decls.as_ref(), names, container)?;
        let env = if declared.is_empty() && container.is_none() {
            self.base.clone()
        } else {
            let decls = declared.iter().map(|(n, t)| (*n, t));
            match self
                .cache
                .derived_env_if_remembered(&self.base, container, decls)
            {
                Some(env) => env,
                None => return Ok(None),
            }
        };
        let Some(bound) = self.cache.get_if_cached(&env, &request.expr)? else {
            return Ok(None);
        };
        let activation = read_vars(&env, request.vars.as_ref(), dialect(request))?;
        let explain = explain(request, env);
        Ok(Some(Prepared {
            bound,
            activation,
            explain,
        }))
    }

    /// Evaluates a request: the value and its type name. Evaluation stops at `deadline`.
    pub fn evaluate_value(
        &self,
        request: &EvalRequest,
        deadline: Option<Instant>,
    ) -> Result<(Value, String), ApiError> {
        self.prepare(request)?.run_value(deadline)
    }

    /// Evaluates a request into the `/v1/eval` response body.
    pub fn evaluate(
        &self,
        request: &EvalRequest,
        deadline: Option<Instant>,
    ) -> Result<EvalResponse, ApiError> {
        self.prepare(request)?.run(deadline)
    }

    /// One line of `celd eval --batch`: an `/v1/eval` request body in, the response body out;
    /// `Err` holds the error body, for a malformed request or a failed evaluation.
    pub fn answer_line(&self, line: &[u8]) -> Result<String, String> {
        let json = |body: Result<String, serde_json::Error>| {
            body.unwrap_or_else(|e| format!(r#"{{"error":{{"kind":"internal","message":"{e}"}}}}"#))
        };
        match decode::<EvalRequest>(line) {
            Ok(request) => match self.evaluate(&request, None) {
                Ok(response) => Ok(json(serde_json::to_string(&response))),
                Err(error) => Err(json(serde_json::to_string(&error.body()))),
            },
            Err(e) => Err(json(serde_json::to_string(&ErrorBody::request(format!(
                "invalid request: {e}"
            ))))),
        }
    }

    /// Type-checks a request's expression (no program is built or cached).
    pub fn check(&self, request: &CheckRequest) -> Result<CheckResponse, ApiError> {
        let container = request.container.as_deref();
        let declared = declarations(
            &self.base,
            request.decls.as_ref(),
            std::iter::empty(),
            container,
        )?;
        let env = self.request_env(&declared, container)?;
        let ty = env.check(&request.expr)?;
        Ok(CheckResponse { ty: ty.to_string() })
    }

    /// The base library plus the request's declarations; the same declarations give the same
    /// (remembered) environment.
    fn request_env(
        &self,
        declared: &[(&str, Type)],
        container: Option<&str>,
    ) -> Result<Env, ApiError> {
        if declared.is_empty() && container.is_none() {
            return Ok(self.base.clone());
        }
        let decls = declared.iter().map(|(n, t)| (*n, t));
        Ok(self.cache.derive_env(&self.base, container, decls)?)
    }
}

/// The request's declarations with their types parsed, and `dyn` for variables given
/// without one.
/// Type names resolve in the request's container, as names in its expression do; a variable
/// the base environment declares keeps its declaration.
fn declarations<'a>(
    base: &Env,
    decls: Option<&'a BTreeMap<String, String>>,
    var_names: impl Iterator<Item = &'a String>,
    container: Option<&str>,
) -> Result<Vec<(&'a str, Type)>, ApiError> {
    let resolve_in = container.unwrap_or(base.container());
    let mut declared: Vec<(&str, Type)> = Vec::new();
    for (name, text) in decls.into_iter().flatten() {
        let ty = parse_decl(base, name, text, resolve_in).map_err(ApiError::Request)?;
        declared.push((name, ty));
    }
    for name in var_names {
        let declared_here = decls.is_some_and(|d| d.contains_key(name));
        if !declared_here && base.variable_type(name).is_none() {
            declared.push((name, Type::Dyn));
        }
    }
    Ok(declared)
}

/// What stops a request: its deadline and its cancellation flag (raised when its answer is
/// no longer wanted: timed out, or the client went away).
#[derive(Clone, Copy, Default)]
pub struct Stop<'a> {
    pub deadline: Option<Instant>,
    pub cancel: Option<&'a AtomicBool>,
    /// The memory the evaluation may still allocate, when less than its program's limit
    /// (what preparing the request took is spent already).
    pub max_memory: Option<usize>,
}

impl Stop<'_> {
    /// A `limit` error once the deadline has passed or the flag is raised, naming the step.
    fn check(&self, step: &str) -> Result<(), ApiError> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(ApiError::Limit(format!("request cancelled while {step}")));
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(ApiError::Limit(format!(
                "evaluation time limit exceeded while {step}"
            )));
        }
        Ok(())
    }
}

impl Prepared {
    /// Evaluates, stopping at `deadline`: the value and its type name.
    pub fn run_value(&self, deadline: Option<Instant>) -> Result<(Value, String), ApiError> {
        let (value, ty, _) = self.run_within(Stop {
            deadline,
            ..Stop::default()
        })?;
        Ok((value, ty))
    }

    /// Evaluates until `stop` says so: the value, its type name, and what the request asked
    /// to have explained.
    pub fn run_within(&self, stop: Stop<'_>) -> Result<Ran, ApiError> {
        let program = self.bound.program();
        let narrowed;
        let limits = match stop.max_memory {
            Some(max) if max < program.limits().max_memory_bytes => {
                narrowed = celd::Limits {
                    max_memory_bytes: max,
                    ..program.limits().clone()
                };
                &narrowed
            }
            _ => program.limits(),
        };
        let spent = Cell::new(0);
        let options = EvalOptions {
            limits: Some(limits),
            deadline: stop.deadline,
            cancel: stop.cancel,
            cost_spent: Some(&spent),
            ..EvalOptions::default()
        };
        let value = self.bound.eval_with(&self.activation, &options)?;
        let ty = type_name(program.result_type(), &value);
        let explanation = self.explanation(spent.get())?;
        Ok((value, ty, explanation))
    }

    /// Evaluates into the `/v1/eval` response body.
    pub fn run(&self, deadline: Option<Instant>) -> Result<EvalResponse, ApiError> {
        let (value, ty, explanation) = self.run_within(Stop {
            deadline,
            ..Stop::default()
        })?;
        Ok(EvalResponse {
            value: to_json(&value),
            ty,
            cost: explanation.cost,
            estimate: explanation.estimate,
            dump: explanation.dump,
        })
    }

    /// Whether the request asked for its cost or dump (work for the blocking pool).
    pub fn explains(&self) -> bool {
        self.explain.is_some()
    }

    /// The cost and estimate, and the dump, as the request asked (nothing if it did not).
    fn explanation(&self, spent: u64) -> Result<Explanation, ApiError> {
        let mut explanation = Explanation::default();
        let Some(explain) = &self.explain else {
            return Ok(explanation);
        };
        let program = self.bound.program();
        if explain.cost {
            let vars = program
                .variables()
                .filter_map(|name| Some((name, self.activation.get(name)?)));
            explanation.cost = Some(spent);
            let estimate = crate::explain::estimate(program, self.bound.params(), vars);
            explanation.estimate = Some(estimate);
        }
        if explain.dump {
            let text = self.bound.source().text();
            explanation.dump = Some(crate::explain::dump(&explain.env, text)?);
        }
        Ok(explanation)
    }
}

/// How the request's variables are read: plain JSON when it says `plain_json`.
fn dialect(request: &EvalRequest) -> JsonDialect {
    match request.plain_json {
        true => JsonDialect::Plain,
        false => JsonDialect::Celd,
    }
}

/// What the request asks to have explained, with the environment that takes.
fn explain(request: &EvalRequest, env: Env) -> Option<Explain> {
    (request.cost || request.dump).then_some(Explain {
        env,
        cost: request.cost,
        dump: request.dump,
    })
}

/// An evaluation's value, its type name, and what the request asked to have explained.
pub type Ran = (Value, String, Explanation);

/// What `/v1/eval` answers beside the value when asked: the cost spent and the estimate, the
/// dump.
#[derive(Clone, Debug, Default)]
pub struct Explanation {
    pub cost: Option<u64>,
    pub estimate: Option<EstimateBody>,
    pub dump: Option<DumpBody>,
}

/// Reads the request's variables into values, as their declarations direct; a value that
/// does not fit its declared type is a request error, found before anything is compiled.
fn read_vars(
    env: &Env,
    vars: Option<&serde_json::Map<String, Json>>,
    dialect: JsonDialect,
) -> Result<Activation, ApiError> {
    let reader = JsonReader {
        dialect,
        ..env.json_reader()
    };
    let mut activation = env.activation();
    for (name, json) in vars.into_iter().flatten() {
        let value = env
            .read_variable(&reader, name, json)
            .map_err(|e| ApiError::Request(format!("variable '{name}': {e}")))?;
        activation.insert(name, value);
    }
    match activation.misfit() {
        Some(message) => Err(ApiError::Request(message.to_owned())),
        None => Ok(activation),
    }
}

/// The deduced type, or the value's runtime type where the checker could only say `dyn`.
pub fn type_name(deduced: &Type, value: &Value) -> String {
    match deduced {
        Type::Dyn => value.type_name().into_owned(),
        ty => ty.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluator() -> Evaluator {
        Evaluator::new(Env::standard(), CacheConfig::default(), "test")
    }

    fn eval(e: &Evaluator, body: &str) -> Result<EvalResponse, ApiError> {
        let request: EvalRequest = serde_json::from_str(body).unwrap();
        e.evaluate(&request, None)
    }

    #[test]
    fn requests_share_programs_through_the_cache() {
        let e = evaluator();
        let a = eval(&e, r#"{"expr": "x + 1", "vars": {"x": 1}}"#).unwrap();
        let b = eval(&e, r#"{"expr": "x + 2", "vars": {"x": 1}}"#).unwrap();
        assert_eq!((a.value, b.value), (Json::from(2), Json::from(3)));
        let stats = e.cache().stats();
        assert_eq!((stats.compilations, stats.hits), (1, 1));
    }

    #[test]
    fn declarations_type_the_result() {
        let e = evaluator();
        let r = eval(
            &e,
            r#"{"expr": "x", "vars": {"x": 1}, "decls": {"x": "int"}}"#,
        )
        .unwrap();
        assert_eq!(r.ty, "int");
        let err = eval(&e, r#"{"expr": "x", "decls": {"x": "list("}}"#).unwrap_err();
        assert!(matches!(err, ApiError::Request(_)), "{err:?}");
    }

    #[test]
    fn a_past_deadline_is_a_limit_error() {
        let e = evaluator();
        let list: Vec<Json> = (0..100).map(Json::from).collect();
        let mut vars = serde_json::Map::new();
        vars.insert("l".into(), Json::from(list));
        let request = EvalRequest {
            expr: "l.all(i, l.all(j, i + j >= 0))".into(),
            vars: Some(vars),
            ..EvalRequest::default()
        };
        let err = e.evaluate(&request, Some(Instant::now())).unwrap_err();
        assert_eq!(err.body().error.kind, "limit", "{err:?}");
        assert!(e.evaluate(&request, None).is_ok());
    }
}
