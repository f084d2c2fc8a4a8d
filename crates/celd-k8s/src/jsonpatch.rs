//! `jsonpatch.escapeKey` (RFC 6901 escaping) and RFC 6902 JSON Patch application as
//! kube-apiserver applies it (`evanphx/json-patch` v4: its quirks and its error messages).

use std::fmt;

use serde_json::Value as Json;

/// `~` becomes `~0` and `/` becomes `~1`.
pub fn escape_key(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// One JSON Patch operation: `op` is `add`, `remove`, `replace`, `move`, `copy` or `test`.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    pub op: String,
    pub path: String,
    /// The source of `move` and `copy`; `None` (or empty) when not given.
    pub from: Option<String>,
    /// The value of `add`, `replace` and `test`; `None` when not given (`null` is added).
    pub value: Option<Json>,
}

impl Operation {
    /// An operation without `from` or `value`.
    pub fn new(op: &str, path: &str) -> Operation {
        Operation {
            op: op.to_string(),
            path: path.to_string(),
            from: None,
            value: None,
        }
    }

    pub fn with_value(mut self, value: Json) -> Operation {
        self.value = Some(value);
        self
    }

    pub fn with_from(mut self, from: &str) -> Operation {
        self.from = Some(from.to_string());
        self
    }

    /// An operation from its JSON form (`{"op": "add", "path": "/a", "value": 1}`).
    pub fn from_json(json: &Json) -> Result<Operation, PatchError> {
        let text = |key: &str| json.get(key).and_then(Json::as_str).map(str::to_string);
        Ok(Operation {
            op: text("op").unwrap_or_else(|| "unknown".into()),
            path: text("path").ok_or_else(|| {
                PatchError::Failed("operation missing path field: missing value".into())
            })?,
            from: text("from"),
            value: json.get("value").cloned(),
        })
    }
}

/// Why a patch was not applied, worded as `evanphx/json-patch` words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatchError {
    /// A `test` operation found another value: Kubernetes then leaves the object as it was.
    TestFailed(String),
    /// Any other failure: a missing path, an invalid index, an unknown operation.
    Failed(String),
}

impl fmt::Display for PatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatchError::TestFailed(m) | PatchError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for PatchError {}

/// At most this many JSON nodes are copied by the `copy` operations of one patch (each copy
/// may double the document; the library Kubernetes uses has the same kind of limit, off by
/// default).
pub const MAX_COPIED_NODES: usize = 1_000_000;

const MISSING: &str = "missing value";
const INVALID_INDEX: &str = "invalid index referenced";

fn failed(message: String) -> PatchError {
    PatchError::Failed(message)
}

/// Applies the operations in order to a copy of `doc`; the first failure stops them.
pub fn apply(doc: &Json, operations: &[Operation]) -> Result<Json, PatchError> {
    let mut doc = doc.clone();
    let mut copied = 0;
    for op in operations {
        match op.op.as_str() {
            "add" => add(&mut doc, op)?,
            "remove" => remove(&mut doc, op)?,
            "replace" => replace(&mut doc, op)?,
            "move" => move_value(&mut doc, op)?,
            "copy" => copy(&mut doc, op, &mut copied)?,
            "test" => test(&mut doc, op)?,
            other => return Err(failed(format!("Unexpected kind: {other}"))),
        }
    }
    Ok(doc)
}

fn add(doc: &mut Json, op: &Operation) -> Result<(), PatchError> {
    let path = &op.path;
    let (container, key) = find_object(doc, path).ok_or_else(|| {
        failed(format!(
            "add operation does not apply: doc is missing path: \"{path}\": {MISSING}"
        ))
    })?;
    let value = op.value.clone().unwrap_or(Json::Null);
    add_at(container, &key, value)
        .map_err(|e| failed(format!("error in add for path: '{path}': {e}")))
}

fn remove(doc: &mut Json, op: &Operation) -> Result<(), PatchError> {
    let path = &op.path;
    let (container, key) = find_object(doc, path).ok_or_else(|| {
        failed(format!(
            "remove operation does not apply: doc is missing path: \"{path}\": {MISSING}"
        ))
    })?;
    remove_at(container, &key)
        .map(drop)
        .map_err(|e| failed(format!("error in remove for path: '{path}': {e}")))
}

