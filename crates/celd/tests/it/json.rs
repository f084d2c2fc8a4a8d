//! celd JSON is unambiguous both ways: every value written reads back to the same value
//! (property-tested over generated values, with maps whose keys start with `$`), and the
//! extension types and messages round-trip through an environment's reader.

use celd::layers::value::json::to_json;
use celd::layers::value::time::{duration_from_parts, timestamp_from_parts};
use celd::{Env, Key, Map, Value};
use proptest::prelude::*;

fn key() -> impl Strategy<Value = Key> {
    prop_oneof![
        "[$a-z]{0,3}".prop_map(|s| Key::String(s.as_str().into())),
        prop_oneof![Just("$map"), Just("$uint"), Just("value"), Just("$message")]
            .prop_map(|s| Key::String(s.into())),
        any::<i64>().prop_map(Key::Int),
        any::<u64>().prop_map(Key::Uint),
        any::<bool>().prop_map(Key::Bool),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<u64>().prop_map(Value::Uint),
        any::<f64>().prop_map(Value::Double),
        prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-0.0)].prop_map(Value::Double),
        ".{0,8}".prop_map(Value::from),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(|b| Value::bytes(&b)),
        (-62_135_596_800i64..253_402_300_799, 0..1_000_000_000i32)
            .prop_map(|(s, n)| Value::Timestamp(timestamp_from_parts(s, n).unwrap())),
        (-9_000_000_000i64..9_000_000_000, 0..1_000_000_000i32)
            .prop_map(|(s, n)| Value::Duration(duration_from_parts(s, n).unwrap())),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::list),
            proptest::collection::vec((key(), inner.clone()), 0..4).prop_map(|entries| {
                let mut map = Map::new();
                for (k, v) in entries {
                    map.insert(k, v);
                }
                Value::map(map)
            }),
            inner.clone().prop_map(|v| Value::Optional(Some(v.into()))),
            Just(Value::Optional(None)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_value_written_reads_back_the_same(v in value()) {
        let env = Env::standard();
        let json = to_json(&v);
        let back = env.json_reader().read(&json);
        prop_assert!(back.is_ok(), "{json}: {back:?}");
        // celd JSON shows every type (`3`, `3.0`, `{"$uint": "3"}`); object keys are unordered.
        prop_assert_eq!(to_json(&back.unwrap()), json);
    }
}

#[test]
fn network_values_round_trip() {
    let env = Env::standard();
    let reader = env.json_reader();
    for text in [r#"ip("10.0.0.1")"#, r#"ip("::1")"#, r#"cidr("10.0.0.0/8")"#] {
        let v = env.compile(text).unwrap().eval(&env.activation()).unwrap();
        let json = to_json(&v);
        let back = reader.read(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(back.to_string(), v.to_string(), "{json}");
    }
    assert_eq!(
        to_json(
            &env.compile(r#"ip("10.0.0.1")"#)
                .unwrap()
                .eval(&env.activation())
                .unwrap()
        ),
        serde_json::json!({"$net.IP": "10.0.0.1"})
    );
    let err = reader
        .read(&serde_json::json!({"$net.IP": "10.0.0.300"}))
        .unwrap_err();
    assert!(err.message.starts_with("invalid net.IP:"), "{err}");
    // Without the network extension the tag means nothing.
    let bare = Env::builder().build().unwrap();
    let err = bare
        .json_reader()
        .read(&serde_json::json!({"$net.IP": "10.0.0.1"}))
        .unwrap_err();
    assert_eq!(err.message, "unknown tag '$net.IP'");
}

#[test]
fn messages_round_trip_and_print_as_message_literals() {
    let proto = "syntax = \"proto3\"; package shop;\n\
                 message Item { string name = 1; int64 count = 2; repeated double prices = 3;\n\
                 map<string, Item> parts = 4; bool in = 5; }";
    let dir = std::env::temp_dir().join(format!("celd-json-msg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("shop.proto"), proto).unwrap();
    let pool = celd::protos::ProtoSources {
        proto_files: vec![dir.join("shop.proto")],
        ..Default::default()
    }
    .load()
    .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let env = Env::builder().descriptor_pool(pool).build().unwrap();
    let text = r#"shop.Item{name: "a", count: 2, prices: [1.5], parts: {"x": shop.Item{count: 1}}, `in`: true}"#;
    let v = env.compile(text).unwrap().eval(&env.activation()).unwrap();
    assert_eq!(v.to_string(), text);
    let printed = env
        .compile(&v.to_string())
        .unwrap()
        .eval(&env.activation())
        .unwrap();
    assert_eq!(printed.to_string(), text);
    let json = to_json(&v);
    let back = env.json_reader().read(&json).unwrap();
    assert_eq!(back.to_string(), text, "{json}");
}
