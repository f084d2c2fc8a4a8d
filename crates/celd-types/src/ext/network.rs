//! The network extension: IP addresses (`net.IP`) and CIDR ranges (`net.CIDR`).

use crate::decls::{OverloadRow, ov};

pub const OVERLOADS: &[OverloadRow] = &[
    ov("ip", "string_to_ip", "(string) -> net.IP"),
    ov("ip", "cidr_ip", "net.CIDR.() -> net.IP"),
    ov("cidr", "string_to_cidr", "(string) -> net.CIDR"),
    ov("string", "ip_to_string", "(net.IP) -> string"),
    ov("string", "cidr_to_string", "(net.CIDR) -> string"),
    ov("isIP", "is_ip", "(string) -> bool"),
    ov("isCIDR", "is_cidr", "(string) -> bool"),
    ov("ip.isCanonical", "ip_is_canonical", "(string) -> bool"),
    ov("family", "ip_family", "net.IP.() -> int"),
    ov("isUnspecified", "ip_is_unspecified", "net.IP.() -> bool"),
    ov("isLoopback", "ip_is_loopback", "net.IP.() -> bool"),
    ov(
        "isGlobalUnicast",
        "ip_is_global_unicast",
        "net.IP.() -> bool",
    ),
    ov(
        "isLinkLocalMulticast",
        "ip_is_link_local_multicast",
        "net.IP.() -> bool",
    ),
    ov(
        "isLinkLocalUnicast",
        "ip_is_link_local_unicast",
        "net.IP.() -> bool",
    ),
    ov(
        "containsIP",
        "cidr_contains_ip_ip",
        "net.CIDR.(net.IP) -> bool",
    ),
    ov(
        "containsIP",
        "cidr_contains_ip_string",
        "net.CIDR.(string) -> bool",
    ),
    ov(
        "containsCIDR",
        "cidr_contains_cidr",
        "net.CIDR.(net.CIDR) -> bool",
    ),
    ov(
        "containsCIDR",
        "cidr_contains_cidr_string",
        "net.CIDR.(string) -> bool",
    ),
    ov("prefixLength", "cidr_prefix_length", "net.CIDR.() -> int"),
    ov("masked", "cidr_masked", "net.CIDR.() -> net.CIDR"),
];

/// The extension's opaque types (each also a type name in expressions).
pub const OPAQUE_TYPES: &[&str] = &["net.IP", "net.CIDR"];
