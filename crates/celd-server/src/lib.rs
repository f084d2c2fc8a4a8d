//! The celd evaluation service. [`api`] holds the request and response bodies and the
//! evaluation behind them, shared by the HTTP API and `celd eval --batch`.

pub mod api;
