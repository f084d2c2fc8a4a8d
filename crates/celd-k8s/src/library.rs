//! The Kubernetes CEL libraries registered on a celd environment through its public extension
//! API: each [`Library`] adds its host types and functions, with Kubernetes' names, overload
//! ids, results, errors and call costs; [`kubernetes_env`] is the environment kube-apiserver
//! compiles CRD rules and admission policies in.

use std::cmp::Ordering;
use std::fmt;
use std::net::IpAddr;
use std::sync::LazyLock;

use celd::layers::value::{arith, compare};
use celd::{
    Cost, Env, EnvBuilder, EvalError, Extension, HostFunction, HostType, Key, Map, Overload, Type,
    Value,
};
use regex::Regex;

use crate::cost::actual_call_cost;
use crate::format::{FORMATS, NamedFormat};
use crate::net::{self, Cidr};
use crate::quantity::Quantity;
use crate::semver::Semver;
use crate::url::GoUrl;

/// One Kubernetes CEL library, as `k8s.io/apiserver/pkg/cel/library` declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Library {
    /// `quantity()`, `isQuantity()` and the `kubernetes.Quantity` methods.
    Quantity,
    /// `isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf` on lists.
    Lists,
    /// `find`, `findAll`.
    Regex,
    /// `url()`, `isURL()` and the `kubernetes.URL` getters.
    Urls,
    /// `ip()`, `isIP()`, `ip.isCanonical()` and the `net.IP` methods.
    Ip,
    /// `cidr()`, `isCIDR()` and the `net.CIDR` methods.
    Cidr,
    /// `format.named()`, `format.<name>()` and `validate()`.
    Format,
    /// `semver()`, `isSemver()` and the `kubernetes.Semver` methods.
    Semver,
    /// `jsonpatch.escapeKey()`.
    JsonPatch,
    /// The `kubernetes.authorization` types and their methods (`authorizer.group(g)…check(v)`).
    Authz,
}

impl Library {
    /// Every library, in the order Kubernetes introduced them.
    pub const ALL: &'static [Library] = &[
        Library::Urls,
        Library::Regex,
        Library::Lists,
        Library::Quantity,
        Library::Ip,
        Library::Cidr,
        Library::Format,
        Library::JsonPatch,
        Library::Semver,
        Library::Authz,
    ];

    /// Adds the library's host types and functions to `env`.
    pub fn register(self, env: EnvBuilder) -> EnvBuilder {
        match self {
            Library::Quantity => quantity(env),
            Library::Lists => lists(env),
            Library::Regex => regex(env),
            Library::Urls => urls(env),
            Library::Ip => ip(env),
            Library::Cidr => cidr(env),
            Library::Format => format(env),
            Library::Semver => semver(env),
            Library::JsonPatch => jsonpatch(env),
            Library::Authz => crate::authz::register(env),
        }
    }
}

/// The cel-go extensions kube-apiserver enables in its base environment (Kubernetes 1.34):
/// strings (version 2+), sets, lists, optional types, two-variable comprehensions and
/// `cel.bind`. The engine's network extension is not among them: Kubernetes has its own
/// `ip()`/`cidr()` ([`Library::Ip`], [`Library::Cidr`]).
pub const KUBERNETES_EXTENSIONS: &[Extension] = &[
    Extension::Strings,
    Extension::Sets,
    Extension::Lists,
    Extension::Optional,
    Extension::TwoVarComprehensions,
    Extension::Bindings,
];

/// The environment kube-apiserver compiles expressions in: the standard library, the
/// [`KUBERNETES_EXTENSIONS`] and every [`Library`]. Add the variables (`self`, `object`, …)
/// and types of the expressions' context to it.
///
/// The libraries are declared and bound once per process ([`kubernetes_base`]): this builder
/// starts from that environment, so variables and struct types added to it cost what they
/// cost, not what the libraries cost.
pub fn kubernetes_env() -> EnvBuilder {
    kubernetes_base().to_builder()
}

