//! Deduced types with the extension libraries enabled.

use crate::support::{check_table, env};

const DECLS: &[(&str, &str)] = &[
    ("s", "string"),
    ("ls", "list(string)"),
    ("li", "list(int)"),
    ("ld", "list(double)"),
    ("m", "map(string, int)"),
    ("x", "dyn"),
    ("oi", "optional_type(int)"),
    ("ol", "optional_type(list(string))"),
    ("om", "optional_type(map(string, int))"),
    ("addr", "net.IP"),
    ("net", "net.CIDR"),
];

const STRINGS: &[(&str, &str)] = &[
    ("s.charAt(0)", "string"),
    ("s.indexOf('a')", "int"),
    ("s.indexOf('a', 1)", "int"),
    ("s.lastIndexOf('a')", "int"),
    ("s.lastIndexOf('a', 2)", "int"),
    ("s.lowerAscii()", "string"),
    ("s.upperAscii()", "string"),
    ("s.replace('a', 'b')", "string"),
    ("s.replace('a', 'b', 1)", "string"),
    ("s.split(',')", "list(string)"),
    ("s.split(',', 2)", "list(string)"),
    ("s.substring(1)", "string"),
    ("s.substring(1, 2)", "string"),
    ("s.trim()", "string"),
    ("ls.join()", "string"),
    ("ls.join(', ')", "string"),
    ("'%s and %d'.format(['a', 1])", "string"),
    ("strings.quote(s)", "string"),
    ("s.reverse()", "string"),
    ("x.trim()", "string"),
];

const MATH: &[(&str, &str)] = &[
    ("math.AT_max(1, 2)", "int"),
    ("math.AT_max(1u)", "uint"),
    ("math.AT_max(1, 2.0)", "dyn"),
    ("math.AT_min([1.0, 2.0])", "double"),
    ("math.AT_min(li)", "int"),
    ("math.ceil(1.5)", "double"),
    ("math.floor(1.5)", "double"),
    ("math.round(1.5)", "double"),
    ("math.trunc(1.5)", "double"),
    ("math.isInf(1.5)", "bool"),
    ("math.isNaN(1.5)", "bool"),
    ("math.isFinite(1.5)", "bool"),
    ("math.abs(-1)", "int"),
    ("math.abs(-1.0)", "double"),
    ("math.sign(-1)", "int"),
    ("math.sign(1u)", "uint"),
    ("math.bitAnd(1, 3)", "int"),
    ("math.bitOr(1u, 2u)", "uint"),
    ("math.bitXor(1, 2)", "int"),
    ("math.bitNot(1)", "int"),
    ("math.bitShiftLeft(1, 2)", "int"),
    ("math.bitShiftRight(8u, 2)", "uint"),
    ("math.sqrt(4)", "double"),
];

const LISTS_AND_SETS: &[(&str, &str)] = &[
    ("li.slice(0, 1)", "list(int)"),
    ("[[1], [2]].flatten()", "list(int)"),
    ("[[1], [[2]]].flatten(2)", "list(dyn)"),
    ("li.sort()", "list(int)"),
    ("ls.sort()", "list(string)"),
    ("[duration('1s')].sort()", "list(google.protobuf.Duration)"),
    ("ls.AT_sortByAssociatedKeys(li)", "list(string)"),
    ("lists.range(3)", "list(int)"),
    ("li.reverse()", "list(int)"),
    ("ls.distinct()", "list(string)"),
    ("sets.contains(li, [1])", "bool"),
    ("sets.equivalent(ls, ['a'])", "bool"),
    ("sets.intersects(li, [])", "bool"),
    ("base64.encode(b'a')", "string"),
    ("base64.decode('YQ==')", "bytes"),
];

