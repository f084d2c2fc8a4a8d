//! Rust values in and out through serde: the mapping, the errors with their paths, the
//! limits, and round trips of generated values through an evaluation.

use std::collections::{BTreeMap, HashMap};

use celd::{Env, SerdeErrorKind, SerdeLimits, Type, Value, from_value, to_value, to_value_with};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Pod {
    replicas: u32,
    labels: BTreeMap<String, String>,
}

#[test]
fn a_pod_goes_in_and_its_replicas_double() {
    let env = Env::builder()
        .variable("pod", Type::map(Type::String, Type::Dyn))
        .build()
        .unwrap();
    let pod = Pod {
        replicas: 3,
        labels: BTreeMap::from([("app".into(), "web".into())]),
    };
    let mut vars = env.activation();
    vars.insert_serialize("pod", &pod).unwrap();
    let program = env.compile("pod.replicas * 2u").unwrap();
    let doubled = program.eval(&vars).unwrap();
    assert_eq!(doubled, Value::Uint(6));
    assert_eq!(from_value::<u32>(&doubled).unwrap(), 6);
    let app = env
        .compile("pod.labels.app == 'web' && pod.replicas > 2u")
        .unwrap();
    assert_eq!(app.eval(&vars).unwrap(), Value::Bool(true));
    // And back out whole.
    let same = env.compile("pod").unwrap().eval(&vars).unwrap();
    assert_eq!(from_value::<Pod>(&same).unwrap(), pod);
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Eq, Hash, Clone)]
enum State {
    Ready,
    Scaled(u32),
    Pair(i8, i8),
    Moved { x: i64 },
}

#[derive(Serialize)]
struct Unit;

#[derive(Serialize)]
struct Meters(f64);

/// Each Rust value as CEL prints the value it becomes.
#[test]
fn rust_values_map_to_cel_values() {
    fn cel<T: Serialize + ?Sized>(value: &T) -> String {
        to_value(value).unwrap().to_string()
    }
    assert_eq!(cel(&true), "true");
    assert_eq!(cel(&-3i16), "-3");
    assert_eq!(cel(&i64::MIN), "-9223372036854775808");
    assert_eq!(cel(&3u8), "3u");
    assert_eq!(cel(&u64::MAX), "18446744073709551615u");
    assert_eq!(cel(&7u128), "7u");
    assert_eq!(cel(&1.5f32), "1.5");
    assert_eq!(cel(&f64::NAN), "double(\"NaN\")");
    assert_eq!(cel(&'c'), "\"c\"");
    assert_eq!(cel("text"), "\"text\"");
    assert_eq!(cel(&None::<i32>), "null");
    assert_eq!(cel(&Some(1)), "1");
    assert_eq!(cel(&()), "null");
    assert_eq!(cel(&Unit), "null");
    assert_eq!(cel(&Meters(2.5)), "2.5");
    assert_eq!(cel(&vec![1, 2]), "[1, 2]");
    assert_eq!(cel(&(1u16, "a")), "[1u, \"a\"]");
    assert_eq!(cel(&vec![1u8, 2]), "[1u, 2u]", "a plain Vec<u8> is a list");
    assert_eq!(cel(&serde_bytes::Bytes::new(b"ab")), "b\"ab\"");
    assert_eq!(cel(&BTreeMap::from([(1u32, true)])), "{1u: true}");
    assert_eq!(cel(&BTreeMap::from([(-1i64, "a")])), "{-1: \"a\"}");
    assert_eq!(cel(&HashMap::from([(false, 1)])), "{false: 1}");
    assert_eq!(cel(&State::Ready), "\"Ready\"");
    assert_eq!(cel(&State::Scaled(3)), "{\"Scaled\": 3u}");
    assert_eq!(cel(&State::Pair(1, -1)), "{\"Pair\": [1, -1]}");
    assert_eq!(cel(&State::Moved { x: 4 }), "{\"Moved\": {\"x\": 4}}");
    assert_eq!(
        cel(&vec![(State::Ready, 1)]
            .into_iter()
            .collect::<HashMap<_, _>>()),
        "{\"Ready\": 1}"
    );
}

