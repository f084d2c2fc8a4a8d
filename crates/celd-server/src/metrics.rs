//! `/metrics`: the worker's counters in the Prometheus text format (version 0.0.4), through
//! `prometheus-client`. Request counters are live metrics; the program cache's counters, the
//! process's memory and the supervisor's recycle counts are read at each scrape by collectors.

use std::sync::Arc;

use celd_cache::stats::names;
use celd_cache::{CacheStats, HistogramSnapshot};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::api::Evaluator;

/// The `Content-Type` of `/metrics`.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Outcomes of `/v1/eval`, the `outcome` label of `celd_evaluations_total`.
pub const OUTCOMES: [&str; 7] = [
    "ok", "parse", "check", "eval", "limit", "request", "internal",
];

/// Upper bounds (seconds) of `celd_eval_duration_seconds`: 1 µs to 250 ms.
const EVAL_BUCKETS: [f64; 17] = [
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2,
    5e-2, 0.1, 0.25,
];

type RequestLabels = ([(&'static str, &'static str); 1], [(&'static str, u16); 1]);

/// Worker recycles before this worker, by reason, as the supervisor counted them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recycles {
    /// SIGHUP to the supervisor.
    pub signal: u64,
    /// The worker's resident memory passed `--max-rss`.
    pub rss: u64,
    /// The worker exited or died.
    pub exit: u64,
    /// The worker stopped answering (its heartbeat stopped).
    pub hung: u64,
}

impl Recycles {
    pub fn total(&self) -> u64 {
        self.signal + self.rss + self.exit + self.hung
    }

    /// `signal=1,rss=0,exit=0,hung=0`, as passed in `CELD_WORKER_RECYCLES`.
    pub fn to_env(&self) -> String {
        format!(
            "signal={},rss={},exit={},hung={}",
            self.signal, self.rss, self.exit, self.hung
        )
    }

    /// Reads [`to_env`](Self::to_env)'s form; unknown or malformed parts count as zero.
    pub fn from_env(text: &str) -> Recycles {
        let mut r = Recycles::default();
        for part in text.split(',') {
            let Some((name, n)) = part.split_once('=') else {
                continue;
            };
            let n = n.trim().parse().unwrap_or(0);
            match name.trim() {
                "signal" => r.signal = n,
                "rss" => r.rss = n,
                "exit" => r.exit = n,
                "hung" => r.hung = n,
                _ => {}
            }
        }
        r
    }
}

/// The worker's live metrics and the registry that renders them with the collectors.
pub struct Metrics {
    registry: Registry,
    evaluations: [Counter; OUTCOMES.len()],
    eval_duration: Histogram,
    requests: Family<RequestLabels, Counter>,
    blocking: Gauge,
    connections: Gauge,
}

/// Counts one unit of a gauge while it lives.
pub struct InGauge(Gauge);

impl Drop for InGauge {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Metrics {
    pub fn new(evaluator: Arc<Evaluator>, worker: WorkerInfo) -> Metrics {
        let mut registry = Registry::default();
        let family = Family::<[(&'static str, &'static str); 1], Counter>::default();
        let evaluations = OUTCOMES.map(|o| family.get_or_create_owned(&[("outcome", o)]));
        registry.register(
            "celd_evaluations",
            "Evaluations answered by /v1/eval, by outcome (ok or the error kind)",
            family,
        );
        let eval_duration = Histogram::new(EVAL_BUCKETS);
        registry.register(
            "celd_eval_duration_seconds",
            "Time to evaluate one request's program (compilation not included)",
            eval_duration.clone(),
        );
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "celd_http_requests",
            "HTTP requests answered, by endpoint and status",
            requests.clone(),
        );
        let blocking = Gauge::default();
        registry.register(
            "celd_blocking_evaluations",
            "Requests being prepared or evaluated on the blocking pool now",
            blocking.clone(),
        );
        let connections = Gauge::default();
        registry.register(
            "celd_connections_open",
            "Connections open now",
            connections.clone(),
        );
        registry.register_collector(Box::new(CacheCollector(evaluator)));
        registry.register_collector(Box::new(ProcessCollector));
        registry.register_collector(Box::new(worker));
        Metrics {
            registry,
            evaluations,
            eval_duration,
            requests,
            blocking,
            connections,
        }
    }

    /// Counts a request on the blocking pool until dropped.
    pub fn blocking_evaluation(&self) -> InGauge {
        self.blocking.inc();
        InGauge(self.blocking.clone())
    }

    /// Counts an open connection until dropped.
    pub fn connection(&self) -> InGauge {
        self.connections.inc();
        InGauge(self.connections.clone())
    }

    /// Counts one `/v1/eval` answer and, if the program ran, its evaluation time.
    pub fn evaluation(&self, outcome: &str, seconds: Option<f64>) {
        let i = OUTCOMES
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or(OUTCOMES.len() - 1);
        self.evaluations[i].inc();
        if let Some(s) = seconds {
            self.eval_duration.observe(s);
        }
    }

    /// `/v1/eval` answers so far, and those of them that were errors.
    pub fn evaluation_totals(&self) -> (u64, u64) {
        let ok = self.evaluations[0].get();
        let errors: u64 = self.evaluations[1..].iter().map(Counter::get).sum();
        (ok + errors, errors)
    }

    pub fn request(&self, endpoint: &'static str, status: u16) {
        self.requests
            .get_or_create(&([("endpoint", endpoint)], [("status", status)]))
            .inc();
    }

    /// Every metric in the Prometheus text format (the encoder ends each help text with a period).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(8 << 10);
        // Writing to a String cannot fail; a collector's error leaves what was written.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

/// The program cache's counters and gauges, read at each scrape.
#[derive(Debug)]
struct CacheCollector(Arc<Evaluator>);

impl Collector for CacheCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats: CacheStats = self.0.cache().stats();
        let gauges = [
            (
                names::PROGRAMS_LOADED,
                "Programs in the program cache",
                stats.programs_loaded,
            ),
            (
                names::PROGRAM_CACHE_BYTES,
                "Bytes the cached programs hold (their measured weight)",
                stats.bytes_held,
            ),
            (
                "celd_program_cache_max_bytes",
                "The program cache's budget in bytes",
                stats.max_bytes,
            ),
            (
                names::DERIVED_ENVS,
                "Environments derived from request declarations and remembered",
                stats.derived_envs,
            ),
            (
                names::DERIVED_ENV_BYTES,
                "Bytes the remembered derived environments hold",
                stats.derived_env_bytes,
            ),
        ];
        for (name, help, value) in gauges {
            encode_gauge(&mut encoder, name, help, value)?;
        }
        let counters = [
            (
                names::COMPILATIONS,
                "Expressions compiled",
                stats.compilations,
            ),
            (
                names::CACHE_HITS,
                "Lookups that found a compiled program",
                stats.hits,
            ),
            (
                names::CACHE_MISSES,
                "Lookups that had to compile",
                stats.misses,
            ),
            (
                names::CACHE_EVICTIONS,
                "Programs evicted to stay within the budget",
                stats.evictions,
            ),
            (
                names::COMPILE_STORMS,
                "Compile storms warned about",
                stats.storms,
            ),
            (
                names::PROGRAMS_UNCACHED,
                "Programs too large to cache (over an eighth of the budget), evaluated and dropped",
                stats.uncached,
            ),
        ];
        for (name, help, value) in counters {
            encode_counter(&mut encoder, name, help, value)?;
        }
        encode_histogram(
            &mut encoder,
            names::COMPILE_DURATION,
            "Time to compile one expression",
            &stats.compile_duration,
        )
    }
}

/// `process_resident_memory_bytes`, from `/proc/self/statm`.
#[derive(Debug)]
struct ProcessCollector;

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(rss) = crate::process::resident_bytes(None) else {
            return Ok(());
        };
        encode_gauge(
            &mut encoder,
            "process_resident_memory_bytes",
            "Resident memory size in bytes",
            rss,
        )
    }
}

