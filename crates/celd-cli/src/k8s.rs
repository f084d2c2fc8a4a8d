//! `celd k8s check`, `validate` and `admission`: a CRD's rules compiled and cost-checked as
//! kube-apiserver does, objects validated against them, and admission policies (validating,
//! under their bindings, or mutating) evaluated on one request, with file and line in every
//! report.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use celd_k8s::schema::Crd;
use celd_k8s::validator::CrdValidator;
use celd_k8s::yaml::{self, Document};

use crate::Failure;
use crate::args::{K8sAdmissionArgs, K8sCheckArgs, K8sCommand, K8sValidateArgs};
use celd_k8s::admission::{Policy, Request};
use celd_k8s::authz::Rules;
use celd_k8s::binding::{Binding, BindingError, BindingKind, ParamKind, ParamScope};
use celd_k8s::dispatch::{
    Admission, Mutations, ParamSet, Skip, admit, admit_unbound, mutate, mutate_unbound,
    request_attributes,
};
use celd_k8s::jsonpatch::Operation;
use celd_k8s::mutation::MutatingPolicy;
use celd_k8s::schema::Schema;

pub fn run(command: K8sCommand) -> Result<(), Failure> {
    match command {
        K8sCommand::Check(args) => check(&args),
        K8sCommand::Validate(args) => validate(&args),
        K8sCommand::Admission(args) => admission(&args),
    }
}

/// The documents of a YAML or JSON file; a malformed file is a usage error with its location.
fn documents(path: &Path) -> Result<Vec<Document>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    yaml::parse_documents(&text).map_err(|e| Failure::Usage(format!("{}:{e}", path.display())))
}

/// The CRD of a file (its first document) and that document, for locations.
fn crd(path: &Path) -> Result<(Crd, Document), Failure> {
    let doc = documents(path)?
        .into_iter()
        .next()
        .ok_or_else(|| Failure::Usage(format!("{}: no document", path.display())))?;
    let crd =
        Crd::from_document(&doc).map_err(|e| Failure::Usage(format!("{}:{e}", path.display())))?;
    Ok((crd, doc))
}

/// The validator of a CRD, or each refused rule reported with its location (exit 1).
fn validator(path: &Path) -> Result<(Crd, CrdValidator), Failure> {
    let (crd, doc) = crd(path)?;
    match CrdValidator::new(&crd) {
        Ok(v) => Ok((crd, v)),
        Err(errors) => {
            let mut err = io::stderr().lock();
            for e in &errors.0 {
                writeln!(err, "{}:{}: {e}", path.display(), doc.location(&e.pointer))?;
            }
            writeln!(
                err,
                "{}: the API server would refuse CustomResourceDefinition {}: {} error(s)",
                path.display(),
                crd.name,
                errors.0.len()
            )?;
            Err(Failure::Expression)
        }
    }
}

fn check(args: &K8sCheckArgs) -> Result<(), Failure> {
    let (crd, v) = validator(&args.crd)?;
    let versions: Vec<&str> = crd.versions.iter().map(|v| v.name.as_str()).collect();
    writeln!(
        io::stdout(),
        "{}: {} rule(s) in version(s) {} compile within their cost limits",
        crd.name,
        v.rule_count(),
        versions.join(", ")
    )?;
    Ok(())
}

