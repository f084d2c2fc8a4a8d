//! The network extension: IP addresses (`net.IP`) and CIDR ranges (`net.CIDR`) as host
//! types (as a host program would define them), their constructors, tests and containment.
//!
//! Parsing is strict, as in cel-go: no zones (`fe80::1%en0`), no IPv4-mapped IPv6 written
//! with a dotted tail (`::ffff:1.2.3.4`), no leading zeros. The hexadecimal mapped form
//! (`::ffff:c0a8:1`) is accepted as the IPv4 address it maps to, as the cel-spec
//! conformance suite expects.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use celd_value::{EvalError, HostType, Result, Value, convert};
use serde_json::Value as Json;

use crate::functions::{Registry, no_such_overload};

pub fn register(r: &mut Registry) {
    r.unary("ip", ip);
    r.unary("cidr", cidr);
    r.unary("string", to_string);
    r.unary("isIP", |v| is_valid("isIP", v, |s| parse_ip(s).is_ok()));
    r.unary("isCIDR", |v| {
        is_valid("isCIDR", v, |s| parse_cidr(s).is_ok())
    });
    r.unary("ip.isCanonical", is_canonical);
    r.unary("family", |v| {
        ip_property("family", v, |ip| {
            Value::Int(if ip.is_ipv4() { 4 } else { 6 })
        })
    });
    r.unary("isUnspecified", |v| {
        ip_test("isUnspecified", v, IpAddr::is_unspecified)
    });
    r.unary("isLoopback", |v| {
        ip_test("isLoopback", v, IpAddr::is_loopback)
    });
    r.unary("isGlobalUnicast", |v| {
        ip_test("isGlobalUnicast", v, is_global_unicast)
    });
    r.unary("isLinkLocalMulticast", |v| {
        ip_test("isLinkLocalMulticast", v, is_link_local_multicast)
    });
    r.unary("isLinkLocalUnicast", |v| {
        ip_test("isLinkLocalUnicast", v, is_link_local_unicast)
    });
    r.binary("containsIP", contains_ip);
    r.binary("containsCIDR", contains_cidr);
    r.unary("prefixLength", |v| {
        cidr_property("prefixLength", v, |c| Value::Int(i64::from(c.bits)))
    });
    r.unary("masked", |v| {
        cidr_property("masked", v, |c| {
            opaque(Cidr {
                addr: mask(c.addr, c.bits),
                bits: c.bits,
            })
        })
    });
}

/// A `net.IP` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ip(pub IpAddr);

/// A `net.CIDR` value: an address (host bits kept) and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub bits: u8,
}

impl HostType for Ip {
    const TYPE_NAME: &'static str = "net.IP";

    fn equals(&self, other: &Ip) -> bool {
        self == other
    }

    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ip(\"{}\")", self.0)
    }

    /// `{"$net.IP": "192.168.0.1"}`.
    fn to_json(&self) -> Json {
        Json::String(self.0.to_string())
    }

    fn from_json(json: &Json) -> std::result::Result<Ip, String> {
        let text = json.as_str().ok_or("expected the address as a string")?;
        parse_ip(text).map(Ip).map_err(|e| e.message().to_owned())
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.bits)
    }
}

impl HostType for Cidr {
    const TYPE_NAME: &'static str = "net.CIDR";

    fn equals(&self, other: &Cidr) -> bool {
        self == other
    }

    fn fmt_cel(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cidr(\"{self}\")")
    }

    /// `{"$net.CIDR": "10.0.0.0/8"}`.
    fn to_json(&self) -> Json {
        Json::String(self.to_string())
    }

    fn from_json(json: &Json) -> std::result::Result<Cidr, String> {
        let text = json.as_str().ok_or("expected the range as a string")?;
        parse_cidr(text).map_err(|e| e.message().to_owned())
    }
}

fn opaque(v: impl HostType) -> Value {
    Value::from(v)
}

fn as_ip(v: &Value) -> Option<IpAddr> {
    v.as_host::<Ip>().map(|ip| ip.0)
}

fn as_cidr(v: &Value) -> Option<Cidr> {
    v.as_host::<Cidr>().copied()
}

fn ip_parse_error(raw: &str, why: &str) -> EvalError {
    EvalError::invalid_argument(format!(
        "IP Address {raw:?} parse error during conversion from string: {why}"
    ))
}

