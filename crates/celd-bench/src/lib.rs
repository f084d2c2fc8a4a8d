//! The benchmark cases, with variables built once in each engine's natural form.
//!
//! The same cases drive the criterion benches (`benches/engines.rs`) and the quick
//! side-by-side `compare` binary.

use std::collections::HashMap;
use std::sync::Arc;

use celd::{Activation, Env, Type, Value};

/// One expression measured in both engines.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub id: &'static str,
    pub expr: &'static str,
    /// The expected result, in CEL syntax as celd prints it.
    pub expect: &'static str,
}

pub const CASES: &[Case] = &[
    Case {
        id: "e01",
        expr: "1 + 2 * 3 - 4",
        expect: "3",
    },
    Case {
        id: "e02",
        expr: "x + y * z",
        expect: "7",
    },
    Case {
        id: "e03",
        expr: "a.b.c == 'hello'",
        expect: "true",
    },
    Case {
        id: "e04",
        expr: "name.startsWith('j') && age >= 18 && 'admin' in roles",
        expect: "true",
    },
    Case {
        id: "e05",
        expr: "items.filter(i, i.price > 10.0).map(i, i.name)",
        expect: "",
    },
    Case {
        id: "e06",
        expr: "items.exists(i, i.name == 'item99')",
        expect: "true",
    },
    Case {
        id: "e07",
        expr: "size(s) > 5 && s.contains('lo') && s.matches('^h.*o$')",
        expect: "false",
    },
    Case {
        id: "e08",
        expr: "request.auth.claims.groups.exists(g, g == 'admin') ? 'allow' : 'deny'",
        expect: "\"allow\"",
    },
    Case {
        id: "e09",
        expr: "[1,2,3,4,5,6,7,8,9,10].map(n, string(n)).join(',')",
        expect: "\"1,2,3,4,5,6,7,8,9,10\"",
    },
    Case {
        id: "e10",
        expr: "timestamp('2024-01-01T00:00:00Z') + duration('1h') > timestamp('2023-12-31T00:00:00Z')",
        expect: "true",
    },
    Case {
        id: "e11",
        expr: "{'a': [x], 'b': [y, z]}['b'][1] == z",
        expect: "true",
    },
    Case {
        id: "e12",
        expr: "a.b.c + ' ' + name == 'hello jane'",
        expect: "true",
    },
    Case {
        id: "e13",
        expr: "size(s) >= 5 && s.contains('lo') && s.matches('^h.*o$')",
        expect: "true",
    },
];

/// A host function against the built-in of the same shape, both in celd (the `cel` crate
/// has no counterpart): `my_size(s)` is implemented by a typed closure, `size(s)` built in.
pub const HOST_CASES: &[Case] = &[
    Case {
        id: "h01",
        expr: "my_size(s)",
        expect: "5",
    },
    Case {
        id: "h02",
        expr: "size(s)",
        expect: "5",
    },
];

/// [`celd_env`] plus the host function `my_size(string) -> int` (code points, as `size`).
pub fn celd_host_env() -> Env {
    celd_env()
        .to_builder()
        .function("my_size", |s: &str| s.chars().count() as i64)
        .build()
        .expect("the host benchmark environment is valid")
}

/// Number of items in the `items` variable.
pub const N_ITEMS: usize = 100;

fn map_type() -> Type {
    Type::Map(Arc::new((Type::String, Type::Dyn)))
}

/// The celd environment: every case variable declared with its type, all extensions on.
pub fn celd_env() -> Env {
    Env::builder()
        .variable("x", Type::Int)
        .variable("y", Type::Int)
        .variable("z", Type::Int)
        .variable("age", Type::Int)
        .variable("a", map_type())
        .variable("name", Type::String)
        .variable("roles", Type::List(Arc::new(Type::String)))
        .variable("s", Type::String)
        .variable("items", Type::List(Arc::new(map_type())))
        .variable("request", map_type())
        .all_extensions()
        .build()
        .expect("the benchmark environment is valid")
}

fn celd_map(entries: Vec<(&str, Value)>) -> Value {
    let mut map = celd::Map::new();
    for (k, v) in entries {
        map.insert(celd::Key::String(k.into()), v);
    }
    Value::map(map)
}

/// The case variables as celd values, stored by slot for `env`'s programs.
pub fn celd_vars(env: &Env) -> Activation {
    let items = (0..N_ITEMS)
        .map(|k| {
            celd_map(vec![
                ("name", Value::from(format!("item{k}"))),
                ("price", Value::Double(k as f64)),
            ])
        })
        .collect();
    let claims = celd_map(vec![
        (
            "groups",
            Value::list(vec!["user".into(), "dev".into(), "admin".into()]),
        ),
        ("sub", "jane".into()),
    ]);
    let mut act = env.activation();
    act.insert("x", 1)
        .insert("y", 2)
        .insert("z", 3)
        .insert("age", 30)
        .insert(
            "a",
            celd_map(vec![("b", celd_map(vec![("c", "hello".into())]))]),
        )
        .insert("name", "jane")
        .insert("roles", Value::list(vec!["user".into(), "admin".into()]))
        .insert("s", "hello")
        .insert("items", Value::list(items))
        .insert(
            "request",
            celd_map(vec![("auth", celd_map(vec![("claims", claims)]))]),
        );
    act
}

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

/// The expected result of e05: names of items priced above 10.
pub fn e05_expect() -> String {
    let names: Vec<String> = (11..N_ITEMS).map(|k| format!("\"item{k}\"")).collect();
    format!("[{}]", names.join(", "))
}

/// The expected value of a case, in celd's CEL syntax.
pub fn expected(case: &Case) -> String {
    if case.id == "e05" {
        e05_expect()
    } else {
        case.expect.to_owned()
    }
}
