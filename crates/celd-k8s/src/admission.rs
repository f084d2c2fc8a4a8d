//! ValidatingAdmissionPolicy evaluation offline: match conditions, variables in order,
//! validations with `messageExpression`, audit annotations, and the decision kube-apiserver
//! would take for one request (`failurePolicy` deciding what an error does).

use std::fmt;
use std::sync::Arc;

use celd::{Activation, Env, Key, Map, Type, Value};
use serde_json::Value as Json;

use crate::authz::{self, Authorizer, AuthorizerValue, RequestResource};
use crate::binding::ParamKind;
use crate::budget::{self, Budget, Expression, Matched, OutOfBudget, Scope};
use crate::field::Path;
use crate::library::kubernetes_env;
use crate::matching::MatchResources;
use crate::schema;
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
    expression: Expression,
    message: Option<String>,
    message_expression: Option<Expression>,
    reason: String,
}

/// A compiled ValidatingAdmissionPolicy.
pub struct Policy {
    name: String,
    fail_open: bool,
    match_conditions: Vec<(String, Expression)>,
    variables: Vec<(String, Expression)>,
    validations: Vec<Validation>,
    audit_annotations: Vec<(String, Expression)>,
    match_constraints: Option<MatchResources>,
    param_kind: Option<ParamKind>,
}

/// What one request carries: the objects, the parameters, the operation and the authorizer.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    pub object: Option<&'a Json>,
    pub old_object: Option<&'a Json>,
    pub params: Option<&'a Json>,
    /// The request's namespace (`namespaceObject`); null when not given.
    pub namespace_object: Option<&'a Json>,
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

/// A validation that failed (or erred under `failurePolicy: Fail`), before any wording of the
/// policy or binding is added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationFailure {
    /// The index of the validation in `spec.validations` (0 for a match condition's error).
    pub index: usize,
    pub message: String,
    pub reason: String,
}

/// What one evaluation of the policy found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evaluation {
    /// A match condition is false (or erred under `failurePolicy: Ignore`).
    NotMatched { condition: String },
    /// The validations' failures, the audit annotations' values by key (without the
    /// policy's name), and the audit annotations that could not be computed (an error under
    /// `failurePolicy: Fail`, or a value neither a string nor null), which deny.
    Evaluated {
        failures: Vec<ValidationFailure>,
        audit_annotations: Vec<(String, String)>,
        audit_errors: Vec<String>,
    },
}

