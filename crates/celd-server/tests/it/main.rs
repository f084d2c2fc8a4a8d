//! The HTTP API without a socket: `app(state).oneshot(request)` for every endpoint and every
//! error status.

mod admin;
mod api;
mod console;
mod host;
mod openapi;
mod requests;
mod support;
