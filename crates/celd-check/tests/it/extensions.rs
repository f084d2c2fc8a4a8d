//! extensions tests.
