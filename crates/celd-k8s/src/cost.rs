//! The cost figures Kubernetes charges for its library functions
//! (`k8s.io/apiserver/pkg/cel/library/cost.go`): a static estimate ([`KubernetesEstimator`], the
//! hook of cel-go's estimate [`celd::Env::estimate_cel_go`], with CRD schema sizes from
//! [`SchemaSizes`]), and an actual cost from argument sizes at run time, on cel-go's arithmetic.
//!
//! The estimate is part of the API: a CRD whose rules estimate over the limits is refused, so a
//! changed figure would accept or refuse different CRDs than kube-apiserver does. Figures are
//! those Kubernetes' tests expect (`library/cost_test.go`): the global parsers (`ip('...')`,
//! `cidr`, `quantity`, `semver`, `isIP`, ..., `ip.isCanonical`) traverse their string argument.

use celd::Type;
use celd::cel_go_cost::{AstNode, CostEstimator};
pub use celd::cel_go_cost::{
    CallEstimate, CostEstimate, LIST_CREATE_BASE_COST, REGEX_STRING_LENGTH_COST_FACTOR,
    STRING_TRAVERSAL_COST_FACTOR, STRUCT_CREATE_BASE_COST, SizeEstimate, multiply_by_cost_factor,
};

use crate::schema::{DeclKind, DeclType};

/// The regex size the estimate assumes for every named format (`MaxNameFormatRegexSize`).
pub const MAX_NAME_FORMAT_REGEX_SIZE: u64 = 128;
/// The size of a named format compared for equality (`MaxFormatSize`). Kubernetes' figure
/// for comparing two formats, `{5, 11}` with `4` for the operands, puts it between 61 and 70.
pub const MAX_FORMAT_SIZE: u64 = 64;
/// An authorization check (`check`): sized so an expression can afford two.
pub const AUTHZ_CHECK_COST: u64 = 350_000;

/// The size of an IP address compared byte by byte: 4 or 16.
const IP_BYTES: SizeEstimate = SizeEstimate { min: 4, max: 16 };

/// Kubernetes' `library.CostEstimator`: the library's call costs, with input sizes from a
/// size estimator (a CRD schema's, see [`SchemaSizes`]), for cel-go's estimate
/// ([`celd::Env::estimate_cel_go`]).
pub struct KubernetesEstimator<'a> {
    /// Where sizes the expression does not show come from (`SizeEstimator`).
    pub sizes: Option<&'a dyn CostEstimator>,
}

impl CostEstimator for KubernetesEstimator<'_> {
    fn estimate_size(&self, node: &AstNode<'_>) -> Option<SizeEstimate> {
        self.sizes?.estimate_size(node)
    }

    fn estimate_call_cost(
        &self,
        function: &str,
        overload_id: &str,
        target: Option<&AstNode<'_>>,
        args: &[AstNode<'_>],
    ) -> Option<CallEstimate> {
        estimate_call_cost(self, function, overload_id, target, args)
    }
}

/// The sizes a CRD schema allows (Kubernetes' CRD `sizeEstimator`): a path from `self` (or
/// `oldSelf`) through fields, `@items`, `@keys` and `@values` to a schema node gives
/// `0..maxElements` of that node (`maxLength`, `maxItems`, `maxProperties`, or what the
/// request size limit allows).
pub struct SchemaSizes<'a> {
    pub root: &'a DeclType,
}

impl CostEstimator for SchemaSizes<'_> {
    fn estimate_size(&self, node: &AstNode<'_>) -> Option<SizeEstimate> {
        let (_, rest) = node.path.split_first()?;
        let mut current = self.root;
        for (i, name) in rest.iter().enumerate() {
            current = match (name.as_str(), &current.kind) {
                ("@items" | "@values", DeclKind::List { elem, .. } | DeclKind::Map(elem)) => elem,
                // A map's keys are Kubernetes' plain `StringType`, whose `MaxElements` is 0.
                ("@keys", DeclKind::Map(_)) if i + 1 == rest.len() => {
                    return Some(SizeEstimate { min: 0, max: 0 });
                }
                ("@items" | "@values" | "@keys", _) => return None,
                (field, DeclKind::Object(fields)) => &fields.get(field)?.ty,
                _ => return None,
            };
        }
        Some(SizeEstimate {
            min: 0,
            max: current.max_elements.max(0) as u64,
        })
    }
}

