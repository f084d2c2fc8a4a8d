//! Compile-storm detection, fed on every compilation (never on hits): per-second counts of all
//! compilations, and per-template counts within a window for templates whose programs churn.
//!
//! Compilations are rare and slow next to hits, so a mutex here costs nothing measurable.
//! The warnings given are also kept, the latest [`MAX_RECENT_STORMS`], for a console to list.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use crate::config::StormConfig;
use crate::entry::ProgramId;
use crate::stats::CacheStats;

/// How many storm warnings [`ProgramCache::recent_storms`](crate::ProgramCache::recent_storms)
/// keeps; older ones are dropped (the count of all is `celd_compile_storms_total`).
pub const MAX_RECENT_STORMS: usize = 32;

/// How many templates the churn table follows at once; it is swept every second.
const MAX_TRACKED_TEMPLATES: usize = 4096;

const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// A storm found by [`StormDetector::record`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Storm {
    /// Compilations stayed at or above the threshold every second of the window.
    Distinct {
        per_second: f64,
        seconds: u64,
        compilations: u64,
    },
    /// One template was compiled this many times within one window.
    Churn { compilations: u32, seconds: u64 },
}

/// Which kind of compile storm a warning was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StormKind {
    /// Compilations of structurally distinct expressions stayed at or above
    /// `StormConfig::compilations_per_second` for a whole window.
    DistinctTemplates,
    /// One template was compiled `StormConfig::template_compilations` times within a window:
    /// its program keeps being evicted.
    TemplateChurn,
}

impl StormKind {
    /// `distinct_templates` or `template_churn`, as the warning's `kind` field says.
    pub fn name(self) -> &'static str {
        match self {
            StormKind::DistinctTemplates => "distinct_templates",
            StormKind::TemplateChurn => "template_churn",
        }
    }
}

/// One compile-storm warning as it was given.
#[derive(Clone, Debug, PartialEq)]
pub struct StormReport {
    pub kind: StormKind,
    /// The template named: the latest compiled (distinct) or the churning one; at most 200
    /// characters.
    pub template: String,
    pub program_id: ProgramId,
    /// Where the request came from, if its caller said.
    pub origin: Option<String>,
    /// Compilations within the window: of every template (distinct) or of this one (churn).
    pub compilations: u64,
    pub window: Duration,
    /// Time since the warning.
    pub age: Duration,
    /// The cache's state at the warning.
    pub programs_loaded: u64,
    pub bytes_held: u64,
    pub max_bytes: u64,
    pub evictions: u64,
}

/// The latest warnings, oldest first; `age` holds the clock reading of each until read.
#[derive(Default)]
pub(crate) struct RecentStorms(Mutex<VecDeque<StormReport>>);

impl RecentStorms {
    pub fn push(&self, at_nanos: u64, mut report: StormReport) {
        report.age = Duration::from_nanos(at_nanos);
        let Ok(mut recent) = self.0.lock() else {
            return;
        };
        if recent.len() == MAX_RECENT_STORMS {
            recent.pop_front();
        }
        recent.push_back(report);
    }

    /// Newest first, with their ages at `now_nanos`.
    pub fn list(&self, now_nanos: u64) -> Vec<StormReport> {
        let Ok(recent) = self.0.lock() else {
            return Vec::new();
        };
        recent
            .iter()
            .rev()
            .map(|r| {
                let at = u64::try_from(r.age.as_nanos()).unwrap_or(u64::MAX);
                StormReport {
                    age: Duration::from_nanos(now_nanos.saturating_sub(at)),
                    ..r.clone()
                }
            })
            .collect()
    }
}

impl Storm {
    /// The report of this storm, naming `template`, with the cache's state in `stats`.
    pub fn report(
        self,
        template: String,
        program_id: ProgramId,
        origin: Option<&str>,
        stats: &CacheStats,
    ) -> StormReport {
        let (kind, compilations, seconds) = match self {
            Storm::Distinct {
                compilations,
                seconds,
                ..
            } => (StormKind::DistinctTemplates, compilations, seconds),
            Storm::Churn {
                compilations,
                seconds,
            } => (StormKind::TemplateChurn, u64::from(compilations), seconds),
        };
        StormReport {
            kind,
            template,
            program_id,
            origin: origin.map(str::to_owned),
            compilations,
            window: Duration::from_secs(seconds),
            age: Duration::ZERO,
            programs_loaded: stats.programs_loaded,
            bytes_held: stats.bytes_held,
            max_bytes: stats.max_bytes,
            evictions: stats.evictions,
        }
    }
}

pub(crate) struct StormDetector {
    config: StormConfig,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    second: u64,
    count_this_second: u64,
    /// Completed consecutive seconds at or above the threshold, and their compilations.
    streak_seconds: u64,
    streak_compilations: u64,
    last_distinct_warning: Option<u64>,
    templates: HashMap<u64, Churn>,
}

struct Churn {
    window_start: u64,
    compilations: u32,
    last_warning: Option<u64>,
}

impl StormDetector {
    pub fn new(config: StormConfig) -> StormDetector {
        StormDetector {
            config,
            state: Mutex::new(State::default()),
        }
    }

