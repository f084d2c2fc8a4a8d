//! Which requests an admission policy or binding applies to: `matchConstraints` and
//! `matchResources` (resource rules, exclusions, namespace and object selectors, `matchPolicy`)
//! as kube-apiserver's `policy/matching` decides, validated as the API server validates them.
//!
//! Offline there is no discovery, so `matchPolicy: Equivalent` finds no equivalent resources
//! (another version or group serving the same objects) and matches as `Exact` does.

use std::collections::HashSet;
use std::fmt;

use serde_json::{Map, Value as Json};

use crate::field::{FieldError, Path};
use crate::selector::{LabelSelector, labels_of};

/// The operations a rule may name.
const OPERATIONS: &[&str] = &["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
const SCOPES: &[&str] = &["*", "Cluster", "Namespaced"];
const MATCH_POLICIES: &[&str] = &["Equivalent", "Exact"];

/// A rule's `scope`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Cluster,
    Namespaced,
}

/// `matchPolicy`: `Equivalent` is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchPolicy {
    Exact,
    Equivalent,
}

/// A `NamedRuleWithOperations`: groups, versions, resources (`*`, `pods/*`, `*/status`),
/// operations, scope, and the resource names it is limited to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub api_groups: Vec<String>,
    pub api_versions: Vec<String>,
    pub resources: Vec<String>,
    pub operations: Vec<String>,
    pub scope: Scope,
    pub resource_names: Vec<String>,
}

/// `matchConstraints` of a policy or `matchResources` of a binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchResources {
    pub namespace_selector: LabelSelector,
    pub object_selector: LabelSelector,
    pub resource_rules: Vec<Rule>,
    pub exclude_resource_rules: Vec<Rule>,
    pub match_policy: MatchPolicy,
}

/// The request as matching sees it (kube-apiserver's `admission.Attributes`).
#[derive(Clone, Debug, Default)]
pub struct Attributes<'a> {
    pub group: String,
    pub version: String,
    /// Lower-case plural: `deployments`.
    pub resource: String,
    /// `status`, `scale`; empty for the resource itself.
    pub subresource: String,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: String,
    pub name: String,
    /// Empty for a cluster-scoped object; a namespace's own name for a namespace.
    pub namespace: String,
    pub object: Option<&'a Json>,
    pub old_object: Option<&'a Json>,
    /// The request's namespace (a `v1` `Namespace`), when known.
    pub namespace_object: Option<&'a Json>,
}

impl Attributes<'_> {
    fn is_namespace_resource(&self) -> bool {
        self.group.is_empty() && self.version == "v1" && self.resource == "namespaces"
    }
}

impl fmt::Display for Attributes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let group_version = if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        };
        write!(f, "{} {group_version} {}", self.operation, self.resource)?;
        if !self.subresource.is_empty() {
            write!(f, "/{}", self.subresource)?;
        }
        write!(f, " {:?}", self.name)
    }
}

/// Why a request is outside a `MatchResources`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exclusion {
    /// `namespaceSelector` does not select the request's namespace.
    NamespaceSelector { namespace: String },
    /// `objectSelector` selects neither the object nor the old object.
    ObjectSelector,
    /// `excludeResourceRules[index]` matches the request.
    ExcludeResourceRule { index: usize, request: String },
    /// No `resourceRules` entry matches the request.
    NoResourceRule { request: String },
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exclusion::NamespaceSelector { namespace } => {
                write!(
                    f,
                    "namespaceSelector does not select namespace {namespace:?}"
                )
            }
            Exclusion::ObjectSelector => {
                f.write_str("objectSelector selects neither the object nor the old object")
            }
            Exclusion::ExcludeResourceRule { index, request } => {
                write!(f, "excludeResourceRules[{index}] matches {request}")
            }
            Exclusion::NoResourceRule { request } => {
                write!(f, "no resourceRules entry matches {request}")
            }
        }
    }
}

/// Matching could not decide: kube-apiserver treats this as a configuration error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchError {
    /// The request's namespace is not known, so `namespaceSelector` cannot be evaluated
    /// (the API server's answer for a namespace that does not exist).
    NamespaceNotFound(String),
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchError::NamespaceNotFound(name) => write!(f, "namespaces {name:?} not found"),
        }
    }
}