const OPTIONALS: &[(&str, &str)] = &[
    ("optional.of(1)", "optional_type(int)"),
    ("optional.none()", "optional_type(dyn)"),
    ("optional.ofNonZeroValue('a')", "optional_type(string)"),
    ("oi.hasValue()", "bool"),
    ("oi.value()", "int"),
    ("oi.orValue(2)", "int"),
    ("oi.or(optional.of(2))", "optional_type(int)"),
    ("oi.or(optional.none())", "optional_type(int)"),
    ("li[?0]", "optional_type(int)"),
    ("m[?'a']", "optional_type(int)"),
    ("ol[?0]", "optional_type(string)"),
    ("om[?'k']", "optional_type(int)"),
    ("ol[0]", "optional_type(string)"),
    ("om['k']", "optional_type(int)"),
    ("m.?a", "optional_type(int)"),
    ("om.?a", "optional_type(int)"),
    ("om.a", "optional_type(int)"),
    ("x.?a", "optional_type(dyn)"),
    ("x.?a.?b", "optional_type(dyn)"),
    ("[?oi, 1]", "list(int)"),
    ("{'a': 1, ?'b': oi}", "map(string, int)"),
    ("[?x]", "list(dyn)"),
    ("li.first()", "optional_type(int)"),
    ("ls.last()", "optional_type(string)"),
    ("optional.unwrap([oi])", "list(int)"),
    ("[oi].unwrapOpt()", "list(int)"),
    ("oi.optMap(v, v + 1)", "optional_type(int)"),
    (
        "oi.optFlatMap(v, optional.of(string(v)))",
        "optional_type(string)",
    ),
    ("optional_type", "type(optional_type(dyn))"),
    ("type(oi)", "type(optional_type(int))"),
];

const OTHERS: &[(&str, &str)] = &[
    ("regex.replace(s, 'a+', 'b')", "string"),
    ("regex.replace(s, 'a+', 'b', 2)", "string"),
    ("regex.extract(s, 'a+')", "optional_type(string)"),
    ("regex.extractAll(s, 'a+')", "list(string)"),
    ("ip('127.0.0.1')", "net.IP"),
    ("cidr('10.0.0.0/8')", "net.CIDR"),
    ("cidr('10.0.0.0/8').containsIP(ip('10.0.0.1'))", "bool"),
    ("net.containsIP('10.0.0.1')", "bool"),
    ("net.containsCIDR(net)", "bool"),
    ("net.ip()", "net.IP"),
    ("net.masked()", "net.CIDR"),
    ("net.prefixLength()", "int"),
    ("addr.family()", "int"),
    ("addr.isLoopback()", "bool"),
    ("string(addr)", "string"),
    ("string(net)", "string"),
    ("isIP(s)", "bool"),
    ("isCIDR(s)", "bool"),
    ("ip.isCanonical(s)", "bool"),
    ("type(addr)", "type(net.IP)"),
    ("m.transformMap(k, v, v + 1)", "map(string, int)"),
    ("li.transformMap(k, v, string(v))", "map(int, string)"),
    ("m.transformMapEntry(k, v, {v: k})", "map(int, string)"),
    ("cel.block([1, cel.index(0) + 1], cel.index(1) * 2)", "int"),
    (
        "cel.block(['a', cel.index(0) + 'b'], [cel.index(0), cel.index(1)])",
        "list(string)",
    ),
];

#[test]
fn strings() {
    check_table(&env(DECLS, ""), STRINGS);
}

#[test]
fn math() {
    check_table(&env(DECLS, ""), MATH);
}

#[test]
fn lists_sets_and_encoders() {
    check_table(&env(DECLS, ""), LISTS_AND_SETS);
}

#[test]
fn optionals() {
    check_table(&env(DECLS, ""), OPTIONALS);
}

#[test]
fn regex_network_comprehensions_and_block() {
    check_table(&env(DECLS, ""), OTHERS);
}

#[test]
fn extension_functions_need_their_library() {
    let env = celd_check::CheckEnv::builder()
        .variable("s", celd_types::Type::String)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let got = crate::support::deduce(&env, "s.trim()");
    assert!(got.contains("undeclared reference to 'trim'"), "{got}");
}

#[test]
fn unknown_extension_is_an_error() {
    let result = celd_check::CheckEnv::builder().extension("nope").build();
    assert_eq!(
        result.err(),
        Some(celd_check::EnvError::UnknownExtension("nope".into()))
    );
}
