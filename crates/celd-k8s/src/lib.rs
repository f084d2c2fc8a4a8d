//! Kubernetes CEL for celd: the libraries kube-apiserver adds to CEL, CRD schemas as CEL types,
//! and the limits the API server applies.

pub mod go;
pub mod net;
pub mod quantity;
pub mod semver;
pub mod url;
