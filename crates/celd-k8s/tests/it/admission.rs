//! The test ValidatingAdmissionPolicy on deployments: variables, the match condition, the
//! validation's messageExpression and the audit annotation.

use std::path::PathBuf;

use celd_k8s::admission::{Decision, Policy, Request};
use celd_k8s::yaml;

fn doc(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    yaml::parse_documents(&text)
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0)
        .value
}

fn create<'a>(object: &'a serde_json::Value, params: &'a serde_json::Value) -> Request<'a> {
    Request {
        object: Some(object),
        params: Some(params),
        operation: "CREATE",
        ..Request::default()
    }
}

#[test]
fn the_policy_denies_too_many_replicas_with_its_message() {
    let policy = Policy::new(&doc("policy.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let (params, mut deployment) = (doc("policy-params.yaml"), doc("deployment.yaml"));
    assert_eq!(
        policy.evaluate(&create(&deployment, &params)),
        Decision::Denied {
            messages: vec![(
                "ValidatingAdmissionPolicy 'replica-limit.example.celd.dev' denied request: replicas 7 exceed the limit of 5".into(),
                "Invalid".into()
            )],
            audit_annotations: vec![("replica-limit.example.celd.dev/replicas".into(), "7".into())],
        }
    );
    deployment["spec"]["replicas"] = 3.into();
    assert_eq!(
        policy.evaluate(&create(&deployment, &params)),
        Decision::Allowed {
            audit_annotations: vec![("replica-limit.example.celd.dev/replicas".into(), "3".into())],
        }
    );
    deployment["metadata"]["namespace"] = "kube-system".into();
    assert_eq!(
        policy.evaluate(&create(&deployment, &params)),
        Decision::NotMatched {
            condition: "not-kube-system".into()
        }
    );
}

#[test]
fn an_error_fails_closed_unless_the_policy_says_ignore() {
    let policy_doc = doc("policy.yaml");
    let policy = Policy::new(&policy_doc).unwrap_or_else(|e| panic!("{e}"));
    let deployment = doc("deployment.yaml");
    // Without params, `params.data` errs: failurePolicy Fail denies.
    let request = Request {
        object: Some(&deployment),
        operation: "CREATE",
        ..Request::default()
    };
    let Decision::Denied { messages, .. } = policy.evaluate(&request) else {
        panic!("denied")
    };
    assert!(messages[0].0.contains("resulted in error"), "{messages:?}");
    let mut ignore = policy_doc.clone();
    ignore["spec"]["failurePolicy"] = "Ignore".into();
    let policy = Policy::new(&ignore).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        policy.evaluate(&request),
        Decision::Allowed { .. }
    ));
    let mut broken = policy_doc;
    broken["spec"]["validations"][0]["expression"] = "variables.replicas <=".into();
    let error = Policy::new(&broken).err().expect("a compile error");
    assert!(
        error
            .0
            .starts_with("spec.validations[0].expression: compilation failed"),
        "{error}"
    );
}

#[test]
fn match_conditions_decide_as_kube_apiservers_matcher() {
    let deployment = doc("deployment.yaml");
    let request = Request {
        object: Some(&deployment),
        operation: "CREATE",
        ..Request::default()
    };
    let policy = |conditions: &[(&str, &str)], failure_policy: &str| {
        let doc = serde_json::json!({
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": "p"},
            "spec": {
                "failurePolicy": failure_policy,
                "matchConditions": conditions.iter()
                    .map(|(name, e)| serde_json::json!({"name": name, "expression": e}))
                    .collect::<Vec<_>>(),
                "validations": [{"expression": "false"}]
            }
        });
        Policy::new(&doc).unwrap_or_else(|e| panic!("{e}"))
    };
    let erring = ("erring", "object.spec.missing == 1");
    let error = "expression 'object.spec.missing == 1' resulted in error: no such key: 'missing'";
    // A false condition means no match, even after one that erred.
    assert_eq!(
        policy(&[erring, ("false", "false")], "Fail").evaluate(&request),
        Decision::NotMatched {
            condition: "false".into()
        }
    );
    let denied = |message: String| Decision::Denied {
        messages: vec![(
            format!("ValidatingAdmissionPolicy 'p' denied request: {message}"),
            "Invalid".into(),
        )],
        audit_annotations: Vec::new(),
    };
    assert_eq!(
        policy(&[erring, ("true", "true")], "Fail").evaluate(&request),
        denied(error.into())
    );
    // Several errors are joined as Go's aggregate error joins them.
    let other = ("other", "object.spec.absent == 1");
    assert_eq!(
        policy(&[erring, other], "Fail").evaluate(&request),
        denied(format!(
            "[{error}, expression 'object.spec.absent == 1' resulted in error: no such key: 'absent']"
        ))
    );
    assert_eq!(
        policy(&[erring, ("true", "true")], "Ignore").evaluate(&request),
        Decision::NotMatched {
            condition: "erring".into()
        }
    );
}
