//! The cost figures Kubernetes charges for its library functions
//! (`k8s.io/apiserver/pkg/cel/library/cost.go`): a static estimate from argument size
//! estimates, and an actual cost from argument sizes at run time, on cel-go's arithmetic.
//!
//! The estimate is part of the API: a CRD whose rules estimate over the limits is refused, so a
//! changed figure would accept or refuse different CRDs than kube-apiserver does. Figures are
//! reproduced as Kubernetes computes them, including where the code and its comments disagree:
//! the global forms of `quantity`, `isQuantity`, `semver`, `isSemver`, `cidr`, `isIP`, `isCIDR`,
//! `ip` and `ip.isCanonical` are handled in `cost.go` only with a receiver, so their estimate is
//! cel-go's default (`None` here), while their actual cost does traverse the string.

use std::ops::Add;

/// cel-go's `common.StringTraversalCostFactor`.
pub const STRING_TRAVERSAL_COST_FACTOR: f64 = 0.1;
/// cel-go's `common.RegexStringLengthCostFactor`.
pub const REGEX_STRING_LENGTH_COST_FACTOR: f64 = 0.25;
/// cel-go's `common.ListCreateBaseCost`.
pub const LIST_CREATE_BASE_COST: u64 = 10;
/// cel-go's `common.StructCreateBaseCost`.
pub const STRUCT_CREATE_BASE_COST: u64 = 40;
/// The regex size the estimate assumes for every named format (`MaxNameFormatRegexSize`).
pub const MAX_NAME_FORMAT_REGEX_SIZE: u64 = 128;
/// An authorization check (`check`): sized so an expression can afford two.
pub const AUTHZ_CHECK_COST: u64 = 350_000;

/// cel-go's `checker.SizeEstimate`: the least and most size (length, entries) of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeEstimate {
    pub min: u64,
    pub max: u64,
}

/// cel-go's `checker.CostEstimate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CostEstimate {
    pub min: u64,
    pub max: u64,
}

/// cel-go's `multiplyByCostFactor`: the product rounded up, saturating.
pub fn multiply_by_cost_factor(x: u64, factor: f64) -> u64 {
    let xf = x as f64;
    if xf > 0.0 && factor > 0.0 && xf > u64::MAX as f64 / factor {
        return u64::MAX;
    }
    let ceil = (xf * factor).ceil();
    if ceil >= 18446744073709551616.0 {
        return u64::MAX;
    }
    ceil as u64
}

impl SizeEstimate {
    pub const UNBOUNDED: SizeEstimate = SizeEstimate {
        min: 0,
        max: u64::MAX,
    };

    pub fn exact(n: u64) -> SizeEstimate {
        SizeEstimate { min: n, max: n }
    }

    pub fn multiply(self, other: SizeEstimate) -> SizeEstimate {
        SizeEstimate {
            min: self.min.saturating_mul(other.min),
            max: self.max.saturating_mul(other.max),
        }
    }

    pub fn multiply_by_cost_factor(self, factor: f64) -> CostEstimate {
        CostEstimate {
            min: multiply_by_cost_factor(self.min, factor),
            max: multiply_by_cost_factor(self.max, factor),
        }
    }

    pub fn multiply_by_cost(self, cost: CostEstimate) -> CostEstimate {
        CostEstimate {
            min: self.min.saturating_mul(cost.min),
            max: self.max.saturating_mul(cost.max),
        }
    }

    pub fn union(self, other: SizeEstimate) -> SizeEstimate {
        SizeEstimate {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        }
    }
}

impl CostEstimate {
    pub fn fixed(n: u64) -> CostEstimate {
        CostEstimate { min: n, max: n }
    }

    pub fn multiply(self, other: CostEstimate) -> CostEstimate {
        CostEstimate {
            min: self.min.saturating_mul(other.min),
            max: self.max.saturating_mul(other.max),
        }
    }

    pub fn multiply_by_cost_factor(self, factor: f64) -> CostEstimate {
        CostEstimate {
            min: multiply_by_cost_factor(self.min, factor),
            max: multiply_by_cost_factor(self.max, factor),
        }
    }
}

/// Saturating addition, as cel-go's `Add`.
impl Add for SizeEstimate {
    type Output = SizeEstimate;
    fn add(self, other: SizeEstimate) -> SizeEstimate {
        SizeEstimate {
            min: self.min.saturating_add(other.min),
            max: self.max.saturating_add(other.max),
        }
    }
}

/// Saturating addition, as cel-go's `Add`.
impl Add for CostEstimate {
    type Output = CostEstimate;
    fn add(self, other: CostEstimate) -> CostEstimate {
        CostEstimate {
            min: self.min.saturating_add(other.min),
            max: self.max.saturating_add(other.max),
        }
    }
}

/// What the estimator knows of one argument (or the receiver) of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArgEstimate {
    /// Its size.
    pub size: SizeEstimate,
    /// For a list: its elements' size, and whether they are strings or bytes.
    pub element: Option<ElementEstimate>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElementEstimate {
    pub size: SizeEstimate,
    pub string_or_bytes: bool,
}