/// The environment of [`kubernetes_env`], built once per process.
pub fn kubernetes_base() -> &'static Env {
    static BASE: LazyLock<Env> = LazyLock::new(|| {
        let mut env = celd::Env::builder().homogeneous_aggregate_literals(true);
        for ext in KUBERNETES_EXTENSIONS {
            env = env.extension(*ext);
        }
        for lib in Library::ALL {
            env = lib.register(env);
        }
        // The libraries are fixed and their declarations valid (a test builds them).
        env.build()
            .unwrap_or_else(|e| unreachable!("the Kubernetes libraries build: {}", e.message()))
    });
    &BASE
}

/// The actual cost `cost.go` gives a call of `function` (overload `id`), from the sizes of its
/// arguments; list functions walk their receiver, whose size stands for its traversal.
fn cost(function: &'static str, id: &'static str) -> Cost {
    Cost::from_sizes(move |sizes| {
        let traversal = || sizes.first().copied().unwrap_or(1);
        actual_call_cost(function, id, sizes, traversal).unwrap_or(1)
    })
}

/// A global function overload with Kubernetes' id and cost.
fn global<M>(
    env: EnvBuilder,
    name: &'static str,
    id: &'static str,
    f: impl celd::IntoHostFunction<M>,
) -> EnvBuilder {
    env.function(name, Overload::new(f).id(id).cost(cost(name, id)))
}

/// A method overload (the receiver is the closure's first parameter) with Kubernetes' id and
/// cost.
fn method<M>(
    env: EnvBuilder,
    name: &'static str,
    id: &'static str,
    f: impl celd::IntoHostFunction<M>,
) -> EnvBuilder {
    env.method(name, Overload::new(f).id(id).cost(cost(name, id)))
}

// ---------------------------------------------------------------------------------------
// quantity

impl HostType for Quantity {
    const TYPE_NAME: &'static str = "kubernetes.Quantity";

    fn equals(&self, other: &Quantity) -> bool {
        self == other
    }

    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "quantity({:?})", self.to_string())
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.to_string())
    }

    fn from_json(json: &serde_json::Value) -> Result<Quantity, String> {
        let text = json.as_str().ok_or("a quantity is a string")?;
        Quantity::parse(text).map_err(|e| e.to_string())
    }
}

fn quantity(env: EnvBuilder) -> EnvBuilder {
    let env = env.host_type::<Quantity>();
    let env = global(env, "quantity", "string_to_quantity", Quantity::parse);
    let env = global(env, "isQuantity", "is_quantity_string", |s: &str| {
        Quantity::parse(s).is_ok()
    });
    let env = method(env, "sign", "quantity_sign", Quantity::sign);
    let env = method(env, "isInteger", "quantity_is_integer", |q: &Quantity| {
        q.as_i64().is_some()
    });
    let env = method(
        env,
        "asInteger",
        "quantity_get_integer",
        |q: &Quantity| -> Result<i64, EvalError> {
            q.as_i64().ok_or_else(|| {
                EvalError::invalid_argument("cannot convert value to integer".to_owned())
            })
        },
    );
    let env = method(
        env,
        "asApproximateFloat",
        "quantity_get_float",
        Quantity::as_approximate_f64,
    );
    let env = method(
        env,
        "isGreaterThan",
        "quantity_is_greater_than",
        |a: &Quantity, b: &Quantity| a.compare(b) == Ordering::Greater,
    );
    let env = method(
        env,
        "isLessThan",
        "quantity_is_less_than",
        |a: &Quantity, b: &Quantity| a.compare(b) == Ordering::Less,
    );
    let env = method(
        env,
        "compareTo",
        "quantity_compare_to",
        |a: &Quantity, b: &Quantity| a.compare(b) as i64,
    );
    let env = method(env, "add", "quantity_add", |a: &Quantity, b: &Quantity| {
        a.add(b)
    });
    let env = method(env, "add", "quantity_add_int", |a: &Quantity, n: i64| {
        a.add_int(n)
    });
    let env = method(env, "sub", "quantity_sub", |a: &Quantity, b: &Quantity| {
        a.sub(b)
    });
    method(env, "sub", "quantity_sub_int", |a: &Quantity, n: i64| {
        a.sub_int(n)
    })
}

// ---------------------------------------------------------------------------------------
// lists

