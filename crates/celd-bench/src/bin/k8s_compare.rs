//! celd-k8s side by side with the kube-cel crate: CRD validation and Kubernetes library calls.
//!
//! Each measurement is the median of timed batches after a warm-up, both engines in the same
//! run; the results of both are compared first and every disagreement is printed.
//! `k8s_compare fresh 200` (or `kube-fresh`) only compiles and validates the fresh CRD that
//! many times, in one engine, for profilers such as callgrind.

use std::hint::black_box;
use std::time::{Duration, Instant};

use celd_k8s::schema::Crd;
use celd_k8s::validator::CrdValidator;
use kube_cel::KubeCelExt;
use serde_json::Value as Json;

const CRD: &str = include_str!("../../data/k8s-compare-crd.json");
const OBJECTS: &str = include_str!("../../data/k8s-compare-objects.json");
const WARM_UP: Duration = Duration::from_millis(100);
const BATCH: Duration = Duration::from_millis(50);
const BATCHES: usize = 7;

/// Library calls with a constant result, run in both engines.
const CALLS: &[(&str, &str)] = &[
    (
        "quantity",
        "quantity('1.5Gi').isGreaterThan(quantity('1Gi'))",
    ),
    (
        "quantity",
        "quantity('500m').add(quantity('1')).asApproximateFloat()",
    ),
    (
        "url",
        "url('https://user@api.example.com:8443/v1?x=1').getHostname()",
    ),
    (
        "url",
        "isURL('https://example.com/a/b') && url('https://example.com/a/b').getEscapedPath() == '/a/b'",
    ),
    (
        "find",
        "'registry/app:1.22.3'.find('[0-9]+\\\\.[0-9]+\\\\.[0-9]+')",
    ),
    ("findAll", "'a1 b22 c333 d4444'.findAll('[a-z][0-9]+')"),
    (
        "lists",
        "[3, 1, 2].sum() + [5, 9, 4].max() + [1, 2, 3].indexOf(3)",
    ),
    (
        "lists",
        "['a', 'b', 'c'].isSorted() && [1, 2, 3].slice(1, 3) == [2, 3]",
    ),
    (
        "ip",
        "ip('10.0.0.5').family() == 4 && ip('10.0.0.5').isGlobalUnicast()",
    ),
    ("cidr", "cidr('10.0.0.0/16').containsIP(ip('10.0.3.7'))"),
    ("semver", "semver('1.4.2').isGreaterThan(semver('1.4.0'))"),
    (
        "semver",
        "semver('2.10.3').major() * 100 + semver('2.10.3').minor()",
    ),
    (
        "format",
        "format.dns1123Label().validate('my-app').hasValue()",
    ),
    (
        "format",
        "format.dns1123Subdomain().validate('-bad-.example.com').hasValue()",
    ),
];

/// Nanoseconds per call of `f`: the median over timed batches after a warm-up.
fn measure(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < WARM_UP {
        f();
        n += 1;
    }
    let per_call = WARM_UP.as_secs_f64() / n.max(1) as f64;
    let iters = ((BATCH.as_secs_f64() / per_call) as u64).max(1);
    let mut samples: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[BATCHES / 2]
}

/// A kube-cel value in CEL syntax as celd displays it, to compare the engines' results.
fn kube_text(v: &kube_cel::cel::Value) -> String {
    use kube_cel::cel::Value;
    match v {
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => format!("{u}u"),
        Value::Float(f) => format!("{f:?}"),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => format!("{:?}", s.as_str()),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(kube_text).collect();
            format!("[{}]", parts.join(", "))
        }
        other => format!("{other:?}"),
    }
}

fn ratio_line(name: &str, celd_ns: f64, kube_ns: f64) {
    println!(
        "{name:<34} {:>12.0} {:>12.0} {:>8.2}",
        celd_ns,
        kube_ns,
        kube_ns / celd_ns
    );
}

fn crd_from_text(doc: &celd_k8s::yaml::Document) -> Result<Crd, String> {
    Crd::from_document(doc).map_err(|e| e.to_string())
}

