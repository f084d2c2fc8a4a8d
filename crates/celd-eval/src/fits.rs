//! Whether a value fits a declared type — `[1, 2]` fits `list(int)`, `1.5` does not fit
//! `int` — checked when a value is given for a declared variable, before any evaluation.
//!
//! The rules are the checker's assignability seen at run time: `dyn` takes anything, `null`
//! fits the types the checker lets it stand for (messages, wrappers, abstract types,
//! timestamps, durations), lists and maps fit element by element.

use celd_types::Type;
use celd_value::{EnumValue, Value};
use prost_reflect::ReflectMessage;

/// Where inside a value a part does not fit, and what that part is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Misfit {
    /// CEL syntax from the variable to the part (`xs[1]`, `m["k"]`); empty for the value itself.
    pub path: String,
    /// The runtime type of the part that does not fit (`double`).
    pub found: String,
    /// Whether the part is a map key.
    pub key: bool,
}

/// The first part of `value` that does not fit `ty`, if any. Recurses only as deep as `ty`
/// nests (a `dyn` stops it), so the work is bounded by the value's size.
pub fn misfit(value: &Value, ty: &Type) -> Option<Misfit> {
    misfit_at(value, ty)
}

/// The message for a variable whose value does not fit its declaration.
pub fn misfit_message(name: &str, declared: &Type, misfit: &Misfit) -> String {
    let part = match (misfit.key, misfit.path.is_empty()) {
        (true, _) => format!(" as a key of {name}{}", misfit.path),
        (false, true) => String::new(),
        (false, false) => format!(" at {name}{}", misfit.path),
    };
    format!(
        "variable '{name}' is declared {declared} but was given {}{part}",
        misfit.found
    )
}

/// The path of a misfit is written only once one is found, step by step on the way out.
fn misfit_at(value: &Value, ty: &Type) -> Option<Misfit> {
    if !top_level_fits(value, ty) {
        return Some(Misfit {
            path: String::new(),
            found: value.type_name().into_owned(),
            key: false,
        });
    }
    match (ty, value) {
        (Type::List(elem), Value::List(items)) if !elem.is_dyn() => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| misfit_at(item, elem).map(|m| m.under(&format!("[{i}]")))),
        (Type::Map(kv), Value::Map(map)) => map.iter().find_map(|(k, v)| {
            let step = || format!("[{}]", k.to_value());
            if !kv.0.is_dyn()
                && let Some(m) = misfit_at(&k.to_value(), &kv.0)
            {
                return Some(Misfit { key: true, ..m });
            }
            misfit_at(v, &kv.1).map(|m| m.under(&step()))
        }),
        (Type::Opaque(_), Value::Optional(Some(inner))) => {
            let inner_ty = ty.optional_param()?;
            misfit_at(inner, inner_ty).map(|m| m.under(".value()"))
        }
        _ => None,
    }
}

impl Misfit {
    /// The misfit seen from one step further out (`[1]` before `["k"]`).
    fn under(mut self, step: &str) -> Misfit {
        self.path.insert_str(0, step);
        self
    }
}

/// Whether the value itself (not its elements) has a kind `ty` allows.
fn top_level_fits(value: &Value, ty: &Type) -> bool {
    if matches!(value, Value::Null) && nullable(ty) {
        return true;
    }
    match ty {
        Type::Dyn | Type::Any | Type::Error | Type::Param(_) | Type::Var(_) => true,
        Type::Null => matches!(value, Value::Null),
        Type::Bool => matches!(value, Value::Bool(_)),
        Type::Int => matches!(value, Value::Int(_)),
        Type::Uint => matches!(value, Value::Uint(_)),
        Type::Double => matches!(value, Value::Double(_)),
        Type::String => matches!(value, Value::String(_)),
        Type::Bytes => matches!(value, Value::Bytes(_)),
        Type::Timestamp => matches!(value, Value::Timestamp(_)),
        Type::Duration => matches!(value, Value::Duration(_)),
        Type::Wrapper(p) => top_level_fits(value, &p.to_type()),
        Type::List(_) => matches!(value, Value::List(_)),
        Type::Map(_) => matches!(value, Value::Map(_)),
        Type::TypeOf(_) => matches!(value, Value::Type(_)),
        Type::Message(name) => {
            matches!(value, Value::Message(m) if m.descriptor().full_name() == name.as_str())
        }
        Type::Enum(name) => EnumValue::of(value).is_some_and(|e| e.enum_name() == name.as_str()),
        Type::Opaque(_) if ty.optional_param().is_some() => matches!(value, Value::Optional(_)),
        Type::Opaque(o) => {
            matches!(value, Value::Opaque(v) if v.type_name() == o.name.as_str())
        }
    }
}

/// The declared types `null` stands for, as in the checker.
fn nullable(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Null
            | Type::Wrapper(_)
            | Type::Opaque(_)
            | Type::Message(_)
            | Type::Any
            | Type::Dyn
            | Type::Duration
            | Type::Timestamp
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use celd_types::parse_type;
    use celd_value::Key;

    fn check(value: Value, ty: &str) -> Option<String> {
        let ty = parse_type(ty).expect("a type");
        misfit(&value, &ty).map(|m| misfit_message("x", &ty, &m))
    }

    #[test]
    fn values_fit_their_types() {
        assert_eq!(check(Value::Int(1), "int"), None);
        assert_eq!(check(Value::Double(1.0), "dyn"), None);
        assert_eq!(check(Value::Null, "google.protobuf.Int64Value"), None);
        assert_eq!(check(Value::Int(1), "google.protobuf.Int64Value"), None);
        let list = Value::list(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(check(list, "list(int)"), None);
        assert_eq!(check(Value::Optional(None), "optional_type(int)"), None);
    }

    #[test]
    fn misfits_name_the_variable_the_types_and_where() {
        assert_eq!(
            check(Value::Double(1.5), "int").as_deref(),
            Some("variable 'x' is declared int but was given double")
        );
        let list = Value::list(vec![Value::Int(1), Value::string("a")]);
        assert_eq!(
            check(list, "list(int)").as_deref(),
            Some("variable 'x' is declared list(int) but was given string at x[1]")
        );
        let mut map = celd_value::Map::new();
        map.insert(Key::Int(1), Value::Int(1));
        assert_eq!(
            check(Value::map(map), "map(string, int)").as_deref(),
            Some("variable 'x' is declared map(string, int) but was given int as a key of x")
        );
        let mut map = celd_value::Map::new();
        map.insert(Key::String("k".into()), Value::Bool(true));
        assert_eq!(
            check(Value::map(map), "map(string, int)").as_deref(),
            Some(r#"variable 'x' is declared map(string, int) but was given bool at x["k"]"#)
        );
        assert_eq!(
            check(Value::Null, "int").as_deref(),
            Some("variable 'x' is declared int but was given null_type")
        );
    }
}
