//! The console's routes: its pages and assets, `/debug/stats` (whose figures agree with
//! `/metrics`), `/debug/export`, and the cost and dump `/v1/eval` adds for the playground.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value as Json, json};

use crate::support::{TOKEN, call, get, post, state, state_with};

#[tokio::test]
async fn pages_and_assets_are_served_with_their_types_and_policy() {
    let s = state();
    for (path, content_type) in [
        ("/console/", "text/html"),
        ("/console/playground", "text/html"),
        ("/console/assets/console.js", "text/javascript"),
        ("/console/assets/playground.js", "text/javascript"),
        ("/console/assets/console.css", "text/css"),
        ("/console/assets/favicon.svg", "image/svg+xml"),
    ] {
        let a = get(&s, path, None).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        let header = |name: &str| {
            a.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert!(header("content-type").starts_with(content_type), "{path}");
        assert!(header("content-security-policy").contains("default-src 'none'"));
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert!(!a.text.is_empty());
    }
    let page = get(&s, "/console/", None).await.text;
    assert!(page.contains("/console/assets/console.js"), "{page}");
    let missing = get(&s, "/console/assets/nothing.js", None).await;
    assert_eq!(
        (missing.status, missing.kind()),
        (StatusCode::NOT_FOUND, "request".into())
    );
}

#[tokio::test]
async fn the_root_and_the_bare_path_lead_to_the_console() {
    let s = state();
    for path in ["/", "/console"] {
        let a = get(&s, path, None).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(a.headers["location"], "/console/");
    }
}

#[tokio::test]
async fn an_unchanged_asset_is_not_sent_again() {
    let s = state();
    let first = get(&s, "/console/assets/console.js", None).await;
    let etag = first.headers["etag"].to_str().unwrap().to_owned();
    let request = Request::get("/console/assets/console.js")
        .header("if-none-match", &etag)
        .body(Body::empty())
        .unwrap();
    let again = call(&s, request).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.text.is_empty());
    let request = Request::get("/console/assets/console.js")
        .header("if-none-match", "\"0000000000000000\"")
        .body(Body::empty())
        .unwrap();
    assert_eq!(call(&s, request).await.status, StatusCode::OK);
}

