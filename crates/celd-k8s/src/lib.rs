//! Kubernetes CEL for celd: the libraries kube-apiserver adds to CEL, CRD schemas as CEL types,
//! and the limits the API server applies.
//!
//! Each library is here as plain Rust with Kubernetes' semantics and messages, registered as CEL
//! functions through celd's public extension API by [`library`] ([`library::kubernetes_env`] is
//! the environment kube-apiserver compiles in); [`validator::CrdValidator`] applies a CRD's
//! rules, [`admission::Policy`] a ValidatingAdmissionPolicy and [`dispatch::admit`] that
//! policy under its [`binding::Binding`]s, and [`mutation::MutatingPolicy`] a
//! MutatingAdmissionPolicy (JSON Patch by [`jsonpatch`], apply configurations merged by
//! [`apply`]):
//!
//! | module | Kubernetes library | what it holds |
//! |---|---|---|
//! | [`quantity`] | `quantity()`, `isQuantity()` and the `Quantity` methods | `resource.Quantity`, exact, in both of Kubernetes' representations |
//! | [`semver`] | `semver()`, `isSemver()` (with `normalize`) | blang/semver v4 parsing and precedence |
//! | [`url`] | `url()`, `isURL()`, `getScheme` … `getQuery` | Go `net/url` parsing |
//! | [`net`] | `ip()`, `cidr()`, `isIP`, `isCIDR`, `ip.isCanonical` and the methods | Go `netip` parsing with Kubernetes' refusals |
//! | [`format`] | `format.named()`, `format.<name>()`, `validate()` | the named formats and apimachinery's messages |
//! | [`lists`] | `isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf` | the algorithms and their errors |
//! | [`regex`] | `find`, `findAll` | Go `regexp` match iteration |
//! | [`jsonpatch`] | `jsonpatch.escapeKey` | RFC 6901 escaping; RFC 6902 application as `evanphx/json-patch` v4 |
//! | [`apply`] | (server-side apply) | structured-merge-diff's merge of an apply configuration |
//! | [`mutation`] | `Object`, `JSONPatch` | MutatingAdmissionPolicy evaluation |
//! | [`selector`] | `metav1.LabelSelector` | `matchLabels`, `matchExpressions`, their validation |
//! | [`matching`] | `policy/matching` | `matchConstraints` / `matchResources`: rules, exclusions, selectors |
//! | [`binding`] | `ValidatingAdmissionPolicyBinding` | bindings, their validation, `paramRef` params |
//! | [`budget`] | `PerCallLimit`, `RuntimeCELCostBudget` | admission policies' runtime cost limits, variables computed when needed |
//! | [`dispatch`] | the validating dispatcher | a policy under its bindings: denial, warnings, audit annotations |
//! | [`field`] | `field.Error` | field errors worded as the API server words them |
//! | [`authz`] | `authorizer`, `check`, `Decision` (`library/authz.go`) | authorization checks answered by a host [`authz::Authorizer`] |
//! | [`cost`] | `library/cost.go` | estimated and actual call costs on cel-go's arithmetic |
//! | [`schema`] | `SchemaDeclType`, `apiextensions` validation | CRDs, schemas, CEL types, cardinality, cost limits |
//! | [`escaping`] | `cel.Escape` | property names as identifiers |
//! | [`yaml`] | `sigs.k8s.io/yaml` | documents with locations |
//! | [`go`] | Go's `strconv.Quote`, `time.ParseDuration` | what Kubernetes' messages and durations rest on |
//!
//! # Where Kubernetes' documentation and its code disagree
//!
//! The code is followed, since that is what kube-apiserver answers:
//! - `"abc 123".find('[0-9]*')` is `""` and `"123 abc 456".findAll('[0-9]*')` has empty
//!   matches between the numbers (Go's `regexp`), not `'123'` and `['123', '456']`;
//! - `quantity("Mi")` is a valid zero (the scanner reads no digits as `0`), and
//!   `quantity("1000m").isInteger()` is false (a negative scale is never an `int64`);
//! - `cidr('192.168.0.1/16')` is valid (host bits are kept; `masked()` clears them);
//! - `containsCIDR` masks both sides, as Kubernetes 1.33 and the patch releases since do.
//!
//! # Untrusted input
//!
//! Quantities are exact up to [`quantity::MAX_DIGITS`] digits and an error beyond; YAML nests at
//! most [`yaml::MAX_DEPTH`] deep and expands to at most [`yaml::MAX_NODES`] nodes with aliases.

pub mod admission;
pub mod apply;
pub mod authz;
pub mod binding;
pub mod budget;
pub mod cost;
pub mod dispatch;
pub mod escaping;
pub mod field;
pub mod format;
pub mod go;
pub mod jsonpatch;
pub mod library;
pub mod lists;
pub mod matching;
pub mod mutation;
pub mod net;
pub mod quantity;
pub mod regex;
pub mod schema;
pub mod selector;
pub mod semver;
pub mod url;
pub mod validator;
pub mod yaml;
