//! Integration tests of celd-k8s: the real CRDs in `../shared/k8s-crds` and the fixtures of
//! `tests/data`.

mod admission;
mod authz;
mod bindings;
mod budget;
mod crds;
mod estimate;
mod fixtures;
mod library;
mod mutating_bindings;
mod mutation;
mod validator;
