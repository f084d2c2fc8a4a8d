//! Error cases with their rendered caret diagnostics.

use crate::support::{check_error_in, env};

const DECLS: &[(&str, &str)] = &[
    ("i", "int"),
    ("s", "string"),
    ("flag", "bool"),
    ("li", "list(int)"),
    ("m", "map(string, int)"),
];

fn error(src: &str) -> String {
    check_error_in(&env(DECLS, "cel.expr.conformance.proto3"), src)
}

#[test]
fn undeclared_variable() {
    insta::assert_snapshot!(error("nope + 1"), @r"
    ERROR: <input>:1:1: undeclared reference to 'nope' (in container 'cel.expr.conformance.proto3')
     | nope + 1
     | ^
    ");
}

#[test]
fn undeclared_function() {
    insta::assert_snapshot!(error("nope(1)"), @r"
    ERROR: <input>:1:1: undeclared reference to 'nope' (in container 'cel.expr.conformance.proto3')
     | nope(1)
     | ^
    ");
}

#[test]
fn undeclared_method() {
    insta::assert_snapshot!(error("'a'.nope()"), @r"
    ERROR: <input>:1:5: undeclared reference to 'nope' (in container 'cel.expr.conformance.proto3')
     | 'a'.nope()
     | ....^
    ");
}

#[test]
fn add_int_string() {
    insta::assert_snapshot!(error("1 + 'a'"), @r"
    ERROR: <input>:1:3: found no matching overload for '_+_' applied to '(int, string)'
     | 1 + 'a'
     | ..^
    ");
}

#[test]
fn add_on_second_line() {
    insta::assert_snapshot!(error("1 +\n  'a'"), @r"
    ERROR: <input>:1:3: found no matching overload for '_+_' applied to '(int, string)'
     | 1 +
     | ..^
    ");
}

#[test]
fn no_matching_method() {
    insta::assert_snapshot!(error("i.startsWith('a')"), @r"
    ERROR: <input>:1:2: found no matching overload for 'startsWith' applied to 'int.(string)'
     | i.startsWith('a')
     | .^
    ");
}

#[test]
fn no_matching_size_arg() {
    insta::assert_snapshot!(error("size(1)"), @r"
    ERROR: <input>:1:1: found no matching overload for 'size' applied to '(int)'
     | size(1)
     | ^
    ");
}

#[test]
fn not_with_int() {
    insta::assert_snapshot!(error("!i"), @r"
    ERROR: <input>:1:1: found no matching overload for '!_' applied to '(int)'
     | !i
     | ^
    ");
}

#[test]
fn ternary_branch_mismatch() {
    insta::assert_snapshot!(error("flag ? 1 : 'a'"), @r"
    ERROR: <input>:1:6: found no matching overload for '_?_:_' applied to '(bool, int, string)'
     | flag ? 1 : 'a'
     | .....^
    ");
}

#[test]
fn ternary_condition() {
    insta::assert_snapshot!(error("i ? 1 : 2"), @r"
    ERROR: <input>:1:3: found no matching overload for '_?_:_' applied to '(int, int, int)'
     | i ? 1 : 2
     | ..^
    ");
}

#[test]
fn index_with_string() {
    insta::assert_snapshot!(error("li['a']"), @r"
    ERROR: <input>:1:3: found no matching overload for '_[_]' applied to '(list(int), string)'
     | li['a']
     | ..^
    ");
}

#[test]
fn map_key_type() {
    insta::assert_snapshot!(error("m[1]"), @r"
    ERROR: <input>:1:2: found no matching overload for '_[_]' applied to '(map(string, int), int)'
     | m[1]
     | .^
    ");
}

#[test]
fn field_on_int() {
    insta::assert_snapshot!(error("i.field"), @r"
    ERROR: <input>:1:3: type 'int' does not support field selection
     | i.field
     | ..^
    ");
}

#[test]
fn field_on_string() {
    insta::assert_snapshot!(error("s.size"), @r"
    ERROR: <input>:1:3: type 'string' does not support field selection
     | s.size
     | ..^
    ");
}

#[test]
fn has_on_int() {
    insta::assert_snapshot!(error("has(i.f)"), @r"
    ERROR: <input>:1:1: type 'int' does not support field selection
     | has(i.f)
     | ^
    ");
}

#[test]
fn comprehension_over_int() {
    insta::assert_snapshot!(error("i.all(e, e > 0)"), @r"
    ERROR: <input>:1:1: expression of type 'int' cannot be range of a comprehension (must be list, map, or dynamic)
     | i.all(e, e > 0)
     | ^
    ");
}

#[test]
fn comprehension_condition_not_bool() {
    insta::assert_snapshot!(error("li.all(e, e + 1)"), @r"
    ERROR: <input>:1:4: found no matching overload for '_&&_' applied to '(bool, int)'
     | li.all(e, e + 1)
     | ...^
    ");
}

#[test]
fn undefined_message_field() {
    insta::assert_snapshot!(error("TestAllTypes{}.nope"), @r"
    ERROR: <input>:1:16: undefined field 'nope'
     | TestAllTypes{}.nope
     | ...............^
    ");
}

#[test]
fn undefined_struct_field() {
    insta::assert_snapshot!(error("TestAllTypes{nope: 1}"), @r"
    ERROR: <input>:1:14: undefined field 'nope'
     | TestAllTypes{nope: 1}
     | .............^
    ");
}

#[test]
fn struct_field_type() {
    insta::assert_snapshot!(error("TestAllTypes{single_int64: 'a'}"), @r"
    ERROR: <input>:1:14: expected type of field 'single_int64' is 'int' but provided type is 'string'
     | TestAllTypes{single_int64: 'a'}
     | .............^
    ");
}

#[test]
fn struct_of_variable() {
    insta::assert_snapshot!(error("i{}"), @r"
    ERROR: <input>:1:1: 'int' is not a type
     | i{}
     | ^
    ");
}

#[test]
fn struct_of_non_message() {
    insta::assert_snapshot!(error("int{}"), @r"
    ERROR: <input>:1:1: 'int' is not a message type
     | int{}
     | ^
    ");
}

#[test]
fn unknown_struct_type() {
    insta::assert_snapshot!(error("Nope{}"), @r"
    ERROR: <input>:1:1: undeclared reference to 'Nope' (in container 'cel.expr.conformance.proto3')
     | Nope{}
     | ^
    ");
}

#[test]
fn several_errors_are_collected() {
    insta::assert_snapshot!(error("a1 + b2 + c3"), @r"
    ERROR: <input>:1:1: undeclared reference to 'a1' (in container 'cel.expr.conformance.proto3')
     | a1 + b2 + c3
     | ^
    ERROR: <input>:1:6: undeclared reference to 'b2' (in container 'cel.expr.conformance.proto3')
     | a1 + b2 + c3
     | .....^
    ERROR: <input>:1:11: undeclared reference to 'c3' (in container 'cel.expr.conformance.proto3')
     | a1 + b2 + c3
     | ..........^
    ");
}

#[test]
fn optional_list_element_not_optional() {
    insta::assert_snapshot!(error("[?1]"), @r"
    ERROR: <input>:1:3: expected type 'optional_type(int)' but found 'int'
     | [?1]
     | ..^
    ");
}

#[test]
fn negate_string() {
    insta::assert_snapshot!(error("-s"), @r"
    ERROR: <input>:1:1: found no matching overload for '-_' applied to '(string)'
     | -s
     | ^
    ");
}

#[test]
fn nested_error_in_macro() {
    insta::assert_snapshot!(error("li.map(e, e + 'a')"), @r"
    ERROR: <input>:1:13: found no matching overload for '_+_' applied to '(int, string)'
     | li.map(e, e + 'a')
     | ............^
    ");
}

#[test]
fn compare_string_int() {
    insta::assert_snapshot!(error("s < 1"), @r"
    ERROR: <input>:1:3: found no matching overload for '_<_' applied to '(string, int)'
     | s < 1
     | ..^
    ");
}

#[test]
fn in_wrong_container() {
    insta::assert_snapshot!(error("1 in s"), @r"
    ERROR: <input>:1:3: found no matching overload for '@in' applied to '(int, string)'
     | 1 in s
     | ..^
    ");
}

#[test]
fn misspelt_method_points_at_its_name_with_a_suggestion() {
    insta::assert_snapshot!(error(r#""abc".startWith("a")"#), @r#"
    ERROR: <input>:1:7: undeclared reference to 'startWith' (in container 'cel.expr.conformance.proto3'); did you mean 'startsWith'?
     | "abc".startWith("a")
     | ......^
    "#);
}

#[test]
fn misspelt_names_get_suggestions() {
    insta::assert_snapshot!(error("flg || sise(li) > 0 || TestAllTypes{}.single_int46 > 0"), @r"
    ERROR: <input>:1:1: undeclared reference to 'flg' (in container 'cel.expr.conformance.proto3'); did you mean 'flag'?
     | flg || sise(li) > 0 || TestAllTypes{}.single_int46 > 0
     | ^
    ERROR: <input>:1:8: undeclared reference to 'sise' (in container 'cel.expr.conformance.proto3'); did you mean 'size'?
     | flg || sise(li) > 0 || TestAllTypes{}.single_int46 > 0
     | .......^
    ERROR: <input>:1:39: undefined field 'single_int46'; did you mean 'single_int64'?
     | flg || sise(li) > 0 || TestAllTypes{}.single_int46 > 0
     | ......................................^
    ");
}

#[test]
fn names_far_from_any_declaration_get_no_suggestion() {
    insta::assert_snapshot!(error("zzzqqq.frobnicate()"), @r"
    ERROR: <input>:1:1: undeclared reference to 'zzzqqq' (in container 'cel.expr.conformance.proto3')
     | zzzqqq.frobnicate()
     | ^
    ERROR: <input>:1:8: undeclared reference to 'frobnicate' (in container 'cel.expr.conformance.proto3')
     | zzzqqq.frobnicate()
     | .......^
    ");
}
