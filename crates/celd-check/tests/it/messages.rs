//! Message types from descriptor pools: fields, repeated and map fields,
//! enums, wrappers and well-known types, struct literals.

use celd_check::CheckEnv;
use celd_types::TypeProvider;

use crate::support::{check_table, env};

const MSG: &[(&str, &str)] = &[("msg", "cel.expr.conformance.proto3.TestAllTypes")];

const FIELDS: &[(&str, &str)] = &[
    ("msg.single_int32", "int"),
    ("msg.single_int64", "int"),
    ("msg.single_uint32", "uint"),
    ("msg.single_uint64", "uint"),
    ("msg.single_sint64", "int"),
    ("msg.single_fixed32", "uint"),
    ("msg.single_sfixed64", "int"),
    ("msg.single_float", "double"),
    ("msg.single_double", "double"),
    ("msg.single_bool", "bool"),
    ("msg.single_string", "string"),
    ("msg.single_bytes", "bytes"),
    ("msg.standalone_enum", "int"),
    (
        "msg.standalone_message",
        "cel.expr.conformance.proto3.TestAllTypes.NestedMessage",
    ),
    ("msg.standalone_message.bb", "int"),
    ("msg.single_any", "google.protobuf.Any"),
    ("msg.single_duration", "google.protobuf.Duration"),
    ("msg.single_timestamp", "google.protobuf.Timestamp"),
    ("msg.single_struct", "map(string, dyn)"),
    ("msg.single_value", "dyn"),
    ("msg.list_value", "list(dyn)"),
    ("msg.null_value", "null_type"),
    ("msg.single_int64_wrapper", "wrapper(int)"),
    ("msg.single_int32_wrapper", "wrapper(int)"),
    ("msg.single_uint64_wrapper", "wrapper(uint)"),
    ("msg.single_double_wrapper", "wrapper(double)"),
    ("msg.single_float_wrapper", "wrapper(double)"),
    ("msg.single_string_wrapper", "wrapper(string)"),
    ("msg.single_bool_wrapper", "wrapper(bool)"),
    ("msg.single_bytes_wrapper", "wrapper(bytes)"),
    ("msg.repeated_int64", "list(int)"),
    ("msg.repeated_string", "list(string)"),
    (
        "msg.repeated_nested_message",
        "list(cel.expr.conformance.proto3.TestAllTypes.NestedMessage)",
    ),
    ("msg.repeated_nested_enum", "list(int)"),
    ("msg.map_string_string", "map(string, string)"),
    (
        "msg.map_int64_nested_type",
        "map(int, cel.expr.conformance.proto3.NestedTestAllTypes)",
    ),
    ("msg.map_bool_int32", "map(bool, int)"),
    ("msg.repeated_nested_message[0].bb", "int"),
    ("msg.map_string_string['k'].size()", "int"),
    ("has(msg.single_int64)", "bool"),
    ("has(msg.standalone_message.bb)", "bool"),
    ("msg.single_struct.key", "dyn"),
    ("msg.single_value.anything", "dyn"),
    ("msg.single_any.anything", "dyn"),
    ("msg.single_int64_wrapper + 1", "int"),
    ("msg.single_int64_wrapper == null", "bool"),
    (
        "msg.single_timestamp + duration('1s')",
        "google.protobuf.Timestamp",
    ),
    ("msg.single_duration.getSeconds()", "int"),
    ("msg == msg", "bool"),
    ("msg != null", "bool"),
    ("[msg, null][0]", "cel.expr.conformance.proto3.TestAllTypes"),
    ("msg.repeated_int64.map(x, x * 2)", "list(int)"),
    ("msg.map_string_string.all(k, k != '')", "bool"),
    ("msg.?single_int64", "optional_type(int)"),
];

