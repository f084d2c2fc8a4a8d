//! The type provider over the cel-spec conformance protos.

use std::path::PathBuf;

use celd_types::{Type, TypeProvider};

fn spec_dir() -> PathBuf {
    std::env::var_os("CEL_SPEC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/cel-spec")
        })
}

fn provider() -> TypeProvider {
    let proto_dir = spec_dir().join("proto");
    assert!(
        proto_dir.is_dir(),
        "cel-spec protos not found at {} (set CEL_SPEC_DIR)",
        proto_dir.display()
    );
    let pool = protox::Compiler::new([&proto_dir])
        .and_then(|mut c| {
            c.open_files([
                "cel/expr/conformance/proto3/test_all_types.proto",
                "cel/expr/conformance/proto2/test_all_types.proto",
                "cel/expr/conformance/proto2/test_all_types_extensions.proto",
            ])?;
            Ok(c.descriptor_pool())
        })
        .unwrap_or_else(|e| panic!("compiling conformance protos: {e}"));
    TypeProvider::new(pool)
}

const P3: &str = "cel.expr.conformance.proto3.TestAllTypes";

fn field(message: &str, name: &str) -> Option<String> {
    provider()
        .field_type(message, name)
        .map(|f| f.ty.to_string())
}

#[test]
fn field_types() {
    let rows = [
        ("single_int32", "int"),
        ("single_uint64", "uint"),
        ("single_float", "double"),
        ("single_nested_enum", "int"),
        ("repeated_string", "list(string)"),
        ("map_string_int64", "map(string, int)"),
        ("single_timestamp", "google.protobuf.Timestamp"),
        ("single_any", "google.protobuf.Any"),
        ("single_struct", "map(string, dyn)"),
        ("single_value", "dyn"),
        ("list_value", "list(dyn)"),
        ("null_value", "null_type"),
        ("single_bool_wrapper", "wrapper(bool)"),
        ("repeated_int64_wrapper", "list(wrapper(int))"),
    ];
    for (name, expect) in rows {
        assert_eq!(field(P3, name).as_deref(), Some(expect), "{name}");
    }
    assert_eq!(field(P3, "nope"), None);
    assert_eq!(field("nope.Msg", "x"), None);
}

#[test]
fn presence_and_messages() {
    let p = provider();
    assert_eq!(p.message_type(P3), Some(Type::Message(P3.into())));
    assert_eq!(
        p.message_type("google.protobuf.Int32Value")
            .map(|t| t.to_string())
            .as_deref(),
        Some("wrapper(int)")
    );
    assert_eq!(p.message_type("nope"), None);
    let nested = p
        .field_type(P3, "single_nested_message")
        .map(|f| f.supports_presence);
    assert_eq!(nested, Some(true));
    let scalar = p
        .field_type(P3, "single_int32")
        .map(|f| f.supports_presence);
    assert_eq!(scalar, Some(false));
}

#[test]
fn enum_constants() {
    let p = provider();
    assert_eq!(
        p.enum_value("cel.expr.conformance.proto3.GlobalEnum.GAZ"),
        Some(2)
    );
    assert_eq!(
        p.enum_value("cel.expr.conformance.proto3.TestAllTypes.NestedEnum.BAR"),
        Some(1)
    );
    assert_eq!(
        p.enum_value("google.protobuf.NullValue.NULL_VALUE"),
        Some(0)
    );
    assert_eq!(
        p.enum_value("cel.expr.conformance.proto3.GlobalEnum.NOPE"),
        None
    );
    assert_eq!(p.enum_value("nodots"), None);
}

#[test]
fn proto2_extension_fields_by_full_name() {
    let got = field(
        "cel.expr.conformance.proto2.TestAllTypes",
        "cel.expr.conformance.proto2.int32_ext",
    );
    assert_eq!(got.as_deref(), Some("int"));
    let wrong_message = field(P3, "cel.expr.conformance.proto2.int32_ext");
    assert_eq!(wrong_message, None);
}

#[test]
fn root_segments_cover_packages() {
    let roots = provider().root_segments();
    assert!(roots.contains("cel"));
    assert!(roots.contains("google"));
}

#[test]
fn strong_enums_type_enum_fields_and_declare_conversions() {
    let legacy = provider();
    let strong = provider().with_strong_enums(true);
    let nested = "cel.expr.conformance.proto3.TestAllTypes.NestedEnum";
    let ty = |p: &TypeProvider, name: &str| p.field_type(P3, name).map(|f| f.ty.to_string());
    for (name, want_strong, want_legacy) in [
        ("standalone_enum", nested.to_owned(), "int"),
        (
            "repeated_nested_enum",
            format!("list({nested})"),
            "list(int)",
        ),
        (
            "map_bool_enum",
            format!("map(bool, {nested})"),
            "map(bool, int)",
        ),
        ("null_value", "null_type".to_owned(), "null_type"),
        ("single_int32", "int".to_owned(), "int"),
    ] {
        assert_eq!(
            ty(&strong, name).as_deref(),
            Some(want_strong.as_str()),
            "{name}"
        );
        assert_eq!(ty(&legacy, name).as_deref(), Some(want_legacy), "{name}");
    }
    assert_eq!(
        strong.enum_type("cel.expr.conformance.proto3.GlobalEnum"),
        Some(Type::enum_type("cel.expr.conformance.proto3.GlobalEnum"))
    );
    assert_eq!(strong.enum_type("google.protobuf.NullValue"), None);
    assert_eq!(strong.enum_type(P3), None);

    assert!(legacy.enum_functions().is_empty());
    let functions = strong.enum_functions();
    let global = functions
        .iter()
        .find(|f| f.name == "cel.expr.conformance.proto3.GlobalEnum")
        .unwrap_or_else(|| panic!("GlobalEnum(x) is declared"));
    let ids: Vec<&str> = global.overloads.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "int64_to_cel.expr.conformance.proto3.GlobalEnum",
            "string_to_cel.expr.conformance.proto3.GlobalEnum"
        ]
    );
    let int = functions
        .iter()
        .find(|f| f.name == "int")
        .unwrap_or_else(|| panic!("int(E) is declared"));
    assert!(
        int.overloads
            .iter()
            .any(|o| o.id == format!("{nested}_to_int64") && o.result == Type::Int)
    );
    assert!(
        functions
            .iter()
            .all(|f| f.name != "google.protobuf.NullValue"),
        "NullValue is null_type, not an enum to convert to"
    );
}
