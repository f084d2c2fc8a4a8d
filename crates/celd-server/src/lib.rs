//! The celd evaluation service (design §6): the HTTP API, its limits, metrics and admin
//! endpoints, and the supervisor that recycles workers with overlap.
//!
//! - [`api`]: request and response bodies and the evaluation behind them (no HTTP), shared
//!   with `celd eval --batch`.
//! - [`app()`]: the axum router over an [`AppState`]; [`dispatch`] decides where evaluations
//!   run, [`admin`] guards `/debug/*`, [`metrics`] renders `/metrics`, [`console`] serves the
//!   web console (with [`live`] figures, the [`export`] of every program, and the cost and
//!   dump [`explain`] adds to `/v1/eval` for its playground).
//! - [`serve::run`]: `celd serve` — a [`supervisor`] that owns the socket and runs
//!   [`worker`]s as child processes, or a single worker.
//! - [`loadgen`] and [`loadtest`]: the keep-alive load generator, and the zero-loss runs and
//!   the throughput benchmark built on it (`src/bin/loadgen.rs`); [`attack`]: the soak under
//!   hostile clients.

pub mod admin;
pub mod api;
pub mod app;
pub mod attack;
pub mod config;
pub mod conn;
pub mod console;
pub mod dispatch;
pub mod drain;
mod error;
pub mod explain;
pub mod export;
pub mod listener;
pub mod live;
pub mod loadgen;
pub mod loadtest;
pub mod logging;
pub mod metrics;
pub mod process;
pub mod response;
pub mod serve;
pub mod supervisor;
pub mod worker;

pub use app::{AppState, app};
pub use config::{AdminToken, ConfigError, ExtendEnv, Offload, RequestLimits, ServiceConfig};
pub use serve::{Role, ServeError, ServeOptions};
