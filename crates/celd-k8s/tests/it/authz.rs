//! The authz library through a test authorizer: the attributes each builder sets, decisions,
//! errors, costs, and the `authorizer` of ValidatingAdmissionPolicy evaluation.

use std::sync::{Arc, Mutex};

use celd::{Activation, Env, Value};
use celd_k8s::admission::{Decision, Policy, Request};
use celd_k8s::authz::{self, Attributes, Authorizer, AuthorizerValue, AuthzDecision, Verdict};
use celd_k8s::library::kubernetes_env;

/// Allows what its predicate allows, errs on the verb `fail`, and records every check.
#[derive(Debug)]
struct TestAuthorizer {
    seen: Mutex<Vec<Attributes>>,
}

impl Authorizer for TestAuthorizer {
    fn authorize(&self, a: &Attributes) -> AuthzDecision {
        self.seen.lock().unwrap().push(a.clone());
        if a.verb == "fail" {
            return AuthzDecision {
                verdict: Verdict::NoOpinion,
                reason: String::new(),
                error: Some("webhook unreachable".into()),
            };
        }
        let allowed = a.namespace == "team-a" || a.path.as_deref() == Some("/healthz");
        AuthzDecision {
            verdict: if allowed {
                Verdict::Allow
            } else {
                Verdict::Deny
            },
            reason: format!("{} {}", a.verb, if allowed { "ok" } else { "no" }),
            error: None,
        }
    }
}

fn setup() -> (Env, Arc<TestAuthorizer>) {
    let env = authz::declare_variables(kubernetes_env()).build().unwrap();
    let authorizer = Arc::new(TestAuthorizer {
        seen: Mutex::new(Vec::new()),
    });
    (env, authorizer)
}

fn eval(env: &Env, authorizer: &Arc<TestAuthorizer>, expr: &str) -> Result<Value, String> {
    let mut vars = Activation::new();
    vars.insert(
        "authorizer",
        AuthorizerValue::new(authorizer.clone() as Arc<dyn Authorizer>, "alice"),
    );
    env.compile(expr)
        .map_err(|e| e.to_string())?
        .eval(&vars)
        .map_err(|e| e.message().to_string())
}

#[test]
fn a_resource_check_carries_every_attribute() {
    let (env, authorizer) = setup();
    let result = eval(
        &env,
        &authorizer,
        "authorizer.group('apps').resource('deployments').subresource('scale').namespace('team-a')\
         .name('web').fieldSelector('spec.x=1').labelSelector('app=web').check('update').allowed()",
    );
    assert_eq!(result, Ok(Value::Bool(true)));
    let seen = authorizer.seen.lock().unwrap();
    assert_eq!(
        seen[0],
        Attributes {
            user: "alice".into(),
            verb: "update".into(),
            path: None,
            group: "apps".into(),
            resource: "deployments".into(),
            subresource: "scale".into(),
            namespace: "team-a".into(),
            name: "web".into(),
            field_selector: "spec.x=1".into(),
            label_selector: "app=web".into(),
        }
    );
}

#[test]
fn decisions_paths_and_service_accounts() {
    let (env, authorizer) = setup();
    let check = |e: &str| eval(&env, &authorizer, e);
    assert_eq!(
        check("authorizer.path('/healthz').check('get').reason()"),
        Ok(Value::string("get ok"))
    );
    assert_eq!(
        check("authorizer.group('').resource('pods').check('list').allowed()"),
        Ok(Value::Bool(false))
    );
    assert_eq!(
        check("authorizer.group('').resource('pods').check('fail').errored()"),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        check("authorizer.group('').resource('pods').check('fail').error()"),
        Ok(Value::string("webhook unreachable"))
    );
    assert_eq!(
        check("authorizer.group('').resource('pods').check('get').error()"),
        Ok(Value::string(""))
    );
    assert_eq!(
        check(
            "authorizer.serviceAccount('default', 'builder').group('').resource('pods').check('get').allowed()"
        ),
        Ok(Value::Bool(false))
    );
    assert_eq!(
        authorizer.seen.lock().unwrap().last().unwrap().user,
        "system:serviceaccount:default:builder"
    );
    assert_eq!(
        check("type(authorizer) == kubernetes.authorization.Authorizer"),
        Ok(Value::Bool(true))
    );
}

#[test]
fn builder_errors_are_kubernetes_messages() {
    let (env, authorizer) = setup();
    let check = |e: &str| eval(&env, &authorizer, e);
    assert_eq!(
        check("authorizer.path('  ')"),
        Err("path must not be empty".into())
    );
    assert_eq!(
        check("authorizer.group('apps').resource('')"),
        Err("resource must not be empty".into())
    );
    assert_eq!(
        check("authorizer.serviceAccount('not@a#valid!namespace', 'validname')"),
        Err("Invalid service account namespace".into())
    );
    assert_eq!(
        check("authorizer.serviceAccount('default', 'invalid@*name')"),
        Err("Invalid service account name".into())
    );
    assert!(
        check("authorizer.check('get')").is_err(),
        "no such overload"
    );
}

#[test]
fn a_check_costs_350000() {
    let (env, authorizer) = setup();
    let program = env
        .compile("authorizer.path('/healthz').check('get').allowed()")
        .unwrap();
    let mut vars = Activation::new();
    vars.insert(
        "authorizer",
        AuthorizerValue::new(authorizer.clone() as Arc<dyn Authorizer>, ""),
    );
    let (result, details) = program.eval_details(&vars);
    assert_eq!(result.unwrap(), Value::Bool(true));
    // The variable 1 (as cel-go charges an attribute) + path 1 + check 350,000 + allowed 1.
    assert_eq!(details.cost(), 350_003);
}

fn doc(name: &str) -> serde_json::Value {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    celd_k8s::yaml::parse_documents(&text)
        .unwrap()
        .remove(0)
        .value
}

#[test]
fn admission_policies_see_the_authorizer_and_the_request_resource() {
    let policy = Policy::new(&doc("authz-policy.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut deployment = doc("deployment.yaml");
    let authorizer = Arc::new(TestAuthorizer {
        seen: Mutex::new(Vec::new()),
    });
    let decide = |object: &serde_json::Value| {
        policy.evaluate(&Request {
            object: Some(object),
            operation: "CREATE",
            authorizer: Some(authorizer.clone()),
            ..Request::default()
        })
    };
    deployment["metadata"]["namespace"] = "team-b".into();
    let Decision::Denied { messages, .. } = decide(&deployment) else {
        panic!("denied without permission");
    };
    assert!(
        messages[0]
            .0
            .ends_with("more than 3 replicas needs permission to scale deployments"),
        "{messages:?}"
    );
    deployment["metadata"]["namespace"] = "team-a".into();
    assert_eq!(
        decide(&deployment),
        Decision::Allowed {
            audit_annotations: vec![(
                "scale-permission.example.celd.dev/own-resource".into(),
                "create ok".into()
            )]
        }
    );
    let seen = authorizer.seen.lock().unwrap();
    let own = seen.last().unwrap();
    assert_eq!(
        (
            own.group.as_str(),
            own.resource.as_str(),
            own.namespace.as_str()
        ),
        ("apps", "deployments", "team-a")
    );
}