/// `Kind name` of an object, as the API server names it in its refusals.
fn object_name(object: &serde_json::Value) -> (String, String) {
    let text = |p: &str| {
        object
            .pointer(p)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (text("/kind"), text("/metadata/name"))
}

fn validate(args: &K8sValidateArgs) -> Result<(), Failure> {
    let (_, v) = validator(&args.crd)?;
    let olds = match &args.old {
        Some(path) => documents(path)?,
        None => Vec::new(),
    };
    let mut out = io::stdout().lock();
    let mut invalid = 0;
    for path in &args.objects {
        for doc in documents(path)? {
            let (kind, name) = object_name(&doc.value);
            let old = olds
                .iter()
                .find(|o| object_name(&o.value) == (kind.clone(), name.clone()))
                .map(|o| &o.value);
            let violations = v.validate(&doc.value, old);
            if violations.is_empty() {
                writeln!(
                    out,
                    "{}:{}: {kind} {name:?} is valid",
                    path.display(),
                    doc.start
                )?;
                continue;
            }
            invalid += 1;
            let details: Vec<String> = violations.iter().map(ToString::to_string).collect();
            writeln!(
                out,
                "{}:{}: {kind} {name:?} is invalid: [{}]",
                path.display(),
                doc.start,
                details.join(", ")
            )?;
        }
    }
    if invalid > 0 {
        return Err(Failure::Expression);
    }
    Ok(())
}

/// The first document of a file.
fn first_document(path: &Path) -> Result<serde_json::Value, Failure> {
    documents(path)?
        .into_iter()
        .next()
        .map(|d| d.value)
        .ok_or_else(|| Failure::Usage(format!("{}: no document", path.display())))
}

fn admission(args: &K8sAdmissionArgs) -> Result<(), Failure> {
    let policy_doc = first_document(&args.policy)?;
    if policy_doc.get("kind").and_then(serde_json::Value::as_str) == Some("MutatingAdmissionPolicy")
    {
        return mutating_admission(args, &policy_doc);
    }
    let policy = Policy::new(&policy_doc)
        .map_err(|e| Failure::Usage(format!("{}: {e}", args.policy.display())))?;
    let (object, old) = request_objects(args)?;
    let namespace = args
        .namespace_object
        .as_deref()
        .map(namespace_object)
        .transpose()?;
    let param_docs = match &args.params {
        Some(path) => documents(path)?,
        None => Vec::new(),
    };
    let bindings = bindings(args, policy.name(), BindingKind::Validating)?;
    let rules = Rules::parse(args.allow.iter().map(String::as_str))
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let mut request = Request {
        object: object.as_ref(),
        old_object: old.as_ref(),
        params: None,
        namespace_object: namespace.as_ref(),
        operation: &args.operation,
        authorizer: Some(Arc::new(rules)),
        resource: args.resource.as_deref(),
        subresource: &args.subresource,
    };
    let attributes = request_attributes(&request);
    if let Some(ns) = &namespace {
        let name = ns
            .pointer("/metadata/name")
            .and_then(serde_json::Value::as_str);
        if name != Some(attributes.namespace.as_str()) {
            return Err(Failure::Usage(format!(
                "--namespace-object is namespace {:?}, but the request is in namespace {:?}",
                name.unwrap_or_default(),
                attributes.namespace
            )));
        }
    }
    let admission = if bindings.is_empty() {
        let params = param_docs.first().map(|d| &d.value);
        if let (Some(kind), Some(params), Some(path)) = (policy.param_kind(), params, &args.params)
            && !kind.is_kind_of(params)
        {
            return Err(Failure::Usage(format!(
                "{}: the params are not of the policy's paramKind {kind}",
                path.display()
            )));
        }
        request.params = params;
        admit_unbound(&policy, &request)
    } else {
        if policy.match_constraints().is_none() {
            return Err(Failure::Usage(format!(
                "{}: spec.matchConstraints.resourceRules: Required value (a policy with bindings needs matchConstraints)",
                args.policy.display()
            )));
        }
        let documents: Vec<&serde_json::Value> = param_docs.iter().map(|d| &d.value).collect();
        if let Some(kind) = policy.param_kind()
            && bindings.iter().any(|b| b.param_ref.is_some())
            && !documents.iter().any(|d| kind.is_kind_of(d))
        {
            writeln!(
                io::stderr(),
                "note: no --params document is a {kind} (the policy's paramKind): every paramRef finds nothing"
            )?;
        }
        let params = ParamSet {
            scope: param_scope(policy.param_kind(), &documents),
            documents,
        };
        admit(&policy, &bindings, &request, &params)
    };
    report(&admission)
}

/// Prints what was not evaluated, the decision, the warnings and the audit annotations;
/// exit 1 on denial.
fn report(admission: &Admission) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    for skip in &admission.skipped {
        let verdict = match skip {
            Skip::NoParams { .. } => "not evaluated",
            _ => "not matched",
        };
        writeln!(out, "{verdict}: {skip}")?;
    }
    for denial in &admission.denials {
        writeln!(out, "denied ({}): {}", denial.reason, denial.message)?;
    }
    if admission.allowed() && admission.matched() {
        writeln!(out, "allowed")?;
    }
    for warning in &admission.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    for (key, value) in &admission.audit_annotations {
        writeln!(out, "audit annotation {key}: {value}")?;
    }
    if admission.allowed() {
        Ok(())
    } else {
        Err(Failure::Expression)
    }
}

