//! Server-side apply's structural merge of an apply configuration into an object, as
//! kube-apiserver merges a MutatingAdmissionPolicy's `ApplyConfiguration` (structured-merge-diff).
//!
//! Maps and structs merge field by field, scalars are replaced, and lists follow their schema:
//! `x-kubernetes-list-type: map` merges items by `x-kubernetes-list-map-keys`, `set` merges
//! values, and any other list is atomic. As in Kubernetes, an apply configuration may not set
//! an atomic list, map or struct at all (`may not mutate atomic arrays, maps or structs`).
//!
//! With a CRD's schema the list types are the schema's. Without one (built-in kinds, offline,
//! and the parts of a CRD its schema leaves open such as `metadata`) the list types of
//! [`BUILTIN_LISTS`] apply, matched on the field names that end the list's path; every other
//! list is atomic, as in Kubernetes' own schemas for most lists.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Value as Json};

use crate::schema::Schema;

/// How a list merges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// Replaced as a whole (and so refused in an apply configuration).
    Atomic,
    /// Merged as a set of scalars.
    Set,
    /// Merged item by item, items identified by these fields.
    Map(Vec<String>),
}

/// Kubernetes' list types of the built-in kinds' lists this merge knows without a schema, by
/// the field names that end the list's path (list items add no name), most specific first:
/// the keys of a list map, or none for a set.
pub const BUILTIN_LISTS: &[(&[&str], &[&str])] = &[
    (&["metadata", "finalizers"], &[]),
    (&["metadata", "ownerReferences"], &["uid"]),
    (&["containers", "ports"], &["containerPort", "protocol"]),
    (&["initContainers", "ports"], &["containerPort", "protocol"]),
    (
        &["ephemeralContainers", "ports"],
        &["containerPort", "protocol"],
    ),
    (&["spec", "ports"], &["port", "protocol"]),
    (&["containers"], &["name"]),
    (&["initContainers"], &["name"]),
    (&["ephemeralContainers"], &["name"]),
    (&["env"], &["name"]),
    (&["volumes"], &["name"]),
    (&["volumeMounts"], &["mountPath"]),
    (&["volumeDevices"], &["devicePath"]),
    (&["imagePullSecrets"], &["name"]),
    (&["hostAliases"], &["ip"]),
    (&["resourceClaims"], &["name"]),
    (&["schedulingGates"], &["name"]),
    (&["resizePolicy"], &["resourceName"]),
    (
        &["topologySpreadConstraints"],
        &["topologyKey", "whenUnsatisfiable"],
    ),
];

/// Key fields with a default that the API server fills in before admission.
const KEY_DEFAULTS: &[(&str, &str)] = &[("protocol", "TCP")];

/// Why an apply configuration was not merged, worded as kube-apiserver words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyError {
    /// The configuration sets atomic lists, maps or structs, at these paths.
    Atomic(Vec<String>),
    /// Two items of a list of the configuration have the same key.
    DuplicateKey { path: String, key: String },
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Atomic(paths) => write!(
                f,
                "invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: {}",
                paths.join(", ")
            ),
            ApplyError::DuplicateKey { path, key } => write!(
                f,
                "failed to convert patch object to typed object: {path}: duplicate entries for key {key}"
            ),
        }
    }
}

impl std::error::Error for ApplyError {}

/// Where the merge is: the schema there (if any) and the field names from the root.
#[derive(Clone)]
struct Place<'a> {
    schema: Option<&'a Schema>,
    names: Vec<String>,
    /// The path as Kubernetes prints it in errors (`.spec.containers[0].args`).
    printed: String,
}

impl<'a> Place<'a> {
    fn root(schema: Option<&'a Schema>) -> Place<'a> {
        Place {
            schema,
            names: Vec::new(),
            printed: String::new(),
        }
    }

    fn field(&self, name: &str) -> Place<'a> {
        let schema = self.schema.and_then(|s| {
            s.properties.get(name).or(match &s.additional_properties {
                Some(crate::schema::AdditionalProperties::Schema(v)) => Some(&**v),
                _ => None,
            })
        });
        let mut names = self.names.clone();
        names.push(name.to_string());
        Place {
            schema,
            names,
            printed: format!("{}.{name}", self.printed),
        }
    }

    fn item(&self, index: usize) -> Place<'a> {
        Place {
            schema: self.schema.and_then(|s| s.items.as_deref()),
            names: self.names.clone(),
            printed: format!("{}[{index}]", self.printed),
        }
    }

    fn list_kind(&self) -> ListKind {
        if let Some(s) = self.schema {
            return match s.list_type.as_deref() {
                Some("set") => ListKind::Set,
                Some("map") => ListKind::Map(s.list_map_keys.clone()),
                _ => ListKind::Atomic,
            };
        }
        BUILTIN_LISTS
            .iter()
            .find(|(suffix, _)| self.names.ends_with_names(suffix))
            .map_or(ListKind::Atomic, |(_, keys)| match keys {
                [] => ListKind::Set,
                keys => ListKind::Map(keys.iter().map(|k| k.to_string()).collect()),
            })
    }

    /// An atomic map or struct: `x-kubernetes-map-type: atomic`, or (without a schema) a
    /// workload's or Service's `spec.selector`.
    fn is_atomic_map(&self) -> bool {
        match self.schema {
            Some(s) => s.map_type.as_deref() == Some("atomic"),
            None => self.names == ["spec", "selector"],
        }
    }
}