impl std::error::Error for MatchError {}

/// Whether a request is inside a `MatchResources`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchResult {
    Matched,
    Excluded(Exclusion),
    Failed(MatchError),
}

impl MatchResources {
    /// The defaults of an absent `matchResources`: everything, `Equivalent`.
    pub fn everything() -> MatchResources {
        MatchResources {
            namespace_selector: LabelSelector::everything(),
            object_selector: LabelSelector::everything(),
            resource_rules: Vec::new(),
            exclude_resource_rules: Vec::new(),
            match_policy: MatchPolicy::Equivalent,
        }
    }

    /// Reads `matchResources` at `path` (absent selectors and `matchPolicy` defaulted as the
    /// API server defaults them), adding `validateMatchResources`' errors to `errors`.
    pub fn parse(json: &Json, path: &Path, errors: &mut Vec<FieldError>) -> MatchResources {
        let mut resources = MatchResources::everything();
        if !json.is_object() {
            errors.push(FieldError::invalid(
                path,
                &json.to_string(),
                "must be an object",
            ));
            return resources;
        }
        let field = |key: &str| json.get(key).unwrap_or(&Json::Null);
        match field("matchPolicy") {
            Json::Null => {}
            Json::String(s) if s == "Exact" => resources.match_policy = MatchPolicy::Exact,
            Json::String(s) if s == "Equivalent" => {}
            other => errors.push(FieldError::not_supported(
                &path.child("matchPolicy"),
                &plain_text(other),
                MATCH_POLICIES,
            )),
        }
        resources.namespace_selector = LabelSelector::parse(
            field("namespaceSelector"),
            &path.child("namespaceSelector"),
            errors,
        );
        resources.object_selector = LabelSelector::parse(
            field("objectSelector"),
            &path.child("objectSelector"),
            errors,
        );
        resources.resource_rules =
            rules(field("resourceRules"), &path.child("resourceRules"), errors);
        resources.exclude_resource_rules = rules(
            field("excludeResourceRules"),
            &path.child("excludeResourceRules"),
            errors,
        );
        resources
    }

    /// `Matcher.Matches`: the namespace selector, the object selector, the exclusions, then the
    /// rules (none: every resource); a namespace that is not known fails only a request the
    /// rules would match.
    pub fn matches(&self, request: &Attributes<'_>) -> MatchResult {
        let namespace = self.namespace_matches(request);
        if namespace == Ok(false) {
            return MatchResult::Excluded(Exclusion::NamespaceSelector {
                namespace: request.namespace.clone(),
            });
        }
        if !self.object_matches(request) {
            return MatchResult::Excluded(Exclusion::ObjectSelector);
        }
        if let Some(index) = self
            .exclude_resource_rules
            .iter()
            .position(|r| r.matches(request))
        {
            return MatchResult::Excluded(Exclusion::ExcludeResourceRule {
                index,
                request: request.to_string(),
            });
        }
        if !self.resource_rules.is_empty()
            && !self.resource_rules.iter().any(|r| r.matches(request))
        {
            return MatchResult::Excluded(Exclusion::NoResourceRule {
                request: request.to_string(),
            });
        }
        match namespace {
            Err(e) => MatchResult::Failed(e),
            Ok(_) => MatchResult::Matched,
        }
    }

    /// `MatchNamespaceSelector`: a cluster-scoped request (other than a namespace) is always
    /// selected; a namespace's own create or update is judged by its new labels.
    fn namespace_matches(&self, request: &Attributes<'_>) -> Result<bool, MatchError> {
        if request.namespace.is_empty() && request.resource != "namespaces" {
            return Ok(true);
        }
        if self.namespace_selector.is_empty() {
            return Ok(true);
        }
        let own_labels = request.resource == "namespaces"
            && request.subresource.is_empty()
            && matches!(request.operation.as_str(), "CREATE" | "UPDATE");
        let labels: Option<&Map<String, Json>> = if own_labels {
            request.object.and_then(labels_of)
        } else {
            let namespace = request
                .namespace_object
                .ok_or_else(|| MatchError::NamespaceNotFound(request.namespace.clone()))?;
            labels_of(namespace)
        };
        Ok(self.namespace_selector.matches(labels))
    }