/// The element types `isSorted`, `min` and `max` are declared for, with the overload-id names.
fn comparable_types() -> [(Type, &'static str); 8] {
    [
        (Type::Int, "int"),
        (Type::Uint, "uint"),
        (Type::Double, "double"),
        (Type::Bool, "bool"),
        (Type::Duration, "duration"),
        (Type::Timestamp, "timestamp"),
        (Type::String, "string"),
        (Type::Bytes, "bytes"),
    ]
}

/// The order of two list elements; values without one (NaN) are an error.
fn order(a: &Value, b: &Value) -> Result<Ordering, EvalError> {
    compare::compare(a, b)?
        .ok_or_else(|| EvalError::invalid_argument("NaN values cannot be ordered"))
}

/// A list overload over a fixed element type: `list(elem) -> result`.
fn list_overload(
    id: &'static str,
    function: &'static str,
    params: Vec<Type>,
    result: Type,
    f: impl Fn(&[Value]) -> Result<Value, EvalError> + Send + Sync + 'static,
) -> Overload {
    Overload::dynamic(params, result, f)
        .id(id)
        .cost(cost(function, id))
}

fn items(args: &[Value]) -> &[Value] {
    match args.first() {
        Some(Value::List(list)) => list.as_slice(),
        _ => &[],
    }
}

fn lists(mut env: EnvBuilder) -> EnvBuilder {
    for (elem, name) in comparable_types() {
        let list = Type::list(elem.clone());
        let id: &'static str = Box::leak(format!("list_{name}_is_sorted_bool").into_boxed_str());
        env = env.method(
            "isSorted",
            list_overload(id, "isSorted", vec![list.clone()], Type::Bool, |args| {
                crate::lists::is_sorted(items(args), order).map(Value::Bool)
            }),
        );
        for (function, pick) in [("min", Ordering::Less), ("max", Ordering::Greater)] {
            let id: &'static str =
                Box::leak(format!("list_{name}_{function}_{name}").into_boxed_str());
            env = env.method(
                function,
                list_overload(
                    id,
                    function,
                    vec![list.clone()],
                    elem.clone(),
                    move |args| extreme(items(args), function, pick),
                ),
            );
        }
    }
    let zeros = [
        (Type::Int, "int", Value::Int(0)),
        (Type::Uint, "uint", Value::Uint(0)),
        (Type::Double, "double", Value::Double(0.0)),
        (
            Type::Duration,
            "duration",
            Value::Duration(celd::Duration::default()),
        ),
    ];
    for (elem, name, zero) in zeros {
        let id: &'static str = Box::leak(format!("list_{name}_sum_{name}").into_boxed_str());
        env = env.method(
            "sum",
            list_overload(
                id,
                "sum",
                vec![Type::list(elem.clone())],
                elem,
                move |args| {
                    items(args)
                        .iter()
                        .try_fold(zero.clone(), |total, v| arith::add(&total, v))
                },
            ),
        );
    }
    let elem = Type::param("A");
    let list = Type::list(elem.clone());
    for (function, id, last) in [
        ("indexOf", "list_a_index_of_int", false),
        ("lastIndexOf", "list_a_last_index_of_int", true),
    ] {
        env = env.method(
            function,
            list_overload(
                id,
                function,
                vec![list.clone(), elem.clone()],
                Type::Int,
                move |args| {
                    let needle = &args[1];
                    let equal = |v: &Value| compare::equals(v, needle);
                    Ok(Value::Int(if last {
                        crate::lists::last_index_of(items(args), equal)
                    } else {
                        crate::lists::index_of(items(args), equal)
                    }))
                },
            ),
        );
    }
    env
}

/// `min()` or `max()`: the first element no other element beats.
fn extreme(items: &[Value], function: &str, pick: Ordering) -> Result<Value, EvalError> {
    let (first, rest) = items
        .split_first()
        .ok_or_else(|| EvalError::invalid_argument(crate::lists::empty_list_error(function)))?;
    let mut best = first;
    for v in rest {
        if order(v, best)? == pick {
            best = v;
        }
    }
    Ok(best.clone())
}

// ---------------------------------------------------------------------------------------
// regex

/// The most bytes a compiled pattern may take (as the engine's own regex functions allow).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

fn compile_regex(pattern: &str) -> Result<Regex, EvalError> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| EvalError::invalid_argument(crate::regex::illegal_regex(&e.to_string())))
}