#[test]
fn what_cel_cannot_hold_is_an_error_that_says_where() {
    let e = to_value(&BTreeMap::from([("a", vec![i128::MAX])])).unwrap_err();
    assert_eq!(e.kind(), SerdeErrorKind::Type);
    assert_eq!(
        e.to_string(),
        "[\"a\"][0]: i128 170141183460469231731687303715884105727 is out of the range of CEL's 64-bit integers"
    );
    #[derive(Serialize)]
    struct Scores {
        by_weight: Vec<(f64, u8)>,
        weights: HashMap<String, BTreeMap<Vec<u8>, u8>>,
    }
    let e = to_value(&Scores {
        by_weight: vec![],
        weights: HashMap::from([("w".into(), BTreeMap::from([(vec![1], 1)]))]),
    })
    .unwrap_err();
    assert_eq!(e.kind(), SerdeErrorKind::Key);
    assert_eq!(e.path(), ".weights[\"w\"]");
    assert_eq!(
        e.message(),
        "a map key must be a bool, an integer or a string, not a list"
    );
    // 1 and 1u are one key in CEL.
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    #[serde(untagged)]
    enum Number {
        Signed(i64),
        Unsigned(u64),
    }
    let e = to_value(&BTreeMap::from([
        (Number::Signed(1), 0),
        (Number::Unsigned(1), 0),
    ]))
    .unwrap_err();
    assert_eq!(e.kind(), SerdeErrorKind::Key);
    assert_eq!(e.message(), "the key 1u is given twice");
}

#[derive(Deserialize, Debug, PartialEq)]
struct Spec {
    replicas: u32,
    ratio: f64,
    owner: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Deployment {
    name: String,
    spec: Spec,
    ports: Vec<u16>,
    labels: BTreeMap<String, String>,
}

fn cel_json(text: &str) -> Value {
    celd::layers::value::json::from_json(&serde_json::from_str(text).unwrap()).unwrap()
}

#[test]
fn cel_values_fill_rust_types_where_nothing_is_lost() {
    let value = cel_json(
        r#"{"name": "web", "spec": {"replicas": {"$uint": "3"}, "ratio": 1, "owner": null},
            "ports": [80, 443.0], "labels": {"app": "web"}}"#,
    );
    let deployment: Deployment = from_value(&value).unwrap();
    assert_eq!(
        deployment,
        Deployment {
            name: "web".into(),
            spec: Spec {
                replicas: 3,
                ratio: 1.0,
                owner: None
            },
            ports: vec![80, 443],
            labels: BTreeMap::from([("app".into(), "web".into())]),
        }
    );
    // Any result reads as plain JSON (uints as numbers, bytes as lists of numbers).
    let json: serde_json::Value = from_value(&cel_json(
        r#"{"a": [1, {"$uint": "2"}, 2.5, null], "b": {"c": true}}"#,
    ))
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!({"a": [1, 2, 2.5, null], "b": {"c": true}})
    );
    // Strings borrow from the value.
    let list = cel_json(r#"["a", "b"]"#);
    let borrowed: Vec<&str> = from_value(&list).unwrap();
    assert_eq!(borrowed, ["a", "b"]);
    // Times read as their texts; optionals as options; bytes as bytes or numbers.
    let t = Value::Timestamp(
        celd::layers::value::time::parse_timestamp("2024-01-01T00:00:00.5Z").unwrap(),
    );
    assert_eq!(from_value::<String>(&t).unwrap(), "2024-01-01T00:00:00.5Z");
    let d = Value::Duration(celd::layers::value::time::parse_duration("90s").unwrap());
    assert_eq!(from_value::<String>(&d).unwrap(), "90s");
    assert_eq!(
        from_value::<Option<i64>>(&Value::Optional(None)).unwrap(),
        None
    );
    let bytes = Value::bytes(b"ab");
    assert_eq!(
        from_value::<serde_bytes::ByteBuf>(&bytes).unwrap().as_ref(),
        b"ab"
    );
    assert_eq!(from_value::<Vec<u8>>(&bytes).unwrap(), b"ab");
    let states: Vec<State> = from_value(&cel_json(
        r#"["Ready", {"Scaled": 2}, {"Pair": [1, 2]}, {"Moved": {"x": -1}}]"#,
    ))
    .unwrap();
    assert_eq!(
        states,
        [
            State::Ready,
            State::Scaled(2),
            State::Pair(1, 2),
            State::Moved { x: -1 }
        ]
    );
}