/// `sizeEstimate`: the node's computed size, else the size estimator's, else unbounded.
fn size_of(est: &KubernetesEstimator<'_>, node: &AstNode<'_>) -> SizeEstimate {
    node.computed_size
        .or_else(|| est.estimate_size(node))
        .unwrap_or(SizeEstimate::UNBOUNDED)
}

/// `listElementNode`: a node for the first type parameter of a list (or map, optional, ...),
/// with the path extended by `@items` when the list has one.
fn list_element_node<'a>(list: &AstNode<'a>) -> Option<AstNode<'a>> {
    let elem: &'a Type = match list.ty {
        Type::List(elem) => elem,
        Type::Map(kv) => &kv.0,
        Type::Opaque(o) => o.params.first()?,
        Type::TypeOf(Some(t)) => t,
        _ => return None,
    };
    let mut path = list.path.clone();
    if !path.is_empty() {
        path.push("@items".into());
    }
    Some(AstNode {
        path,
        ty: elem,
        expr: None,
        computed_size: None,
    })
}

fn traversal(size: SizeEstimate) -> CostEstimate {
    size.multiply_by_cost_factor(STRING_TRAVERSAL_COST_FACTOR)
}

fn cost_only(cost: CostEstimate) -> Option<CallEstimate> {
    Some(CallEstimate::cost(cost))
}

fn nominal() -> Option<CallEstimate> {
    cost_only(CostEstimate::fixed(1))
}

