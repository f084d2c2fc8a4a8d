//! The benchmark cases as values of the peer engines (the `cel` crate), built in each one's
//! natural form.

use std::collections::HashMap;
use std::sync::Arc;

use crate::N_ITEMS;

fn cel_map(entries: Vec<(&str, cel::Value)>) -> cel::Value {
    let map: HashMap<String, cel::Value> = entries
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    cel::Value::from(map)
}

fn cel_string(s: &str) -> cel::Value {
    cel::Value::String(Arc::new(s.to_owned()))
}

/// `list.join(separator)` for the `cel` crate, which has no strings extension: registered
/// the way that crate is extended, so e09 runs in both engines.
fn cel_join(
    cel::extractors::This(list): cel::extractors::This<Arc<Vec<cel::Value>>>,
    separator: Arc<String>,
) -> Result<cel::Value, cel::ExecutionError> {
    let mut parts = Vec::with_capacity(list.len());
    for item in list.iter() {
        match item {
            cel::Value::String(s) => parts.push(s.as_str()),
            other => {
                return Err(cel::ExecutionError::function_error(
                    "join",
                    format!("not a string: {other:?}"),
                ));
            }
        }
    }
    Ok(cel::Value::String(Arc::new(parts.join(separator.as_str()))))
}

/// The case variables as a `cel` crate context.
pub fn cel_context() -> cel::Context<'static, 'static> {
    let mut ctx = cel::Context::default();
    ctx.add_function("join", cel_join)
        .expect("the cel crate has no join of its own");
    let items: Vec<cel::Value> = (0..N_ITEMS)
        .map(|k| {
            cel_map(vec![
                ("name", cel_string(&format!("item{k}"))),
                ("price", cel::Value::Float(k as f64)),
            ])
        })
        .collect();
    let groups = cel::Value::List(Arc::new(vec![
        cel_string("user"),
        cel_string("dev"),
        cel_string("admin"),
    ]));
    let claims = cel_map(vec![("groups", groups), ("sub", cel_string("jane"))]);
    ctx.add_variable_from_value("x", 1i64);
    ctx.add_variable_from_value("y", 2i64);
    ctx.add_variable_from_value("z", 3i64);
    ctx.add_variable_from_value("age", 30i64);
    ctx.add_variable_from_value(
        "a",
        cel_map(vec![("b", cel_map(vec![("c", cel_string("hello"))]))]),
    );
    ctx.add_variable_from_value("name", cel_string("jane"));
    ctx.add_variable_from_value(
        "roles",
        cel::Value::List(Arc::new(vec![cel_string("user"), cel_string("admin")])),
    );
    ctx.add_variable_from_value("s", cel_string("hello"));
    ctx.add_variable_from_value("items", cel::Value::List(Arc::new(items)));
    ctx.add_variable_from_value(
        "request",
        cel_map(vec![("auth", cel_map(vec![("claims", claims)]))]),
    );
    ctx
}
