//! The four public CRDs of `../shared/k8s-crds`, read from there: every rule found, where, with
//! the type of `self` and the cardinality Kubernetes computes.

use std::path::PathBuf;

use celd_k8s::schema::{self, DeclKind};

fn shared_crd(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/k8s-crds")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the CRDs live in ../shared/k8s-crds beside the repository)",
            path.display()
        )
    })
}

/// (version, rule count, rules whose node has no CEL type) for one CRD file.
fn summary(file: &str) -> Vec<(String, usize, usize)> {
    let text = shared_crd(file);
    let crds = schema::crds_from_yaml(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(crds.len(), 1, "{file}");
    crds[0]
        .versions
        .iter()
        .map(|v| {
            let sites = v
                .schema
                .as_ref()
                .map(schema::rule_sites)
                .unwrap_or_default();
            let untyped = sites.iter().filter(|s| s.self_type.is_none()).count();
            (v.name.clone(), sites.len(), untyped)
        })
        .collect()
}

#[test]
fn every_rule_is_found_on_a_typed_node() {
    assert_eq!(summary("flux-bucket.yaml"), [("v1".to_string(), 7, 0)]);
    assert_eq!(
        summary("crossplane-xrd.yaml"),
        [("v1".to_string(), 12, 0), ("v2".to_string(), 8, 0)]
    );
    assert_eq!(
        summary("gmp-podmonitoring.yaml"),
        [("v1".to_string(), 17, 0), ("v1alpha1".to_string(), 0, 0)]
    );
    assert_eq!(
        summary("snapshot-content.yaml"),
        [("v1".to_string(), 8, 0), ("v1beta1".to_string(), 0, 0)]
    );
}

#[test]
fn rule_locations_and_paths() {
    let text = shared_crd("flux-bucket.yaml");
    let docs = celd_k8s::yaml::parse_documents(&text).unwrap_or_default();
    let crd = schema::Crd::from_document(&docs[0]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (crd.group.as_str(), crd.kind.as_str()),
        ("source.toolkit.fluxcd.io", "Bucket")
    );
    let root = crd
        .version("v1")
        .and_then(|v| v.schema.as_ref())
        .unwrap_or_else(|| panic!("v1"));
    let sites = schema::rule_sites(root);
    let first = &sites[0];
    assert_eq!(first.path, "properties[spec]");
    assert_eq!(
        first.rule.rule,
        "self.provider == 'aws' || self.provider == 'generic' || !has(self.sts)"
    );
    assert_eq!(
        docs[0]
            .location(&format!("{}/rule", first.rule.pointer))
            .line,
        234
    );
    assert_eq!(first.cardinality, Some(1));
    let Some(DeclKind::Object(fields)) = first.self_type.as_ref().map(|t| &t.kind) else {
        panic!("spec is an object");
    };
    assert!(fields.contains_key("provider") && fields.contains_key("sts"));
}

#[test]
fn cardinality_under_lists() {
    let text = shared_crd("gmp-podmonitoring.yaml");
    let crds = schema::crds_from_yaml(&text).unwrap_or_else(|e| panic!("{e}"));
    let root = crds[0]
        .version("v1")
        .and_then(|v| v.schema.as_ref())
        .unwrap_or_else(|| panic!("v1"));
    let sites = schema::rule_sites(root);
    let with_message_expression = sites
        .iter()
        .filter(|s| s.rule.message_expression.is_some())
        .count();
    assert_eq!(with_message_expression, 3);
    // Rules below a list run once per item: every list here has maxItems, so each rule is
    // bounded by the product of the maxItems above it.
    let mut found: Vec<(String, Option<u64>)> = sites
        .iter()
        .filter(|s| s.path.contains("items"))
        .map(|s| (s.path.clone(), s.cardinality))
        .collect();
    found.dedup();
    assert!(found.iter().all(|(_, c)| c.is_some()), "{found:?}");
    assert!(found.iter().any(|(_, c)| *c == Some(10)), "{found:?}");
    assert!(found.iter().any(|(_, c)| *c == Some(2500)), "{found:?}");
    assert!(
        sites
            .iter()
            .any(|s| s.path.is_empty() && s.cardinality == Some(1))
    );
}
