//! ValidatingAdmissionPolicy evaluation offline: match conditions, variables in order,
//! validations with `messageExpression`, audit annotations, and the decision kube-apiserver
//! would take for one request (`failurePolicy` deciding what an error does).

use std::fmt;
use std::sync::Arc;

use celd::{Activation, Env, Key, Map, Program, Type, Value};
use serde_json::Value as Json;

use crate::authz::{self, Authorizer, AuthorizerValue, RequestResource};
use crate::library::kubernetes_env;
use crate::validator::plain;

/// A policy that cannot be used: a missing part or an expression that does not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PolicyError {}

struct Validation {
    expression: String,
    program: Program,
    message: Option<String>,
    message_program: Option<Program>,
    reason: String,
}

/// A compiled ValidatingAdmissionPolicy.
pub struct Policy {
    name: String,
    fail_open: bool,
    match_conditions: Vec<(String, Program)>,
    variables: Vec<(String, Program)>,
    validations: Vec<Validation>,
    audit_annotations: Vec<(String, Program)>,
}

/// What one request carries: the objects, the parameters, the operation and the authorizer.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    pub object: Option<&'a Json>,
    pub old_object: Option<&'a Json>,
    pub params: Option<&'a Json>,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: &'a str,
    /// What answers `authorizer` checks; without one every check has no opinion (not allowed).
    pub authorizer: Option<Arc<dyn Authorizer>>,
    /// The resource (lower-case plural, `deployments`) for `authorizer.requestResource`; by
    /// default the object's kind, lower-cased, with an `s`.
    pub resource: Option<&'a str>,
    /// The subresource of the request (`status`, `scale`), empty for the resource itself.
    pub subresource: &'a str,
}

/// The policy's decision on a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// A match condition is false: the policy does not apply.
    NotMatched { condition: String },
    /// Every validation passed.
    Allowed {
        audit_annotations: Vec<(String, String)>,
    },
    /// Some validation failed (or erred, under `failurePolicy: Fail`): each message with its
    /// reason, as the API server words it.
    Denied {
        messages: Vec<(String, String)>,
        audit_annotations: Vec<(String, String)>,
    },
}

/// The variables every policy expression sees.
const POLICY_VARIABLES: [&str; 6] = [
    "object",
    "oldObject",
    "params",
    "request",
    "namespaceObject",
    "variables",
];

pub(crate) fn env() -> Result<Env, PolicyError> {
    let mut env = authz::declare_variables(kubernetes_env());
    for name in POLICY_VARIABLES {
        env = env.variable(name, Type::Dyn);
    }
    env.build()
        .map_err(|e| PolicyError(e.message().to_string()))
}

pub(crate) fn text<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Json::as_str)
}

