//! `labels.example.celd.dev` under the bindings of `tests/data/map-labels-bindings.yaml`:
//! matchConstraints, matchResources, params by selector and by name, the bindings in order.

use std::path::PathBuf;

use celd_k8s::admission::Request;
use celd_k8s::binding::{Binding, BindingKind, ParamScope};
use celd_k8s::dispatch::{Mutations, ParamSet, Skip, mutate, mutate_unbound};
use celd_k8s::mutation::MutatingPolicy;
use celd_k8s::yaml;
use serde_json::{Value, json};

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
    docs("map-labels-bindings.yaml")
        .iter()
        .map(|d| Binding::parse(d, BindingKind::Mutating).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn policy(edit: impl FnOnce(&mut Value)) -> MutatingPolicy {
    let mut doc = docs("map-labels.yaml").remove(0);
    edit(&mut doc);
    MutatingPolicy::new(&doc).unwrap_or_else(|e| panic!("{e}"))
}

/// The pod of `pod.yaml` (label `app: web`), `operation`, with the params of
/// `labels-params.yaml` (or none).
fn run(policy: &MutatingPolicy, bindings: &[Binding], operation: &str, params: bool) -> Mutations {
    let pod = docs("pod.yaml").remove(0);
    let documents = if params {
        docs("labels-params.yaml")
    } else {
        Vec::new()
    };
    let (object, old_object) = if operation == "DELETE" {
        (None, Some(&pod))
    } else {
        (Some(&pod), None)
    };
    let request = Request {
        object,
        old_object,
        operation,
        ..Request::default()
    };
    let params = ParamSet {
        documents: documents.iter().collect(),
        scope: ParamScope::Namespaced,
    };
    mutate(policy, bindings, &request, &params)
}

fn labels(mutations: &Mutations) -> Value {
    mutations.object.as_ref().expect("an object")["metadata"]["labels"].clone()
}

#[test]
fn each_binding_and_param_sees_the_previous_result() {
    let mutations = run(&policy(|_| {}), &bindings(), "CREATE", true);
    assert!(mutations.allowed(), "{:?}", mutations.denials);
    assert_eq!(mutations.applied, 3);
    // Labels number 1, 2, 3 in order: the selector's two params, then the named one.
    assert_eq!(
        labels(&mutations),
        json!({"app": "web", "team": "a-1", "cost-center": "c42-2", "owner": "alice-3"})
    );
    assert_eq!(mutations.patch.len(), 3, "{:?}", mutations.patch);
    assert!(matches!(
        &mutations.skipped[..],
        [Skip::Binding { binding, .. }] if binding == "databases-only"
    ));
}

#[test]
fn params_not_found_under_deny_deny_the_request_unless_the_policy_fails_open() {
    let mutations = run(&policy(|_| {}), &bindings(), "CREATE", false);
    assert_eq!(
        mutations.denials,
        [
            "policy 'labels.example.celd.dev' with binding 'teams' denied request: \
          failed to configure binding: no params found for policy binding with `Deny` \
          parameterNotFoundAction"
        ]
    );
    let ignore = policy(|d| d["spec"]["failurePolicy"] = json!("Ignore"));
    let mutations = run(&ignore, &bindings(), "CREATE", false);
    assert!(mutations.allowed());
    assert_eq!(labels(&mutations), json!({"app": "web"}));
    assert!(mutations.patch.is_empty());
}

#[test]
fn match_constraints_exclude_an_operation_they_do_not_list() {
    let pod = docs("pod.yaml").remove(0);
    let request = Request {
        object: Some(&pod),
        operation: "CONNECT",
        ..Request::default()
    };
    let unbound = mutate_unbound(&policy(|_| {}), &request);
    assert!(
        matches!(&unbound.skipped[..], [Skip::Policy(_)]),
        "{unbound:?}"
    );
    assert_eq!(unbound.object.as_ref(), Some(&pod));
    let bound = run(&policy(|_| {}), &bindings(), "DELETE", true);
    assert!(matches!(&bound.skipped[..], [Skip::Policy(_)]), "{bound:?}");
    assert_eq!(bound.object, None);
}

#[test]
fn a_policy_no_binding_names_is_not_run() {
    let other = policy(|d| d["metadata"]["name"] = json!("other.example.celd.dev"));
    let mutations = run(&other, &bindings(), "CREATE", true);
    assert_eq!(mutations.skipped, [Skip::Unbound]);
    assert_eq!(mutations.applied, 0);
}

#[test]
fn a_bound_policy_without_match_constraints_is_a_configuration_error() {
    let open = policy(|d| {
        d["spec"]
            .as_object_mut()
            .expect("a spec")
            .remove("matchConstraints");
    });
    let mutations = run(&open, &bindings(), "CREATE", true);
    assert_eq!(
        mutations.denials,
        [
            "policy 'labels.example.celd.dev' denied request: failed to configure policy: \
          policy contained no match constraints, a required field"
        ]
    );
}
