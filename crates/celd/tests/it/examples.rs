//! The runnable examples, run as tests: each asserts what it prints.

#[path = "../../examples/host_functions.rs"]
mod host_functions;
#[path = "../../examples/host_types.rs"]
mod host_types;

#[test]
fn host_functions_example_runs() {
    host_functions::main();
}

#[test]
fn host_types_example_runs() {
    host_types::main();
}
