//! The runtime cost limits of admission policies: an expression past the per-call limit
//! errs, and a group of expressions past its budget ends the evaluation, each under
//! `failurePolicy: Fail` and `Ignore`, validating and mutating.
//!
//! Every input is built here: a list of 2,000 strings (a nested `all` over it passes the
//! per-call limit after about a million iterations) and a text of 300,000 bytes searched for
//! 300 bytes it does not hold (`contains` costs a tenth of the one size times a tenth of the
//! other, 900,000, for microseconds of work), so that ten such searches stay within the
//! 10,000,000 budget and twelve do not.

use celd_k8s::admission::{Decision, Policy, Request};
use celd_k8s::binding::{Binding, ParamScope};
use celd_k8s::budget::{COST_LIMIT_EXCEEDED, OUT_OF_BUDGET};
use celd_k8s::dispatch::{ParamSet, admit};
use celd_k8s::mutation::{MutatingPolicy, MutationError, MutationOutcome};
use serde_json::{Value, json};

/// Iterates over the list twice nested: past the per-call limit.
const NESTED: &str = "object.spec.items.all(a, object.spec.items.all(b, a != ''))";
/// Searches the text: 900,000 and some, true.
const SEARCH: &str = "!object.spec.text.contains(object.spec.needle)";

fn object() -> Value {
    let items: Vec<Value> = (0..2000).map(|i| format!("item-{i}").into()).collect();
    json!({
        "apiVersion": "example.celd.dev/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "default"},
        "spec": {"items": items, "text": "a".repeat(300_000), "needle": "b".repeat(300)}
    })
}

fn create(object: &Value) -> Request<'_> {
    Request {
        object: Some(object),
        operation: "CREATE",
        ..Request::default()
    }
}

/// `n` copies of `item`.
fn times(n: usize, item: Value) -> Value {
    Value::Array(vec![item; n])
}

/// `n` variables `v0`… each `SEARCH`, and the expression reading every one of them.
fn searches(n: usize) -> (Value, String) {
    let variables = (0..n)
        .map(|i| json!({"name": format!("v{i}"), "expression": SEARCH}))
        .collect();
    let read: Vec<String> = (0..n).map(|i| format!("variables.v{i}")).collect();
    (variables, format!("[{}].all(x, x)", read.join(", ")))
}

fn validating(spec: Value, failure_policy: &str) -> Policy {
    let mut spec = spec;
    spec["failurePolicy"] = failure_policy.into();
    spec["matchConstraints"] = json!({"resourceRules": [{
        "apiGroups": ["example.celd.dev"], "apiVersions": ["v1"],
        "operations": ["CREATE"], "resources": ["widgets"]}]});
    let doc = json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": "p"},
        "spec": spec
    });
    Policy::new(&doc).unwrap_or_else(|e| panic!("{e}"))
}

fn denied(messages: &[&str]) -> Decision {
    Decision::Denied {
        messages: messages
            .iter()
            .map(|m| {
                (
                    format!("ValidatingAdmissionPolicy 'p' denied request: {m}"),
                    "Invalid".to_string(),
                )
            })
            .collect(),
        audit_annotations: Vec::new(),
    }
}

fn allowed() -> Decision {
    Decision::Allowed {
        audit_annotations: Vec::new(),
    }
}

