//! A ValidatingAdmissionPolicy and its bindings on one request, as kube-apiserver's validating
//! dispatcher decides: the policy's `matchConstraints`, each binding's `matchResources` and
//! params, `validationActions`, and the denial, warnings and audit annotations that result.
//!
//! As in kube-apiserver, a binding naming another policy is not used; a binding whose params
//! cannot be found, or whose matching cannot be decided, is a configuration error that denies
//! under `failurePolicy: Fail` and is ignored under `Ignore`.

use std::fmt;

use serde_json::Value as Json;

use crate::admission::{Evaluation, Policy, Request, ValidationFailure};
use crate::binding::{Binding, ParamScope, ValidationAction, collect_params};
use crate::go::json_string;
use crate::jsonpatch::{self, Operation};
use crate::matching::{Attributes, Exclusion, MatchResult};
use crate::mutation::{MutatingPolicy, MutationError, MutationOutcome};

/// The audit annotation a binding with `Audit` records a failure in.
pub const VALIDATION_FAILURE_KEY: &str = "validation.policy.admission.k8s.io/validation_failure";

/// The longest audit annotation value kept (longer ones are cut), in bytes.
pub const MAX_AUDIT_ANNOTATION_VALUE: usize = 10 * 1024;

/// The param objects there are (of any kind; those of the policy's `paramKind` are candidates)
/// and whether that kind is namespaced.
#[derive(Clone, Debug)]
pub struct ParamSet<'a> {
    pub documents: Vec<&'a Json>,
    pub scope: ParamScope,
}

/// A denial, worded as the API server's response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    pub message: String,
    /// The status reason: the validation's `reason`, `Invalid` by default.
    pub reason: String,
}

/// Why the policy, or one binding or param of it, was not evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    /// No binding names the policy: kube-apiserver does not evaluate it.
    Unbound,
    /// The policy's `matchConstraints` exclude the request.
    Policy(Exclusion),
    /// A binding's `matchResources` exclude the request.
    Binding {
        binding: String,
        exclusion: Exclusion,
    },
    /// A binding's `paramRef` found nothing and its `parameterNotFoundAction` is `Allow`.
    NoParams { binding: String },
    /// A match condition is false.
    MatchCondition {
        binding: Option<String>,
        condition: String,
    },
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::Unbound => f.write_str("no binding binds the policy"),
            Skip::Policy(e) => write!(f, "the policy's matchConstraints: {e}"),
            Skip::Binding { binding, exclusion } => {
                write!(f, "binding '{binding}' matchResources: {exclusion}")
            }
            Skip::NoParams { binding } => write!(
                f,
                "binding '{binding}': no params found, and parameterNotFoundAction is Allow"
            ),
            Skip::MatchCondition { binding, condition } => {
                if let Some(b) = binding {
                    write!(f, "binding '{b}': ")?;
                }
                write!(f, "match condition {condition:?} is false")
            }
        }
    }
}

/// What the API server answers and records for one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Admission {
    /// Every denial in evaluation order; the API server responds with the first.
    pub denials: Vec<Denial>,
    /// The warnings returned to the client (`Warn`).
    pub warnings: Vec<String>,
    /// The audit annotations, in the order they were added.
    pub audit_annotations: Vec<(String, String)>,
    /// What was not evaluated, and why.
    pub skipped: Vec<Skip>,
    /// How many evaluations (one per binding and param) got past their match conditions.
    pub applied: usize,
}

impl Admission {
    /// Whether the request is admitted.
    pub fn allowed(&self) -> bool {
        self.denials.is_empty()
    }

    /// The API server's response to a denied request.
    pub fn response(&self) -> Option<&Denial> {
        self.denials.first()
    }

    /// Whether the policy applied to the request at all.
    pub fn matched(&self) -> bool {
        self.applied > 0 || !self.denials.is_empty()
    }

    /// `AddAnnotation`: a key keeps its first value.
    fn annotate(&mut self, key: &str, value: String) {
        if !self.audit_annotations.iter().any(|(k, _)| k == key) {
            self.audit_annotations.push((key.to_string(), value));
        }
    }

    fn deny(&mut self, message: String, reason: &str) {
        self.denials.push(Denial {
            message,
            reason: reason.to_string(),
        });
    }
}