fn replace(doc: &mut Json, op: &Operation) -> Result<(), PatchError> {
    let path = &op.path;
    let (container, key) = find_object(doc, path).ok_or_else(|| {
        failed(format!(
            "replace operation does not apply: doc is missing path: {path}: {MISSING}"
        ))
    })?;
    // A missing object key is no error: the library sets it (as `add` would).
    if get_at(container, &key).is_err() {
        return Err(failed(format!(
            "replace operation does not apply: doc is missing key: {path}: {MISSING}"
        )));
    }
    let value = op.value.clone().unwrap_or(Json::Null);
    match container {
        Json::Object(map) => {
            map.insert(key, value);
        }
        Json::Array(items) => {
            if let Some(slot) = index(&key).ok().and_then(|i| usize::try_from(i).ok()) {
                items[slot] = value;
            }
        }
        _ => {}
    }
    Ok(())
}

/// `from` of `move` and `copy`, as the library reads it.
fn from_of(op: &Operation) -> Result<&str, PatchError> {
    match op.from.as_deref() {
        Some(from) if !from.is_empty() => Ok(from),
        _ => Err(failed(format!(
            "{} operation failed to decode from: operation, missing from field: {MISSING}",
            op.op
        ))),
    }
}

fn move_value(doc: &mut Json, op: &Operation) -> Result<(), PatchError> {
    let from = from_of(op)?;
    let (container, key) = find_object(doc, from).ok_or_else(|| {
        failed(format!(
            "move operation does not apply: doc is missing from path: {from}: {MISSING}"
        ))
    })?;
    get_at(container, &key).map_err(|e| failed(format!("error in move for path: '{key}': {e}")))?;
    let value = remove_at(container, &key)
        .map_err(|e| failed(format!("error in move for path: '{key}': {e}")))?;
    let path = &op.path;
    let (container, key) = find_object(doc, path).ok_or_else(|| {
        failed(format!(
            "move operation does not apply: doc is missing destination path: {path}: {MISSING}"
        ))
    })?;
    add_at(container, &key, value)
        .map_err(|e| failed(format!("error in move for path: '{path}': {e}")))
}

fn copy(doc: &mut Json, op: &Operation, copied: &mut usize) -> Result<(), PatchError> {
    let from = from_of(op)?;
    let (container, key) = find_object(doc, from).ok_or_else(|| {
        failed(format!(
            "copy operation does not apply: doc is missing from path: {from}: {MISSING}"
        ))
    })?;
    // A missing object key copies as null, as in the library.
    let value = get_at(container, &key)
        .map_err(|e| failed(format!("error in copy for from: '{from}': {e}")))?
        .cloned()
        .unwrap_or(Json::Null);
    *copied = copied.saturating_add(node_count(&value));
    if *copied > MAX_COPIED_NODES {
        return Err(failed(format!(
            "Unable to complete the copy, the accumulated size increase of copy is {copied} \
             nodes, exceeding the limit {MAX_COPIED_NODES}"
        )));
    }
    let path = &op.path;
    let (container, key) = find_object(doc, path).ok_or_else(|| {
        failed(format!(
            "copy operation does not apply: doc is missing destination path: {path}: {MISSING}"
        ))
    })?;
    add_at(container, &key, value)
        .map_err(|e| failed(format!("error while adding value during copy: {e}")))
}

fn test(doc: &mut Json, op: &Operation) -> Result<(), PatchError> {
    let path = &op.path;
    let (container, key) = find_object(doc, path).ok_or_else(|| {
        failed(format!(
            "test operation does not apply: is missing path: {path}: {MISSING}"
        ))
    })?;
    let found = get_at(container, &key)
        .map_err(|e| failed(format!("error in test for path: '{path}': {e}")))?;
    let equal = match (found, &op.value) {
        (None, None) => true,
        (Some(found), Some(expected)) => json_equal(found, expected),
        _ => false,
    };
    if equal {
        Ok(())
    } else {
        Err(PatchError::TestFailed(format!(
            "testing value {path} failed: test failed"
        )))
    }
}

/// Structural equality, numbers compared by value (`1` equals `1.0`).
pub fn json_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

fn node_count(value: &Json) -> usize {
    match value {
        Json::Array(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Json::Object(map) => 1 + map.values().map(node_count).sum::<usize>(),
        _ => 1,
    }
}

/// RFC 6901 decoding: `~1` is `/`, then `~0` is `~` (one pass, left to right).
fn decode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('~', Some('1')) => {
                chars.next();
                out.push('/');
            }
            ('~', Some('0')) => {
                chars.next();
                out.push('~');
            }
            _ => out.push(c),
        }
    }
    out
}

