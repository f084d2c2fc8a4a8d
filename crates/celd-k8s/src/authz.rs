//! The Kubernetes authz library: the `authorizer` variable, its checks and decisions, and the
//! [`Authorizer`] trait a host implements to answer them.
//!
//! Names, overload ids, types and errors follow `k8s.io/apiserver/pkg/cel/library/authz.go`
//! (with the `fieldSelector`/`labelSelector` of Kubernetes 1.31+); costs follow `cost.go`: a
//! `check` costs 350,000, the builders and accessors 1, a selector
//! `10 + ⌈0.1·len⌉ + 50·⌈0.5·len⌉`. The authorizer travels in the `authorizer` value of each
//! evaluation, so one compiled program serves any number of authorizers.

use std::fmt;
use std::sync::Arc;

use celd::{Cost, EnvBuilder, EvalError, HostType, Overload, Type};

/// What a check asks: the principal, the verb, and a resource or a non-resource path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    /// The principal: empty for the user of the request, else
    /// `system:serviceaccount:<namespace>:<name>` (from `serviceAccount`).
    pub user: String,
    /// The API verb (`get`, `create`, …) or, for a path, the HTTP verb as written.
    pub verb: String,
    /// `Some` for `authorizer.path(p)`, `None` for resource checks.
    pub path: Option<String>,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
    /// The raw field selector, as given to `fieldSelector` (empty when unset).
    pub field_selector: String,
    /// The raw label selector, as given to `labelSelector` (empty when unset).
    pub label_selector: String,
}

impl Attributes {
    /// Whether the check is for a resource (not a path).
    pub fn is_resource_request(&self) -> bool {
        self.path.is_none()
    }
}

/// An authorizer's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Deny,
    NoOpinion,
}

/// The answer to one check: `allowed()` is true only for [`Verdict::Allow`]; an `error` makes
/// `errored()` true.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthzDecision {
    pub verdict: Verdict,
    pub reason: String,
    pub error: Option<String>,
}

/// What the host implements to answer `check`: kube-apiserver's authorizer chain, a
/// SubjectAccessReview client, or a fixed set of rules ([`Rules`]).
pub trait Authorizer: fmt::Debug + Send + Sync {
    fn authorize(&self, attributes: &Attributes) -> AuthzDecision;
}

/// `kubernetes.authorization.Authorizer`: the principal and the authorizer answering for it.
#[derive(Clone, Debug)]
pub struct AuthorizerValue {
    user: String,
    authorizer: Arc<dyn Authorizer>,
}

impl AuthorizerValue {
    /// The `authorizer` of a request sent by `user` (empty for the request's own user).
    pub fn new(authorizer: Arc<dyn Authorizer>, user: &str) -> AuthorizerValue {
        AuthorizerValue {
            user: user.to_string(),
            authorizer,
        }
    }

    /// `authorizer.requestResource`: a check of the request's own resource.
    pub fn request_resource(&self, resource: &RequestResource) -> ResourceCheck {
        ResourceCheck {
            authorizer: self.clone(),
            attributes: Attributes {
                group: resource.group.clone(),
                resource: resource.resource.clone(),
                subresource: resource.subresource.clone(),
                namespace: resource.namespace.clone(),
                name: resource.name.clone(),
                ..Attributes::default()
            },
        }
    }
}

/// The resource a request is for, as `authorizer.requestResource` checks it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestResource {
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
}

/// `kubernetes.authorization.PathCheck`.
#[derive(Clone, Debug)]
pub struct PathCheck {
    authorizer: AuthorizerValue,
    path: String,
}

/// `kubernetes.authorization.GroupCheck`.
#[derive(Clone, Debug)]
pub struct GroupCheck {
    authorizer: AuthorizerValue,
    group: String,
}

/// `kubernetes.authorization.ResourceCheck`.
#[derive(Clone, Debug)]
pub struct ResourceCheck {
    authorizer: AuthorizerValue,
    attributes: Attributes,
}

/// `kubernetes.authorization.Decision`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision(pub AuthzDecision);

/// Receiver-only values equal themselves by content (Kubernetes compares the structs).
macro_rules! receiver_only {
    ($ty:ty, $name:literal, |$a:ident, $b:ident| $eq:expr) => {
        impl HostType for $ty {
            const TYPE_NAME: &'static str = $name;
            fn equals(&self, other: &Self) -> bool {
                let ($a, $b) = (self, other);
                $eq
            }
            fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($name)
            }
        }
    };
}

