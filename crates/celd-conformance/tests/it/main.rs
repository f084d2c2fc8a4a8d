//! Integration tests of the conformance runner: loading test files, converting
//! values and types, comparing results, reporting, the command line, and the
//! whole suite against `expected_failures.txt`.

mod cli;
mod compare;
mod conversions;
mod expected;
mod export;
mod loading;
mod report;
mod suite;
mod support;
