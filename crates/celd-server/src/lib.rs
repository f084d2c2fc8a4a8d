//! The celd evaluation service. [`api`] holds the request and response bodies and the
//! evaluation behind them through the program cache, shared by the HTTP API and
//! `celd eval --batch`.

pub mod api;
