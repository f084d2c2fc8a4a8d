//! `celd k8s check`, `validate` and `admission`: a CRD's rules compiled and cost-checked as
//! kube-apiserver does, objects validated against them with file and line in every report, and
//! admission policies (validating or mutating) evaluated on one request.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use celd_k8s::schema::Crd;
use celd_k8s::validator::CrdValidator;
use celd_k8s::yaml::{self, Document};

use crate::Failure;
use crate::args::{K8sAdmissionArgs, K8sCheckArgs, K8sCommand, K8sValidateArgs};
use celd_k8s::admission::{Decision, Policy, Request};
use celd_k8s::authz::Rules;
use celd_k8s::jsonpatch::Operation;
use celd_k8s::mutation::{MutatedObject, MutatingPolicy, MutationOutcome};
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
    let object = first_document(&args.object)?;
    let old = args.old_object.as_deref().map(first_document).transpose()?;
    let params = args.params.as_deref().map(first_document).transpose()?;
    let rules = Rules::parse(args.allow.iter().map(String::as_str))
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let request = Request {
        object: Some(&object),
        old_object: old.as_ref(),
        params: params.as_ref(),
        operation: &args.operation,
        authorizer: Some(Arc::new(rules)),
        resource: args.resource.as_deref(),
        subresource: "",
    };
    let mut out = io::stdout().lock();
    let audit = match policy.evaluate(&request) {
        Decision::NotMatched { condition } => {
            writeln!(out, "not matched: match condition {condition:?} is false")?;
            return Ok(());
        }
        Decision::Allowed { audit_annotations } => {
            writeln!(out, "allowed")?;
            audit_annotations
        }
        Decision::Denied {
            messages,
            audit_annotations,
        } => {
            for (message, reason) in &messages {
                writeln!(out, "denied ({reason}): {message}")?;
            }
            for (key, value) in &audit_annotations {
                writeln!(out, "audit annotation {key}: {value}")?;
            }
            return Err(Failure::Expression);
        }
    };
    for (key, value) in &audit {
        writeln!(out, "audit annotation {key}: {value}")?;
    }
    Ok(())
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
    let object = first_document(&args.object)?;
    let policy = match &args.crd {
        Some(path) => MutatingPolicy::with_schema(doc, object_schema(path, &object)?),
        None => MutatingPolicy::new(doc),
    }
    .map_err(|e| Failure::Usage(format!("{}: {e}", args.policy.display())))?;
    let old = args.old_object.as_deref().map(first_document).transpose()?;
    let params = args.params.as_deref().map(first_document).transpose()?;
    let rules = Rules::parse(args.allow.iter().map(String::as_str))
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let request = Request {
        object: Some(&object),
        old_object: old.as_ref(),
        params: params.as_ref(),
        operation: &args.operation,
        authorizer: Some(Arc::new(rules)),
        resource: args.resource.as_deref(),
        subresource: "",
    };
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let mutated = match policy.mutate(&request) {
        Ok(MutationOutcome::Mutated(m)) => m,
        Ok(MutationOutcome::NotMatched { condition }) => {
            let unchanged = MutatedObject {
                object: object.clone(),
                patch: Vec::new(),
                ignored: Vec::new(),
                reinvocation: None,
            };
            print_mutated(args, &unchanged, &mut out)?;
            drop(out);
            writeln!(err, "not matched: match condition {condition:?} is false")?;
            return Ok(());
        }
        Err(denied) => {
            for message in &denied.0 {
                writeln!(out, "denied: {message}")?;
            }
            return Err(Failure::Expression);
        }
    };
    // The object first, then the notes about it.
    print_mutated(args, &mutated, &mut out)?;
    drop(out);
    for message in &mutated.ignored {
        writeln!(err, "ignored (failurePolicy: Ignore): {message}")?;
    }
    match &mutated.reinvocation {
        Some(again) if again.is_empty() => writeln!(
            err,
            "reinvocation (IfNeeded): the policy run again on its output changes nothing"
        )?,
        Some(again) => writeln!(
            err,
            "reinvocation (IfNeeded): the policy run again on its output changes it again: {}",
            patch_json(again)
        )?,
        None => {}
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
    mutated: &MutatedObject,
    out: &mut impl Write,
) -> Result<(), Failure> {
    if args.patch {
        writeln!(out, "{}", patch_json(&mutated.patch))?;
        return Ok(());
    }
    let text = std::fs::read_to_string(&args.object)
        .map_err(|e| Failure::Usage(format!("{}: {e}", args.object.display())))?;
    if text.trim_start().starts_with('{') {
        let pretty = serde_json::to_string_pretty(&mutated.object)
            .map_err(|e| Failure::Usage(e.to_string()))?;
        writeln!(out, "{pretty}")?;
    } else {
        write!(out, "{}", yaml::to_yaml(&mutated.object))?;
    }
    Ok(())
}
