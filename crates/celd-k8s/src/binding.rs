//! Admission policy bindings (`policyName`, `paramRef`, `matchResources`, `validationActions`)
//! validated as the API server validates them, and the params a binding selects, as
//! kube-apiserver's `CollectParams` finds them.
//!
//! The shape is shared by ValidatingAdmissionPolicyBinding and MutatingAdmissionPolicyBinding
//! ([`BindingKind`]); only the validating one has `validationActions`.

use std::fmt;

use serde_json::Value as Json;

use crate::field::{FieldError, FieldErrors, Path};
use crate::format::{is_dns1123_label, is_dns1123_subdomain};
use crate::matching::{MatchResources, path_segment_name};
use crate::selector::LabelSelector;

const VALIDATION_ACTIONS: &[&str] = &["Audit", "Deny", "Warn"];
const NOT_FOUND_ACTIONS: &[&str] = &["Deny", "Allow"];

/// Which binding a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    Validating,
    Mutating,
}

impl BindingKind {
    /// The `kind` of its documents.
    pub fn kind(self) -> &'static str {
        match self {
            BindingKind::Validating => "ValidatingAdmissionPolicyBinding",
            BindingKind::Mutating => "MutatingAdmissionPolicyBinding",
        }
    }
}

/// What a validation failure does under a binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidationAction {
    /// The request is denied.
    Deny,
    /// The failure is returned to the client as a warning.
    Warn,
    /// The failure is recorded in the audit event's `validation_failure` annotation.
    Audit,
}

impl ValidationAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ValidationAction::Deny => "Deny",
            ValidationAction::Warn => "Warn",
            ValidationAction::Audit => "Audit",
        }
    }
}

/// `parameterNotFoundAction`: what a binding does when its `paramRef` finds nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotFoundAction {
    /// The binding is skipped: the request is allowed by it.
    Allow,
    /// The binding is misconfigured: the policy's `failurePolicy` decides.
    Deny,
}

/// `spec.paramRef`: one param by name, or every param a selector selects, in a namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamRef {
    pub name: String,
    /// Empty: the request's namespace, for a namespaced param kind.
    pub namespace: String,
    pub selector: Option<LabelSelector>,
    pub not_found_action: NotFoundAction,
}

/// A binding of a policy to the requests it should judge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub name: String,
    pub policy_name: String,
    pub param_ref: Option<ParamRef>,
    /// Absent: every request the policy matches.
    pub match_resources: Option<MatchResources>,
    /// Empty for a mutating binding.
    pub validation_actions: Vec<ValidationAction>,
}

/// A binding document the API server would refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindingError {
    /// The document is not of the expected kind.
    Kind {
        expected: &'static str,
        found: String,
    },
    /// Invalid fields, each with its path.
    Invalid { name: String, errors: FieldErrors },
}

impl fmt::Display for BindingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindingError::Kind { expected, found } => {
                write!(f, "expected kind {expected}, found {found:?}")
            }
            BindingError::Invalid { name, errors } => {
                write!(f, "binding {name:?} is invalid: {errors}")
            }
        }
    }
}

impl std::error::Error for BindingError {}

impl Binding {
    /// Reads a `ValidatingAdmissionPolicyBinding` document.
    pub fn from_json(doc: &Json) -> Result<Binding, BindingError> {
        Binding::parse(doc, BindingKind::Validating)
    }

    /// Reads a binding document of `kind`, with the API server's validation.
    pub fn parse(doc: &Json, kind: BindingKind) -> Result<Binding, BindingError> {
        let found = doc.get("kind").and_then(Json::as_str).unwrap_or_default();
        if found != kind.kind() {
            return Err(BindingError::Kind {
                expected: kind.kind(),
                found: found.to_string(),
            });
        }
        let mut errors = Vec::new();
        let name = text(doc.pointer("/metadata/name"));
        validate_name(&name, &Path::root("metadata").child("name"), &mut errors);
        let spec_path = Path::root("spec");
        let spec = doc.get("spec").unwrap_or(&Json::Null);
        let policy_name = text(spec.get("policyName"));
        let policy_path = spec_path.child("policyName");
        if policy_name.is_empty() {
            errors.push(FieldError::required(&policy_path, ""));
        }
        for message in dns_subdomain_name(&policy_name) {
            errors.push(FieldError::invalid(&policy_path, &policy_name, &message));
        }
        let v1alpha1 = doc.get("apiVersion").and_then(Json::as_str)
            == Some("admissionregistration.k8s.io/v1alpha1");
        let param_ref = spec
            .get("paramRef")
            .filter(|p| !p.is_null())
            .map(|p| param_ref(p, &spec_path.child("paramRef"), v1alpha1, &mut errors));
        let match_resources = spec
            .get("matchResources")
            .filter(|m| !m.is_null())
            .map(|m| MatchResources::parse(m, &spec_path.child("matchResources"), &mut errors));
        let validation_actions = match kind {
            BindingKind::Validating => validation_actions(
                spec.get("validationActions").unwrap_or(&Json::Null),
                &spec_path.child("validationActions"),
                &mut errors,
            ),
            BindingKind::Mutating => Vec::new(),
        };
        if !errors.is_empty() {
            return Err(BindingError::Invalid {
                name,
                errors: FieldErrors(errors),
            });
        }
        Ok(Binding {
            name,
            policy_name,
            param_ref,
            match_resources,
            validation_actions,
        })
    }
}