fn parse_ip(raw: &str) -> Result<IpAddr> {
    if let Some((addr, zone)) = raw.split_once('%') {
        if !zone.is_empty() && addr.parse::<Ipv6Addr>().is_ok() {
            return Err(EvalError::invalid_argument(format!(
                "IP Address {raw:?} with zone value is not allowed"
            )));
        }
        return Err(ip_parse_error(raw, "invalid zone"));
    }
    let addr: IpAddr = raw
        .parse()
        .map_err(|_| ip_parse_error(raw, "not an IPv4 or IPv6 address"))?;
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(_) if raw.contains('.') => Err(mapped_not_allowed(raw)),
            Some(v4) => Ok(IpAddr::V4(v4)),
            None => Ok(addr),
        },
        IpAddr::V4(_) => Ok(addr),
    }
}

fn mapped_not_allowed(raw: &str) -> EvalError {
    EvalError::invalid_argument(format!("IPv4-mapped IPv6 address {raw:?} is not allowed"))
}

fn parse_cidr(raw: &str) -> Result<Cidr> {
    let error = |why: &str| {
        EvalError::invalid_argument(format!(
            "CIDR {raw:?} parse error during conversion from string: {why}"
        ))
    };
    let (addr, bits) = raw.split_once('/').ok_or_else(|| error("no '/'"))?;
    if addr.contains('%') {
        return Err(EvalError::invalid_argument(format!(
            "CIDR {raw:?} with zone value is not allowed"
        )));
    }
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| error("not an IPv4 or IPv6 address"))?;
    if let IpAddr::V6(v6) = addr
        && v6.to_ipv4_mapped().is_some()
    {
        return Err(mapped_not_allowed(raw));
    }
    let max_bits = if addr.is_ipv4() { 32 } else { 128 };
    let canonical =
        bits.bytes().all(|b| b.is_ascii_digit()) && (bits == "0" || !bits.starts_with('0'));
    match bits.parse::<u8>() {
        Ok(bits) if canonical && bits <= max_bits => Ok(Cidr { addr, bits }),
        _ => Err(error("bad prefix length")),
    }
}

