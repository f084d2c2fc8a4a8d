//! The test policy under the bindings of `tests/data/bindings.yaml`: matchResources, params by
//! name and by selector, validationActions, and the configuration errors failurePolicy decides.

use std::path::PathBuf;

use celd_k8s::admission::{Policy, Request};
use celd_k8s::binding::{Binding, BindingError, ParamScope};
use celd_k8s::dispatch::{Admission, ParamSet, Skip, VALIDATION_FAILURE_KEY, admit, admit_unbound};
use celd_k8s::matching::Exclusion;
use celd_k8s::yaml;
use serde_json::Value;

const POLICY: &str = "replica-limit.example.celd.dev";

fn docs(name: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    yaml::parse_documents(&text)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|d| d.value)
        .collect()
}

fn bindings() -> Vec<Binding> {
    docs("bindings.yaml")
        .iter()
        .map(|d| Binding::from_json(d).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn policy(edit: impl FnOnce(&mut Value)) -> Policy {
    let mut doc = docs("policy.yaml").remove(0);
    edit(&mut doc);
    Policy::new(&doc).unwrap_or_else(|e| panic!("{e}"))
}

/// The deployment (7 replicas, namespace `default`) created under `bindings`.
fn run(policy: &Policy, bindings: &[Binding], namespace: Option<&Value>) -> Admission {
    let deployment = docs("deployment.yaml").remove(0);
    let params = docs("limits-params.yaml");
    let request = Request {
        object: Some(&deployment),
        namespace_object: namespace,
        operation: "CREATE",
        ..Request::default()
    };
    let params = ParamSet {
        documents: params.iter().collect(),
        scope: ParamScope::Namespaced,
    };
    admit(policy, bindings, &request, &params)
}

fn messages(admission: &Admission) -> Vec<&str> {
    admission
        .denials
        .iter()
        .map(|d| d.message.as_str())
        .collect()
}

#[test]
fn each_binding_applies_its_validation_actions() {
    let namespace = docs("namespace-prod.yaml").remove(0);
    let admission = run(&policy(|_| {}), &bindings(), Some(&namespace));
    assert_eq!(
        messages(&admission),
        [format!(
            "ValidatingAdmissionPolicy '{POLICY}' with binding 'replica-limit-prod' denied request: replicas 7 exceed the limit of 5"
        )]
    );
    // The selector finds both labelled ConfigMaps of `default`: one evaluation each.
    assert_eq!(admission.applied, 3);
    assert_eq!(
        admission.warnings,
        ["5", "2"].map(|limit| format!("Validation failed for ValidatingAdmissionPolicy '{POLICY}' with binding 'replica-limit-audit': replicas 7 exceed the limit of {limit}"))
    );
    // The first failure keeps the annotation; the policy's own annotation is set once.
    assert_eq!(
        admission.audit_annotations,
        [
            (
                VALIDATION_FAILURE_KEY.to_string(),
                format!(
                    "[{{\"message\":\"replicas 7 exceed the limit of 5\",\"policy\":\"{POLICY}\",\"binding\":\"replica-limit-audit\",\"expressionIndex\":0,\"validationActions\":[\"Warn\",\"Audit\"]}}]"
                )
            ),
            (format!("{POLICY}/replicas"), "7".to_string()),
        ]
    );
}

#[test]
fn a_namespace_that_is_not_selected_or_not_known() {
    let mut namespace = docs("namespace-prod.yaml").remove(0);
    namespace["metadata"]["labels"]["environment"] = "dev".into();
    let prod_only = &bindings()[..1];
    let admission = run(&policy(|_| {}), prod_only, Some(&namespace));
    assert!(admission.allowed() && !admission.matched());
    assert_eq!(
        admission.skipped,
        [Skip::Binding {
            binding: "replica-limit-prod".into(),
            exclusion: Exclusion::NamespaceSelector {
                namespace: "default".into()
            }
        }]
    );
    let unknown = run(&policy(|_| {}), prod_only, None);
    assert_eq!(
        messages(&unknown),
        [format!(
            "ValidatingAdmissionPolicy '{POLICY}' with binding 'replica-limit-prod' denied request: failed to configure binding: namespaces \"default\" not found"
        )]
    );
    let ignore = policy(|p| p["spec"]["failurePolicy"] = "Ignore".into());
    assert!(run(&ignore, prod_only, None).denials.is_empty());
}

#[test]
fn parameter_not_found_action_denies_or_skips() {
    let namespace = docs("namespace-prod.yaml").remove(0);
    let mut missing = bindings();
    for b in &mut missing {
        let param_ref = b.param_ref.as_mut().unwrap_or_else(|| panic!("paramRef"));
        param_ref.namespace = "nowhere".into();
    }
    let admission = run(&policy(|_| {}), &missing, Some(&namespace));
    assert_eq!(
        messages(&admission),
        [format!(
            "ValidatingAdmissionPolicy '{POLICY}' with binding 'replica-limit-prod' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"
        )]
    );
    assert_eq!(
        admission.skipped,
        [Skip::NoParams {
            binding: "replica-limit-audit".into()
        }]
    );
    assert_eq!(admission.applied, 0);
}

#[test]
fn the_policy_constraints_come_first_and_other_policies_bindings_are_not_used() {
    let namespace = docs("namespace-prod.yaml").remove(0);
    let statefulsets = policy(|p| {
        p["spec"]["matchConstraints"]["resourceRules"][0]["resources"] =
            serde_json::json!(["statefulsets"]);
    });
    let admission = run(&statefulsets, &bindings(), Some(&namespace));
    assert!(matches!(
        admission.skipped.as_slice(),
        [Skip::Policy(Exclusion::NoResourceRule { .. })]
    ));
    let renamed = policy(|p| p["metadata"]["name"] = "other".into());
    assert_eq!(
        run(&renamed, &bindings(), Some(&namespace)).skipped,
        [Skip::Unbound]
    );
}

#[test]
fn an_invalid_binding_is_refused_with_its_fields() {
    let doc = docs("invalid-binding.yaml").remove(0);
    let Err(BindingError::Invalid { name, errors }) = Binding::from_json(&doc) else {
        panic!("refused")
    };
    assert_eq!(name, "replica-limit-broken");
    let paths: Vec<&str> = errors.0.iter().map(|e| e.path.pointer.as_str()).collect();
    assert_eq!(paths, ["/spec/paramRef", "/spec/validationActions"]);
}

#[test]
fn match_conditions_and_namespace_object_under_bindings() {
    let namespace = docs("namespace-prod.yaml").remove(0);
    let never = policy(|p| p["spec"]["matchConditions"][0]["expression"] = "false".into());
    let admission = run(&never, &bindings(), Some(&namespace));
    assert!(admission.allowed() && !admission.matched());
    let condition = |b: &str| Skip::MatchCondition {
        binding: Some(b.into()),
        condition: "not-kube-system".into(),
    };
    // One evaluation per param: the selector's two params give two skips.
    assert_eq!(
        admission.skipped,
        [
            condition("replica-limit-prod"),
            condition("replica-limit-audit"),
            condition("replica-limit-audit")
        ]
    );
    let by_namespace = policy(|p| {
        p["spec"]["validations"][0]["expression"] =
            "namespaceObject.metadata.labels.environment == 'prod'".into();
    });
    let admission = run(&by_namespace, &bindings()[..1], Some(&namespace));
    assert!(
        admission.allowed() && admission.applied == 1,
        "{admission:?}"
    );
}

#[test]
fn without_a_binding_the_policy_is_evaluated_once_within_its_constraints() {
    let policy = policy(|_| {});
    let deployment = docs("deployment.yaml").remove(0);
    let params = docs("policy-params.yaml").remove(0);
    let mut request = Request {
        object: Some(&deployment),
        params: Some(&params),
        operation: "CREATE",
        ..Request::default()
    };
    assert_eq!(
        messages(&admit_unbound(&policy, &request)),
        [format!(
            "ValidatingAdmissionPolicy '{POLICY}' denied request: replicas 7 exceed the limit of 5"
        )]
    );
    request.operation = "DELETE";
    let admission = admit_unbound(&policy, &request);
    assert!(admission.allowed() && !admission.matched());
    assert!(matches!(
        admission.skipped.as_slice(),
        [Skip::Policy(Exclusion::NoResourceRule { .. })]
    ));
}

#[test]
fn an_audit_annotation_that_is_not_a_string_denies_whatever_the_actions() {
    let namespace = docs("namespace-prod.yaml").remove(0);
    let int_annotation = policy(|p| {
        p["spec"]["auditAnnotations"][0]["valueExpression"] = "variables.replicas".into();
    });
    // Only the Warn/Audit binding: its validation failures do not deny, the annotation does.
    let admission = run(&int_annotation, &bindings()[1..], Some(&namespace));
    assert_eq!(
        messages(&admission)[0],
        format!(
            "ValidatingAdmissionPolicy '{POLICY}' with binding 'replica-limit-audit' denied request: valueExpression 'variables.replicas' resulted in unsupported return type: int. Return type must be either string or null."
        )
    );
    let null_annotation = policy(|p| {
        p["spec"]["auditAnnotations"][0]["valueExpression"] = "null".into();
    });
    let admission = run(&null_annotation, &bindings()[1..], Some(&namespace));
    assert!(admission.allowed(), "{admission:?}");
    assert_eq!(
        admission.audit_annotations.len(),
        1,
        "only the validation failure"
    );
}
