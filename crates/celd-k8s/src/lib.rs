//! Kubernetes CEL for celd: the libraries kube-apiserver adds to CEL, CRD schemas as CEL types,
//! and the limits the API server applies.

pub mod cost;
pub mod escaping;
pub mod format;
pub mod go;
pub mod jsonpatch;
pub mod lists;
pub mod net;
pub mod quantity;
pub mod regex;
pub mod schema;
pub mod semver;
pub mod url;
pub mod yaml;