/// The request's attributes for matching: group and version from the object's `apiVersion`,
/// the resource given (default: the kind, lower-cased, with an `s`), name and namespace from
/// its metadata (a namespace's namespace is its own name).
pub fn request_attributes<'a>(request: &Request<'a>) -> Attributes<'a> {
    let object = request.object.or(request.old_object);
    let field = |p: &str| {
        object
            .and_then(|o| o.pointer(p))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let api_version = field("/apiVersion");
    let (group, version) = api_version
        .rsplit_once('/')
        .unwrap_or(("", api_version.as_str()));
    let resource = match request.resource {
        Some(r) => r.to_string(),
        None => format!("{}s", field("/kind").to_lowercase()),
    };
    let name = field("/metadata/name");
    let namespace = if group.is_empty() && resource == "namespaces" {
        name.clone()
    } else {
        field("/metadata/namespace")
    };
    Attributes {
        group: group.to_string(),
        version: version.to_string(),
        resource,
        subresource: request.subresource.to_string(),
        operation: request.operation.to_string(),
        name,
        namespace,
        object: request.object,
        old_object: request.old_object,
        namespace_object: request.namespace_object,
    }
}

/// Evaluates `policy` under each of `bindings` that names it, on one request.
pub fn admit(
    policy: &Policy,
    bindings: &[Binding],
    request: &Request<'_>,
    params: &ParamSet<'_>,
) -> Admission {
    let mut admission = Admission::default();
    let bound: Vec<&Binding> = bindings
        .iter()
        .filter(|b| b.policy_name == policy.name())
        .collect();
    if bound.is_empty() {
        admission.skipped.push(Skip::Unbound);
        return admission;
    }
    let attributes = request_attributes(request);
    let Some(constraints) = policy.match_constraints() else {
        policy_error(
            &mut admission,
            policy,
            "policy contained no match constraints, a required field",
        );
        return admission;
    };
    match constraints.matches(&attributes) {
        MatchResult::Matched => {}
        MatchResult::Excluded(e) => {
            admission.skipped.push(Skip::Policy(e));
            return admission;
        }
        MatchResult::Failed(e) => {
            policy_error(&mut admission, policy, &e.to_string());
            return admission;
        }
    }
    let request = evaluated_request(request, &attributes);
    let mut collected: Vec<(String, Vec<String>)> = Vec::new();
    for binding in bound {
        bind(
            &mut admission,
            &mut collected,
            policy,
            binding,
            (&request, &attributes),
            params,
        );
    }
    for (key, values) in collected {
        admission.annotate(&format!("{}/{key}", policy.name()), values.join(", "));
    }
    admission
}

/// Evaluates `policy` on one request as if bound once with `validationActions: [Deny]` and
/// the request's params: its `matchConstraints` apply when it has them, and a denial is
/// worded as kube-apiserver words one without a binding.
pub fn admit_unbound(policy: &Policy, request: &Request<'_>) -> Admission {
    let mut admission = Admission::default();
    let attributes = request_attributes(request);
    match policy.match_constraints().map(|c| c.matches(&attributes)) {
        None | Some(MatchResult::Matched) => {}
        Some(MatchResult::Excluded(e)) => {
            admission.skipped.push(Skip::Policy(e));
            return admission;
        }
        Some(MatchResult::Failed(e)) => {
            policy_error(&mut admission, policy, &e.to_string());
            return admission;
        }
    }
    let request = evaluated_request(request, &attributes);
    match policy.validate(&request) {
        Evaluation::NotMatched { condition } => admission.skipped.push(Skip::MatchCondition {
            binding: None,
            condition,
        }),
        Evaluation::Evaluated {
            failures,
            audit_annotations,
            audit_errors,
        } => {
            admission.applied += 1;
            for f in failures {
                let message = format!(
                    "ValidatingAdmissionPolicy '{}' denied request: {}",
                    policy.name(),
                    f.message
                );
                admission.deny(message, &f.reason);
            }
            for error in audit_errors {
                let message = format!(
                    "ValidatingAdmissionPolicy '{}' denied request: {error}",
                    policy.name()
                );
                admission.deny(message, "Invalid");
            }
            for (key, value) in audit_annotations {
                admission.annotate(&format!("{}/{key}", policy.name()), truncated(value));
            }
        }
    }
    admission
}

