//! What an evaluation spent, for billing and logs: the cost it was charged and the variables
//! it read; and the most it could cost, estimated before running it from the sizes of its
//! inputs.
//!
//! `cargo run -p celd --example eval_details`

use celd::{Env, SizeHints, Type, Value};

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = Env::builder()
        .variable("request", Type::map(Type::String, Type::Dyn))
        .variable("resource", Type::map(Type::String, Type::Dyn))
        .build()?;
    let program = env.compile(
        "request.auth.claims.groups.exists(g, g == 'admin') || resource.owner == request.auth.user",
    )?;

    // Before running: with at most 50 groups, one evaluation costs at most this much.
    let hints = SizeHints::new()
        .size("request.auth.claims.groups", 50)
        .size("resource.owner", 64)
        .size("request.auth.user", 64);
    let estimate = program.estimate_cost(&hints);
    println!("estimated cost: {} to {:?}", estimate.min, estimate.max);
    assert_eq!((estimate.min, estimate.max), (4, Some(166)));

    let request = |groups: &[&str]| -> Result<Value, celd::SerdeError> {
        celd::to_value(&serde_json::json!({
            "auth": {"user": "jane", "claims": {"groups": groups}}
        }))
    };
    let resource = celd::to_value(&serde_json::json!({"owner": "jane"}))?;

    // An admin is found at the first group: `resource` is never read.
    let mut vars = env.activation();
    vars.insert("request", request(&["admin", "dev"])?)
        .insert("resource", resource.clone());
    let (allowed, details) = program.eval_details(&vars);
    println!(
        "admin: {} (cost {}, read {:?})",
        allowed?,
        details.cost(),
        details.variables_read()
    );
    assert_eq!(details.cost(), 7);
    assert_eq!(details.variables_read(), ["request"]);

    // Not an admin: every group is looked at, then the owner.
    vars.insert("request", request(&["dev", "ops", "qa"])?);
    let (allowed, details) = program.eval_details(&vars);
    println!(
        "owner: {} (cost {}, read {:?})",
        allowed?,
        details.cost(),
        details.variables_read()
    );
    assert_eq!(details.cost(), 19);
    assert_eq!(details.variables_read(), ["request", "resource"]);
    assert!(Some(details.cost()) <= estimate.max);
    Ok(())
}
