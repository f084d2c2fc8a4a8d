//! Kubernetes' `ip()` and `cidr()`: Go's `netip.ParseAddr`/`ParsePrefix` with the library's
//! extra refusals, and its messages.
//!
//! Where this differs from celd's own network extension (cel-go's, `net.IP`/`net.CIDR` too):
//! - an IPv4-mapped IPv6 address is refused however it is written (`::ffff:c0a8:1` as well as
//!   `::ffff:192.168.0.1`), where cel-go accepts the hexadecimal form as the IPv4 address;
//! - messages are Kubernetes': `IP address "fe80::1%eth0" with zone value is not allowed`
//!   (cel-go says `IP Address`), parse errors carry netip's reason
//!   (`ParseAddr("127.0.0.256"): IPv4 field has value >255`), and `cidr()` repeats its prefix, as
//!   Kubernetes does (`network address parse error during conversion from string: network address
//!   parse error during conversion from string: netip.ParsePrefix("10.0.0.0/"): bad bits after
//!   slash: ""`);
//! - `cidr.containsIP(string)` with an unparsable string is a `no such overload` error (the
//!   library passes the parse error where an address is expected), `containsCIDR(string)` reports
//!   the parse error.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::go::quote;

/// A `net.CIDR` value: the address as written (host bits kept) and the prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    pub addr: IpAddr,
    pub bits: u8,
}

/// A refused address or prefix; `Display` is Kubernetes' message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetError(String);

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NetError {}

/// netip's parse result: an address, with a zone for IPv6.
enum Parsed {
    V4([u8; 4]),
    V6([u8; 16], String),
}

fn addr_error(input: &str, msg: &str, at: Option<&str>) -> String {
    match at {
        Some(at) if !at.is_empty() => {
            format!("ParseAddr({}): {msg} (at {})", quote(input), quote(at))
        }
        _ => format!("ParseAddr({}): {msg}", quote(input)),
    }
}

fn parse_v4_fields(input: &str, s: &str) -> Result<[u8; 4], String> {
    let bytes = s.as_bytes();
    let mut fields = [0u8; 4];
    let (mut val, mut pos, mut dig_len) = (0u32, 0usize, 0);
    for (i, &c) in bytes.iter().enumerate() {
        if c.is_ascii_digit() {
            if dig_len == 1 && val == 0 {
                return Err(addr_error(
                    input,
                    "IPv4 field has octet with leading zero",
                    None,
                ));
            }
            val = val * 10 + u32::from(c - b'0');
            dig_len += 1;
            if val > 255 {
                return Err(addr_error(input, "IPv4 field has value >255", None));
            }
        } else if c == b'.' {
            if i == 0 || i == bytes.len() - 1 || bytes[i - 1] == b'.' {
                return Err(addr_error(
                    input,
                    "IPv4 field must have at least one digit",
                    Some(&s[i..]),
                ));
            }
            if pos == 3 {
                return Err(addr_error(input, "IPv4 address too long", None));
            }
            fields[pos] = val as u8;
            pos += 1;
            val = 0;
            dig_len = 0;
        } else {
            return Err(addr_error(input, "unexpected character", Some(&s[i..])));
        }
    }
    if pos < 3 {
        return Err(addr_error(input, "IPv4 address too short", None));
    }
    fields[3] = val as u8;
    Ok(fields)
}

