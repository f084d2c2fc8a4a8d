//! [`CacheConfig`]: the cache's budget, storm thresholds and clock, with safe defaults.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How a [`ProgramCache`](crate::ProgramCache) is bounded and when it warns.
#[derive(Clone, Debug)]
pub struct CacheConfig {
    /// The most bytes the cached programs may hold (their measured weight). Default 64 MiB.
    pub max_bytes: u64,
    /// The most derived environments remembered by [`ProgramCache::derive_env`](crate::ProgramCache::derive_env).
    /// Default 256.
    pub max_envs: u64,
    /// The most bytes those environments may hold together (their own declarations; one
    /// over a quarter of this is not remembered). Default 16 MiB.
    pub max_env_bytes: u64,
    pub storm: StormConfig,
    /// Where time comes from (ages, last use, storm windows); the system clock by default.
    pub clock: Clock,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            max_bytes: 64 * 1024 * 1024,
            max_envs: 256,
            max_env_bytes: 16 << 20,
            storm: StormConfig::default(),
            clock: Clock::system(),
        }
    }
}

/// When compiling looks like a storm, the cache logs one warning per window and counts it.
///
/// A storm of distinct templates: at least `compilations_per_second` compilations in every
/// second of a whole `window`. A churning template: one template compiled at least
/// `template_compilations` times within one `window` (its programs keep getting evicted).
/// `x + 1`, `x + 2`, ... share one template and compile once, so they never make a storm.
#[derive(Clone, Debug)]
pub struct StormConfig {
    /// Default 100 compilations per second.
    pub compilations_per_second: u32,
    /// Default 10 compilations of one template per window.
    pub template_compilations: u32,
    /// Default 10 seconds; at most one warning of each kind per window.
    pub window: Duration,
}

impl Default for StormConfig {
    fn default() -> Self {
        StormConfig {
            compilations_per_second: 100,
            template_compilations: 10,
            window: Duration::from_secs(10),
        }
    }
}

/// A monotonic clock: the system's, or one a test moves by hand.
#[derive(Clone, Debug)]
pub struct Clock(ClockKind);

#[derive(Clone, Debug)]
enum ClockKind {
    System(Instant),
    Manual(Arc<AtomicU64>),
}

impl Clock {
    pub fn system() -> Clock {
        Clock(ClockKind::System(Instant::now()))
    }

    /// A clock that stands still until [`ManualTime::advance`] moves it.
    pub fn manual() -> (Clock, ManualTime) {
        let nanos = Arc::new(AtomicU64::new(0));
        (
            Clock(ClockKind::Manual(nanos.clone())),
            ManualTime { nanos },
        )
    }

    /// Nanoseconds since the clock was made.
    pub fn now_nanos(&self) -> u64 {
        match &self.0 {
            ClockKind::System(epoch) => {
                u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
            }
            ClockKind::Manual(nanos) => nanos.load(Ordering::Relaxed),
        }
    }
}

/// The hand of a manual [`Clock`].
#[derive(Clone, Debug)]
pub struct ManualTime {
    nanos: Arc<AtomicU64>,
}

impl ManualTime {
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(by, Ordering::Relaxed);
    }
}