fn text(json: Option<&Json>) -> String {
    json.and_then(Json::as_str).unwrap_or_default().to_string()
}

/// `NameIsDNSSubdomain`, quiet for an empty name (reported as required).
fn dns_subdomain_name(name: &str) -> Vec<String> {
    if name.is_empty() {
        return Vec::new();
    }
    is_dns1123_subdomain(name)
}

fn validate_name(name: &str, path: &Path, errors: &mut Vec<FieldError>) {
    if name.is_empty() {
        errors.push(FieldError::required(
            path,
            "name or generateName is required",
        ));
    }
    for message in dns_subdomain_name(name) {
        errors.push(FieldError::invalid(path, name, &message));
    }
}

/// `validateParamRef`; an absent `parameterNotFoundAction` is required in v1 and v1beta1 and
/// defaults to `Deny` in v1alpha1.
fn param_ref(json: &Json, path: &Path, v1alpha1: bool, errors: &mut Vec<FieldError>) -> ParamRef {
    let name = text(json.get("name"));
    let namespace = text(json.get("namespace"));
    let mut selector_errors = Vec::new();
    let selector = json
        .get("selector")
        .filter(|s| !s.is_null())
        .map(|s| LabelSelector::parse(s, &path.child("selector"), &mut selector_errors));
    if !name.is_empty() {
        for message in path_segment_name(&name) {
            errors.push(FieldError::invalid(&path.child("name"), &name, &message));
        }
        if selector.is_some() {
            errors.push(FieldError::forbidden(
                &path.child("name"),
                "name and selector are mutually exclusive",
            ));
        }
    }
    errors.append(&mut selector_errors);
    if selector.is_some() && !name.is_empty() {
        errors.push(FieldError::forbidden(
            &path.child("selector"),
            "name and selector are mutually exclusive",
        ));
    }
    if !namespace.is_empty() {
        for message in is_dns1123_label(&namespace) {
            errors.push(FieldError::invalid(
                &path.child("namespace"),
                &namespace,
                &message,
            ));
        }
    }
    if name.is_empty() && selector.is_none() {
        errors.push(FieldError::required(
            path,
            "one of name or selector must be specified",
        ));
    }
    let action_path = path.child("parameterNotFoundAction");
    let not_found_action = match json.get("parameterNotFoundAction").and_then(Json::as_str) {
        Some("Allow") => NotFoundAction::Allow,
        Some("Deny") => NotFoundAction::Deny,
        None | Some("") if v1alpha1 => NotFoundAction::Deny,
        None | Some("") => {
            errors.push(FieldError::required(&action_path, ""));
            NotFoundAction::Deny
        }
        Some(other) => {
            errors.push(FieldError::not_supported(
                &action_path,
                other,
                NOT_FOUND_ACTIONS,
            ));
            NotFoundAction::Deny
        }
    };
    ParamRef {
        name,
        namespace,
        selector,
        not_found_action,
    }
}

/// `validateValidationActions`: known, distinct, not both `Deny` and `Warn`, at least one.
fn validation_actions(
    json: &Json,
    path: &Path,
    errors: &mut Vec<FieldError>,
) -> Vec<ValidationAction> {
    let listed: Vec<String> = json
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
        .collect();
    let mut actions = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, action) in listed.iter().enumerate() {
        let repeated = !seen.insert(action.as_str());
        let parsed = match action.as_str() {
            "Deny" => Some(ValidationAction::Deny),
            "Warn" => Some(ValidationAction::Warn),
            "Audit" => Some(ValidationAction::Audit),
            _ => None,
        };
        if parsed.is_none() {
            errors.push(FieldError::not_supported(
                &path.index(i),
                action,
                VALIDATION_ACTIONS,
            ));
        }
        if repeated {
            errors.push(FieldError::duplicate(&path.index(i), action));
        } else if let Some(a) = parsed {
            actions.push(a);
        }
    }
    if actions.contains(&ValidationAction::Deny) && actions.contains(&ValidationAction::Warn) {
        errors.push(FieldError::invalid_list(
            path,
            "admissionregistration.ValidationAction",
            &listed,
            "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
        ));
    }
    if listed.is_empty() {
        errors.push(FieldError::required(
            path,
            "at least one validation action is required",
        ));
    }
    actions
}