trait EndsWithNames {
    fn ends_with_names(&self, suffix: &[&str]) -> bool;
}

impl EndsWithNames for Vec<String> {
    fn ends_with_names(&self, suffix: &[&str]) -> bool {
        self.len() >= suffix.len()
            && self[self.len() - suffix.len()..]
                .iter()
                .zip(suffix)
                .all(|(a, b)| a == b)
    }
}

/// Merges `patch` into `live` (the object's root schema, if known), after refusing atomic
/// lists, maps and structs in `patch` as kube-apiserver does.
pub fn apply(live: &Json, patch: &Json, schema: Option<&Schema>) -> Result<Json, ApplyError> {
    let root = Place::root(schema);
    let mut atomics = Vec::new();
    find_atomics(&root, patch, &mut atomics);
    if !atomics.is_empty() {
        return Err(ApplyError::Atomic(atomics));
    }
    merge(&root, Some(live), patch)
}

fn find_atomics(place: &Place<'_>, value: &Json, out: &mut Vec<String>) {
    match value {
        Json::Object(map) => {
            if place.is_atomic_map() {
                out.push(place.printed.clone());
            }
            for (name, v) in map {
                find_atomics(&place.field(name), v, out);
            }
        }
        Json::Array(items) => {
            if place.list_kind() == ListKind::Atomic {
                out.push(place.printed.clone());
            }
            for (i, v) in items.iter().enumerate() {
                find_atomics(&place.item(i), v, out);
            }
        }
        _ => {}
    }
}

fn merge(place: &Place<'_>, live: Option<&Json>, patch: &Json) -> Result<Json, ApplyError> {
    match (live, patch) {
        (live, Json::Object(patch)) => {
            let empty = Map::new();
            let live = match live {
                Some(Json::Object(live)) => live,
                _ => &empty,
            };
            let mut out = live.clone();
            for (name, value) in patch {
                let merged = merge(&place.field(name), live.get(name), value)?;
                out.insert(name.clone(), merged);
            }
            Ok(Json::Object(out))
        }
        (Some(Json::Array(live)), Json::Array(patch)) => match place.list_kind() {
            ListKind::Atomic => Ok(Json::Array(patch.clone())),
            ListKind::Set => merge_items(place, live, patch, |v| Some(v.clone())),
            ListKind::Map(keys) => merge_items(place, live, patch, |v| item_key(v, &keys)),
        },
        // Nothing to merge with: the patch's value, its lists and maps checked for duplicates.
        (_, Json::Array(patch)) if place.list_kind() != ListKind::Atomic => {
            merge_items(place, &[], patch, |v| match place.list_kind() {
                ListKind::Map(keys) => item_key(v, &keys),
                _ => Some(v.clone()),
            })
        }
        _ => Ok(patch.clone()),
    }
}

/// The key of a list-map item: its key fields (defaulted where the API server defaults them).
fn item_key(item: &Json, keys: &[String]) -> Option<Json> {
    let mut key = Map::new();
    for name in keys {
        let value = item.get(name).cloned().or_else(|| {
            KEY_DEFAULTS
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| Json::from(*v))
        })?;
        key.insert(name.clone(), value);
    }
    Some(Json::Object(key))
}

fn key_text(key: &Json) -> String {
    match key {
        Json::Object(fields) => {
            let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("[{}]", parts.join(","))
        }
        other => format!("[={other}]"),
    }
}

