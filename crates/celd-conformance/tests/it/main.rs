//! Integration tests of the conformance runner.
