//! A host program extending the engine through the public API only: a global function, a
//! method, a function with type parameters, a fallible function, a per-evaluation function,
//! a host type with methods and ordering, and struct types checked by field; each program
//! evaluated checked, unchecked and through the program cache, with its cost measured.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use celd::{
    Activation, Cost, Env, ErrorKind, EvalOptions, HostType, Limits, List, Overload, Program,
    StructType, Type, Value,
};
use celd_cache::ProgramCache;
use serde_json::json;

/// A Kubernetes-style quantity of bytes: `1Gi`, `512Mi`, `100`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(pub u64);

const UNITS: [(&str, u64); 3] = [("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];

impl Quantity {
    pub fn parse(text: &str) -> Result<Quantity, String> {
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
        serde_json::Value::String(self.to_string())
    }

    fn from_json(json: &serde_json::Value) -> Result<Quantity, String> {
        Quantity::parse(json.as_str().ok_or("a quantity is a string")?)
    }
}

/// The environment of every test here; `calls` counts calls of `double_it`.
pub fn host_env(calls: Arc<AtomicU64>) -> Env {
    let quantity = Type::opaque("k8s.Quantity", vec![]);
    let container = StructType::new("test.Container")
        .field("name", Type::String)
        .field("memory", quantity.clone());
    let spec = StructType::new("test.PodSpec")
        .field("replicas", Type::Int)
        .field("containers", Type::list(Type::object("test.Container")))
        .field("x-tier", Type::String);
    let pod = StructType::new("test.Pod")
        .field("labels", Type::map(Type::String, Type::String))
        .field("spec", Type::object("test.PodSpec"));
    Env::builder()
        .variable("pod", Type::object("test.Pod"))
        .variable("limit", Type::named("k8s.Quantity"))
        .variable("names", Type::list(Type::String))
        .variable("x", Type::Int)
        .host_type::<Quantity>()
        .struct_type(container)
        .struct_type(spec)
        .struct_type(pod)
        // A global function, its signature read from the closure; it captures state.
        .function("double_it", move |x: i64| {
            calls.fetch_add(1, AtomicOrdering::Relaxed);
            x * 2
        })
        // A method on strings.
        .method("greet", |name: &str| format!("hello, {name}"))
        // Type parameters: the closure takes any list, the declaration says list(A) -> A.
        .function(
            "first",
            Overload::new(|list: &List| -> Result<Value, String> {
                list.first()
                    .cloned()
                    .ok_or_else(|| "first of an empty list".to_owned())
            })
            .signature([Type::list(Type::param("A"))], Type::param("A")),
        )
        // Fallible: the error is a CEL error at the call.
        .function("quantity", Quantity::parse)
        .method("isZero", |q: &Quantity| q.0 == 0)
        .method(
            "add",
            |a: &Quantity, b: &Quantity| -> Result<Quantity, String> {
                a.0.checked_add(b.0)
                    .map(Quantity)
                    .ok_or_else(|| "quantity overflow".into())
            },
        )
        .function("string", |q: &Quantity| q.to_string())
        // A list function whose cost grows with the list: one unit per element.
        .method(
            "sum",
            Overload::new(|items: Vec<&Quantity>| Quantity(items.iter().map(|q| q.0).sum()))
                .cost(Cost::from_sizes(|sizes| sizes[0])),
        )
        // Per evaluation: each request binds its own authorizer.
        .function(
            "allowed",
            Overload::late_bound([Type::String], Type::Bool).cost(Cost::fixed(5)),
        )
        .build()
        .expect("the host environment is valid")
}

fn pod_value() -> serde_json::Value {
    json!({
        "labels": {"app": "web"},
        "spec": {
            "replicas": 3,
            "x-tier": "front",
            "containers": [
                {"name": "app", "memory": {"$k8s.Quantity": "512Mi"}},
                {"name": "sidecar", "memory": {"$k8s.Quantity": "64Mi"}}
            ]
        }
    })
}

/// The variables, read from celd JSON, and an authorizer that allows `verbs`.
fn activation(env: &Env, verbs: &'static [&'static str]) -> Activation {
    let mut vars = env.activation();
    vars.insert("pod", env.read_json(&pod_value()).expect("the pod reads"))
        .insert("limit", Quantity::parse("1Gi").unwrap())
        .insert("names", Value::list(vec!["ann".into(), "bob".into()]))
        .insert("x", 3)
        .bind("allowed", move |verb: &str| verbs.contains(&verb));
    vars
}

/// The least cost limit an evaluation passes: its cost.
fn cost_of(program: &Program, vars: &Activation) -> u64 {
    let passes = |max_cost: u64| {
        let limits = Limits {
            max_cost,
            ..Limits::default()
        };
        let options = EvalOptions {
            limits: Some(&limits),
            ..EvalOptions::default()
        };
        !matches!(program.eval_with(vars, &options), Err(e) if e.kind() == ErrorKind::Limit)
    };
    let (mut low, mut high) = (0, 1_000);
    assert!(passes(high), "costs more than {high}");
    while low < high {
        let mid = (low + high) / 2;
        if passes(mid) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    low
}

/// Evaluates `expr` checked, unchecked and through the cache: all three give `expect` (CEL
/// syntax, or `error: message`), and the checked evaluation costs `cost`.
fn check_host(expr: &str, expect: &str, cost: u64) {
    let env = host_env(Arc::default());
    let vars = activation(&env, &["get", "list"]);
    let show = |r: Result<Value, celd::Error>| match r {
        Ok(v) => v.to_string(),
        Err(e) => format!("error: {}", e.message()),
    };
    let checked = env.compile(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    assert_eq!(show(checked.eval(&vars)), expect, "{expr} (checked)");
    let unchecked = env.compile_unchecked(expr).unwrap();
    assert_eq!(show(unchecked.eval(&vars)), expect, "{expr} (unchecked)");
    let cache = ProgramCache::default();
    let bound = cache.get_or_compile(&env, expr).unwrap();
    assert_eq!(show(bound.eval(&vars)), expect, "{expr} (cached)");
    assert_eq!(cost_of(&checked, &vars), cost, "{expr}: cost");
}

#[test]
fn a_global_function_a_method_and_type_parameters() {
    check_host("double_it(21)", "42", 1);
    check_host("double_it(x) + 1", "7", 3);
    check_host("'jane'.greet()", r#""hello, jane""#, 1);
    check_host("first(names) + '!'", r#""ann!""#, 3);
    check_host("first([1, 2]) * 10", "10", 2);
    check_host("first([])", "error: first of an empty list", 1);
}

#[test]
fn a_fallible_function_fails_at_its_call() {
    check_host("quantity('1Gi') == limit", "true", 3);
    check_host("quantity('1Gx')", r#"error: invalid quantity "1Gx""#, 1);
    let env = host_env(Arc::default());
    let program = env.compile("limit > quantity('1Gx')").unwrap();
    let err = program.eval(&activation(&env, &[])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Eval);
    let location = err.location().unwrap();
    assert_eq!((location.line, location.column), (1, 9), "{err}");
}

#[test]
fn a_host_type_with_methods_ordering_and_a_type_name() {
    check_host("limit > quantity('512Mi')", "true", 3);
    check_host("quantity('1Mi') <= quantity('1024Ki')", "true", 3);
    check_host("limit.add(quantity('1Gi')) == quantity('2Gi')", "true", 5);
    check_host("string(limit.add(quantity('512Mi')))", r#""1536Mi""#, 4);
    check_host("quantity('0').isZero() && !limit.isZero()", "true", 5);
    check_host("type(limit) == k8s.Quantity", "true", 3);
    check_host("limit", r#"quantity("1Gi")"#, 1);
    let env = host_env(Arc::default());
    assert_eq!(
        env.check("[limit, quantity('1')]").unwrap().to_string(),
        "list(k8s.Quantity)"
    );
    assert_eq!(
        env.parse_type("map(string, k8s.Quantity)")
            .unwrap()
            .to_string(),
        "map(string, k8s.Quantity)"
    );
    let err = env.check("limit + limit").unwrap_err();
    assert!(
        err.message().contains("no matching overload for '_+_'"),
        "{err}"
    );
    // Equality needs no declaration; ordering is the type's.
    let value = env.compile("limit == quantity('1024Mi')").unwrap();
    assert_eq!(
        value.eval(&activation(&env, &[])).unwrap(),
        Value::Bool(true)
    );
}

#[test]
fn struct_types_are_checked_by_field() {
    check_host("pod.spec.replicas * 2", "6", 4);
    check_host("has(pod.spec.replicas) && !has(pod.labels.team)", "true", 7);
    check_host(
        "pod.spec.`x-tier` + '-' + pod.labels.app",
        r#""front-web""#,
        8,
    );
    // 3 to read the list; per container the iteration, c, .memory, limit and `<=`.
    check_host(
        "pod.spec.containers.all(c, c.memory <= limit)",
        "true",
        3 + 2 * 5,
    );
    // sum costs the list's size (2), by its declared cost function.
    check_host(
        "pod.spec.containers.map(c, c.memory).sum() < limit",
        "true",
        3 + 2 * 3 + 2 + 2,
    );
    let env = host_env(Arc::default());
    assert_eq!(env.check("pod.spec.replicas").unwrap(), Type::Int);
    assert_eq!(
        env.check("pod.spec.containers[0].memory")
            .unwrap()
            .to_string(),
        "k8s.Quantity"
    );
    let err = env.check("pod.spec.replica").unwrap_err();
    assert!(err.message().contains("undefined field 'replica'"), "{err}");
    let err = env.check("pod.spec.replicas + 'a'").unwrap_err();
    assert!(err.message().contains("'(int, string)'"), "{err}");
    // Constructed in an expression, a struct value is a map of its fields: built for 30
    // (as a map literal), or folded to a constant when its fields are constants.
    // (Selecting from a value just built is not charged, as for any map literal.)
    check_host(
        "test.Container{name: pod.labels.app}.name",
        r#""web""#,
        30 + 3,
    );
    check_host("test.Container{name: 'x'}.name", r#""x""#, 1);
    check_host("type(test.Container{name: 'x'})", "map", 0);
    let err = env.check("test.Container{nam: 'x'}").unwrap_err();
    assert!(err.message().contains("undefined field 'nam'"), "{err}");
}

#[test]
fn a_per_evaluation_function_comes_with_the_activation() {
    check_host("allowed('get') && !allowed('delete')", "true", 11);
    let env = host_env(Arc::default());
    let program = env.compile("allowed('get')").unwrap();
    for (verbs, expect) in [(&["get"][..], true), (&[][..], false)] {
        let mut vars = env.activation();
        let verbs: Vec<String> = verbs.iter().map(|v| v.to_string()).collect();
        vars.bind("allowed", move |verb: &str| verbs.iter().any(|v| v == verb));
        assert_eq!(program.eval(&vars).unwrap(), Value::Bool(expect));
    }
    let err = program.eval(&env.activation()).unwrap_err();
    assert_eq!(
        err.eval_error().map(|e| e.kind()),
        Some(celd::EvalErrorKind::UnboundFunction)
    );
    assert!(err.message().contains("'allowed'"), "{err}");
    // A binding by overload id wins over one by name.
    let mut vars = env.activation();
    vars.bind("allowed", |_: &str| false)
        .bind("allowed_string", |_: &str| true);
    assert_eq!(program.eval(&vars).unwrap(), Value::Bool(true));
}

#[test]
fn host_functions_are_not_folded_and_see_each_call() {
    let calls = Arc::new(AtomicU64::new(0));
    let env = host_env(calls.clone());
    let program = env.compile("double_it(1) + double_it(2)").unwrap();
    assert_eq!(
        calls.load(AtomicOrdering::Relaxed),
        0,
        "not called at compile time"
    );
    let vars = env.activation();
    for _ in 0..3 {
        assert_eq!(program.eval(&vars).unwrap(), Value::Int(6));
    }
    assert_eq!(calls.load(AtomicOrdering::Relaxed), 6);
}

#[test]
fn the_cache_shares_host_programs_by_template() {
    let env = host_env(Arc::default());
    let vars = activation(&env, &["get"]);
    let cache = ProgramCache::default();
    let texts = [
        "double_it(x) == 6 && quantity('1Gi') >= limit",
        "double_it(x) == 7 && quantity('2Gi') >= limit",
        "double_it(x) == 8 && quantity('3Gi') >= limit",
    ];
    let mut programs = Vec::new();
    for (text, expect) in texts.iter().zip([true, false, false]) {
        let bound = cache.get_or_compile(&env, text).unwrap();
        assert_eq!(bound.eval(&vars).unwrap(), Value::Bool(expect), "{text}");
        programs.push(bound.program().clone());
    }
    assert!(programs.windows(2).all(|w| Arc::ptr_eq(&w[0], &w[1])));
    let stats = cache.stats();
    assert_eq!((stats.compilations, stats.hits), (1, 2));
    let bound = cache.get_or_compile(&env, texts[0]).unwrap();
    assert_eq!(
        bound.template(),
        "double_it(x) == $0 && quantity($1) >= limit"
    );
    // Errors point into each request's own text.
    let bound = cache
        .get_or_compile(&env, "double_it(x) == 6 && quantity('9Zi') >= limit")
        .unwrap();
    let err = bound.eval(&vars).unwrap_err();
    assert_eq!(err.location().map(|l| l.column), Some(22), "{err}");
    assert_eq!(cache.stats().compilations, 1);
}

#[test]
fn program_ids_depend_on_host_declarations() {
    let cache = ProgramCache::default();
    let plain = Env::builder().variable("x", Type::Int).build().unwrap();
    let host = Env::builder()
        .variable("x", Type::Int)
        .function("f", |x: i64| x)
        .build()
        .unwrap();
    let other = Env::builder()
        .variable("x", Type::Int)
        .function("f", |x: i64| x + 1)
        .function("g", |x: i64| x)
        .build()
        .unwrap();
    let ids: Vec<_> = [&plain, &host, &other]
        .iter()
        .map(|env| cache.get_or_compile(env, "x + 1").unwrap().id())
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    // A derived environment keeps the host's functions and types.
    let derived = cache
        .derive_env(&host_env(Arc::default()), None, [("y", &Type::Int)])
        .unwrap();
    let program = derived.compile("double_it(y)").unwrap();
    let mut vars = derived.activation();
    vars.insert("y", 4);
    assert_eq!(program.eval(&vars).unwrap(), Value::Int(8));
}

#[test]
fn estimates_use_declared_costs() {
    let env = host_env(Arc::default());
    let hints = celd::SizeHints {
        variables: [("names".to_owned(), 10)].into_iter().collect(),
        ..celd::SizeHints::default()
    };
    let estimate = env
        .compile("allowed('get') && double_it(x) > 2")
        .unwrap()
        .estimate_cost(&hints);
    // `allowed` costs 5 and may decide alone; the rest is x, double_it and the comparison.
    assert_eq!((estimate.min, estimate.max), (5, Some(8)));
    let program = env.compile("names.map(n, quantity('1Ki')).sum()").unwrap();
    let estimate = program.estimate_cost(&hints);
    // names 1, up to 10 iterations of (1 + 1 for quantity), and sum: the list's size.
    assert_eq!(estimate.max, Some(1 + 10 * 2 + 10));
    // With the two names there are, the estimate is the cost.
    let two = celd::SizeHints {
        variables: [("names".to_owned(), 2)].into_iter().collect(),
        ..celd::SizeHints::default()
    };
    let vars = activation(&env, &[]);
    assert_eq!(
        program.estimate_cost(&two).max,
        Some(cost_of(&program, &vars))
    );
    assert_eq!(cost_of(&program, &vars), 1 + 2 * 2 + 2);
}

/// The message of the error building `builder` gives.
fn build_error(builder: celd::EnvBuilder) -> String {
    match builder.build() {
        Ok(_) => panic!("the environment built"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Env);
            e.message().to_owned()
        }
    }
}

#[test]
fn a_host_overload_may_not_replace_a_standard_one() {
    let err = build_error(Env::builder().function("size", |s: &str| s.len() as i64));
    assert_eq!(
        err,
        "host overload 'size_string' size(string) -> int: the id is already declared, by the standard library, an enabled extension or another host overload; an overload may not replace another (give it another id, name or signature)"
    );
    // A new id does not help: the signatures overlap.
    let err = build_error(Env::builder().function(
        "size",
        Overload::new(|s: &str| s.len() as i64).id("my_size"),
    ));
    assert!(
        err.starts_with(
            "host overload 'my_size' size(string) -> int overlaps overload 'size_string'"
        ),
        "{err}"
    );
    // Nor does a receiver of `dyn`, which overlaps every receiver.
    let err = build_error(Env::builder().method("contains", |_: Value, _: &str| true));
    assert!(err.contains("overlaps overload"), "{err}");
    // A signature no standard overload accepts is fine: size of a host type.
    let env = Env::builder()
        .host_type::<Quantity>()
        .function("size", |q: &Quantity| q.0 as i64)
        .function("quantity", Quantity::parse)
        .build()
        .unwrap();
    // Checked, each call runs the overload the checker chose; unchecked, the host overload
    // for a quantity and the built-in for anything else.
    for (program, expect) in [
        (env.compile("size(quantity('1Ki')) + size('ab')"), 1026),
        (
            env.compile_unchecked("size(quantity('1Ki')) + size('ab') + size([1])"),
            1027,
        ),
    ] {
        let value = program.unwrap().eval(&env.activation()).unwrap();
        assert_eq!(value, Value::Int(expect));
    }
    // Two host overloads may not overlap either.
    let err = build_error(
        Env::builder()
            .function("f", |x: i64| x)
            .function("f", Overload::new(|x: Value| x).id("f_any")),
    );
    assert!(
        err.contains("'f_int' f(int) -> int overlaps overload 'f_any' f(dyn) -> dyn"),
        "{err}"
    );
}

#[test]
fn mistakes_in_declarations_are_errors_at_build() {
    let err = build_error(
        Env::builder()
            .function("f", |x: i64| x)
            .function("f", |y: i64| y + 1),
    );
    assert!(
        err.starts_with("host overload 'f_int' f(int) -> int: the id is already declared"),
        "{err}"
    );
    let err = build_error(Env::builder().function(
        "f",
        Overload::new(|x: i64| x).signature([Type::Int, Type::Int], Type::Int),
    ));
    assert_eq!(
        err,
        "function 'f': the declared signature has 2 parameter(s), the implementation takes 1"
    );
    let err = build_error(Env::builder().function(
        "f",
        Overload::new(|x: i64| x).signature([Type::String], Type::Int),
    ));
    assert_eq!(
        err,
        "function 'f': parameter 1 is declared 'string', but the implementation takes 'int'"
    );
    let err = build_error(
        Env::builder().function("f", celd::HostFunction::dynamic(|args| Ok(args[0].clone()))),
    );
    assert!(
        err.contains("a dynamic implementation needs a declared signature"),
        "{err}"
    );
    let err = build_error(Env::builder().method("m", || 1i64));
    assert_eq!(err, "method 'm' needs a receiver: its first parameter");
    let err = build_error(Env::builder().function("_&&_", |a: bool, b: bool| a && b));
    assert!(err.contains("cannot have host overloads"), "{err}");
    let err = build_error(
        Env::builder().struct_type(StructType::new("a.B").field("c", Type::object("a.Missing"))),
    );
    assert_eq!(
        err,
        "struct type 'a.B': field 'c' has type 'a.Missing', but 'a.Missing' is not a declared struct, message or host type"
    );
    let err = build_error(Env::builder().struct_type(StructType::new("int")));
    assert_eq!(err, "type name 'int' is a built-in type of CEL");
    let err = build_error(Env::builder().struct_type(StructType::new("a-b")));
    assert!(err.contains("is not a dotted identifier"), "{err}");
}

#[test]
fn dynamic_implementations_get_arguments_of_their_declared_types() {
    // As a binding for another language would: a declared signature, values as they come.
    let env = Env::builder()
        .function(
            "join2",
            Overload::dynamic(
                [Type::String, Type::String],
                Type::String,
                |args| match args {
                    [Value::String(a), Value::String(b)] => Ok(Value::from(format!("{a}{b}"))),
                    _ => Err(celd::EvalError::invalid_argument("unreachable")),
                },
            ),
        )
        .build()
        .unwrap();
    let vars = env.activation();
    for program in [
        env.compile("join2('a', 'b')"),
        env.compile_unchecked("join2('a', 'b')"),
    ] {
        assert_eq!(program.unwrap().eval(&vars).unwrap(), Value::string("ab"));
    }
    // Unchecked, values of other types never reach the implementation.
    let err = env
        .compile_unchecked("join2('a', 1)")
        .unwrap()
        .eval(&vars)
        .unwrap_err();
    assert_eq!(err.message(), "no such overload: join2(string, int)");
    let err = env.check("join2('a', 1)").unwrap_err();
    assert!(
        err.message()
            .contains("found no matching overload for 'join2'"),
        "{err}"
    );
}

#[test]
fn results_stay_within_the_size_limits() {
    let env = Env::builder()
        .function("repeat", |s: &str, n: i64| {
            s.repeat(n.clamp(0, 1 << 20) as usize)
        })
        .limits(Limits {
            max_string_bytes: 1000,
            ..Limits::default()
        })
        .build()
        .unwrap();
    let program = env.compile("repeat('ab', 600)").unwrap();
    let err = program.eval(&env.activation()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit);
    assert_eq!(
        err.message(),
        "string of 1200 bytes exceeds the limit of 1000 bytes"
    );
}

#[test]
fn typed_closures_convert_every_scalar_kind() {
    let env = Env::builder()
        .extension(celd::Extension::Optional)
        .function("half", |n: u64| n / 2)
        .function("scale", |x: f64, by: f64| x * by)
        .function("flip", |b: bool| !b)
        .function("reversed", |b: &[u8]| {
            b.iter().rev().copied().collect::<Vec<u8>>()
        })
        .function("later", |t: celd::Timestamp, d: celd::Duration| {
            t.checked_add(d)
        })
        .function("minutes", |d: celd::Duration| d.as_secs() / 60)
        .function("or_zero", |n: Option<i64>| n.unwrap_or(0))
        .function("keys", |m: &celd::Map| m.len() as i64)
        .method("positive", |n: i64| (n > 0).then_some(n))
        .build()
        .unwrap();
    let vars = env.activation();
    for (expr, expect) in [
        ("half(7u)", "3u"),
        ("scale(1.5, 2.0)", "3.0"),
        ("flip(false)", "true"),
        ("reversed(b'abc')", r#"b"cba""#),
        (
            "later(timestamp('2024-01-01T00:00:00Z'), duration('90s'))",
            r#"timestamp("2024-01-01T00:01:30Z")"#,
        ),
        ("minutes(duration('2h'))", "120"),
        ("or_zero(optional.of(4)) + or_zero(optional.none())", "4"),
        ("keys({'a': 1, 'b': 2})", "2"),
        ("5.positive().value() + (-1).positive().orValue(0)", "5"),
    ] {
        for program in [env.compile(expr), env.compile_unchecked(expr)] {
            let program = program.unwrap_or_else(|e| panic!("{expr}: {e}"));
            let value = program
                .eval(&vars)
                .unwrap_or_else(|e| panic!("{expr}: {e}"));
            assert_eq!(value.to_string(), expect, "{expr}");
        }
    }
    // A timestamp out of CEL's range is an error of its own kind, at the call.
    let err = env
        .compile("later(timestamp('9999-12-31T23:59:59Z'), duration('1s'))")
        .unwrap()
        .eval(&vars)
        .unwrap_err();
    assert_eq!(
        err.eval_error().map(|e| e.kind()),
        Some(celd::EvalErrorKind::TimeRange),
        "{err}"
    );
    assert_eq!(err.location().map(|l| l.column), Some(1));
}

#[test]
fn host_and_struct_typed_variables_are_checked_against_what_they_hold() {
    let env = host_env(Arc::new(AtomicU64::new(0)));
    // A struct value is a map; a host value is itself; anything else is refused.
    let program = env.compile("pod.spec.replicas + x").unwrap();
    let mut vars = activation(&env, &[]);
    vars.insert("pod", 7).insert("limit", "1Gi");
    let err = program.eval(&vars).unwrap_err().to_string();
    assert!(
        err.contains("variable 'pod' is declared test.Pod but was given int"),
        "the first misfit inserted: {err}"
    );
    let mut vars = activation(&env, &[]);
    vars.insert("limit", "1Gi");
    let err = program.eval(&vars).unwrap_err().to_string();
    assert!(
        err.contains("variable 'limit' is declared k8s.Quantity but was given string"),
        "{err}"
    );
    // Declared as text, a host type's name is that type, in the JSON reader too.
    let env = env
        .to_builder()
        .declare("request", "k8s.Quantity")
        .build()
        .unwrap();
    assert_eq!(
        env.check("request < limit").unwrap().to_string(),
        "bool",
        "request is a k8s.Quantity"
    );
    let mut vars = activation(&env, &[]);
    let request = env.read_json(&json!({"$k8s.Quantity": "512Mi"})).unwrap();
    vars.insert("request", request);
    let program = env.compile("request < limit").unwrap();
    assert_eq!(program.eval(&vars).unwrap(), Value::Bool(true));
}

#[test]
fn struct_types_with_dynamic_fields_allow_every_field_as_dyn() {
    let env = Env::builder()
        .struct_type(StructType::new("Object").with_dynamic_fields())
        .struct_type(
            StructType::new("Object.spec")
                .field("replicas", Type::Int)
                .with_dynamic_fields(),
        )
        .variable("o", Type::object("Object.spec"))
        .build()
        .unwrap();
    // A declared field keeps its type; any other is dyn.
    assert_eq!(env.check("o.replicas").unwrap(), Type::Int);
    assert_eq!(env.check("o.anything").unwrap(), Type::Dyn);
    assert!(env.check("Object.spec{replicas: 'x'}").is_err());
    let program = env
        .compile("Object{spec: Object.spec{replicas: 3, paused: true}}")
        .unwrap();
    assert_eq!(*program.result_type(), Type::object("Object"));
    let built = program.eval(&env.activation()).unwrap();
    let expected = env
        .read_json(&serde_json::json!({"spec": {"replicas": 3, "paused": true}}))
        .unwrap();
    assert_eq!(built, expected);
    // A struct type without dynamic fields still refuses an undeclared one.
    let closed = Env::builder()
        .struct_type(StructType::new("Closed").field("a", Type::Int))
        .build()
        .unwrap();
    let err = closed.compile("Closed{b: 1}").unwrap_err();
    assert!(err.message().contains("'b'"), "{err}");
}

#[test]
fn struct_types_declared_on_a_derived_environment_extend_it() {
    let base = Env::builder()
        .function("twice", |x: i64| x * 2)
        .struct_type(StructType::new("Base").field("n", Type::Int))
        .build()
        .unwrap();
    // Two new struct types, one naming the other, and the parent's own, redeclared with
    // other fields and every field allowed.
    let derived = base
        .to_builder()
        .struct_type(StructType::new("Outer").field("inner", Type::object("Outer.inner")))
        .struct_type(StructType::new("Outer.inner").field("s", Type::String))
        .struct_type(
            StructType::new("Base")
                .field("m", Type::String)
                .with_dynamic_fields(),
        )
        .variable("o", Type::object("Outer"))
        .variable("b", Type::object("Base"))
        .build()
        .unwrap();
    assert_eq!(derived.check("o.inner.s").unwrap(), Type::String);
    assert_eq!(derived.check("b.m").unwrap(), Type::String);
    assert_eq!(derived.check("b.n").unwrap(), Type::Dyn);
    let err = derived.check("o.inner.t").unwrap_err();
    assert!(err.message().contains("undefined field 't'"), "{err}");
    let program = derived
        .compile("twice(size(Outer{inner: Outer.inner{s: 'abc'}}.inner.s)) + Base{other: 1}.other")
        .unwrap();
    assert_eq!(program.eval(&derived.activation()).unwrap(), Value::Int(7));
    // The parent is unchanged.
    assert!(base.check("Outer{}").is_err());
    let err = base.compile("Base{m: 'x'}").unwrap_err();
    assert!(err.message().contains("'m'"), "{err}");
    // Mistakes are found as on a fresh environment.
    let err = base
        .to_builder()
        .struct_type(StructType::new("Bad").field("x", Type::object("Missing")))
        .build()
        .err()
        .expect("an undeclared field type is an error");
    assert!(err.message().contains("'Missing'"), "{err}");
    let err = base
        .to_builder()
        .struct_type(StructType::new("int"))
        .build()
        .err()
        .expect("a built-in type name is an error");
    assert!(err.message().contains("built-in type"), "{err}");
}