fn main() -> Result<(), String> {
    let crd_json: Json = serde_json::from_str(CRD).map_err(|e| e.to_string())?;
    let objects: Json = serde_json::from_str(OBJECTS).map_err(|e| e.to_string())?;
    let schema = &crd_json["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    let (valid, broken, old) = (&objects["valid"], &objects["broken"], &objects["old"]);
    let docs = celd_k8s::yaml::parse_documents(CRD).map_err(|e| e.to_string())?;
    let doc = docs.first().ok_or("no CRD document")?;
    let crd = crd_from_text(doc)?;
    let kube = kube_cel::Validator::new();
    // A fresh CRD: its rules compiled, then one object validated.
    let celd_fresh = || {
        let v = crd_from_text(doc)
            .ok()
            .and_then(|crd| CrdValidator::new(&crd).ok());
        black_box(v.map(|v| v.validate(valid, Some(old))));
    };
    let kube_fresh = || {
        let compiled = kube_cel::compile_schema(black_box(schema));
        black_box(kube.validate_compiled(&compiled, valid, Some(old)).ok());
    };
    let args: Vec<String> = std::env::args().collect();
    if let [_, mode, times] = args.as_slice() {
        let times: usize = times.parse().map_err(|_| format!("not a count: {times}"))?;
        let run: &dyn Fn() = match mode.as_str() {
            "fresh" => &celd_fresh,
            "kube-fresh" => &kube_fresh,
            _ => return Err(format!("unknown mode {mode}: fresh or kube-fresh")),
        };
        for _ in 0..times {
            run();
        }
        return Ok(());
    }
    let celd = CrdValidator::new(&crd).map_err(|e| e.to_string())?;
    let compiled = kube_cel::compile_schema(schema);
    let kube_errors: Vec<_> = compiled
        .compilation_errors()
        .iter()
        .map(|e| format!("{e:?}"))
        .collect();
    println!(
        "rules: celd-k8s {}, kube-cel compile errors {}",
        celd.rule_count(),
        kube_errors.len()
    );
    for e in &kube_errors {
        println!("  kube-cel compile error: {e}");
    }

    let mut disagreements = 0;
    for (name, object) in [("valid", valid), ("broken", broken)] {
        let c = celd.validate(object, Some(old));
        let k = kube
            .validate_compiled(&compiled, object, Some(old))
            .err()
            .map_or(0, |e| e.len());
        println!(
            "{name} object: celd-k8s {} violations, kube-cel {k}",
            c.len()
        );
        if c.len() != k {
            disagreements += 1;
            for v in &c {
                println!("  celd-k8s: {v}");
            }
            if let Err(errors) = kube.validate_compiled(&compiled, object, Some(old)) {
                for e in errors.as_slice() {
                    println!("  kube-cel: {e:?}");
                }
            }
        }
    }

    let env = celd_k8s::library::kubernetes_env()
        .build()
        .map_err(|e| e.message().to_string())?;
    let vars = celd::Activation::new();
    let mut ctx = kube_cel::cel::Context::default();
    ctx.register_all();
    let mut call_rows = Vec::new();
    for (library, expr) in CALLS {
        let program = env
            .compile(expr)
            .map_err(|e| format!("celd {expr}: {}", e.message()))?;
        let value = program
            .eval(&vars)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| format!("error: {}", e.message()));
        let kube_program = match kube_cel::cel::Program::compile(expr) {
            Ok(p) => Some(p),
            Err(e) => {
                println!("DISAGREE {expr}: kube-cel does not compile it: {e}");
                disagreements += 1;
                None
            }
        };
        let Some(kube_program) = kube_program else {
            continue;
        };
        let kube_value = kube_program
            .execute(&ctx)
            .map(|v| kube_text(&v))
            .unwrap_or_else(|e| format!("error: {e:?}"));
        if value != kube_value {
            println!("DISAGREE {expr}: celd-k8s {value}, kube-cel {kube_value}");
            disagreements += 1;
        }
        let c = measure(|| {
            black_box(program.eval(black_box(&vars)).ok());
        });
        let k = measure(|| {
            black_box(kube_program.execute(black_box(&ctx)).ok());
        });
        call_rows.push((*library, c, k));
    }
    println!("disagreements: {disagreements}\n");

    println!(
        "{:<34} {:>12} {:>12} {:>8}",
        "ns per call", "celd-k8s", "kube-cel", "kube/celd"
    );
    let c = measure(|| {
        black_box(celd.validate(black_box(valid), Some(old)));
    });
    let k = measure(|| {
        black_box(
            kube.validate_compiled(&compiled, black_box(valid), Some(old))
                .ok(),
        );
    });
    ratio_line("validate valid object", c, k);
    let c = measure(|| {
        black_box(celd.validate(black_box(broken), Some(old)));
    });
    let k = measure(|| {
        black_box(
            kube.validate_compiled(&compiled, black_box(broken), Some(old))
                .err(),
        );
    });
    ratio_line("validate broken object", c, k);
    let c = measure(celd_fresh);
    let k = measure(kube_fresh);
    ratio_line("fresh CRD (compile + validate)", c, k);
    for (library, c, k) in &call_rows {
        ratio_line(&format!("call: {library}"), *c, *k);
    }
    Ok(())
}