#[test]
fn validating_policies_within_the_per_call_limit_and_the_budget() {
    let object = object();
    let (twelve_variables, reading_twelve) = searches(12);
    let per_call = format!("expression '{NESTED}' resulted in error: {COST_LIMIT_EXCEEDED}");
    let message_budget = format!("failed messageExpression: {OUT_OF_BUDGET}");
    let validation = |e: &str| json!({"expression": e});
    // (what, spec, decision under Fail, decision under Ignore)
    let cases: Vec<(&str, Value, Decision, Decision)> = vec![
        (
            "a validation past the per-call limit errs",
            json!({"validations": [validation(NESTED), validation("true")]}),
            denied(&[&per_call]),
            allowed(),
        ),
        (
            "ten searches stay within the budget",
            json!({"validations": times(10, validation(SEARCH))}),
            allowed(),
            allowed(),
        ),
        (
            "twelve searches, each within the per-call limit, run out of the budget",
            json!({"validations": times(12, validation(SEARCH))}),
            denied(&[OUT_OF_BUDGET]),
            allowed(),
        ),
        (
            "running out drops the failures found before",
            json!({"validations": std::iter::once(validation("false"))
                .chain(std::iter::repeat_n(validation(SEARCH), 12))
                .collect::<Vec<_>>()}),
            denied(&[OUT_OF_BUDGET]),
            allowed(),
        ),
        (
            "twelve variables nothing reads cost nothing",
            json!({"variables": twelve_variables.clone(),
                   "validations": [validation("size(object.spec.items) == 2000")]}),
            allowed(),
            allowed(),
        ),
        (
            "a validation pays for the variables it reads",
            json!({"variables": twelve_variables.clone(),
                   "validations": [validation(&reading_twelve)]}),
            denied(&[OUT_OF_BUDGET]),
            allowed(),
        ),
        (
            "message expressions get what the validations left, even for validations that pass",
            json!({"validations": times(6, json!({"expression": SEARCH,
                   "messageExpression": format!("string({SEARCH})")}))}),
            denied(&[message_budget.as_str(); 6]),
            allowed(),
        ),
        (
            "three searching match conditions run out of theirs (2,500,000)",
            json!({"matchConditions": (0..3).map(|i| json!({"name": format!("m{i}"), "expression": SEARCH}))
                       .collect::<Vec<_>>(),
                   "validations": [validation("false")]}),
            denied(&[OUT_OF_BUDGET]),
            Decision::NotMatched {
                condition: "m2".into(),
            },
        ),
        (
            "match conditions, validations and audit annotations have budgets of their own",
            json!({"matchConditions": (0..2).map(|i| json!({"name": format!("m{i}"), "expression": SEARCH}))
                       .collect::<Vec<_>>(),
                   "validations": times(10, validation(SEARCH)),
                   "auditAnnotations": (0..10).map(|i| json!({"key": format!("a{i}"),
                       "valueExpression": format!("{SEARCH} ? '' : 'found'")})).collect::<Vec<_>>()}),
            allowed(),
            allowed(),
        ),
        (
            "audit annotations past their budget drop the validations' failures",
            json!({"validations": [validation("false")],
                   "auditAnnotations": (0..12).map(|i| json!({"key": format!("a{i}"),
                       "valueExpression": format!("{SEARCH} ? '' : 'found'")})).collect::<Vec<_>>()}),
            denied(&[OUT_OF_BUDGET]),
            allowed(),
        ),
        (
            "a policy far from the limits is unaffected",
            json!({"variables": [{"name": "count", "expression": "size(object.spec.items)"}],
                   "validations": [{"expression": "variables.count < 1000",
                                    "messageExpression": "'too many items: ' + string(variables.count)"}],
                   "auditAnnotations": [{"key": "count", "valueExpression": "string(variables.count)"}]}),
            Decision::Denied {
                messages: vec![(
                    "ValidatingAdmissionPolicy 'p' denied request: too many items: 2000".into(),
                    "Invalid".into(),
                )],
                audit_annotations: vec![("p/count".into(), "2000".into())],
            },
            Decision::Denied {
                messages: vec![(
                    "ValidatingAdmissionPolicy 'p' denied request: too many items: 2000".into(),
                    "Invalid".into(),
                )],
                audit_annotations: vec![("p/count".into(), "2000".into())],
            },
        ),
    ];
    for (what, spec, fail, ignore) in cases {
        assert_eq!(
            validating(spec.clone(), "Fail").evaluate(&create(&object)),
            fail,
            "{what} (Fail)"
        );
        assert_eq!(
            validating(spec, "Ignore").evaluate(&create(&object)),
            ignore,
            "{what} (Ignore)"
        );
    }
}