    /// `MatchObjectSelector`: the object or the old object.
    fn object_matches(&self, request: &Attributes<'_>) -> bool {
        if self.object_selector.is_empty() {
            return true;
        }
        [request.object, request.old_object]
            .into_iter()
            .flatten()
            .any(|o| self.object_selector.matches_object(o))
    }
}

impl Rule {
    /// `rules.Matcher.Matches`, then `resourceNames` (empty: any name).
    pub fn matches(&self, request: &Attributes<'_>) -> bool {
        self.scope_matches(request)
            && wildcard_or(&self.operations, &request.operation)
            && wildcard_or(&self.api_groups, &request.group)
            && wildcard_or(&self.api_versions, &request.version)
            && self.resource_matches(request)
            && (self.resource_names.is_empty() || self.resource_names.contains(&request.name))
    }

    fn scope_matches(&self, request: &Attributes<'_>) -> bool {
        match self.scope {
            Scope::All => true,
            Scope::Namespaced => !request.is_namespace_resource() && !request.namespace.is_empty(),
            Scope::Cluster => request.is_namespace_resource() || request.namespace.is_empty(),
        }
    }

    /// `resource` or `resource/subresource`, either part possibly `*`; a bare `*` matches
    /// only resources without a subresource.
    fn resource_matches(&self, request: &Attributes<'_>) -> bool {
        self.resources.iter().any(|entry| {
            let (resource, subresource) = entry.split_once('/').unwrap_or((entry, ""));
            (resource == "*" || resource == request.resource)
                && (subresource == "*" || subresource == request.subresource)
        })
    }
}

fn wildcard_or(items: &[String], requested: &str) -> bool {
    items.iter().any(|i| i == "*" || i == requested)
}

fn plain_text(json: &Json) -> String {
    json.as_str()
        .map_or_else(|| json.to_string(), str::to_string)
}

fn strings(json: &Json, path: &Path, errors: &mut Vec<FieldError>) -> Vec<String> {
    let Some(items) = json.as_array() else {
        if !json.is_null() {
            errors.push(FieldError::invalid(
                path,
                &json.to_string(),
                "must be a list",
            ));
        }
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item.as_str() {
            Some(s) => s.to_string(),
            None => {
                errors.push(FieldError::invalid(
                    &path.index(i),
                    &item.to_string(),
                    "must be a string",
                ));
                String::new()
            }
        })
        .collect()
}

fn rules(json: &Json, path: &Path, errors: &mut Vec<FieldError>) -> Vec<Rule> {
    let Some(items) = json.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| rule(item, &path.index(i), errors))
        .collect()
}

/// Reads a rule, with `validateNamedRuleWithOperations`' errors.
fn rule(json: &Json, path: &Path, errors: &mut Vec<FieldError>) -> Rule {
    let list = |key: &str, errors: &mut Vec<FieldError>| {
        strings(
            json.get(key).unwrap_or(&Json::Null),
            &path.child(key),
            errors,
        )
    };
    let resource_names = list("resourceNames", errors);
    validate_resource_names(&resource_names, &path.child("resourceNames"), errors);
    let operations = list("operations", errors);
    validate_operations(&operations, &path.child("operations"), errors);
    let api_groups = list("apiGroups", errors);
    validate_listed(&api_groups, &path.child("apiGroups"), "API groups", errors);
    let api_versions = list("apiVersions", errors);
    validate_listed(
        &api_versions,
        &path.child("apiVersions"),
        "API versions",
        errors,
    );
    for (i, version) in api_versions.iter().enumerate() {
        if version.is_empty() {
            errors.push(FieldError::required(
                &path.child("apiVersions").index(i),
                "",
            ));
        }
    }
    let resources = list("resources", errors);
    validate_resources(&resources, &path.child("resources"), errors);
    let scope = match json.get("scope") {
        None | Some(Json::Null) => Scope::All,
        Some(Json::String(s)) if s == "*" => Scope::All,
        Some(Json::String(s)) if s == "Cluster" => Scope::Cluster,
        Some(Json::String(s)) if s == "Namespaced" => Scope::Namespaced,
        Some(other) => {
            errors.push(FieldError::not_supported(
                &path.child("scope"),
                &plain_text(other),
                SCOPES,
            ));
            Scope::All
        }
    };
    Rule {
        api_groups,
        api_versions,
        resources,
        operations,
        scope,
        resource_names,
    }
}

