//! Live figures for the console: [`Sample`]s of the worker's counters (the same sources
//! `/metrics` reads), one a second into a bounded [`History`], and `GET /debug/stats`.
//!
//! The history is the console's only standing cost: one sample a second (a few atomic reads
//! and one read of `/proc/self/statm`) into a ring of [`HISTORY_LEN`] samples, whether anyone
//! looks or not, so that a console opened during an incident shows the minutes before it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::app::AppState;
use crate::metrics::{Recycles, WorkerInfo};

/// How often the history is sampled.
pub const SAMPLE_INTERVAL: Duration = Duration::from_secs(1);

/// Samples kept: five minutes at one a second.
pub const HISTORY_LEN: usize = 300;

/// The worker's counters at one moment. Counters are totals since the worker started; the
/// console turns consecutive samples into rates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Sample {
    /// Wall-clock time, milliseconds since the Unix epoch.
    pub unix_ms: u64,
    pub programs_loaded: u64,
    pub bytes_held: u64,
    pub compilations: u64,
    pub compile_failures: u64,
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
    pub storms: u64,
    /// `/v1/eval` answers, and those that were errors of any kind.
    pub evaluations: u64,
    pub evaluation_errors: u64,
    /// Resident memory (`process_resident_memory_bytes`); absent where `/proc` is not.
    pub rss_bytes: Option<u64>,
}

/// The samples of the last [`HISTORY_LEN`] seconds, oldest first.
#[derive(Default)]
pub struct History {
    samples: Mutex<VecDeque<Sample>>,
}

impl History {
    pub fn push(&self, sample: Sample) {
        let Ok(mut samples) = self.samples.lock() else {
            return;
        };
        if samples.len() == HISTORY_LEN {
            samples.pop_front();
        }
        samples.push_back(sample);
    }

    /// The samples taken after `since_ms` (all with 0), oldest first.
    pub fn since(&self, since_ms: u64) -> Vec<Sample> {
        let Ok(samples) = self.samples.lock() else {
            return Vec::new();
        };
        samples
            .iter()
            .filter(|s| s.unix_ms > since_ms)
            .copied()
            .collect()
    }

