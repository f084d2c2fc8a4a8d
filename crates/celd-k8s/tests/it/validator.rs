//! CRD rules as the API server applies them: compiled and cost-checked against the schema's
//! types, objects validated with `self` and `oldSelf`.

use std::path::PathBuf;

use celd_k8s::schema;
use celd_k8s::validator::CrdValidator;
use celd_k8s::yaml;

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn objects(text: &str) -> Vec<serde_json::Value> {
    yaml::parse_documents(text)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|d| d.value)
        .collect()
}

fn validator(crd_text: &str) -> Result<CrdValidator, String> {
    let crds = schema::crds_from_yaml(crd_text).map_err(|e| e.to_string())?;
    CrdValidator::new(&crds[0]).map_err(|e| e.to_string())
}

fn real_crd(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/k8s-crds")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The widget CRD without its over-budget rule.
fn widget_validator() -> CrdValidator {
    let text = data("widgets-crd.yaml");
    let cut = text
        .find("                notes:")
        .expect("the notes property");
    validator(&text[..cut]).unwrap_or_else(|e| panic!("{e}"))
}

fn shown(violations: Vec<celd_k8s::validator::Violation>) -> Vec<String> {
    violations.iter().map(ToString::to_string).collect()
}

#[test]
fn the_real_crds_compile_within_their_budgets() {
    for (name, rules) in [
        ("crossplane-xrd.yaml", 20),
        ("snapshot-content.yaml", 8),
        ("gmp-podmonitoring.yaml", 17),
        ("flux-bucket.yaml", 7),
    ] {
        let v = validator(&real_crd(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(v.rule_count(), rules, "{name}");
    }
}

#[test]
fn a_rule_over_an_unbounded_list_is_refused() {
    let error = validator(&data("widgets-crd.yaml"))
        .err()
        .expect("over budget");
    let lines: Vec<&str> = error.lines().collect();
    // The rule, its part in the CRD-wide total, and the total, as kube-apiserver lists them.
    assert_eq!(lines.len(), 3, "{error}");
    assert!(lines[0].starts_with(
        "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[notes].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of"
    ), "{}", lines[0]);
    assert_eq!(
        lines[1],
        "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[notes].x-kubernetes-validations[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema"
    );
    assert!(lines[2].starts_with(
        "spec.versions[0].schema.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget"
    ), "{}", lines[2]);
}

#[test]
fn rules_type_check_against_the_schema() {
    let text = data("widgets-crd.yaml").replace(
        "rule: self.minReplicas <= self.replicas",
        "rule: self.minReplicas <= self.replicaz",
    );
    let error = validator(&text).err().expect("a typo is a check error");
    let first = error.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: \"self.minReplicas <= self.replicaz\": compilation failed:"),
        "{first}"
    );
    assert!(first.contains("replicaz"), "{first}");
    let text = data("widgets-crd.yaml").replace(
        "rule: self.minReplicas <= self.replicas",
        "rule: self.replicas + 1",
    );
    let error = validator(&text).err().expect("an int rule is refused");
    assert!(
        error.contains("cel expression must evaluate to a bool"),
        "{error}"
    );
}

#[test]
fn objects_are_validated_with_kubernetes_paths_and_messages() {
    let v = widget_validator();
    let objs = objects(&data("widget.yaml"));
    assert_eq!(shown(v.validate(&objs[0], None)), Vec::<String>::new());
    assert_eq!(
        shown(v.validate(&objs[1], None)),
        [
            "spec.replicas: Invalid value: \"object\": replicas (1) must be at least minReplicas (2)",
            "spec.interval: Invalid value: \"string\": interval must be at least a second",
            "spec.maxSurge: Invalid value: \"\": failed rule: type(self) == int ? self >= 0 : self.endsWith('%')",
            "spec.ports[0]: Invalid value: \"object\": port out of range",
        ]
    );
}

#[test]
fn transition_rules_run_on_updates_only() {
    let v = widget_validator();
    let old = serde_json::json!({
        "apiVersion": "example.celd.dev/v1", "kind": "Widget",
        "spec": {"replicas": 5, "ports": [{"name": "http", "port": 80}, {"name": "dns", "port": 53}]}
    });
    let new = serde_json::json!({
        "apiVersion": "example.celd.dev/v1", "kind": "Widget",
        "spec": {"replicas": 3, "ports": [{"name": "dns", "port": 54}, {"name": "web", "port": 8080}]}
    });
    // On create, oldSelf does not exist: the transition rules do not run.
    assert_eq!(shown(v.validate(&new, None)), Vec::<String>::new());
    // On update: the scale-down (allowScaleDown defaults to false), and the map-list item
    // with key "dns" whose port changed; "web" has no old item.
    assert_eq!(
        shown(v.validate(&new, Some(&old))),
        [
            "spec: Invalid value: \"object\": replicas may not decrease unless allowScaleDown is set",
            "spec.ports[0]: Invalid value: \"object\": a port's number is immutable",
        ]
    );
    let mut allowed = new.clone();
    allowed["spec"]["allowScaleDown"] = true.into();
    allowed["spec"]["ports"][0]["port"] = 53.into();
    assert_eq!(
        shown(v.validate(&allowed, Some(&old))),
        Vec::<String>::new()
    );
}

#[test]
fn a_real_crd_validates_objects() {
    let v = validator(&real_crd("flux-bucket.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let bucket = |spec: serde_json::Value| {
        serde_json::json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "Bucket",
            "metadata": {"name": "b"}, "spec": spec
        })
    };
    let ok = bucket(serde_json::json!({"bucketName": "x", "endpoint": "e", "interval": "5m"}));
    assert_eq!(shown(v.validate(&ok, None)), Vec::<String>::new());
    let bad = bucket(serde_json::json!({
        "bucketName": "x", "endpoint": "e", "interval": "5m",
        "secretRef": {"name": "s"}, "serviceAccountName": "sa", "provider": "gcp"
    }));
    assert_eq!(
        shown(v.validate(&bad, None)),
        [
            "spec: Invalid value: \"object\": cannot set both .spec.secretRef and .spec.serviceAccountName"
        ]
    );
}