fn same_authorizer(a: &AuthorizerValue, b: &AuthorizerValue) -> bool {
    a.user == b.user && Arc::ptr_eq(&a.authorizer, &b.authorizer)
}

receiver_only!(
    AuthorizerValue,
    "kubernetes.authorization.Authorizer",
    |a, b| same_authorizer(a, b)
);
receiver_only!(PathCheck, "kubernetes.authorization.PathCheck", |a, b| {
    same_authorizer(&a.authorizer, &b.authorizer) && a.path == b.path
});
receiver_only!(GroupCheck, "kubernetes.authorization.GroupCheck", |a, b| {
    same_authorizer(&a.authorizer, &b.authorizer) && a.group == b.group
});
receiver_only!(
    ResourceCheck,
    "kubernetes.authorization.ResourceCheck",
    |a, b| same_authorizer(&a.authorizer, &b.authorizer) && a.attributes == b.attributes
);
receiver_only!(Decision, "kubernetes.authorization.Decision", |a, b| a == b);

/// The CEL type names of the library.
pub const AUTHORIZER_TYPE: &str = "kubernetes.authorization.Authorizer";
pub const RESOURCE_CHECK_TYPE: &str = "kubernetes.authorization.ResourceCheck";

/// What an authorization check costs (`cost.go`): sized so an expression can afford two.
pub const CHECK_COST: u64 = 350_000;

