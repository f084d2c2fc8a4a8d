//! Lock-free counters for the hot path: striped so that threads counting hits do not share a
//! cache line, and a fixed-bucket histogram of compile times.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How many stripes a [`StripedCounter`] has; threads pick one by a per-thread index.
const STRIPES: usize = 16;

#[derive(Default)]
#[repr(align(128))]
struct Padded(AtomicU64);

/// A counter that many threads increment without contending: one padded cell per stripe.
pub(crate) struct StripedCounter {
    cells: [Padded; STRIPES],
}

impl Default for StripedCounter {
    fn default() -> Self {
        StripedCounter {
            cells: std::array::from_fn(|_| Padded::default()),
        }
    }
}

thread_local! {
    static STRIPE: usize = next_stripe();
}

fn next_stripe() -> usize {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed) as usize % STRIPES
}

impl StripedCounter {
    pub fn add(&self, n: u64) {
        let stripe = STRIPE.with(|s| *s);
        self.cells[stripe].0.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.cells
            .iter()
            .map(|c| c.0.load(Ordering::Relaxed))
            .fold(0u64, u64::wrapping_add)
    }
}

/// Upper bounds (seconds) of the compile-time histogram's buckets, Prometheus style; the last
/// bucket (`+Inf`) is implicit.
pub const COMPILE_BUCKETS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0,
];

/// A histogram of durations with the fixed [`COMPILE_BUCKETS`]; recording is two atomic adds.
#[derive(Default)]
pub(crate) struct Histogram {
    /// Non-cumulative counts; index `COMPILE_BUCKETS.len()` is `+Inf`.
    counts: [AtomicU64; COMPILE_BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
}

impl Histogram {
    pub fn record(&self, d: Duration) {
        let seconds = d.as_secs_f64();
        let bucket = COMPILE_BUCKETS
            .iter()
            .position(|&upper| seconds <= upper)
            .unwrap_or(COMPILE_BUCKETS.len());
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> HistogramSnapshot {
        let mut cumulative = 0u64;
        let mut buckets = Vec::with_capacity(COMPILE_BUCKETS.len() + 1);
        for (i, count) in self.counts.iter().enumerate() {
            cumulative += count.load(Ordering::Relaxed);
            let upper = COMPILE_BUCKETS.get(i).copied().unwrap_or(f64::INFINITY);
            buckets.push(Bucket {
                upper_bound: upper,
                cumulative_count: cumulative,
            });
        }
        HistogramSnapshot {
            buckets,
            count: cumulative,
            sum_seconds: self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9,
        }
    }
}

/// A histogram read at one moment: cumulative buckets as Prometheus exposes them.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramSnapshot {
    /// Ascending upper bounds; the last is `f64::INFINITY` and counts every observation.
    pub buckets: Vec<Bucket>,
    /// Observations recorded.
    pub count: u64,
    /// The sum of all observations, in seconds.
    pub sum_seconds: f64,
}

/// One bucket: observations at most `upper_bound` seconds (cumulative, `le` in Prometheus).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    pub upper_bound: f64,
    pub cumulative_count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let h = Histogram::default();
        h.record(Duration::from_micros(30));
        h.record(Duration::from_millis(3));
        h.record(Duration::from_secs(5));
        let s = h.snapshot();
        assert_eq!(s.count, 3);
        assert_eq!(s.buckets[0].cumulative_count, 1);
        let at_5ms = s.buckets.iter().find(|b| b.upper_bound == 0.005).unwrap();
        assert_eq!(at_5ms.cumulative_count, 2);
        assert_eq!(s.buckets.last().unwrap().upper_bound, f64::INFINITY);
        assert_eq!(s.buckets.last().unwrap().cumulative_count, 3);
        assert!((s.sum_seconds - 5.00303).abs() < 1e-9);
    }

    #[test]
    fn striped_counter_sums_threads() {
        let c = std::sync::Arc::new(StripedCounter::default());
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let c = c.clone();
                std::thread::spawn(move || (0..1000).for_each(|_| c.add(1)))
            })
            .collect();
        handles.into_iter().for_each(|h| h.join().unwrap());
        assert_eq!(c.get(), 4000);
    }
}