fn parse_v6(input: &str) -> Result<Parsed, String> {
    let (mut s, zone) = match input.split_once('%') {
        Some((addr, zone)) => {
            if zone.is_empty() {
                return Err(addr_error(input, "zone must be a non-empty string", None));
            }
            (addr, zone.to_string())
        }
        None => (input, String::new()),
    };
    let mut ip = [0u8; 16];
    let mut ellipsis: Option<usize> = None;
    if s.starts_with("::") {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return Ok(Parsed::V6(ip, zone));
        }
    }
    let mut i = 0;
    while i < 16 {
        let bytes = s.as_bytes();
        let mut off = 0;
        let mut acc: u32 = 0;
        while off < bytes.len() {
            let c = bytes[off];
            let digit = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => break,
            };
            acc = (acc << 4) + u32::from(digit);
            if off > 3 {
                return Err(addr_error(
                    input,
                    "each group must have 4 or less digits",
                    Some(s),
                ));
            }
            if acc > 0xffff {
                return Err(addr_error(input, "IPv6 field has value >=2^16", Some(s)));
            }
            off += 1;
        }
        if off == 0 {
            return Err(addr_error(
                input,
                "each colon-separated field must have at least one digit",
                Some(s),
            ));
        }
        if off < bytes.len() && bytes[off] == b'.' {
            if ellipsis.is_none() && i != 12 {
                return Err(addr_error(
                    input,
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    Some(s),
                ));
            }
            if i + 4 > 16 {
                return Err(addr_error(
                    input,
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    Some(s),
                ));
            }
            let v4 = parse_v4_fields(input, s)?;
            ip[i..i + 4].copy_from_slice(&v4);
            s = "";
            i += 4;
            break;
        }
        ip[i] = (acc >> 8) as u8;
        ip[i + 1] = acc as u8;
        i += 2;
        s = &s[off..];
        if s.is_empty() {
            break;
        }
        if !s.starts_with(':') {
            return Err(addr_error(
                input,
                "unexpected character, want colon",
                Some(s),
            ));
        } else if s.len() == 1 {
            return Err(addr_error(
                input,
                "colon must be followed by more characters",
                Some(s),
            ));
        }
        s = &s[1..];
        if s.starts_with(':') {
            if ellipsis.is_some() {
                return Err(addr_error(input, "multiple :: in address", Some(s)));
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return Err(addr_error(input, "trailing garbage after address", Some(s)));
    }
    if i < 16 {
        let Some(e) = ellipsis else {
            return Err(addr_error(input, "address string too short", None));
        };
        let n = 16 - i;
        for j in (e..i).rev() {
            ip[j + n] = ip[j];
        }
        ip[e..e + n].fill(0);
    } else if ellipsis.is_some() {
        return Err(addr_error(
            input,
            "the :: must expand to at least one field of zeros",
            None,
        ));
    }
    Ok(Parsed::V6(ip, zone))
}

/// netip's `ParseAddr`, which picks IPv4 or IPv6 by the first `.` or `:`.
fn parse_addr(s: &str) -> Result<Parsed, String> {
    for c in s.bytes() {
        match c {
            b'.' => return parse_v4_fields(s, s).map(Parsed::V4),
            b':' => return parse_v6(s),
            b'%' => return Err(addr_error(s, "missing IPv6 address", None)),
            _ => {}
        }
    }
    Err(addr_error(s, "unable to parse IP", None))
}

fn is_4in6(octets: &[u8; 16]) -> bool {
    octets[..10].iter().all(|&b| b == 0) && octets[10] == 0xff && octets[11] == 0xff
}

/// `ip(s)`: an IPv4 or IPv6 address, without a zone, not IPv4-mapped.
pub fn parse_ip(raw: &str) -> Result<IpAddr, NetError> {
    match parse_addr(raw) {
        Err(why) => Err(NetError(format!(
            "IP Address {} parse error during conversion from string: {why}",
            quote(raw)
        ))),
        Ok(Parsed::V4(o)) => Ok(IpAddr::V4(Ipv4Addr::from(o))),
        Ok(Parsed::V6(_, zone)) if !zone.is_empty() => Err(NetError(format!(
            "IP address {} with zone value is not allowed",
            quote(raw)
        ))),
        Ok(Parsed::V6(o, _)) if is_4in6(&o) => Err(NetError(format!(
            "IPv4-mapped IPv6 address {} is not allowed",
            quote(raw)
        ))),
        Ok(Parsed::V6(o, _)) => Ok(IpAddr::V6(Ipv6Addr::from(o))),
    }
}