/// The container holding the last segment of `path`, and that segment decoded; `None` when
/// the path has no segment or a step on the way is missing or not an object or array.
fn find_object<'a>(doc: &'a mut Json, path: &str) -> Option<(&'a mut Json, String)> {
    let mut segments: Vec<&str> = path.split('/').collect();
    if segments.len() < 2 {
        return None;
    }
    let last = decode_segment(segments.pop()?);
    let mut node = doc;
    for segment in &segments[1..] {
        let key = decode_segment(segment);
        let next = match node {
            Json::Object(map) => map.get_mut(&key)?,
            Json::Array(items) => {
                let i = usize::try_from(index(&key).ok()?).ok()?;
                items.get_mut(i)?
            }
            _ => return None,
        };
        if !matches!(next, Json::Object(_) | Json::Array(_)) {
            return None;
        }
        node = next;
    }
    Some((node, last))
}

/// An array index as Go's `strconv.Atoi` reads it (a sign, then decimal digits).
fn index(key: &str) -> Result<i64, String> {
    let digits = key.strip_prefix(['+', '-']).unwrap_or(key);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            crate::go::quote(key)
        ));
    }
    key.parse::<i64>().map_err(|_| {
        format!(
            "strconv.Atoi: parsing {}: value out of range",
            crate::go::quote(key)
        )
    })
}

fn invalid_index(i: i64) -> String {
    format!("Unable to access invalid index: {i}: {INVALID_INDEX}")
}

/// An index into `len` items, negative ones counting from the end (`-len` is the first).
fn resolve(i: i64, len: usize) -> Result<usize, String> {
    let len = i64::try_from(len).map_err(|_| invalid_index(i))?;
    if i >= len || i < -len {
        return Err(invalid_index(i));
    }
    usize::try_from(if i < 0 { i + len } else { i }).map_err(|_| invalid_index(i))
}

fn add_at(container: &mut Json, key: &str, value: Json) -> Result<(), String> {
    match container {
        Json::Object(map) => {
            map.insert(key.to_string(), value);
            Ok(())
        }
        Json::Array(items) if key == "-" => {
            items.push(value);
            Ok(())
        }
        Json::Array(items) => {
            let i = index(key)
                .map_err(|e| format!("value was not a proper array index: '{key}': {e}"))?;
            let at = resolve(i, items.len() + 1)?;
            items.insert(at, value);
            Ok(())
        }
        _ => Err(MISSING.to_string()),
    }
}

/// The value at `key`: `None` for a missing object key (no error, as in the library).
fn get_at<'a>(container: &'a Json, key: &str) -> Result<Option<&'a Json>, String> {
    match container {
        Json::Object(map) => Ok(map.get(key)),
        Json::Array(items) => {
            let i = index(key)?;
            let at = usize::try_from(i).map_err(|_| invalid_index(i))?;
            items.get(at).map(Some).ok_or_else(|| invalid_index(i))
        }
        _ => Err(MISSING.to_string()),
    }
}

fn remove_at(container: &mut Json, key: &str) -> Result<Json, String> {
    match container {
        Json::Object(map) => map
            .remove(key)
            .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: {MISSING}")),
        Json::Array(items) => {
            let at = resolve(index(key)?, items.len())?;
            Ok(items.remove(at))
        }
        _ => Err(MISSING.to_string()),
    }
}

/// A patch that turns `from` into `to`: object members removed, added or patched in turn,
/// arrays of one length patched item by item, items appended to an array added, any other
/// change a `replace` of the whole value (at the root, a `replace` of path `""`, which
/// [`apply`] refuses as the library does: the root of a Kubernetes object is an object).
pub fn diff(from: &Json, to: &Json) -> Vec<Operation> {
    let mut out = Vec::new();
    diff_at("", from, to, &mut out);
    out
}