fn regex(env: EnvBuilder) -> EnvBuilder {
    let find = |s: &str, pattern: &str| -> Result<String, EvalError> {
        Ok(crate::regex::find(&compile_regex(pattern)?, s).to_owned())
    };
    let find_all = |s: &str, pattern: &str, limit: i64| -> Result<Vec<String>, EvalError> {
        Ok(owned(crate::regex::find_all(
            &compile_regex(pattern)?,
            s,
            limit,
        )))
    };
    env.method(
        "find",
        regex_overload("find", "string_find_string", find, |re| {
            HostFunction::new(move |s: &str, _: &str| crate::regex::find(&re, s).to_owned())
        }),
    )
    .method(
        "findAll",
        regex_overload(
            "findAll",
            "string_find_all_string",
            move |s: &str, pattern: &str| find_all(s, pattern, -1),
            |re| {
                HostFunction::new(move |s: &str, _: &str| owned(crate::regex::find_all(&re, s, -1)))
            },
        ),
    )
    .method(
        "findAll",
        regex_overload("findAll", "string_find_all_string_int", find_all, |re| {
            HostFunction::new(move |s: &str, _: &str, limit: i64| {
                owned(crate::regex::find_all(&re, s, limit))
            })
        }),
    )
}

/// An overload taking a pattern second (after the receiver), whose constant pattern is
/// compiled once with the program, as kube-apiserver's regex optimization does: an invalid
/// one fails the compilation. `with_regex` is the implementation for a compiled pattern.
fn regex_overload<M>(
    name: &'static str,
    id: &'static str,
    general: impl celd::IntoHostFunction<M>,
    with_regex: impl Fn(Regex) -> HostFunction + Send + Sync + 'static,
) -> Overload {
    Overload::new(general)
        .id(id)
        .cost(cost(name, id))
        .prepare(move |constants| match constants {
            [_, Some(Value::String(pattern)), ..] => {
                compile_regex(pattern).map(|re| Some(with_regex(re)))
            }
            _ => Ok(None),
        })
}

fn owned(matches: Vec<&str>) -> Vec<String> {
    matches.into_iter().map(str::to_owned).collect()
}

// ---------------------------------------------------------------------------------------
// urls

impl HostType for GoUrl {
    const TYPE_NAME: &'static str = "kubernetes.URL";

    fn equals(&self, other: &GoUrl) -> bool {
        self == other
    }
}

fn urls(env: EnvBuilder) -> EnvBuilder {
    let env = env.host_type::<GoUrl>();
    let env = global(
        env,
        "url",
        "string_to_url",
        |s: &str| -> Result<GoUrl, EvalError> {
            GoUrl::kubernetes(s).map_err(|e| {
                EvalError::invalid_argument(format!(
                    "URL parse error during conversion from string: {e}"
                ))
            })
        },
    );
    let env = global(env, "isURL", "is_url_string", crate::url::is_url);
    let env = method(env, "getScheme", "url_get_scheme", |u: &GoUrl| {
        u.scheme.clone()
    });
    let env = method(env, "getHost", "url_get_host", GoUrl::host);
    let env = method(env, "getHostname", "url_get_hostname", GoUrl::hostname);
    let env = method(env, "getPort", "url_get_port", GoUrl::port);
    let env = method(
        env,
        "getEscapedPath",
        "url_get_escaped_path",
        GoUrl::escaped_path,
    );
    env.method(
        "getQuery",
        Overload::new(|u: &GoUrl| {
            let mut map = Map::new();
            for (key, values) in u.query() {
                let values = values.into_iter().map(Value::from).collect::<Vec<_>>();
                map.insert(Key::String(key.into()), Value::list(values));
            }
            Value::map(map)
        })
        .id("url_get_query")
        .signature(
            [Type::named(GoUrl::TYPE_NAME)],
            Type::map(Type::String, Type::list(Type::String)),
        )
        .cost(cost("getQuery", "url_get_query")),
    )
}

// ---------------------------------------------------------------------------------------
// ip and cidr

/// A `net.IP` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ip(pub IpAddr);

impl HostType for Ip {
    const TYPE_NAME: &'static str = "net.IP";