impl ArgEstimate {
    pub fn sized(size: SizeEstimate) -> ArgEstimate {
        ArgEstimate {
            size,
            element: None,
        }
    }
}

/// An estimate's cost and, where `cost.go` gives one, the result's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallEstimate {
    pub cost: CostEstimate,
    pub result_size: Option<SizeEstimate>,
}

fn cost_only(cost: CostEstimate) -> Option<CallEstimate> {
    Some(CallEstimate {
        cost,
        result_size: None,
    })
}

fn nominal() -> Option<CallEstimate> {
    cost_only(CostEstimate::fixed(1))
}

/// The size of an IP address compared byte by byte: 4 or 16.
const IP_BYTES: SizeEstimate = SizeEstimate { min: 4, max: 16 };

/// `EstimateCallCost`: the estimate Kubernetes gives a library call, or `None` where it leaves
/// the call to cel-go's default.
pub fn estimate_call_cost(
    function: &str,
    overload_id: &str,
    target: Option<&ArgEstimate>,
    args: &[ArgEstimate],
) -> Option<CallEstimate> {
    let traversal = |sz: SizeEstimate| sz.multiply_by_cost_factor(STRING_TRAVERSAL_COST_FACTOR);
    match function {
        "check" => cost_only(CostEstimate::fixed(AUTHZ_CHECK_COST)),
        "serviceAccount" | "path" | "group" | "resource" | "subresource" | "namespace" | "name"
        | "allowed" | "reason" | "error" | "errored" => nominal(),
        "isSorted" | "sum" | "max" | "min" | "indexOf" | "lastIndexOf" => {
            let target = target?;
            match target.element {
                Some(element) => {
                    let mut el_cost = CostEstimate::fixed(1);
                    if element.string_or_bytes {
                        el_cost = el_cost.add(traversal(element.size));
                    }
                    cost_only(target.size.multiply_by_cost(el_cost))
                }
                None => cost_only(traversal(target.size)),
            }
        }
        "url" | "jsonpatch.escapeKey" if args.len() == 1 => Some(CallEstimate {
            cost: traversal(args[0].size),
            result_size: Some(args[0].size),
        }),
        "find" | "findAll" => {
            let (target, pattern) = (target?, args.first()?);
            let str_cost = traversal(target.size.add(SizeEstimate::exact(1)));
            let regex_cost = pattern
                .size
                .multiply_by_cost_factor(REGEX_STRING_LENGTH_COST_FACTOR);
            Some(CallEstimate {
                cost: str_cost.multiply(regex_cost),
                result_size: Some(SizeEstimate {
                    min: 0,
                    max: target.size.max,
                }),
            })
        }
        "cidr" | "isIP" | "isCIDR" | "quantity" | "isQuantity" | "semver" | "isSemver" => {
            target?;
            cost_only(traversal(args.first()?.size))
        }
        "ip" => {
            target?;
            if overload_id == "cidr_ip" || args.is_empty() {
                return nominal();
            }
            cost_only(traversal(args[0].size))
        }
        "ip.isCanonical" => {
            target?;
            cost_only(
                args.first()?
                    .size
                    .multiply_by_cost_factor(2.0 * STRING_TRAVERSAL_COST_FACTOR),
            )
        }
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
            let mut cost = traversal(IP_BYTES.add(IP_BYTES));
            if function == "containsCIDR" {
                cost = cost.add(traversal(IP_BYTES)).add(CostEstimate::fixed(1));
            }
            if overload_id == "cidr_contains_ip_string"
                || overload_id == "cidr_contains_cidr_string"
            {
                cost = cost.add(traversal(arg.size));
            }
            cost_only(cost)
        }
        "validate" => {
            target?;
            cost_only(traversal(args.first()?.size).multiply_by_cost_factor(
                MAX_NAME_FORMAT_REGEX_SIZE as f64 * REGEX_STRING_LENGTH_COST_FACTOR,
            ))
        }
        "format.named" => nominal(),
        "sign" | "asInteger" | "isInteger" | "asApproximateFloat" | "isGreaterThan"
        | "isLessThan" | "compareTo" | "add" | "sub" | "major" | "minor" | "patch" => nominal(),
        "getScheme" | "getHostname" | "getHost" | "getPort" | "getEscapedPath" | "getQuery" => {
            nominal()
        }
        _ => None,
    }
}

/// Kubernetes' types whose equality `_==_` is charged by `cost.go`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubernetesType {
    Quantity,
    Ip,
    Cidr,
    Semver,
    Url,
    Authorizer,
}

