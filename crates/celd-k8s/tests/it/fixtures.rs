//! The fixtures of `tests/data`: the test CRD's rules, types, cardinalities and size bounds as
//! Kubernetes derives them, and the other documents read with their locations.

use std::path::PathBuf;

use celd_k8s::schema::{self, DeclKind, ListType};
use celd_k8s::yaml;

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_widget_crd() {
    let crds = schema::crds_from_yaml(&data("widgets-crd.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let root = crds[0]
        .version("v1")
        .and_then(|v| v.schema.as_ref())
        .unwrap_or_else(|| panic!("v1"));
    let sites = schema::rule_sites(root);
    let summary: Vec<(&str, Option<u64>)> = sites
        .iter()
        .map(|s| (s.path.as_str(), s.cardinality))
        .collect();
    assert_eq!(
        summary,
        [
            ("properties[spec]", Some(1)),
            ("properties[spec]", Some(1)),
            ("properties[spec].properties[interval]", Some(1)),
            ("properties[spec].properties[labels]", Some(1)),
            ("properties[spec].properties[maxSurge]", Some(1)),
            ("properties[spec].properties[notes]", Some(1)),
            ("properties[spec].properties[ports].items", Some(16)),
            ("properties[spec].properties[ports].items", Some(16)),
        ]
    );
    let spec = sites[0]
        .self_type
        .as_ref()
        .unwrap_or_else(|| panic!("spec type"));
    let DeclKind::Object(fields) = &spec.kind else {
        panic!("spec is an object");
    };
    assert_eq!(fields["maxSurge"].ty.kind, DeclKind::Dyn);
    assert_eq!(fields["interval"].ty.kind, DeclKind::Duration);
    assert_eq!(fields["x__dash__config__dot__name"].ty.max_elements, 252);
    assert!(matches!(
        &fields["ports"].ty.kind,
        DeclKind::List { list_type: ListType::Map(keys), .. } if keys == &["name"]
    ));
    assert!(matches!(
        &fields["tags"].ty.kind,
        DeclKind::List {
            list_type: ListType::Set,
            ..
        }
    ));
    assert_eq!(fields["labels"].ty.max_elements, 64);
    // notes: an unbounded list of unbounded strings, sized by the request limit.
    assert_eq!(
        fields["notes"].ty.max_elements,
        (schema::MAX_REQUEST_SIZE_BYTES - 2) / 3
    );
    assert_eq!(sites[0].rule.reason.as_deref(), Some("FieldValueInvalid"));
    assert_eq!(sites[0].rule.field_path.as_deref(), Some(".replicas"));
    assert!(sites[0].rule.message_expression.is_some());
}

#[test]
fn objects_and_policies_read_with_locations() {
    let widgets = yaml::parse_documents(&data("widget.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(widgets.len(), 2);
    assert_eq!(widgets[1].value["spec"]["ports"][0]["port"], 70000);
    assert_eq!(widgets[1].location("/spec/ports/0/port").line, 26);
    let policy = yaml::parse_documents(&data("policy.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(policy[0].value["kind"], "ValidatingAdmissionPolicy");
    assert_eq!(policy[0].value["spec"]["variables"][1]["name"], "limit");
    for name in ["policy-params.yaml", "deployment.yaml"] {
        assert_eq!(
            yaml::parse_documents(&data(name)).map(|d| d.len()),
            Ok(1),
            "{name}"
        );
    }
}
