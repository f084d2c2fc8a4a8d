//! Loading test files: names, flags, declarations, bindings and expectations.

use celd_conformance::suite::{Expected, Mode, Prepared, TestFile, TestSpec};
use celd_conformance::types::{Decl, TypeSpec};
use celd_value::Value;

use crate::support::{parse, pool};

const FILE: &str = r#"
name: "inline"
section {
  name: "first"
  test { name: "t" expr: "1 + 1" value { int64_value: 2 } }
  test { name: "t" expr: "true" }
  test {
    name: "typed"
    expr: "x"
    type_env { name: "x" ident { type { list_type { elem_type { primitive: INT64 } } } } }
    bindings { key: "x" value { value { list_value { values { int64_value: 1 } } } } }
    typed_result {
      result { list_value { values { int64_value: 1 } } }
      deduced_type { list_type { elem_type { primitive: INT64 } } }
    }
  }
  test { name: "error" expr: "1 / 0" eval_error { errors { message: "division by zero" } } }
}
section {
  name: "second"
  test { name: "unknown_matcher" expr: "x" unknown { exprs: 1 } }
  test { name: "unknown_binding" expr: "x" bindings { key: "x" value { unknown { exprs: 1 } } } }
  test { name: "check_only_value" expr: "1" check_only: true value { int64_value: 1 } }
  test {
    name: "function"
    expr: "1.f()"
    check_only: true
    type_env {
      name: "f"
      function {
        overloads {
          overload_id: "int_f"
          params { primitive: INT64 }
          result_type { abstract_type { name: "tuple" parameter_types { type_param: "T" } } }
          is_instance_function: true
        }
      }
    }
    typed_result { deduced_type { type { primitive: INT64 } } }
  }
  test {
    name: "message"
    expr: "m"
    container: "cel.expr.conformance.proto3"
    disable_macros: true
    disable_check: true
    value {
      object_value {
        [type.googleapis.com/cel.expr.conformance.proto3.TestAllTypes] { single_int64: 1 }
      }
    }
  }
  test {
    name: "duplicate_key"
    expr: "{}"
    value {
      map_value {
        entries { key { int64_value: 1 } value { bool_value: true } }
        entries { key { int64_value: 1 } value { bool_value: false } }
      }
    }
  }
}
"#;

fn load() -> Option<TestFile> {
    Some(parse(&pool()?, FILE))
}

fn test(file: &TestFile, section: usize, index: usize) -> &Prepared {
    &file.sections[section].tests[index].prepared
}

fn ready(prepared: &Prepared) -> &TestSpec {
    match prepared {
        Prepared::Ready(spec) => spec,
        Prepared::Skip(reason) => panic!("skipped: {reason}"),
        Prepared::Broken(e) => panic!("broken: {e}"),
    }
}

#[test]
fn names_repeat_with_a_position_suffix() {
    let Some(file) = load() else { return };
    assert_eq!(file.name, "inline");
    let names: Vec<&str> = file.sections[0]
        .tests
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["t", "t#2", "typed", "error"]);
}

#[test]
fn no_matcher_expects_true() {
    let Some(file) = load() else { return };
    let spec = ready(test(&file, 0, 1));
    assert!(matches!(spec.expected, Expected::Value(Value::Bool(true))));
    assert_eq!(spec.mode, Mode::Checked);
}

#[test]
fn typed_results_carry_value_type_declarations_and_bindings() {
    let Some(file) = load() else { return };
    let spec = ready(test(&file, 0, 2));
    let list_of_int = "list(int)";
    let Expected::Typed {
        value: Some(value),
        ty,
    } = &spec.expected
    else {
        panic!("not a typed result")
    };
    assert_eq!(ty.to_string(), list_of_int);
    assert_eq!(value, &Value::list(vec![Value::Int(1)]));
    assert!(
        matches!(&spec.env.decls[..], [Decl::Variable { name, ty }] if name == "x" && ty.to_string() == list_of_int)
    );
    assert_eq!(spec.bindings.len(), 1);
    assert_eq!(spec.bindings[0].0, "x");
}

#[test]
fn eval_errors_accept_any_error_and_keep_the_messages() {
    let Some(file) = load() else { return };
    assert!(matches!(
        &ready(test(&file, 0, 3)).expected,
        Expected::AnyError { messages } if messages == &["division by zero"]
    ));
}

#[test]
fn unsupported_matchers_and_bindings_are_skipped_with_a_reason() {
    let Some(file) = load() else { return };
    assert!(matches!(test(&file, 1, 0), Prepared::Skip(r) if r.contains("'unknown'")));
    assert!(
        matches!(test(&file, 1, 1), Prepared::Skip(r) if r.contains("binding 'x': an unknown binding is not supported"))
    );
}

#[test]
fn check_only_tests_need_a_typed_result() {
    let Some(file) = load() else { return };
    assert!(matches!(test(&file, 1, 2), Prepared::Broken(e) if e.0.contains("typed_result")));
}

#[test]
fn function_declarations_convert() {
    let Some(file) = load() else { return };
    let spec = ready(test(&file, 1, 3));
    assert_eq!(spec.mode, Mode::CheckOnly);
    let [Decl::Function { name, overloads }] = &spec.env.decls[..] else {
        panic!("not one function: {:?}", spec.env.decls)
    };
    assert_eq!(name, "f");
    assert_eq!(overloads.len(), 1);
    assert!(overloads[0].member);
    assert_eq!(overloads[0].id, "int_f");
    assert_eq!(overloads[0].result.to_string(), "tuple(T)");
    assert!(matches!(
        &spec.expected,
        Expected::Typed {
            value: None,
            ty: TypeSpec::Type(Some(_))
        }
    ));
}

#[test]
fn flags_container_and_messages() {
    let Some(file) = load() else { return };
    let spec = ready(test(&file, 1, 4));
    assert_eq!(spec.mode, Mode::Unchecked);
    assert!(spec.env.disable_macros);
    assert_eq!(spec.env.container, "cel.expr.conformance.proto3");
    let Expected::Value(Value::Message(m)) = &spec.expected else {
        panic!("not a message")
    };
    assert_eq!(
        prost_reflect::ReflectMessage::descriptor(&**m).full_name(),
        "cel.expr.conformance.proto3.TestAllTypes"
    );
}

#[test]
fn broken_values_fail_the_test_not_the_run() {
    let Some(file) = load() else { return };
    assert!(matches!(test(&file, 1, 5), Prepared::Broken(e) if e.0.contains("duplicate map key")));
}

#[test]
fn unparsable_files_are_load_errors() {
    let Some(pool) = pool() else { return };
    let path = std::path::Path::new("broken.textproto");
    let error = celd_conformance::suite::parse_file(&pool, "section { test { nme: 1 } }", path)
        .err()
        .expect("a parse error");
    assert!(
        error.to_string().starts_with("broken.textproto: "),
        "{error}"
    );
}

#[test]
fn every_spec_file_loads() {
    let Some(pool) = pool() else { return };
    let Some(dir) = crate::support::spec_dir() else {
        return;
    };
    let files = celd_conformance::spec::default_files(&dir).expect("listing");
    assert_eq!(files.len(), 30);
    let mut tests = 0;
    for path in &files {
        let file =
            celd_conformance::suite::load_file(&pool, path).unwrap_or_else(|e| panic!("{e}"));
        for section in &file.sections {
            for test in &section.tests {
                tests += 1;
                if let Prepared::Broken(e) = &test.prepared {
                    panic!("{}/{}/{}: {e}", file.name, section.name, test.name);
                }
            }
        }
    }
    assert_eq!(tests, 1963);
}