/// The request as the policy sees it: a namespace's `namespaceObject` is null.
fn evaluated_request<'a>(request: &Request<'a>, attributes: &Attributes<'_>) -> Request<'a> {
    let is_namespace = request
        .object
        .or(request.old_object)
        .is_some_and(|o| o.get("kind").and_then(Json::as_str) == Some("Namespace"))
        && attributes.group.is_empty()
        && attributes.version == "v1";
    Request {
        namespace_object: if is_namespace {
            None
        } else {
            request.namespace_object
        },
        ..request.clone()
    }
}

/// One binding: its matching, its params, and an evaluation per param.
fn bind(
    admission: &mut Admission,
    collected: &mut Vec<(String, Vec<String>)>,
    policy: &Policy,
    binding: &Binding,
    (request, attributes): (&Request<'_>, &Attributes<'_>),
    params: &ParamSet<'_>,
) {
    if let Some(resources) = &binding.match_resources {
        match resources.matches(attributes) {
            MatchResult::Matched => {}
            MatchResult::Excluded(exclusion) => {
                admission.skipped.push(Skip::Binding {
                    binding: binding.name.clone(),
                    exclusion,
                });
                return;
            }
            MatchResult::Failed(e) => {
                binding_error(admission, policy, binding, &e.to_string());
                return;
            }
        }
    }
    let found = collect_params(
        policy.param_kind(),
        params.scope,
        binding.param_ref.as_ref(),
        &attributes.namespace,
        &params.documents,
    );
    let found = match found {
        Ok(found) => found,
        Err(e) => {
            binding_error(admission, policy, binding, &e.to_string());
            return;
        }
    };
    if found.is_empty() {
        admission.skipped.push(Skip::NoParams {
            binding: binding.name.clone(),
        });
    }
    for param in found {
        let request = Request {
            params: param,
            ..request.clone()
        };
        match policy.validate(&request) {
            Evaluation::NotMatched { condition } => {
                admission.skipped.push(Skip::MatchCondition {
                    binding: Some(binding.name.clone()),
                    condition,
                });
            }
            Evaluation::Evaluated {
                failures,
                audit_annotations,
                audit_errors,
            } => {
                admission.applied += 1;
                for failure in &failures {
                    act(admission, policy, binding, failure);
                }
                // An audit annotation that cannot be computed denies, whatever the actions.
                for error in audit_errors {
                    let message = format!(
                        "ValidatingAdmissionPolicy '{}' with binding '{}' denied request: {error}",
                        policy.name(),
                        binding.name
                    );
                    admission.deny(message, "Invalid");
                }
                for (key, value) in audit_annotations {
                    collect(collected, key, truncated(value));
                }
            }
        }
    }
}

/// What the binding's `validationActions` do with one failure.
fn act(admission: &mut Admission, policy: &Policy, binding: &Binding, failure: &ValidationFailure) {
    let (p, b) = (policy.name(), binding.name.as_str());
    for action in &binding.validation_actions {
        match action {
            ValidationAction::Deny => admission.deny(
                format!(
                    "ValidatingAdmissionPolicy '{p}' with binding '{b}' denied request: {}",
                    failure.message
                ),
                &failure.reason,
            ),
            ValidationAction::Warn => admission.warnings.push(format!(
                "Validation failed for ValidatingAdmissionPolicy '{p}' with binding '{b}': {}",
                failure.message
            )),
            ValidationAction::Audit => {
                admission.annotate(VALIDATION_FAILURE_KEY, failure_value(binding, failure));
            }
        }
    }
}

/// The `validation_failure` value: a JSON list of one failure, as `encoding/json` writes it.
fn failure_value(binding: &Binding, failure: &ValidationFailure) -> String {
    let actions: Vec<String> = binding
        .validation_actions
        .iter()
        .map(|a| json_string(a.as_str()))
        .collect();
    format!(
        "[{{\"message\":{},\"policy\":{},\"binding\":{},\"expressionIndex\":{},\"validationActions\":[{}]}}]",
        json_string(&failure.message),
        json_string(&binding.policy_name),
        json_string(&binding.name),
        failure.index,
        actions.join(",")
    )
}