#[tokio::test]
async fn stats_and_export_need_the_admin_token() {
    let s = state();
    for path in ["/debug/stats", "/debug/export"] {
        assert_eq!(get(&s, path, None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            get(&s, path, Some("wrong")).await.status,
            StatusCode::UNAUTHORIZED
        );
        let off = state_with(|c| c.admin_token = None);
        assert_eq!(
            get(&off, path, Some(TOKEN)).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

/// The unlabelled value of `name` in a Prometheus text.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// The sum of every labelled sample of `name` whose labels contain `filter`.
fn metric_sum(text: &str, name: &str, filter: impl Fn(&str) -> bool) -> f64 {
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix('{')?;
            let (labels, value) = rest.split_once("} ")?;
            filter(labels).then(|| value.parse::<f64>().ok()).flatten()
        })
        .sum()
}

#[tokio::test]
async fn the_console_figures_agree_with_metrics() {
    let s = state_with(|c| {
        c.max_rss = Some(400 << 20);
        c.generation = 3;
        c.recycles = celd_server::metrics::Recycles {
            signal: 1,
            rss: 1,
            exit: 0,
            hung: 0,
        };
    });
    for k in 0..20 {
        post(
            &s,
            "/v1/eval",
            format!(r#"{{"expr": "x + {k}", "vars": {{"x": 1}}}}"#),
        )
        .await;
        let distinct = format!(r#"{{"expr": "m.f{k} > 1", "vars": {{"m": {{"f{k}": 2}}}}}}"#);
        post(&s, "/v1/eval", distinct).await;
    }
    post(&s, "/v1/eval", r#"{"expr": "1 +"}"#).await;
    post(&s, "/v1/eval", r#"{"expr": "undeclared > 1"}"#).await;
    s.evaluator.cache().run_pending_tasks();
    // Nothing changes the counters between the two reads.
    let metrics = get(&s, "/metrics", None).await.text;
    let stats = get(&s, "/debug/stats", Some(TOKEN)).await.json();
    let now = &stats["now"];
    let pairs = [
        ("programs_loaded", "celd_programs_loaded"),
        ("bytes_held", "celd_program_cache_bytes"),
        ("compilations", "celd_compilations_total"),
        ("hits", "celd_cache_hits_total"),
        ("misses", "celd_cache_misses_total"),
        ("evictions", "celd_cache_evictions_total"),
        ("storms", "celd_compile_storms_total"),
    ];
    for (field, name) in pairs {
        assert_eq!(
            now[field].as_f64(),
            metric(&metrics, name),
            "{field} against {name}"
        );
    }
    assert_eq!(now["compilations"], json!(21), "{now}");
    assert_eq!(now["hits"], json!(19));
    assert_eq!(now["compile_failures"], json!(1));
    let evaluations = metric_sum(&metrics, "celd_evaluations_total", |_| true);
    let errors = metric_sum(&metrics, "celd_evaluations_total", |l| {
        !l.contains("\"ok\"")
    });
    assert_eq!(now["evaluations"].as_f64(), Some(evaluations));
    assert_eq!(now["evaluation_errors"].as_f64(), Some(errors));
    assert_eq!((evaluations, errors), (42.0, 2.0));
    let worker = &stats["worker"];
    assert_eq!(
        worker["max_bytes"].as_f64(),
        metric(&metrics, "celd_program_cache_max_bytes")
    );
    assert_eq!(
        worker["generation"].as_f64(),
        metric(&metrics, "celd_worker_generation")
    );
    assert_eq!(
        worker["max_rss_bytes"].as_f64(),
        metric(&metrics, "celd_worker_max_rss_bytes")
    );
    for reason in ["signal", "rss", "exit"] {
        let label = format!("reason=\"{reason}\"");
        let counted = metric_sum(&metrics, "celd_worker_recycles_total", |l| l == label);
        assert_eq!(
            worker["recycles"][reason].as_f64(),
            Some(counted),
            "{reason}"
        );
    }
    // Both read /proc/self/statm; other tests of this process allocate in between.
    let rss = now["rss_bytes"].as_f64().unwrap();
    let scraped = metric(&metrics, "process_resident_memory_bytes").unwrap();
    assert!(
        (rss - scraped).abs() < 64.0 * 1024.0 * 1024.0,
        "{rss} {scraped}"
    );
}

#[tokio::test]
async fn the_history_holds_what_was_sampled_and_answers_only_what_is_newer() {
    let s = state();
    assert_eq!(
        get(&s, "/debug/stats", Some(TOKEN)).await.json()["history"],
        json!([])
    );
    post(&s, "/v1/eval", r#"{"expr": "1 + 1"}"#).await;
    let first = celd_server::live::sample(&s);
    s.history.push(first);
    let mut later = celd_server::live::sample(&s);
    later.unix_ms = first.unix_ms + 1000;
    s.history.push(later);
    let stats = get(&s, "/debug/stats", Some(TOKEN)).await.json();
    assert_eq!(stats["history"].as_array().unwrap().len(), 2);
    assert_eq!(stats["history"][0]["evaluations"], json!(1));
    assert_eq!(stats["interval_seconds"], json!(1));
    assert_eq!(stats["history_len"], json!(300));
    let since = format!("/debug/stats?since={}", first.unix_ms);
    let newer = get(&s, &since, Some(TOKEN)).await.json();
    assert_eq!(newer["history"].as_array().unwrap().len(), 1);
    assert_eq!(newer["history"][0]["unix_ms"], json!(later.unix_ms));
}

#[tokio::test]
async fn storm_warnings_are_listed_with_their_template() {
    // A budget smaller than any program: every compilation is evicted at once, so one
    // template compiled again and again churns.
    let s = state_with(|c| c.cache_bytes = 1);
    for k in 0..200 {
        post(
            &s,
            "/v1/eval",
            format!(r#"{{"expr": "s.contains('{k}')", "vars": {{"s": "abc"}}}}"#),
        )
        .await;
        s.evaluator.cache().run_pending_tasks();
        if s.evaluator.cache().stats().storms > 0 {
            break;
        }
    }
    let stats = get(&s, "/debug/stats", Some(TOKEN)).await.json();
    let storm = &stats["storms"][0];
    assert_eq!(storm["kind"], "template_churn", "{stats}");
    assert_eq!(storm["template"], "s.contains($0)");
    assert_eq!(storm["origin"], "http");
    assert_eq!(storm["window_seconds"], json!(10));
    assert_eq!(storm["compilations"], json!(10));
    assert_eq!(storm["program_id"].as_str().unwrap().len(), 12);
    assert!(storm["unix_ms"].as_u64().unwrap() <= stats["now"]["unix_ms"].as_u64().unwrap());
    assert_eq!(stats["now"]["storms"], json!(1));
}

#[tokio::test]
async fn eval_answers_with_cost_estimate_and_dump_when_asked() {
    let s = state();
    let body = r#"{"expr": "items.filter(i, i > 2).size() + 10", "vars": {"items": [1, 2, 3, 4]},
        "decls": {"items": "list(int)"}, "cost": true, "dump": true}"#;
    let a = post(&s, "/v1/eval", body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let r = a.json();
    assert_eq!(
        (r["value"].clone(), r["type"].clone()),
        (json!(12), json!("int"))
    );
    let cost = r["cost"].as_u64().unwrap();
    let (min, max) = (
        r["estimate"]["min"].as_u64().unwrap(),
        r["estimate"]["max"].as_u64().unwrap(),
    );
    assert!(min <= cost && cost <= max, "{min} <= {cost} <= {max}");
    assert!(cost > 4, "four iterations were charged: {cost}");
    let dump = &r["dump"];
    assert_eq!(dump["template"], "items.filter(i, i > $0).size() + $1");
    assert_eq!(dump["result_type"], "int");
    assert_eq!(
        dump["parameters"][1],
        json!({"slot": 1, "type": "int", "value": "10", "line": 1, "column": 33})
    );
    assert!(dump["checked"].as_str().unwrap().contains("~list(int)"));
    assert!(dump["plan"].as_str().unwrap().contains("filter"));
    // Hoisted strings count at their sizes.
    let body = r#"{"expr": "s.startsWith('abc') && s.contains('zz')", "vars": {"s": "abcdefzz"},
        "cost": true}"#;
    let r = post(&s, "/v1/eval", body).await.json();
    let cost = r["cost"].as_u64().unwrap();
    let max = r["estimate"]["max"].as_u64().expect("bounded");
    assert!(
        r["estimate"]["min"].as_u64().unwrap() <= cost && cost <= max,
        "{r}"
    );
    // A constant expression is folded without the cache; the cached program runs it.
    let r = post(
        &s,
        "/v1/eval",
        r#"{"expr": "[1, 2, 3].map(x, x * 2)", "cost": true}"#,
    )
    .await
    .json();
    let cost = r["cost"].as_u64().unwrap();
    let max = r["estimate"]["max"].as_u64().expect("bounded");
    assert!(
        r["estimate"]["min"].as_u64().unwrap() <= cost && cost <= max,
        "{r}"
    );
    // Without the flags the answer is as before.
    let plain = post(&s, "/v1/eval", r#"{"expr": "1 + 1"}"#).await.json();
    assert_eq!(plain, json!({"value": 2, "type": "int"}));
    // A declared variable that is not sent may be any size.
    let body = r#"{"expr": "x > 0 || l.exists(i, i > 0)", "vars": {"x": 1},
        "decls": {"l": "list(int)"}, "cost": true}"#;
    let unbounded = post(&s, "/v1/eval", body).await.json();
    assert_eq!(unbounded["value"], json!(true), "{unbounded}");
    assert!(unbounded.get("dump").is_none());
    assert_eq!(unbounded["estimate"]["max"], Json::Null, "{unbounded}");
    let (spent, least) = (
        unbounded["cost"].as_u64(),
        unbounded["estimate"]["min"].as_u64(),
    );
    assert_eq!(spent, least, "the short circuit is the least it can cost");
}

#[tokio::test]
async fn the_export_holds_every_program_with_its_dump() {
    let s = state();
    // Enough programs for several chunks of the stream.
    let body = |expr: String| format!(r#"{{"expr": "{expr}", "vars": {{"m": {{"f0": 1}}}}}}"#);
    for k in 0..400 {
        post(&s, "/v1/eval", body(format!("m.f0 + {k} > m.g{k}"))).await;
    }
    post(&s, "/v1/eval", body("m.f0 + 7 > m.g0".into())).await;
    let a = get(&s, "/debug/export", Some(TOKEN)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text.len() > 64 << 10, "{} bytes", a.text.len());
    let disposition = a.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=\"celd-programs-"));
    let export: Json = a.json();
    assert_eq!(export["format"], "celd-programs/1");
    assert_eq!(export["cache"]["programs_loaded"], json!(400));
    let programs = export["programs"].as_array().unwrap();
    assert_eq!(programs.len(), 400);
    let v0 = programs
        .iter()
        .find(|p| p["template"] == "m.f0 + $0 > m.g0")
        .unwrap();
    assert_eq!(v0["hits"], json!(1));
    assert_eq!(v0["dump"]["parameters"][0]["type"], "int");
    assert!(v0["dump"]["plan"].as_str().unwrap().contains("param $0"));
    assert!(programs.iter().all(|p| p["dump"]["checked"].is_string()));
}