    fn equals(&self, other: &Ip) -> bool {
        self == other
    }

    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ip(\"{}\")", self.0)
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.0.to_string())
    }

    fn from_json(json: &serde_json::Value) -> Result<Ip, String> {
        let text = json.as_str().ok_or("an IP address is a string")?;
        net::parse_ip(text).map(Ip).map_err(|e| e.to_string())
    }
}

impl HostType for Cidr {
    const TYPE_NAME: &'static str = "net.CIDR";

    fn equals(&self, other: &Cidr) -> bool {
        self == other
    }

    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cidr(\"{self}\")")
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.to_string())
    }

    fn from_json(json: &serde_json::Value) -> Result<Cidr, String> {
        let text = json.as_str().ok_or("a CIDR is a string")?;
        net::parse_cidr(text).map_err(|e| e.to_string())
    }
}

fn ip(env: EnvBuilder) -> EnvBuilder {
    let env = env.host_type::<Ip>();
    let env = global(env, "ip", "string_to_ip", |s: &str| {
        net::parse_ip(s).map(Ip)
    });
    let env = global(env, "isIP", "is_ip", net::is_ip);
    let env = global(env, "ip.isCanonical", "ip_is_canonical", net::is_canonical);
    let env = global(env, "string", "ip_to_string", |ip: &Ip| ip.0.to_string());
    let env = method(env, "family", "ip_family", |ip: &Ip| net::family(&ip.0));
    let env = method(env, "isUnspecified", "ip_is_unspecified", |ip: &Ip| {
        ip.0.is_unspecified()
    });
    let env = method(env, "isLoopback", "ip_is_loopback", |ip: &Ip| {
        ip.0.is_loopback()
    });
    let env = method(
        env,
        "isLinkLocalMulticast",
        "ip_is_link_local_multicast",
        |ip: &Ip| net::is_link_local_multicast(&ip.0),
    );
    let env = method(
        env,
        "isLinkLocalUnicast",
        "ip_is_link_local_unicast",
        |ip: &Ip| net::is_link_local_unicast(&ip.0),
    );
    method(env, "isGlobalUnicast", "ip_is_global_unicast", |ip: &Ip| {
        net::is_global_unicast(&ip.0)
    })
}

fn cidr(env: EnvBuilder) -> EnvBuilder {
    let env = env.host_type::<Cidr>();
    let env = global(env, "cidr", "string_to_cidr", net::parse_cidr);
    let env = global(env, "isCIDR", "is_cidr", net::is_cidr);
    let env = global(env, "string", "cidr_to_string", |c: &Cidr| c.to_string());
    let env = method(
        env,
        "containsIP",
        "cidr_contains_ip_ip",
        |c: &Cidr, ip: &Ip| c.contains_ip(&ip.0),
    );
    let env = method(
        env,
        "containsIP",
        "cidr_contains_ip_string",
        |c: &Cidr, ip: &str| -> Result<bool, EvalError> {
            // Kubernetes passes the parse error on where an address is expected.
            let ip = net::parse_ip(ip)
                .map_err(|_| EvalError::no_such_overload("containsIP", &["net.CIDR", "string"]))?;
            Ok(c.contains_ip(&ip))
        },
    );
    let env = method(
        env,
        "containsCIDR",
        "cidr_contains_cidr",
        |c: &Cidr, other: &Cidr| c.contains_cidr(other),
    );
    let env = method(
        env,
        "containsCIDR",
        "cidr_contains_cidr_string",
        |c: &Cidr, other: &str| -> Result<bool, net::NetError> {
            Ok(c.contains_cidr(&net::parse_cidr(other)?))
        },
    );
    let env = method(env, "ip", "cidr_ip", |c: &Cidr| Ip(c.addr));
    let env = method(env, "masked", "cidr_masked", |c: &Cidr| c.masked());
    method(env, "prefixLength", "cidr_prefix_length", |c: &Cidr| {
        i64::from(c.bits)
    })
}

// ---------------------------------------------------------------------------------------
// format

impl HostType for NamedFormat {
    const TYPE_NAME: &'static str = "kubernetes.NamedFormat";

    fn equals(&self, other: &NamedFormat) -> bool {
        self == other
    }

    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "format.{}()", self.name)
    }
}