fn diff_at(path: &str, from: &Json, to: &Json, out: &mut Vec<Operation>) {
    match (from, to) {
        (Json::Object(a), Json::Object(b)) => {
            for key in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(Operation::new(
                    "remove",
                    &format!("{path}/{}", escape_key(key)),
                ));
            }
            for (key, new) in b {
                let at = format!("{path}/{}", escape_key(key));
                match a.get(key) {
                    None => out.push(Operation::new("add", &at).with_value(new.clone())),
                    Some(old) => diff_at(&at, old, new, out),
                }
            }
        }
        (Json::Array(a), Json::Array(b)) if a.len() == b.len() => {
            for (i, (old, new)) in a.iter().zip(b).enumerate() {
                diff_at(&format!("{path}/{i}"), old, new, out);
            }
        }
        (Json::Array(a), Json::Array(b))
            if b.len() > a.len() && a.iter().zip(b).all(|(x, y)| json_equal(x, y)) =>
        {
            for (i, new) in b.iter().enumerate().skip(a.len()) {
                out.push(Operation::new("add", &format!("{path}/{i}")).with_value(new.clone()));
            }
        }
        _ if json_equal(from, to) => {}
        _ => out.push(Operation::new("replace", path).with_value(to.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_example() {
        assert_eq!(
            format!("/metadata/labels/{}", escape_key("k8s.io/my~label")),
            "/metadata/labels/k8s.io~1my~0label"
        );
        assert_eq!(escape_key("~1"), "~01");
        assert_eq!(escape_key("plain"), "plain");
    }

    fn patch(doc: Json, ops: Json) -> Result<Json, PatchError> {
        let ops: Vec<Operation> = ops
            .as_array()
            .unwrap()
            .iter()
            .map(|o| Operation::from_json(o).unwrap())
            .collect();
        apply(&doc, &ops)
    }

    fn ok(doc: Json, ops: Json, expected: Json) {
        assert_eq!(patch(doc, ops).unwrap(), expected);
    }

    fn err(doc: Json, ops: Json) -> String {
        patch(doc, ops).unwrap_err().to_string()
    }

    // RFC 6902 appendix A, A.1 to A.16.
    #[test]
    fn rfc6902_appendix_a_successes() {
        ok(
            json!({"foo": "bar"}),
            json!([{"op": "add", "path": "/baz", "value": "qux"}]),
            json!({"baz": "qux", "foo": "bar"}),
        );
        ok(
            json!({"foo": ["bar", "baz"]}),
            json!([{"op": "add", "path": "/foo/1", "value": "qux"}]),
            json!({"foo": ["bar", "qux", "baz"]}),
        );
        ok(
            json!({"baz": "qux", "foo": "bar"}),
            json!([{"op": "remove", "path": "/baz"}]),
            json!({"foo": "bar"}),
        );
        ok(
            json!({"foo": ["bar", "qux", "baz"]}),
            json!([{"op": "remove", "path": "/foo/1"}]),
            json!({"foo": ["bar", "baz"]}),
        );
        ok(
            json!({"baz": "qux", "foo": "bar"}),
            json!([{"op": "replace", "path": "/baz", "value": "boo"}]),
            json!({"baz": "boo", "foo": "bar"}),
        );
        ok(
            json!({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}}),
            json!([{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}]),
            json!({"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
        );
        ok(
            json!({"foo": ["all", "grass", "cows", "eat"]}),
            json!([{"op": "move", "from": "/foo/1", "path": "/foo/3"}]),
            json!({"foo": ["all", "cows", "eat", "grass"]}),
        );
        ok(
            json!({"baz": "qux", "foo": ["a", 2, "c"]}),
            json!([
                {"op": "test", "path": "/baz", "value": "qux"},
                {"op": "test", "path": "/foo/1", "value": 2}
            ]),
            json!({"baz": "qux", "foo": ["a", 2, "c"]}),
        );
        ok(
            json!({"foo": "bar"}),
            json!([{"op": "add", "path": "/child", "value": {"grandchild": {}}}]),
            json!({"foo": "bar", "child": {"grandchild": {}}}),
        );
        // A.11: an unknown member of an operation is ignored.
        ok(
            json!({"foo": "bar"}),
            json!([{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}]),
            json!({"foo": "bar", "baz": "qux"}),
        );
        ok(
            json!({"foo": ["bar"]}),
            json!([{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}]),
            json!({"foo": ["bar", ["abc", "def"]]}),
        );
        ok(
            json!({"/": 9, "~1": 10}),
            json!([{"op": "test", "path": "/~01", "value": 10}]),
            json!({"/": 9, "~1": 10}),
        );
        ok(
            json!({"foo": "bar"}),
            json!([{"op": "copy", "from": "/foo", "path": "/baz"}]),
            json!({"foo": "bar", "baz": "bar"}),
        );
    }

    #[test]
    fn rfc6902_appendix_a_failures() {
        // A.9: a failed test.
        assert_eq!(
            patch(
                json!({"baz": "qux"}),
                json!([{"op": "test", "path": "/baz", "value": "bar"}])
            ),
            Err(PatchError::TestFailed(
                "testing value /baz failed: test failed".into()
            ))
        );
        // A.12: adding to a nonexistent target.
        assert_eq!(
            err(
                json!({"foo": "bar"}),
                json!([{"op": "add", "path": "/baz/bat", "value": "qux"}])
            ),
            "add operation does not apply: doc is missing path: \"/baz/bat\": missing value"
        );
        // A.14: ~01 is ~1, not /: the test compares 10 with the value of "~1".
        assert!(matches!(
            patch(
                json!({"/": 9, "~1": 10}),
                json!([{"op": "test", "path": "/~01", "value": "10"}])
            ),
            Err(PatchError::TestFailed(_))
        ));
    }

    #[test]
    fn indexes_as_the_library_reads_them() {
        let doc = json!({"a": [1, 2, 3]});
        ok(
            doc.clone(),
            json!([{"op": "add", "path": "/a/3", "value": 4}]),
            json!({"a": [1, 2, 3, 4]}),
        );
        ok(
            doc.clone(),
            json!([{"op": "remove", "path": "/a/-1"}]),
            json!({"a": [1, 2]}),
        );
        assert_eq!(
            err(
                doc.clone(),
                json!([{"op": "add", "path": "/a/5", "value": 4}])
            ),
            "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"
        );
        assert_eq!(
            err(
                doc.clone(),
                json!([{"op": "add", "path": "/a/x", "value": 4}])
            ),
            "error in add for path: '/a/x': value was not a proper array index: 'x': \
             strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            err(doc.clone(), json!([{"op": "remove", "path": "/a/3"}])),
            "error in remove for path: '/a/3': Unable to access invalid index: 3: invalid index referenced"
        );
        assert_eq!(
            err(
                doc.clone(),
                json!([{"op": "replace", "path": "/a/-", "value": 0}])
            ),
            "replace operation does not apply: doc is missing key: /a/-: missing value"
        );
    }

    #[test]
    fn quirks_of_the_library_are_kept() {
        // replace of a missing object key sets it.
        ok(
            json!({}),
            json!([{"op": "replace", "path": "/x", "value": 1}]),
            json!({"x": 1}),
        );
        assert_eq!(
            err(json!({}), json!([{"op": "remove", "path": "/x"}])),
            "error in remove for path: '/x': Unable to remove nonexistent key: x: missing value"
        );
        assert_eq!(
            err(json!({}), json!([{"op": "add", "path": "", "value": 1}])),
            "add operation does not apply: doc is missing path: \"\": missing value"
        );
        assert_eq!(
            err(json!({}), json!([{"op": "frob", "path": "/x"}])),
            "Unexpected kind: frob"
        );
        assert_eq!(
            err(json!({"a": 1}), json!([{"op": "move", "path": "/b"}])),
            "move operation failed to decode from: operation, missing from field: missing value"
        );
        assert_eq!(
            err(
                json!({"a": 1}),
                json!([{"op": "move", "from": "/x/y", "path": "/b"}])
            ),
            "move operation does not apply: doc is missing from path: /x/y: missing value"
        );
        // Through a scalar, the path is missing.
        assert_eq!(
            err(
                json!({"a": 1}),
                json!([{"op": "add", "path": "/a/b", "value": 1}])
            ),
            "add operation does not apply: doc is missing path: \"/a/b\": missing value"
        );
    }

    #[test]
    fn a_diff_applied_gives_the_target() {
        let from =
            json!({"a": {"b": 1, "c": [1]}, "d": 2, "e/f": 0, "l": [1, {"x": 1}], "m": [1, 2]});
        let to = json!({"a": {"b": 2, "c": [1, 2]}, "g": {"h": true}, "e/f": 0, "l": [1, {"x": 2}], "m": [2]});
        let ops = diff(&from, &to);
        assert_eq!(apply(&from, &ops).unwrap(), to);
        let paths: Vec<&str> = ops.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(paths, ["/d", "/a/b", "/a/c/1", "/g", "/l/1/x", "/m"]);
        assert!(diff(&to, &to).is_empty());
    }

    #[test]
    fn copies_are_bounded() {
        let mut ops = vec![json!({"op": "add", "path": "/a", "value": [0, 0, 0, 0]})];
        for _ in 0..40 {
            ops.push(json!({"op": "copy", "from": "/a", "path": "/a/0"}));
        }
        let message = err(json!({}), Json::Array(ops));
        assert!(message.contains("exceeding the limit"), "{message}");
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = Json> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::from),
            (-5i64..5).prop_map(Json::from),
            "[a-c~/]{0,2}".prop_map(Json::from),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
                proptest::collection::btree_map("[a-c~/]{0,2}", inner, 0..4)
                    .prop_map(|m| Json::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn a_diff_applied_to_its_source_gives_its_target(a in json_value(), b in json_value()) {
            // Objects at the root, as Kubernetes objects are (the root cannot be replaced).
            let (a, b) = (serde_json::json!({"o": a}), serde_json::json!({"o": b}));
            let ops = diff(&a, &b);
            proptest::prop_assert!(json_equal(&apply(&a, &ops).unwrap(), &b), "{:?}", ops);
        }
    }
}