/// `selectorCostEstimate` of `cost.go` for a selector of `length` bytes: a list, the parse
/// (a tenth per byte) and a list and a struct for every two bytes.
pub fn selector_cost(length: u64) -> u64 {
    let parse = (length as f64 * 0.1).ceil() as u64;
    let requirements = (length as f64 * 0.5).ceil() as u64;
    10u64
        .saturating_add(parse)
        .saturating_add(requirements.saturating_mul(50))
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// A namespace name, as `ValidateNamespaceName` checks it.
fn is_dns_label(s: &str) -> bool {
    crate::format::is_dns1123_label(s).is_empty()
}

/// A service account name, as `ValidateServiceAccountName` checks it.
fn is_dns_subdomain(s: &str) -> bool {
    crate::format::is_dns1123_subdomain(s).is_empty()
}

fn nominal(id: &'static str, f: Overload) -> Overload {
    f.id(id).cost(Cost::fixed(1))
}

/// Adds the authz library's types and functions (`authorizer_path`, `groupcheck_resource`, …).
pub fn register(env: EnvBuilder) -> EnvBuilder {
    let env = env
        .host_type::<AuthorizerValue>()
        .host_type::<PathCheck>()
        .host_type::<GroupCheck>()
        .host_type::<ResourceCheck>()
        .host_type::<Decision>();
    let env = env
        .method(
            "path",
            nominal(
                "authorizer_path",
                Overload::new(
                    |a: &AuthorizerValue, path: &str| -> Result<PathCheck, EvalError> {
                        if blank(path) {
                            return Err(EvalError::invalid_argument("path must not be empty"));
                        }
                        Ok(PathCheck {
                            authorizer: a.clone(),
                            path: path.to_string(),
                        })
                    },
                ),
            ),
        )
        .method(
            "group",
            nominal(
                "authorizer_group",
                Overload::new(|a: &AuthorizerValue, group: &str| GroupCheck {
                    authorizer: a.clone(),
                    group: group.to_string(),
                }),
            ),
        )
        .method(
            "serviceAccount",
            nominal(
                "authorizer_serviceaccount",
                Overload::new(
                    |a: &AuthorizerValue,
                     namespace: &str,
                     name: &str|
                     -> Result<AuthorizerValue, EvalError> {
                        if !is_dns_subdomain(name) {
                            return Err(EvalError::invalid_argument(
                                "Invalid service account name",
                            ));
                        }
                        if !is_dns_label(namespace) {
                            return Err(EvalError::invalid_argument(
                                "Invalid service account namespace",
                            ));
                        }
                        Ok(AuthorizerValue {
                            user: format!("system:serviceaccount:{namespace}:{name}"),
                            authorizer: a.authorizer.clone(),
                        })
                    },
                ),
            ),
        )
        .method(
            "resource",
            nominal(
                "groupcheck_resource",
                Overload::new(
                    |g: &GroupCheck, resource: &str| -> Result<ResourceCheck, EvalError> {
                        if blank(resource) {
                            return Err(EvalError::invalid_argument("resource must not be empty"));
                        }
                        Ok(ResourceCheck {
                            authorizer: g.authorizer.clone(),
                            attributes: Attributes {
                                group: g.group.clone(),
                                resource: resource.to_string(),
                                ..Attributes::default()
                            },
                        })
                    },
                ),
            ),
        );
    let env = resource_setter(env, "subresource", "resourcecheck_subresource", |a, s| {
        a.subresource = s
    });
    let env = resource_setter(env, "namespace", "resourcecheck_namespace", |a, s| {
        a.namespace = s
    });
    let env = resource_setter(env, "name", "resourcecheck_name", |a, s| a.name = s);
    let env = selector_setter(env, "fieldSelector", "authorizer_fieldselector", |a, s| {
        a.field_selector = s
    });
    let env = selector_setter(env, "labelSelector", "authorizer_labelselector", |a, s| {
        a.label_selector = s
    });
    let env = checks(env);
    decision_accessors(env)
}

fn resource_setter(
    env: EnvBuilder,
    name: &'static str,
    id: &'static str,
    set: fn(&mut Attributes, String),
) -> EnvBuilder {
    env.method(
        name,
        nominal(
            id,
            Overload::new(move |r: &ResourceCheck, s: &str| with(r, set, s)),
        ),
    )
}

fn selector_setter(
    env: EnvBuilder,
    name: &'static str,
    id: &'static str,
    set: fn(&mut Attributes, String),
) -> EnvBuilder {
    let cost = Cost::from_sizes(|sizes| selector_cost(sizes.get(1).copied().unwrap_or(0)));
    env.method(
        name,
        Overload::new(move |r: &ResourceCheck, s: &str| with(r, set, s))
            .id(id)
            .cost(cost),
    )
}

fn with(r: &ResourceCheck, set: fn(&mut Attributes, String), s: &str) -> ResourceCheck {
    let mut next = r.clone();
    set(&mut next.attributes, s.to_string());
    next
}

fn checks(env: EnvBuilder) -> EnvBuilder {
    env.method(
        "check",
        Overload::new(|p: &PathCheck, verb: &str| {
            let attributes = Attributes {
                user: p.authorizer.user.clone(),
                verb: verb.to_string(),
                path: Some(p.path.clone()),
                ..Attributes::default()
            };
            Decision(p.authorizer.authorizer.authorize(&attributes))
        })
        .id("pathcheck_check")
        .cost(Cost::fixed(CHECK_COST)),
    )
    .method(
        "check",
        Overload::new(|r: &ResourceCheck, verb: &str| {
            let attributes = Attributes {
                user: r.authorizer.user.clone(),
                verb: verb.to_string(),
                ..r.attributes.clone()
            };
            Decision(r.authorizer.authorizer.authorize(&attributes))
        })
        .id("resourcecheck_check")
        .cost(Cost::fixed(CHECK_COST)),
    )
}

fn decision_accessors(env: EnvBuilder) -> EnvBuilder {
    env.method(
        "allowed",
        nominal(
            "decision_allowed",
            Overload::new(|d: &Decision| d.0.verdict == Verdict::Allow),
        ),
    )
    .method(
        "reason",
        nominal(
            "decision_reason",
            Overload::new(|d: &Decision| d.0.reason.clone()),
        ),
    )
    .method(
        "errored",
        nominal(
            "decision_errored",
            Overload::new(|d: &Decision| d.0.error.is_some()),
        ),
    )
    .method(
        "error",
        nominal(
            "decision_error",
            Overload::new(|d: &Decision| d.0.error.clone().unwrap_or_default()),
        ),
    )
}

/// The variables the library's context declares: `authorizer` and
/// `authorizer.requestResource`.
pub fn declare_variables(env: EnvBuilder) -> EnvBuilder {
    env.variable("authorizer", Type::named(AUTHORIZER_TYPE))
        .variable(
            "authorizer.requestResource",
            Type::named(RESOURCE_CHECK_TYPE),
        )
}

/// A fixed authorizer: each rule allows one verb on one resource or path; everything else gets
/// no opinion. A rule is `VERB:GROUP/RESOURCE[/SUBRESOURCE]` (the core group empty:
/// `get:/pods`), `VERB:PATH` for a non-resource path starting with `/` written after `path:`
/// (`get:path:/healthz`), and `*` matches any verb, group, resource or subresource.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    Resource {
        group: String,
        resource: String,
        subresource: Option<String>,
    },
    Path(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    text: String,
    verb: String,
    target: Target,
}