/// A policy's `spec.paramKind`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamKind {
    pub api_version: String,
    pub kind: String,
}

impl ParamKind {
    /// Whether a document is of this kind.
    pub fn is_kind_of(&self, doc: &Json) -> bool {
        doc.get("apiVersion").and_then(Json::as_str) == Some(self.api_version.as_str())
            && doc.get("kind").and_then(Json::as_str) == Some(self.kind.as_str())
    }
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.api_version, self.kind)
    }
}

/// Whether a param kind's objects live in namespaces (a ConfigMap) or not (most CRDs made for
/// params); kube-apiserver learns it from the REST mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamScope {
    Namespaced,
    Cluster,
}

/// A binding whose params cannot be found: a configuration error (`failurePolicy` decides).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamError {
    NamespacedParamForClusterScopedRequest,
    NamespaceForClusterScopedParam,
    NotFoundDeny,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParamError::NamespacedParamForClusterScopedRequest => {
                "cannot use namespaced paramRef in policy binding that matches cluster-scoped resources"
            }
            ParamError::NamespaceForClusterScopedParam => {
                "paramRef.namespace must not be provided for a cluster-scoped `paramKind`"
            }
            ParamError::NotFoundDeny => {
                "no params found for policy binding with `Deny` parameterNotFoundAction"
            }
        })
    }
}

impl std::error::Error for ParamError {}

