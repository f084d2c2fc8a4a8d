//! Integration tests of celd-syntax: parsing, macros, errors, limits and printing.

mod support;

mod errors;
mod limits;
mod literals;
mod macros;
mod parse;
mod printer;
mod spans;
mod spec_literals;