/// The estimate for `a == b` on two values of one Kubernetes type.
pub fn estimate_equality_cost(ty: KubernetesType, rhs_size: Option<SizeEstimate>) -> CostEstimate {
    match ty {
        KubernetesType::Url => {
            // Kubernetes unions the right-hand size with itself (it reads `rhs` twice).
            let size = rhs_size.map_or(SizeEstimate::exact(1), |r| r.union(r));
            CostEstimate {
                min: 1,
                max: size.max,
            }
            .multiply_by_cost_factor(STRING_TRAVERSAL_COST_FACTOR)
        }
        _ => CostEstimate::fixed(1),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sized(min: u64, max: u64) -> ArgEstimate {
        ArgEstimate::sized(SizeEstimate { min, max })
    }

    #[test]
    fn cost_factors_round_up_and_saturate() {
        assert_eq!(multiply_by_cost_factor(0, 0.1), 0);
        assert_eq!(multiply_by_cost_factor(1, 0.1), 1);
        assert_eq!(multiply_by_cost_factor(10, 0.1), 1);
        assert_eq!(multiply_by_cost_factor(11, 0.1), 2);
        // In floating point, as cel-go computes it.
        assert_eq!(
            multiply_by_cost_factor(u64::MAX, 0.1),
            1_844_674_407_370_955_264
        );
        assert_eq!(multiply_by_cost_factor(u64::MAX, 2.0), u64::MAX);
    }

    #[test]
    fn list_functions_charge_per_element() {
        let ints = ArgEstimate {
            size: SizeEstimate { min: 0, max: 100 },
            element: Some(ElementEstimate {
                size: SizeEstimate::exact(1),
                string_or_bytes: false,
            }),
        };
        let est = estimate_call_cost("isSorted", "list_int_is_sorted_bool", Some(&ints), &[]);
        assert_eq!(est.map(|e| e.cost), Some(CostEstimate { min: 0, max: 100 }));
        let strings = ArgEstimate {
            size: SizeEstimate { min: 0, max: 10 },
            element: Some(ElementEstimate {
                size: SizeEstimate { min: 0, max: 64 },
                string_or_bytes: true,
            }),
        };
        let est = estimate_call_cost("max", "list_string_max_string", Some(&strings), &[]);
        assert_eq!(est.map(|e| e.cost), Some(CostEstimate { min: 0, max: 80 }));
    }

    #[test]
    fn regex_costs_multiply_string_and_pattern() {
        let est = estimate_call_cost(
            "find",
            "string_find_string",
            Some(&sized(0, 99)),
            &[sized(8, 8)],
        );
        assert_eq!(
            est,
            Some(CallEstimate {
                cost: CostEstimate { min: 2, max: 20 },
                result_size: Some(SizeEstimate { min: 0, max: 99 }),
            })
        );
        assert_eq!(actual_call_cost("find", "", &[99, 8], || 0), Some(20));
    }

    #[test]
    fn global_parsers_fall_to_the_default_estimate() {
        for f in [
            "quantity",
            "isQuantity",
            "semver",
            "isSemver",
            "cidr",
            "isIP",
            "isCIDR",
            "ip",
        ] {
            assert_eq!(
                estimate_call_cost(f, "", None, &[sized(0, 100)]),
                None,
                "{f}"
            );
            assert_eq!(actual_call_cost(f, "", &[100], || 0), Some(10), "{f}");
        }
        assert_eq!(actual_call_cost("ip", "cidr_ip", &[16], || 0), Some(1));
        assert_eq!(actual_call_cost("ip.isCanonical", "", &[11], || 0), Some(3));
    }

    #[test]
    fn containment_costs() {
        let est = estimate_call_cost(
            "containsCIDR",
            "cidr_contains_cidr_string",
            Some(&sized(4, 16)),
            &[sized(0, 43)],
        );
        assert_eq!(est.map(|e| e.cost), Some(CostEstimate { min: 3, max: 12 }));
        assert_eq!(
            actual_call_cost("containsIP", "cidr_contains_ip_string", &[4, 11], || 0),
            Some(3)
        );
    }

    #[test]
    fn validate_and_nominal_costs() {
        let est = estimate_call_cost(
            "validate",
            "format-validate",
            Some(&sized(1, 1)),
            &[sized(0, 63)],
        );
        assert_eq!(est.map(|e| e.cost), Some(CostEstimate { min: 0, max: 224 }));
        assert_eq!(actual_validate_cost(30, 13), 16);
        assert_eq!(
            estimate_call_cost("check", "", Some(&sized(1, 1)), &[]).map(|e| e.cost.max),
            Some(350_000)
        );
        assert_eq!(
            estimate_call_cost("getHost", "", Some(&sized(1, 1)), &[]).map(|e| e.cost.max),
            Some(1)
        );
        assert_eq!(estimate_call_cost("frobnicate", "", None, &[]), None);
    }

    #[test]
    fn traversal_truncates_strings() {
        let list = Traversed::List(Box::new(
            vec![Traversed::Text(15), Traversed::Text(9), Traversed::Other].into_iter(),
        ));
        assert_eq!(traversal_cost(list), 2);
    }
}