impl Policy {
    /// Compiles a `ValidatingAdmissionPolicy` document.
    pub fn new(doc: &Json) -> Result<Policy, PolicyError> {
        if text(doc, "kind") != Some("ValidatingAdmissionPolicy") {
            return Err(PolicyError(
                "expected kind ValidatingAdmissionPolicy".into(),
            ));
        }
        let env = env()?;
        let spec = doc
            .get("spec")
            .ok_or_else(|| PolicyError("spec is required".into()))?;
        let list = |key: &str| {
            spec.get(key)
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let compile = |what: String, expression: &str| {
            env.compile(expression)
                .map_err(|e| PolicyError(format!("{what}: compilation failed: {}", e.message())))
        };
        let named = |key: &str, expr_key: &str| -> Result<Vec<(String, Program)>, PolicyError> {
            list(key)
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let name = text(
                        item,
                        if key == "auditAnnotations" {
                            "key"
                        } else {
                            "name"
                        },
                    )
                    .unwrap_or_default()
                    .to_string();
                    let expression = text(item, expr_key).unwrap_or_default();
                    Ok((
                        name,
                        compile(format!("spec.{key}[{i}].{expr_key}"), expression)?,
                    ))
                })
                .collect()
        };
        let mut validations = Vec::new();
        for (i, v) in list("validations").iter().enumerate() {
            let expression = text(v, "expression").unwrap_or_default().to_string();
            let program = compile(format!("spec.validations[{i}].expression"), &expression)?;
            let message_program = text(v, "messageExpression")
                .map(|m| compile(format!("spec.validations[{i}].messageExpression"), m))
                .transpose()?;
            validations.push(Validation {
                expression,
                program,
                message: text(v, "message").map(str::to_string),
                message_program,
                reason: text(v, "reason").unwrap_or("Invalid").to_string(),
            });
        }
        Ok(Policy {
            name: doc
                .pointer("/metadata/name")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string(),
            fail_open: text(spec, "failurePolicy") == Some("Ignore"),
            match_conditions: named("matchConditions", "expression")?,
            variables: named("variables", "expression")?,
            validations,
            audit_annotations: named("auditAnnotations", "valueExpression")?,
        })
    }

    /// Evaluates the policy on one request.
    pub fn evaluate(&self, request: &Request<'_>) -> Decision {
        let mut vars = Activation::new();
        let value = |j: Option<&Json>| j.map_or(Value::Null, plain);
        vars.insert("object", value(request.object))
            .insert("oldObject", value(request.old_object))
            .insert("params", value(request.params))
            .insert("namespaceObject", Value::Null)
            .insert("request", request_value(request));
        let authorizer = AuthorizerValue::new(
            request
                .authorizer
                .clone()
                .unwrap_or_else(|| Arc::new(authz::Rules::default())),
            "",
        );
        vars.insert(
            "authorizer.requestResource",
            authorizer.request_resource(&request_resource(request)),
        )
        .insert("authorizer", authorizer);
        let mut variables = Map::new();
        vars.insert("variables", Value::map(variables.clone()));
        for (name, program) in &self.variables {
            // A variable that errs is absent: the expressions using it err in turn.
            if let Ok(v) = program.eval(&vars) {
                variables.insert(Key::String(name.as_str().into()), v);
                vars.insert("variables", Value::map(variables.clone()));
            }
        }
        for (name, program) in &self.match_conditions {
            match program.eval(&vars) {
                Ok(Value::Bool(true)) => {}
                Ok(_) => {
                    return Decision::NotMatched {
                        condition: name.clone(),
                    };
                }
                Err(_) if self.fail_open => {
                    return Decision::NotMatched {
                        condition: name.clone(),
                    };
                }
                Err(e) => {
                    return Decision::Denied {
                        messages: vec![(
                            self.denied(&format!(
                                "failed to evaluate match condition {name:?}: {}",
                                e.message()
                            )),
                            "Invalid".into(),
                        )],
                        audit_annotations: Vec::new(),
                    };
                }
            }
        }
        let mut messages = Vec::new();
        for v in &self.validations {
            let message = match v.program.eval(&vars) {
                Ok(Value::Bool(true)) => continue,
                Ok(Value::Bool(false)) => self.message(v, &vars),
                Ok(other) => format!(
                    "expression {:?} did not evaluate to a bool: {other}",
                    v.expression
                ),
                Err(_) if self.fail_open => continue,
                Err(e) => format!(
                    "expression {:?} resulted in error: {}",
                    v.expression,
                    e.message()
                ),
            };
            messages.push((self.denied(&message), v.reason.clone()));
        }
        let audit_annotations = self
            .audit_annotations
            .iter()
            .filter_map(|(key, program)| match program.eval(&vars) {
                Ok(Value::String(s)) => Some((format!("{}/{key}", self.name), s.to_string())),
                _ => None,
            })
            .collect();
        if messages.is_empty() {
            Decision::Allowed { audit_annotations }
        } else {
            Decision::Denied {
                messages,
                audit_annotations,
            }
        }
    }

    fn message(&self, v: &Validation, vars: &Activation) -> String {
        if let Some(p) = &v.message_program
            && let Ok(Value::String(s)) = p.eval(vars)
            && !s.trim().is_empty()
            && !s.contains('\n')
        {
            return s.to_string();
        }
        match &v.message {
            Some(m) if !m.is_empty() => m.clone(),
            _ => format!("failed expression: {}", v.expression),
        }
    }

    fn denied(&self, message: &str) -> String {
        format!(
            "ValidatingAdmissionPolicy '{}' denied request: {message}",
            self.name
        )
    }
}

/// The resource of the request: the object's group, the given resource (or the kind, plural),
/// subresource, namespace and name.
pub(crate) fn request_resource(request: &Request<'_>) -> RequestResource {
    let object = request.object.or(request.old_object);
    let field = |p: &str| {
        object
            .and_then(|o| o.pointer(p))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let api_version = field("/apiVersion");
    let group = api_version
        .rsplit_once('/')
        .map_or("", |(g, _)| g)
        .to_string();
    let resource = match request.resource {
        Some(r) => r.to_string(),
        None => format!("{}s", field("/kind").to_lowercase()),
    };
    RequestResource {
        group,
        resource,
        subresource: request.subresource.to_string(),
        namespace: field("/metadata/namespace"),
        name: field("/metadata/name"),
    }
}

/// `request`: the operation, and the object's name, namespace and kind.
pub(crate) fn request_value(request: &Request<'_>) -> Value {
    let object = request.object.or(request.old_object);
    let field = |p: &str| {
        Value::from(
            object
                .and_then(|o| o.pointer(p))
                .and_then(Json::as_str)
                .unwrap_or_default(),
        )
    };
    let api_version = object
        .and_then(|o| text(o, "apiVersion"))
        .unwrap_or_default();
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let mut kind = Map::new();
    kind.insert(Key::String("group".into()), Value::from(group));
    kind.insert(Key::String("version".into()), Value::from(version));
    kind.insert(Key::String("kind".into()), field("/kind"));
    let mut map = Map::new();
    map.insert(
        Key::String("operation".into()),
        Value::from(request.operation),
    );
    map.insert(Key::String("name".into()), field("/metadata/name"));
    map.insert(
        Key::String("namespace".into()),
        field("/metadata/namespace"),
    );
    map.insert(Key::String("kind".into()), Value::map(kind));
    Value::map(map)
}
