//! The `celd` binary end to end: output, exit statuses and error rendering.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn celd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(args)
        .output()
        .expect("the celd binary runs")
}

fn celd_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_celd"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the celd binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("stdin accepts the input");
    child.wait_with_output().expect("the celd binary exits")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn eval_prints_celd_json() {
    let o = celd(&["eval", "[1, 2, 3].map(x, x * 2).filter(y, y > 2)"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "[4,6]\n");
}

#[test]
fn eval_reads_variables() {
    let o = celd(&[
        "eval",
        "name.startsWith(\"j\")",
        "--vars",
        r#"{"name":"jane"}"#,
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "true\n");
}

#[test]
fn eval_reads_variables_from_a_file() {
    let dir = std::env::temp_dir().join(format!("celd-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("vars.json");
    std::fs::write(&path, r#"{"x": {"$uint": "7"}}"#).unwrap();
    let o = celd(&["eval", "x * 2u", "--vars-file", path.to_str().unwrap()]);
    assert_eq!(stdout(&o), "{\"$uint\":\"14\"}\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn eval_prints_cel_syntax_on_request() {
    let o = celd(&["eval", "[1u, b'a', 2.0]", "--output", "cel"]);
    assert_eq!(stdout(&o), "[1u, b\"a\", 2.0]\n");
}

#[test]
fn division_by_zero_exits_1_and_names_it() {
    let o = celd(&["eval", "1 / 0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("division by zero"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}

#[test]
fn parse_errors_show_line_column_and_caret() {
    let o = celd(&["eval", "1 +"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "ERROR: <input>:1:4: unexpected end of input, expected an expression\n | 1 +\n | ...^\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(celd(&["eval"]).status.code(), Some(2));
    assert_eq!(celd(&["eval", "x", "--vars", "{"]).status.code(), Some(2));
    assert_eq!(celd(&["eval", "x", "--vars", "[1]"]).status.code(), Some(2));
    assert_eq!(
        celd(&["eval", "x", "--decl", "nocolon"]).status.code(),
        Some(2)
    );
    assert_eq!(celd(&["nope"]).status.code(), Some(2));
}

#[test]
fn declarations_type_check() {
    let o = celd(&["check", "x + 1", "--decl", "x:int"]);
    assert_eq!(stdout(&o), "int\n");
    let o = celd(&["check", "x + 1", "--decl", "x:string"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no matching overload"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn batch_answers_every_line_in_order() {
    let input = "{\"expr\":\"1+1\"}\n{\"expr\":\"x * 2\",\"vars\":{\"x\":21}}\n{\"expr\":\"1/0\"}\nnot json\n";
    let o = celd_stdin(&["eval", "--batch", "-"], input);
    let lines: Vec<&str> = std::str::from_utf8(&o.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0], r#"{"value":2,"type":"int"}"#);
    assert_eq!(lines[1], r#"{"value":42,"type":"int"}"#);
    assert_eq!(
        lines[2],
        r#"{"error":{"kind":"eval","message":"division by zero","line":1,"column":2}}"#
    );
    assert!(
        lines[3].starts_with(r#"{"error":{"kind":"request""#),
        "{}",
        lines[3]
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn message_types_come_from_proto_files() {
    let dir = std::env::temp_dir().join(format!("celd-cli-proto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let proto = dir.join("shop.proto");
    std::fs::write(
        &proto,
        "syntax = \"proto3\"; package shop;\nmessage Order { string id = 1; int64 qty = 2; }\n",
    )
    .unwrap();
    let proto = proto.to_str().unwrap();
    let o = celd(&[
        "eval",
        "shop.Order{id: 'a1', qty: 3}.qty * 2",
        "--proto",
        proto,
    ]);
    assert_eq!(stdout(&o), "6\n", "{}", stderr(&o));
    let o = celd(&[
        "eval",
        "order.id",
        "--proto",
        proto,
        "--vars",
        r#"{"order": {"$message": "shop.Order", "value": {"id": "z9"}}}"#,
    ]);
    assert_eq!(stdout(&o), "\"z9\"\n", "{}", stderr(&o));
    let o = celd(&[
        "eval",
        "shop.Order{}",
        "--proto",
        dir.join("nope.proto").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nope.proto: no such file"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_estimates_cost() {
    let o = celd(&["check", "x + 1", "--decl", "x:int", "--cost"]);
    assert_eq!(stdout(&o), "int\ncost: 2 to 2\n", "{}", stderr(&o));
    let args = [
        "check",
        "items.exists(i, i > 10)",
        "--decl",
        "items:list(int)",
        "--cost",
    ];
    let o = celd(&args);
    assert_eq!(stdout(&o), "bool\ncost: 1 to unbounded\n", "{}", stderr(&o));
    let mut bounded = args.to_vec();
    bounded.extend(["--size-hint", "items=100"]);
    let o = celd(&bounded);
    assert_eq!(stdout(&o), "bool\ncost: 1 to 301\n", "{}", stderr(&o));
    // Hints for paths into variables and for the elements of comprehensions.
    let o = celd(&[
        "check",
        "request.auth.claims.groups.exists(g, g.size() > 3)",
        "--decl",
        "request:map(string, dyn)",
        "--cost",
        "--size-hint",
        "request.auth.claims.groups=20",
    ]);
    assert_eq!(stdout(&o), "bool\ncost: 4 to 84\n", "{}", stderr(&o));
    let o = celd(&["check", "1", "--cost", "--size-hint", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn expressions_may_start_with_a_minus() {
    assert_eq!(stdout(&celd(&["eval", "-1 + 3"])), "2\n");
    assert_eq!(stdout(&celd(&["check", "-dyn(1)"])), "dyn\n");
    assert_eq!(celd(&["dump", "-1"]).status.code(), Some(0));
}

/// `celd k8s check` and `validate` over the test CRD of celd-k8s and the real CRDs of
/// `../shared/k8s-crds`.
mod k8s {
    use super::{celd, stderr, stdout};
    use std::path::PathBuf;

    fn k8s_data(name: &str) -> String {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../celd-k8s/tests/data")
            .join(name)
            .display()
            .to_string()
    }

    /// A directory of its own for each test, with the widget CRD minus its over-budget rule.
    fn scratch(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("celd-k8s-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let text = std::fs::read_to_string(k8s_data("widgets-crd.yaml")).expect("the CRD");
        let cut = text
            .find("                notes:")
            .expect("the notes property");
        std::fs::write(dir.join("crd.yaml"), &text[..cut]).expect("the bounded CRD");
        dir
    }

    #[test]
    fn check_accepts_the_real_crds() {
        for (name, summary) in [
            ("crossplane-xrd.yaml", "20 rule(s) in version(s) v1, v2"),
            (
                "snapshot-content.yaml",
                "8 rule(s) in version(s) v1, v1beta1",
            ),
            (
                "gmp-podmonitoring.yaml",
                "17 rule(s) in version(s) v1, v1alpha1",
            ),
            ("flux-bucket.yaml", "7 rule(s) in version(s) v1"),
        ] {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/k8s-crds")
                .join(name);
            let out = celd(&["k8s", "check", "--crd", path.to_str().unwrap()]);
            assert!(out.status.success(), "{name}: {}", stderr(&out));
            assert!(stdout(&out).contains(summary), "{name}: {}", stdout(&out));
        }
    }

    #[test]
    fn check_refuses_an_over_budget_rule_with_its_location() {
        let crd = k8s_data("widgets-crd.yaml");
        let out = celd(&["k8s", "check", "--crd", &crd]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(
            err.contains("widgets-crd.yaml:96:23: spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[notes].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget"),
            "{err}"
        );
        assert!(err.contains("3 error(s)"), "{err}");
    }

    #[test]
    fn validate_reports_each_object() {
        let dir = scratch("validate");
        let crd = dir.join("crd.yaml");
        let out = celd(&[
            "k8s",
            "validate",
            "--crd",
            crd.to_str().unwrap(),
            &k8s_data("widget.yaml"),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains("widget.yaml:1:1: Widget \"good\" is valid"),
            "{text}"
        );
        assert!(
            text.contains("widget.yaml:15:1: Widget \"bad\" is invalid: [spec.replicas: Invalid value: \"object\": replicas (1) must be at least minReplicas (2), "),
            "{text}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn validate_runs_transition_rules_against_the_old_object() {
        let dir = scratch("old");
        let object = |replicas: i64| {
            format!(
                "apiVersion: example.celd.dev/v1\nkind: Widget\nmetadata: {{name: w}}\nspec: {{replicas: {replicas}}}\n"
            )
        };
        std::fs::write(dir.join("new.yaml"), object(2)).unwrap();
        std::fs::write(dir.join("old.yaml"), object(4)).unwrap();
        let path = |f: &str| dir.join(f).display().to_string();
        let created = celd(&[
            "k8s",
            "validate",
            "--crd",
            &path("crd.yaml"),
            &path("new.yaml"),
        ]);
        assert!(created.status.success(), "{}", stdout(&created));
        let updated = celd(&[
            "k8s",
            "validate",
            "--crd",
            &path("crd.yaml"),
            &path("new.yaml"),
            "--old",
            &path("old.yaml"),
        ]);
        assert_eq!(updated.status.code(), Some(1));
        assert!(
            stdout(&updated).contains("Widget \"w\" is invalid: [spec: Invalid value: \"object\": replicas may not decrease unless allowScaleDown is set]"),
            "{}",
            stdout(&updated)
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn malformed_yaml_is_a_usage_error_with_its_location() {
        let dir = scratch("malformed");
        std::fs::write(dir.join("bad.yaml"), "spec: [unclosed\n").unwrap();
        let crd = dir.join("crd.yaml");
        let bad = dir.join("bad.yaml");
        let out = celd(&[
            "k8s",
            "validate",
            "--crd",
            crd.to_str().unwrap(),
            bad.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("bad.yaml:"), "{}", stderr(&out));
        let out = celd(&["k8s", "check", "--crd", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// `celd k8s admission` on the MutatingAdmissionPolicies of celd-k8s's tests.
mod mutating_admission {
    use super::{celd, stderr, stdout};

    fn data(name: &str) -> String {
        format!(
            "{}/../celd-k8s/tests/data/{name}",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    fn admission(policy: &str, object: &str, extra: &[&str]) -> std::process::Output {
        let (policy, object) = (data(policy), data(object));
        let mut args = vec!["k8s", "admission", "--policy", &policy, "--object", &object];
        args.extend(extra);
        celd(&args)
    }

    #[test]
    fn the_mutated_object_is_printed_as_yaml_and_reads_back() {
        let out = admission("map-sidecar.yaml", "pod.yaml", &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let printed = celd_k8s::yaml::parse_documents(&stdout(&out)).unwrap();
        let names: Vec<&str> = printed[0].value["spec"]["initContainers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["setup", "mesh-proxy"]);
        assert_eq!(
            stderr(&out),
            "reinvocation (IfNeeded): the policy run again on its output changes nothing\n"
        );
    }

    #[test]
    fn patch_prints_the_json_patch() {
        let params = data("sidecar-params.yaml");
        let out = admission(
            "map-json-patch.yaml",
            "pod.yaml",
            &["--params", &params, "--patch"],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let patch: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(
            patch,
            serde_json::json!([
                {"op": "add", "path": "/metadata/labels/mesh.example.com~1injected", "value": "2"},
                {"op": "add", "path": "/spec/initContainers/1",
                 "value": {"name": "mesh-proxy", "image": "mesh-proxy/v2.0.0", "restartPolicy": "Always"}}
            ])
        );
    }

    #[test]
    fn the_documented_sidecar_is_denied_for_its_atomic_args() {
        let out = admission("map-sidecar-documented.yaml", "pod.yaml", &[]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stdout(&out).starts_with("denied: policy 'sidecar-policy.example.com' denied request"),
            "{}",
            stdout(&out)
        );
        assert!(stdout(&out).contains(".spec.initContainers[0].args"));
    }

    #[test]
    fn crd_gives_the_list_types() {
        let crd = data("widgets-crd.yaml");
        let out = admission(
            "map-widget.yaml",
            "widget.yaml",
            &["--crd", &crd, "--patch"],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let patch: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let paths: Vec<&str> = patch
            .as_array()
            .unwrap()
            .iter()
            .map(|op| op["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["/spec/ports/1", "/spec/replicas", "/spec/tags/2"]);
        let out = admission("map-widget.yaml", "widget.yaml", &[]);
        assert_eq!(out.status.code(), Some(1));
    }

    #[test]
    fn bindings_apply_in_order_and_a_binding_not_matched_is_noted() {
        let (bindings, params) = (data("map-labels-bindings.yaml"), data("labels-params.yaml"));
        let out = admission(
            "map-labels.yaml",
            "pod.yaml",
            &["--binding", &bindings, "--params", &params],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let printed = celd_k8s::yaml::parse_documents(&stdout(&out)).unwrap();
        assert_eq!(
            printed[0].value["metadata"]["labels"],
            serde_json::json!({"app": "web", "team": "a-1", "cost-center": "c42-2", "owner": "alice-3"})
        );
        assert_eq!(
            stderr(&out),
            "not matched: binding 'databases-only' matchResources: objectSelector selects neither the object nor the old object\n"
        );
    }

    #[test]
    fn a_binding_whose_params_are_missing_denies() {
        let bindings = data("map-labels-bindings.yaml");
        let out = admission("map-labels.yaml", "pod.yaml", &["--binding", &bindings]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            stdout(&out),
            "denied: policy 'labels.example.celd.dev' with binding 'teams' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction\n"
        );
    }

    #[test]
    fn delete_passes_the_object_as_old_object_and_prints_no_object() {
        let out = admission("map-sidecar.yaml", "pod.yaml", &["--operation", "DELETE"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), "");
        assert!(
            stderr(&out).starts_with("not matched: the policy's matchConstraints"),
            "{}",
            stderr(&out)
        );
    }

    #[test]
    fn a_json_object_is_printed_as_json() {
        let dir = std::env::temp_dir().join(format!("celd-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let object = dir.join("pod.json");
        std::fs::write(
            &object,
            r#"{"apiVersion": "v1", "kind": "Pod", "spec": {"initContainers": []}}"#,
        )
        .unwrap();
        let policy = data("map-sidecar.yaml");
        let out = celd(&[
            "k8s",
            "admission",
            "--policy",
            &policy,
            "--object",
            object.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let printed: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(printed["spec"]["initContainers"][0]["name"], "mesh-proxy");
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// `celd k8s admission` on the test policy of celd-k8s.
mod admission {
    use super::{celd, stderr, stdout};

    fn data(name: &str) -> String {
        format!(
            "{}/../celd-k8s/tests/data/{name}",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    #[test]
    fn delete_passes_the_object_as_old_object() {
        let (policy, object) = (data("protect-policy.yaml"), data("deployment.yaml"));
        let args = ["k8s", "admission", "--policy", &policy, "--object", &object];
        let out = celd(&[&args[..], &["--operation", "DELETE"]].concat());
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "denied (Invalid): ValidatingAdmissionPolicy 'protect.example.celd.dev' denied request: deployment web is protected\n"
        );
        let out = celd(
            &[
                &args[..],
                &["--operation", "DELETE", "--old-object", &object],
            ]
            .concat(),
        );
        assert_eq!(out.status.code(), Some(2));
        let out = celd(&args);
        assert_eq!(out.status.code(), Some(0));
        assert!(stdout(&out).starts_with("not matched: the policy's matchConstraints"));
    }

    #[test]
    fn admission_prints_the_decision_and_exits_1_on_denial() {
        let out = celd(&[
            "k8s",
            "admission",
            "--policy",
            &data("policy.yaml"),
            "--params",
            &data("policy-params.yaml"),
            "--object",
            &data("deployment.yaml"),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            stdout(&out),
            "denied (Invalid): ValidatingAdmissionPolicy 'replica-limit.example.celd.dev' denied request: replicas 7 exceed the limit of 5\naudit annotation replica-limit.example.celd.dev/replicas: 7\n"
        );
    }

    fn authz_admission(allow: &[&str]) -> std::process::Output {
        let (policy, object) = (data("authz-policy.yaml"), data("deployment.yaml"));
        let mut args = vec!["k8s", "admission", "--policy", &policy, "--object", &object];
        for rule in allow {
            args.extend(["--allow", rule]);
        }
        celd(&args)
    }

    #[test]
    fn allow_rules_answer_the_authorizer() {
        let out = authz_admission(&[]);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(
            stdout(&out).contains("more than 3 replicas needs permission to scale deployments"),
            "{}",
            stdout(&out)
        );
        let out = authz_admission(&["update:apps/deployments/scale", "create:apps/deployments"]);
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert_eq!(
            stdout(&out),
            "allowed\naudit annotation scale-permission.example.celd.dev/own-resource: allowed by rule \"create:apps/deployments\"\n"
        );
        let out = authz_admission(&["update"]);
        assert_eq!(out.status.code(), Some(2));
    }

    fn bound_admission(extra: &[&str]) -> std::process::Output {
        let (policy, bindings, params, object) = (
            data("policy.yaml"),
            data("bindings.yaml"),
            data("limits-params.yaml"),
            data("deployment.yaml"),
        );
        let mut args = vec![
            "k8s",
            "admission",
            "--policy",
            &policy,
            "--binding",
            &bindings,
            "--params",
            &params,
            "--object",
            &object,
        ];
        args.extend(extra);
        celd(&args)
    }

    #[test]
    fn bindings_deny_warn_and_audit() {
        let namespace = data("namespace-prod.yaml");
        let out = bound_admission(&["--namespace-object", &namespace]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let p = "ValidatingAdmissionPolicy 'replica-limit.example.celd.dev'";
        assert_eq!(
            stdout(&out),
            format!(
                "denied (Invalid): {p} with binding 'replica-limit-prod' denied request: replicas 7 exceed the limit of 5\n\
                 warning: Validation failed for {p} with binding 'replica-limit-audit': replicas 7 exceed the limit of 5\n\
                 warning: Validation failed for {p} with binding 'replica-limit-audit': replicas 7 exceed the limit of 2\n\
                 audit annotation validation.policy.admission.k8s.io/validation_failure: [{{\"message\":\"replicas 7 exceed the limit of 5\",\"policy\":\"replica-limit.example.celd.dev\",\"binding\":\"replica-limit-audit\",\"expressionIndex\":0,\"validationActions\":[\"Warn\",\"Audit\"]}}]\n\
                 audit annotation replica-limit.example.celd.dev/replicas: 7\n"
            )
        );
    }

    #[test]
    fn a_request_outside_the_constraints_is_not_matched_and_exits_0() {
        let out = bound_admission(&["--operation", "DELETE"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "not matched: the policy's matchConstraints: no resourceRules entry matches DELETE apps/v1 deployments \"web\"\n"
        );
    }

    #[test]
    fn an_unknown_namespace_fails_the_namespace_selector() {
        let out = bound_admission(&[]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stdout(&out).contains("with binding 'replica-limit-prod' denied request: failed to configure binding: namespaces \"default\" not found"),
            "{}",
            stdout(&out)
        );
    }

    #[test]
    fn params_and_namespace_must_fit_the_request() {
        let (policy, object) = (data("policy.yaml"), data("deployment.yaml"));
        let wrong_kind = data("namespace-prod.yaml");
        let out = celd(&[
            "k8s",
            "admission",
            "--policy",
            &policy,
            "--params",
            &wrong_kind,
            "--object",
            &object,
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("the params are not of the policy's paramKind v1 ConfigMap"),
            "{}",
            stderr(&out)
        );
        let not_a_namespace = data("policy-params.yaml");
        let out = bound_admission(&["--namespace-object", &not_a_namespace]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("expected kind Namespace"),
            "{}",
            stderr(&out)
        );
        let dir = std::env::temp_dir().join(format!("celd-ns-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let staging = dir.join("staging.yaml");
        std::fs::write(
            &staging,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: staging\n",
        )
        .unwrap();
        let out = bound_admission(&["--namespace-object", staging.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("--namespace-object is namespace \"staging\", but the request is in namespace \"default\""), "{}", stderr(&out));
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A policy whose validations pass the per-call limit or, together, the runtime budget,
    /// on an object built here (2,000 items; a text of 300,000 bytes).
    #[test]
    fn the_cost_limits_deny_as_kube_apiserver_words_them() {
        let dir = std::env::temp_dir().join(format!("celd-budget-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let items: Vec<String> = (0..2000).map(|i| format!("item-{i}")).collect();
        let object = serde_json::json!({
            "apiVersion": "example.celd.dev/v1",
            "kind": "Widget",
            "metadata": {"name": "w"},
            "spec": {"items": items, "text": "a".repeat(300_000), "needle": "b".repeat(300)}
        });
        let object_path = dir.join("widget.json");
        std::fs::write(&object_path, object.to_string()).unwrap();
        let nested = "object.spec.items.all(a, object.spec.items.all(b, a != ''))";
        let search = "!object.spec.text.contains(object.spec.needle)";
        let policy = |name: &str, failure_policy: &str, validations: &[&str]| {
            let path = dir.join(format!("{name}.yaml"));
            let mut text = format!(
                "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\n\
                 metadata:\n  name: {name}\nspec:\n  failurePolicy: {failure_policy}\n  validations:\n"
            );
            for v in validations {
                text.push_str(&format!("  - expression: \"{v}\"\n"));
            }
            std::fs::write(&path, text).unwrap();
            path
        };
        let run = |policy: &std::path::Path| {
            celd(&[
                "k8s",
                "admission",
                "--policy",
                policy.to_str().unwrap(),
                "--object",
                object_path.to_str().unwrap(),
            ])
        };
        let out = run(&policy("per-call", "Fail", &[nested]));
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            format!(
                "denied (Invalid): ValidatingAdmissionPolicy 'per-call' denied request: \
                 expression '{nested}' resulted in error: operation cancelled: actual cost limit exceeded\n"
            )
        );
        let out = run(&policy("budget", "Fail", &[search; 12]));
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "denied (Invalid): ValidatingAdmissionPolicy 'budget' denied request: \
             validation failed due to running out of cost budget, no further validation rules will be run\n"
        );
        let out = run(&policy("ignored", "Ignore", &[search; 12]));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), "allowed\n");
        let out = run(&policy("within", "Fail", &[search; 10]));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn invalid_bindings_are_refused_with_their_locations() {
        let (policy, bad, object) = (
            data("policy.yaml"),
            data("invalid-binding.yaml"),
            data("deployment.yaml"),
        );
        let out = celd(&[
            "k8s",
            "admission",
            "--policy",
            &policy,
            "--binding",
            &bad,
            "--object",
            &object,
        ]);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains("invalid-binding.yaml:10:5: spec.paramRef: Required value: one of name or selector must be specified"), "{err}");
        assert!(
            err.contains("invalid-binding.yaml:8:22: spec.validationActions: Invalid value:"),
            "{err}"
        );
        let other = data("authz-policy.yaml");
        let out = celd(&[
            "k8s",
            "admission",
            "--policy",
            &other,
            "--binding",
            &data("bindings.yaml"),
            "--object",
            &object,
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("binds policy \"replica-limit.example.celd.dev\", not \"scale-permission.example.celd.dev\""), "{}", stderr(&out));
    }
}
