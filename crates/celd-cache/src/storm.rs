//! Compile-storm detection, fed on every compilation (never on hits): per-second counts of all
//! compilations, and per-template counts within a window for templates whose programs churn.
//!
//! Compilations are rare and slow next to hits, so a mutex here costs nothing measurable.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::config::StormConfig;

/// How many templates the churn table follows at once; it is swept every second.
const MAX_TRACKED_TEMPLATES: usize = 4096;

const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// A storm found by [`StormDetector::record`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Storm {
    /// Compilations stayed at or above the threshold every second of the window.
    Distinct { per_second: f64, seconds: u64 },
    /// One template was compiled this many times within one window.
    Churn { compilations: u32, seconds: u64 },
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
        let per_second = state.streak_compilations as f64 / state.streak_seconds as f64;
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
            matches!(storms[0], Storm::Distinct { per_second, seconds: 3 } if per_second == 20.0)
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
