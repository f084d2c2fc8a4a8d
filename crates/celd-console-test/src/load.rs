//! A short, bounded load on the service while the console watches: one hot template (cache
//! hits) and a ring of templates larger than the cache's budget (misses, evictions, and a
//! churn storm warning once a template of the ring is compiled ten times within ten seconds).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use celd_server::loadgen::Connection;
use tokio::net::TcpStream;

/// Templates in the ring: more than the small budget the test gives the cache holds.
pub const RING: u64 = 24;

/// Requests of the ring the load sends at least: twelve per template, so that each is
/// compiled ten times (a storm warning) well within the ten seconds of the window.
pub const RING_REQUESTS: u64 = 12 * RING;

/// What the load sent and how it was answered.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadReport {
    /// Requests of the hot template answered 200.
    pub hot_ok: u64,
    /// Requests of the ring answered 200.
    pub ring_ok: u64,
    /// Answers other than 200, and exchanges that failed.
    pub failed: u64,
}

/// The `i`th request body: three of every four are the hot template `x * 2 + k`.
pub fn body(i: u64) -> (bool, String) {
    if i % 4 != 3 {
        let k = i % 1000;
        return (
            true,
            format!(r#"{{"expr": "x * 2 + {k}", "vars": {{"x": 3}}}}"#),
        );
    }
    let j = (i / 4) % RING;
    let body = format!(
        r#"{{"expr": "m.f{j} + {} > x", "vars": {{"m": {{"f{j}": 1}}, "x": 0}}}}"#,
        i % 97
    );
    (false, body)
}

/// Sends requests on `connections` keep-alive connections for at least `least` and until
/// the ring has had [`RING_REQUESTS`], for `most` at the longest.
pub fn run(addr: SocketAddr, connections: u64, least: Duration, most: Duration) -> LoadReport {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the load");
    runtime.block_on(async {
        let start = Instant::now();
        let ring_sent = Arc::new(AtomicU64::new(0));
        let done = {
            let ring_sent = ring_sent.clone();
            move || {
                let elapsed = start.elapsed();
                elapsed >= most
                    || (elapsed >= least && ring_sent.load(Ordering::Relaxed) >= RING_REQUESTS)
            }
        };
        let clients: Vec<_> = (0..connections)
            .map(|c| {
                tokio::spawn(client(
                    addr,
                    c,
                    connections,
                    ring_sent.clone(),
                    done.clone(),
                ))
            })
            .collect();
        let mut total = LoadReport::default();
        for client in clients {
            let r = client.await.unwrap_or(LoadReport {
                failed: 1,
                ..LoadReport::default()
            });
            total.hot_ok += r.hot_ok;
            total.ring_ok += r.ring_ok;
            total.failed += r.failed;
        }
        total
    })
}

async fn client(
    addr: SocketAddr,
    first: u64,
    step: u64,
    ring_sent: Arc<AtomicU64>,
    done: impl Fn() -> bool,
) -> LoadReport {
    let mut report = LoadReport::default();
    let Ok(stream) = TcpStream::connect(addr).await else {
        report.failed += 1;
        return report;
    };
    let mut connection = Connection::new(stream);
    let mut i = first;
    while !done() {
        let (hot, body) = body(i);
        match connection.exchange("/v1/eval", &body).await {
            Ok(answer) if answer.status == 200 => {
                if hot {
                    report.hot_ok += 1;
                } else {
                    report.ring_ok += 1;
                    ring_sent.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ => {
                report.failed += 1;
                return report;
            }
        }
        i += step;
    }
    report
}
