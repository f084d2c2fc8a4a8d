//! Integration tests of celd-types: type syntax, the declaration tables,
//! container names and the descriptor-pool type provider.

mod names;
mod provider;
mod tables;
mod types;