#[test]
fn errors_going_back_name_the_path() {
    let rows: &[(&str, SerdeErrorKind, &str)] = &[
        (
            r#"{"name": "web", "spec": {"replicas": -1, "ratio": 1.0}, "ports": [], "labels": {}}"#,
            SerdeErrorKind::Type,
            ".spec.replicas: invalid value: integer `-1`, expected u32",
        ),
        (
            r#"{"name": "web", "spec": {"ratio": 1.0}, "ports": [], "labels": {}}"#,
            SerdeErrorKind::Type,
            ".spec: missing field `replicas`",
        ),
        (
            r#"{"name": "web", "spec": {"replicas": 1, "ratio": 1.0}, "ports": [80, 70000], "labels": {}}"#,
            SerdeErrorKind::Type,
            ".ports[1]: invalid value: integer `70000`, expected u16",
        ),
        (
            r#"{"name": "web", "spec": {"replicas": 1, "ratio": 1.0}, "ports": [80.5], "labels": {}}"#,
            SerdeErrorKind::Type,
            ".ports[0]: invalid type: floating point `80.5`, expected u16",
        ),
        (
            r#"{"name": "web", "spec": {"replicas": 1, "ratio": {"$int": "9007199254740993"}}, "ports": [], "labels": {}}"#,
            SerdeErrorKind::Type,
            ".spec.ratio: invalid value: integer 9007199254740993, expected a number a double holds exactly",
        ),
        (
            r#"{"name": "web", "spec": {"replicas": 1, "ratio": 1.0}, "ports": [], "labels": {"app": 1}}"#,
            SerdeErrorKind::Type,
            ".labels.app: invalid type: integer `1`, expected a string",
        ),
        (
            r#"{"name": 1, "spec": {"replicas": 1, "ratio": 1.0}, "ports": [], "labels": {}}"#,
            SerdeErrorKind::Type,
            ".name: invalid type: integer `1`, expected a string",
        ),
    ];
    for (json, kind, message) in rows {
        let e = from_value::<Deployment>(&cel_json(json)).unwrap_err();
        assert_eq!(
            (e.kind(), e.to_string().as_str()),
            (*kind, *message),
            "{json}"
        );
    }
    let e = from_value::<BTreeMap<u8, bool>>(&cel_json(r#"{"$map": [[300, true]]}"#)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "[300]: invalid value: integer `300`, expected u8"
    );
}

/// A `Serialize` that contains itself without end.
struct Endless;

impl Serialize for Endless {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        seq.serialize_element(&Endless)?;
        seq.end()
    }
}

/// A sequence that never ends.
struct Stream;

impl Serialize for Stream {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        loop {
            seq.serialize_element("more")?;
        }
    }
}