/// Adds an audit annotation value of the policy, once per distinct value.
fn collect(collected: &mut Vec<(String, Vec<String>)>, key: String, value: String) {
    match collected.iter_mut().find(|(k, _)| *k == key) {
        Some((_, values)) if values.contains(&value) => {}
        Some((_, values)) => values.push(value),
        None => collected.push((key, vec![value])),
    }
}

fn truncated(mut value: String) -> String {
    if value.len() > MAX_AUDIT_ANNOTATION_VALUE {
        let mut cut = MAX_AUDIT_ANNOTATION_VALUE;
        while !value.is_char_boundary(cut) {
            cut -= 1;
        }
        value.truncate(cut);
    }
    value
}

fn policy_error(admission: &mut Admission, policy: &Policy, error: &str) {
    if !policy.fails_open() {
        let message = format!(
            "ValidatingAdmissionPolicy '{}' denied request: failed to configure policy: {error}",
            policy.name()
        );
        admission.deny(message, "Invalid");
    }
}

fn binding_error(admission: &mut Admission, policy: &Policy, binding: &Binding, error: &str) {
    if !policy.fails_open() {
        let message = format!(
            "ValidatingAdmissionPolicy '{}' with binding '{}' denied request: failed to configure binding: {error}",
            policy.name(),
            binding.name
        );
        admission.deny(message, "Invalid");
    }
}

/// What a MutatingAdmissionPolicy and its bindings do to one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mutations {
    /// The object after every evaluation, each on the result of the one before (the
    /// request's object when none applied; `None` without one, as for DELETE).
    pub object: Option<Json>,
    /// The JSON Patch from the request's object to `object`.
    pub patch: Vec<Operation>,
    /// The API server's error messages when the request is denied (evaluation stops there).
    pub denials: Vec<String>,
    /// Mutations that failed under `failurePolicy: Ignore`.
    pub ignored: Vec<String>,
    /// Under `reinvocationPolicy: IfNeeded`, what each evaluation run again would change.
    pub reinvocations: Vec<Vec<Operation>>,
    /// What was not evaluated, and why.
    pub skipped: Vec<Skip>,
    /// How many evaluations (one per binding and param) got past their match conditions.
    pub applied: usize,
}

impl Mutations {
    /// Whether the request is admitted.
    pub fn allowed(&self) -> bool {
        self.denials.is_empty()
    }
}

/// Runs `policy` under each of `bindings` that names it, in order, on one request: the
/// policy's `matchConstraints`, each binding's `matchResources`, then one evaluation per
/// param, each seeing the object the previous one produced. A denial stops the dispatch.
pub fn mutate(
    policy: &MutatingPolicy,
    bindings: &[Binding],
    request: &Request<'_>,
    params: &ParamSet<'_>,
) -> Mutations {
    let mut result = Mutations {
        object: request.object.cloned(),
        ..Mutations::default()
    };
    let bound: Vec<&Binding> = bindings
        .iter()
        .filter(|b| b.policy_name == policy.name())
        .collect();
    if bound.is_empty() {
        result.skipped.push(Skip::Unbound);
        return result;
    }
    let attributes = request_attributes(request);
    if !constraints_match(&mut result, policy, &attributes, true) {
        return result;
    }
    let request = evaluated_request(request, &attributes);
    for binding in bound {
        if !mutate_binding(
            &mut result,
            policy,
            binding,
            (&request, &attributes),
            params,
        ) {
            break;
        }
    }
    if let (Some(original), Some(object)) = (request.object, &result.object) {
        result.patch = jsonpatch::diff(original, object);
    }
    result
}

/// Runs `policy` on one request as if bound once without params: its `matchConstraints`
/// apply when it has them, and messages name no binding.
pub fn mutate_unbound(policy: &MutatingPolicy, request: &Request<'_>) -> Mutations {
    let mut result = Mutations {
        object: request.object.cloned(),
        ..Mutations::default()
    };
    let attributes = request_attributes(request);
    if !constraints_match(&mut result, policy, &attributes, false) {
        return result;
    }
    let request = evaluated_request(request, &attributes);
    record(&mut result, policy.mutate_bound(&request, None), None);
    if let (Some(original), Some(object)) = (request.object, &result.object) {
        result.patch = jsonpatch::diff(original, object);
    }
    result
}