/// A rule that does not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError(pub String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid authorizer rule {:?}: expected VERB:GROUP/RESOURCE[/SUBRESOURCE] or VERB:path:/PATH",
            self.0
        )
    }
}

impl std::error::Error for RuleError {}

fn matches(pattern: &str, value: &str) -> bool {
    pattern == "*" || pattern == value
}

impl Rules {
    /// Reads rules such as `get:apps/deployments`, `create:/pods/status`, `get:path:/healthz`.
    pub fn parse<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<Rules, RuleError> {
        let rules = texts
            .into_iter()
            .map(|t| Rule::parse(t).ok_or_else(|| RuleError(t.to_string())))
            .collect::<Result<_, _>>()?;
        Ok(Rules { rules })
    }
}

impl Rule {
    fn parse(text: &str) -> Option<Rule> {
        let (verb, rest) = text.split_once(':')?;
        if verb.is_empty() {
            return None;
        }
        let target = if let Some(path) = rest.strip_prefix("path:") {
            if !path.starts_with('/') {
                return None;
            }
            Target::Path(path.to_string())
        } else {
            let mut parts = rest.split('/');
            let group = parts.next()?.to_string();
            let resource = parts.next().filter(|r| !r.is_empty())?.to_string();
            let subresource = parts.next().map(str::to_string);
            if parts.next().is_some() {
                return None;
            }
            Target::Resource {
                group,
                resource,
                subresource,
            }
        };
        Some(Rule {
            text: text.to_string(),
            verb: verb.to_string(),
            target,
        })
    }

    fn allows(&self, a: &Attributes) -> bool {
        if !matches(&self.verb, &a.verb) {
            return false;
        }
        match (&self.target, &a.path) {
            (Target::Path(p), Some(path)) => p == "*" || p == path,
            (
                Target::Resource {
                    group,
                    resource,
                    subresource,
                },
                None,
            ) => {
                matches(group, &a.group)
                    && matches(resource, &a.resource)
                    && match subresource {
                        Some(s) => matches(s, &a.subresource),
                        None => a.subresource.is_empty(),
                    }
            }
            _ => false,
        }
    }
}

impl Authorizer for Rules {
    fn authorize(&self, attributes: &Attributes) -> AuthzDecision {
        match self.rules.iter().find(|r| r.allows(attributes)) {
            Some(rule) => AuthzDecision {
                verdict: Verdict::Allow,
                reason: format!("allowed by rule {:?}", rule.text),
                error: None,
            },
            None => AuthzDecision {
                verdict: Verdict::NoOpinion,
                reason: String::new(),
                error: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_cost_follows_cost_go() {
        assert_eq!(selector_cost(0), 10);
        // "app=example": 11 bytes, parse 2, 6 requirements of 50.
        assert_eq!(selector_cost(11), 10 + 2 + 300);
    }

    #[test]
    fn names_are_validated_as_kubernetes_does() {
        assert!(is_dns_label("default"));
        assert!(!is_dns_label("not@a#valid!namespace"));
        assert!(!is_dns_label("-a"));
        assert!(is_dns_subdomain("my.service-account"));
        assert!(!is_dns_subdomain("invalid@*name"));
    }

    #[test]
    fn rules_read_and_match() {
        let rules = Rules::parse([
            "get:apps/deployments",
            "*:/pods/status",
            "get:path:/healthz",
        ])
        .unwrap();
        let check = |verb: &str, group: &str, resource: &str, sub: &str| {
            rules
                .authorize(&Attributes {
                    verb: verb.into(),
                    group: group.into(),
                    resource: resource.into(),
                    subresource: sub.into(),
                    ..Attributes::default()
                })
                .verdict
        };
        assert_eq!(check("get", "apps", "deployments", ""), Verdict::Allow);
        assert_eq!(check("list", "apps", "deployments", ""), Verdict::NoOpinion);
        assert_eq!(
            check("get", "apps", "deployments", "scale"),
            Verdict::NoOpinion
        );
        assert_eq!(check("patch", "", "pods", "status"), Verdict::Allow);
        let path = Attributes {
            verb: "get".into(),
            path: Some("/healthz".into()),
            ..Attributes::default()
        };
        assert_eq!(rules.authorize(&path).verdict, Verdict::Allow);
        assert!(Rules::parse(["get"]).is_err());
        assert!(Rules::parse(["get:apps"]).is_err());
        assert!(Rules::parse([":apps/x"]).is_err());
    }
}