/// The worker's generation and the supervisor's recycle counts.
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkerInfo {
    pub generation: u64,
    pub recycles: Recycles,
    /// `--max-rss`: past it the supervisor replaces the worker (`celd_worker_max_rss_bytes`).
    pub max_rss: Option<u64>,
}

impl Collector for WorkerInfo {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        encode_gauge(
            &mut encoder,
            "celd_worker_generation",
            "Which worker this is: 1 for the supervisor's first, one more for each replacement",
            self.generation,
        )?;
        if let Some(max_rss) = self.max_rss {
            encode_gauge(
                &mut encoder,
                "celd_worker_max_rss_bytes",
                "The resident memory past which the supervisor replaces the worker (--max-rss)",
                max_rss,
            )?;
        }
        let r = self.recycles;
        let mut metric = encoder.encode_descriptor(
            "celd_worker_recycles",
            "Workers replaced by the supervisor before this one, by reason",
            None,
            MetricType::Counter,
        )?;
        let reasons = [
            ("signal", r.signal),
            ("rss", r.rss),
            ("exit", r.exit),
            ("hung", r.hung),
        ];
        for (reason, n) in reasons {
            let labels = [("reason", reason)];
            ConstCounter::new(n).encode(metric.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

fn encode_gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: u64,
) -> Result<(), std::fmt::Error> {
    let gauge = ConstGauge::new(value);
    gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)
}

/// A counter; `name` may end in `_total`, which the encoder adds back.
fn encode_counter(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: u64,
) -> Result<(), std::fmt::Error> {
    let name = name.strip_suffix("_total").unwrap_or(name);
    let counter = ConstCounter::new(value);
    counter.encode(encoder.encode_descriptor(name, help, None, counter.metric_type())?)
}

fn encode_histogram(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    h: &HistogramSnapshot,
) -> Result<(), std::fmt::Error> {
    // The encoder sums bucket counts itself: give it each bucket's own count.
    let mut previous = 0;
    let buckets: Vec<(f64, u64)> = h
        .buckets
        .iter()
        .map(|b| {
            let own = b.cumulative_count.saturating_sub(previous);
            previous = b.cumulative_count;
            (b.upper_bound, own)
        })
        .collect();
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Histogram)?;
    metric.encode_histogram::<prometheus_client::encoding::NoLabelSet>(
        h.sum_seconds,
        h.count,
        &buckets,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycles_round_trip_through_the_environment() {
        let r = Recycles {
            signal: 3,
            rss: 2,
            exit: 1,
            hung: 4,
        };
        assert_eq!(Recycles::from_env(&r.to_env()), r);
        assert_eq!(r.total(), 10);
        assert_eq!(Recycles::from_env("garbage,rss=x"), Recycles::default());
    }
}