fn validate_resource_names(names: &[String], path: &Path, errors: &mut Vec<FieldError>) {
    let mut seen = HashSet::new();
    for (i, name) in names.iter().enumerate() {
        for message in path_segment_name(name) {
            errors.push(FieldError::invalid(&path.index(i), name, &message));
        }
        if !seen.insert(name) {
            errors.push(FieldError::duplicate(&path.index(i), name));
        }
    }
}

/// `path.ValidatePathSegmentName`: a name that can be one segment of a URL path.
pub fn path_segment_name(name: &str) -> Vec<String> {
    if name == "." || name == ".." {
        return vec![format!("may not be '{name}'")];
    }
    ["/", "%"]
        .iter()
        .filter(|c| name.contains(*c))
        .map(|c| format!("may not contain '{c}'"))
        .collect()
}

fn validate_operations(operations: &[String], path: &Path, errors: &mut Vec<FieldError>) {
    if operations.is_empty() {
        errors.push(FieldError::required(path, ""));
    }
    if operations.len() > 1 && operations.iter().any(|o| o == "*") {
        errors.push(FieldError::invalid_list(
            path,
            "admissionregistration.OperationType",
            operations,
            "if '*' is present, must not specify other operations",
        ));
    }
    for (i, operation) in operations.iter().enumerate() {
        if !OPERATIONS.contains(&operation.as_str()) {
            errors.push(FieldError::not_supported(
                &path.index(i),
                operation,
                OPERATIONS,
            ));
        }
    }
}

/// `apiGroups` and `apiVersions`: required, and `*` alone.
fn validate_listed(items: &[String], path: &Path, what: &str, errors: &mut Vec<FieldError>) {
    if items.is_empty() {
        errors.push(FieldError::required(path, ""));
    }
    if items.len() > 1 && items.iter().any(|i| i == "*") {
        errors.push(FieldError::invalid_list(
            path,
            "string",
            items,
            &format!("if '*' is present, must not specify other {what}"),
        ));
    }
}