/// `addr` with all but the first `bits` bits cleared.
fn mask(addr: IpAddr, bits: u8) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => {
            let host_bits = 32u32.saturating_sub(u32::from(bits));
            let mask = u32::MAX.checked_shl(host_bits).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let host_bits = 128u32.saturating_sub(u32::from(bits));
            let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

/// Whether `cidr` contains `addr`: same family and the same leading `cidr.bits` bits.
fn cidr_contains(cidr: Cidr, addr: IpAddr) -> bool {
    addr.is_ipv4() == cidr.addr.is_ipv4() && mask(addr, cidr.bits) == mask(cidr.addr, cidr.bits)
}

/// `ip(string)` and `cidr.ip()`.
fn ip(v: &Value) -> Result<Value> {
    match v {
        Value::String(s) => parse_ip(s).map(|addr| opaque(Ip(addr))),
        _ => match as_cidr(v) {
            Some(c) => Ok(opaque(Ip(c.addr))),
            None => Err(no_such_overload("ip", std::slice::from_ref(v))),
        },
    }
}

fn cidr(v: &Value) -> Result<Value> {
    match v {
        Value::String(s) => parse_cidr(s).map(opaque),
        _ => Err(no_such_overload("cidr", std::slice::from_ref(v))),
    }
}

/// `string(x)`: addresses and ranges in canonical form; every other value as the standard
/// library converts it.
fn to_string(v: &Value) -> Result<Value> {
    if let Some(addr) = as_ip(v) {
        return Ok(Value::from(addr.to_string()));
    }
    if let Some(c) = as_cidr(v) {
        return Ok(Value::from(c.to_string()));
    }
    convert::to_string(v)
}

fn is_valid(name: &str, v: &Value, test: fn(&str) -> bool) -> Result<Value> {
    match v {
        Value::String(s) => Ok(Value::Bool(test(s))),
        _ => Err(no_such_overload(name, std::slice::from_ref(v))),
    }
}

/// `ip.isCanonical(s)`: whether `s` is the RFC 5952 form of the address it parses as.
fn is_canonical(v: &Value) -> Result<Value> {
    match v {
        Value::String(s) => Ok(Value::Bool(parse_ip(s)?.to_string() == **s)),
        _ => Err(no_such_overload("ip.isCanonical", std::slice::from_ref(v))),
    }
}

fn ip_property(name: &str, v: &Value, f: impl FnOnce(IpAddr) -> Value) -> Result<Value> {
    as_ip(v)
        .map(f)
        .ok_or_else(|| no_such_overload(name, std::slice::from_ref(v)))
}

fn ip_test(name: &str, v: &Value, test: fn(&IpAddr) -> bool) -> Result<Value> {
    ip_property(name, v, |addr| Value::Bool(test(&addr)))
}

fn cidr_property(name: &str, v: &Value, f: impl FnOnce(Cidr) -> Value) -> Result<Value> {
    as_cidr(v)
        .map(f)
        .ok_or_else(|| no_such_overload(name, std::slice::from_ref(v)))
}

/// Go's definition: not unspecified, broadcast, loopback, multicast or link-local unicast
/// (private and unique-local addresses count as global unicast).
fn is_global_unicast(addr: &IpAddr) -> bool {
    let excluded = match addr {
        IpAddr::V4(v4) => v4.is_unspecified() || v4.is_broadcast(),
        IpAddr::V6(v6) => v6.is_unspecified(),
    };
    !(excluded || addr.is_loopback() || addr.is_multicast() || is_link_local_unicast(addr))
}

/// 169.254.0.0/16 and fe80::/10.
fn is_link_local_unicast(addr: &IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

/// 224.0.0.0/24 and link-local-scoped multicast (`ffx2::/16`).
fn is_link_local_multicast(addr: &IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => matches!(v4.octets(), [224, 0, 0, _]),
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
}

/// `cidr.containsIP(ip)` and `cidr.containsIP(string)`.
fn contains_ip(c: &Value, other: &Value) -> Result<Value> {
    let unsupported = || no_such_overload("containsIP", &[c.clone(), other.clone()]);
    let range = as_cidr(c).ok_or_else(unsupported)?;
    let addr = match other {
        Value::String(s) => parse_ip(s)?,
        _ => as_ip(other).ok_or_else(unsupported)?,
    };
    Ok(Value::Bool(cidr_contains(range, addr)))
}

/// `cidr.containsCIDR(cidr)` and `cidr.containsCIDR(string)`: the other range lies within.
fn contains_cidr(c: &Value, other: &Value) -> Result<Value> {
    let unsupported = || no_such_overload("containsCIDR", &[c.clone(), other.clone()]);
    let parent = as_cidr(c).ok_or_else(unsupported)?;
    let child = match other {
        Value::String(s) => parse_cidr(s)?,
        _ => as_cidr(other).ok_or_else(unsupported)?,
    };
    Ok(Value::Bool(
        parent.bits <= child.bits && cidr_contains(parent, child.addr),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_strictly() {
        assert!(parse_ip("192.168.0.1").is_ok());
        assert!(parse_ip("192.168.0.1.0").is_err());
        assert!(parse_ip("01.2.3.4").is_err());
        assert!(parse_ip("2001:db8:::68").is_err());
        assert!(parse_ip("fe80::1%en0").is_err());
        assert!(parse_ip("::ffff:192.168.0.1").is_err());
        assert_eq!(
            parse_ip("::ffff:c0a8:1").ok(),
            Some(IpAddr::V4(Ipv4Addr::new(192, 168, 0, 1)))
        );
    }

    #[test]
    fn prefixes_parse_strictly() {
        assert!(parse_cidr("10.0.0.0/8").is_ok());
        assert!(parse_cidr("10.0.0.0/08").is_err());
        assert!(parse_cidr("10.0.0.0/33").is_err());
        assert!(parse_cidr("10.0.0.0/").is_err());
        assert!(parse_cidr("10.0.0.0/+8").is_err());
        assert!(parse_cidr("::1/128").is_ok());
        assert!(parse_cidr("::1/129").is_err());
    }

    #[test]
    fn masks() {
        let v4 = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 5));
        assert_eq!(mask(v4, 24).to_string(), "192.168.1.0");
        assert_eq!(mask(v4, 0).to_string(), "0.0.0.0");
        assert_eq!(mask(v4, 32), v4);
        let v6: IpAddr = "2001:db8::1".parse().unwrap_or(v4);
        assert_eq!(mask(v6, 32).to_string(), "2001:db8::");
    }
}
