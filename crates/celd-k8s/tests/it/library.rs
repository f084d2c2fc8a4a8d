//! The Kubernetes libraries through compile and eval in the Kubernetes environment: the
//! examples of the Kubernetes CEL reference page and the libraries' documented edge cases.

use celd::Env;
use celd_k8s::library::{Library, kubernetes_env};

fn env() -> Env {
    kubernetes_env()
        .build()
        .expect("the Kubernetes environment builds")
}

/// Compiles and evaluates each expression: `expect` is the result in CEL syntax, or
/// `error: <text the message contains>`, or `check: <text the check error contains>`.
fn run(cases: &[(&str, &str)]) {
    let env = env();
    let vars = env.activation();
    let mut failures = Vec::new();
    for (expr, expect) in cases {
        let got = match env.compile(expr) {
            Err(e) => format!("check: {}", e.message()),
            Ok(program) => match program.eval(&vars) {
                Ok(v) => v.to_string(),
                Err(e) => format!("error: {}", e.message()),
            },
        };
        let ok = match expect.split_once(": ") {
            Some((kind @ ("error" | "check"), text)) => got.starts_with(kind) && got.contains(text),
            _ => got == *expect,
        };
        if !ok {
            failures.push(format!("{expr}\n  expected {expect}\n  got      {got}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn quantity() {
    run(&[
        ("isQuantity('1.3G')", "true"),
        ("isQuantity('1.3Gi')", "true"),
        ("isQuantity('1,3G')", "false"),
        ("quantity('50000000G').isInteger()", "true"),
        ("quantity('1000m').isInteger()", "false"),
        (
            "quantity('50k').add(20).sub(quantity('100k')).sub(-50000)",
            "quantity(\"20\")",
        ),
        (
            "quantity('50k').add(20).sub(quantity('100k')).sub(-50000) == quantity('20')",
            "true",
        ),
        ("quantity('50k').asInteger()", "50000"),
        ("quantity('50k').asApproximateFloat()", "50000.0"),
        (
            "quantity('9999999999999999999999999999999999999G').asInteger()",
            "error: cannot convert value to integer",
        ),
        ("quantity('1Mi').isGreaterThan(quantity('1M'))", "true"),
        ("quantity('1Mi').isLessThan(quantity('1M'))", "false"),
        ("quantity('1Mi').compareTo(quantity('1Mi'))", "0"),
        ("quantity('1').compareTo(quantity('2'))", "-1"),
        ("quantity('-5').sign()", "-1"),
        ("quantity('0').sign()", "0"),
        ("quantity('1000m') == quantity('1')", "true"),
        (
            "quantity('1,3G')",
            "error: quantities must match the regular expression",
        ),
        // Kubernetes declares no ordering operators for quantities.
        (
            "quantity('1') < quantity('2')",
            "check: found no matching overload for '_<_'",
        ),
    ]);
}

#[test]
fn lists() {
    run(&[
        ("[1, 2, 3].isSorted()", "true"),
        ("['c', 'a'].isSorted()", "false"),
        ("[1, 2, 3].sum()", "6"),
        ("[1.5, 2.5].sum()", "4.0"),
        (
            "[duration('1s'), duration('2m')].sum()",
            "duration(\"121s\")",
        ),
        ("[1].filter(x, x > 1).sum()", "0"),
        ("[1, 2, 3].min()", "1"),
        ("['b', 'a', 'c'].max()", "\"c\""),
        (
            "[1].filter(x, x > 1).min()",
            "error: min called on empty list",
        ),
        (
            "[1].filter(x, x > 1).max()",
            "error: max called on empty list",
        ),
        ("[1, 2, 2, 3].indexOf(2)", "1"),
        ("[1, 2, 2, 3].lastIndexOf(2)", "2"),
        ("[1, 2, 3].indexOf(9)", "-1"),
        ("[[1], [2]].indexOf([2])", "1"),
        ("[9223372036854775807, 1].sum()", "error: overflow"),
        (
            "[[1], [2]].min()",
            "check: found no matching overload for 'min'",
        ),
    ]);
}

#[test]
fn regex() {
    run(&[
        ("'abc 123'.find('[0-9]+')", "\"123\""),
        ("'abc 123'.find('xyz')", "\"\""),
        ("'123 abc 456'.findAll('[0-9]+')", "[\"123\", \"456\"]"),
        ("'123 abc 456'.findAll('[0-9]+', 1)", "[\"123\"]"),
        ("'123 abc 456'.findAll('xyz')", "[]"),
        ("'abc'.find('[')", "check: Illegal regex"),
        ("'abc'.findAll('(', 2)", "check: Illegal regex"),
        ("'abc'.find('[' + 'b]')", "\"b\""),
        (
            "['[', 'b'].all(p, 'abc'.find(p) != '')",
            "error: Illegal regex",
        ),
    ]);
}

#[test]
fn urls() {
    run(&[
        (
            "url('https://example.com:80/').getHost()",
            "\"example.com:80\"",
        ),
        (
            "url('https://example.com/path/with%20spaces/').getEscapedPath()",
            "\"/path/with%20spaces/\"",
        ),
        ("url('https://[::1]:80/').getHostname()", "\"::1\""),
        ("url('https://example.com:80/').getPort()", "\"80\""),
        ("url('https://example.com/').getPort()", "\"\""),
        ("url('https://example.com/').getScheme()", "\"https\""),
        ("url('/absolute-path').getScheme()", "\"\""),
        (
            "url('https://example.com/?k=a&k=b').getQuery()",
            "{\"k\": [\"a\", \"b\"]}",
        ),
        ("isURL('https://example.com/')", "true"),
        ("isURL('/absolute-path')", "true"),
        ("isURL('example.com')", "false"),
        (
            "url('example.com')",
            "error: URL parse error during conversion from string",
        ),
        (
            "url('https://example.com/') == url('https://example.com/')",
            "true",
        ),
    ]);
}

#[test]
fn ip_and_cidr() {
    run(&[
        ("isIP('1.2.3.4')", "true"),
        ("isIP('::1')", "true"),
        ("isIP('1.2.3.4/24')", "false"),
        ("ip('127.0.0.1').family()", "4"),
        ("ip('::1').family()", "6"),
        ("ip('127.0.0.1').isLoopback()", "true"),
        ("ip('0.0.0.0').isUnspecified()", "true"),
        ("ip('fe80::1').isLinkLocalUnicast()", "true"),
        ("ip('ff02::1').isLinkLocalMulticast()", "true"),
        ("ip('8.8.8.8').isGlobalUnicast()", "true"),
        ("ip.isCanonical('2001:db8::abcd')", "true"),
        ("ip.isCanonical('2001:DB8::ABCD')", "false"),
        ("string(ip('2001:db8::68'))", "\"2001:db8::68\""),
        ("ip('127.0.0.1') == ip('127.0.0.1')", "true"),
        (
            "ip('127.0.0.256')",
            "error: IP Address \"127.0.0.256\" parse error during conversion from string",
        ),
        (
            "ip('fe80::1%eth0')",
            "error: with zone value is not allowed",
        ),
        ("isCIDR('192.168.0.0/16')", "true"),
        ("isCIDR('192.168.0.0')", "false"),
        (
            "cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))",
            "true",
        ),
        ("cidr('192.168.0.0/24').containsIP('192.168.1.1')", "false"),
        (
            "cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))",
            "true",
        ),
        (
            "cidr('192.168.0.0/16').containsCIDR('192.168.0.0/8')",
            "false",
        ),
        (
            "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')",
            "true",
        ),
        ("cidr('192.168.0.0/24').prefixLength()", "24"),
        ("cidr('::1/128').ip() == ip('::1')", "true"),
        ("string(cidr('192.168.0.0/24'))", "\"192.168.0.0/24\""),
        (
            "cidr('10.0.0.0/')",
            "error: network address parse error during conversion from string",
        ),
    ]);
}

#[test]
fn format() {
    run(&[
        (
            "format.dns1123Label().validate('my-name')",
            "optional.none()",
        ),
        (
            "format.dns1123Label().validate('MY_NAME').hasValue()",
            "true",
        ),
        (
            "format.dns1123Label().validate('MY_NAME').value()[0].startsWith('a lowercase RFC 1123 label must consist of')",
            "true",
        ),
        ("format.named('dns1123Label').hasValue()", "true"),
        ("format.named('nope').hasValue()", "false"),
        (
            "format.named('uuid').value().validate('not-a-uuid').hasValue()",
            "true",
        ),
        (
            "format.named('dns1123Subdomain').value() == format.dns1123Subdomain()",
            "true",
        ),
        (
            "format.qualifiedName().validate('example.com/name')",
            "optional.none()",
        ),
        ("format.date().validate('2024-02-30').hasValue()", "true"),
    ]);
}

#[test]
fn semver_and_jsonpatch() {
    run(&[
        ("isSemver('1.0.0')", "true"),
        ("isSemver('v1.0')", "false"),
        ("isSemver('v1.0', true)", "true"),
        ("semver('1.0.0').isLessThan(semver('1.1.0'))", "true"),
        (
            "semver('1.1.0').isGreaterThan(semver('1.0.0-alpha'))",
            "true",
        ),
        ("semver('1.0.0-alpha').compareTo(semver('1.0.0'))", "-1"),
        ("semver('1.2.3').major()", "1"),
        ("semver('1.2.3').minor()", "2"),
        ("semver('1.2.3').patch()", "3"),
        ("semver('v1.0', true) == semver('1.0.0')", "true"),
        ("semver('1.0')", "error: "),
        (
            "jsonpatch.escapeKey('k8s.io/my~label')",
            "\"k8s.io~1my~0label\"",
        ),
    ]);
}

#[test]
fn libraries_are_selectable() {
    let env = Library::Quantity
        .register(Env::builder())
        .build()
        .expect("the quantity library alone builds");
    assert!(env.compile("quantity('1Gi').isInteger()").is_ok());
    let Err(error) = env.compile("'abc'.find('b')") else {
        panic!("regex is not registered")
    };
    assert!(error.message().contains("find"), "{}", error.message());
}

#[test]
fn aggregate_literals_are_homogeneous_as_kube_apiserver_checks_them() {
    run(&[
        ("[1, 'a']", "check: expected type 'int' but found 'string'"),
        (
            "{'a': 1, 'b': 'x'}",
            "check: expected type 'int' but found 'string'",
        ),
        ("[1, 2].sum()", "3"),
        ("[1, dyn('a')].size()", "2"),
    ]);
}
