//! The benchmark cases written by hand in Rust over celd's values: the floor `compare`
//! measures celd against.
//!
//! Each function does what its expression says, the way a host would write it without CEL:
//! it reads the variables from [`CaseValues`] (celd `Value`s, as the host holds them), fails
//! where CEL would give an error (a missing key, a wrong type, an overflow) and returns a celd
//! `Value`. What a Rust compiler folds (constant arithmetic, constant timestamps) it folds;
//! a regular expression is built once, as a host would keep it.

use std::sync::LazyLock;

use celd::{List, Value};
use regex::Regex;

use crate::CaseValues;

/// A case written in Rust: `None` where CEL would give an error.
pub type NativeCase = fn(&CaseValues) -> Option<Value>;

/// The hand-written counterpart of the case `id`.
pub fn native_case(id: &str) -> Option<NativeCase> {
    let case: NativeCase = match id {
        "e01" => e01,
        "e02" => e02,
        "e03" => e03,
        "e04" => e04,
        "e05" => e05,
        "e06" => e06,
        "e07" => e07,
        "e08" => e08,
        "e09" => e09,
        "e10" => e10,
        "e11" => e11,
        "e12" => e12,
        "e13" => e13,
        _ => return None,
    };
    Some(case)
}

fn field<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value.as_map()?.get_str(key)
}

fn items(value: &Value) -> Option<&[Value]> {
    Some(value.as_list()?.as_slice())
}

/// `1 + 2 * 3 - 4`
fn e01(_: &CaseValues) -> Option<Value> {
    Some(Value::Int(1 + 2 * 3 - 4))
}

/// `x + y * z`
fn e02(v: &CaseValues) -> Option<Value> {
    let product = v.y.as_int()?.checked_mul(v.z.as_int()?)?;
    Some(Value::Int(v.x.as_int()?.checked_add(product)?))
}

/// `a.b.c == 'hello'`
fn e03(v: &CaseValues) -> Option<Value> {
    let c = field(field(&v.a, "b")?, "c")?;
    Some(Value::Bool(c.as_str()? == "hello"))
}

/// `name.startsWith('j') && age >= 18 && 'admin' in roles`
fn e04(v: &CaseValues) -> Option<Value> {
    let allowed = v.name.as_str()?.starts_with('j')
        && v.age.as_int()? >= 18
        && items(&v.roles)?.iter().any(|r| r.as_str() == Some("admin"));
    Some(Value::Bool(allowed))
}

/// `items.filter(i, i.price > 10.0).map(i, i.name)`
fn e05(v: &CaseValues) -> Option<Value> {
    let mut names = List::new(Vec::new());
    for item in items(&v.items)? {
        if field(item, "price")?.as_double()? > 10.0 {
            names.push(field(item, "name")?.clone());
        }
    }
    Some(Value::List(names.into()))
}

/// `items.exists(i, i.name == 'item99')`
fn e06(v: &CaseValues) -> Option<Value> {
    for item in items(&v.items)? {
        if field(item, "name")?.as_str()? == "item99" {
            return Some(Value::Bool(true));
        }
    }
    Some(Value::Bool(false))
}

static H_TO_O: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^h.*o$").expect("the pattern is valid"));

/// `size(s) > 5 && s.contains('lo') && s.matches('^h.*o$')`
fn e07(v: &CaseValues) -> Option<Value> {
    let s = v.s.as_str()?;
    Some(Value::Bool(
        s.chars().count() > 5 && s.contains("lo") && H_TO_O.is_match(s),
    ))
}

/// `request.auth.claims.groups.exists(g, g == 'admin') ? 'allow' : 'deny'`
fn e08(v: &CaseValues) -> Option<Value> {
    let groups = field(field(field(&v.request, "auth")?, "claims")?, "groups")?;
    let admin = items(groups)?.iter().any(|g| g.as_str() == Some("admin"));
    Some(Value::from(if admin { "allow" } else { "deny" }))
}

/// `[1,2,3,4,5,6,7,8,9,10].map(n, string(n)).join(',')`
fn e09(_: &CaseValues) -> Option<Value> {
    let parts: Vec<String> = (1..=10).map(|n: i64| n.to_string()).collect();
    Some(Value::from(parts.join(",")))
}

/// `timestamp('2024-01-01T00:00:00Z') + duration('1h') > timestamp('2023-12-31T00:00:00Z')`,
/// in Unix seconds.
fn e10(_: &CaseValues) -> Option<Value> {
    const JAN_1_2024: i64 = 1_704_067_200;
    const DEC_31_2023: i64 = 1_703_980_800;
    Some(Value::Bool(JAN_1_2024 + 3_600 > DEC_31_2023))
}

/// `{'a': [x], 'b': [y, z]}['b'][1] == z`: the list under `'b'`, its second element.
fn e11(v: &CaseValues) -> Option<Value> {
    let b = [v.y.clone(), v.z.clone()];
    Some(Value::Bool(b[1] == v.z))
}

/// `a.b.c + ' ' + name == 'hello jane'`
fn e12(v: &CaseValues) -> Option<Value> {
    let c = field(field(&v.a, "b")?, "c")?.as_str()?;
    let joined = format!("{c} {}", v.name.as_str()?);
    Some(Value::Bool(joined == "hello jane"))
}

/// `size(s) >= 5 && s.contains('lo') && s.matches('^h.*o$')`
fn e13(v: &CaseValues) -> Option<Value> {
    let s = v.s.as_str()?;
    Some(Value::Bool(
        s.chars().count() >= 5 && s.contains("lo") && H_TO_O.is_match(s),
    ))
}

#[cfg(test)]
mod tests {
    use crate::{CASES, case_values, celd_env, celd_vars, expected};

    use super::native_case;

    #[test]
    fn every_case_has_a_native_twin_that_agrees_with_celd() {
        let values = case_values();
        let env = celd_env();
        let vars = celd_vars(&env);
        for case in CASES {
            let native = native_case(case.id).expect("a native twin");
            let got = native(&values).expect("the native case succeeds");
            assert_eq!(got.to_string(), expected(case), "{}", case.id);
            let celd = env.compile(case.expr).unwrap().eval(&vars).unwrap();
            assert_eq!(got, celd, "{}", case.id);
        }
    }
}