/// `CollectParams`: the params one binding evaluates its policy with, among `documents`
/// (those not of `param_kind` are not candidates). `[None]` when the policy has no
/// `paramKind` or the binding no `paramRef` (one evaluation, `params` null); empty when
/// nothing is found under `parameterNotFoundAction: Allow` (no evaluation).
pub fn collect_params<'a>(
    param_kind: Option<&ParamKind>,
    scope: ParamScope,
    param_ref: Option<&ParamRef>,
    request_namespace: &str,
    documents: &[&'a Json],
) -> Result<Vec<Option<&'a Json>>, ParamError> {
    let (Some(kind), Some(param_ref)) = (param_kind, param_ref) else {
        return Ok(vec![None]);
    };
    let namespace = match scope {
        ParamScope::Cluster if !param_ref.namespace.is_empty() => {
            return Err(ParamError::NamespaceForClusterScopedParam);
        }
        ParamScope::Cluster => None,
        ParamScope::Namespaced if !param_ref.namespace.is_empty() => {
            Some(param_ref.namespace.as_str())
        }
        ParamScope::Namespaced if request_namespace.is_empty() => {
            return Err(ParamError::NamespacedParamForClusterScopedRequest);
        }
        ParamScope::Namespaced => Some(request_namespace),
    };
    let field = |doc: &Json, key: &str| {
        doc.pointer(&format!("/metadata/{key}"))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let in_store = |doc: &&&Json| {
        kind.is_kind_of(doc) && namespace.is_none_or(|ns| field(doc, "namespace") == ns)
    };
    let params: Vec<Option<&Json>> = documents
        .iter()
        .filter(in_store)
        .filter(|doc| match &param_ref.selector {
            _ if !param_ref.name.is_empty() => field(doc, "name") == param_ref.name,
            Some(selector) => selector.matches_object(doc),
            None => false,
        })
        .map(|doc| Some(*doc))
        .take(if param_ref.name.is_empty() {
            usize::MAX
        } else {
            1
        })
        .collect();
    if params.is_empty() && param_ref.not_found_action == NotFoundAction::Deny {
        return Err(ParamError::NotFoundDeny);
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn binding(spec: Json) -> Result<Binding, Vec<String>> {
        let doc = json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": "b"},
            "spec": spec,
        });
        Binding::from_json(&doc).map_err(|e| match e {
            BindingError::Invalid { errors, .. } => {
                errors.0.iter().map(ToString::to_string).collect()
            }
            other => vec![other.to_string()],
        })
    }

    #[test]
    fn a_valid_binding_is_read_whole() {
        let b = binding(json!({
            "policyName": "p",
            "validationActions": ["Warn", "Audit"],
            "paramRef": {"selector": {"matchLabels": {"team": "a"}}, "parameterNotFoundAction": "Allow"},
            "matchResources": {"objectSelector": {"matchLabels": {"app": "web"}}},
        }))
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(b.policy_name, "p");
        assert_eq!(
            b.validation_actions,
            [ValidationAction::Warn, ValidationAction::Audit]
        );
        let param_ref = b.param_ref.unwrap_or_else(|| panic!("paramRef"));
        assert_eq!(param_ref.not_found_action, NotFoundAction::Allow);
        assert!(b.match_resources.is_some());
    }

    #[test]
    fn invalid_bindings_are_refused_as_the_api_server_words_it() {
        let cases: &[(Json, &[&str])] = &[
            (
                json!({"validationActions": ["Deny"]}),
                &["spec.policyName: Required value"],
            ),
            (
                json!({"policyName": "p"}),
                &[
                    "spec.validationActions: Required value: at least one validation action is required",
                ],
            ),
            (
                json!({"policyName": "p", "validationActions": ["Deny", "Warn"]}),
                &[
                    "spec.validationActions: Invalid value: []admissionregistration.ValidationAction{\"Deny\", \"Warn\"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
                ],
            ),
            (
                json!({"policyName": "p", "validationActions": ["Audit", "Audit", "Block"]}),
                &[
                    "spec.validationActions[1]: Duplicate value: \"Audit\"",
                    "spec.validationActions[2]: Unsupported value: \"Block\": supported values: \"Audit\", \"Deny\", \"Warn\"",
                ],
            ),
            (
                json!({"policyName": "p", "validationActions": ["Deny"], "paramRef": {"parameterNotFoundAction": "Deny"}}),
                &["spec.paramRef: Required value: one of name or selector must be specified"],
            ),
            (
                json!({"policyName": "p", "validationActions": ["Deny"], "paramRef": {"name": "a", "selector": {}}}),
                &[
                    "spec.paramRef.name: Forbidden: name and selector are mutually exclusive",
                    "spec.paramRef.selector: Forbidden: name and selector are mutually exclusive",
                    "spec.paramRef.parameterNotFoundAction: Required value",
                ],
            ),
            (
                json!({"policyName": "p", "validationActions": ["Deny"], "paramRef": {"name": "a", "parameterNotFoundAction": "Ignore"}}),
                &[
                    "spec.paramRef.parameterNotFoundAction: Unsupported value: \"Ignore\": supported values: \"Deny\", \"Allow\"",
                ],
            ),
        ];
        for (spec, expected) in cases {
            assert_eq!(
                binding(spec.clone()).err().unwrap_or_default(),
                *expected,
                "{spec}"
            );
        }
    }

    fn config_map(name: &str, namespace: &str, team: &str) -> Json {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace, "labels": {"team": team}}})
    }

    #[test]
    fn params_by_name_default_to_the_request_namespace() {
        let kind = ParamKind {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
        };
        let (a, b) = (
            config_map("limits", "default", "a"),
            config_map("limits", "prod", "a"),
        );
        let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "limits", "namespace": "default"}});
        let docs = [&secret, &a, &b];
        let mut by_name = ParamRef {
            name: "limits".into(),
            namespace: String::new(),
            selector: None,
            not_found_action: NotFoundAction::Deny,
        };
        let collect = |r: &ParamRef, ns: &str| {
            collect_params(Some(&kind), ParamScope::Namespaced, Some(r), ns, &docs)
        };
        assert_eq!(collect(&by_name, "prod"), Ok(vec![Some(&b)]));
        assert_eq!(collect(&by_name, "default"), Ok(vec![Some(&a)]));
        assert_eq!(collect(&by_name, "dev"), Err(ParamError::NotFoundDeny));
        assert_eq!(
            collect(&by_name, ""),
            Err(ParamError::NamespacedParamForClusterScopedRequest)
        );
        by_name.namespace = "prod".into();
        assert_eq!(collect(&by_name, "dev"), Ok(vec![Some(&b)]));
        assert_eq!(
            collect_params(
                Some(&kind),
                ParamScope::Cluster,
                Some(&by_name),
                "dev",
                &docs
            ),
            Err(ParamError::NamespaceForClusterScopedParam)
        );
        by_name.not_found_action = NotFoundAction::Allow;
        by_name.name = "missing".into();
        assert_eq!(collect(&by_name, "dev"), Ok(vec![]));
        assert_eq!(
            collect_params(None, ParamScope::Namespaced, Some(&by_name), "dev", &docs),
            Ok(vec![None])
        );
    }

    #[test]
    fn params_by_selector_are_every_match_in_the_namespace() {
        let kind = ParamKind {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
        };
        let (a, b, c) = (
            config_map("one", "default", "a"),
            config_map("two", "default", "b"),
            config_map("three", "default", "a"),
        );
        let docs = [&a, &b, &c];
        let mut errors = Vec::new();
        let selector = LabelSelector::parse(
            &json!({"matchLabels": {"team": "a"}}),
            &Path::default(),
            &mut errors,
        );
        let by_selector = ParamRef {
            name: String::new(),
            namespace: String::new(),
            selector: Some(selector),
            not_found_action: NotFoundAction::Deny,
        };
        assert_eq!(
            collect_params(
                Some(&kind),
                ParamScope::Namespaced,
                Some(&by_selector),
                "default",
                &docs
            ),
            Ok(vec![Some(&a), Some(&c)])
        );
    }
}
