//! Results are identical with and without parameterization: property tests over generated
//! expressions, each rendered twice with different literal values (a compile, then a hit on
//! the shared program) and compared with uncached compilation, errors included.

use proptest::prelude::*;

use crate::support::{cache, cached, direct, env, vars};

#[derive(Clone, Copy, Debug)]
enum Kind {
    Int,
    Uint,
    Double,
    String,
    Bool,
}

#[derive(Clone, Debug)]
enum Shape {
    Literal(Kind),
    Var(&'static str),
    Binary(&'static str, Box<Shape>, Box<Shape>),
    Not(Box<Shape>),
    Cond(Box<Shape>, Box<Shape>, Box<Shape>),
    Method(&'static str, Box<Shape>, Box<Shape>),
    Size(Box<Shape>),
    List(Vec<Shape>),
    Index(Box<Shape>, Box<Shape>),
    Macro(&'static str, Box<Shape>),
    Convert(&'static str, Box<Shape>),
}

fn leaf() -> impl Strategy<Value = Shape> {
    prop_oneof![
        4 => prop_oneof![
            Just(Kind::Int),
            Just(Kind::Uint),
            Just(Kind::Double),
            Just(Kind::String),
            Just(Kind::Bool)
        ]
        .prop_map(Shape::Literal),
        3 => prop::sample::select(vec!["x", "y", "s", "b", "l", "m"]).prop_map(Shape::Var),
    ]
}

fn shape() -> impl Strategy<Value = Shape> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        let boxed = inner.clone().prop_map(Box::new);
        prop_oneof![
            (
                prop::sample::select(vec![
                    "+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||", "in"
                ]),
                boxed.clone(),
                boxed.clone()
            )
                .prop_map(|(op, a, b)| Shape::Binary(op, a, b)),
            boxed.clone().prop_map(Shape::Not),
            (boxed.clone(), boxed.clone(), boxed.clone())
                .prop_map(|(c, t, f)| Shape::Cond(c, t, f)),
            (
                prop::sample::select(vec!["contains", "startsWith", "matches", "indexOf"]),
                boxed.clone(),
                boxed.clone()
            )
                .prop_map(|(f, t, a)| Shape::Method(f, t, a)),
            boxed.clone().prop_map(Shape::Size),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Shape::List),
            (boxed.clone(), boxed.clone()).prop_map(|(a, i)| Shape::Index(a, i)),
            (
                prop::sample::select(vec!["all", "exists", "exists_one", "map", "filter"]),
                boxed.clone()
            )
                .prop_map(|(m, body)| Shape::Macro(m, body)),
            (
                prop::sample::select(vec!["int", "uint", "double", "string", "dyn"]),
                boxed
            )
                .prop_map(|(f, a)| Shape::Convert(f, a)),
        ]
    })
}

/// Literal values from a seed: a tiny xorshift, so each rendering gets its own values.
struct Values(u64);

impl Values {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn literal(&mut self, kind: Kind) -> String {
        let r = self.next();
        match kind {
            Kind::Int => {
                const INTS: [i64; 8] = [0, 1, -1, 2, 7, 1000, i64::MAX, i64::MIN];
                INTS[(r % 8) as usize].to_string()
            }
            Kind::Uint => format!("{}u", [0u64, 1, 3, u64::MAX][(r % 4) as usize]),
            Kind::Double => {
                let d = [0.0, -0.0, 0.5, -2.5, 1e300, 3.0][(r % 6) as usize];
                format!("{d:?}")
            }
            Kind::String => format!(
                "'{}'",
                ["", "h", "lo", "hello", "a+", "("][(r % 6) as usize]
            ),
            Kind::Bool => ["true", "false"][(r % 2) as usize].to_owned(),
        }
    }
}

fn render(shape: &Shape, values: &mut Values, out: &mut String) {
    match shape {
        Shape::Literal(kind) => out.push_str(&values.literal(*kind)),
        Shape::Var(name) => out.push_str(name),
        Shape::Binary(op, a, b) => {
            out.push('(');
            render(a, values, out);
            out.push_str(&format!(" {op} "));
            render(b, values, out);
            out.push(')');
        }
        Shape::Not(a) => {
            out.push_str("!(");
            render(a, values, out);
            out.push(')');
        }
        Shape::Cond(c, t, f) => {
            out.push('(');
            render(c, values, out);
            out.push_str(" ? ");
            render(t, values, out);
            out.push_str(" : ");
            render(f, values, out);
            out.push(')');
        }
        Shape::Method(f, t, a) => {
            out.push('(');
            render(t, values, out);
            out.push_str(&format!(").{f}("));
            render(a, values, out);
            out.push(')');
        }
        Shape::Size(a) => {
            out.push_str("size(");
            render(a, values, out);
            out.push(')');
        }
        Shape::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, values, out);
            }
            out.push(']');
        }
        Shape::Index(a, i) => {
            out.push('(');
            render(a, values, out);
            out.push_str(")[");
            render(i, values, out);
            out.push(']');
        }
        Shape::Macro(m, body) => {
            let op = if *m == "map" { "*" } else { ">" };
            out.push_str(&format!("l.{m}(e, e {op} "));
            render(body, values, out);
            out.push(')');
        }
        Shape::Convert(f, a) => {
            out.push_str(&format!("{f}("));
            render(a, values, out);
            out.push(')');
        }
    }
}

fn text(shape: &Shape, seed: u64) -> String {
    let mut out = String::new();
    render(shape, &mut Values(seed | 1), &mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn cached_results_equal_uncached_results(shape in shape(), a: u64, b: u64) {
        let env = env();
        let vars = vars(&env);
        let cache = cache();
        for text in [text(&shape, a), text(&shape, b)] {
            prop_assert_eq!(cached(&cache, &env, &vars, &text), direct(&env, &vars, &text), "{}", text);
        }
    }
}

#[test]
fn generated_expressions_do_share_programs() {
    // The property above only means something if renderings of one shape share a program.
    let env = env();
    let cache = cache();
    let shape = Shape::Binary(
        "+",
        Box::new(Shape::Var("x")),
        Box::new(Shape::Literal(Kind::Int)),
    );
    for seed in 1..50 {
        cache
            .get_or_compile(&env, &text(&shape, seed))
            .expect("compiles");
    }
    assert_eq!(cache.stats().compilations, 1);
}