/// `cidr(s)`: netip's `ParsePrefix`, not IPv4-mapped; host bits may be set.
pub fn parse_cidr(raw: &str) -> Result<Cidr, NetError> {
    const PREFIX: &str = "network address parse error during conversion from string: ";
    match parse_prefix(raw) {
        Err(why) => Err(NetError(format!("{PREFIX}{PREFIX}{why}"))),
        Ok((Parsed::V6(o, _), _)) if is_4in6(&o) => Err(NetError(format!(
            "{PREFIX}IPv4-mapped IPv6 address {} is not allowed",
            quote(raw)
        ))),
        Ok((Parsed::V4(o), bits)) => Ok(Cidr {
            addr: IpAddr::V4(Ipv4Addr::from(o)),
            bits,
        }),
        Ok((Parsed::V6(o, _), bits)) => Ok(Cidr {
            addr: IpAddr::V6(Ipv6Addr::from(o)),
            bits,
        }),
    }
}

fn parse_prefix(s: &str) -> Result<(Parsed, u8), String> {
    let err = |msg: &str| format!("netip.ParsePrefix({}): {msg}", quote(s));
    let Some(i) = s.rfind('/') else {
        return Err(err("no '/'"));
    };
    let addr = parse_addr(&s[..i]).map_err(|e| err(&e))?;
    if matches!(&addr, Parsed::V6(_, zone) if !zone.is_empty()) {
        return Err(err("IPv6 zones cannot be present in a prefix"));
    }
    let bits_text = &s[i + 1..];
    let bad_bits = || err(&format!("bad bits after slash: {}", quote(bits_text)));
    if bits_text.len() > 1 && !bits_text.starts_with(|c: char| ('1'..='9').contains(&c)) {
        return Err(bad_bits());
    }
    let bits = crate::quantity::parse_go_int(bits_text).ok_or_else(bad_bits)?;
    let max_bits = if matches!(addr, Parsed::V4(_)) {
        32
    } else {
        128
    };
    if !(0..=max_bits).contains(&bits) {
        return Err(err("prefix length out of range"));
    }
    Ok((addr, bits as u8))
}

/// `isIP(s)`.
pub fn is_ip(s: &str) -> bool {
    parse_ip(s).is_ok()
}

/// `isCIDR(s)`.
pub fn is_cidr(s: &str) -> bool {
    parse_cidr(s).is_ok()
}

/// `ip.isCanonical(s)`: whether `s` is the form `string(ip(s))` prints.
pub fn is_canonical(s: &str) -> Result<bool, NetError> {
    Ok(parse_ip(s)?.to_string() == s)
}

/// `family()`: 4 or 6.
pub fn family(ip: &IpAddr) -> i64 {
    if ip.is_ipv4() { 4 } else { 6 }
}

/// `isLinkLocalUnicast()`: 169.254.0.0/16 and fe80::/10.
pub fn is_link_local_unicast(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.octets()[..2] == [169, 254],
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

/// `isLinkLocalMulticast()`: 224.0.0.0/24 and ffx2::/16.
pub fn is_link_local_multicast(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
}

/// `isGlobalUnicast()` (Go's: private and unique-local addresses count).
pub fn is_global_unicast(ip: &IpAddr) -> bool {
    if let IpAddr::V4(v4) = ip
        && (v4.is_unspecified() || v4.is_broadcast())
    {
        return false;
    }
    !(ip.is_unspecified() || ip.is_loopback() || ip.is_multicast() || is_link_local_unicast(ip))
}

fn mask(addr: IpAddr, bits: u8) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => {
            let m = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & m))
        }
        IpAddr::V6(v6) => {
            let m = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & m))
        }
    }
}

impl Cidr {
    /// `masked()`: the network address.
    pub fn masked(&self) -> Cidr {
        Cidr {
            addr: mask(self.addr, self.bits),
            bits: self.bits,
        }
    }