/// The `--namespace-object`: a v1 Namespace.
fn namespace_object(path: &Path) -> Result<serde_json::Value, Failure> {
    let doc = first_document(path)?;
    if doc.get("kind").and_then(serde_json::Value::as_str) != Some("Namespace") {
        return Err(Failure::Usage(format!(
            "{}: expected kind Namespace",
            path.display()
        )));
    }
    Ok(doc)
}

/// A paramKind is namespaced unless its documents are there and none has a namespace.
fn param_scope(param_kind: Option<&ParamKind>, documents: &[&serde_json::Value]) -> ParamScope {
    let Some(kind) = param_kind else {
        return ParamScope::Namespaced;
    };
    let of_kind: Vec<_> = documents.iter().filter(|d| kind.is_kind_of(d)).collect();
    let namespaced = of_kind
        .iter()
        .any(|d| d.pointer("/metadata/namespace").is_some());
    if of_kind.is_empty() || namespaced {
        ParamScope::Namespaced
    } else {
        ParamScope::Cluster
    }
}

/// The bindings of every `--binding` file; an invalid one, or one of another policy, is
/// reported with its location (exit 2).
fn bindings(
    args: &K8sAdmissionArgs,
    policy_name: &str,
    kind: BindingKind,
) -> Result<Vec<Binding>, Failure> {
    let mut bindings = Vec::new();
    for path in &args.bindings {
        let docs = documents(path)?;
        if docs.is_empty() {
            return Err(Failure::Usage(format!("{}: no document", path.display())));
        }
        for doc in docs {
            let at = |pointer: &str| format!("{}:{}", path.display(), doc.location(pointer));
            match Binding::parse(&doc.value, kind) {
                Ok(b) if b.policy_name != policy_name => {
                    return Err(Failure::Usage(format!(
                        "{}: spec.policyName: binding {:?} binds policy {:?}, not {:?} (--policy)",
                        at("/spec/policyName"),
                        b.name,
                        b.policy_name,
                        policy_name
                    )));
                }
                Ok(b) => bindings.push(b),
                Err(BindingError::Invalid { name, errors }) => {
                    let mut err = io::stderr().lock();
                    for e in &errors.0 {
                        writeln!(err, "{}: {e}", at(&e.path.pointer))?;
                    }
                    return Err(Failure::Usage(format!(
                        "{}: the API server would refuse {} {name:?}: {} error(s)",
                        path.display(),
                        kind.kind(),
                        errors.0.len()
                    )));
                }
                Err(e) => return Err(Failure::Usage(format!("{}: {e}", at("/kind")))),
            }
        }
    }
    Ok(bindings)
}

/// The schema of the object's version in a CRD file.
fn object_schema(path: &Path, object: &serde_json::Value) -> Result<Schema, Failure> {
    let (crd, _) = crd(path)?;
    let api_version = object
        .get("apiVersion")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    let version = api_version.rsplit('/').next().unwrap_or_default();
    crd.version(version)
        .and_then(|v| v.schema.clone())
        .ok_or_else(|| {
            Failure::Usage(format!(
                "{}: CustomResourceDefinition {} has no schema for version {version:?}",
                path.display(),
                crd.name
            ))
        })
}

fn mutating_admission(args: &K8sAdmissionArgs, doc: &serde_json::Value) -> Result<(), Failure> {
    let (object, old) = request_objects(args)?;
    let policy = match (&args.crd, &object) {
        (Some(path), Some(object)) => {
            MutatingPolicy::with_schema(doc, object_schema(path, object)?)
        }
        _ => MutatingPolicy::new(doc),
    }
    .map_err(|e| Failure::Usage(format!("{}: {e}", args.policy.display())))?;
    let param_docs = match &args.params {
        Some(path) => documents(path)?,
        None => Vec::new(),
    };
    let bindings = bindings(args, policy.name(), BindingKind::Mutating)?;
    let namespace = args
        .namespace_object
        .as_deref()
        .map(namespace_object)
        .transpose()?;
    let rules = Rules::parse(args.allow.iter().map(String::as_str))
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let mut request = Request {
        object: object.as_ref(),
        old_object: old.as_ref(),
        params: None,
        namespace_object: namespace.as_ref(),
        operation: &args.operation,
        authorizer: Some(Arc::new(rules)),
        resource: args.resource.as_deref(),
        subresource: &args.subresource,
    };
    let mutations = if bindings.is_empty() {
        request.params = param_docs.first().map(|d| &d.value);
        mutate_unbound(&policy, &request)
    } else {
        if policy.match_constraints().is_none() {
            return Err(Failure::Usage(format!(
                "{}: spec.matchConstraints.resourceRules: Required value (a policy with bindings needs matchConstraints)",
                args.policy.display()
            )));
        }
        let documents: Vec<&serde_json::Value> = param_docs.iter().map(|d| &d.value).collect();
        let params = ParamSet {
            scope: param_scope(policy.param_kind(), &documents),
            documents,
        };
        mutate(&policy, &bindings, &request, &params)
    };
    report_mutations(args, &mutations)
}