    fn window_seconds(&self) -> u64 {
        self.config.window.as_secs().max(1)
    }

    /// Records one compilation of `template` at `now_nanos`; returns a storm to report, at most
    /// one of each kind per window.
    pub fn record(&self, now_nanos: u64, template: u64) -> Option<Storm> {
        let now = now_nanos / NANOS_PER_SECOND;
        let Ok(mut state) = self.state.lock() else {
            return None;
        };
        if now != state.second {
            self.close_second(&mut state, now);
        }
        state.count_this_second += 1;
        self.distinct(&mut state, now)
            .or_else(|| self.churn(&mut state, now, template))
    }

    fn close_second(&self, state: &mut State, now: u64) {
        let threshold = u64::from(self.config.compilations_per_second.max(1));
        let contiguous = now == state.second + 1;
        if state.count_this_second >= threshold && contiguous {
            state.streak_seconds += 1;
            state.streak_compilations += state.count_this_second;
        } else {
            state.streak_seconds = 0;
            state.streak_compilations = 0;
        }
        state.second = now;
        state.count_this_second = 0;
        let window = self.window_seconds();
        state
            .templates
            .retain(|_, churn| now < churn.window_start + window);
    }

    fn distinct(&self, state: &mut State, now: u64) -> Option<Storm> {
        let window = self.window_seconds();
        if state.streak_seconds < window {
            return None;
        }
        let compilations = state.streak_compilations;
        let per_second = compilations as f64 / state.streak_seconds as f64;
        let seconds = state.streak_seconds;
        // A new window starts now, so the next warning needs another whole window of storm.
        state.streak_seconds = 0;
        state.streak_compilations = 0;
        let quiet = state
            .last_distinct_warning
            .is_none_or(|at| now >= at + window);
        quiet.then(|| {
            state.last_distinct_warning = Some(now);
            Storm::Distinct {
                per_second,
                seconds,
                compilations,
            }
        })
    }

    fn churn(&self, state: &mut State, now: u64, template: u64) -> Option<Storm> {
        let window = self.window_seconds();
        if !state.templates.contains_key(&template)
            && state.templates.len() >= MAX_TRACKED_TEMPLATES
        {
            return None;
        }
        let churn = state.templates.entry(template).or_insert(Churn {
            window_start: now,
            compilations: 0,
            last_warning: None,
        });
        if now >= churn.window_start + window {
            churn.window_start = now;
            churn.compilations = 0;
        }
        churn.compilations += 1;
        let threshold = self.config.template_compilations.max(2);
        let quiet = churn.last_warning.is_none_or(|at| now >= at + window);
        if churn.compilations < threshold || !quiet {
            return None;
        }
        let compilations = churn.compilations;
        churn.last_warning = Some(now);
        churn.window_start = now;
        churn.compilations = 0;
        Some(Storm::Churn {
            compilations,
            seconds: window,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn detector() -> StormDetector {
        StormDetector::new(StormConfig {
            compilations_per_second: 10,
            template_compilations: 5,
            window: Duration::from_secs(3),
        })
    }

    /// Records `per_second` compilations in each of `seconds` seconds from `start`; the
    /// template of each is given by `template(i)`.
    fn feed(
        d: &StormDetector,
        start: u64,
        seconds: u64,
        per_second: u64,
        template: impl Fn(u64) -> u64,
    ) -> Vec<Storm> {
        let mut storms = Vec::new();
        for s in 0..seconds {
            for i in 0..per_second {
                let t = (start + s) * NANOS_PER_SECOND + i * (NANOS_PER_SECOND / per_second);
                storms.extend(d.record(t, template(s * per_second + i)));
            }
        }
        storms
    }

    #[test]
    fn sustained_distinct_compilations_warn_once_per_window() {
        let d = detector();
        let storms = feed(&d, 0, 10, 20, |i| i);
        let distinct = storms
            .iter()
            .filter(|s| matches!(s, Storm::Distinct { .. }))
            .count();
        // Seconds 0-2 complete a window at second 3; 3-5 at 6; 6-8 at 9.
        assert_eq!(distinct, 3);
        assert!(
            matches!(storms[0], Storm::Distinct { per_second, seconds: 3, compilations: 60 } if per_second == 20.0)
        );
    }

    #[test]
    fn a_burst_shorter_than_the_window_is_no_storm() {
        let d = detector();
        assert!(feed(&d, 0, 2, 1000, |i| i).is_empty());
        // A quiet second breaks the streak.
        assert!(feed(&d, 3, 2, 1000, |i| i + 10_000).is_empty());
    }

    #[test]
    fn a_churning_template_warns() {
        let d = detector();
        let storms = feed(&d, 0, 2, 4, |_| 7);
        assert_eq!(
            storms,
            vec![Storm::Churn {
                compilations: 5,
                seconds: 3
            }]
        );
    }

    #[test]
    fn slow_recompilation_is_no_churn() {
        let d = detector();
        // Once a second: 3 per 3-second window, under the threshold of 5.
        assert!(feed(&d, 0, 30, 1, |_| 7).is_empty());
    }
}
