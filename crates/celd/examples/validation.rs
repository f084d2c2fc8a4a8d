//! Expressions that could never evaluate are rejected when they compile: literal regular
//! expressions, timestamps and durations are checked (on by default), and an optional limit
//! caps how deeply comprehensions nest.
//!
//! `cargo run -p celd --example validation`

use celd::{Env, ErrorKind, Type, Validations};

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = Env::builder()
        .variable("name", Type::String)
        .variable("matrix", Type::list(Type::list(Type::Int)))
        .build()?;

    // Every invalid literal is reported at once, each at its place in the source.
    let error = env
        .compile("name.matches('[a-z]++') || timestamp('2024-13-01T00:00:00Z') < timestamp('2025-01-01T00:00:00Z')")
        .unwrap_err();
    println!("{error}");
    assert_eq!(error.kind(), ErrorKind::Check);
    assert_eq!(error.diagnostics().len(), 2);

    // Valid literals compile as before.
    env.compile("name.matches('^[a-z]+$') && duration('1h30m') > duration('90s')")?;

    // A nesting limit for comprehensions, as a `Limit` error.
    let strict = env
        .to_builder()
        .validations(Validations {
            max_comprehension_nesting: Some(1),
            ..Validations::default()
        })
        .build()?;
    strict.compile("matrix.all(row, size(row) > 0)")?;
    let error = strict
        .compile("matrix.all(row, row.all(x, x > 0))")
        .unwrap_err();
    println!("{error}");
    assert_eq!(error.kind(), ErrorKind::Limit);
    Ok(())
}