    /// `containsIP(ip)`: same family and the same leading bits.
    pub fn contains_ip(&self, ip: &IpAddr) -> bool {
        ip.is_ipv4() == self.addr.is_ipv4() && mask(*ip, self.bits) == mask(self.addr, self.bits)
    }

    /// `containsCIDR(other)`: `other`'s network lies within this one (Kubernetes 1.33 and the
    /// patch releases since, which mask both sides; earlier releases compared `other`'s address
    /// unmasked and refused `10.0.0.0/8` containing `10.1.0.0/16`).
    pub fn contains_cidr(&self, other: &Cidr) -> bool {
        other.addr.is_ipv4() == self.addr.is_ipv4()
            && self.bits <= other.bits
            && mask(other.addr, self.bits) == mask(self.addr, self.bits)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        parse_ip(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn cidr(s: &str) -> Cidr {
        parse_cidr(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn addresses_and_their_errors() {
        assert!(is_ip("127.0.0.1"));
        assert!(is_ip("::1"));
        assert!(!is_ip("127.0.0.256"));
        assert!(!is_ip(":::1"));
        let cases = [
            (
                "127.0.0.256",
                "IP Address \"127.0.0.256\" parse error during conversion from string: ParseAddr(\"127.0.0.256\"): IPv4 field has value >255",
            ),
            (
                ":::1",
                "IP Address \":::1\" parse error during conversion from string: ParseAddr(\":::1\"): each colon-separated field must have at least one digit (at \":1\")",
            ),
            (
                "01.2.3.4",
                "IP Address \"01.2.3.4\" parse error during conversion from string: ParseAddr(\"01.2.3.4\"): IPv4 field has octet with leading zero",
            ),
            (
                "fe80::1%eth0",
                "IP address \"fe80::1%eth0\" with zone value is not allowed",
            ),
            (
                "::ffff:1.2.3.4",
                "IPv4-mapped IPv6 address \"::ffff:1.2.3.4\" is not allowed",
            ),
            (
                "::ffff:c0a8:1",
                "IPv4-mapped IPv6 address \"::ffff:c0a8:1\" is not allowed",
            ),
            (
                "1.2.3",
                "IP Address \"1.2.3\" parse error during conversion from string: ParseAddr(\"1.2.3\"): IPv4 address too short",
            ),
            (
                "abc",
                "IP Address \"abc\" parse error during conversion from string: ParseAddr(\"abc\"): unable to parse IP",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_ip(input).unwrap_err().to_string(), want);
        }
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(is_canonical("127.0.0.1"), Ok(true));
        assert_eq!(is_canonical("2001:db8::abcd"), Ok(true));
        assert_eq!(is_canonical("2001:DB8::ABCD"), Ok(false));
        assert_eq!(is_canonical("2001:db8::0:0:0:abcd"), Ok(false));
        assert_eq!(ip("2001:db8:0:0:1:0:0:1").to_string(), "2001:db8::1:0:0:1");
        assert_eq!(ip("2001:0:0:1::1").to_string(), "2001:0:0:1::1");
        assert_eq!(ip("::102:304").to_string(), "::102:304");
        assert_eq!(ip("1:0:1:1:1:1:1:1").to_string(), "1:0:1:1:1:1:1:1");
    }

    #[test]
    fn properties() {
        assert_eq!(family(&ip("127.0.0.1")), 4);
        assert_eq!(family(&ip("::1")), 6);
        assert!(ip("0.0.0.0").is_unspecified());
        assert!(ip("::").is_unspecified());
        assert!(ip("127.0.0.1").is_loopback());
        assert!(!ip("2001:db8::abcd").is_loopback());
        assert!(is_link_local_multicast(&ip("224.0.0.1")));
        assert!(!is_link_local_multicast(&ip("224.0.1.1")));
        assert!(is_link_local_multicast(&ip("ff02::1")));
        assert!(!is_link_local_multicast(&ip("fd00::1")));
        assert!(is_link_local_unicast(&ip("169.254.169.254")));
        assert!(!is_link_local_unicast(&ip("192.168.0.1")));
        assert!(is_link_local_unicast(&ip("fe80::1")));
        assert!(!is_link_local_unicast(&ip("fd80::1")));
        assert!(is_global_unicast(&ip("192.168.0.1")));
        assert!(!is_global_unicast(&ip("255.255.255.255")));
        assert!(is_global_unicast(&ip("2001:db8::abcd")));
        assert!(!is_global_unicast(&ip("ff00::1")));
    }

    #[test]
    fn ranges() {
        assert!(is_cidr("192.168.0.0/16"));
        assert!(is_cidr("::1/128"));
        assert!(!is_cidr("192.168.0.0/33"));
        assert!(!is_cidr("::1/129"));
        assert!(is_cidr("192.168.0.1/16"), "host bits are allowed");
        assert!(cidr("192.168.0.0/24").contains_ip(&ip("192.168.0.1")));
        assert!(!cidr("192.168.0.0/24").contains_ip(&ip("192.168.1.1")));
        assert!(cidr("192.168.0.0/16").contains_cidr(&cidr("192.168.10.0/24")));
        assert!(!cidr("192.168.1.0/24").contains_cidr(&cidr("192.168.2.0/24")));
        assert!(!cidr("192.168.0.0/24").contains_cidr(&cidr("192.168.0.0/23")));
        assert!(cidr("2001:db8::/32").contains_cidr(&cidr("2001:db8::/33")));
        assert!(!cidr("10.0.0.0/8").contains_ip(&ip("::1")));
        assert_eq!(cidr("192.168.0.1/24").addr, ip("192.168.0.1"));
        assert_eq!(cidr("192.168.0.1/24").masked(), cidr("192.168.0.0/24"));
        assert_ne!(cidr("192.168.0.1/24"), cidr("192.168.0.1/24").masked());
        assert_eq!(
            cidr("2001:db8:1::/32").masked().to_string(),
            "2001:db8::/32"
        );
        assert_eq!(cidr("::1/128").bits, 128);
        assert_eq!(cidr("0.0.0.0/0").masked().to_string(), "0.0.0.0/0");
    }

    #[test]
    fn range_errors() {
        let p = "network address parse error during conversion from string: ";
        let cases = [
            (
                "192.168.0.0/",
                format!("{p}{p}netip.ParsePrefix(\"192.168.0.0/\"): bad bits after slash: \"\""),
            ),
            (
                "2001:db8::/",
                format!("{p}{p}netip.ParsePrefix(\"2001:db8::/\"): bad bits after slash: \"\""),
            ),
            (
                "10.0.0.0/08",
                format!("{p}{p}netip.ParsePrefix(\"10.0.0.0/08\"): bad bits after slash: \"08\""),
            ),
            (
                "10.0.0.0/33",
                format!("{p}{p}netip.ParsePrefix(\"10.0.0.0/33\"): prefix length out of range"),
            ),
            (
                "10.0.0.0",
                format!("{p}{p}netip.ParsePrefix(\"10.0.0.0\"): no '/'"),
            ),
            (
                "1.2.3/8",
                format!(
                    "{p}{p}netip.ParsePrefix(\"1.2.3/8\"): ParseAddr(\"1.2.3\"): IPv4 address too short"
                ),
            ),
            (
                "fe80::1%en0/64",
                format!(
                    "{p}{p}netip.ParsePrefix(\"fe80::1%en0/64\"): IPv6 zones cannot be present in a prefix"
                ),
            ),
            (
                "::ffff:1.2.3.4/120",
                format!("{p}IPv4-mapped IPv6 address \"::ffff:1.2.3.4/120\" is not allowed"),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_cidr(input).unwrap_err().to_string(), want, "{input}");
        }
    }
}