#[test]
fn hostile_serialize_impls_meet_the_limits() {
    let e = to_value(&Endless).unwrap_err();
    assert_eq!(e.kind(), SerdeErrorKind::Limit);
    assert_eq!(e.message(), "nesting deeper than 128 levels");
    assert_eq!(e.path(), "[0]".repeat(128));
    let e = to_value(&Stream).unwrap_err();
    assert_eq!(e.kind(), SerdeErrorKind::Limit);
    assert_eq!(e.message(), "more than 1000000 values");
    let small = SerdeLimits {
        max_string_bytes: 4,
        ..SerdeLimits::default()
    };
    let e = to_value_with(&vec!["abc", "abcde"], &small).unwrap_err();
    assert_eq!(
        e.to_string(),
        "[1]: a string or bytes of 5 bytes, more than the limit of 4 bytes"
    );
    let few_bytes = SerdeLimits {
        max_total_bytes: 10,
        ..SerdeLimits::default()
    };
    let e = to_value_with(&vec!["abcd"; 3], &few_bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        "[2]: more than 10 bytes of strings and bytes in all"
    );
    // A value nested deeper than the limit does not go back either.
    let mut deep = Value::Null;
    for _ in 0..200 {
        deep = Value::list(vec![deep]);
    }
    let e = from_value::<serde_json::Value>(&deep).unwrap_err();
    assert_eq!(e.kind(), SerdeErrorKind::Limit);
}

#[test]
fn a_failed_insert_sets_nothing() {
    let env = Env::builder().variable("x", Type::Dyn).build().unwrap();
    let mut vars = env.activation();
    vars.insert("x", 1);
    let e = vars.insert_serialize("x", &u128::MAX).unwrap_err();
    assert_eq!(e.kind(), SerdeErrorKind::Type);
    assert_eq!(vars.get("x"), Some(&Value::Int(1)));
    assert_eq!(
        env.compile("x + 1").unwrap().eval(&vars).unwrap(),
        Value::Int(2)
    );
}

#[test]
fn results_read_with_try_from_and_accessors() {
    let env = Env::builder().build().unwrap();
    let result = env
        .compile("[1, 2u, 3.0]")
        .unwrap()
        .eval(&env.activation())
        .unwrap();
    let list = result.as_list().unwrap();
    assert_eq!(list[0].as_int(), Some(1));
    assert_eq!(list[1].as_uint(), Some(2));
    assert_eq!(list[2].as_double(), Some(3.0));
    assert_eq!(i64::try_from(&list[1]), Ok(2));
    assert_eq!(u32::try_from(list[2].clone()), Ok(3));
    assert!(String::try_from(&list[0]).is_err());
}

// Round trips of generated values.

#[derive(Serialize, Deserialize, Debug, Clone)]
struct Record {
    id: u64,
    delta: i64,
    small: i8,
    ratio: f64,
    rough: f32,
    name: String,
    letter: char,
    flag: bool,
    tags: Vec<String>,
    counts: BTreeMap<String, u32>,
    by_id: BTreeMap<u64, Leaf>,
    by_flag: BTreeMap<bool, i16>,
    maybe: Option<i32>,
    maybe_leaf: Option<Leaf>,
    #[serde(with = "serde_bytes")]
    blob: Vec<u8>,
    raw: Vec<u8>,
    state: State,
    pair: (u16, i64),
    nothing: (),
}

#[derive(Serialize, Deserialize, Debug, Clone)]
struct Leaf {
    values: Vec<f64>,
    nested: Vec<Vec<i32>>,
    note: Option<String>,
}

fn leaf() -> impl Strategy<Value = Leaf> {
    (
        prop::collection::vec(any::<f64>(), 0..4),
        prop::collection::vec(prop::collection::vec(any::<i32>(), 0..3), 0..3),
        proptest::option::of(".{0,8}"),
    )
        .prop_map(|(values, nested, note)| Leaf {
            values,
            nested,
            note,
        })
}

