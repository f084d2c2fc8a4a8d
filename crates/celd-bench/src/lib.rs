//! The benchmark cases, with variables built once in each engine's natural form.
//!
//! The same cases drive the criterion benches (`benches/engines.rs`) and the quick
//! side-by-side `compare` binary. The peer engines and criterion are compiled only with the
//! `peers` feature (`cargo compare`), so `cargo test --workspace` does not build them.

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

/// The case variables as celd values, as a host holds them before an evaluation.
#[derive(Clone, Debug)]
pub struct CaseValues {
    pub x: Value,
    pub y: Value,
    pub z: Value,
    pub age: Value,
    pub a: Value,
    pub name: Value,
    pub roles: Value,
    pub s: Value,
    pub items: Value,
    pub request: Value,
}

/// The values every engine is given (each in its own form; these are celd's).
pub fn case_values() -> CaseValues {
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
    CaseValues {
        x: 1.into(),
        y: 2.into(),
        z: 3.into(),
        age: 30.into(),
        a: celd_map(vec![("b", celd_map(vec![("c", "hello".into())]))]),
        name: "jane".into(),
        roles: Value::list(vec!["user".into(), "admin".into()]),
        s: "hello".into(),
        items: Value::list(items),
        request: celd_map(vec![("auth", celd_map(vec![("claims", claims)]))]),
    }
}

/// The case variables as celd values, stored by slot for `env`'s programs.
pub fn celd_vars(env: &Env) -> Activation {
    let v = case_values();
    let mut act = env.activation();
    act.insert("x", v.x)
        .insert("y", v.y)
        .insert("z", v.z)
        .insert("age", v.age)
        .insert("a", v.a)
        .insert("name", v.name)
        .insert("roles", v.roles)
        .insert("s", v.s)
        .insert("items", v.items)
        .insert("request", v.request);
    act
}

pub mod js;
pub mod native;

#[cfg(feature = "peers")]
pub mod peers;

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
