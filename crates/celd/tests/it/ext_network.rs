//! The network extension: `net.IP` and `net.CIDR` values.

use super::ext_support::{check_all, check_unchecked};

#[test]
fn parse_and_print_addresses() {
    check_all(&[
        ("string(ip('192.168.0.1'))", r#""192.168.0.1""#),
        ("string(ip('2001:DB8:0:0:0:0:0:68'))", r#""2001:db8::68""#),
        ("string(ip('::ffff:c0a8:1'))", r#""192.168.0.1""#),
        ("ip('10.0.0.1')", r#"ip("10.0.0.1")"#),
        ("type(ip('10.0.0.1'))", "net.IP"),
        ("string(1)", r#""1""#),
        ("isIP('1.2.3.4')", "true"),
        ("isIP('2001:db8::1')", "true"),
        ("isIP('192.168.0.1.0')", "false"),
        ("isIP('127.0.0.1:80')", "false"),
        ("isIP('01.2.3.4')", "false"),
        ("isIP('fe80::1%en0')", "false"),
        ("isIP('::ffff:1.2.3.4')", "false"),
        ("ip.isCanonical('127.0.0.1')", "true"),
        ("ip.isCanonical('2001:db8::1')", "true"),
        ("ip.isCanonical('2001:DB8::1')", "false"),
        ("ip.isCanonical('2001:db8:0:0:0:0:0:1')", "false"),
        (
            "ip('192.168.0.1.0')",
            r#"error: IP Address "192.168.0.1.0" parse error during conversion from string: not an IPv4 or IPv6 address"#,
        ),
        (
            "ip.isCanonical('127.0.0.1.0')",
            r#"error: IP Address "127.0.0.1.0" parse error during conversion from string: not an IPv4 or IPv6 address"#,
        ),
        (
            "ip('fe80::1%en0')",
            r#"error: IP Address "fe80::1%en0" with zone value is not allowed"#,
        ),
        (
            "ip('fe80::1%')",
            r#"error: IP Address "fe80::1%" parse error during conversion from string: invalid zone"#,
        ),
        (
            "ip('::ffff:192.168.0.1')",
            r#"error: IPv4-mapped IPv6 address "::ffff:192.168.0.1" is not allowed"#,
        ),
        ("ip(dyn(1))", "error: no such overload: ip(int)"),
        ("isIP(dyn(1))", "error: no such overload: isIP(int)"),
        ("isCIDR(dyn(1))", "error: no such overload: isCIDR(int)"),
        ("cidr(dyn(1))", "error: no such overload: cidr(int)"),
        (
            "ip.isCanonical(dyn(1))",
            "error: no such overload: ip.isCanonical(int)",
        ),
        (
            "dyn(ip('1.2.3.4')).ip()",
            "error: no such overload: ip(net.IP)",
        ),
    ]);
}

#[test]
fn type_names_are_values() {
    check_all(&[
        ("type(ip('10.0.0.1')) == net.IP", "true"),
        ("type(cidr('192.168.0.0/24')) == net.CIDR", "true"),
        ("type(cidr('192.168.0.0/24')) == net.IP", "false"),
    ]);
}

#[test]
fn address_properties() {
    check_all(&[
        ("ip('192.168.0.1').family()", "4"),
        ("ip('2001:db8::68').family()", "6"),
        ("ip('0.0.0.0').isUnspecified()", "true"),
        ("ip('::').isUnspecified()", "true"),
        ("ip('127.0.0.1').isUnspecified()", "false"),
        ("ip('127.0.0.1').isLoopback()", "true"),
        ("ip('::1').isLoopback()", "true"),
        ("ip('1.2.3.4').isLoopback()", "false"),
        ("ip('192.168.0.1').isGlobalUnicast()", "true"),
        ("ip('8.8.8.8').isGlobalUnicast()", "true"),
        ("ip('255.255.255.255').isGlobalUnicast()", "false"),
        ("ip('169.254.1.1').isGlobalUnicast()", "false"),
        ("ip('2001:db8::1').isGlobalUnicast()", "true"),
        ("ip('ff00::1').isGlobalUnicast()", "false"),
        ("ip('224.0.0.1').isLinkLocalMulticast()", "true"),
        ("ip('224.0.1.1').isLinkLocalMulticast()", "false"),
        ("ip('ff02::1').isLinkLocalMulticast()", "true"),
        ("ip('fd00::1').isLinkLocalMulticast()", "false"),
        ("ip('169.254.169.254').isLinkLocalUnicast()", "true"),
        ("ip('192.168.0.1').isLinkLocalUnicast()", "false"),
        ("ip('fe80::1').isLinkLocalUnicast()", "true"),
        ("ip('127.0.0.1') == ip('127.0.0.1')", "true"),
        ("ip('127.0.0.1') == ip('10.0.0.1')", "false"),
        ("ip('2001:db8::1') == ip('2001:DB8::1')", "true"),
        ("ip('::') == ip('::ffff')", "false"),
        ("ip('::ffff:c0a8:1') == ip('192.168.0.1')", "true"),
        (
            "dyn(cidr('10.0.0.0/8')).family()",
            "error: no such overload: family(net.CIDR)",
        ),
        (
            "dyn('1.2.3.4').isLoopback()",
            "error: no such overload: isLoopback(string)",
        ),
        (
            "dyn(1).isUnspecified()",
            "error: no such overload: isUnspecified(int)",
        ),
        (
            "dyn(1).isGlobalUnicast()",
            "error: no such overload: isGlobalUnicast(int)",
        ),
        (
            "dyn(1).isLinkLocalMulticast()",
            "error: no such overload: isLinkLocalMulticast(int)",
        ),
        (
            "dyn(1).isLinkLocalUnicast()",
            "error: no such overload: isLinkLocalUnicast(int)",
        ),
    ]);
}

#[test]
fn ranges() {
    check_all(&[
        ("type(cidr('192.168.0.0/24'))", "net.CIDR"),
        ("string(cidr('10.0.0.0/8'))", r#""10.0.0.0/8""#),
        ("string(cidr('::1/128'))", r#""::1/128""#),
        ("cidr('10.1.2.3/8')", r#"cidr("10.1.2.3/8")"#),
        ("isCIDR('10.0.0.0/8')", "true"),
        ("isCIDR('10.0.0.0/999')", "false"),
        ("isCIDR('10.0.0.0/08')", "false"),
        ("isCIDR('10.0.0.0')", "false"),
        ("cidr('127.0.0.1/24') == cidr('127.0.0.1/24')", "true"),
        ("cidr('192.0.0.1/32') == cidr('10.0.0.1/8')", "false"),
        ("cidr('2001:db8::/32') == cidr('10.0.0.1/32')", "false"),
        ("cidr('192.168.1.5/24').ip() == ip('192.168.1.5')", "true"),
        (
            "cidr('192.168.1.5/24').masked() == cidr('192.168.1.0/24')",
            "true",
        ),
        (
            "cidr('2001:db8::1/32').masked()",
            r#"cidr("2001:db8::/32")"#,
        ),
        ("cidr('0.0.0.0/0').masked()", r#"cidr("0.0.0.0/0")"#),
        ("cidr('192.168.0.0/24').prefixLength()", "24"),
        ("cidr('2001:db8::/32').prefixLength()", "32"),
        (
            "cidr('192.168.0.0/')",
            r#"error: CIDR "192.168.0.0/" parse error during conversion from string: bad prefix length"#,
        ),
        (
            "cidr('::ffff:192.168.0.1/24')",
            r#"error: IPv4-mapped IPv6 address "::ffff:192.168.0.1/24" is not allowed"#,
        ),
        (
            "cidr('fe80::1%en0/64')",
            r#"error: CIDR "fe80::1%en0/64" with zone value is not allowed"#,
        ),
        (
            "dyn(ip('1.2.3.4')).prefixLength()",
            "error: no such overload: prefixLength(net.IP)",
        ),
        ("dyn(1).masked()", "error: no such overload: masked(int)"),
    ]);
}

#[test]
fn containment() {
    check_all(&[
        (
            "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))",
            "true",
        ),
        (
            "cidr('192.168.0.0/24').containsIP(ip('192.168.1.1'))",
            "false",
        ),
        ("cidr('192.168.0.0/24').containsIP('192.168.0.255')", "true"),
        ("cidr('192.168.0.0/24').containsIP('192.168.1.1')", "false"),
        (
            "cidr('192.168.1.1/32').containsIP(ip('2001:db8::1'))",
            "false",
        ),
        ("cidr('0.0.0.0/0').containsIP('1.2.3.4')", "true"),
        (
            "cidr('2001:db8::/32').containsIP(ip('2001:db8::1'))",
            "true",
        ),
        (
            "cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))",
            "true",
        ),
        (
            "cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/23'))",
            "false",
        ),
        (
            "cidr('192.168.0.0/24').containsCIDR('192.168.0.128/25')",
            "true",
        ),
        ("cidr('10.0.0.0/8').containsCIDR('10.0.0.0/8')", "true"),
        (
            "cidr('10.0.0.0/8').containsCIDR(cidr('11.0.0.0/8'))",
            "false",
        ),
        ("cidr('10.0.0.0/8').containsCIDR(cidr('::1/128'))", "false"),
        (
            "cidr('2001:db8::/32').containsCIDR(cidr('2001:db8::/33'))",
            "true",
        ),
        (
            "cidr('10.0.0.0/8').containsIP('not-an-ip')",
            r#"error: IP Address "not-an-ip" parse error during conversion from string: not an IPv4 or IPv6 address"#,
        ),
        (
            "cidr('10.0.0.0/8').containsCIDR('not-a-cidr')",
            r#"error: CIDR "not-a-cidr" parse error during conversion from string: no '/'"#,
        ),
        (
            "cidr('10.0.0.0/8').containsIP(dyn(cidr('10.0.0.0/8')))",
            "error: no such overload: containsIP(net.CIDR, net.CIDR)",
        ),
        (
            "dyn(ip('10.0.0.1')).containsIP('10.0.0.1')",
            "error: no such overload: containsIP(net.IP, string)",
        ),
    ]);
}

#[test]
fn wrong_types_fail_at_run_time_unchecked() {
    check_unchecked(&[
        (
            "isIP(cidr('192.168.0.0/24'))",
            "error: no such overload: isIP(net.CIDR)",
        ),
        ("ip(1)", "error: no such overload: ip(int)"),
        (
            "cidr('10.0.0.0/8').containsCIDR(1)",
            "error: no such overload: containsCIDR(net.CIDR, int)",
        ),
    ]);
}
