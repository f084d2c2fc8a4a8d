//! Protobuf enums under both semantics: strong (each enum its own type, the
//! `strong_enums` option) and legacy (enums are `int`, the default).

use std::sync::Arc;

use celd::layers::value::EnumValue;
use celd::layers::value::json::{JsonReader, to_json};
use celd::{Env, ErrorKind, Type, Value};
use prost_reflect::prost_types::field_descriptor_proto::{Label, Type as FieldKind};
use prost_reflect::prost_types::{
    DescriptorProto, EnumDescriptorProto, EnumValueDescriptorProto, FieldDescriptorProto,
    FileDescriptorProto, FileDescriptorSet, MessageOptions,
};
use prost_reflect::{DescriptorPool, DynamicMessage};

/// The descriptors of this file, built by hand (no `.proto` compiler needed):
///
/// ```proto
/// syntax = "proto3";
/// package test;
/// enum Color { RED = 0; GREEN = 1; BLUE = 2; }
/// message Msg {
///   enum Size { SMALL = 0; LARGE = 1; }
///   Color color = 1;
///   repeated Color colors = 2;
///   map<string, Color> by_name = 3;
///   Size size = 4;
///   int32 n = 5;
/// }
/// ```
fn pool() -> DescriptorPool {
    fn enum_type(name: &str, values: &[&str]) -> EnumDescriptorProto {
        EnumDescriptorProto {
            name: Some(name.into()),
            value: (0..)
                .zip(values)
                .map(|(number, name)| EnumValueDescriptorProto {
                    name: Some((*name).into()),
                    number: Some(number),
                    options: None,
                })
                .collect(),
            ..Default::default()
        }
    }
    fn field(name: &str, number: i32, kind: FieldKind, type_name: &str) -> FieldDescriptorProto {
        FieldDescriptorProto {
            name: Some(name.into()),
            json_name: Some(name.into()),
            number: Some(number),
            label: Some(Label::Optional as i32),
            r#type: Some(kind as i32),
            type_name: (!type_name.is_empty()).then(|| type_name.into()),
            ..Default::default()
        }
    }
    fn repeated(mut f: FieldDescriptorProto) -> FieldDescriptorProto {
        f.label = Some(Label::Repeated as i32);
        f
    }
    let by_name_entry = DescriptorProto {
        name: Some("ByNameEntry".into()),
        field: vec![
            field("key", 1, FieldKind::String, ""),
            field("value", 2, FieldKind::Enum, ".test.Color"),
        ],
        options: Some(MessageOptions {
            map_entry: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    };
    let msg = DescriptorProto {
        name: Some("Msg".into()),
        field: vec![
            field("color", 1, FieldKind::Enum, ".test.Color"),
            repeated(field("colors", 2, FieldKind::Enum, ".test.Color")),
            repeated(field(
                "by_name",
                3,
                FieldKind::Message,
                ".test.Msg.ByNameEntry",
            )),
            field("size", 4, FieldKind::Enum, ".test.Msg.Size"),
            field("n", 5, FieldKind::Int32, ""),
        ],
        nested_type: vec![by_name_entry],
        enum_type: vec![enum_type("Size", &["SMALL", "LARGE"])],
        ..Default::default()
    };
    let file = FileDescriptorProto {
        name: Some("test.proto".into()),
        package: Some("test".into()),
        syntax: Some("proto3".into()),
        message_type: vec![msg],
        enum_type: vec![enum_type("Color", &["RED", "GREEN", "BLUE"])],
        ..Default::default()
    };
    DescriptorPool::from_file_descriptor_set(FileDescriptorSet { file: vec![file] })
        .unwrap_or_else(|e| panic!("the test descriptors are valid: {e}"))
}

/// Container `test`; `msg` is `test.Msg{color: BLUE, colors: [RED, GREEN], by_name:
/// {"x": GREEN}, size: LARGE}`, `c` a `test.Color` variable holding `GREEN` (under
/// legacy semantics, the int 1), `d` a `dyn` holding the same.
fn env(strong: bool) -> Env {
    let color = if strong {
        Type::enum_type("test.Color")
    } else {
        Type::Int
    };
    Env::builder()
        .descriptor_pool(pool())
        .container("test")
        .strong_enums(strong)
        .all_extensions()
        .variable("msg", Type::message("test.Msg"))
        .variable("c", color)
        .variable("d", Type::Dyn)
        .build()
        .unwrap_or_else(|e| panic!("the test environment builds: {e}"))
}

fn activation(env: &Env) -> celd::Activation {
    let pool = pool();
    let desc = pool
        .get_message_by_name("test.Msg")
        .unwrap_or_else(|| panic!("test.Msg"));
    let text = "color: BLUE colors: [RED, GREEN] by_name { key: 'x' value: GREEN } size: LARGE";
    let msg = DynamicMessage::parse_text_format(desc, text).unwrap_or_else(|e| panic!("{e}"));
    let green = match env.strong_enums() {
        true => color(1),
        false => Value::Int(1),
    };
    let mut act = env.activation();
    act.insert("msg", Value::Message(Arc::new(msg)))
        .insert("c", green.clone())
        .insert("d", green);
    act
}

/// A `test.Color` value.
fn color(number: i32) -> Value {
    let desc = pool()
        .get_enum_by_name("test.Color")
        .unwrap_or_else(|| panic!("test.Color"));
    EnumValue::new(desc, number).into_value()
}

/// The result in CEL syntax, `error: <message>` for evaluation errors, `check error:
/// <message>` when compiling fails.
fn outcome(env: &Env, src: &str, checked: bool) -> String {
    let program = if checked {
        env.compile(src)
    } else {
        env.compile_unchecked(src)
    };
    match program.and_then(|p| p.eval(&activation(env))) {
        Ok(v) => v.to_string(),
        Err(e) if e.kind() == ErrorKind::Eval => format!("error: {}", e.message()),
        Err(e) => format!("check error: {}", e.message()),
    }
}

/// Each row gives its expected outcome both checked and unchecked.
#[track_caller]
fn check_all(strong: bool, rows: &[(&str, &str)]) {
    let env = env(strong);
    let mut failures = Vec::new();
    for (src, want) in rows {
        for checked in [true, false] {
            let got = outcome(&env, src, checked);
            if got != *want {
                failures.push(format!(
                    "{src} (checked: {checked})\n   want: {want}\n    got: {got}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Each row is rejected by the checker with `check`, and unchecked gives `unchecked`.
#[track_caller]
fn check_rejected(strong: bool, rows: &[(&str, &str, &str)]) {
    let env = env(strong);
    let mut failures = Vec::new();
    for (src, check, unchecked) in rows {
        for (checked, want) in [
            (true, format!("check error: {check}")),
            (false, unchecked.to_string()),
        ] {
            let got = outcome(&env, src, checked);
            if got != want {
                failures.push(format!(
                    "{src} (checked: {checked})\n   want: {want}\n    got: {got}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn strong_constants_and_types() {
    check_all(
        true,
        &[
            ("Color.GREEN", "test.Color(1)"),
            ("test.Color.BLUE", "test.Color(2)"),
            (".test.Color.RED", "test.Color(0)"),
            ("Msg.Size.LARGE", "test.Msg.Size(1)"),
            ("type(Color.RED)", "test.Color"),
            ("type(Msg.Size.SMALL)", "test.Msg.Size"),
            ("Color", "test.Color"),
            ("type(Color.RED) == Color", "true"),
            ("type(Color.RED) == int", "false"),
            ("type(type(Color.RED))", "type"),
            ("[Color.RED, Color.BLUE]", "[test.Color(0), test.Color(2)]"),
        ],
    );
}

#[test]
fn strong_equality() {
    check_all(
        true,
        &[
            ("Color.RED == Color.RED", "true"),
            ("Color.RED != Color.BLUE", "true"),
            ("Color.RED == Color.BLUE", "false"),
            ("c == Color.GREEN", "true"),
            ("d == Color.GREEN", "true"),
            ("d == 1", "false"),
            ("dyn(Color.RED) == 0", "false"),
            ("dyn(Color.RED) == dyn(Msg.Size.SMALL)", "false"),
            ("Color.GREEN in [Color.RED, Color.GREEN]", "true"),
            (
                "[Color.RED, Color.GREEN].exists(x, x == Color.GREEN)",
                "true",
            ),
            ("{'a': Color.RED} == {'a': Color(0)}", "true"),
        ],
    );
}

#[test]
fn strong_conversions() {
    check_all(
        true,
        &[
            ("Color(2)", "test.Color(2)"),
            ("Color(2) == Color.BLUE", "true"),
            ("test.Color(1)", "test.Color(1)"),
            ("Msg.Size(1) == Msg.Size.LARGE", "true"),
            ("Color('BLUE')", "test.Color(2)"),
            ("Msg.Size('SMALL')", "test.Msg.Size(0)"),
            ("Color(99)", "test.Color(99)"),
            ("Color(-7)", "test.Color(-7)"),
            ("Color(2147483647)", "test.Color(2147483647)"),
            ("Color(-2147483648)", "test.Color(-2147483648)"),
            ("Color(2147483648)", "error: enum out of range"),
            ("Color(-2147483649)", "error: enum out of range"),
            (
                "Color('PURPLE')",
                "error: invalid enum value name 'PURPLE' for test.Color",
            ),
            (
                "Color('red')",
                "error: invalid enum value name 'red' for test.Color",
            ),
            ("Color(dyn('GREEN'))", "test.Color(1)"),
            ("Color(1 + msg.n)", "test.Color(1)"),
            ("int(Color.BLUE)", "2"),
            ("int(Color(-5))", "-5"),
            ("int(c) + 1", "2"),
            ("int(d)", "1"),
            ("int(msg.color)", "2"),
            ("Color(2147483648) == Color.RED || true", "true"),
        ],
    );
}

#[test]
fn strong_field_reads() {
    check_all(
        true,
        &[
            ("msg.color", "test.Color(2)"),
            ("msg.color == Color.BLUE", "true"),
            ("msg.size", "test.Msg.Size(1)"),
            ("msg.colors", "[test.Color(0), test.Color(1)]"),
            ("msg.colors[1] == Color.GREEN", "true"),
            ("msg.by_name", "{\"x\": test.Color(1)}"),
            ("msg.by_name.x", "test.Color(1)"),
            ("msg.by_name['x'] == Color.GREEN", "true"),
            ("msg.?color", "optional.of(test.Color(2))"),
            ("msg.?by_name.x", "optional.of(test.Color(1))"),
            ("has(msg.color)", "true"),
            ("msg.n", "0"),
            ("Msg{}.color", "test.Color(0)"),
            ("Msg{}.color == Color.RED", "true"),
            ("Msg{}.colors", "[]"),
            ("Msg{}.size == Msg.Size.SMALL", "true"),
            ("type(msg.color)", "test.Color"),
            ("type(Msg{}.size)", "test.Msg.Size"),
            ("msg.colors.map(x, int(x))", "[0, 1]"),
            ("msg.colors.filter(x, x != Color.RED)", "[test.Color(1)]"),
            ("dyn(msg).color", "test.Color(2)"),
        ],
    );
}

#[test]
fn strong_construction() {
    check_all(
        true,
        &[
            ("Msg{color: Color.BLUE}.color", "test.Color(2)"),
            ("Msg{color: Color(7)}.color", "test.Color(7)"),
            ("Msg{color: Color('GREEN')}.color == Color.GREEN", "true"),
            ("Msg{color: c}.color", "test.Color(1)"),
            ("Msg{color: msg.color}.color", "test.Color(2)"),
            ("Msg{color: Color.BLUE} == Msg{color: Color(2)}", "true"),
            ("has(Msg{color: Color.RED}.color)", "false"),
            ("Msg{color: Color.RED} == Msg{}", "true"),
            ("Msg{color: Color.BLUE} == Msg{}", "false"),
            ("Msg{n: 0, colors: [], by_name: {}} == Msg{}", "true"),
            ("Msg{n: 1} == Msg{}", "false"),
            (
                "Msg{colors: [Color.RED, Color(7)]}.colors",
                "[test.Color(0), test.Color(7)]",
            ),
            (
                "Msg{by_name: {'a': Color.BLUE}}.by_name",
                "{\"a\": test.Color(2)}",
            ),
            ("Msg{size: Msg.Size.LARGE}.size", "test.Msg.Size(1)"),
            (
                "Msg{?color: optional.of(Color.BLUE)}.color",
                "test.Color(2)",
            ),
            ("Msg{color: dyn(Color.GREEN)}.color", "test.Color(1)"),
        ],
    );
}

#[test]
fn strong_type_errors() {
    check_rejected(
        true,
        &[
            (
                "Color.RED == 0",
                "found no matching overload for '_==_' applied to '(test.Color, int)'",
                "false",
            ),
            (
                "Color.RED == Msg.Size.SMALL",
                "found no matching overload for '_==_' applied to '(test.Color, test.Msg.Size)'",
                "false",
            ),
            (
                "Color.RED + 1",
                "found no matching overload for '_+_' applied to '(test.Color, int)'",
                "error: no such overload: _+_(test.Color, int)",
            ),
            (
                "Color.RED < Color.BLUE",
                "found no matching overload for '_<_' applied to '(test.Color, test.Color)'",
                "error: no such overload: _<_(test.Color, test.Color)",
            ),
            (
                "string(Color.RED)",
                "found no matching overload for 'string' applied to '(test.Color)'",
                "error: no such overload: string(test.Color)",
            ),
            (
                "Color(1.5)",
                "found no matching overload for 'test.Color' applied to '(double)'",
                "error: no such overload: test.Color(double)",
            ),
            (
                "Color(Msg.Size.LARGE)",
                "found no matching overload for 'test.Color' applied to '(test.Msg.Size)'",
                "error: no such overload: test.Color(test.Msg.Size)",
            ),
            (
                "Msg{color: 1}.color",
                "expected type of field 'color' is 'test.Color' but provided type is 'int'",
                "test.Color(1)",
            ),
            (
                "Msg{color: Msg.Size.LARGE}",
                "expected type of field 'color' is 'test.Color' but provided type is 'test.Msg.Size'",
                "error: field 'test.Msg.color': test.Color cannot hold a value of type test.Msg.Size",
            ),
        ],
    );
    // An enum is not a message: the checker and the planner both refuse to build one.
    let env = env(true);
    let refused = [
        (true, "check error: 'test.Color' is not a message type"),
        (
            false,
            "check error: undeclared reference to message type 'Color'",
        ),
    ];
    for (checked, want) in refused {
        assert_eq!(
            outcome(&env, "Color{}", checked),
            want,
            "checked: {checked}"
        );
    }
}

#[test]
fn legacy_enums_are_ints() {
    check_all(
        false,
        &[
            ("Color.GREEN", "1"),
            ("type(Color.GREEN)", "int"),
            ("Color.RED == 0", "true"),
            ("Color.BLUE + 1", "3"),
            ("msg.color", "2"),
            ("msg.colors", "[0, 1]"),
            ("msg.by_name", "{\"x\": 1}"),
            ("msg.?color", "optional.of(2)"),
            ("Msg{color: 1}.color", "1"),
            ("Msg{color: Color.BLUE}.color == Color.BLUE", "true"),
            (
                "Msg{color: 2147483648}",
                "error: field 'test.Msg.color': enum out of range",
            ),
            ("int(Color.BLUE)", "2"),
            ("c == Color.GREEN", "true"),
        ],
    );
    check_rejected(
        false,
        &[(
            "Color(1)",
            "undeclared reference to 'Color' (in container 'test')",
            "error: unknown function 'Color' with 1 argument(s)",
        )],
    );
}

#[test]
fn checked_types() {
    let strong = env(true);
    let legacy = env(false);
    let cases = [
        ("Color.RED", "test.Color", "int"),
        ("msg.color", "test.Color", "int"),
        ("msg.colors", "list(test.Color)", "list(int)"),
        ("msg.by_name", "map(string, test.Color)", "map(string, int)"),
        ("Msg.Size.LARGE", "test.Msg.Size", "int"),
        ("type(Color.RED)", "type(test.Color)", "type(int)"),
        ("int(Color.RED)", "int", "int"),
        ("Color.RED == Color.GREEN", "bool", "bool"),
    ];
    let deduce = |env: &Env, src: &str| match env.check(src) {
        Ok(ty) => ty.to_string(),
        Err(e) => format!("check error: {}", e.message()),
    };
    for (src, want_strong, want_legacy) in cases {
        assert_eq!(deduce(&strong, src), want_strong, "{src} (strong)");
        assert_eq!(deduce(&legacy, src), want_legacy, "{src} (legacy)");
    }
    assert_eq!(deduce(&strong, "Color"), "type(test.Color)");
    assert!(matches!(strong.check("Color(1)"), Ok(Type::Enum(name)) if name == "test.Color"));
    assert!(
        legacy.check("Color").is_err(),
        "legacy enums have no type name"
    );
}

#[test]
fn json_round_trip() {
    let pool = pool();
    let reader = JsonReader {
        pool: Some(&pool),
        ..JsonReader::default()
    };
    let written = to_json(&color(2));
    assert_eq!(
        written,
        serde_json::json!({"$enum": "test.Color", "value": 2})
    );
    let read = reader.read(&written).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.to_string(), "test.Color(2)");
    assert!(read == color(2));
    let list = Value::list(vec![color(0), color(-9)]);
    let read = reader
        .read(&to_json(&list))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.to_string(), "[test.Color(0), test.Color(-9)]");

    let error = |json: serde_json::Value| match reader.read(&json) {
        Ok(v) => format!("ok {v}"),
        Err(e) => e.to_string(),
    };
    assert_eq!(
        error(serde_json::json!({"$enum": "test.Nope", "value": 1})),
        "unknown enum type 'test.Nope'"
    );
    assert_eq!(
        error(serde_json::json!({"$enum": "test.Color", "value": 2147483648i64})),
        "$enum needs a \"value\" that is an int32 number"
    );
    assert_eq!(
        error(serde_json::json!({"$enum": "test.Color", "value": "RED"})),
        "$enum needs a \"value\" that is an int32 number"
    );
    assert_eq!(
        error(serde_json::json!({"$enum": "test.Color"})),
        "$enum needs a \"value\" that is an int32 number"
    );
    let no_pool =
        JsonReader::default().read(&serde_json::json!({"$enum": "test.Color", "value": 1}));
    assert_eq!(
        no_pool.map_err(|e| e.to_string()),
        Err("enum values need a descriptor set".to_owned())
    );
}

#[test]
fn enum_values_as_variables() {
    let env = env(true);
    let program = env
        .compile("c == Color.BLUE ? 'blue' : 'other'")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut act = env.activation();
    act.insert("c", color(2));
    assert_eq!(
        program.eval(&act).map(|v| v.to_string()).ok(),
        Some("\"blue\"".to_owned())
    );
    act.insert("c", color(5));
    assert_eq!(
        program.eval(&act).map(|v| v.to_string()).ok(),
        Some("\"other\"".to_owned())
    );
}
