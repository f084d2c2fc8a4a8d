//! Declarations through the façade: types given as text resolve against the environment,
//! a name declared twice is an error, and a variable's value must fit its declared type.

use celd::{Env, ErrorKind, Type, TypeErrorKind, Value};

#[test]
fn text_declarations_resolve_and_unknown_types_are_errors() {
    let env = Env::builder()
        .all_extensions()
        .declare("items", "list(int)")
        .declare("addr", "net.IP")
        .build()
        .expect("valid declarations");
    assert_eq!(env.variable_type("items"), Some(&Type::list(Type::Int)));
    assert_eq!(env.check("items[0] + 1").unwrap(), Type::Int);
    assert_eq!(env.check("addr.family()").unwrap(), Type::Int);

    let err = Env::builder()
        .declare("x", "integr")
        .build()
        .err()
        .expect("an error");
    assert_eq!(err.kind(), ErrorKind::Env);
    assert_eq!(
        err.message(),
        "declaration of 'x': unknown type 'integr'; did you mean 'int'?"
    );
    let err = Env::builder()
        .declare("m", "pkg.Msg")
        .build()
        .err()
        .expect("an error");
    assert_eq!(
        err.message(),
        "declaration of 'm': unknown message type 'pkg.Msg'"
    );
}

#[test]
fn parse_type_resolves_in_a_container() {
    let env = Env::standard();
    let err = env.parse_type("TestAllTypes").unwrap_err();
    assert_eq!(err.kind, TypeErrorKind::UnknownMessage);
    assert_eq!(
        env.parse_type_in("Timestamp", "google.protobuf"),
        Ok(Type::Timestamp)
    );
    assert_eq!(
        env.parse_type("optional_type(string)"),
        Ok(Type::optional(Type::String))
    );
}

#[test]
fn a_variable_declared_twice_is_an_error() {
    let err = Env::builder()
        .variable("x", Type::Int)
        .declare("x", "string")
        .build()
        .err()
        .expect("an error");
    assert_eq!(err.message(), "variable 'x' is declared more than once");
    let err = Env::builder()
        .variable("x", Type::Int)
        .variable("x", Type::Int)
        .build()
        .err()
        .expect("an error");
    assert_eq!(err.kind(), ErrorKind::Env);
}

#[test]
fn a_value_that_does_not_fit_its_declaration_fails_before_evaluation() {
    let env = Env::builder()
        .declare("x", "int")
        .declare("xs", "list(int)")
        .build()
        .unwrap();
    let program = env.compile("x + 1").unwrap();
    let mut vars = env.activation();
    vars.insert("x", 1.5).insert("xs", Value::list(vec![]));
    let err = program.eval(&vars).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Variable);
    assert_eq!(
        err.message(),
        "variable 'x' is declared int but was given double"
    );
    // Putting a fitting value in its place clears the error.
    vars.insert("x", 2);
    assert_eq!(program.eval(&vars).unwrap(), Value::Int(3));
    // A program that does not read the variable fails too: the input is wrong.
    vars.insert("xs", Value::list(vec![Value::Int(1), Value::from("two")]));
    let err = env.compile("1").unwrap().eval(&vars).unwrap_err();
    assert_eq!(
        err.message(),
        "variable 'xs' is declared list(int) but was given string at xs[1]"
    );
}

#[test]
fn the_value_check_can_be_turned_off() {
    let env = Env::builder()
        .declare("x", "int")
        .check_variable_types(false)
        .build()
        .unwrap();
    let mut vars = env.activation();
    vars.insert("x", 1.5);
    // Evaluation meets the double and fails as unchecked types do, at run time.
    let err = env.compile("x + 1").unwrap().eval(&vars).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Eval);
    assert_eq!(
        env.compile("x").unwrap().eval(&vars).unwrap(),
        Value::Double(1.5)
    );
}