#[test]
fn an_object_of_another_kind_is_refused() {
    let v = widget_validator();
    let other = serde_json::json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "Bucket"});
    assert_eq!(
        shown(v.validate(&other, None)),
        [
            "kind: Invalid value: \"string\": the CRD defines Widget in group \"example.celd.dev\", not \"Bucket\" in \"source.toolkit.fluxcd.io\""
        ]
    );
    let unknown = serde_json::json!({"apiVersion": "example.celd.dev/v9", "kind": "Widget"});
    assert_eq!(
        shown(v.validate(&unknown, None)),
        ["apiVersion: Invalid value: \"string\": the CRD has no version \"v9\""]
    );
}

/// `x-kubernetes-list-type: set` lists compare as sets and `map` lists as maps keyed by
/// `x-kubernetes-list-map-keys`, when the typed list is the left operand of `==` (Kubernetes'
/// `UnstructuredToVal` lists); `atomic` lists compare in order.
#[test]
fn typed_lists_compare_as_sets_and_maps() {
    let crd = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: boxes.example.celd.dev
spec:
  group: example.celd.dev
  names:
    kind: Box
    plural: boxes
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              x-kubernetes-validations:
                - rule: self.tags == oldSelf.tags
                  message: tags changed
                - rule: self.ports == oldSelf.ports
                  message: ports changed
                - rule: self.order == oldSelf.order
                  message: order changed
              properties:
                tags:
                  type: array
                  maxItems: 10
                  x-kubernetes-list-type: set
                  items:
                    type: string
                    maxLength: 10
                ports:
                  type: array
                  maxItems: 10
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name]
                  items:
                    type: object
                    required: [name]
                    properties:
                      name:
                        type: string
                        maxLength: 10
                      port:
                        type: integer
                order:
                  type: array
                  maxItems: 10
                  items:
                    type: integer
";
    let v = validator(crd).unwrap_or_else(|e| panic!("{e}"));
    let boxed = |spec: serde_json::Value| serde_json::json!({"apiVersion": "example.celd.dev/v1", "kind": "Box", "spec": spec});
    let old = boxed(serde_json::json!({
        "tags": ["a", "b"],
        "ports": [{"name": "http", "port": 80}, {"name": "dns", "port": 53}],
        "order": [1, 2]
    }));
    let reordered = boxed(serde_json::json!({
        "tags": ["b", "a"],
        "ports": [{"name": "dns", "port": 53}, {"name": "http", "port": 80}],
        "order": [2, 1]
    }));
    assert_eq!(
        shown(v.validate(&reordered, Some(&old))),
        ["spec: Invalid value: \"object\": order changed"]
    );
    let changed = boxed(serde_json::json!({
        "tags": ["a", "c"],
        "ports": [{"name": "dns", "port": 54}, {"name": "http", "port": 80}],
        "order": [1, 2]
    }));
    assert_eq!(
        shown(v.validate(&changed, Some(&old))),
        [
            "spec: Invalid value: \"object\": tags changed",
            "spec: Invalid value: \"object\": ports changed",
        ]
    );
}
