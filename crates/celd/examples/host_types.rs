//! A host value type with methods and ordering (`k8s.Quantity`), and struct types checked
//! by field, read from celd JSON.
//!
//! `cargo run -p celd --example host_types`

use std::cmp::Ordering;
use std::fmt;

use celd::{Env, HostType, StructType, Type, Value};
use serde_json::json;

/// A quantity of bytes: `1Gi`, `512Mi`, `100`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Quantity(u64);

const UNITS: [(&str, u64); 3] = [("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];

impl Quantity {
    fn parse(text: &str) -> Result<Quantity, String> {
        let (digits, scale) = UNITS
            .iter()
            .find_map(|(suffix, scale)| text.strip_suffix(suffix).map(|d| (d, *scale)))
            .unwrap_or((text, 1));
        let n: u64 = digits
            .parse()
            .map_err(|_| format!("invalid quantity {text:?}"))?;
        n.checked_mul(scale)
            .map(Quantity)
            .ok_or_else(|| format!("quantity {text:?} is too large"))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (suffix, scale) in UNITS {
            if self.0 >= scale && self.0.is_multiple_of(scale) {
                return write!(f, "{}{suffix}", self.0 / scale);
            }
        }
        write!(f, "{}", self.0)
    }
}

impl HostType for Quantity {
    const TYPE_NAME: &'static str = "k8s.Quantity";
    const ORDERED: bool = true;

    fn equals(&self, other: &Self) -> bool {
        self == other
    }

    fn compare(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }

    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "quantity(\"{self}\")")
    }

    fn to_json(&self) -> serde_json::Value {
        self.to_string().into()
    }

    fn from_json(json: &serde_json::Value) -> Result<Quantity, String> {
        Quantity::parse(json.as_str().ok_or("a quantity is a string")?)
    }
}

pub fn main() {
    let container = StructType::new("k8s.Container")
        .field("name", Type::String)
        .field("memory", Type::named("k8s.Quantity"));
    let spec = StructType::new("k8s.PodSpec")
        .field("replicas", Type::Int)
        .field("containers", Type::list(Type::object("k8s.Container")));
    let env = Env::builder()
        .host_type::<Quantity>()
        .struct_type(container)
        .struct_type(spec)
        .variable("spec", Type::object("k8s.PodSpec"))
        .variable("limit", Type::named("k8s.Quantity"))
        .function("quantity", Quantity::parse)
        .method("isZero", |q: &Quantity| q.0 == 0)
        .method("add", |a: &Quantity, b: &Quantity| {
            Quantity(a.0.saturating_add(b.0))
        })
        .build()
        .expect("the environment is valid");

    // The checker knows every field's type, the host type's name and its ordering.
    assert_eq!(env.check("spec.replicas * 2").unwrap(), Type::Int);
    assert_eq!(
        env.check("spec.containers[0].memory").unwrap().to_string(),
        "k8s.Quantity"
    );
    let err = env.check("spec.replica").unwrap_err();
    println!("{err}");

    // Variables in celd JSON: host values as {"$k8s.Quantity": ...}, structs as objects.
    let spec = env
        .read_json(&json!({
            "replicas": 3,
            "containers": [
                {"name": "app", "memory": {"$k8s.Quantity": "512Mi"}},
                {"name": "sidecar", "memory": {"$k8s.Quantity": "64Mi"}}
            ]
        }))
        .expect("the spec reads");
    let mut vars = env.activation();
    vars.insert("spec", spec)
        .insert("limit", Quantity::parse("1Gi").unwrap());

    let program = env
        .compile(
            "spec.replicas <= 5 && spec.containers.all(c, c.memory <= limit && !c.memory.isZero()) \
             && type(limit) == k8s.Quantity",
        )
        .unwrap();
    let result = program.eval(&vars).unwrap();
    println!("fits: {result}");
    assert_eq!(result, Value::Bool(true));

    let total = env
        .compile("spec.containers[0].memory.add(spec.containers[1].memory)")
        .unwrap()
        .eval(&vars)
        .unwrap();
    println!("total: {total}");
    assert_eq!(total.to_string(), "quantity(\"576Mi\")");
    assert_eq!(total.as_host::<Quantity>(), Some(&Quantity(576 << 20)));
}