/// The request's `object` and `oldObject`: for DELETE, `--object` is the object deleted,
/// which kube-apiserver passes as `oldObject` (`object` is null).
fn request_objects(
    args: &K8sAdmissionArgs,
) -> Result<(Option<serde_json::Value>, Option<serde_json::Value>), Failure> {
    let object = first_document(&args.object)?;
    if args.operation == "DELETE" {
        if args.old_object.is_some() {
            return Err(Failure::Usage(
                "--old-object: for DELETE, --object is the object deleted (`oldObject`)".into(),
            ));
        }
        return Ok((None, Some(object)));
    }
    let old = args.old_object.as_deref().map(first_document).transpose()?;
    Ok((Some(object), old))
}

/// Prints the denial, or the mutated object followed by the notes about it (what was not
/// matched, ignored errors, reinvocation); exit 1 on denial.
fn report_mutations(args: &K8sAdmissionArgs, mutations: &Mutations) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    if !mutations.allowed() {
        for message in &mutations.denials {
            writeln!(out, "denied: {message}")?;
        }
        return Err(Failure::Expression);
    }
    if let Some(object) = &mutations.object {
        print_mutated(args, object, &mutations.patch, &mut out)?;
    }
    drop(out);
    let mut err = io::stderr().lock();
    for skip in &mutations.skipped {
        let verdict = match skip {
            Skip::NoParams { .. } => "not evaluated",
            _ => "not matched",
        };
        writeln!(err, "{verdict}: {skip}")?;
    }
    for message in &mutations.ignored {
        writeln!(err, "ignored (failurePolicy: Ignore): {message}")?;
    }
    for again in &mutations.reinvocations {
        if again.is_empty() {
            writeln!(
                err,
                "reinvocation (IfNeeded): the policy run again on its output changes nothing"
            )?;
        } else {
            writeln!(
                err,
                "reinvocation (IfNeeded): the policy run again on its output changes it again: {}",
                patch_json(again)
            )?;
        }
    }
    Ok(())
}

fn patch_json(patch: &[Operation]) -> serde_json::Value {
    serde_json::Value::Array(
        patch
            .iter()
            .map(|op| {
                let mut map = serde_json::Map::new();
                map.insert("op".into(), op.op.clone().into());
                if let Some(from) = &op.from {
                    map.insert("from".into(), from.clone().into());
                }
                map.insert("path".into(), op.path.clone().into());
                if let Some(value) = &op.value {
                    map.insert("value".into(), value.clone());
                }
                serde_json::Value::Object(map)
            })
            .collect(),
    )
}

/// The mutated object, as YAML unless the object was given as JSON; or, with `--patch`,
/// the JSON Patch.
fn print_mutated(
    args: &K8sAdmissionArgs,
    object: &serde_json::Value,
    patch: &[Operation],
    out: &mut impl Write,
) -> Result<(), Failure> {
    if args.patch {
        writeln!(out, "{}", patch_json(patch))?;
        return Ok(());
    }
    let text = std::fs::read_to_string(&args.object)
        .map_err(|e| Failure::Usage(format!("{}: {e}", args.object.display())))?;
    if text.trim_start().starts_with('{') {
        let pretty =
            serde_json::to_string_pretty(object).map_err(|e| Failure::Usage(e.to_string()))?;
        writeln!(out, "{pretty}")?;
    } else {
        write!(out, "{}", yaml::to_yaml(object))?;
    }
    Ok(())
}