    pub fn len(&self) -> usize {
        self.samples.lock().map_or(0, |s| s.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads every figure of a [`Sample`] now.
pub fn sample(state: &AppState) -> Sample {
    let stats = state.evaluator.cache().stats();
    let (evaluations, evaluation_errors) = state.metrics.evaluation_totals();
    Sample {
        unix_ms: unix_ms(SystemTime::now()),
        programs_loaded: stats.programs_loaded,
        bytes_held: stats.bytes_held,
        compilations: stats.compilations,
        compile_failures: stats.compile_failures,
        hits: stats.hits,
        misses: stats.misses,
        evictions: stats.evictions,
        storms: stats.storms,
        evaluations,
        evaluation_errors,
        rss_bytes: crate::process::resident_bytes(None),
    }
}

/// Milliseconds since the Unix epoch.
pub fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Starts the thread that samples into the history every [`SAMPLE_INTERVAL`] until the
/// worker's state is dropped. A thread of its own, asleep between samples: waking it costs less
/// than waking the runtime's workers, which stay parked while no request comes.
pub fn start_sampling(state: Weak<AppState>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("celd-sampler".into())
        .spawn(move || {
            loop {
                std::thread::sleep(SAMPLE_INTERVAL);
                let Some(state) = state.upgrade() else { return };
                state.history.push(sample(&state));
            }
        })
        .map(drop)
}

#[derive(Deserialize)]
pub struct StatsQuery {
    /// Only history samples taken after this time (Unix milliseconds), so a console that
    /// polls fetches each sample once.
    since: Option<u64>,
}

/// The body of `GET /debug/stats`.
#[derive(Serialize)]
pub struct StatsBody {
    /// Read at this request, from the sources `/metrics` reads.
    pub now: Sample,
    pub history: Vec<Sample>,
    pub interval_seconds: u64,
    pub history_len: usize,
    pub worker: WorkerBody,
    pub storms: Vec<StormBody>,
}

#[derive(Serialize)]
pub struct WorkerBody {
    pub pid: u32,
    pub generation: u64,
    pub recycles: RecyclesBody,
    /// The cache's budget (`--cache-bytes`).
    pub max_bytes: u64,
    /// `--max-rss`, when the supervisor recycles on memory.
    pub max_rss_bytes: Option<u64>,
    /// When this worker started, Unix milliseconds.
    pub started_unix_ms: u64,
    pub draining: bool,
}

#[derive(Serialize)]
pub struct RecyclesBody {
    pub signal: u64,
    pub rss: u64,
    pub exit: u64,
    pub hung: u64,
}

impl From<Recycles> for RecyclesBody {
    fn from(r: Recycles) -> RecyclesBody {
        RecyclesBody {
            signal: r.signal,
            rss: r.rss,
            exit: r.exit,
            hung: r.hung,
        }
    }
}

/// One recent compile-storm warning.
#[derive(Serialize)]
pub struct StormBody {
    /// `distinct_templates` or `template_churn`.
    pub kind: &'static str,
    pub template: String,
    pub program_id: String,
    pub origin: Option<String>,
    pub compilations: u64,
    pub window_seconds: u64,
    pub unix_ms: u64,
    pub programs_loaded: u64,
    pub bytes_held: u64,
    pub max_bytes: u64,
    pub evictions: u64,
}

impl StormBody {
    fn new(report: celd_cache::StormReport, now: SystemTime) -> StormBody {
        StormBody {
            kind: report.kind.name(),
            template: report.template,
            program_id: report.program_id.to_string(),
            origin: report.origin,
            compilations: report.compilations,
            window_seconds: report.window.as_secs(),
            unix_ms: unix_ms(now.checked_sub(report.age).unwrap_or(UNIX_EPOCH)),
            programs_loaded: report.programs_loaded,
            bytes_held: report.bytes_held,
            max_bytes: report.max_bytes,
            evictions: report.evictions,
        }
    }
}

/// What this worker is, for [`WorkerBody`]: fixed when it starts.
#[derive(Clone, Copy, Debug)]
pub struct WorkerFacts {
    pub info: WorkerInfo,
    pub started: SystemTime,
}

/// `GET /debug/stats`: the figures now, the history after `since`, the worker, recent storms.
pub async fn stats(
    State(state): State<Arc<AppState>>,
    query: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Json<StatsBody>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::Request(e.body_text()))?;
    let now = sample(&state);
    let facts = state.worker;
    let wall = SystemTime::now();
    let cache = state.evaluator.cache();
    Ok(Json(StatsBody {
        now,
        history: state.history.since(query.since.unwrap_or(0)),
        interval_seconds: SAMPLE_INTERVAL.as_secs(),
        history_len: HISTORY_LEN,
        worker: WorkerBody {
            pid: std::process::id(),
            generation: facts.info.generation,
            recycles: facts.info.recycles.into(),
            max_bytes: cache.config().max_bytes,
            max_rss_bytes: facts.info.max_rss,
            started_unix_ms: unix_ms(facts.started),
            draining: state.drain.is_draining(),
        },
        storms: cache
            .recent_storms()
            .into_iter()
            .map(|r| StormBody::new(r, wall))
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_keeps_the_latest_samples() {
        let history = History::default();
        for t in 1..=(HISTORY_LEN as u64 + 10) {
            history.push(Sample {
                unix_ms: t,
                hits: t,
                ..Sample::default()
            });
        }
        assert_eq!(history.len(), HISTORY_LEN);
        let all = history.since(0);
        assert_eq!(all.first().map(|s| s.unix_ms), Some(11));
        assert_eq!(all.last().map(|s| s.unix_ms), Some(HISTORY_LEN as u64 + 10));
        let newer = history.since(HISTORY_LEN as u64 + 8);
        assert_eq!(newer.iter().map(|s| s.hits).collect::<Vec<_>>(), [309, 310]);
    }
}