fn format(mut env: EnvBuilder) -> EnvBuilder {
    env = env.host_type::<NamedFormat>();
    let format_type = Type::named(NamedFormat::TYPE_NAME);
    env = env.function(
        "format.named",
        Overload::new(|name: &str| NamedFormat::named(name))
            .id("format-named")
            .signature([Type::String], Type::optional(format_type.clone()))
            .cost(cost("format.named", "format-named")),
    );
    for named in FORMATS {
        let named = *named;
        let function: &'static str = Box::leak(format!("format.{}", named.name).into_boxed_str());
        let id: &'static str = Box::leak(format!("format-{}", named.name).into_boxed_str());
        env = env.function(
            function,
            Overload::new(move || named).id(id).cost(Cost::fixed(1)),
        );
    }
    env.method(
        "validate",
        Overload::new(|f: &NamedFormat, s: &str| {
            let messages = f.validate(s);
            (!messages.is_empty()).then_some(messages)
        })
        .id("format-validate")
        .signature(
            [format_type, Type::String],
            Type::optional(Type::list(Type::String)),
        )
        .cost(Cost::from_sizes(|sizes| {
            let size = sizes.get(1).copied().unwrap_or(0);
            crate::cost::actual_validate_cost(crate::cost::MAX_NAME_FORMAT_REGEX_SIZE, size)
        })),
    )
}

// ---------------------------------------------------------------------------------------
// semver

impl HostType for Semver {
    const TYPE_NAME: &'static str = "kubernetes.Semver";

    fn equals(&self, other: &Semver) -> bool {
        self.compare(other) == Ordering::Equal
    }

    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "semver(\"{self}\")")
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.to_string())
    }

    fn from_json(json: &serde_json::Value) -> Result<Semver, String> {
        let text = json.as_str().ok_or("a version is a string")?;
        Semver::parse(text).map_err(|e| e.to_string())
    }
}

fn semver(env: EnvBuilder) -> EnvBuilder {
    let env = env.host_type::<Semver>();
    let parse = |s: &str, normalize: bool| {
        if normalize {
            Semver::parse_normalized(s)
        } else {
            Semver::parse(s)
        }
    };
    let env = global(env, "semver", "string_to_semver", |s: &str| {
        Semver::parse(s)
    });
    let env = global(
        env,
        "semver",
        "string_bool_to_semver",
        move |s: &str, normalize: bool| parse(s, normalize),
    );
    let env = global(env, "isSemver", "is_semver_string", |s: &str| {
        Semver::parse(s).is_ok()
    });
    let env = global(
        env,
        "isSemver",
        "is_semver_string_bool",
        move |s: &str, normalize: bool| parse(s, normalize).is_ok(),
    );
    let env = method(
        env,
        "isGreaterThan",
        "semver_is_greater_than",
        |a: &Semver, b: &Semver| a.compare(b) == Ordering::Greater,
    );
    let env = method(
        env,
        "isLessThan",
        "semver_is_less_than",
        |a: &Semver, b: &Semver| a.compare(b) == Ordering::Less,
    );
    let env = method(
        env,
        "compareTo",
        "semver_compare_to",
        |a: &Semver, b: &Semver| a.compare(b) as i64,
    );
    let major = |v: &Semver| -> Result<i64, EvalError> { component(v.major) };
    let minor = |v: &Semver| -> Result<i64, EvalError> { component(v.minor) };
    let patch = |v: &Semver| -> Result<i64, EvalError> { component(v.patch) };
    let env = method(env, "major", "semver_major", major);
    let env = method(env, "minor", "semver_minor", minor);
    method(env, "patch", "semver_patch", patch)
}

/// A version component as an `int` (Kubernetes converts the `uint64`).
fn component(n: u64) -> Result<i64, EvalError> {
    i64::try_from(n).map_err(|_| EvalError::overflow("semver component"))
}

// ---------------------------------------------------------------------------------------
// jsonpatch

fn jsonpatch(env: EnvBuilder) -> EnvBuilder {
    global(
        env,
        "jsonpatch.escapeKey",
        "string_jsonpatch_escapekey_string",
        |key: &str| crate::jsonpatch::escape_key(key),
    )
}
