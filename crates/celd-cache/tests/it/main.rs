//! Integration tests of the program cache: sharing, eviction, concurrency, equivalence with
//! uncached compilation, storms, statistics, inventory, dumps and derived environments.

mod concurrency;
mod diagnosis;
mod equivalence;
mod eviction;
mod raw_text;
mod sharing;
mod storms;
mod support;