/// The audit annotations' values by key, and the errors of those that could not be computed.
type Audited = (Vec<(String, String)>, Vec<String>);

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
                .map(|program| Expression::new(expression, program))
                .map_err(|e| PolicyError(format!("{what}: compilation failed: {}", e.message())))
        };
        let named = |key: &str, expr_key: &str| -> Result<Vec<(String, Expression)>, PolicyError> {
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
            let expression = text(v, "expression").unwrap_or_default();
            let expression = compile(format!("spec.validations[{i}].expression"), expression)?;
            let message_expression = text(v, "messageExpression")
                .map(|m| compile(format!("spec.validations[{i}].messageExpression"), m))
                .transpose()?;
            validations.push(Validation {
                expression,
                message: text(v, "message").map(str::to_string),
                message_expression,
                reason: text(v, "reason").unwrap_or("Invalid").to_string(),
            });
        }
        let match_constraints = parse_match_constraints(spec)?;
        let param_kind = parse_param_kind(spec);
        Ok(Policy {
            match_constraints,
            param_kind,
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

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `failurePolicy` is `Ignore`: errors and misconfigured bindings admit.
    pub fn fails_open(&self) -> bool {
        self.fail_open
    }

    /// `spec.matchConstraints`; absent, the API server refuses the policy (this library
    /// applies it to every request when evaluated without a binding).
    pub fn match_constraints(&self) -> Option<&MatchResources> {
        self.match_constraints.as_ref()
    }

    /// `spec.paramKind`.
    pub fn param_kind(&self) -> Option<&ParamKind> {
        self.param_kind.as_ref()
    }

    /// Evaluates the policy on one request, worded as kube-apiserver words a policy
    /// evaluated without a binding.
    pub fn evaluate(&self, request: &Request<'_>) -> Decision {
        match self.validate(request) {
            Evaluation::NotMatched { condition } => Decision::NotMatched { condition },
            Evaluation::Evaluated {
                mut failures,
                audit_annotations,
                audit_errors,
            } => {
                failures.extend(audit_errors.into_iter().map(|message| ValidationFailure {
                    index: 0,
                    message,
                    reason: "Invalid".into(),
                }));
                let audit_annotations = audit_annotations
                    .into_iter()
                    .map(|(key, value)| (format!("{}/{key}", self.name), value))
                    .collect();
                if failures.is_empty() {
                    return Decision::Allowed { audit_annotations };
                }
                Decision::Denied {
                    messages: failures
                        .into_iter()
                        .map(|f| (self.denied(&f.message), f.reason))
                        .collect(),
                    audit_annotations,
                }
            }
        }
    }

    /// Evaluates the policy on one request: match conditions, validations (with the
    /// variables they read) and audit annotations, with the failures as they are before any
    /// wording is added.
    ///
    /// Within the runtime cost limits kube-apiserver applies ([`crate::budget`]): an
    /// expression past [`schema::PER_CALL_LIMIT`] errs (`expression '<e>' resulted in error:
    /// operation cancelled: actual cost limit exceeded` under `failurePolicy: Fail`); a group
    /// of expressions past its budget ends the evaluation, as in kube-apiserver's validator:
    /// - the match conditions: under `Fail`, the only failure is [`budget::OUT_OF_BUDGET`];
    ///   under `Ignore` the policy is not matched;
    /// - the validations, or the audit annotations: under `Fail` the only failure is
    ///   [`budget::OUT_OF_BUDGET`], under `Ignore` there is none; either way the failures of
    ///   the validations that ran and every audit annotation are dropped;
    /// - the `messageExpression`s (every one is evaluated, after the validations, with what
    ///   they left, whether its validation failed or not): each validation that did not err
    ///   (passed or not) fails, under `Fail`, with `failed messageExpression: ` and that
    ///   message, and passes under `Ignore`.
    pub fn validate(&self, request: &Request<'_>) -> Evaluation {
        let mut vars = Activation::new();
        let value = |j: Option<&Json>| j.map_or(Value::Null, plain);
        vars.insert("object", value(request.object))
            .insert("oldObject", value(request.old_object))
            .insert("params", value(request.params))
            .insert("namespaceObject", value(request.namespace_object))
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
        let mut scope = Scope::new(&self.variables, vars);
        match budget::match_conditions(&self.match_conditions, &mut scope, self.fail_open) {
            Matched::Yes => {}
            Matched::No(condition) => return Evaluation::NotMatched { condition },
            Matched::Error(message) => {
                return Evaluation::Evaluated {
                    failures: vec![ValidationFailure {
                        index: 0,
                        message,
                        reason: "Invalid".into(),
                    }],
                    audit_annotations: Vec::new(),
                    audit_errors: Vec::new(),
                };
            }
        }
        let mut budget = Budget::new(schema::RUNTIME_CEL_COST_BUDGET);
        let mut results = Vec::with_capacity(self.validations.len());
        for v in &self.validations {
            match scope.eval(&mut budget, &v.expression) {
                Ok(result) => results.push(result),
                Err(OutOfBudget) => return self.out_of_budget(),
            }
        }
        let mut messages: Vec<Option<Result<Value, String>>> = vec![None; self.validations.len()];
        let mut messages_out_of_budget = false;
        for (v, message) in self.validations.iter().zip(&mut messages) {
            if let Some(e) = &v.message_expression {
                match scope.eval(&mut budget, e) {
                    Ok(result) => *message = Some(result),
                    Err(OutOfBudget) => {
                        messages_out_of_budget = true;
                        break;
                    }
                }
            }
        }
        let mut failures = Vec::new();
        for (index, (v, result)) in self.validations.iter().zip(results).enumerate() {
            // Under Ignore an error admits: the validation's own, or its message's budget.
            if self.fail_open && (result.is_err() || messages_out_of_budget) {
                continue;
            }
            let (message, reason) = match result {
                Err(e) => (
                    format!("expression '{}' resulted in error: {e}", v.expression.text),
                    "Invalid".to_string(),
                ),
                Ok(_) if messages_out_of_budget => (
                    format!("failed messageExpression: {}", budget::OUT_OF_BUDGET),
                    "Invalid".to_string(),
                ),
                Ok(Value::Bool(true)) => continue,
                Ok(Value::Bool(false)) => {
                    (self.message(v, messages[index].take()), v.reason.clone())
                }
                Ok(other) => (
                    format!(
                        "expression '{}' did not evaluate to a bool: {other}",
                        v.expression.text
                    ),
                    v.reason.clone(),
                ),
            };
            failures.push(ValidationFailure {
                index,
                message,
                reason,
            });
        }
        let Ok((audit_annotations, audit_errors)) = self.audit(&mut scope) else {
            return self.out_of_budget();
        };
        Evaluation::Evaluated {
            failures,
            audit_annotations,
            audit_errors,
        }
    }

    /// The evaluation when the validations' or the audit annotations' budget ran out: the
    /// budget's error alone under `failurePolicy: Fail`, nothing under `Ignore`.
    fn out_of_budget(&self) -> Evaluation {
        let failures = if self.fail_open {
            Vec::new()
        } else {
            vec![ValidationFailure {
                index: 0,
                message: budget::OUT_OF_BUDGET.into(),
                reason: "Invalid".into(),
            }]
        };
        Evaluation::Evaluated {
            failures,
            audit_annotations: Vec::new(),
            audit_errors: Vec::new(),
        }
    }

    /// The audit annotations' values (trimmed; empty and null ones left out) and errors,
    /// within a budget of their own.
    fn audit(&self, scope: &mut Scope<'_>) -> Result<Audited, OutOfBudget> {
        let mut budget = Budget::new(schema::RUNTIME_CEL_COST_BUDGET);
        let (mut values, mut errors) = (Vec::new(), Vec::new());
        for (key, expression) in &self.audit_annotations {
            match scope.eval(&mut budget, expression)? {
                Ok(Value::String(s)) if !s.trim().is_empty() => {
                    values.push((key.clone(), s.trim().to_string()));
                }
                Ok(Value::String(_) | Value::Null) => {}
                Ok(other) => errors.push(format!(
                    "valueExpression '{}' resulted in unsupported return type: {}. Return type must be either string or null.",
                    expression.text,
                    other.type_name()
                )),
                Err(_) if self.fail_open => {}
                Err(e) => errors.push(format!(
                    "expression '{}' resulted in error: {e}",
                    expression.text
                )),
            }
        }
        Ok((values, errors))
    }

    /// The message of a failed validation: its `messageExpression`'s result when that is a
    /// non-blank single-line string, else `message`, else `failed expression: <expression>`.
    fn message(&self, v: &Validation, evaluated: Option<Result<Value, String>>) -> String {
        if let Some(Ok(Value::String(s))) = evaluated
            && !s.trim().is_empty()
            && !s.contains('\n')
        {
            return s.trim().to_string();
        }
        match &v.message {
            Some(m) if !m.trim().is_empty() => m.trim().to_string(),
            _ => format!("failed expression: {}", v.expression.text.trim()),
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

/// `spec.matchConstraints` of an admission policy: absent, or valid with `resourceRules`.
pub(crate) fn parse_match_constraints(spec: &Json) -> Result<Option<MatchResources>, PolicyError> {
    spec.get("matchConstraints")
        .filter(|m| !m.is_null())
        .map(|m| {
            let mut errors = Vec::new();
            let path = Path::root("spec").child("matchConstraints");
            let constraints = MatchResources::parse(m, &path, &mut errors);
            if constraints.resource_rules.is_empty() {
                errors.push(crate::field::FieldError::required(
                    &path.child("resourceRules"),
                    "",
                ));
            }
            if errors.is_empty() {
                Ok(constraints)
            } else {
                Err(PolicyError(crate::field::FieldErrors(errors).to_string()))
            }
        })
        .transpose()
}

/// `spec.paramKind` of an admission policy.
pub(crate) fn parse_param_kind(spec: &Json) -> Option<ParamKind> {
    spec.get("paramKind").map(|k| ParamKind {
        api_version: text(k, "apiVersion").unwrap_or_default().to_string(),
        kind: text(k, "kind").unwrap_or_default().to_string(),
    })
}
