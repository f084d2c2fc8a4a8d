//! The declaration tables: every row parses, ids are unique, key ids exist.

use std::collections::HashSet;

use celd_types::library::{EXTENSIONS, STANDARD, extension};
use celd_types::{Library, OverloadDecl, Type, parse_generic_type};

fn all_libraries() -> Vec<Library> {
    std::iter::once(STANDARD)
        .chain(EXTENSIONS.iter().copied())
        .collect()
}

fn decl(id: &str) -> OverloadDecl {
    all_libraries()
        .iter()
        .flat_map(|lib| lib.overloads.iter())
        .find(|row| row.id == id)
        .map(|row| row.to_decl().unwrap_or_else(|e| panic!("{id}: {e}")))
        .unwrap_or_else(|| panic!("no overload {id}"))
}

#[test]
fn every_row_parses() {
    for lib in all_libraries() {
        let functions = lib
            .function_decls()
            .unwrap_or_else(|e| panic!("{}: {e}", lib.name));
        assert_eq!(
            functions.iter().map(|f| f.overloads.len()).sum::<usize>(),
            lib.overloads.len()
        );
        for row in lib.type_names {
            assert!(parse_generic_type(row.ty).is_ok(), "{}", row.name);
        }
    }
}

#[test]
fn overload_ids_are_unique() {
    let mut seen = HashSet::new();
    for lib in all_libraries() {
        for row in lib.overloads {
            assert!(seen.insert(row.id), "duplicate overload id {}", row.id);
        }
    }
}

#[test]
fn standard_library_covers_langdef() {
    let ids: HashSet<&str> = STANDARD.overloads.iter().map(|r| r.id).collect();
    for id in [
        "add_int64",
        "add_uint64",
        "add_double",
        "add_string",
        "add_bytes",
        "add_list",
        "add_timestamp_duration",
        "add_duration_timestamp",
        "add_duration_duration",
        "subtract_timestamp_timestamp",
        "negate_int64",
        "logical_not",
        "equals",
        "not_equals",
        "less_int64_double",
        "greater_equals_uint64_int64",
        "index_list",
        "index_map",
        "in_list",
        "in_map",
        "size_string",
        "string_size",
        "contains_string",
        "starts_with_string",
        "ends_with_string",
        "matches_string",
        "int64_to_uint64",
        "string_to_int64",
        "timestamp_to_year",
        "timestamp_to_year_with_tz",
        "timestamp_to_seconds_tz",
        "duration_to_milliseconds",
        "not_strictly_false",
        "to_dyn",
        "type",
    ] {
        assert!(ids.contains(id), "standard library lacks {id}");
    }
    assert!(
        STANDARD.overloads.len() >= 150,
        "{}",
        STANDARD.overloads.len()
    );
}

#[test]
fn signatures_are_what_the_rows_say() {
    let add = decl("add_list");
    assert!(!add.member);
    assert_eq!(add.params, vec![Type::list(Type::param("A")); 2]);
    assert_eq!(add.type_params, ["A"]);
    let size = decl("string_size");
    assert!(size.member);
    assert_eq!(size.params, vec![Type::String]);
    assert_eq!(size.result, Type::Int);
    let or = decl("optional_or_optional");
    assert!(or.member);
    assert_eq!(or.result, Type::optional(Type::param("V")));
    // The rows name the network types as plain names; an environment that enables the
    // library reads them as its opaque types (`Library::opaque_types`).
    let contains = decl("cidr_contains_ip_ip");
    assert_eq!(
        contains.params,
        vec![Type::named("net.CIDR"), Type::named("net.IP")]
    );
    assert_eq!(
        celd_types::ext::NETWORK.opaque_types,
        ["net.IP", "net.CIDR"]
    );
}

#[test]
fn extensions_are_found_by_name() {
    for name in [
        "strings",
        "math",
        "lists",
        "sets",
        "encoders",
        "optional",
        "bindings",
        "block",
        "two_var_comprehensions",
        "regex",
        "network",
        "protos",
    ] {
        assert_eq!(extension(name).map(|l| l.name), Some(name));
    }
    assert!(extension("nope").is_none());
}
