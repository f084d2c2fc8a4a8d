//! MutatingAdmissionPolicies: Kubernetes' documented examples (JSONPatch, ApplyConfiguration
//! sidecar injection), mutations in order, failurePolicy, reinvocation, and a CRD's list types.

use std::path::PathBuf;

use celd_k8s::admission::Request;
use celd_k8s::mutation::{MutatedObject, MutatingPolicy, MutationError, MutationOutcome};
use celd_k8s::schema;
use celd_k8s::yaml;
use serde_json::{Value, json};

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn doc(name: &str) -> Value {
    yaml::parse_documents(&data(name))
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0)
        .value
}

fn policy(name: &str) -> MutatingPolicy {
    MutatingPolicy::new(&doc(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn create<'a>(object: &'a Value, params: Option<&'a Value>) -> Request<'a> {
    Request {
        object: Some(object),
        params,
        operation: "CREATE",
        ..Request::default()
    }
}

fn mutated(outcome: Result<MutationOutcome, MutationError>) -> MutatedObject {
    match outcome {
        Ok(MutationOutcome::Mutated(m)) => m,
        other => panic!("not mutated: {other:?}"),
    }
}

fn init_names(object: &Value) -> Vec<&str> {
    object["spec"]["initContainers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect()
}

#[test]
fn the_documented_json_patch_appends_an_init_container_then_a_label() {
    let pod = doc("pod.yaml");
    let out = mutated(policy("map-json-patch.yaml").mutate(&create(&pod, None)));
    assert_eq!(init_names(&out.object), ["setup", "mesh-proxy"]);
    assert_eq!(
        out.object["spec"]["initContainers"][1],
        json!({"name": "mesh-proxy", "image": "mesh-proxy/v1.0.0", "restartPolicy": "Always"})
    );
    // The second mutation saw the first one's init container: 2 of them.
    assert_eq!(
        out.object["metadata"]["labels"],
        json!({"app": "web", "mesh.example.com/injected": "2"})
    );
    assert_eq!(out.reinvocation, None);
    let paths: Vec<&str> = out.patch.iter().map(|o| o.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/metadata/labels/mesh.example.com~1injected",
            "/spec/initContainers/1"
        ]
    );
    // Params and variables: the image comes from the Sidecar.
    let params = doc("sidecar-params.yaml");
    let out = mutated(policy("map-json-patch.yaml").mutate(&create(&pod, Some(&params))));
    assert_eq!(
        out.object["spec"]["initContainers"][1]["image"],
        "mesh-proxy/v2.0.0"
    );
}

#[test]
fn a_pod_that_has_the_sidecar_is_not_matched() {
    let pod = doc("pod.yaml");
    let out = mutated(policy("map-sidecar.yaml").mutate(&create(&pod, None)));
    assert_eq!(
        policy("map-sidecar.yaml").mutate(&create(&out.object, None)),
        Ok(MutationOutcome::NotMatched {
            condition: "does-not-already-have-sidecar".into()
        })
    );
}

#[test]
fn sidecar_injection_by_apply_configuration_merges_init_containers_by_name() {
    let pod = doc("pod.yaml");
    let out = mutated(policy("map-sidecar.yaml").mutate(&create(&pod, None)));
    assert_eq!(init_names(&out.object), ["setup", "mesh-proxy"]);
    assert_eq!(
        out.object["spec"]["initContainers"][0]["image"],
        "busybox:1.37"
    );
    assert_eq!(out.object["spec"]["containers"], pod["spec"]["containers"]);
    // IfNeeded: run again on its output, the policy no longer matches and changes nothing.
    assert_eq!(out.reinvocation, Some(Vec::new()));
}

#[test]
fn the_documented_apply_configuration_is_refused_for_its_atomic_args() {
    let pod = doc("pod.yaml");
    let params = json!({"kind": "Sidecar"});
    assert_eq!(
        policy("map-sidecar-documented.yaml").mutate(&create(&pod, Some(&params))),
        Err(MutationError(vec![
            "policy 'sidecar-policy.example.com' denied request: error applying patch: \
             invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: \
             .spec.initContainers[0].args"
                .into()
        ]))
    );
}

fn inline(mutations: Value, failure_policy: &str) -> MutatingPolicy {
    let doc = json!({
        "apiVersion": "admissionregistration.k8s.io/v1beta1",
        "kind": "MutatingAdmissionPolicy",
        "metadata": {"name": "p"},
        "spec": {"failurePolicy": failure_policy, "reinvocationPolicy": "IfNeeded", "mutations": mutations}
    });
    MutatingPolicy::new(&doc).unwrap_or_else(|e| panic!("{e}"))
}

fn json_patch(expression: &str) -> Value {
    json!({"patchType": "JSONPatch", "jsonPatch": {"expression": expression}})
}

#[test]
fn failure_policy_decides_what_a_failed_mutation_does() {
    let object = json!({"metadata": {"name": "x"}, "spec": {"replicas": 1}});
    let mutations = json!([
        json_patch("[JSONPatch{op: 'remove', path: '/spec/missing'}]"),
        json_patch("[JSONPatch{op: 'replace', path: '/spec/replicas', value: 3}]"),
    ]);
    let message = "policy 'p' denied request: JSONPath: error in remove for path: \
                   '/spec/missing': Unable to remove nonexistent key: missing: missing value";
    assert_eq!(
        inline(mutations.clone(), "Fail").mutate(&create(&object, None)),
        Err(MutationError(vec![message.into()]))
    );
    // Ignore: the failed mutation is skipped, the next one still applies.
    let out = mutated(inline(mutations, "Ignore").mutate(&create(&object, None)));
    assert_eq!(out.object["spec"]["replicas"], 3);
    assert_eq!(out.ignored, [message]);
}

#[test]
fn a_failed_test_leaves_the_object_as_it_was() {
    let object = json!({"spec": {"replicas": 1}});
    let policy = inline(
        json!([json_patch(
            "[JSONPatch{op: 'test', path: '/spec/replicas', value: 2}, \
              JSONPatch{op: 'replace', path: '/spec/replicas', value: 5}]"
        )]),
        "Fail",
    );
    let out = mutated(policy.mutate(&create(&object, None)));
    assert_eq!(out.object, object);
    assert!(out.patch.is_empty());
}

#[test]
fn values_become_json_as_kubernetes_converts_them() {
    let object = json!({"spec": {}});
    let policy = inline(
        json!([json_patch(
            "[JSONPatch{op: 'add', path: '/spec/v', value: {'i': dyn(3), 'd': dyn(2.5), 'b': dyn(b'hi'), \
              'dur': dyn(duration('90s')), 'list': [dyn(1), dyn(2u)], 'big': dyn(9007199254740993)}}]"
        )]),
        "Fail",
    );
    let out = mutated(policy.mutate(&create(&object, None)));
    assert_eq!(
        out.object["spec"]["v"],
        // Through a double, as structpb holds numbers: 2^53 + 1 becomes 2^53.
        json!({"i": 3, "d": 2.5, "b": "aGk=", "dur": "90s", "list": [1, 2], "big": 9007199254740992_i64})
    );
}

#[test]
fn reinvocation_shows_a_policy_that_is_not_idempotent() {
    let object = json!({"spec": {"replicas": 1}});
    let policy = inline(
        json!([json_patch(
            "[JSONPatch{op: 'replace', path: '/spec/replicas', value: object.spec.replicas + 1}]"
        )]),
        "Fail",
    );
    let out = mutated(policy.mutate(&create(&object, None)));
    assert_eq!(out.object["spec"]["replicas"], 2);
    let again = out.reinvocation.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].value, Some(json!(3)));
}

#[test]
fn object_literals_must_be_named_after_their_field_path() {
    let object = json!({"spec": {}});
    let policy = inline(
        json!([{"patchType": "ApplyConfiguration", "applyConfiguration": {
            "expression": "Object{spec: Object.specx{replicas: 1}}"}}]),
        "Fail",
    );
    assert_eq!(
        policy.mutate(&create(&object, None)),
        Err(MutationError(vec![
            "policy 'p' denied request: type mismatch: unexpected type name \"Object.specx\", \
             expected \"Object.spec\", which matches field name path from root Object type"
                .into()
        ]))
    );
}

#[test]
fn compile_errors_and_wrong_result_types_are_refused() {
    let doc = |mutation: Value| {
        json!({"kind": "MutatingAdmissionPolicy", "metadata": {"name": "p"},
               "spec": {"mutations": [mutation]}})
    };
    let err = MutatingPolicy::new(&doc(json_patch("'not a list'")))
        .err()
        .unwrap();
    assert_eq!(
        err.0,
        "spec.mutations[0].jsonPatch.expression: must evaluate to list(JSONPatch)"
    );
    let err = MutatingPolicy::new(&doc(json!({"patchType": "ApplyConfiguration",
        "applyConfiguration": {"expression": "[1]"}})))
    .err()
    .unwrap();
    assert_eq!(
        err.0,
        "spec.mutations[0].applyConfiguration.expression: must evaluate to Object"
    );
    let err = MutatingPolicy::new(&doc(json_patch("[JSONPatch{op: 1}]")))
        .err()
        .unwrap();
    assert!(err.0.contains("compilation failed"), "{err}");
}

#[test]
fn a_crds_schema_decides_how_lists_merge() {
    let crds = schema::crds_from_yaml(&data("widgets-crd.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let root = crds[0]
        .version("v1")
        .and_then(|v| v.schema.clone())
        .unwrap();
    let widget = doc("widget.yaml");
    let typed = MutatingPolicy::with_schema(&doc("map-widget.yaml"), root.clone())
        .unwrap_or_else(|e| panic!("{e}"));
    let out = mutated(typed.mutate(&create(&widget, None)));
    assert_eq!(out.object["spec"]["replicas"], 4);
    assert_eq!(
        out.object["spec"]["ports"],
        json!([{"name": "http", "port": 80}, {"name": "grpc", "port": 9090}])
    );
    assert_eq!(out.object["spec"]["tags"], json!(["a", "b", "managed"]));
    // Without the schema, `tags` is atomic, and refused (`spec.ports` is taken for a
    // Service's ports, a list map, by the table of built-in lists).
    let err = policy("map-widget.yaml")
        .mutate(&create(&widget, None))
        .unwrap_err();
    assert!(
        err.0[0].ends_with("may not mutate atomic arrays, maps or structs: .spec.tags"),
        "{err}"
    );
}

#[test]
fn with_a_schema_the_object_types_are_typed() {
    let crds = schema::crds_from_yaml(&data("widgets-crd.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let root = crds[0]
        .version("v1")
        .and_then(|v| v.schema.clone())
        .unwrap();
    let compile = |expression: &str| {
        let doc = json!({"kind": "MutatingAdmissionPolicy", "metadata": {"name": "p"},
            "spec": {"mutations": [{"patchType": "ApplyConfiguration",
                "applyConfiguration": {"expression": expression}}]}});
        MutatingPolicy::with_schema(&doc, root.clone()).map(drop)
    };
    compile("Object{metadata: Object.metadata{labels: {'a': 'b'}}, spec: Object.spec{replicas: 2, ports: [Object.spec.ports{name: 'x', port: 1}]}}")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = compile("Object{spec: Object.spec{replicas: 'two'}}").unwrap_err();
    assert!(err.0.contains("compilation failed"), "{err}");
    let err = compile("Object{spec: Object.spec{replica: 2}}").unwrap_err();
    assert!(err.0.contains("replica"), "{err}");
    // Without the schema, the same typo compiles (every field is dyn, as in kube-apiserver).
    let doc = json!({"kind": "MutatingAdmissionPolicy", "metadata": {"name": "p"},
        "spec": {"mutations": [{"patchType": "ApplyConfiguration",
            "applyConfiguration": {"expression": "Object{spec: Object.spec{replica: 2}}"}}]}});
    assert!(MutatingPolicy::new(&doc).is_ok());
}