/// `EstimateCallCost`: the estimate Kubernetes gives a library call, or `None` where it leaves
/// the call to cel-go's figure.
fn estimate_call_cost(
    est: &KubernetesEstimator<'_>,
    function: &str,
    overload_id: &str,
    target: Option<&AstNode<'_>>,
    args: &[AstNode<'_>],
) -> Option<CallEstimate> {
    let size = |n: &AstNode<'_>| size_of(est, n);
    match function {
        "check" => cost_only(CostEstimate::fixed(AUTHZ_CHECK_COST)),
        "serviceAccount" | "path" | "group" | "resource" | "subresource" | "namespace" | "name"
        | "allowed" | "reason" | "error" | "errored" => nominal(),
        "fieldSelector" | "labelSelector" if args.len() == 1 => {
            cost_only(selector_cost_estimate(size(&args[0])))
        }
        "isSorted" | "sum" | "max" | "min" | "indexOf" | "lastIndexOf" => {
            let target = target?;
            match list_element_node(target) {
                Some(element) => {
                    let mut el_cost = CostEstimate::fixed(1);
                    if matches!(element.ty, Type::String | Type::Bytes) {
                        el_cost = el_cost + traversal(size(&element));
                    }
                    cost_only(size(target).multiply_by_cost(el_cost))
                }
                None => cost_only(traversal(size(target))),
            }
        }
        "url" | "jsonpatch.escapeKey" if args.len() == 1 => {
            let sz = size(&args[0]);
            Some(CallEstimate {
                cost: traversal(sz),
                result_size: Some(sz),
            })
        }
        "lowerAscii" | "upperAscii" | "substring" | "trim" => {
            let sz = size(target?);
            Some(CallEstimate {
                cost: traversal(sz),
                result_size: Some(sz),
            })
        }
        "replace" if args.len() >= 2 => {
            let sz = size(target?);
            let result = replace_size(sz, size(&args[0]), size(&args[1]));
            Some(CallEstimate {
                cost: sz.multiply_by_cost_factor(2.0 * STRING_TRAVERSAL_COST_FACTOR),
                result_size: Some(result),
            })
        }
        "split" => {
            let sz = size(target?);
            let limit = args.get(1).and_then(literal_int);
            // A negative limit reads as Go's conversion of it to `uint64`.
            let max = limit.map_or(sz.max, |n| n as u64);
            Some(CallEstimate {
                cost: sz.multiply_by_cost_factor(2.0 * STRING_TRAVERSAL_COST_FACTOR),
                result_size: Some(SizeEstimate { min: 0, max }),
            })
        }
        "join" => {
            let target = target?;
            let list_size = size(target);
            let mut sz = match list_element_node(target) {
                Some(element) => list_size.multiply(size(&element)),
                None => SizeEstimate { min: 0, max: 0 },
            };
            if let Some(separator) = args.first() {
                let separators = SizeEstimate {
                    min: list_size.min.saturating_sub(1),
                    max: list_size.max.saturating_sub(1),
                };
                sz = sz + size(separator).multiply(separators);
            }
            Some(CallEstimate {
                cost: traversal(sz),
                result_size: Some(sz),
            })
        }
        "find" | "findAll" => {
            let (target, pattern) = (target?, args.first()?);
            let sz = size(target);
            let str_cost = traversal(sz + SizeEstimate::exact(1));
            let regex_cost = size(pattern).multiply_by_cost_factor(REGEX_STRING_LENGTH_COST_FACTOR);
            Some(CallEstimate {
                cost: str_cost.multiply(regex_cost),
                result_size: Some(SizeEstimate {
                    min: 0,
                    max: sz.max,
                }),
            })
        }
        "cidr" | "isIP" | "isCIDR" | "quantity" | "isQuantity" | "semver" | "isSemver" => {
            cost_only(traversal(size(args.first()?)))
        }
        "ip" => match args.first() {
            Some(_) if overload_id == "cidr_ip" => nominal(),
            Some(arg) => cost_only(traversal(size(arg))),
            None => {
                target?;
                nominal()
            }
        },
        "ip.isCanonical" => cost_only(
            size(args.first()?).multiply_by_cost_factor(2.0 * STRING_TRAVERSAL_COST_FACTOR),
        ),
        "masked"
        | "prefixLength"
        | "family"
        | "isUnspecified"
        | "isLoopback"
        | "isLinkLocalMulticast"
        | "isLinkLocalUnicast"
        | "isGlobalUnicast" => nominal(),
        "containsIP" | "containsCIDR" => {
            target?;
            let arg = args.first()?;
            let mut cost = traversal(IP_BYTES + IP_BYTES);
            if function == "containsCIDR" {
                cost = cost + traversal(IP_BYTES) + CostEstimate::fixed(1);
            }
            if overload_id == "cidr_contains_ip_string"
                || overload_id == "cidr_contains_cidr_string"
            {
                cost = cost + traversal(size(arg));
            }
            cost_only(cost)
        }
        "validate" => {
            target?;
            cost_only(traversal(size(args.first()?)).multiply_by_cost_factor(
                MAX_NAME_FORMAT_REGEX_SIZE as f64 * REGEX_STRING_LENGTH_COST_FACTOR,
            ))
        }
        "format.named" => nominal(),
        "sign" | "asInteger" | "isInteger" | "asApproximateFloat" | "isGreaterThan"
        | "isLessThan" | "compareTo" | "add" | "sub" | "major" | "minor" | "patch" => nominal(),
        "getScheme" | "getHostname" | "getHost" | "getPort" | "getEscapedPath" | "getQuery" => {
            nominal()
        }
        "_==_" => equality_cost(args),
        _ => None,
    }
}

/// An integer literal argument (`split`'s limit).
fn literal_int(node: &AstNode<'_>) -> Option<i64> {
    match &node.expr?.kind {
        celd::layers::syntax::ExprKind::Literal(celd::layers::syntax::Literal::Int(n)) => Some(*n),
        _ => None,
    }
}

/// The estimate for `a == b` on two values of one Kubernetes type; `None` (cel-go's figure)
/// for any other type.
fn equality_cost(args: &[AstNode<'_>]) -> Option<CallEstimate> {
    let [lhs, rhs] = args else {
        return None;
    };
    if lhs.ty != rhs.ty {
        return None;
    }
    // Kubernetes' types are host types: opaque in celd, named either way.
    let name = match lhs.ty {
        Type::Message(name) => name.as_str(),
        Type::Opaque(o) if o.params.is_empty() => o.name.as_str(),
        _ => return None,
    };
    match name {
        "net.IP"
        | "net.CIDR"
        | "kubernetes.Quantity"
        | "kubernetes.Semver"
        | "kubernetes.authorization.Authorizer"
        | "kubernetes.authorization.PathCheck"
        | "kubernetes.authorization.GroupCheck"
        | "kubernetes.authorization.ResourceCheck"
        | "kubernetes.authorization.Decision" => nominal(),
        "kubernetes.NamedFormat" => cost_only(
            CostEstimate {
                min: 1,
                max: MAX_FORMAT_SIZE,
            }
            .multiply_by_cost_factor(STRING_TRAVERSAL_COST_FACTOR),
        ),
        "kubernetes.URL" => {
            // Kubernetes reads the right-hand size twice (for both sides).
            let size = rhs
                .computed_size
                .map_or(SizeEstimate::exact(1), |r| r.union(r));
            cost_only(
                CostEstimate {
                    min: 1,
                    max: size.max,
                }
                .multiply_by_cost_factor(STRING_TRAVERSAL_COST_FACTOR),
            )
        }
        _ => None,
    }
}

/// `selectorCostEstimate`: a list, the parse (a tenth per byte), and a list and a struct for
/// every two bytes.
fn selector_cost_estimate(length: SizeEstimate) -> CostEstimate {
    let parse = length.multiply_by_cost_factor(STRING_TRAVERSAL_COST_FACTOR);
    let clauses = length.multiply_by_cost_factor(0.5);
    let allocation = clauses.multiply(CostEstimate::fixed(
        LIST_CREATE_BASE_COST + STRUCT_CREATE_BASE_COST,
    ));
    CostEstimate::fixed(LIST_CREATE_BASE_COST) + parse + allocation
}

/// The size of `s.replace(from, to)`: the most and least replacements, times the replacement,
/// plus what is kept of the string.
pub fn replace_size(sz: SizeEstimate, from: SizeEstimate, to: SizeEstimate) -> SizeEstimate {
    let mut count = SizeEstimate { min: 0, max: 0 };
    let mut retained = SizeEstimate { min: 0, max: 0 };
    if from.min == 0 {
        count.max = if sz.max < u64::MAX {
            sz.max + 1
        } else {
            sz.max
        };
        retained.max = sz.max;
    } else if to.max <= from.min {
        retained.max = sz.max;
    } else {
        count.max = (sz.max as f64 / from.min as f64).ceil() as u64;
    }
    if from.max == 0 {
        count.min = if sz.min < u64::MAX {
            sz.min + 1
        } else {
            sz.min
        };
        retained.min = sz.min;
    } else if from.max <= to.min {
        retained.min = sz.min;
    } else {
        count.min = (sz.min as f64 / from.max as f64).ceil() as u64;
    }
    count.multiply(to) + retained
}

/// The actual cost of one call (`CallCost`), from the sizes of its arguments at run time (the
/// receiver first). `traversal` is the cost of walking the receiver as a data tree, used by the
/// list functions ([`traversal_cost`]); `result_size` is the size of the result (for `join`).
pub fn actual_call_cost(
    function: &str,
    overload_id: &str,
    arg_sizes: &[u64],
    traversal: impl FnOnce() -> u64,
) -> Option<u64> {
    let string_cost = |n: u64, factor: f64| (n as f64 * factor).ceil() as u64;
    match function {
        "check" => Some(AUTHZ_CHECK_COST),
        "serviceAccount" | "path" | "group" | "resource" | "subresource" | "namespace" | "name"
        | "allowed" | "reason" | "error" | "errored" => Some(1),
        "isSorted" | "sum" | "max" | "min" | "indexOf" | "lastIndexOf" => Some(traversal()),
        "url"
        | "jsonpatch.escapeKey"
        | "cidr"
        | "isIP"
        | "isCIDR"
        | "quantity"
        | "isQuantity"
        | "semver"
        | "isSemver" => Some(string_cost(
            *arg_sizes.first()?,
            STRING_TRAVERSAL_COST_FACTOR,
        )),
        "find" | "findAll" => {
            let (s, pattern) = (*arg_sizes.first()?, *arg_sizes.get(1)?);
            let str_cost = string_cost(1 + s, STRING_TRAVERSAL_COST_FACTOR);
            let regex_cost = string_cost(pattern, REGEX_STRING_LENGTH_COST_FACTOR);
            Some(str_cost.saturating_mul(regex_cost))
        }
        "ip" if overload_id == "cidr_ip" => Some(1),
        "ip" => Some(string_cost(
            *arg_sizes.first()?,
            STRING_TRAVERSAL_COST_FACTOR,
        )),
        "ip.isCanonical" => Some(string_cost(
            *arg_sizes.first()?,
            2.0 * STRING_TRAVERSAL_COST_FACTOR,
        )),
        "masked"
        | "prefixLength"
        | "family"
        | "isUnspecified"
        | "isLoopback"
        | "isLinkLocalMulticast"
        | "isLinkLocalUnicast"
        | "isGlobalUnicast" => Some(1),
        "containsIP" | "containsCIDR" => {
            let (cidr, other) = (*arg_sizes.first()?, *arg_sizes.get(1)?);
            let mut cost = string_cost(cidr + cidr, STRING_TRAVERSAL_COST_FACTOR);
            if function == "containsCIDR" {
                cost += string_cost(cidr, STRING_TRAVERSAL_COST_FACTOR) + 1;
            }
            if overload_id == "cidr_contains_ip_string"
                || overload_id == "cidr_contains_cidr_string"
            {
                cost += string_cost(other, STRING_TRAVERSAL_COST_FACTOR);
            }
            Some(cost)
        }
        "format.named" | "sign" | "asInteger" | "isInteger" | "asApproximateFloat"
        | "isGreaterThan" | "isLessThan" | "compareTo" | "add" | "sub" | "major" | "minor"
        | "patch" | "getScheme" | "getHostname" | "getHost" | "getPort" | "getEscapedPath"
        | "getQuery" => Some(1),
        _ => None,
    }
}

/// The actual cost of `format.validate(s)`: the string against the format's regex size.
pub fn actual_validate_cost(max_regex_size: u64, string_size: u64) -> u64 {
    let str_cost = ((1 + string_size) as f64 * STRING_TRAVERSAL_COST_FACTOR).ceil() as u64;
    let regex_cost = (max_regex_size as f64 * REGEX_STRING_LENGTH_COST_FACTOR).ceil() as u64;
    str_cost.saturating_mul(regex_cost)
}

/// A value as `traversalCost` walks it.
pub enum Traversed<'a> {
    /// A string or bytes of this many bytes.
    Text(usize),
    List(Box<dyn Iterator<Item = Traversed<'a>> + 'a>),
    /// Keys and values.
    Map(Box<dyn Iterator<Item = (Traversed<'a>, Traversed<'a>)> + 'a>),
    Other,
}

/// `traversalCost`: strings a tenth of their length (truncated), containers the sum of their
/// parts, everything else 1.
pub fn traversal_cost(value: Traversed<'_>) -> u64 {
    match value {
        Traversed::Text(n) => (n as f64 * STRING_TRAVERSAL_COST_FACTOR) as u64,
        Traversed::List(items) => items.map(traversal_cost).fold(0, u64::saturating_add),
        Traversed::Map(entries) => entries
            .map(|(k, v)| traversal_cost(k).saturating_add(traversal_cost(v)))
            .fold(0, u64::saturating_add),
        Traversed::Other => 1,
    }
}