/// Merges two associative lists in structured-merge-diff's order: the live items in their
/// order, the patch's new items placed where the patch puts them relative to the items both
/// lists share, each shared item merged with its patch.
fn merge_items(
    place: &Place<'_>,
    live: &[Json],
    patch: &[Json],
    key_of: impl Fn(&Json) -> Option<Json>,
) -> Result<Json, ApplyError> {
    // Keys as their JSON text, each list indexed by key: linear in the lists' lengths.
    let text = |item: &Json| key_of(item).map(|k| k.to_string());
    let live_keys: Vec<Option<String>> = live.iter().map(text).collect();
    let patch_keys: Vec<Option<String>> = patch.iter().map(text).collect();
    let mut patch_index = HashMap::with_capacity(patch.len());
    for (i, key) in patch_keys.iter().enumerate() {
        if let Some(key) = key
            && patch_index.insert(key.as_str(), i).is_some()
        {
            return Err(ApplyError::DuplicateKey {
                path: place.printed.clone(),
                key: key_of(&patch[i]).map(|k| key_text(&k)).unwrap_or_default(),
            });
        }
    }
    let mut live_index = HashMap::with_capacity(live.len());
    for (i, key) in live_keys.iter().enumerate() {
        if let Some(key) = key {
            live_index.entry(key.as_str()).or_insert(i);
        }
    }
    let in_patch = |key: &Option<String>| key.as_deref().and_then(|k| patch_index.get(k));
    let live_of = |key: &Option<String>| {
        key.as_deref()
            .and_then(|k| live_index.get(k))
            .map(|&i| &live[i])
    };
    let mut shared = patch_keys
        .iter()
        .filter(|k| k.as_deref().is_some_and(|k| live_index.contains_key(k)))
        .peekable();
    let mut merged = vec![false; patch.len()];
    let mut out = Vec::with_capacity(live.len() + patch.len());
    let (mut l, mut r) = (0, 0);
    while l < live.len() || r < patch.len() {
        if l < live.len() && r < patch.len() {
            if live_keys[l].is_some() && live_keys[l] == patch_keys[r] {
                out.push(merge(&place.item(out.len()), Some(&live[l]), &patch[r])?);
                merged[r] = true;
                if shared.peek() == Some(&&patch_keys[r]) {
                    shared.next();
                }
                l += 1;
                r += 1;
                continue;
            }
            // A shared item that is not the next one the patch orders: it comes later.
            if in_patch(&live_keys[l]).is_some()
                && shared.peek().is_some_and(|s| **s != live_keys[l])
            {
                l += 1;
                continue;
            }
        }
        if l < live.len() {
            match in_patch(&live_keys[l]) {
                None => {
                    out.push(live[l].clone());
                    l += 1;
                    continue;
                }
                Some(&i) if merged[i] => {
                    l += 1;
                    continue;
                }
                Some(_) => {}
            }
        }
        if r < patch.len() {
            out.push(merge(
                &place.item(out.len()),
                live_of(&patch_keys[r]),
                &patch[r],
            )?);
            merged[r] = true;
            if shared.peek() == Some(&&patch_keys[r]) {
                shared.next();
            }
            r += 1;
        } else {
            // Only shared live items remain, all merged already.
            l += 1;
        }
    }
    Ok(Json::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(list: &Json) -> Vec<&str> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn maps_merge_and_scalars_are_replaced() {
        let live =
            json!({"metadata": {"labels": {"a": "1"}}, "spec": {"replicas": 1, "paused": false}});
        let patch = json!({"metadata": {"labels": {"b": "2"}}, "spec": {"replicas": 3}});
        assert_eq!(
            apply(&live, &patch, None).unwrap(),
            json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"replicas": 3, "paused": false}})
        );
    }

    #[test]
    fn containers_merge_by_name_in_structured_merge_diffs_order() {
        let live = json!({"spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}});
        let patch = json!({"spec": {"containers": [{"name": "c", "image": "c:1"}, {"name": "a", "image": "a:2"}]}});
        let out = apply(&live, &patch, None).unwrap();
        assert_eq!(names(&out["spec"]["containers"]), ["c", "a", "b"]);
        assert_eq!(out["spec"]["containers"][1]["image"], "a:2");
        let patch =
            json!({"spec": {"containers": [{"name": "b", "env": [{"name": "X", "value": "1"}]}]}});
        let out = apply(&live, &patch, None).unwrap();
        assert_eq!(names(&out["spec"]["containers"]), ["a", "b"]);
        assert_eq!(out["spec"]["containers"][1]["image"], "b:1");
        assert_eq!(out["spec"]["containers"][1]["env"][0]["value"], "1");
    }

    #[test]
    fn atomic_lists_and_structs_are_refused() {
        let live = json!({"spec": {"initContainers": []}});
        let patch = json!({"spec": {"initContainers": [{"name": "p", "args": ["x"]}]}});
        assert_eq!(
            apply(&live, &patch, None).unwrap_err().to_string(),
            "invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: \
             .spec.initContainers[0].args"
        );
        let patch = json!({"spec": {"selector": {"matchLabels": {"l": "v"}}}});
        assert_eq!(
            apply(&live, &patch, None).unwrap_err(),
            ApplyError::Atomic(vec![".spec.selector".into()])
        );
    }

    #[test]
    fn ports_are_keyed_with_the_default_protocol() {
        let live = json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}});
        let patch = json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 53, "protocol": "UDP"}]}]}});
        let out = apply(&live, &patch, None).unwrap();
        let ports = &out["spec"]["containers"][0]["ports"];
        assert_eq!(ports.as_array().unwrap().len(), 2);
        assert_eq!(ports[0]["name"], "http");
        assert_eq!(ports[0]["protocol"], "TCP");
    }

    #[test]
    fn duplicate_keys_in_the_configuration_are_refused() {
        let patch = json!({"spec": {"containers": [{"name": "a"}, {"name": "a"}]}});
        let err = apply(&json!({}), &patch, None).unwrap_err();
        assert!(
            matches!(&err, ApplyError::DuplicateKey { path, .. } if path == ".spec.containers"),
            "{err}"
        );
    }

    #[test]
    fn sets_merge_values() {
        let live = json!({"metadata": {"finalizers": ["a", "b"]}});
        let patch = json!({"metadata": {"finalizers": ["c", "a"]}});
        assert_eq!(
            apply(&live, &patch, None).unwrap(),
            json!({"metadata": {"finalizers": ["c", "a", "b"]}})
        );
    }
}