#[test]
fn a_binding_words_the_budget_as_any_failure() {
    let object = object();
    let binding = Binding::from_json(&json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": "b"},
        "spec": {"policyName": "p", "validationActions": ["Deny"]}
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let params = ParamSet {
        documents: Vec::new(),
        scope: ParamScope::Namespaced,
    };
    let spec = json!({"validations": times(12, json!({"expression": SEARCH}))});
    let admission = admit(
        &validating(spec.clone(), "Fail"),
        std::slice::from_ref(&binding),
        &create(&object),
        &params,
    );
    assert_eq!(
        admission.response().map(|d| d.message.as_str()),
        Some(
            format!(
                "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: {OUT_OF_BUDGET}"
            )
            .as_str()
        )
    );
    let admission = admit(
        &validating(spec, "Ignore"),
        &[binding],
        &create(&object),
        &params,
    );
    assert!(admission.allowed(), "{admission:?}");
}

fn mutating(spec: Value, failure_policy: &str) -> MutatingPolicy {
    let mut spec = spec;
    spec["failurePolicy"] = failure_policy.into();
    let doc = json!({
        "apiVersion": "admissionregistration.k8s.io/v1beta1",
        "kind": "MutatingAdmissionPolicy",
        "metadata": {"name": "p"},
        "spec": spec
    });
    MutatingPolicy::new(&doc).unwrap_or_else(|e| panic!("{e}"))
}

/// A JSON Patch setting `/spec/checked` to `value` (an expression).
fn set_checked(value: &str) -> Value {
    json!({"patchType": "JSONPatch", "jsonPatch": {"expression":
        format!("[JSONPatch{{op: 'add', path: '/spec/checked', value: {value}}}]")}})
}

#[test]
fn mutating_policies_within_the_per_call_limit_and_the_budget() {
    let object = object();
    let (twelve_variables, reading_twelve) = searches(12);
    let (six_variables, reading_six) = searches(6);
    let expression = |m: &Value| m["jsonPatch"]["expression"].as_str().unwrap().to_string();
    let nested = set_checked(NESTED);
    let per_call = format!(
        "policy 'p' denied request: expression '{}' resulted in error: {COST_LIMIT_EXCEEDED}",
        expression(&nested)
    );
    let out_of_budget = format!("policy 'p' denied request: {OUT_OF_BUDGET}");
    // (what, spec, the error under Fail (also what Ignore reports), or none)
    let cases: Vec<(&str, Value, Option<String>)> = vec![
        (
            "a mutation past the per-call limit fails",
            json!({"mutations": [nested]}),
            Some(per_call),
        ),
        (
            "a mutation reading twelve searching variables runs out of its budget",
            json!({"variables": twelve_variables.clone(),
                   "mutations": [set_checked(&reading_twelve)]}),
            Some(out_of_budget),
        ),
        (
            "each mutation has a budget of its own",
            json!({"variables": twelve_variables,
                   "mutations": [set_checked(&reading_six), set_checked(&reading_six)]}),
            None,
        ),
        (
            "variables nothing reads cost nothing",
            json!({"variables": six_variables,
                   "mutations": [set_checked("true")]}),
            None,
        ),
    ];
    for (what, spec, error) in cases {
        let fail = mutating(spec.clone(), "Fail").mutate(&create(&object));
        let ignore = mutating(spec, "Ignore").mutate(&create(&object));
        let Ok(MutationOutcome::Mutated(ignored)) = ignore else {
            panic!("{what}: {ignore:?}")
        };
        match error {
            Some(message) => {
                assert_eq!(fail, Err(MutationError(vec![message.clone()])), "{what}");
                assert_eq!(ignored.ignored, [message], "{what} (Ignore)");
                assert_eq!(ignored.object, object, "{what} (Ignore)");
            }
            None => {
                let Ok(MutationOutcome::Mutated(mutated)) = fail else {
                    panic!("{what}: {fail:?}")
                };
                assert_eq!(mutated.object["spec"]["checked"], true, "{what}");
                assert!(ignored.ignored.is_empty(), "{what}");
            }
        }
    }
}