/// Whether the policy's `matchConstraints` (when `required`, their absence is an error)
/// let the request through; a skip or a denial is recorded when not.
fn constraints_match(
    result: &mut Mutations,
    policy: &MutatingPolicy,
    attributes: &Attributes<'_>,
    required: bool,
) -> bool {
    let outcome = match policy.match_constraints() {
        Some(constraints) => constraints.matches(attributes),
        None if required => {
            mutating_config_error(
                result,
                policy,
                None,
                "failed to configure policy: policy contained no match constraints, a required field",
            );
            return false;
        }
        None => MatchResult::Matched,
    };
    match outcome {
        MatchResult::Matched => true,
        MatchResult::Excluded(e) => {
            result.skipped.push(Skip::Policy(e));
            false
        }
        MatchResult::Failed(e) => {
            let message = format!("failed to configure policy: {e}");
            mutating_config_error(result, policy, None, &message);
            false
        }
    }
}

/// One evaluation's outcome, on the current object; false when the request is denied.
fn record(
    result: &mut Mutations,
    outcome: Result<MutationOutcome, MutationError>,
    binding: Option<&Binding>,
) -> bool {
    match outcome {
        Ok(MutationOutcome::NotMatched { condition }) => {
            result.skipped.push(Skip::MatchCondition {
                binding: binding.map(|b| b.name.clone()),
                condition,
            });
        }
        Ok(MutationOutcome::Mutated(mutated)) => {
            result.applied += 1;
            if result.object.is_some() {
                result.object = Some(mutated.object);
            }
            result.ignored.extend(mutated.ignored);
            result.reinvocations.extend(mutated.reinvocation);
        }
        Err(denied) => {
            result.denials.extend(denied.0);
            return false;
        }
    }
    true
}

/// One binding's evaluations; false when the request is denied.
fn mutate_binding(
    result: &mut Mutations,
    policy: &MutatingPolicy,
    binding: &Binding,
    (request, attributes): (&Request<'_>, &Attributes<'_>),
    params: &ParamSet<'_>,
) -> bool {
    if let Some(resources) = &binding.match_resources {
        match resources.matches(attributes) {
            MatchResult::Matched => {}
            MatchResult::Excluded(exclusion) => {
                result.skipped.push(Skip::Binding {
                    binding: binding.name.clone(),
                    exclusion,
                });
                return true;
            }
            MatchResult::Failed(e) => {
                let message = format!("failed to configure binding: {e}");
                return mutating_config_error(result, policy, Some(binding), &message);
            }
        }
    }
    let found = collect_params(
        policy.param_kind(),
        params.scope,
        binding.param_ref.as_ref(),
        &attributes.namespace,
        &params.documents,
    );
    let found = match found {
        Ok(found) => found,
        Err(e) => {
            let message = format!("failed to configure binding: {e}");
            return mutating_config_error(result, policy, Some(binding), &message);
        }
    };
    if found.is_empty() {
        result.skipped.push(Skip::NoParams {
            binding: binding.name.clone(),
        });
    }
    for param in found {
        let current = result.object.clone();
        let request = Request {
            object: current.as_ref(),
            params: param,
            ..request.clone()
        };
        let outcome = policy.mutate_bound(&request, Some(&binding.name));
        if !record(result, outcome, Some(binding)) {
            return false;
        }
    }
    true
}

/// A policy or binding that cannot be configured: denies unless `failurePolicy: Ignore`;
/// false when the request is denied.
fn mutating_config_error(
    result: &mut Mutations,
    policy: &MutatingPolicy,
    binding: Option<&Binding>,
    error: &str,
) -> bool {
    if policy.fails_open() {
        return true;
    }
    let message = match binding {
        Some(b) => format!(
            "policy '{}' with binding '{}' denied request: {error}",
            policy.name(),
            b.name
        ),
        None => format!("policy '{}' denied request: {error}", policy.name()),
    };
    result.denials.push(message);
    false
}