/// `validateResources`: the wildcard combinations the API server refuses.
fn validate_resources(resources: &[String], path: &Path, errors: &mut Vec<FieldError>) {
    if resources.is_empty() {
        errors.push(FieldError::required(path, ""));
    }
    let mut wildcard_subresources: HashSet<&str> = HashSet::new();
    let mut wildcard_resources: HashSet<&str> = HashSet::new();
    let (mut double_wildcard, mut single_wildcard, mut plain) = (false, false, false);
    for (i, entry) in resources.iter().enumerate() {
        if entry.is_empty() {
            errors.push(FieldError::required(&path.index(i), ""));
            continue;
        }
        double_wildcard |= entry == "*/*";
        single_wildcard |= entry == "*";
        let Some((resource, subresource)) = entry.split_once('/') else {
            plain = entry != "*";
            continue;
        };
        if wildcard_subresources.contains(&resource) {
            errors.push(FieldError::invalid(
                &path.index(i),
                entry,
                &format!("if '{resource}/*' is present, must not specify {entry}"),
            ));
        }
        if wildcard_resources.contains(&subresource) {
            errors.push(FieldError::invalid(
                &path.index(i),
                entry,
                &format!("if '*/{subresource}' is present, must not specify {entry}"),
            ));
        }
        if subresource == "*" {
            wildcard_subresources.insert(resource);
        }
        if resource == "*" {
            wildcard_resources.insert(subresource);
        }
    }
    if resources.len() > 1 && double_wildcard {
        errors.push(FieldError::invalid_list(
            path,
            "string",
            resources,
            "if '*/*' is present, must not specify other resources",
        ));
    }
    if single_wildcard && plain {
        errors.push(FieldError::invalid_list(
            path,
            "string",
            resources,
            "if '*' is present, must not specify other resources without subresources",
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn resources(json: Json) -> MatchResources {
        let mut errors = Vec::new();
        let r = MatchResources::parse(&json, &Path::root("m"), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        r
    }

    fn errors(json: Json) -> Vec<String> {
        let mut errors = Vec::new();
        MatchResources::parse(&json, &Path::root("m"), &mut errors);
        errors.iter().map(ToString::to_string).collect()
    }

    fn request<'a>(resource: &str, subresource: &str, namespace: &str) -> Attributes<'a> {
        Attributes {
            group: "apps".into(),
            version: "v1".into(),
            resource: resource.into(),
            subresource: subresource.into(),
            operation: "CREATE".into(),
            name: "web".into(),
            namespace: namespace.into(),
            ..Attributes::default()
        }
    }

    fn rule(resources: &[&str]) -> Json {
        json!({"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": resources})
    }

    #[test]
    fn resources_subresources_and_wildcards() {
        let cases: &[(&[&str], &str, &str, bool)] = &[
            (&["deployments"], "deployments", "", true),
            (&["deployments"], "deployments", "scale", false),
            (&["*"], "deployments", "", true),
            (&["*"], "deployments", "status", false),
            (&["deployments/*"], "deployments", "scale", true),
            (&["deployments/*"], "deployments", "", true),
            (&["*/scale"], "replicasets", "scale", true),
            (&["*/scale"], "replicasets", "status", false),
            (&["*/*"], "replicasets", "status", true),
            (&["deployments/status"], "deployments", "status", true),
        ];
        for (entries, resource, subresource, expected) in cases {
            let m = resources(json!({"resourceRules": [rule(entries)]}));
            let matched =
                m.matches(&request(resource, subresource, "default")) == MatchResult::Matched;
            assert_eq!(
                matched, *expected,
                "{entries:?} on {resource}/{subresource}"
            );
        }
    }

    #[test]
    fn operations_groups_versions_names_and_scope() {
        let m = resources(json!({"resourceRules": [{
            "apiGroups": ["*"], "apiVersions": ["v1"], "operations": ["UPDATE", "CREATE"],
            "resources": ["deployments"], "resourceNames": ["web"], "scope": "Namespaced"
        }]}));
        assert_eq!(
            m.matches(&request("deployments", "", "default")),
            MatchResult::Matched
        );
        let mut other = request("deployments", "", "default");
        other.name = "api".into();
        assert!(matches!(
            m.matches(&other),
            MatchResult::Excluded(Exclusion::NoResourceRule { .. })
        ));
        let mut delete = request("deployments", "", "default");
        delete.operation = "DELETE".into();
        assert!(matches!(m.matches(&delete), MatchResult::Excluded(_)));
        let mut v2 = request("deployments", "", "default");
        v2.version = "v2".into();
        assert!(matches!(m.matches(&v2), MatchResult::Excluded(_)));
        assert!(matches!(
            m.matches(&request("deployments", "", "")),
            MatchResult::Excluded(_)
        ));
        let cluster = resources(json!({"resourceRules": [{
            "apiGroups": [""], "apiVersions": ["v1"], "operations": ["*"],
            "resources": ["namespaces"], "scope": "Cluster"
        }]}));
        let namespace = Attributes {
            version: "v1".into(),
            resource: "namespaces".into(),
            operation: "CREATE".into(),
            name: "team-a".into(),
            namespace: "team-a".into(),
            ..Attributes::default()
        };
        assert_eq!(cluster.matches(&namespace), MatchResult::Matched);
    }

    #[test]
    fn exclusions_win_over_rules() {
        let m = resources(json!({
            "resourceRules": [rule(&["*"])],
            "excludeResourceRules": [rule(&["deployments"])],
        }));
        assert_eq!(
            m.matches(&request("deployments", "", "default")),
            MatchResult::Excluded(Exclusion::ExcludeResourceRule {
                index: 0,
                request: "CREATE apps/v1 deployments \"web\"".into()
            })
        );
        assert_eq!(
            m.matches(&request("replicasets", "", "default")),
            MatchResult::Matched
        );
    }

    #[test]
    fn namespace_selector_needs_the_namespace_unless_cluster_scoped() {
        let m = resources(json!({"namespaceSelector": {"matchLabels": {"env": "prod"}}}));
        let prod = json!({"metadata": {"name": "default", "labels": {"env": "prod"}}});
        let dev = json!({"metadata": {"name": "default", "labels": {"env": "dev"}}});
        let mut r = request("deployments", "", "default");
        assert_eq!(
            m.matches(&r),
            MatchResult::Failed(MatchError::NamespaceNotFound("default".into()))
        );
        r.namespace_object = Some(&prod);
        assert_eq!(m.matches(&r), MatchResult::Matched);
        r.namespace_object = Some(&dev);
        assert!(matches!(
            m.matches(&r),
            MatchResult::Excluded(Exclusion::NamespaceSelector { .. })
        ));
        // A cluster-scoped object is never exempted by a namespaceSelector.
        assert_eq!(
            m.matches(&request("clusterroles", "", "")),
            MatchResult::Matched
        );
        // A namespace being created is judged by its own labels.
        let created = json!({"metadata": {"name": "team", "labels": {"env": "prod"}}});
        let namespace = Attributes {
            version: "v1".into(),
            resource: "namespaces".into(),
            operation: "CREATE".into(),
            namespace: "team".into(),
            object: Some(&created),
            ..Attributes::default()
        };
        assert_eq!(m.matches(&namespace), MatchResult::Matched);
        // Rules that do not match win over a namespace that is not known.
        let narrow = resources(json!({
            "namespaceSelector": {"matchLabels": {"env": "prod"}},
            "resourceRules": [rule(&["replicasets"])],
        }));
        assert!(matches!(
            narrow.matches(&request("deployments", "", "default")),
            MatchResult::Excluded(Exclusion::NoResourceRule { .. })
        ));
    }

    #[test]
    fn object_selector_takes_the_object_or_the_old_object() {
        let m = resources(json!({"objectSelector": {"matchLabels": {"app": "web"}}}));
        let (web, api) = (json!({"metadata": {"labels": {"app": "web"}}}), json!({}));
        let mut r = request("deployments", "", "default");
        assert_eq!(
            m.matches(&r),
            MatchResult::Excluded(Exclusion::ObjectSelector)
        );
        r.object = Some(&api);
        r.old_object = Some(&web);
        assert_eq!(m.matches(&r), MatchResult::Matched);
    }

    #[test]
    fn invalid_rules_are_refused_as_the_api_server_words_it() {
        assert_eq!(
            errors(
                json!({"resourceRules": [{"apiGroups": ["*", "apps"], "apiVersions": ["v1"],
                "operations": ["*", "CREATE"], "resources": ["*", "pods"]}]})
            ),
            [
                "m.resourceRules[0].operations: Invalid value: []admissionregistration.OperationType{\"*\", \"CREATE\"}: if '*' is present, must not specify other operations",
                "m.resourceRules[0].apiGroups: Invalid value: []string{\"*\", \"apps\"}: if '*' is present, must not specify other API groups",
                "m.resourceRules[0].resources: Invalid value: []string{\"*\", \"pods\"}: if '*' is present, must not specify other resources without subresources",
            ]
        );
        assert_eq!(
            errors(
                json!({"matchPolicy": "Fuzzy", "resourceRules": [{"apiGroups": [""],
                "apiVersions": ["v1"], "operations": ["PATCH"], "resources": ["pods/*", "pods/log"],
                "scope": "Global", "resourceNames": ["a/b"]}]})
            ),
            [
                "m.matchPolicy: Unsupported value: \"Fuzzy\": supported values: \"Equivalent\", \"Exact\"",
                "m.resourceRules[0].resourceNames[0]: Invalid value: \"a/b\": may not contain '/'",
                "m.resourceRules[0].operations[0]: Unsupported value: \"PATCH\": supported values: \"*\", \"CONNECT\", \"CREATE\", \"DELETE\", \"UPDATE\"",
                "m.resourceRules[0].resources[1]: Invalid value: \"pods/log\": if 'pods/*' is present, must not specify pods/log",
                "m.resourceRules[0].scope: Unsupported value: \"Global\": supported values: \"*\", \"Cluster\", \"Namespaced\"",
            ]
        );
        assert_eq!(
            errors(json!("all")),
            ["m: Invalid value: \"\\\"all\\\"\": must be an object"]
        );
        assert_eq!(
            errors(json!({"resourceRules": [{}]})),
            [
                "m.resourceRules[0].operations: Required value",
                "m.resourceRules[0].apiGroups: Required value",
                "m.resourceRules[0].apiVersions: Required value",
                "m.resourceRules[0].resources: Required value",
            ]
        );
    }
}
