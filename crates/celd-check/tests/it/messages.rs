//! messages tests.