const LITERALS: &[(&str, &str)] = &[
    ("TestAllTypes{}", "cel.expr.conformance.proto3.TestAllTypes"),
    (
        "TestAllTypes{single_int64: 1, single_string: 'a'}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{single_int64_wrapper: 1}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{single_int64_wrapper: null}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{single_value: 1}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{single_any: 'a'}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{single_struct: {'a': 1}}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{repeated_int64: [1, 2]}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{map_string_string: {'a': 'b'}}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{standalone_message: TestAllTypes.NestedMessage{bb: 1}}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{standalone_enum: TestAllTypes.NestedEnum.BAR}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{single_timestamp: timestamp(0)}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    (
        "TestAllTypes{?single_int64: optional.of(1)}",
        "cel.expr.conformance.proto3.TestAllTypes",
    ),
    ("TestAllTypes{single_int64: 1}.single_int64", "int"),
    (
        "NestedTestAllTypes{child: NestedTestAllTypes{}}.child.payload.single_int32",
        "int",
    ),
    ("google.protobuf.Int64Value{value: 1}", "wrapper(int)"),
    (
        "google.protobuf.Timestamp{seconds: 1}",
        "google.protobuf.Timestamp",
    ),
    (
        "google.protobuf.Duration{seconds: 1}",
        "google.protobuf.Duration",
    ),
    ("google.protobuf.Struct{fields: {}}", "map(string, dyn)"),
    ("google.protobuf.Value{string_value: 'a'}", "dyn"),
    ("google.protobuf.Int64Value", "type(wrapper(int))"),
    ("TestAllTypes.NestedEnum.BAZ", "int"),
    ("GlobalEnum.GAR + 1", "int"),
    ("type(TestAllTypes{}) == TestAllTypes", "bool"),
];

#[test]
fn field_types() {
    check_table(&env(MSG, ""), FIELDS);
}

#[test]
fn struct_literals_and_enums() {
    check_table(&env(MSG, "cel.expr.conformance.proto3"), LITERALS);
}

#[test]
fn proto2_messages() {
    check_table(
        &env(
            &[("p2", "cel.expr.conformance.proto2.TestAllTypes")],
            "cel.expr.conformance.proto2",
        ),
        &[
            ("p2.single_int32", "int"),
            ("has(p2.single_int32)", "bool"),
            ("p2.repeated_nested_enum", "list(int)"),
            (
                "TestAllTypes{single_int32: 1}",
                "cel.expr.conformance.proto2.TestAllTypes",
            ),
        ],
    );
}

const SMALL_PROTO: &str = r#"
syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";

enum Tier { TIER_UNSPECIFIED = 0; GOLD = 1; }

message Order {
  string id = 1;
  repeated Item items = 2;
  map<string, int64> counts = 3;
  google.protobuf.Timestamp created = 4;
  Tier tier = 5;
  message Item { string sku = 1; uint32 quantity = 2; double price = 3; }
}
"#;

