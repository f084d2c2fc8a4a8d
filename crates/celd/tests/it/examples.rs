//! The runnable examples, run as tests: each asserts what it prints.

#[cfg(feature = "serde")]
#[path = "../../examples/eval_details.rs"]
mod eval_details;
#[path = "../../examples/host_functions.rs"]
mod host_functions;
#[path = "../../examples/host_types.rs"]
mod host_types;
#[cfg(feature = "serde")]
#[path = "../../examples/serde_values.rs"]
mod serde_values;
#[path = "../../examples/validation.rs"]
mod validation;

#[test]
fn host_functions_example_runs() {
    host_functions::main();
}

#[test]
fn host_types_example_runs() {
    host_types::main();
}

#[cfg(feature = "serde")]
#[test]
fn serde_values_example_runs() {
    serde_values::main().unwrap();
}

#[cfg(feature = "serde")]
#[test]
fn eval_details_example_runs() {
    eval_details::main().unwrap();
}

#[test]
fn validation_example_runs() {
    validation::main().unwrap();
}