fn state() -> impl Strategy<Value = State> {
    prop_oneof![
        Just(State::Ready),
        any::<u32>().prop_map(State::Scaled),
        (any::<i8>(), any::<i8>()).prop_map(|(a, b)| State::Pair(a, b)),
        any::<i64>().prop_map(|x| State::Moved { x }),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    let scalars = (
        any::<u64>(),
        any::<i64>(),
        any::<i8>(),
        any::<f64>(),
        any::<f32>(),
        ".{0,12}",
        any::<char>(),
        any::<bool>(),
    );
    let collections = (
        prop::collection::vec(".{0,6}", 0..4),
        prop::collection::btree_map(".{0,6}", any::<u32>(), 0..4),
        prop::collection::btree_map(any::<u64>(), leaf(), 0..3),
        prop::collection::btree_map(any::<bool>(), any::<i16>(), 0..2),
    );
    let rest = (
        proptest::option::of(any::<i32>()),
        proptest::option::of(leaf()),
        prop::collection::vec(any::<u8>(), 0..8),
        prop::collection::vec(any::<u8>(), 0..4),
        state(),
        (any::<u16>(), any::<i64>()),
    );
    (scalars, collections, rest).prop_map(
        |(
            (id, delta, small, ratio, rough, name, letter, flag),
            (tags, counts, by_id, by_flag),
            (maybe, maybe_leaf, blob, raw, state, pair),
        )| Record {
            id,
            delta,
            small,
            ratio,
            rough,
            name,
            letter,
            flag,
            tags,
            counts,
            by_id,
            by_flag,
            maybe,
            maybe_leaf,
            blob,
            raw,
            state,
            pair,
            nothing: (),
        },
    )
}

proptest! {
    /// A value goes in, passes through an evaluation unchanged, and comes back equal
    /// (compared by `Debug`, where NaN equals NaN and -0.0 differs from 0.0).
    #[test]
    fn records_round_trip_through_an_evaluation(r in record()) {
        let env = Env::builder().variable("r", Type::Dyn).build().unwrap();
        let mut vars = env.activation();
        vars.insert_serialize("r", &r).unwrap();
        let out = env.compile("r").unwrap().eval(&vars).unwrap();
        let back: Record = from_value(&out).unwrap();
        prop_assert_eq!(format!("{back:?}"), format!("{r:?}"));
        // The types CEL sees are the documented ones.
        let ty = |field: &str| env.compile(&format!("type(r.{field})")).unwrap().eval(&vars).unwrap().to_string();
        prop_assert_eq!(ty("id"), "uint");
        prop_assert_eq!(ty("small"), "int");
        prop_assert_eq!(ty("rough"), "double");
        prop_assert_eq!(ty("blob"), "bytes");
        prop_assert_eq!(ty("raw"), "list");
        prop_assert_eq!(ty("maybe_leaf"), if r.maybe_leaf.is_some() { "map" } else { "null_type" });
    }

    #[test]
    fn scalars_round_trip(u in any::<u64>(), i in any::<i64>(), d in any::<f64>(), s in ".*") {
        prop_assert_eq!(from_value::<u64>(&to_value(&u).unwrap()).unwrap(), u);
        prop_assert_eq!(from_value::<i64>(&to_value(&i).unwrap()).unwrap(), i);
        let back: f64 = from_value(&to_value(&d).unwrap()).unwrap();
        prop_assert_eq!(back.to_bits(), d.to_bits());
        prop_assert_eq!(from_value::<String>(&to_value(&s).unwrap()).unwrap(), s);
    }
}

/// A protobuf message reads through its protobuf JSON form.
#[test]
fn messages_read_as_their_protobuf_json() {
    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct SourceContext {
        file_name: String,
    }
    let env = Env::builder()
        .descriptor_pool(prost_reflect::DescriptorPool::global())
        .build()
        .unwrap();
    let message = env
        .compile("google.protobuf.SourceContext{file_name: 'a.proto'}")
        .unwrap()
        .eval(&env.activation())
        .unwrap();
    assert!(matches!(message, Value::Message(_)));
    assert_eq!(
        from_value::<SourceContext>(&message).unwrap(),
        SourceContext {
            file_name: "a.proto".into()
        }
    );
    let e = from_value::<u32>(&message).unwrap_err();
    assert_eq!(e.kind(), SerdeErrorKind::Type);
    assert!(
        e.message().starts_with("in a message: invalid type: map"),
        "{e}"
    );
}