/// A pool compiled in the test from a `.proto` string.
fn small_pool_env() -> CheckEnv {
    let files = protox::file::ChainFileResolver::new();
    let mut resolver = files;
    resolver.add(InMemory);
    resolver.add(protox::file::GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler
        .open_file("shop.proto")
        .unwrap_or_else(|e| panic!("compiling shop.proto: {e}"));
    CheckEnv::builder()
        .type_provider(TypeProvider::new(compiler.descriptor_pool()))
        .variable("order", celd_types::Type::message("shop.Order"))
        .container("shop")
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

struct InMemory;

impl protox::file::FileResolver for InMemory {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        if name == "shop.proto" {
            protox::file::File::from_source(name, SMALL_PROTO)
        } else {
            Err(protox::Error::file_not_found(name))
        }
    }
}

#[test]
fn pool_built_from_a_proto_string() {
    check_table(
        &small_pool_env(),
        &[
            ("order.id", "string"),
            ("order.items[0].quantity", "uint"),
            (
                "order.items.map(i, i.price * double(i.quantity))",
                "list(double)",
            ),
            ("order.counts['a'] + 1", "int"),
            ("order.created.getFullYear()", "int"),
            ("order.tier == Tier.GOLD", "bool"),
            ("Order{id: 'x', tier: Tier.GOLD}", "shop.Order"),
            ("Order.Item{sku: 'a'}.sku", "string"),
            (
                "order.nope",
                "ERROR ERROR: <input>:1:7: undefined field 'nope'\n | order.nope\n | ......^",
            ),
        ],
    );
}

const P3: &str = "cel.expr.conformance.proto3";

/// With strong enums each enum is a type: constants, fields and conversions have it.
#[test]
fn strong_enums() {
    let env = crate::support::builder(MSG, P3)
        .strong_enums(true)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let nested = format!("{P3}.TestAllTypes.NestedEnum");
    let global = format!("{P3}.GlobalEnum");
    let rows = [
        ("GlobalEnum.GAZ", global.clone()),
        ("TestAllTypes.NestedEnum.BAR", nested.clone()),
        ("GlobalEnum", format!("type({global})")),
        ("type(GlobalEnum.GAZ)", format!("type({global})")),
        ("msg.standalone_enum", nested.clone()),
        ("msg.repeated_nested_enum", format!("list({nested})")),
        ("msg.map_string_enum", format!("map(string, {nested})")),
        ("msg.map_string_enum['a']", nested.clone()),
        ("GlobalEnum(1)", global.clone()),
        ("GlobalEnum('GAZ')", global.clone()),
        ("TestAllTypes.NestedEnum(dyn(1))", nested.clone()),
        (".cel.expr.conformance.proto3.GlobalEnum(1)", global.clone()),
        ("int(GlobalEnum.GAZ)", "int".to_owned()),
        ("GlobalEnum.GAZ == GlobalEnum.GAR", "bool".to_owned()),
        ("GlobalEnum.GAZ != dyn(2)", "bool".to_owned()),
        (
            "[GlobalEnum.GAZ, GlobalEnum.GAR]",
            format!("list({global})"),
        ),
        ("[GlobalEnum.GAZ, 1]", "list(dyn)".to_owned()),
        (
            "TestAllTypes{standalone_enum: TestAllTypes.NestedEnum.BAR}",
            format!("{P3}.TestAllTypes"),
        ),
        (
            "TestAllTypes{repeated_nested_enum: [TestAllTypes.NestedEnum(5)]}",
            format!("{P3}.TestAllTypes"),
        ),
        (
            "google.protobuf.NullValue.NULL_VALUE",
            "null_type".to_owned(),
        ),
        (
            "GlobalEnum.GAZ == 2",
            format!(
                "ERROR ERROR: <input>:1:16: found no matching overload for '_==_' applied to '({global}, int)'\n | GlobalEnum.GAZ == 2\n | ...............^"
            ),
        ),
        (
            "GlobalEnum(1.0)",
            format!(
                "ERROR ERROR: <input>:1:1: found no matching overload for '{global}' applied to '(double)'\n | GlobalEnum(1.0)\n | ^"
            ),
        ),
        (
            "TestAllTypes{standalone_enum: 1}",
            format!(
                "ERROR ERROR: <input>:1:14: expected type of field 'standalone_enum' is '{nested}' but provided type is 'int'\n | TestAllTypes{{standalone_enum: 1}}\n | .............^"
            ),
        ),
        (
            "msg.standalone_enum.x",
            format!(
                "ERROR ERROR: <input>:1:21: type '{nested}' does not support field selection\n | msg.standalone_enum.x\n | ....................^"
            ),
        ),
    ];
    let rows: Vec<(&str, &str)> = rows.iter().map(|(src, ty)| (*src, ty.as_str())).collect();
    check_table(&env, &rows);
}

/// Without the option, nothing changes: enums are `int` and enum names are not types.
#[test]
fn legacy_enums_are_ints() {
    let env = env(MSG, P3);
    check_table(
        &env,
        &[
            ("GlobalEnum.GAZ", "int"),
            ("msg.map_string_enum", "map(string, int)"),
            ("GlobalEnum.GAZ == 2", "bool"),
            (
                "TestAllTypes{standalone_enum: 1}",
                "cel.expr.conformance.proto3.TestAllTypes",
            ),
            ("google.protobuf.NullValue.NULL_VALUE", "int"),
            (
                "GlobalEnum(1)",
                "ERROR ERROR: <input>:1:1: undeclared reference to 'GlobalEnum' (in container 'cel.expr.conformance.proto3')\n | GlobalEnum(1)\n | ^",
            ),
        ],
    );
    assert!(
        env.function("cel.expr.conformance.proto3.GlobalEnum")
            .is_none()
    );
}
