//! Realistic policy expressions (Kubernetes CRD rules, Kyverno/Gatekeeper, Envoy/Gateway API
//! routes, protovalidate, IAM conditions, pricing and feature flags) over one input document,
//! `realistic.json`, each run checked and unchecked.
//!
//! Every expected value was derived by hand from the CEL language definition and the
//! extension documentation, not by running celd. Where a row needs a calculation the comment
//! beside it shows it. Map iteration order is not specified by CEL, so no row prints a map
//! that has more than one entry (except through `format`'s `%s`, which sorts the keys) or a
//! list built by iterating over a map without sorting it.
//!
//! Error rows name an error kind and a fragment of the message. The spec names few kinds
//! (no such key, no matching overload, division by zero, overflow); where it names none
//! (a bad argument such as `int('25%')`, a duplicate map key, `optional.none().value()`) the
//! row uses celd's classification, `InvalidArgument`.

use celd::layers::value::error::ErrorKind as EvalKind;
use celd::{Env, ErrorKind, Type, Value};
use std::sync::Arc;

/// What a row must give, the same checked and unchecked unless it says otherwise.
enum Want {
    /// A value, as `Value`'s `Display` prints it.
    Value(&'static str),
    /// An evaluation error of this kind whose message contains the fragment.
    Error(EvalKind, &'static str),
    /// Checked: a check error whose message contains the first fragment. Unchecked: this value.
    CheckThenValue(&'static str, &'static str),
    /// Checked: a check error whose message contains the first fragment. Unchecked: an
    /// evaluation error of this kind whose message contains the second fragment.
    CheckThenError(&'static str, EvalKind, &'static str),
    /// A parse error (macro expansion included) whose message contains the fragment.
    ParseError(&'static str),
}

use EvalKind::{
    DivisionByZero, IndexOutOfRange, InvalidArgument, NoSuchKey, NoSuchOverload, Overflow,
    UnboundVariable,
};
use Want::{CheckThenError, CheckThenValue, Error, ParseError};

const fn v(text: &'static str) -> Want {
    Want::Value(text)
}

fn map_of(key: Type, value: Type) -> Type {
    Type::Map(Arc::new((key, value)))
}

/// The declarations: typed where a policy engine would know the type, `dyn` elsewhere.
fn env() -> Env {
    let object = || map_of(Type::String, Type::Dyn);
    Env::builder()
        .variable("self", object())
        .variable("oldSelf", object())
        .variable("object", Type::Dyn)
        .variable("request", object())
        .variable("headers", map_of(Type::String, Type::String))
        .variable("principal", object())
        .variable("groups", Type::List(Arc::new(Type::String)))
        .variable("resource", object())
        .variable("now", Type::Timestamp)
        .variable("this", Type::Dyn)
        .variable("cart", Type::Dyn)
        .variable("user", object())
        .all_extensions()
        .build()
        .expect("the test environment builds")
}

/// Every top-level entry of `realistic.json` bound to the variable of that name.
fn activation(env: &Env) -> celd::Activation {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("realistic.json")).expect("realistic.json is JSON");
    let Value::Map(doc) = celd::layers::value::json::from_json(&json).expect("celd JSON") else {
        panic!("realistic.json holds an object");
    };
    let mut act = env.activation();
    for (name, value) in doc.iter() {
        let Value::String(name) = name.to_value() else {
            panic!("variable names are strings");
        };
        act.insert(&name, value.clone());
    }
    act
}

/// What one evaluation gave, for the failure report.
fn describe(result: &Result<Value, celd::Error>) -> String {
    match result {
        Ok(value) => value.to_string(),
        Err(e) => match e.eval_error() {
            Some(eval) => format!("{:?} error: {}", eval.kind(), e.message()),
            None => format!("{} error: {}", e.kind().name(), e.message()),
        },
    }
}

fn is_value(result: &Result<Value, celd::Error>, want: &str) -> bool {
    matches!(result, Ok(value) if value.to_string() == want)
}

fn is_eval_error(result: &Result<Value, celd::Error>, kind: EvalKind, fragment: &str) -> bool {
    match result {
        Err(e) => e
            .eval_error()
            .is_some_and(|eval| eval.kind() == kind && e.message().contains(fragment)),
        Ok(_) => false,
    }
}

fn is_parse_error(result: &Result<Value, celd::Error>, fragment: &str) -> bool {
    matches!(result, Err(e) if e.kind() == ErrorKind::Parse && e.message().contains(fragment))
}

fn is_check_error(result: &Result<Value, celd::Error>, fragment: &str) -> bool {
    matches!(result, Err(e) if e.kind() == ErrorKind::Check && e.message().contains(fragment))
}

/// Runs every row checked and unchecked against the document and reports every mismatch.
#[track_caller]
fn check_rows(rows: &[(&str, Want)]) {
    let env = env();
    let act = activation(&env);
    let mut failures = Vec::new();
    for (src, want) in rows {
        for checked in [true, false] {
            let result = if checked {
                env.compile(src)
            } else {
                env.compile_unchecked(src)
            }
            .and_then(|p| p.eval(&act));
            let (ok, wanted) = match (want, checked) {
                (Want::Value(text), _) | (CheckThenValue(_, text), false) => {
                    (is_value(&result, text), text.to_string())
                }
                (Error(kind, fragment), _) | (CheckThenError(_, kind, fragment), false) => (
                    is_eval_error(&result, *kind, fragment),
                    format!("{kind:?} error containing {fragment:?}"),
                ),
                (ParseError(fragment), _) => (
                    is_parse_error(&result, fragment),
                    format!("parse error containing {fragment:?}"),
                ),
                (CheckThenValue(fragment, _) | CheckThenError(fragment, ..), true) => (
                    is_check_error(&result, fragment),
                    format!("check error containing {fragment:?}"),
                ),
            };
            if !ok {
                failures.push(format!(
                    "{src} (checked: {checked})\n   want: {wanted}\n    got: {}",
                    describe(&result)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Kubernetes CRD validation rules (`x-kubernetes-validations`) on `self`, and transition
/// rules comparing it with `oldSelf`.
#[test]
fn kubernetes_crd_rules() {
    check_rows(&[
        ("self.spec.replicas <= self.spec.maxReplicas", v("true")),
        (
            "self.spec.minReplicas <= self.spec.replicas && self.spec.replicas <= self.spec.maxReplicas",
            v("true"),
        ),
        // The envoy sidecar comes from docker.io.
        (
            "self.spec.containers.all(c, c.image.startsWith('registry.example.com/'))",
            v("false"),
        ),
        ("self.spec.containers.exists(c, c.name == 'api')", v("true")),
        (
            "self.spec.containers.map(c, c.name)",
            v(r#"["api", "envoy"]"#),
        ),
        (
            "self.spec.containers.all(c, c.ports.all(p, p.containerPort > 1024 && p.containerPort < 65536))",
            v("true"),
        ),
        (
            "self.spec.containers.map(c, c.name).size() == self.spec.containers.map(c, c.name).distinct().size()",
            v("true"),
        ),
        (
            "has(self.spec.strategy) ? self.spec.strategy.type in ['RollingUpdate', 'Recreate'] : true",
            v("true"),
        ),
        (
            "has(self.spec.autoscaling) ? self.spec.autoscaling.enabled : false",
            v("false"),
        ),
        ("self.?spec.?replicas.orValue(1)", v("3")),
        ("self.?spec.?autoscaling.?minReplicas.orValue(1)", v("1")),
        ("self.spec.?autoscaling", v("optional.none()")),
        // 'checkout-api': 12 characters, a DNS-1123 label.
        (
            "self.metadata.name.size() <= 63 && self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
            v("true"),
        ),
        (
            "self.metadata.labels['env'] in ['dev', 'staging', 'prod']",
            v("true"),
        ),
        (
            "'team' in self.metadata.labels && self.metadata.labels.team != ''",
            v("true"),
        ),
        // 'app.kubernetes.io/name' does not start with 'kubernetes.io/'.
        (
            "self.metadata.labels.all(k, !k.startsWith('kubernetes.io/'))",
            v("true"),
        ),
        ("self.metadata.name == oldSelf.metadata.name", v("true")),
        ("self.spec.replicas >= oldSelf.spec.replicas", v("true")),
        (
            "self.spec.storage.size == oldSelf.spec.storage.size",
            v("false"),
        ),
        // 20 >= 10: volumes may grow, never shrink.
        (
            "int(self.spec.storage.size.replace('Gi', '')) >= int(oldSelf.spec.storage.size.replace('Gi', ''))",
            v("true"),
        ),
        (
            "oldSelf.metadata.finalizers.all(f, f in self.metadata.finalizers)",
            v("true"),
        ),
        (
            "sets.contains(self.metadata.finalizers, oldSelf.metadata.finalizers)",
            v("true"),
        ),
        (
            "!has(oldSelf.spec.serviceAccountName) || self.spec.serviceAccountName == oldSelf.spec.serviceAccountName",
            v("true"),
        ),
        // The api image moved from 2.4.0 to 2.4.1.
        (
            "oldSelf.spec.containers.map(c, c.image) != self.spec.containers.map(c, c.image)",
            v("true"),
        ),
        (
            "self.status.conditions.exists_one(c, c.type == 'Available' && c.status == 'True')",
            v("true"),
        ),
        (
            "self.status.conditions.filter(c, c.status == 'True').map(c, c.type)",
            v(r#"["Available", "Progressing"]"#),
        ),
        (
            "self.status.observedGeneration < self.metadata.generation",
            v("true"),
        ),
        (
            "self.status.readyReplicas == self.spec.replicas ? 'Ready' : 'Scaling'",
            v(r#""Scaling""#),
        ),
        ("has(self.status.conditions[2].reason)", v("false")),
        (
            "self.spec.containers.all(c, has(c.resources.limits) && has(c.resources.limits.memory))",
            v("true"),
        ),
        // The envoy container sets no readOnlyRootFilesystem.
        (
            "self.spec.containers.all(c, c.securityContext.?readOnlyRootFilesystem.orValue(false))",
            v("false"),
        ),
        (
            "self.spec.containers.filter(c, !c.securityContext.?readOnlyRootFilesystem.orValue(false)).map(c, c.name)",
            v(r#"["envoy"]"#),
        ),
        // LOG_LEVEL has only value, DB_PASSWORD only valueFrom; envoy has no env.
        (
            "self.spec.containers.all(c, !has(c.env) || c.env.all(e, has(e.value) != has(e.valueFrom)))",
            v("true"),
        ),
        (
            "self.spec.strategy.type == 'RollingUpdate' && self.spec.strategy.rollingUpdate.maxSurge.endsWith('%')",
            v("true"),
        ),
        (
            "int(self.spec.strategy.rollingUpdate.maxSurge.replace('%', '')) <= 50",
            v("true"),
        ),
        (
            "self.spec.hosts.all(h, h.endsWith('.example.com') || h == 'example.com')",
            v("true"),
        ),
        (
            "self.spec.containers.map(c, c.image.split(':')[1])",
            v(r#"["2.4.1", "v1.29.1"]"#),
        ),
        (
            "self.metadata.creationTimestamp < self.status.conditions[0].lastTransitionTime",
            v("true"),
        ),
        ("duration(self.spec.timeout) <= duration('1m')", v("true")),
        // IntOrString fields: maxUnavailable is the int 1, maxSurge the string '25%'
        // (25 * 3 / 100 = 0 in integer arithmetic).
        (
            "type(self.spec.strategy.rollingUpdate.maxUnavailable) == int ? self.spec.strategy.rollingUpdate.maxUnavailable : int(self.spec.strategy.rollingUpdate.maxUnavailable.replace('%', '')) * self.spec.replicas / 100",
            v("1"),
        ),
        (
            "type(self.spec.strategy.rollingUpdate.maxSurge) == int ? self.spec.strategy.rollingUpdate.maxSurge : int(self.spec.strategy.rollingUpdate.maxSurge.replace('%', '')) * self.spec.replicas / 100",
            v("0"),
        ),
        // StatefulSet-style pod names.
        (
            "lists.range(self.spec.replicas).map(i, self.metadata.name + '-' + string(i))",
            v(r#"["checkout-api-0", "checkout-api-1", "checkout-api-2"]"#),
        ),
        ("self.metadata.labels.size()", v("5")),
        (
            "self.metadata.annotations.owner.split('@')[1]",
            v(r#""example.com""#),
        ),
        // Strings order by code points: '2.4.1' > '2.4.0'.
        (
            "self.metadata.labels['app.kubernetes.io/version'] > oldSelf.metadata.labels['app.kubernetes.io/version']",
            v("true"),
        ),
        (
            "self.metadata.labels['app.kubernetes.io/version'].split('.').map(p, int(p))",
            v("[2, 4, 1]"),
        ),
        // A version may not go backwards: [2, 4, 1] against [2, 4, 0].
        (
            "cel.bind(v, self.metadata.labels['app.kubernetes.io/version'].split('.').map(p, int(p)), cel.bind(o, oldSelf.metadata.labels['app.kubernetes.io/version'].split('.').map(p, int(p)), v[0] > o[0] || (v[0] == o[0] && (v[1] > o[1] || (v[1] == o[1] && v[2] >= o[2])))))",
            v("true"),
        ),
        // Numbers compare across int, uint and double at run time.
        ("self.spec.replicas == 3.0", v("true")),
        ("self.spec.replicas < 3.5", v("true")),
        ("self.spec.replicas in [1u, 3u]", v("true")),
        ("uint(self.spec.replicas) * 2u", v("6u")),
        ("self.spec.replicas % 2 == 1", v("true")),
        // Integer division truncates toward zero: (2 - 3) / 2 is 0, not -1.
        ("(oldSelf.spec.replicas - self.spec.replicas) / 2", v("0")),
        (
            "math.sign(self.spec.replicas - oldSelf.spec.replicas)",
            v("1"),
        ),
        (
            "math.least(self.spec.maxReplicas, 2 * self.spec.replicas)",
            v("6"),
        ),
        // 3 * 0.75 = 2.25, truncated.
        ("int(double(self.spec.replicas) * 0.75)", v("2")),
        ("double(self.spec.replicas) / 2.0", v("1.5")),
        // -2.5 rounds away from zero.
        (
            "math.round(double(oldSelf.spec.replicas - self.spec.replicas) * 2.5)",
            v("-3.0"),
        ),
        (
            "sets.equivalent(self.spec.containers.map(c, c.name), ['envoy', 'api'])",
            v("true"),
        ),
        // Messages for a failed rule; %s prints a map with its keys sorted.
        (
            "'%s'.format([self.spec.containers[0].ports[0]])",
            v(r#""{containerPort: 8080, name: http, protocol: TCP}""#),
        ),
        (
            "'node selector: %s'.format([self.spec.nodeSelector])",
            v(r#""node selector: null""#),
        ),
        (
            "'paused=%s'.format([self.spec.paused])",
            v(r#""paused=false""#),
        ),
        (
            "'%s'.format([self.spec.hosts])",
            v(r#""[shop.example.com, api.shop.example.com]""#),
        ),
        (
            "'%s, last transition %s'.format([self.status.phase, self.status.conditions[1].lastTransitionTime])",
            v(r#""Progressing, last transition 2024-06-14T22:40:00Z""#),
        ),
        // 8080 = 0x1f90.
        (
            "'%x'.format([self.spec.containers[0].ports[0].containerPort])",
            v(r#""1f90""#),
        ),
        // `in` on a map tests keys, not values.
        ("'prod' in self.metadata.labels", v("false")),
        (
            "self.metadata.labels.exists(k, self.metadata.labels[k] == 'prod')",
            v("true"),
        ),
        // Deep equality of lists and maps; 1 == 1.0 inside them too.
        (
            "self.spec.containers[1].ports == oldSelf.spec.containers[1].ports",
            v("true"),
        ),
        (
            "self.spec.containers == oldSelf.spec.containers",
            v("false"),
        ),
        ("self.spec.strategy == oldSelf.spec.strategy", v("true")),
        (
            "self.spec.strategy.rollingUpdate == {'maxSurge': '25%', 'maxUnavailable': 1.0}",
            v("true"),
        ),
        // A key holding JSON null is present; its value is null.
        ("has(self.spec.nodeSelector)", v("true")),
        ("self.spec.nodeSelector == null", v("true")),
        ("type(self.spec.nodeSelector) == null_type", v("true")),
        ("self.spec.?nodeSelector", v("optional.of(null)")),
        // orValue only replaces an absent value, so size() gets null.
        (
            "self.spec.?nodeSelector.orValue({}).size()",
            Error(NoSuchOverload, ""),
        ),
        // Comma-separated annotations.
        (
            "self.metadata.annotations['example.com/allowed-cidrs'].split(',').map(s, s.trim())",
            v(r#"["10.0.0.0/8", "192.168.0.0/16"]"#),
        ),
        (
            "self.metadata.annotations['example.com/allowed-cidrs'].split(',').map(s, s.trim()).all(c, isCIDR(c))",
            v("true"),
        ),
        (
            "self.metadata.annotations['example.com/allowed-cidrs'].split(',').exists(c, cidr(c.trim()).containsIP('192.168.1.20'))",
            v("true"),
        ),
        // Splitting the empty string gives one empty string.
        (
            "self.metadata.annotations['example.com/extra-hosts'].split(',')",
            v(r#"[""]"#),
        ),
        (
            "self.metadata.annotations['example.com/extra-hosts'].split(',').filter(h, h != '')",
            v("[]"),
        ),
        // An annotation is a string: comparing it with a bool is false, using it as a
        // condition is an error.
        (
            "self.metadata.annotations['deploy.example.com/paused'] == false",
            v("false"),
        ),
        (
            "self.metadata.annotations['deploy.example.com/paused'] ? 'paused' : 'running'",
            Error(NoSuchOverload, ""),
        ),
        (
            "!self.metadata.annotations['deploy.example.com/paused']",
            Error(NoSuchOverload, ""),
        ),
        ("self.spec.replicas == '3'", v("false")),
        // has() takes a field selection, not an index.
        (
            "has(self.metadata.labels['env'])",
            ParseError("invalid argument to has() macro"),
        ),
        // Missing keys without has(): errors.
        (
            "self.spec.autoscaling.enabled",
            Error(NoSuchKey, "autoscaling"),
        ),
        (
            "self.status.conditions.filter(c, c.type == 'Degraded')[0].reason",
            Error(NoSuchKey, "reason"),
        ),
        ("self.metadata.labels['owner']", Error(NoSuchKey, "owner")),
        ("self.spec.containers[2]", Error(IndexOutOfRange, "2")),
    ]);
}

/// Kyverno and Gatekeeper style admission policies on a Pod, `object`.
#[test]
fn admission_policies() {
    check_rows(&[
        (
            "object.spec.containers.all(c, !c.image.endsWith(':latest'))",
            v("true"),
        ),
        // 'busybox' has neither a tag nor a digest.
        (
            "object.spec.containers.all(c, c.image.contains(':') || c.image.contains('@'))",
            v("false"),
        ),
        // Only ghcr.io/... names a registry host (a dotted first segment followed by '/').
        (
            r"object.spec.containers.filter(c, !c.image.matches('^[^/]+\\.[^/]+/')).map(c, c.name)",
            v(r#"["web", "debug"]"#),
        ),
        (
            "object.spec.containers.all(c, !c.?securityContext.?privileged.orValue(false))",
            v("false"),
        ),
        (
            "object.spec.containers.filter(c, c.?securityContext.?privileged.orValue(false)).map(c, c.name)",
            v(r#"["log-shipper"]"#),
        ),
        (
            "has(object.metadata.labels.owner) && object.metadata.labels.owner.matches('^[a-z]+$')",
            v("true"),
        ),
        (
            "['app', 'owner', 'cost-center'].filter(l, !(l in object.metadata.labels))",
            v(r#"["cost-center"]"#),
        ),
        (
            "'missing required labels: ' + ['app', 'owner', 'cost-center'].filter(l, !(l in object.metadata.labels)).join(', ')",
            v(r#""missing required labels: cost-center""#),
        ),
        // web publishes hostPort 8080.
        (
            "object.spec.containers.all(c, c.?ports.orValue([]).all(p, !has(p.hostPort)))",
            v("false"),
        ),
        (
            "object.spec.?volumes.orValue([]).exists(v, has(v.hostPath))",
            v("true"),
        ),
        (
            "object.spec.volumes.filter(v, has(v.hostPath)).map(v, v.hostPath.path)",
            v(r#"["/var/lib/data"]"#),
        ),
        // log-shipper and debug drop nothing.
        (
            "object.spec.containers.all(c, c.?securityContext.?capabilities.?drop.orValue([]).exists(d, d == 'ALL'))",
            v("false"),
        ),
        (
            "object.spec.containers.all(c, c.?securityContext.?capabilities.?add.orValue([]).all(cap, cap in ['NET_BIND_SERVICE']))",
            v("true"),
        ),
        (
            "'%s/%s'.format([object.metadata.namespace, object.metadata.name])",
            v(r#""default/web-7d9f""#),
        ),
        (
            "'container %s uses image %s'.format([object.spec.containers[0].name, object.spec.containers[0].image])",
            v(r#""container web uses image nginx:1.25.3""#),
        ),
        (
            "object.metadata.annotations['sidecar.istio.io/inject'] == 'true'",
            v("true"),
        ),
        (
            "object.spec.initContainers.all(ic, ic.image.startsWith('busybox'))",
            v("true"),
        ),
        (
            "(object.spec.initContainers + object.spec.containers).map(c, c.name)",
            v(r#"["init-db", "web", "log-shipper", "debug"]"#),
        ),
        (
            "object.spec.containers.map(c, c.image.split('@')[0].split(':')[0])",
            v(r#"["nginx", "ghcr.io/acme/shipper", "busybox"]"#),
        ),
        (
            "(object.spec.initContainers + object.spec.containers).exists(c, c.?securityContext.?runAsUser.orValue(1000) == 0)",
            v("true"),
        ),
        // && stops at the first missing piece, so no error.
        (
            "object.spec.containers.all(c, has(c.resources) && has(c.resources.limits) && 'memory' in c.resources.limits)",
            v("false"),
        ),
        (
            "object.spec.containers.filter(c, !has(c.resources) || !has(c.resources.limits)).map(c, c.name)",
            v(r#"["log-shipper", "debug"]"#),
        ),
        // web passes; log-shipper (resources: {}) and debug (no resources) fail to select:
        // no predicate is false, so all() is an error.
        (
            "object.spec.containers.all(c, c.resources.limits.memory != '')",
            Error(NoSuchKey, ""),
        ),
        (
            "object.spec.hostNetwork == false && !object.spec.?hostPID.orValue(false)",
            v("true"),
        ),
        (
            "object.metadata.name.startsWith(object.metadata.labels.app + '-')",
            v("true"),
        ),
        // 420 is the file mode 0644.
        (
            "'mode %o'.format([object.spec.volumes[1].configMap.defaultMode])",
            v(r#""mode 644""#),
        ),
        // 8080 / 80
        (
            "object.spec.containers[0].ports[0].hostPort / object.spec.containers[0].ports[0].containerPort",
            v("101"),
        ),
    ]);
}

/// Envoy RBAC / ext_authz and Gateway API route conditions on an HTTP `request` and its
/// `headers` (declared `map(string, string)`).
#[test]
fn http_route_conditions() {
    check_rows(&[
        ("request.headers['x-user'] == 'admin'", v("false")),
        ("headers['x-user'] == 'alice'", v("true")),
        (
            "request.method in ['GET', 'HEAD'] || request.path.startsWith('/api/')",
            v("true"),
        ),
        (
            "request.path.split('?')[0]",
            v(r#""/api/v2/orders/12345/items""#),
        ),
        (
            "request.path.matches('^/api/v[0-9]+/orders/[0-9]+/items')",
            v("true"),
        ),
        (
            "request.path.split('?')[0].split('/')",
            v(r#"["", "api", "v2", "orders", "12345", "items"]"#),
        ),
        (
            "int(request.path.split('?')[0].split('/')[4]) > 10000",
            v("true"),
        ),
        (
            "'x-canary' in headers && headers['x-canary'] == 'true'",
            v("true"),
        ),
        ("headers[?'x-tenant'].orValue('default')", v(r#""default""#)),
        ("headers[?'x-user']", v(r#"optional.of("alice")"#)),
        (
            "request.path.startsWith('/api/') && !request.path.contains('..')",
            v("true"),
        ),
        (
            "base64.encode(bytes(headers['x-user']))",
            v(r#""YWxpY2U=""#),
        ),
        ("request.headers.size()", v("8")),
        (
            "headers.exists(k, v, k.startsWith('x-') && v == 'true')",
            v("true"),
        ),
        (
            "headers['content-type'].startsWith('application/json')",
            v("true"),
        ),
        (
            "headers['authorization'].startsWith('Bearer ') && headers['authorization'].split(' ')[1].split('.').size() == 3",
            v("true"),
        ),
        (
            "headers['x-user-groups'].split(',').exists(g, g == 'admins')",
            v("true"),
        ),
        (
            "headers['x-forwarded-for'].split(',')[1].trim()",
            v(r#""10.0.0.2""#),
        ),
        (
            "cidr('203.0.113.0/24').containsIP(ip(headers['x-forwarded-for'].split(',')[0]))",
            v("true"),
        ),
        (
            "cidr('10.0.0.0/8').containsIP(headers['x-forwarded-for'].split(',')[1].trim())",
            v("true"),
        ),
        ("ip(request.remoteAddress).family() == 4", v("true")),
        (
            "request.host.endsWith('.example.com') && request.scheme == 'https'",
            v("true"),
        ),
        ("int(request.query.?page.orValue('1')) * 20", v("40")),
        ("request.size <= 1024 * 1024", v("true")),
        (
            "request.headers.exists(h, h.startsWith('x-debug'))",
            v("false"),
        ),
        (
            "headers['user-agent'].lowerAscii().contains('curl')",
            v("true"),
        ),
        (
            "request.method == 'POST' ? headers['content-type'].contains('json') : true",
            v("true"),
        ),
        (
            "request.time < timestamp('2024-07-01T00:00:00Z')",
            v("true"),
        ),
        // 22:45:30.25 - 22:00:00 = 45m30.25s.
        (
            "request.time - timestamp('2024-06-14T22:00:00Z') < duration('1h')",
            v("true"),
        ),
        (
            "request.time - timestamp('2024-06-14T22:00:00Z')",
            v(r#"duration("2730.25s")"#),
        ),
        // 22:45 UTC is 00:45 the next day (Saturday) in Berlin (CEST, +02:00).
        ("request.time.getHours('Europe/Berlin')", v("0")),
        ("request.time.getDayOfWeek('Europe/Berlin')", v("6")),
        // 2024-06-14 is a Friday.
        ("request.time.getDayOfWeek()", v("5")),
        // 18:45 in New York (EDT, -04:00): outside business hours.
        (
            "request.time.getHours('America/New_York') >= 9 && request.time.getHours('America/New_York') < 17",
            v("false"),
        ),
        ("request.time.getMilliseconds()", v("250")),
        ("request.time.getSeconds()", v("30")),
        (
            "request.time + duration('1s')",
            v(r#"timestamp("2024-06-14T22:45:31.25Z")"#),
        ),
        // A header that is not there, read without a presence test.
        (
            "headers['x-tenant'] == 'acme'",
            Error(NoSuchKey, "x-tenant"),
        ),
    ]);
}

/// protovalidate-style field and message rules on a message, `this`.
#[test]
fn protovalidate_rules() {
    check_rows(&[
        ("size(this.name) >= 1 && size(this.name) <= 64", v("true")),
        ("this.name.matches('^[a-z0-9-]+$')", v("true")),
        (
            r"this.email.matches('^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$')",
            v("true"),
        ),
        // ['web', 'payments', 'web']: 3 items, 2 distinct.
        (
            "this.tags.size() == this.tags.distinct().size()",
            v("false"),
        ),
        ("this.tags.distinct()", v(r#"["web", "payments"]"#)),
        (
            "this.tags.size() == this.tags.distinct().size() ? '' : 'tags must be unique'",
            v(r#""tags must be unique""#),
        ),
        ("this.age > 0 && this.age < 150", v("true")),
        ("this.sku.matches('^SKU-[0-9]{5}$')", v("true")),
        // RE2 classes and flags.
        (r"this.zip.matches('^\\d{5}$')", v("true")),
        (r"this.city.matches('^\\p{L}+$')", v("true")),
        ("this.country.matches('(?i)^DE$')", v("true")),
        ("this.country.matches('^DE$')", v("false")),
        ("this.min_price <= this.max_price", v("true")),
        ("this.website.startsWith('https://')", v("true")),
        (
            "this.website.matches('^https?://[a-z0-9.-]+(/.*)?$')",
            v("true"),
        ),
        (
            "this.ids.all(id, id > 0) && this.ids.sort() == [1, 3, 4]",
            v("true"),
        ),
        // [3, 1, 4]: 3 < 1 fails at index 1.
        (
            "this.ids.all(i, v, i == 0 || this.ids[i - 1] < v)",
            v("false"),
        ),
        ("this.display_name.trim()", v(r#""Checkout API""#)),
        // Two spaces, 'Checkout API', one space.
        ("this.display_name.size()", v("15")),
        (
            "strings.quote(this.display_name)",
            v(r#""\"  Checkout API \"""#),
        ),
        ("this.name.charAt(0)", v(r#""c""#)),
        ("this.name.indexOf('-')", v("8")),
        ("this.name.lastIndexOf('t')", v("7")),
        (
            "this.name.substring(this.name.indexOf('-') + 1)",
            v(r#""api""#),
        ),
        (
            "this.name.replace('-', '_').upperAscii()",
            v(r#""CHECKOUT_API""#),
        ),
        ("this.tags.join('|')", v(r#""web|payments|web""#)),
        ("this.tags.slice(1, 3)", v(r#"["payments", "web"]"#)),
        ("this.ids.reverse()", v("[4, 1, 3]")),
        ("'%.3f'.format([this.ratio])", v(r#""0.750""#)),
        // 'Zürich': six code points, seven UTF-8 bytes; indexes count code points.
        ("this.city.size() <= 64 && this.city.size() == 6", v("true")),
        ("size(bytes(this.city))", v("7")),
        ("this.city.charAt(1)", v(r#""ü""#)),
        // Z, ü, r: 'r' is the third code point. (First written as 3 by miscounting; celd's 2
        // is right.)
        ("this.city.indexOf('r')", v("2")),
        ("this.city.substring(1, 3)", v(r#""ür""#)),
        ("this.city.reverse()", v(r#""hcirüZ""#)),
        // upperAscii leaves non-ASCII letters alone.
        ("this.city.upperAscii()", v(r#""ZüRICH""#)),
        ("this.tags.sort()", v(r#"["payments", "web", "web"]"#)),
        (
            "this.country.size() == 2 && this.country == this.country.lowerAscii()",
            v("true"),
        ),
        ("this.display_name.trim().size() > 0", v("true")),
        ("this.country.upperAscii() in ['DE', 'FR', 'NL']", v("true")),
        ("this.ratio >= 0.0 && this.ratio <= 1.0", v("true")),
        (
            "this.zip.size() == 5 && this.zip.matches('^[0-9]+$')",
            v("true"),
        ),
        (
            "this.uid.matches('^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')",
            v("true"),
        ),
        (
            "this.tags.all(t, t.size() <= 16 && t == t.lowerAscii())",
            v("true"),
        ),
        (
            "this.email.endsWith('@example.com') || this.email.endsWith('.example.com')",
            v("true"),
        ),
        ("this.name.size() > 64 ? 'name too long' : ''", v(r#""""#)),
        // `this` is dyn, so the checker lets int > string through; evaluation finds no overload.
        ("this.age > '18'", Error(NoSuchOverload, "")),
        // A pattern with a typo fails to compile; unchecked, it fails when it is used.
        (
            "this.name.matches('[a-z')",
            CheckThenError(
                "invalid regular expression: unclosed character class",
                InvalidArgument,
                "unclosed character class",
            ),
        ),
        // this.ratio * 100.0 is a double, and the checker does not compare double with int;
        // unchecked, 75.0 == 75 under heterogeneous equality.
        (
            "this.ratio * 100.0 == 75",
            CheckThenValue("found no matching overload for '_==_'", "true"),
        ),
    ]);
}

/// IAM-style access conditions on `resource`, `principal`, `groups`, `request.time` and `now`.
#[test]
fn access_conditions() {
    check_rows(&[
        ("resource.name.startsWith('projects/p1/')", v("true")),
        (
            "resource.name.startsWith('projects/p1/buckets/invoices/objects/2024/')",
            v("true"),
        ),
        (
            "resource.type == 'storage.googleapis.com/Object' && resource.name.endsWith('.pdf')",
            v("true"),
        ),
        (
            "request.time < timestamp('2030-01-01T00:00:00Z')",
            v("true"),
        ),
        ("'admins' in principal.groups", v("true")),
        ("'admin' in groups", v("false")),
        (
            "resource.labels.classification == 'confidential' ? 'admins' in groups : true",
            v("true"),
        ),
        (
            "principal.email.endsWith('@example.com') && principal.claims.email_verified",
            v("true"),
        ),
        (
            "principal.claims.iss == 'https://accounts.example.com' && 'shop-api' == principal.claims.aud",
            v("true"),
        ),
        (
            "principal.claims.scope.split(' ').exists(s, s == 'orders:write')",
            v("true"),
        ),
        (
            "sets.contains(principal.claims.scope.split(' '), ['orders:read', 'orders:write'])",
            v("true"),
        ),
        ("sets.intersects(groups, ['sre', 'oncall'])", v("true")),
        ("sets.equivalent(groups, principal.groups)", v("true")),
        (
            "groups.map(g, g.upperAscii())",
            v(r#"["ENG", "ADMINS", "ONCALL"]"#),
        ),
        (
            "principal.groups.sort()",
            v(r#"["admins", "eng", "oncall"]"#),
        ),
        (
            "groups.exists(g, g in ['admins', 'sre']) && !('contractors' in groups)",
            v("true"),
        ),
        // Friday, so a deploy freeze applies.
        (
            "now.getDayOfWeek() == 5 ? 'friday deploy freeze' : 'ok'",
            v(r#""friday deploy freeze""#),
        ),
        // exp 1718409600 = 2024-06-15T00:00:00Z (19889 days after the epoch).
        ("timestamp(principal.claims.exp) > now", v("true")),
        (
            "timestamp(principal.claims.exp)",
            v(r#"timestamp("2024-06-15T00:00:00Z")"#),
        ),
        // 00:00:00 - 22:45:30 the day before = 1h14m30s.
        (
            "timestamp(principal.claims.exp) - now",
            v(r#"duration("4470s")"#),
        ),
        ("int(now)", v("1718405130")),
        (
            "now.getFullYear() == 2024 && now.getMonth() == 5",
            v("true"),
        ),
        // 2024 is a leap year: 31 + 29 + 31 + 30 + 31 + 14 = day 166, zero-based 165.
        ("now.getDayOfYear()", v("165")),
        // Tokyo (+09:00): 07:45 on the 15th.
        ("now.getDate('Asia/Tokyo')", v("15")),
        // Los Angeles (PDT, -07:00): 15:45 on the 14th; getDayOfMonth is zero-based.
        ("now.getDayOfMonth('America/Los_Angeles')", v("13")),
        ("now.getHours('+05:30')", v("4")),
        ("now.getMinutes('Asia/Kolkata')", v("15")),
        ("now.getDate('Pacific/Honolulu')", v("14")),
        ("now.getDayOfWeek('Pacific/Auckland')", v("6")),
        ("now.getDayOfWeek('America/Los_Angeles')", v("5")),
        ("now.getHours('-02:30')", v("20")),
        ("resource.name.split('/')[3]", v(r#""invoices""#)),
        (
            "resource.service in ['storage.googleapis.com', 'bigquery.googleapis.com'] && resource.labels.env == 'prod'",
            v("true"),
        ),
        // 720h after June 1 is July 1.
        (
            "now >= timestamp('2024-06-01T00:00:00Z') && now < timestamp('2024-06-01T00:00:00Z') + duration('720h')",
            v("true"),
        ),
        ("request.time > now", v("true")),
        ("string(now)", v(r#""2024-06-14T22:45:30Z""#)),
        ("timestamp('2024-06-14T18:45:30-04:00') == now", v("true")),
        (
            "regex.extract(resource.name, 'projects/([^/]+)/').orValue('')",
            v(r#""p1""#),
        ),
        (
            "regex.extract(resource.name, 'objects/([0-9]{4})/')",
            v(r#"optional.of("2024")"#),
        ),
        (
            "regex.replace(resource.name, '^projects/[^/]+/', '')",
            v(r#""buckets/invoices/objects/2024/06/inv-0042.pdf""#),
        ),
    ]);
}

/// Pricing rules and feature flags over a shopping `cart` and a `user`.
#[test]
fn pricing_and_feature_flags() {
    check_rows(&[
        // 2 * 19.5, 1 * 249.0, 5 * 3.25: all exact in binary.
        (
            "cart.items.map(i, double(i.quantity) * i.unit_price)",
            v("[39.0, 249.0, 16.25]"),
        ),
        (
            "math.greatest(cart.items.map(i, double(i.quantity) * i.unit_price))",
            v("249.0"),
        ),
        ("math.least(cart.items.map(i, i.unit_price))", v("3.25")),
        (
            "cart.items.exists(i, i.category == 'electronics' && i.unit_price > 200.0)",
            v("true"),
        ),
        ("cart.items.map(i, i.quantity).sort()", v("[1, 2, 5]")),
        (
            "cart.items.filter(i, i.category != 'grocery').size()",
            v("2"),
        ),
        (
            "cart.items.exists_one(i, i.quantity > 1 && i.category == 'books')",
            v("true"),
        ),
        (
            "cart.items.sortBy(i, i.unit_price).map(i, i.sku)",
            v(r#"["GR-007", "BK-101", "EL-550"]"#),
        ),
        (
            "lists.range(3).map(n, cart.items[n].quantity)",
            v("[2, 1, 5]"),
        ),
        (
            "cart.items.map(i, i.sku).filter(s, s.startsWith('EL-'))",
            v(r#"["EL-550"]"#),
        ),
        (
            "cart.coupon.startsWith('SUMMER') && int(cart.coupon.substring(6)) <= 20",
            v("true"),
        ),
        ("double(int(cart.coupon.substring(6))) / 100.0", v("0.1")),
        (
            "user.tier == 'gold' ? 0.15 : (user.tier == 'silver' ? 0.1 : 0.0)",
            v("0.15"),
        ),
        // 84721 % 100 = 21.
        ("int(user.id.split('-')[1]) % 100 < 25", v("true")),
        ("int(user.id.substring(5)) % 100", v("21")),
        (
            "int(self.metadata.annotations['deploy.example.com/rollout-percent']) > int(user.id.substring(5)) % 100",
            v("true"),
        ),
        (
            "bool(self.metadata.annotations['deploy.example.com/paused'])",
            v("false"),
        ),
        ("user.beta && user.country in ['DE', 'AT', 'CH']", v("true")),
        ("now - user.signup > duration('8760h')", v("true")),
        (
            "cart.items.all(i, i.quantity > 0 && i.quantity <= 10)",
            v("true"),
        ),
        (
            "user.orders >= 10 && user.tier in ['gold', 'platinum']",
            v("true"),
        ),
        // 249.0 * 0.5 = 124.5; math.round rounds half away from zero.
        (
            "math.round(double(cart.items[1].quantity) * cart.items[1].unit_price * 0.5)",
            v("125.0"),
        ),
        ("math.ceil(double(cart.items[2].quantity) / 2.0)", v("3.0")),
        ("math.floor(cart.items[0].unit_price)", v("19.0")),
        ("math.greatest(0, user.orders - 20)", v("0")),
        ("math.abs(user.orders - 20)", v("3")),
        (
            "'%s %.2f'.format([cart.currency, cart.items[0].unit_price * 2.0])",
            v(r#""EUR 39.00""#),
        ),
        (
            "'%d items, coupon %s'.format([cart.items.size(), cart.coupon])",
            v(r#""3 items, coupon SUMMER10""#),
        ),
        (
            "'%.1f%%'.format([double(self.metadata.annotations['deploy.example.com/rollout-percent'])])",
            v(r#""25.0%""#),
        ),
    ]);
}

/// Kubernetes quantities ('250m', '512Mi', '1Gi', '25%') taken apart with string functions.
#[test]
fn quantity_parsing() {
    check_rows(&[
        (
            "int(self.spec.containers[0].resources.requests.cpu.substring(0, self.spec.containers[0].resources.requests.cpu.size() - 1))",
            v("250"),
        ),
        (
            "cel.bind(q, self.spec.containers[1].resources.requests.cpu, int(q.substring(0, q.size() - 1)))",
            v("100"),
        ),
        (
            "cel.bind(q, self.spec.containers[1].resources.limits.memory, q.endsWith('Gi') ? int(q.replace('Gi', '')) * 1024 : int(q.replace('Mi', '')))",
            v("512"),
        ),
        (
            "cel.bind(q, self.spec.containers[0].resources.limits.memory, q.endsWith('Gi') ? int(q.replace('Gi', '')) * 1024 : int(q.replace('Mi', '')))",
            v("1024"),
        ),
        // '1' is one core, '500m' half of one.
        (
            "self.spec.containers.map(c, c.resources.limits.cpu.endsWith('m') ? int(c.resources.limits.cpu.replace('m', '')) : int(c.resources.limits.cpu) * 1000)",
            v("[1000, 500]"),
        ),
        (
            "self.spec.containers.map(c, c.resources.requests.cpu).map(q, int(q.substring(0, q.size() - 1)))",
            v("[250, 100]"),
        ),
        (
            "self.spec.containers.all(c, c.resources.requests.memory.endsWith('Mi'))",
            v("true"),
        ),
        (
            "self.spec.storage.size.matches('^[0-9]+(Mi|Gi|Ti)$')",
            v("true"),
        ),
        (
            "int(self.spec.storage.size.substring(0, self.spec.storage.size.indexOf('G')))",
            v("20"),
        ),
        (
            "self.spec.containers.map(c, int(c.resources.requests.memory.replace('Mi', ''))).sort()",
            v("[128, 256]"),
        ),
        (
            "math.greatest(self.spec.containers.map(c, int(c.resources.requests.cpu.replace('m', ''))))",
            v("250"),
        ),
        // 25% of 3 replicas = 0.75 pods, rounded up to 1.
        (
            "double(self.spec.strategy.rollingUpdate.maxSurge.replace('%', '')) / 100.0 * double(self.spec.replicas)",
            v("0.75"),
        ),
        (
            "math.ceil(double(self.spec.strategy.rollingUpdate.maxSurge.replace('%', '')) / 100.0 * double(self.spec.replicas))",
            v("1.0"),
        ),
        (
            "'%dm'.format([int(self.spec.containers[0].resources.requests.cpu.replace('m', '')) + int(self.spec.containers[1].resources.requests.cpu.replace('m', ''))])",
            v(r#""350m""#),
        ),
        (
            "string(int(self.spec.containers[0].resources.requests.memory.replace('Mi', '')) * 2) + 'Mi'",
            v(r#""512Mi""#),
        ),
        // '1Gi' with 'Mi' removed is still '1Gi', which is not an int.
        (
            "int(self.spec.containers[0].resources.limits.memory.replace('Mi', ''))",
            Error(InvalidArgument, "1Gi"),
        ),
        (
            "int(self.spec.strategy.rollingUpdate.maxSurge)",
            Error(InvalidArgument, "25%"),
        ),
    ]);
}

/// Timestamps and durations: arithmetic, accessors, time zones and daylight-saving changes.
#[test]
fn timestamps_and_durations() {
    check_rows(&[
        // Berlin moved to CEST at 01:00 UTC on 2024-03-31.
        (
            "timestamp('2024-03-31T00:30:00Z').getHours('Europe/Berlin')",
            v("1"),
        ),
        (
            "timestamp('2024-03-31T01:30:00Z').getHours('Europe/Berlin')",
            v("3"),
        ),
        // New York went back to EST at 06:00 UTC on 2024-11-03: 06:30 UTC is 01:30 EST.
        (
            "timestamp('2024-11-03T06:30:00Z').getHours('America/New_York')",
            v("1"),
        ),
        (
            "duration('1h30m') + duration('45m') == duration('2h15m')",
            v("true"),
        ),
        ("duration('2h45m').getMinutes()", v("165")),
        ("duration('36h').getHours()", v("36")),
        ("duration('90s').getSeconds()", v("90")),
        ("duration('1.5h') == duration('90m')", v("true")),
        ("string(duration('1h30m15.5s'))", v(r#""5415.5s""#)),
        (
            "timestamp('2024-06-14T22:45:30.123456789Z').getMilliseconds()",
            v("123"),
        ),
        // +14:00 is the easternmost offset.
        (
            "timestamp('2024-06-14T22:45:30+14:00')",
            v(r#"timestamp("2024-06-14T08:45:30Z")"#),
        ),
        ("timestamp('2024-06-14T22:45:30.000Z') == now", v("true")),
        ("now.getHours('UTC')", v("22")),
        ("timestamp(principal.claims.exp).getDayOfWeek()", v("6")),
        // Monday-based weekday: Sunday gives -1, since % keeps the dividend's sign.
        ("(now.getDayOfWeek() - 1) % 7", v("4")),
        (
            "(timestamp('2024-06-16T12:00:00Z').getDayOfWeek() - 1) % 7",
            v("-1"),
        ),
        ("string(duration('1h30m'))", v(r#""5400s""#)),
        (
            "now - duration('24h')",
            v(r#"timestamp("2024-06-13T22:45:30Z")"#),
        ),
        (
            "now + duration('90m')",
            v(r#"timestamp("2024-06-15T00:15:30Z")"#),
        ),
        (
            "now + duration('-1.5s')",
            v(r#"timestamp("2024-06-14T22:45:28.5Z")"#),
        ),
        // Available changed 13 days ago, Progressing 5m30s ago: both within 30 days.
        (
            "self.status.conditions.filter(c, has(c.lastTransitionTime)).all(c, now - c.lastTransitionTime < duration('720h'))",
            v("true"),
        ),
        (
            "now - self.status.conditions[1].lastTransitionTime",
            v(r#"duration("330s")"#),
        ),
        ("timestamp('2024-02-29T12:00:00Z').getDayOfYear()", v("59")),
        // 23:30 at -05:00 on New Year's Eve is 04:30 UTC on 2025-01-01.
        (
            "timestamp('2024-12-31T23:30:00-05:00').getFullYear()",
            v("2025"),
        ),
        (
            "timestamp('2024-12-31T23:30:00-05:00').getFullYear('America/New_York')",
            v("2024"),
        ),
        (
            "timestamp('2024-12-31T23:30:00-05:00').getMonth('America/New_York')",
            v("11"),
        ),
        // A weekend-or-night maintenance window in Berlin: Saturday 00:45.
        (
            "now.getDayOfWeek('Europe/Berlin') in [0, 6] || now.getHours('Europe/Berlin') < 6",
            v("true"),
        ),
        (
            "duration('90m') > duration('1h') && duration('90m') < duration('2h')",
            v("true"),
        ),
        (
            "timestamp('2024-06-14T22:45:30Z') - timestamp('2024-06-14T22:45:30.5Z')",
            v(r#"duration("-0.5s")"#),
        ),
        // A far-future "never expires" sentinel cannot take a grace period.
        (
            "timestamp('9999-12-31T23:59:59Z') + duration('1s')",
            Error(EvalKind::TimeRange, "range"),
        ),
        // Mistakes people make: days are not a duration unit, a space is not a 'T' (literals
        // that fail to compile; unchecked, they fail when evaluated), and time zone names
        // are checked.
        (
            "duration('1d')",
            CheckThenError("invalid duration '1d'", InvalidArgument, "1d"),
        ),
        (
            "timestamp('2024-06-14 22:45:30')",
            CheckThenError(
                "invalid timestamp '2024-06-14 22:45:30'",
                InvalidArgument,
                "2024-06-14 22:45:30",
            ),
        ),
        (
            "now.getHours('Mars/Olympus_Mons')",
            Error(InvalidArgument, "Mars/Olympus_Mons"),
        ),
    ]);
}

/// Nested comprehensions, `cel.bind`, two-variable comprehensions, optional values.
#[test]
fn comprehensions_and_optionals() {
    check_rows(&[
        // No containerPort appears in two containers.
        (
            "self.spec.containers.all(c, c.ports.all(p, self.spec.containers.filter(d, d.ports.exists(q, q.containerPort == p.containerPort)).size() == 1))",
            v("true"),
        ),
        (
            "self.spec.containers.exists(c, c.ports.exists(p, p.name == 'metrics' && p.containerPort == 9090))",
            v("true"),
        ),
        (
            "self.spec.containers.map(c, c.ports.map(p, p.containerPort)).flatten()",
            v("[8080, 9090, 9901]"),
        ),
        (
            "self.spec.containers.map(c, c.ports.map(p, c.name + ':' + string(p.containerPort)))",
            v(r#"[["api:8080", "api:9090"], ["envoy:9901"]]"#),
        ),
        (
            "self.spec.containers.filter(c, c.ports.exists(p, p.containerPort == 9901)).map(c, c.name)",
            v(r#"["envoy"]"#),
        ),
        // Two label keys start with 'app.kubernetes.io/'.
        (
            "self.metadata.labels.exists_one(k, k.startsWith('app.kubernetes.io/'))",
            v("false"),
        ),
        (
            "self.metadata.labels.transformList(k, v, k.startsWith('app.kubernetes.io/'), v).sort()",
            v(r#"["2.4.1", "checkout"]"#),
        ),
        (
            "self.metadata.labels.all(k, v, k.size() <= 63 && v.size() <= 63 && v.matches('^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$'))",
            v("true"),
        ),
        // paused is 'false' and rollout-percent '25'.
        (
            "self.metadata.annotations.exists(k, v, k.startsWith('deploy.example.com/') && v == 'true')",
            v("false"),
        ),
        (
            "self.metadata.annotations.transformMap(k, v, k.startsWith('deploy.example.com/'), v.size()) == {'deploy.example.com/paused': 5, 'deploy.example.com/rollout-percent': 2}",
            v("true"),
        ),
        (
            "self.spec.containers.transformMapEntry(i, c, {c.name: c.image})['envoy']",
            v(r#""docker.io/envoyproxy/envoy:v1.29.1""#),
        ),
        (
            "self.spec.containers.transformMapEntry(i, c, {c.name: i}) == {'api': 0, 'envoy': 1}",
            v("true"),
        ),
        (
            "self.spec.containers.transformList(i, c, c.name == 'envoy', i)",
            v("[1]"),
        ),
        (
            "self.spec.containers.existsOne(i, c, c.image.contains('envoy'))",
            v("true"),
        ),
        (
            "{'api': ['http', 'metrics'], 'envoy': ['admin']}.all(k, names, self.spec.containers.exists(c, c.name == k && c.ports.map(p, p.name) == names))",
            v("true"),
        ),
        (
            "[self.spec.replicas, self.spec.minReplicas, self.spec.maxReplicas].exists_one(n, n > 5)",
            v("true"),
        ),
        (
            "cel.bind(ports, self.spec.containers.map(c, c.ports.map(p, p.containerPort)).flatten(), ports.size() == ports.distinct().size())",
            v("true"),
        ),
        (
            "cel.bind(available, self.status.conditions.filter(c, c.type == 'Available'), available.size() == 1 && available[0].status == 'True')",
            v("true"),
        ),
        (
            "cel.bind(api, self.spec.containers.filter(c, c.name == 'api')[0], api.ports.map(p, p.containerPort))",
            v("[8080, 9090]"),
        ),
        (
            "self.spec.?autoscaling.optMap(a, a.maxReplicas).orValue(self.spec.maxReplicas)",
            v("10"),
        ),
        (
            "self.spec.?strategy.optMap(s, s.type)",
            v(r#"optional.of("RollingUpdate")"#),
        ),
        (
            "self.metadata.?labels.?team.optMap(t, t.upperAscii()).orValue('NONE')",
            v(r#""PAYMENTS""#),
        ),
        (
            "self.spec.?strategy.?rollingUpdate.optFlatMap(r, r.?maxUnavailable)",
            v("optional.of(1)"),
        ),
        (
            "self.status.conditions.filter(c, c.type == 'Ready').first().optMap(c, c.status).orValue('Unknown')",
            v(r#""Unknown""#),
        ),
        (
            "self.status.conditions.last().optMap(c, c.type)",
            v(r#"optional.of("Degraded")"#),
        ),
        ("[?self.spec.?paused, ?self.spec.?suspend]", v("[false]")),
        (
            "{'replicas': self.spec.replicas, ?'autoscaling': self.spec.?autoscaling}",
            v(r#"{"replicas": 3}"#),
        ),
        ("self.spec.containers[?2].hasValue()", v("false")),
        // After one `.?`, plain selections and indexes stay optional: a missing key gives
        // optional.none() instead of an error.
        ("self.?spec.autoscaling.maxReplicas.orValue(5)", v("5")),
        (
            "self.?metadata.labels['env'].orValue('dev')",
            v(r#""prod""#),
        ),
        (
            "self.?metadata.labels['region'].orValue('global')",
            v(r#""global""#),
        ),
        (
            "self.?status.conditions[0].type",
            v(r#"optional.of("Available")"#),
        ),
        (
            "self.spec.?containers[?1].?name",
            v(r#"optional.of("envoy")"#),
        ),
        (
            "self.spec.?containers[?5].?name.orValue('none')",
            v(r#""none""#),
        ),
        (
            "self.spec.?autoscaling.?maxReplicas.or(self.spec.?maxReplicas).value()",
            v("10"),
        ),
        (
            "optional.ofNonZeroValue(self.metadata.labels.?tier.orValue(''))",
            v(r#"optional.of("backend")"#),
        ),
        (
            "optional.ofNonZeroValue(self.metadata.labels.?region.orValue(''))",
            v("optional.none()"),
        ),
        // The inner c hides the outer one.
        (
            "self.spec.containers.all(c, c.ports.all(c, c.containerPort > 0))",
            v("true"),
        ),
        (
            "self.spec.containers[?0].optMap(c, c.name)",
            v(r#"optional.of("api")"#),
        ),
        // exists() finds api's true and ignores envoy's missing key; all(), exists_one()
        // and map() cannot.
        (
            "self.spec.containers.exists(c, c.securityContext.readOnlyRootFilesystem)",
            v("true"),
        ),
        (
            "self.spec.containers.all(c, c.securityContext.readOnlyRootFilesystem)",
            Error(NoSuchKey, "readOnlyRootFilesystem"),
        ),
        // api's false decides all(), whatever envoy's error.
        (
            "self.spec.containers.all(c, c.securityContext.readOnlyRootFilesystem && c.name == 'none')",
            v("false"),
        ),
        (
            "self.spec.containers.exists_one(c, c.securityContext.readOnlyRootFilesystem)",
            Error(NoSuchKey, "readOnlyRootFilesystem"),
        ),
        (
            "self.spec.containers.map(c, c.securityContext.readOnlyRootFilesystem)",
            Error(NoSuchKey, "readOnlyRootFilesystem"),
        ),
    ]);
}

/// Errors: division by zero guarded and unguarded, missing keys, overflow, and type
/// mismatches that the checker catches (or, through `dyn`, cannot).
#[test]
fn errors_and_guards() {
    check_rows(&[
        // 2 * 100 / 3 = 66 (integer division truncates).
        (
            "self.status.readyReplicas * 100 / self.spec.replicas",
            v("66"),
        ),
        (
            "self.spec.replicas == 0 ? 0 : self.status.readyReplicas * 100 / self.spec.replicas",
            v("66"),
        ),
        (
            "self.status.readyReplicas / (self.spec.replicas - 3)",
            Error(DivisionByZero, "division by zero"),
        ),
        (
            "self.status.readyReplicas % (self.spec.replicas - 3)",
            Error(DivisionByZero, "by zero"),
        ),
        // && and || absorb the error whichever side it is on.
        (
            "self.spec.replicas - 3 != 0 && self.status.readyReplicas / (self.spec.replicas - 3) > 0",
            v("false"),
        ),
        (
            "self.status.readyReplicas / (self.spec.replicas - 3) > 0 && self.spec.replicas - 3 != 0",
            v("false"),
        ),
        (
            "self.status.readyReplicas / (self.spec.replicas - 3) > 0 || self.spec.replicas == 3",
            v("true"),
        ),
        (
            "self.status.readyReplicas / (self.spec.replicas - 3) > 0 || self.spec.replicas != 3",
            Error(DivisionByZero, "division by zero"),
        ),
        (
            "self.spec.replicas - 3 == 0 ? 'scaled to the minimum' : string(self.status.readyReplicas / (self.spec.replicas - 3))",
            v(r#""scaled to the minimum""#),
        ),
        // Double division by zero is not an error: 2.0 / 0.0 is +infinity.
        (
            "math.isInf(double(self.status.readyReplicas) / double(self.spec.replicas - 3))",
            v("true"),
        ),
        (
            "self.spec.autoscaling.maxReplicas > 5",
            Error(NoSuchKey, "autoscaling"),
        ),
        (
            "has(self.spec.autoscaling) && self.spec.autoscaling.maxReplicas > 5",
            v("false"),
        ),
        ("self.spec.containers[-1]", Error(IndexOutOfRange, "-1")),
        // 3 - 5 = -2 has no uint.
        ("uint(self.spec.replicas - 5)", Error(Overflow, "range")),
        (
            "self.spec.?autoscaling.value()",
            Error(InvalidArgument, "optional.none()"),
        ),
        (
            "'%s'.format([now - self.status.conditions[1].lastTransitionTime])",
            v(r#""330s""#),
        ),
        (
            "self.spec.replicas * 9223372036854775807",
            Error(Overflow, "overflow"),
        ),
        // Through dyn the checker cannot see the mismatch; evaluation finds no overload.
        (
            "self.spec.containers[0].ports[0].containerPort + ':http'",
            Error(NoSuchOverload, ""),
        ),
        (
            "self.spec.replicas.startsWith('3')",
            Error(NoSuchOverload, ""),
        ),
        (
            "request.time < '2030-01-01T00:00:00Z'",
            Error(NoSuchOverload, ""),
        ),
        (
            "timestamp(self.metadata.name)",
            Error(InvalidArgument, "checkout-api"),
        ),
        // With declared types the checker rejects the mismatch.
        (
            "now > '2024-01-01T00:00:00Z'",
            CheckThenError("found no matching overload for '_>_'", NoSuchOverload, ""),
        ),
        // Unchecked, heterogeneous equality is simply false.
        (
            "headers['x-user'] == 1",
            CheckThenValue("found no matching overload for '_==_'", "false"),
        ),
        // 'in' needs a list or map: the groups header must be split first.
        (
            "'admins' in headers['x-user-groups']",
            CheckThenError("found no matching overload for '@in'", NoSuchOverload, ""),
        ),
        (
            "groups.exists(g, g > 1)",
            CheckThenError("found no matching overload for '_>_'", NoSuchOverload, ""),
        ),
        (
            "size(now) > 0",
            CheckThenError("found no matching overload for 'size'", NoSuchOverload, ""),
        ),
        (
            "self.spec.containers.map(c, c.name).join(',') + 1",
            CheckThenError("found no matching overload for '_+_'", NoSuchOverload, ""),
        ),
        // A map literal may not repeat a key: the app label is 'web'.
        (
            "{object.metadata.labels.app: 'primary', 'web': 'fallback'}['web']",
            Error(InvalidArgument, "duplicate"),
        ),
        // Lists have no ordering.
        (
            "self.metadata.labels['app.kubernetes.io/version'].split('.').map(p, int(p)) > [2, 4, 0]",
            CheckThenError("found no matching overload for '_>_'", NoSuchOverload, ""),
        ),
        (
            "headers['x-user'] + 1",
            CheckThenError("found no matching overload for '_+_'", NoSuchOverload, ""),
        ),
        (
            "now.getHours() + ' UTC'",
            CheckThenError("found no matching overload for '_+_'", NoSuchOverload, ""),
        ),
        // A variable that was never declared (nor bound).
        (
            "spec.replicas > 1",
            CheckThenError("undeclared reference to 'spec'", UnboundVariable, "spec"),
        ),
    ]);
}
